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
        var comment: [String] = []
        if result.perlResult != "pass", let reason = result.reason, !reason.isEmpty {
            comment.append(reason)
        }
        var algorithm = result.algorithm ?? ""
        if let bits = result.keyBits, let type = result.keyType {
            comment.append("\(bits)-bit \(type) key" + (result.hashAlgorithm.map { " " + $0 } ?? ""))
        } else if Self.keyWasSoughtButNotLoaded(result), let hash = result.hashAlgorithm {
            comment.append("unknown key \(hash)")
            algorithm = "unknown-\(hash)"
        }
        let domain = result.domain ?? ""
        var properties = [
            AuthResultsProperty(type: "header", name: "d", value: domain),
            AuthResultsProperty(type: "header", name: "i", value: result.identity ?? "@" + domain),
            AuthResultsProperty(type: "header", name: "b", value: result.headerB),
            AuthResultsProperty(type: "header", name: "a", value: algorithm),
            AuthResultsProperty(type: "header", name: "s", value: result.selector ?? ""),
        ]
        if extraProperties {
            properties.append(AuthResultsProperty(key: "x-bits", value: String(result.keyBits ?? 0)))
        }
        return AuthResultsEntry(method: "dkim", result: result.perlResult,
                                comment: comment.isEmpty ? nil : AuthResultsComment(comment.joined(separator: ", ")),
                                properties: properties)
    }

    /// The key record was looked up but not loaded: not found, a DNS
    /// error, or a record Mail::DKIM refuses (revoked, bad version, bad key
    /// type). Signatures refused before any lookup (expired, rsa-sha1 ...)
    /// keep their `a=` (see docs/dkim.md: Perl fetches their key anyway).
    static func keyWasSoughtButNotLoaded(_ result: DKIMSignatureResult) -> Bool {
        result.keyType == nil && result.reason?.hasPrefix("public key:") == true
    }

    /// `dkim=<result> (no signatures found)`.
    static func noSignatures(result: String) -> AuthResultsEntry {
        AuthResultsEntry(method: "dkim", result: result, comment: AuthResultsComment("no signatures found"))
    }
}
