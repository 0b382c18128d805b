import MailAuth

/// Which `rua` destinations of a DMARC record may receive aggregate
/// reports (RFC 7489 section 7.1, "Verifying External Destinations"):
///
///     let decisions = ReportDestinationVerifier.decide(
///         policyDomain: "example.com", uris: record.aggregateReportURIs,
///         resolver: resolver, organizationalDomain: { psl.organizationalDomain(of: $0) })
///
/// One decision per URI, in the order given:
///
/// - only `mailto:` is sent; any other scheme is refused (this sender
///   speaks SMTP only);
/// - the address is the URI's addr-spec, percent-decoded (RFC 6068), with
///   any `?query` (header fields) and `#fragment` dropped; addresses the
///   SMTP client cannot use safely (spaces, non-ASCII, address literals)
///   are refused;
/// - a destination in the policy domain's own Organizational Domain is
///   sent to without asking DNS;
/// - an external destination is sent to only when
///   `<policy-domain>._report._dmarc.<destination-host>` holds at least one
///   TXT record that starts with `v=DMARC1` (the same test as for a policy
///   record, `DMARCRecord.isDMARCRecord`); NXDOMAIN, no such record and a
///   temporary failure ("temperror") each refuse, with a reason saying which.
///
/// Override (section 7.1 step 8): when the first authorising record that
/// has a `rua` tag names a `mailto:` URI on the same destination host, the
/// report goes to that address instead. The RFC requires the overriding
/// URI to "use the same destination host" (to prevent loops and indirect
/// abuse), so an override on any other host, even within the same
/// Organizational Domain, is ignored and the original address is kept.
/// The size limit is the smaller of the two URIs' limits when both give
/// one, else whichever is given.
///
/// All verification records are asked for in one `lookup([...])` call, one
/// question per distinct name.
public enum ReportDestinationVerifier {
    /// What to do with one `rua` URI.
    public enum Decision: Sendable, Hashable, CustomStringConvertible {
        /// Send the report to this address; `maximumBytes` is the URI's
        /// size limit (`!10m`), nil without one.
        case send(address: String, maximumBytes: UInt64?)
        /// Do not send; the reason is for logs.
        case refuse(reason: String)
        /// Do not send now: the verification lookup failed temporarily.
        case retryLater(reason: String)

        public var description: String {
            switch self {
            case .send(let address, let limit):
                return limit.map { "send to \(address) (at most \($0) bytes)" } ?? "send to \(address)"
            case .refuse(let reason):
                return "refuse: \(reason)"
            case .retryLater(let reason):
                return "retry later: \(reason)"
            }
        }
    }

