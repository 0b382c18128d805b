import Config
import MailAuth

/// DKIMSign: signs outgoing mail (not part of the Perl program). A message
/// is signed when
///
/// - the client authenticated (SMTP AUTH, the Auth handler), or, with
///   `only_authenticated` off, is local (LocalIP) or trusted (TrustedIP);
/// - a From address is in one of a `sign` entry's `from_domains` (by
///   default the entry's own `domain`).
///
/// Every matching entry adds one signature (an RSA and an Ed25519 key for
/// the same domain give the two signatures RFC 8463 recommends): relaxed
/// header and body canonicalization, `t=`, the usual header fields with
/// From, Subject, Date, To, Cc, Message-ID and the MIME fields signed once
/// more than present. The `DKIM-Signature` field is prepended at the end
/// of the message. Keys are loaded when the configuration is (see
/// `DKIMSignKey`); a key that cannot be read refuses the configuration.
///
///     "DKIMSign" : {
///        "only_authenticated" : 1,
///        "sign" : [
///           { "domain" : "example.com", "selector" : "rsa2024", "key_file" : "/etc/dkim/rsa2024.pem" },
///           { "domain" : "example.com", "selector" : "ed2024", "key_file" : "/etc/dkim/ed2024.pem" }
///        ]
///     }
public final class DKIMSignHandler: Handler {
    public static let name = "DKIMSign"
    public static let defaultConfigJSON = """
        {
           "only_authenticated" : 1,
           "sign" : []
        }
        """
    public static let helpText = """
        DKIMSign Module

        Adds DKIM signatures (relaxed/relaxed) to mail submitted by authenticated
        (or, optionally, local and trusted) clients whose From domain has a key.

        CONFIGURATION
                "DKIMSign" : {                                  | Config for the DKIMSign Module
                    "only_authenticated" : 1,                   | Sign only for SMTP AUTH clients; 0 also signs for
                                                                | LocalIP and TrustedIP clients
                    "sign" : [                                  | One entry per key; every entry matching a From
                        {                                       | domain adds a signature
                            "domain"       : "example.com",     | d= (required)
                            "selector"     : "s2024",           | s= (required)
                            "key_file"     : "/etc/dkim/s.pem", | PEM private key (RSA >= 1024 bits or Ed25519),
                                                                | or a base64 Ed25519 seed; read at start and on
                                                                | reload, so it must be readable by runas
                            "key"          : "-----BEGIN...",   | or the key itself instead of key_file
                            "algorithm"    : "rsa-sha256",      | rsa-sha256 or ed25519-sha256 (default: from the key)
                            "from_domains" : [ "example.com" ]  | From domains signed with it (default: [ domain ]);
                                                                | "*.example.com" for subdomains, "*" for any
                        }
                    ]
                },
        """

    public let onlyAuthenticated: Bool
    let keys: [DKIMSignKey]
    /// "Now" for `t=`; tests fix it.
    public var clock: DKIMClock = .system

    /// The signing domain and selector of each configured key, in order.
    public var signingKeys: [(domain: String, selector: String)] { keys.map { ($0.domain, $0.selector) } }

    public init(config: ConfigNode) throws(ConfigurationError) {
        onlyAuthenticated = try config.bool("only_authenticated") ?? true
        var keys: [DKIMSignKey] = []
        if let list = config.child("sign"), !list.isNull {
            guard case .array = list.value else { throw list.error("expected an array of sign entries, got \(list.value.typeDescription)") }
            for entry in list.elements { keys.append(try DKIMSignKey(entry)) }
        }
        self.keys = keys
    }

    /// Whether this client's mail is signed at all.
    func signsFor(_ session: MailSession) -> Bool {
        if session.isAuthenticated { return true }
        return !onlyAuthenticated && (session.isLocalIP || session.isTrustedIP)
    }

    // MARK: Callbacks

    public func header(_ session: MailSession, name: String, value: String) throws {
        let state = session.messageState(of: self, DKIMSignMessageState.self)
        if state.collecting == nil { state.collecting = !keys.isEmpty && signsFor(session) }
        guard state.collecting == true else { return }
        state.headers.append(session.currentRawHeader ?? (Array(name.utf8), Array(value.utf8)))
        if session.lowercasedHeaderName(name) == "from" { state.fromValues.append(value) }
    }

    public func endOfHeaders(_ session: MailSession) throws {
        guard let state = session.existingMessageState(of: self, DKIMSignMessageState.self), state.collecting == true else { return }
        defer { state.headers = [] }
        let domains = state.fromValues.flatMap { EmailAddressParser.addresses(in: $0) }.map { EmailAddressParser.domain(of: $0) }
        for key in keys where domains.contains(where: key.matches(fromDomain:)) {
            let signer = try DKIMSigner(key: key.key, options: key.options(clock: clock))
            for header in state.headers { signer.header(name: header.name, value: header.value) }
            signer.endOfHeaders()
            state.signers.append(signer)
        }
    }

    public func body(_ session: MailSession, chunk: ArraySlice<UInt8>) throws {
        guard let state = session.existingMessageState(of: self, DKIMSignMessageState.self) else { return }
        for signer in state.signers { signer.body(chunk) }
    }

    public func endOfMessage(_ session: MailSession) throws {
        guard let state = session.existingMessageState(of: self, DKIMSignMessageState.self) else { return }
        var failure: DKIMSignerError?
        for signer in state.signers {
            do {
                let output = try signer.finish()
                // The milter protocol folds with LF; the MTA writes CRLF.
                session.prependHeader(name: DKIMSignatureOutput.name, value: output.value(lineEnding: "\n"))
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
    }
}

/// What the DKIMSign handler knows of the message in flight (see
/// `HandlerState`).
final class DKIMSignMessageState: HandlerState {
    /// nil until the first header decides whether this message is signed.
    var collecting: Bool?
    var headers: [(name: [UInt8], value: [UInt8])] = []
    var fromValues: [String] = []
    var signers: [DKIMSigner] = []
    init() {}
}
