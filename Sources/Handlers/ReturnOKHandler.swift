import Config
import MailAuth

/// ReturnOK: checks that the envelope sender's and the From header's
/// domains can receive mail (MX, else A/AAAA), writing one `x-return-mx`
/// entry per distinct domain and type (`ReturnOKEntry`): pass (MX found),
/// warn (only A/AAAA, or only the Organizational Domain can receive), fail.
/// The null sender and addresses without a domain get no entry. With the
/// DMARC handler loaded, each entry names the Organizational Domain
/// (`policy.org_domain`, `policy.is_org`), found as DMARC finds it.
public final class ReturnOKHandler: PeerAwareHandler {
    public static let name = "ReturnOK"
    public static let defaultConfigJSON = "{}"
    public static let helpText = """
        ReturnOK Module

        Check that return addresses have valid MX records.

        CONFIGURATION
        No configuration options exist for this handler.
        """

    /// The DMARC handler when it is loaded: Perl's ReturnOK asks it for the
    /// Organizational Domain (`is_handler_loaded('DMARC')`).
    public private(set) weak var dmarc: DMARCHandler?

    public init(config: ConfigNode) throws(ConfigurationError) {}

    /// At most this many domains are checked per message (each costs up to
    /// six lookups, more with the tree walk); a From field naming hundreds
    /// of domains is an attack, not mail. Perl has no such bound.
    static let maximumChecks = 50

    public func attach(peers: HandlerPeers) {
        dmarc = peers.first(DMARCHandler.self)
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        // The message starts here: nothing of an earlier MAIL FROM counts.
        session.newMessageState(of: self, ReturnOKMessageState.self)
        let text = address == "<>" ? "" : address
        for found in EmailAddressParser.addresses(in: text) {
            check(session, domain: EmailAddressParser.domain(of: found), type: "smtp")
        }
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        guard name == "From" else { return }
        // The strict parser (the newest Perl release's Email::Address::XS):
        // a From that does not parse names no domain, none is guessed.
        let domains = (try? MailboxListParser.parse(value).get())?.mailboxes.map(\.domain) ?? []
        for domain in domains {
            check(session, domain: domain, type: "header")
        }
    }

    func check(_ session: MailSession, domain rawDomain: String, type: String) {
        let domain = rawDomain.lowercased()
        // The newest Perl release (strict address parsing since v4) finds
        // no address in the null sender or in an address without a domain,
        // and then writes no entry at all.
        guard !domain.isEmpty else { return }
        let state = session.messageState(of: self, ReturnOKMessageState.self)
        guard state.checked.count < Self.maximumChecks, state.checked.insert("\(domain):\(type)").inserted else { return }
        session.addAuthResult(ReturnOKEntry.build(domain: domain, type: type,
                                                  organizationalDomain: dmarc.map { $0.organizationalDomain(of: domain, resolver: session.resolver) },
                                                  resolver: session.resolver))
    }
}

/// What the ReturnOK handler knows of the message in flight (see
/// `HandlerState`): the domains and types already checked.
final class ReturnOKMessageState: HandlerState {
    var checked: Set<String> = []
    init() {}
}
