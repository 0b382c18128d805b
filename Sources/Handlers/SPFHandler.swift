import Config
import MailAuth
import Metrics

/// SPF: checks the envelope sender (or, for a null sender, the HELO name)
/// against the client address with RFC 7208, as the Perl handler does with
/// Mail::SPF:
///
/// - at MAIL FROM (skipped for local, trusted and authenticated clients):
///   evaluates, prepends `Received-SPF` (Mail::SPF's text, wrapped like the
///   Perl handler's `wrap_header`), and keeps the `spf=` entry;
/// - while headers arrive, with `spfu_detection`: collects trace headers;
/// - at end of headers: the SPF-upgrade check, then adds the entry
///   `spf=<result> smtp.mailfrom=<address> smtp.helo=<helo>`.
///
/// With `helo_check` (Perl 4.20260319) and a MAIL FROM check, the HELO
/// name gets its own check (scope helo) and the handler writes two entries,
/// `spf=<r> smtp.mailfrom=<address>` and `spf=<r> smtp.helo=<helo>`,
/// instead of one carrying both; DMARC still reads the MAIL FROM result.
///
/// `hide_none` drops both the entry and the header for "none";
/// `hide_received-spf_header` drops the header. `best_guess` retries a
/// "none" at the organisational domain and needs the DMARC handler's
/// public suffix list, given through `organizationalDomain`; without it
/// (as in Perl without DMARC loaded) it does nothing.
public final class SPFHandler: Handler {
    public static let name = "SPF"
    public static let defaultConfigJSON = """
        {
           "best_guess" : 0,
           "helo_check" : 0,
           "hide_none" : 0,
           "hide_received-spf_header" : 0,
           "spfu_detection" : 0
        }
        """
    public static let helpText = """
        SPF Module

        Implements the SPF standard checks.

        CONFIGURATION
                "SPF" : {                                       | Config for the SPF Module
                    "hide_received-spf_header" : 0,             | Do not add the "Received-SPF" header
                    "hide_none"                : 0,             | Hide auth line if the result is 'none'
                                                                | if not hidden at all
                    "best_guess"               : 0,             | Fallback to Org domain for SPF checks
                                                                | if result is none.
                    "spfu_detection"           : 0,             | Add some mitigation for SPF upgrade attacks
                                                                | 0 = off (default)
                                                                | 1 = mitigate
                                                                | 2 = report only (any value other than 1)
                    "helo_check"               : 0              | Also check the HELO name on its own and
                                                                | write it as a separate spf= entry
                },
        """

    public let hideReceivedSPFHeader: Bool
    public let hideNone: Bool
    public let bestGuess: Bool
    /// `helo_check`: a second check of the HELO name (scope helo) when the
    /// main check used the MAIL FROM address.
    public let heloCheck: Bool
    /// 0 off, 1 mitigate (the pass becomes a fail), anything else report.
    public let spfuDetection: Int
    /// RFC 7208 limits and texts used for every check.
    public var options = SPFOptions()
    /// The organisational domain of a name (DMARC's public suffix logic),
    /// for `best_guess` and SPF-upgrade comparisons. nil until a DMARC
    /// handler provides it: best guess is then off and domains are compared
    /// whole, as the Perl handler does without DMARC.
    public var organizationalDomain: ((String) -> String)?
    /// Records parsed for earlier messages of this worker.
    public let recordCache = SPFRecordCache()

    // Message state, read by DMARC (Perl's dmarc_domain/_scope/_result).
    private func state(_ session: MailSession) -> SPFMessageState? {
        session.existingMessageState(of: self, SPFMessageState.self)
    }
    public func dmarcDomain(in session: MailSession) -> String? { state(session)?.dmarcDomain }
    public func dmarcScope(in session: MailSession) -> String? { state(session)?.dmarcScope }
    public func dmarcResult(in session: MailSession) -> String? { state(session)?.dmarcResult }
    /// Every evaluation of this message (two with a best-guess retry).
    public func results(in session: MailSession) -> [SPFResult] { state(session)?.results ?? [] }
    public func spfuDetected(in session: MailSession) -> Bool { state(session)?.spfuDetected ?? false }

    public init(config: ConfigNode) throws(ConfigurationError) {
        hideReceivedSPFHeader = try config.bool("hide_received-spf_header") ?? false
        hideNone = try config.bool("hide_none") ?? false
        bestGuess = try config.bool("best_guess") ?? false
        heloCheck = try SPFHandler.mode(config, "helo_check") != 0
        spfuDetection = try SPFHandler.mode(config, "spfu_detection")
    }

