/// What is checked: an identity (the MAIL FROM address or the HELO name),
/// the client's address and the HELO name (RFC 7208 section 2). Derives
/// `<sender>`, its local part and its domain the way `check_host()` needs
/// them (section 4.3).
public struct SPFRequest: Hashable, Sendable {
    public enum Scope: String, Hashable, Sendable {
        /// The MAIL FROM identity (section 2.4).
        case mfrom
        /// The HELO identity (section 2.3).
        case helo
        /// Sender ID's Purported Responsible Address (RFC 4406, RFC 4407):
        /// checked against `spf2.0/pra` records (see SenderIDRecordSelection).
        case pra

        /// The `identity=` value of `Received-SPF` (section 9.1).
        public var receivedSPFName: String {
            switch self {
            case .mfrom: return "mailfrom"
            case .helo: return "helo"
            case .pra: return "pra"
            }
        }

        /// The key `Received-SPF` gives the identity under, as Mail::SPF.
        public var receivedSPFIdentityKey: String {
            switch self {
            case .mfrom: return "envelope-from"
            case .helo: return "helo"
            case .pra: return "pra"
            }
        }
    }

    public var scope: Scope
    /// As given: an address for `mfrom` and `pra`, a host name for `helo`.
    public var identity: String
    /// The client address as given; evaluation unmaps IPv4-mapped IPv6.
    public var ip: IPAddress
    /// The HELO/EHLO name, for `%{h}` and `Received-SPF`; nil when unknown.
    public var helo: String?
    /// Where evaluation starts instead of the identity's domain (Mail::SPF's
    /// `authority_domain`, used by the handler's best-guess retry).
    public var authorityDomain: String?

    /// The identity's local part, `postmaster` when there is none (a HELO
    /// identity, `@example.com`, or a bare domain).
    public let localPart: String
    /// The identity's domain: after the last "@", lowercased, one trailing
    /// dot dropped.
    public let domain: String

    public init(scope: Scope, identity: String, ip: IPAddress, helo: String? = nil, authorityDomain: String? = nil) {
        self.scope = scope
        self.identity = identity
        self.ip = ip
        self.helo = scope == .helo ? (helo ?? identity) : helo
        self.authorityDomain = authorityDomain
        var local = ""
        var domain = Substring(identity)
        if scope != .helo, let at = identity.lastIndex(of: "@") {
            local = String(identity[..<at])
            domain = identity[identity.index(after: at)...]
        }
        if domain.hasSuffix(".") { domain = domain.dropLast() }
        self.localPart = local.isEmpty ? "postmaster" : local
        // RFC 8616 section 4: U-labels become A-labels before the check
        // (the first lookup and every %{d}/%{o} expansion); a name that is
        // not a valid IDN stays as it is and is refused as malformed.
        let lowered = domain.lowercased()
        self.domain = DomainNameIDNA.hasNonASCII(lowered) ? (DomainNameIDNA.toASCII(lowered) ?? lowered) : lowered
    }

    /// The MAIL FROM check; a null reverse-path checks the HELO identity
    /// instead (section 2.4, and what the Perl handler does).
    public static func mailFrom(_ address: String, ip: IPAddress, helo: String?) -> SPFRequest {
        if address.isEmpty || address == "<>" {
            return SPFRequest(scope: .helo, identity: helo ?? "", ip: ip, helo: helo)
        }
        return SPFRequest(scope: .mfrom, identity: address, ip: ip, helo: helo)
    }

    /// The HELO check.
    public static func helo(_ name: String, ip: IPAddress) -> SPFRequest {
        SPFRequest(scope: .helo, identity: name, ip: ip, helo: name)
    }

    /// `<sender>` (the `s` macro): local part "@" domain.
    public var sender: String { localPart + "@" + domain }

    /// The domain `check_host()` starts at.
    public var startDomain: String { authorityDomain ?? domain }
}