    /// Decides every URI of a record found at `policyDomain` (the domain
    /// the DMARC record was retrieved from, which section 7.1 step 3 puts
    /// in front of the verification name). `organizationalDomain` maps a
    /// domain to its Organizational Domain (the public suffix list).
    public static func decide(
        policyDomain: String,
        uris: [DMARCReportURI],
        resolver: some DNSResolver,
        organizationalDomain: (String) -> String
    ) -> [Decision] {
        guard let policy = PublicSuffixDomain.normalized(policyDomain), !policy.contains("..") else {
            return uris.map { _ in .refuse(reason: "the policy domain \"\(policyDomain.prefix(80))\" is not a domain name") }
        }
        let policyOrganization = DNSName.normalized(organizationalDomain(policy))

        // First pass: everything decidable without DNS; the rest waits for
        // its verification record.
        var decisions: [Decision?] = []
        var pending: [(index: Int, mailbox: Mailbox, limit: UInt64?, name: String)] = []
        for (index, uri) in uris.enumerated() {
            let mailbox: Mailbox
            switch mailboxOf(uri) {
            case .failure(let refusal):
                decisions.append(.refuse(reason: refusal.reason))
                continue
            case .success(let parsed):
                mailbox = parsed
            }
            if DNSName.normalized(organizationalDomain(mailbox.domain)) == policyOrganization {
                decisions.append(.send(address: mailbox.address, maximumBytes: uri.maximumBytes))
                continue
            }
            let name = "\(policy)._report._dmarc.\(mailbox.domain)"
            guard name.utf8.count <= PublicSuffixDomain.maximumLength else {
                decisions.append(.refuse(reason: "\(mailbox.address) is outside \(policyOrganization) and its verification name is longer than a domain name can be, so it cannot be authorised"))
                continue
            }
            decisions.append(nil)
            pending.append((index, mailbox, uri.maximumBytes, name))
        }
        guard !pending.isEmpty else { return decisions.map { $0 ?? .refuse(reason: "internal error") } }

        // One question per distinct name, all in one batch.
        var names: [String] = []
        for entry in pending where !names.contains(entry.name) { names.append(entry.name) }
        let outcomes = resolver.lookup(names.map { DNSQuestion(name: $0, type: .txt) })
        var outcomeByName: [String: DNSOutcome] = [:]
        for (offset, name) in names.enumerated() {
            outcomeByName[name] = offset < outcomes.count ? outcomes[offset] : .error("resolver returned no outcome")
        }

        for entry in pending {
            let outcome = outcomeByName[entry.name] ?? .error("resolver returned no outcome")
            decisions[entry.index] = verdict(for: entry.mailbox, limit: entry.limit, name: entry.name,
                                             policy: policy, outcome: outcome)
        }
        return decisions.map { $0 ?? .refuse(reason: "internal error") }
    }

    /// Section 7.1 steps 4 to 8 for one external destination.
    private static func verdict(for mailbox: Mailbox, limit: UInt64?, name: String, policy: String,
                                outcome: DNSOutcome) -> Decision {
        let external = "\(mailbox.address) is outside the Organizational Domain of \(policy)"
        switch outcome {
        case .nxdomain:
            return .refuse(reason: "\(external) and \(name) does not exist (NXDOMAIN): the destination has not authorised reports for \(policy)")
        case .nodata:
            return .refuse(reason: "\(external) and \(name) has no TXT record: the destination has not authorised reports for \(policy)")
        case .servfail, .timeout, .error:
            return .retryLater(reason: "\(external) and looking up \(name) failed temporarily (temperror: \(outcome)); try again later")
        case .answer(let records, _):
            let authorising = records.compactMap { record -> DMARCRecord? in
                guard let bytes = record.joinedText else { return nil }
                return DMARCRecord(String(decoding: bytes, as: UTF8.self))
            }
            guard !authorising.isEmpty else {
                return .refuse(reason: "\(external) and no TXT record at \(name) starts with v=DMARC1: the destination has not authorised reports for \(policy)")
            }
            if let override = overrideMailbox(in: authorising, host: mailbox.domain) {
                return .send(address: override.mailbox.address, maximumBytes: smaller(limit, override.limit))
            }
            return .send(address: mailbox.address, maximumBytes: limit)
        }
    }

    /// The first `mailto:` URI on `host` in the `rua` of the first
    /// authorising record that has one (section 7.1 step 8).
    private static func overrideMailbox(in records: [DMARCRecord], host: String) -> (mailbox: Mailbox, limit: UInt64?)? {
        guard let record = records.first(where: { $0.aggregateReportText != nil }) else { return nil }
        for uri in record.aggregateReportURIs {
            if case .success(let mailbox) = mailboxOf(uri), mailbox.domain == host {
                return (mailbox, uri.maximumBytes)
            }
        }
        return nil
    }

