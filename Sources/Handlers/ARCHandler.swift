import Config
import MailAuth
import Metrics

/// ARC (RFC 8617): validates the Authenticated Received Chain of every
/// message and, when configured, seals the message as it leaves us, as the
/// Perl handler does with Mail::DKIM's ARC verifier and signer:
///
/// - header: each field goes to the verifier (and to the sealer) as the MTA
///   sent it (`session.currentRawHeader`);
/// - end of headers: without any ARC field, `arc=none (no signatures
///   found)` (hidden by `hide_none`) and no verification; otherwise the
///   structure is checked and every key fetched in one DNS batch;
/// - body: streamed to the verifier while it needs it, and to the sealer;
/// - end of message: `arc=<pass|fail> (as.N.d=..., ams.N.d=..., ...)
///   smtp.remote-ip=<ip>` (`ARCResultEntry`), then, for a passing chain,
///   the `x-arc-spf`, `x-arc-dkim` and `x-arc-dmarc` entries copied from
///   the trusted ARC-Authentication-Results (`ARCTrustedResultEntries`);
/// - sealing (`SealingHandler`), once our Authentication-Results is final:
///   ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results with
///   `i=` one more than the chain's, `cv=` the validation's status, and our
///   results in the AAR. A chain whose newest seal already says `cv=fail`
///   is not sealed (RFC 8617 section 5.1 step 2), nor is one at instance 50.
///
/// `verification` stays readable until the message is reset, for DMARC:
/// status, oldest-pass, each instance's ARC-Authentication-Results and seal
/// domain; `trustedAuthenticationResults` applies `trusted_domains`.
public final class ARCHandler: SealingHandler {
    public static let name = "ARC"
    public static let defaultConfigJSON = """
        {
           "arcseal_algorithm" : "rsa-sha256",
           "arcseal_domain" : null,
           "arcseal_headers" : null,
           "arcseal_key" : null,
           "arcseal_keyfile" : null,
           "arcseal_selector" : null,
           "hide_none" : 0,
           "no_strict" : 0,
           "rbl_whitelist" : "",
           "trusted_domains" : []
        }
        """
    public static let helpText = """
        ARC Module

        Validates ARC (Authenticated Received Chain) sets and seals passing mail.

        CONFIGURATION
                "ARC" : {                                       | Config for the ARC Module
                    "hide_none"         : 0,                    | Hide auth line if the result is 'none'
                    "arcseal_domain"    : "example.com",        | Domain to sign ARC Seal with (not sealed if blank)
                    "arcseal_selector"  : null,                 | Selector to use for ARC Seal (not sealed if blank)
                    "arcseal_algorithm" : "rsa-sha256",         | Algorithm to use on ARC Seal (rsa-sha256 or ed25519-sha256)
                    "arcseal_key"       : null,                 | Key (base64 or PEM) string to sign ARC Seal with; or
                    "arcseal_keyfile"   : null,                 | File containing ARC Seal key (read at start and on reload)
                    "arcseal_headers"   : null,                 | Additional headers to cover in ARC-Message-Signature
                                                                | ("x-a:x-b")
                    "trusted_domains"   : [],                   | Trust these domains when traversing ARC chains
                    "rbl_whitelist"     : "",                   | rhs list for looking up trusted signing domains
                    "no_strict"         : 0                     | Ignore rfc 8301 security considerations (not recommended)
                },
        """
    /// Perl's ARC handler runs its end of message after DKIM's.
    public static var dependencies: [any Handler.Type] { [DKIMHandler.self] }

    public let hideNone: Bool
    public let noStrict: Bool
    /// Lowercase sealing domains whose ARC-Authentication-Results may be
    /// trusted on a passing chain.
    public let trustedDomains: [String]
    /// A DNS list of trusted sealing domains: `<domain>.<list>` with an A
    /// record is trusted (Perl's `rbl_check_domain`).
    public let rblWhitelist: String?
    let sealKey: ARCSealKey?
    /// What the verifier enforces; tests may fix the clock.
    public var verifierOptions: ARCVerifierOptions
    /// "Now" for the seal's `t=`; tests fix it.
    public var clock: DKIMClock = .system

    /// The AAR methods copied as `x-arc-*` (set by `attach(peers:)`).
    var trustedResultMethods: Set<String> = []
    /// Why the last message was not sealed although sealing is configured
    /// (the chain had already failed, instance 50, ...); nil when it was.
    /// A diagnostic for the log and the tests, never read by the handler:
    /// it cannot change how the next message is handled.
    public private(set) var lastSealError: ARCSealerError?

    /// Whether messages are sealed.
    public var seals: Bool { sealKey != nil }
    /// The sealing domain and selector, when sealing.
    public var sealingKey: (domain: String, selector: String)? { sealKey.map { ($0.domain, $0.selector) } }

    /// The validation of this message's chain, once the headers ended (a
    /// `none` result) or the message ended. nil before, and after a reset.
    public func verification(in session: MailSession) -> ARCVerifierResult? {
        session.existingMessageState(of: self, ARCMessageState.self)?.verification
    }

    public init(config: ConfigNode) throws(ConfigurationError) {
        hideNone = try config.bool("hide_none") ?? false
        noStrict = try config.bool("no_strict") ?? false
        trustedDomains = (try config.stringArray("trusted_domains") ?? []).map { $0.lowercased() }
        rblWhitelist = try config.nonEmptyString("rbl_whitelist")
        sealKey = try ARCSealKey.read(config)
        verifierOptions = noStrict ? ARCVerifierOptions(minimumRSAKeyBits: 0, allowSHA1: true) : ARCVerifierOptions()
    }

