import Config
import MailAuth
import Metrics

/// DKIM: verifies every DKIM-Signature of the message (RFC 6376, RFC 8301,
/// RFC 8463) and writes one `dkim=` entry per signature, as the Perl
/// handler does with Mail::DKIM:
///
/// - header: each field goes to the verifier as the MTA sent it (the exact
///   bytes of `session.currentRawHeader`, so any charset is hashed as is);
/// - end of headers: without a DKIM-Signature field, `dkim=none (no
///   signatures found)` (hidden by `hide_none`) and nothing more; otherwise
///   the signatures are checked and every key is fetched in one DNS batch;
/// - body: streamed to the verifier while some signature needs it;
/// - end of message: `dkim=<pass|fail|invalid> (<why>, <bits>-bit <type>
///   key <hash>) header.d= header.i= header.b= header.a= header.s=`
///   (`x-bits=` with `extra_properties`), then, with `check_adsp` and for
///   clients neither local, trusted nor authenticated, the published
///   signing policies (`DKIMPolicyEvaluation`).
///
/// The result word is Mail::DKIM's (`invalid` for unusable signatures,
/// DNS errors on the key included), as the Perl milter writes it. No
/// client is skipped for verification. `results` and `passingDomains`
/// stay readable until the message is reset, for DMARC.
public final class DKIMHandler: Handler {
    public static let name = "DKIM"
    public static let defaultConfigJSON = """
        {
           "adsp_hide_none" : 0,
           "check_adsp" : 1,
           "extra_properties" : 0,
           "hide_domainkeys" : 0,
           "hide_none" : 0,
           "no_strict" : 0,
           "show_default_adsp" : 0
        }
        """
    public static let helpText = """
        DKIM Module

        Verifies DKIM signatures and reports the signing policies (ADSP and its
        predecessors) that sender domains publish.

        CONFIGURATION
                "DKIM" : {                                      | Config for the DKIM Module
                    "hide_none"         : 0,                    | No "dkim=none" entry for unsigned messages
                    "hide_domainkeys"   : 0,                    | No DomainKeys (x-dkim-dkssp) policy entries
                    "check_adsp"        : 1,                    | Look up ADSP and the older signing policies
                    "show_default_adsp" : 0,                    | Also write the implied default policies
                    "adsp_hide_none"    : 0,                    | Kept for compatibility (a policy result is never 'none')
                    "extra_properties"  : 0,                    | Add x-bits (the key size) to each dkim entry
                    "no_strict"         : 0                     | Accept rsa-sha1 and RSA keys below 1024 bits
                                                                | (against RFC 8301; not recommended)
                },
        """

    public let hideNone: Bool
    public let hideDomainKeys: Bool
    public let checkADSP: Bool
    public let showDefaultADSP: Bool
    /// Read for compatibility; a policy result is pass, discard or unknown,
    /// never the "none" this key would hide (as in Perl).
    public let adspHideNone: Bool
    public let extraProperties: Bool
    public let noStrict: Bool
    /// What the verifier enforces: RFC 8301 (Mail::DKIM's `Strict`), or
    /// lenient with `no_strict`. Tests may fix the clock here.
    public var verifierOptions: DKIMVerifierOptions

    /// The message's signatures, top to bottom, once the message ended:
    /// every field Mail::DKIM would list (unparseable ones are left out,
    /// as Mail::DKIM leaves them out). Empty before the end of the message
    /// and for unsigned messages.
    public func results(in session: MailSession) -> [DKIMSignatureResult] {
        session.existingMessageState(of: self, DKIMMessageState.self)?.results ?? []
    }
    /// The `d=` domains (lowercase, each once, in signature order) of the
    /// signatures that passed: DMARC's aligned-DKIM input and the Perl
    /// handler's `valid_domains`.
    public func passingDomains(in session: MailSession) -> [String] {
        session.existingMessageState(of: self, DKIMMessageState.self)?.passingDomains ?? []
    }
    /// True once a DKIM-Signature field was seen in this message.
    public func hasSignatures(in session: MailSession) -> Bool {
        session.existingMessageState(of: self, DKIMMessageState.self)?.sawSignatureField ?? false
    }

    public init(config: ConfigNode) throws(ConfigurationError) {
        hideNone = try config.bool("hide_none") ?? false
        hideDomainKeys = try config.bool("hide_domainkeys") ?? false
        checkADSP = try config.bool("check_adsp") ?? true
        showDefaultADSP = try config.bool("show_default_adsp") ?? false
        adspHideNone = try config.bool("adsp_hide_none") ?? false
        extraProperties = try config.bool("extra_properties") ?? false
        noStrict = try config.bool("no_strict") ?? false
        verifierOptions = noStrict ? .lenient : DKIMVerifierOptions()
    }