    private static func smaller(_ a: UInt64?, _ b: UInt64?) -> UInt64? {
        switch (a, b) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b): return b
        }
    }

    // MARK: mailto

    /// A usable address from a `mailto:` URI: `domain` is the address's
    /// domain lowercased, `address` is `local@domain`.
    struct Mailbox: Hashable {
        var address: String
        var domain: String
    }

    /// The address of a `mailto:` URI (RFC 6068 section 2): the part
    /// before `?` (header fields) or `#`, percent-decoded, which must be
    /// one addr-spec whose local part is a dot-atom or a quoted string of
    /// printable ASCII and whose domain is a host name (an address literal
    /// has no Organizational Domain and is refused).
    static func mailboxOf(_ uri: DMARCReportURI) -> Result<Mailbox, ReportError> {
        let text = uri.uri
        guard uri.scheme == "mailto" else {
            return .failure(ReportError(.destinationRefused, "\(text.prefix(200)): only mailto: URIs are sent (scheme \(uri.scheme.prefix(32)) is not supported)"))
        }
        guard let colon = text.firstIndex(of: ":") else {
            return .failure(ReportError(.destinationRefused, "\(text.prefix(200)): not a URI"))
        }
        let to = text[text.index(after: colon)...].prefix { $0 != "?" && $0 != "#" }
        guard !to.isEmpty else {
            return .failure(ReportError(.destinationRefused, "\(text.prefix(200)): the mailto: URI names no address"))
        }
        guard let decoded = percentDecoded(Array(to.utf8)) else {
            return .failure(ReportError(.destinationRefused, "\(text.prefix(200)): malformed percent-encoding"))
        }
        guard let at = decoded.lastIndex(of: UInt8(ascii: "@")) else {
            return .failure(ReportError(.destinationRefused, "\(text.prefix(200)): the address has no @domain"))
        }
        let local = decoded[..<at]
        let domainBytes = decoded[decoded.index(after: at)...]
        guard isLocalPart(local) else {
            return .failure(ReportError(.destinationRefused, "\(text.prefix(200)): the local part of the address is not one the SMTP client can send to (RFC 5321 dot-atom or quoted string of printable ASCII)"))
        }
        guard let domain = hostName(domainBytes) else {
            return .failure(ReportError(.destinationRefused, "\(text.prefix(200)): the domain of the address is not a host name"))
        }
        return .success(Mailbox(address: String(decoding: local, as: UTF8.self) + "@" + domain, domain: domain))
    }

    /// RFC 3986 percent-decoding; nil on a `%` not followed by two hex digits.
    static func percentDecoded(_ bytes: [UInt8]) -> [UInt8]? {
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    /// RFC 5322 atext: what a dot-atom's atoms are made of.
    private static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-/=?^_`{|}~".utf8).contains(byte)
        }
    }

    /// A dot-atom, or a quoted string of printable ASCII (no spaces: the
    /// address goes into `RCPT TO:<...>` as is, and a space there is
    /// something servers disagree on).
    private static func isLocalPart(_ local: ArraySlice<UInt8>) -> Bool {
        guard !local.isEmpty, local.count <= 64 else { return false }
        if local.first == UInt8(ascii: "\"") {
            guard local.count >= 2, local.last == UInt8(ascii: "\"") else { return false }
            var escaped = false
            for byte in local.dropFirst().dropLast() {
                guard byte > 0x20 && byte < 0x7f else { return false }
                if escaped { escaped = false; continue }
                if byte == UInt8(ascii: "\\") { escaped = true; continue }
                if byte == UInt8(ascii: "\"") { return false }
            }
            return !escaped
        }
        let atoms = local.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return atoms.allSatisfy { !$0.isEmpty && $0.allSatisfy(isAtext) }
    }

    /// The domain lowercased, when it is letters, digits and hyphens in
    /// dot-separated labels of 1 to 63 bytes (A-labels included), at most
    /// 253 bytes, with at least two labels.
    private static func hostName(_ bytes: ArraySlice<UInt8>) -> String? {
        guard !bytes.isEmpty, bytes.count <= PublicSuffixDomain.maximumLength else { return nil }
        let labels = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return nil }
        for label in labels {
            guard !label.isEmpty, label.count <= 63,
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return nil }
            for byte in label {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                    continue
                default:
                    return nil
                }
            }
        }
        return DNSName.normalized(String(decoding: bytes, as: UTF8.self))
    }
}
