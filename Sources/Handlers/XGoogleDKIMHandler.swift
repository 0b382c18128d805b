import Config
import MailAuth
import Metrics

/// XGoogleDKIM: verifies the `X-Google-DKIM-Signature` fields Google's
/// servers add (signed by `1e100.net`), as Perl's `XGoogleDKIM.pm` does:
/// the message goes to a DKIM verifier with every real `DKIM-Signature`
/// and `DomainKey-Signature` renamed `X-Orig-...` (so they are not
/// checked), and each `X-Google-DKIM-Signature` followed by a copy named
/// `DKIM-Signature` (the name compared exactly, as Perl's `eq` does).
/// Entries, in the `dkim=` words (`DKIMResultEntry.xGoogleEntry`):
///
///     x-google-dkim=none (no signatures found)                      (no such field; hidden by hide_none)
///     x-google-dkim=pass (2048-bit rsa key) header.d=1e100.net header.i=@1e100.net header.b=AbCdEfGh
///     x-google-dkim=fail (body has been altered, 2048-bit rsa key) header.d=...
///     x-google-dkim=invalid (public key: not available) header.d=...
///
/// As Perl's handler (a `Mail::DKIM::Verifier->new()` without `Strict`),
/// the verifier is not held to RFC 8301: rsa-sha1 and short RSA keys are
/// checked, not refused. The result feeds nothing else (DMARC reads the
/// DKIM handler only). Every key is fetched in one DNS batch at the end of
/// the headers.
public final class XGoogleDKIMHandler: Handler {
    public static let name = "XGoogleDKIM"
    public static let defaultConfigJSON = HandlerHelp.json(["hide_none": 0])
    public static let helpText = HandlerHelp.text(module: name, "Module for validation of X-Google-DKIM signatures.", configuration: """
                "XGoogleDKIM" : {                               | Config for the X-Google-DKIM Module
                    "hide_none"         : 0,                    | Hide auth line if the result is 'none'
                },
        """)

    /// The field checked, compared exactly.
    static let signatureField = "X-Google-DKIM-Signature"

    public let hideNone: Bool
    /// Perl's verifier is Mail::DKIM's default: not strict. Tests may fix
    /// the clock here.
    public var verifierOptions = DKIMVerifierOptions.lenient

    public init(config: ConfigNode) throws(ConfigurationError) {
        hideNone = try config.bool("hide_none") ?? false
    }

    /// The signatures' results once the message ended, top to bottom.
    public func results(in session: MailSession) -> [DKIMSignatureResult] {
        session.existingMessageState(of: self, XGoogleDKIMMessageState.self)?.results ?? []
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        let state = session.messageState(of: self, XGoogleDKIMMessageState.self)
        let verifier = state.verifier ?? DKIMVerifier(resolver: session.resolver, options: verifierOptions)
        state.verifier = verifier
        let raw = session.currentRawHeader ?? (Array(name.utf8), Array(value.utf8))
        switch session.lowercasedHeaderName(name) {
        case "dkim-signature", "domainkey-signature":
            verifier.header(name: Array("X-Orig-".utf8) + raw.name, value: raw.value)
        default:
            verifier.header(name: raw.name, value: raw.value)
        }
        if name == Self.signatureField {
            verifier.header(name: Array("DKIM-Signature".utf8), value: raw.value)
            state.sawSignatureField = true
        }
    }

    public func endOfHeaders(_ session: MailSession) throws {
        let state = session.messageState(of: self, XGoogleDKIMMessageState.self)
        guard state.sawSignatureField, let verifier = state.verifier else {
            state.verifier = nil
            session.log(.info, key: "XGoogleDKIMResult", "No X-Google-DKIM headers")
            session.count(.xGoogleDKIM, ["none"])
            if !hideNone { session.addAuthResult(DKIMResultEntry.noSignatures(method: "x-google-dkim", result: "none")) }
            return
        }
        verifier.endOfHeaders()
    }

    public func body(_ session: MailSession, chunk: ArraySlice<UInt8>) throws {
        guard let verifier = session.existingMessageState(of: self, XGoogleDKIMMessageState.self)?.verifier,
              verifier.needsBody else { return }
        verifier.body(chunk)
    }

    public func endOfMessage(_ session: MailSession) throws {
        let state = session.messageState(of: self, XGoogleDKIMMessageState.self)
        guard state.sawSignatureField, let verifier = state.verifier else { return }
        state.verifier = nil
        state.results = verifier.finish().filter(\.isParseable)
        session.count(.xGoogleDKIM, [DKIMHandler.overallResult(state.results)])
        if state.results.isEmpty {
            // Only fields Mail::DKIM cannot parse: no signature listed, as
            // for the DKIM handler.
            session.addAuthResult(DKIMResultEntry.noSignatures(method: "x-google-dkim", result: "invalid"))
        }
        for result in state.results {
            session.log(.debug, key: "XGoogleDKIMSignatureResult", result.detail)
            session.addAuthResult(DKIMResultEntry.xGoogleEntry(for: result))
        }
    }
}

/// What the XGoogleDKIM handler knows of the message in flight (see
/// `HandlerState`).
final class XGoogleDKIMMessageState: HandlerState {
    var verifier: DKIMVerifier?
    var sawSignatureField = false
    var results: [DKIMSignatureResult] = []
    init() {}
}