    // MARK: Trust (for DMARC)

    /// Whether a sealing domain is in `trusted_domains`, or listed in
    /// `rbl_whitelist` (looked up once per message, through the session's
    /// resolver).
    public func isDomainTrusted(_ domain: String?, in session: MailSession) -> Bool {
        guard let domain, !domain.isEmpty else { return false }
        let lowered = domain.lowercased()
        if trustedDomains.contains(lowered) { return true }
        guard let rblWhitelist else { return false }
        let state = session.messageState(of: self, ARCMessageState.self)
        if let known = state.listed[lowered] { return known }
        var found = false
        if case .answer(let records, _) = session.resolver.lookup(name: lowered + "." + rblWhitelist, type: .a) {
            found = records.contains { if case .a = $0 { return true } else { return false } }
        }
        state.listed[lowered] = found
        return found
    }

    /// The ARC-Authentication-Results DMARC may honour: none unless the
    /// chain passed; then, newest first, those of each instance whose seal
    /// domain is trusted, stopping at the first that is not (nothing
    /// before an untrusted hop can be trusted). Returned oldest first.
    public func trustedAuthenticationResults(in session: MailSession) -> [ARCAuthenticationResultsRecord] {
        guard let verification = verification(in: session), verification.status == .pass else { return [] }
        var trusted: [ARCAuthenticationResultsRecord] = []
        for instance in stride(from: verification.instanceCount, through: 1, by: -1) {
            guard isDomainTrusted(verification.sealDomain(instance: instance), in: session),
                  let record = verification.authenticationResults(instance: instance) else { break }
            trusted.insert(record, at: 0)
        }
        return trusted
    }

    /// Whether every seal of a passing chain is by a trusted domain.
    public func isChainTrusted(in session: MailSession) -> Bool {
        guard let verification = verification(in: session), verification.status == .pass else { return false }
        return (1...max(verification.instanceCount, 1)).allSatisfy { isDomainTrusted(verification.sealDomain(instance: $0), in: session) }
    }

    // MARK: Callbacks

    public func header(_ session: MailSession, name: String, value: String) throws {
        let state = session.messageState(of: self, ARCMessageState.self)
        if !state.started {
            state.started = true
            state.verifier = ARCVerifier(resolver: session.resolver, options: verifierOptions)
            if let sealKey {
                do {
                    state.sealer = try ARCSealer(key: sealKey.key, options: sealKey.options(clock: clock))
                } catch {
                    lastSealError = error
                }
            }
        }
        let raw = session.currentRawHeader ?? (Array(name.utf8), Array(value.utf8))
        state.verifier?.header(name: raw.name, value: raw.value)
        state.sealer?.header(name: raw.name, value: raw.value)
        switch session.lowercasedHeaderName(name) {
        case "arc-seal", "arc-message-signature", "arc-authentication-results": state.sawARCField = true
        default: break
        }
    }

    public func endOfHeaders(_ session: MailSession) throws {
        let state = session.messageState(of: self, ARCMessageState.self)
        state.sealer?.endOfHeaders()
        guard state.sawARCField, let verifier = state.verifier else {
            state.verifier = nil
            state.verification = ARCVerifierResult(status: .none)
            session.count(.arc, ["none"])
            if !hideNone { session.addAuthResult(ARCResultEntry.none) }
            return
        }
        verifier.endOfHeaders()
    }

    public func body(_ session: MailSession, chunk: ArraySlice<UInt8>) throws {
        let state = session.messageState(of: self, ARCMessageState.self)
        state.sealer?.body(chunk)
        guard let verifier = state.verifier, verifier.needsBody else { return }
        verifier.body(chunk)
    }

    public func endOfMessage(_ session: MailSession) throws {
        let state = session.messageState(of: self, ARCMessageState.self)
        guard let verifier = state.verifier else { return }
        state.verifier = nil
        let result = verifier.finish()
        state.verification = result
        session.count(.arc, [result.status.rawValue])
        // Perl writes `ip_address()`: Net::IP `short()` since 3.20250611.
        let remoteIP = ClientAddress(session.remoteIP)?.perlText ?? session.remoteIP
        session.addAuthResult(ARCResultEntry.entry(for: result, remoteIP: remoteIP))
        for entry in trustedResultEntries(in: session) { session.addAuthResult(entry) }
    }

    // MARK: Sealing

    public func seal(_ session: MailSession, authservID: String,
                     authResults: AuthenticationResultsText) -> [(name: String, value: String)] {
        guard let state = session.existingMessageState(of: self, ARCMessageState.self), let sealer = state.sealer else { return [] }
        state.sealer = nil
        // A message without header fields never reached end of headers here.
        let chain = state.verification ?? ARCVerifierResult(status: .none)
        let results = authResults.entries == "none" ? "" : authResults.entries
        do {
            let set = try sealer.finish(verification: chain, authservID: authservID, results: results)
            lastSealError = nil
            // The milter protocol folds with LF; the MTA writes CRLF.
            return set.values(lineEnding: "\n")
        } catch {
            lastSealError = error
            return []
        }
    }
}

/// What the ARC handler knows of the message in flight (see `HandlerState`).
final class ARCMessageState: HandlerState {
    var verifier: ARCVerifier?
    var sealer: ARCSealer?
    var started = false
    var sawARCField = false
    /// rbl_whitelist answers for this message, by lowercase domain.
    var listed: [String: Bool] = [:]
    /// The chain's validation, once the headers ended without ARC fields
    /// or the message ended.
    var verification: ARCVerifierResult?
    init() {}
}
