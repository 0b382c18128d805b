import MailAuth

/// The `dkim=` entries the DKIM handler writes, in the Perl handler's
/// layout:
///
///     dkim=pass (2048-bit rsa key sha256) header.d=example.com
///         header.i=@example.com header.b=AbCdEfGh header.a=rsa-sha256 header.s=sel
///     dkim=fail (body has been altered, 1024-bit rsa key sha256) header.d=...
///     dkim=invalid (public key: not available) header.d=...
///
///     dkim=invalid (public key: not available, unknown key sha256)
///         header.d=... header.a=unknown-sha256 header.s=sel
///
/// The comment is Mail::DKIM's reason (for anything but a pass), then the
/// key as `<bits>-bit <type> key <hash>` when it was fetched and loaded.
/// When the key lookup failed or the record was unusable (a `public key:`
/// reason), Perl (since 3.20230629, "DKIM: Prepare for Ed25519 key types")
/// names the key type `unknown`: the comment ends `unknown key <hash>` and
/// `header.a` is `unknown-<hash>` (Perl builds `header.a` from the key type
/// and the hash). `x-bits=<bits>` (0 without a key) follows with
/// `extra_properties`.
enum DKIMResultEntry {
    static func entry(for result: DKIMSignatureResult, extraProperties: Bool) -> AuthResultsEntry {
        var key: String?
        var algorithm = result.algorithm ?? ""
        if let loaded = loadedKey(result) {
            key = loaded + (result.hashAlgorithm.map { " " + $0 } ?? "")
        } else if Self.keyWasSoughtButNotLoaded(result), let hash = result.hashAlgorithm {
            key = "unknown key \(hash)"
            algorithm = "unknown-\(hash)"
        }
        var properties = identityProperties(result)
        properties += [
            AuthResultsProperty(type: "header", name: "a", value: algorithm),
            AuthResultsProperty(type: "header", name: "s", value: result.selector ?? ""),
        ]
        if extraProperties {
            properties.append(AuthResultsProperty(key: "x-bits", value: String(result.keyBits ?? 0)))
        }
        return AuthResultsEntry(method: "dkim", result: result.perlResult, comment: comment(result, key: key),
                                properties: properties)
    }

    /// The XGoogleDKIM handler's entry for a verified X-Google-DKIM-Signature
    /// (Perl's `XGoogleDKIM.pm`): the reason as for `dkim=`, the key without
    /// its hash, and only `header.d`, `header.i`, `header.b`:
    ///
    ///     x-google-dkim=pass (2048-bit rsa key) header.d=1e100.net header.i=@1e100.net header.b=AbCdEfGh
    ///     x-google-dkim=fail (body has been altered, 2048-bit rsa key) header.d=...
    static func xGoogleEntry(for result: DKIMSignatureResult) -> AuthResultsEntry {
        AuthResultsEntry(method: "x-google-dkim", result: result.perlResult, comment: comment(result, key: loadedKey(result)),
                         properties: identityProperties(result))
    }

    /// Mail::DKIM's reason (for anything but a pass or none), then the key,
    /// joined by ", "; nil when there is neither.
    static func comment(_ result: DKIMSignatureResult, key: String?) -> AuthResultsComment? {
        var parts: [String] = []
        if result.perlResult != "pass", result.perlResult != "none", let reason = result.reason, !reason.isEmpty {
            parts.append(reason)
        }
        if let key { parts.append(key) }
        return parts.isEmpty ? nil : AuthResultsComment(parts.joined(separator: ", "))
    }

    /// `<bits>-bit <type> key` when the public key was fetched and loaded.
    static func loadedKey(_ result: DKIMSignatureResult) -> String? {
        guard let bits = result.keyBits, let type = result.keyType else { return nil }
        return "\(bits)-bit \(type) key"
    }

    /// `header.d`, `header.i` (Mail::DKIM's identity: `@<d>` without `i=`)
    /// and `header.b` (the first 8 characters of `b=`).
    static func identityProperties(_ result: DKIMSignatureResult) -> [AuthResultsProperty] {
        let domain = result.domain ?? ""
        return [
            AuthResultsProperty(type: "header", name: "d", value: domain),
            AuthResultsProperty(type: "header", name: "i", value: result.identity ?? "@" + domain),
            AuthResultsProperty(type: "header", name: "b", value: result.headerB),
        ]
    }

    /// The key record was looked up but not loaded: not found, a DNS
    /// error, or a record Mail::DKIM refuses (revoked, bad version, bad key
    /// type). Signatures refused before any lookup (expired, rsa-sha1 ...)
    /// keep their `a=` (see docs/dkim.md: Perl fetches their key anyway).
    static func keyWasSoughtButNotLoaded(_ result: DKIMSignatureResult) -> Bool {
        result.keyType == nil && result.reason?.hasPrefix("public key:") == true
    }

    /// `<method>=<result> (no signatures found)`.
    static func noSignatures(method: String = "dkim", result: String) -> AuthResultsEntry {
        AuthResultsEntry(method: method, result: result, comment: AuthResultsComment("no signatures found"))
    }
}