    /// A mode key: a number, or a boolean (true is 1, as Perl's JSON true).
    static func mode(_ config: ConfigNode, _ key: String) throws(ConfigurationError) -> Int {
        if case .bool(let flag)? = config.child(key)?.value { return flag ? 1 : 0 }
        return try config.integer(key) ?? 0
    }

    // MARK: Callbacks

    public func helo(_ session: MailSession, host: String) throws {
        session.connectionState(of: self, SPFConnectionState.self).heloName = host
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        guard !session.isLocalIP, !session.isTrustedIP, !session.isAuthenticated else { return }
        // The message starts here: nothing of an earlier MAIL FROM counts.
        let state = session.newMessageState(of: self, SPFMessageState.self)
        if spfuDetection != 0 {
            state.spfuFromDomain = ""
            state.spfuChain = []
        }
        let envelope = address == "<>" ? "" : address
        let heloName = session.connectionState(of: self, SPFConnectionState.self).heloName
        let helo = heloName ?? (session.heloHost.isEmpty ? nil : session.heloHost)

        var scope = SPFRequest.Scope.mfrom
        var identity = ""
        var domain = ""
        // Parsed once: the identity and the entry's smtp.mailfrom.
        let mailFrom = SPFHandler.address(from: envelope)
        if !envelope.isEmpty {
            identity = mailFrom
            domain = SPFHandler.domain(from: identity)
        }
        if identity.isEmpty {
            identity = helo ?? ""
            domain = identity
            scope = .helo
        }
        guard !identity.isEmpty, let ip = IPAddress(clientAddress: session.remoteIP) else {
            // Mail::SPF refuses a request without an identity or address;
            // the Perl handler turns that into a bare temperror.
            state.entry = AuthResultsEntry(method: "spf", result: SPFResultCode.temperror.rawValue)
            return
        }

        let evaluator = SPFEvaluator(resolver: session.resolver, options: options, recordCache: recordCache)
        var result = evaluator.evaluate(SPFRequest(scope: scope, identity: identity, ip: ip, helo: helo))
        state.results.append(result)
        var authorityDomain: String? = nil
        if result.code == .none, bestGuess, let organizationalDomain, !domain.isEmpty {
            let organization = organizationalDomain(domain)
            if organization != domain {
                authorityDomain = organization
                result = evaluator.evaluate(SPFRequest(scope: scope, identity: identity, ip: ip, helo: helo,
                                                       authorityDomain: organization))
                state.results.append(result)
            }
        }

        let code = result.code.rawValue
        var parts: [AuthResultsEntry.Part] = []
        if let authorityDomain {
            parts.append(.property(AuthResultsProperty(type: "policy", name: "authdomain", value: authorityDomain)))
        }
        parts.append(.property(AuthResultsProperty(type: "smtp", name: "mailfrom", value: mailFrom)))
        // With helo_check the HELO name has an entry of its own.
        let separateHelo = heloCheck && scope == .mfrom
        if !separateHelo {
            parts.append(.property(AuthResultsProperty(type: "smtp", name: "helo", value: helo ?? "")))
        }
        let hidden = hideNone && result.code == .none
        if !hidden {
            state.entry = AuthResultsEntry(method: "spf", result: code, parts: parts)
        }
        state.dmarcDomain = domain
        state.dmarcScope = scope.rawValue
        state.dmarcResult = code

        if !hideReceivedSPFHeader && !hidden {
            let receiver = [session.macro("j"), session.macro("rcpt_host")].compactMap { $0 }.first { !$0.isEmpty }
                ?? session.systemHostname
            session.prependHeader(name: SPFResult.receivedSPFFieldName,
                                  value: SPFHandler.wrapped(result.receivedSPFValue(receiver: receiver)))
        }
        if separateHelo, let helo, !helo.isEmpty {
            let heloResult = evaluator.evaluate(SPFRequest(scope: .helo, identity: helo, ip: ip, helo: helo))
            state.results.append(heloResult)
            if !(hideNone && heloResult.code == .none) {
                state.heloEntry = AuthResultsEntry(method: "spf", result: heloResult.code.rawValue, parts: [
                    .property(AuthResultsProperty(type: "smtp", name: "helo", value: helo)),
                ])
            }
        }
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        guard let state = state(session), state.spfuChain != nil, state.dmarcResult == "pass" else { return }
        if session.lowercasedHeaderName(name) == "from" {
            var from = SPFHandler.address(from: value).lowercased()
            if from.contains("@") { from = SPFHandler.domain(from: from) }
            state.spfuFromDomain = from
            return
        }
        if SPFUpgradeScanner.isTraceHeader(name) {
            state.spfuChain?.append((name, value))
        }
    }