    // MARK: Callbacks

    public func header(_ session: MailSession, name: String, value: String) throws {
        let state = session.messageState(of: self, DKIMMessageState.self)
        let verifier = state.verifier ?? DKIMVerifier(resolver: session.resolver, options: verifierOptions)
        state.verifier = verifier
        if let raw = session.currentRawHeader {
            verifier.header(name: raw.name, value: raw.value)
        } else {
            verifier.header(name: name, value: value)
        }
        switch session.lowercasedHeaderName(name) {
        case "dkim-signature": state.sawSignatureField = true
        // Mail::DKIM keeps the last of each (its headers_by_name).
        case "from": state.fromValue = value
        case "sender": state.senderValue = value
        default: break
        }
    }

    public func endOfHeaders(_ session: MailSession) throws {
        let state = session.messageState(of: self, DKIMMessageState.self)
        guard state.sawSignatureField, let verifier = state.verifier else {
            state.verifier = nil
            session.count(.dkim, ["none"])
            if !hideNone { session.addAuthResult(DKIMResultEntry.noSignatures(result: "none")) }
            return
        }
        verifier.endOfHeaders()
    }

    public func body(_ session: MailSession, chunk: ArraySlice<UInt8>) throws {
        let state = session.messageState(of: self, DKIMMessageState.self)
        guard state.sawSignatureField, let verifier = state.verifier, verifier.needsBody else { return }
        verifier.body(chunk)
    }

    public func endOfMessage(_ session: MailSession) throws {
        let state = session.messageState(of: self, DKIMMessageState.self)
        guard state.sawSignatureField, let verifier = state.verifier else { return }
        let results = verifier.finish().filter(\.isParseable)
        state.results = results
        state.verifier = nil
        var passing: [String] = []
        for result in results where result.perlResult == "pass" {
            let domain = (result.domain ?? "").lowercased()
            if !passing.contains(domain) { passing.append(domain) }
        }
        state.passingDomains = passing
        if session.metrics != nil {
            session.count(.dkim, [Self.overallResult(results)])
            for result in results {
                session.count(.dkimSignatures, ["dkim", result.perlResult, String(result.keyBits ?? 0), result.keyType ?? MetricLabel.none,
                                                result.hashAlgorithm ?? MetricLabel.none, result.canonicalization ?? MetricLabel.none])
            }
        }

        if results.isEmpty {
            // Only unparseable fields: Mail::DKIM lists no signature and
            // has no result (Perl writes an empty value); "invalid" is
            // Mail::DKIM's word for an unusable signature.
            session.addAuthResult(DKIMResultEntry.noSignatures(result: "invalid"))
        }
        for result in results {
            session.addAuthResult(DKIMResultEntry.entry(for: result, extraProperties: extraProperties))
        }

        guard checkADSP, !session.isLocalIP, !session.isTrustedIP, !session.isAuthenticated else { return }
        let evaluation = DKIMPolicyEvaluation(from: state.fromValue, sender: state.senderValue, signatures: results)
        switch evaluation.run(resolver: session.resolver) {
        case .success(let outcomes):
            for outcome in outcomes {
                if outcome.policy.kind == .domainKeys && hideDomainKeys { continue }
                if outcome.policy.isDefault && !showDefaultADSP { continue }
                session.addAuthResult(outcome.entry)
            }
        case .failure(let error):
            session.addAuthResult(error.entry)
            if error.isUnexpected { throw error }
        }
    }
}

/// What the DKIM handler knows of the message in flight (see `HandlerState`).
final class DKIMMessageState: HandlerState {
    var verifier: DKIMVerifier?
    var sawSignatureField = false
    var fromValue: String?
    var senderValue: String?
    var results: [DKIMSignatureResult] = []
    var passingDomains: [String] = []
    init() {}
}

extension DKIMHandler {
    /// Mail::DKIM's `result` for the message, which Perl counts in
    /// `dkim_total`: pass when a signature passes, else the first
    /// signature's result ("invalid" when none could be read).
    static func overallResult(_ results: [DKIMSignatureResult]) -> String {
        if results.contains(where: { $0.perlResult == "pass" }) { return "pass" }
        return results.first?.perlResult ?? "invalid"
    }
}
