import Config
import MailAuth
import Metrics

/// AlignedFrom: is the envelope sender (MAIL FROM) in line with the From
/// header? One entry per message, at its end, in the words of Perl's
/// `AlignedFrom.pm` (`eom_callback`):
///
///     x-aligned-from=error (Multiple addresses in header)
///     x-aligned-from=error (Multiple addresses in envelope)
///     x-aligned-from=null (No domains found)
///     x-aligned-from=null_smtp (No envelope domain)
///     x-aligned-from=null_header (No header domain)
///     x-aligned-from=pass (Address match)
///     x-aligned-from=domain_pass (Domain match)
///     x-aligned-from=orgdomain_pass (Domain org match)
///     x-aligned-from=fail
///
/// checked in that order. The header side counts the distinct domains of
/// each From field, added up over the fields (two From fields are an
/// error even when they name one address); the last address read is the
/// one compared. The envelope side counts the addresses of MAIL FROM.
/// Addresses and domains are compared lowercased. `orgdomain_pass` needs
/// the DMARC handler: the two Organizational Domains are DMARC's (the RFC
/// 9989 tree walk or the public suffix list, as its `discovery` says);
/// without DMARC a domain mismatch is `fail`.
///
/// From fields are read by the strict parser (the newest Perl release's
/// Email::Address::XS, docs/addresses.md): a field that does not parse
/// names no address. MAIL FROM is read as ReturnOK reads it.
public final class AlignedFromHandler: PeerAwareHandler {
    public static let name = "AlignedFrom"
    public static let defaultConfigJSON = HandlerHelp.json([:])
    public static let helpText = HandlerHelp.text(module: name, "Check that Mail From and Header From addresses are in alignment.")

    /// The DMARC handler when it is loaded (Perl: `is_handler_loaded('DMARC')`).
    public private(set) weak var dmarc: DMARCHandler?

    /// At most this many mailboxes of one From field are read: beyond two
    /// domains the result is an error whatever follows.
    static let maximumMailboxes = 1_000

    public init(config: ConfigNode) throws(ConfigurationError) {}

    public func attach(peers: HandlerPeers) {
        dmarc = peers.first(DMARCHandler.self)
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        let state = session.newMessageState(of: self, AlignedFromMessageState.self)
        // Two addresses already make the envelope an error.
        let found = EmailAddressParser.addresses(in: address == "<>" ? "" : address, limit: 2)
        state.envelopeAddressCount = found.count
        if let last = found.last {
            state.envelopeAddress = last.lowercased()
            state.envelopeDomain = EmailAddressParser.domain(of: last).lowercased()
        }
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        guard session.lowercasedHeaderName(name) == "from" else { return }
        let state = session.messageState(of: self, AlignedFromMessageState.self)
        guard case .success(let list) = MailboxListParser.parse(value, keepingAtMost: Self.maximumMailboxes) else { return }
        var domains: Set<String> = []
        for mailbox in list.mailboxes {
            state.headerAddress = mailbox.addrSpec.lowercased()
            state.headerDomain = mailbox.domain.lowercased()
            domains.insert(state.headerDomain)
        }
        state.fromDomainCount += domains.count
    }

    public func endOfMessage(_ session: MailSession) throws {
        let state = session.messageState(of: self, AlignedFromMessageState.self)
        let (result, comment) = outcome(state, resolver: session.resolver)
        session.log(.debug, key: "AlignedFrom", result)
        session.count(.alignedFrom, [result])
        session.addAuthResult(AuthResultsEntry(method: "x-aligned-from", result: result, comment: comment.map(AuthResultsComment.init)))
    }

    /// The result word and its comment (none for `fail`).
    func outcome(_ state: AlignedFromMessageState, resolver: any DNSResolver) -> (String, String?) {
        if state.fromDomainCount > 1 { return ("error", "Multiple addresses in header") }
        if state.envelopeAddressCount > 1 { return ("error", "Multiple addresses in envelope") }
        switch (state.envelopeDomain.isEmpty, state.headerDomain.isEmpty) {
        case (true, true): return ("null", "No domains found")
        case (true, false): return ("null_smtp", "No envelope domain")
        case (false, true): return ("null_header", "No header domain")
        case (false, false): break
        }
        if state.envelopeAddress == state.headerAddress { return ("pass", "Address match") }
        if state.envelopeDomain == state.headerDomain { return ("domain_pass", "Domain match") }
        if let dmarc,
           dmarc.organizationalDomain(of: state.envelopeDomain, resolver: resolver)
            == dmarc.organizationalDomain(of: state.headerDomain, resolver: resolver) {
            return ("orgdomain_pass", "Domain org match")
        }
        return ("fail", nil)
    }
}

/// What the AlignedFrom handler knows of the message in flight (see
/// `HandlerState`).
final class AlignedFromMessageState: HandlerState {
    var envelopeAddressCount = 0
    var envelopeAddress = ""
    var envelopeDomain = ""
    /// Distinct domains per From field, added up over the fields.
    var fromDomainCount = 0
    var headerAddress = ""
    var headerDomain = ""
    init() {}
}