    public func endOfHeaders(_ session: MailSession) throws {
        guard let state = state(session) else { return }
        if var entry = state.entry {
            spfuCheck(&entry, state)
            state.entry = entry
            session.count(.spf, [entry.result])
            session.addAuthResult(entry)
        }
        if let heloEntry = state.heloEntry {
            session.count(.spf, [heloEntry.result])
            session.addAuthResult(heloEntry)
        }
    }

    // MARK: SPF upgrade

    /// A pass whose envelope domain matches the From domain, while an
    /// earlier hop recorded an SPF fail for that domain, is suspicious:
    /// mode 1 turns it into a fail, other modes add a warning comment.
    private func spfuCheck(_ entry: inout AuthResultsEntry, _ state: SPFMessageState) {
        guard let chain = state.spfuChain, let from = state.spfuFromDomain, state.dmarcResult == "pass" else { return }
        let organization = organizationalDomain ?? { $0 }
        let fromDomain = organization(from)
        guard organization(state.dmarcDomain ?? "").lowercased() == fromDomain else { return }
        for header in chain.reversed() where !state.spfuDetected {
            for failed in SPFUpgradeScanner.failedDomains(headerName: header.name, value: header.value)
            where organization(failed).lowercased() == fromDomain {
                state.spfuDetected = true
            }
        }
        guard state.spfuDetected else { return }
        if spfuDetection == 1 {
            state.dmarcResult = "fail"
            entry.result = "fail"
            entry.append(AuthResultsComment("spf pass downgraded due to suspicious path"))
        } else {
            entry.append(AuthResultsComment("warning: aligned spf fail in history"))
        }
    }

    // MARK: Perl helpers

    /// The address of an envelope or header argument as the newest Perl
    /// release's get_address_from (Email::Address::XS) gives it: the one
    /// mailbox's `local@domain`, its local part unquoted unless it needs
    /// quotes (`<"alice"@x>` is `alice@x`, `<"a b"@x>` stays `"a b"@x`,
    /// UTF-8 kept). Text the strict parser refuses keeps the older lenient
    /// reading (the first address, or the text itself), so a malformed
    /// MAIL FROM is still checked as before.
    static func address(from text: String) -> String {
        if let mailbox = MailboxListParser.singleMailbox(text) { return mailbox.addrSpec }
        return EmailAddressParser.addresses(in: text).first ?? text
    }

    /// The lowercased part after the last "@", without spaces, or
    /// `localhost.localdomain` (Perl's get_domain_from).
    static func domain(from address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "localhost.localdomain" }
        return address[address.index(after: at)...].filter { $0 != " " && $0 != "\t" }.lowercased()
    }

    /// The Perl handler's `wrap_header`: a line break before the comment,
    /// after it, and after every "; ".
    static func wrapped(_ value: String) -> String {
        // One pass over the bytes, the three substitutions in their order:
        // the first space; then the first `) ` left; then every `; `. A
        // space serves one of them at most, and a break inserted never
        // makes a new match (issue 12: three copies of the field were 1%).
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 64)
        var firstSpaceDone = false
        var parenSpaceDone = false
        var previous: UInt8 = 0
        for byte in value.utf8 {
            if byte == UInt8(ascii: " ") {
                if !firstSpaceDone {
                    firstSpaceDone = true
                    out += Self.lineBreak
                } else if previous == UInt8(ascii: ")") && !parenSpaceDone {
                    parenSpaceDone = true
                    out += Self.lineBreak
                } else if previous == UInt8(ascii: ";") {
                    out += Self.lineBreak
                } else {
                    out.append(byte)
                }
            } else {
                out.append(byte)
            }
            previous = byte
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let lineBreak = Array("\n    ".utf8)
}

/// What the SPF handler knows of the message in flight (see `HandlerState`).
final class SPFMessageState: HandlerState {
    var dmarcDomain: String?
    var dmarcScope: String?
    var dmarcResult: String?
    var results: [SPFResult] = []
    var spfuDetected = false
    var entry: AuthResultsEntry?
    /// The `helo_check` entry, added after the main one.
    var heloEntry: AuthResultsEntry?
    var spfuChain: [(name: String, value: String)]?
    var spfuFromDomain: String?
    init() {}
}

/// What the SPF handler knows of the connection: the HELO name.
final class SPFConnectionState: HandlerState {
    var heloName: String?
    init() {}
}
