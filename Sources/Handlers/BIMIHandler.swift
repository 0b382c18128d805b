import Config
import JSON
import MailAuth
import SystemIO

/// BIMI (Brand Indicators for Message Identification), as Perl's
/// `BIMI.pm` does it with Mail::BIMI:
///
/// - setup: `BIMI-Location` and `BIMI-Indicator` are put on Sanitize's
///   list (`sanitize_location_header`, default yes: removed with an
///   `X-Received-bimi-location` note; `sanitize_indicator_header`, default
///   silent). Without the Sanitize handler this handler removes them itself,
///   silently (Perl would leave them: a forged BIMI-Location must not reach
///   the reader's client).
/// - headers (not for local, trusted or authenticated clients): a second
///   `BIMI-Selector` is `bimi=fail (multiple BIMI-Selector fields in
///   message)`, a second `From` `bimi=fail (multiple RFC5322 from fields in
///   message)`; either ends BIMI for the message.
/// - end of message: no DMARC evaluation is `bimi=temperror (Internal DMARC
///   error)` (`permerror` when DMARC wrote one), more than one `bimi=fail
///   (multiple DMARC results for message)`. The selector of `BIMI-Selector:
///   v=BIMI1; s=<sel>` is used only when that field is covered by a passing
///   DKIM signature of the From domain or its Organizational Domain (or the
///   message passed DMARC only through ARC); else `default`.
///   `rbl_allowlist`/`rbl_blocklist` (the Organizational Domain asked as an
///   A record under the zone) give `bimi=skipped (Local policy; not
///   allowed|blocked)`; both set turn the handler off. Then `BIMIEvaluator`;
///   a pass without a valid VMC becomes `bimi=skipped (Local policy; not
///   allowed without evidence)` when `rbl_no_evidence_allowlist` is set and
///   does not list the Organizational Domain. A pass prepends
///   `BIMI-Location` (and `BIMI-Indicator` once indicators are fetched).
///
/// This build fetches nothing: it evaluates as Mail::BIMI with
/// `no_validate_cert` and without the SVG fetch, so a pass names the
/// location for the reader's client to fetch (docs/handlers.md, "BIMI").
public final class BIMIHandler: PeerAwareHandler {
    public static let name = "BIMI"
    public static let defaultConfigJSON = HandlerHelp.json([
        "bimi_options": .object(JSONObject()),
        "rbl_allowlist": "",
        "rbl_blocklist": "",
        "rbl_no_evidence_allowlist": "",
    ])
    public static let helpText = HandlerHelp.text(module: name, """
        Module implementing the BIMI standard checks.

        This handler requires the DMARC handler and its dependencies to be installed and active.
        """, configuration: """
                "BIMI" : {                                      | Config for the BIMI Module
                                                                | Requires DMARC
                    "bimi_options" : {},                        | Options to pass into Mail::BIMI->new
                                                                | (honoured here: require_vmc, strict_spf, no_validate_cert,
                                                                |  no_validate_svg, no_location_with_vmc, ssl_root_cert,
                                                                |  vmc_no_check_alt, allowed_mark_types, *_max_*size,
                                                                |  http_client_timeout; others accepted)
                    "rbl_allowlist" : "",                       | Optional RBL Allow list of allowed org domains
                    "rbl_blocklist" : "",                       | Optional RBL Block list of disallowed org domains
                                                                | Allow and Block list cannot both be present
                    "rbl_no_evidence_allowlist" : "",           | Optonal RBL Allow list of allowed org domains that do NOT require evidence documents
                                                                | When set, domains not on this list which do not have evidence documents will be 'skipped'
                    "timeout" : 5000000,                        | Timeout, in microseconds, to apply to a BIMI record check/fetch, detault 5000000 (5s)
                    "sanitize_location_header" : "yes",         | Remove existing BIMI-Location header? yes|no|silent (default yes)
                    "sanitize_indicator_header" : "yes",        | Remove existing BIMI-Location header? yes|no|silent (default silent)
                },
        """)
    public static var configKeys: Set<String> {
        ["bimi_options", "rbl_allowlist", "rbl_blocklist", "rbl_no_evidence_allowlist", "timeout",
         "sanitize_location_header", "sanitize_indicator_header", "https_ca_file", "https_allow_private_addresses",
         "fetch_concurrency"]
    }
    public static func unknownKeyWarnings(in block: ConfigNode) -> [String] {
        var warnings = block.unknownKeyWarnings(known: configKeys.union([AuthResultsHeaderName.configKey]))
        if let options = block.child("bimi_options"), options.value.objectValue != nil {
            warnings += options.unknownKeyWarnings(known: BIMIHandlerOptions.libraryKeys)
        }
        return warnings
    }
    /// Perl's eom_requires DMARC.
    public static var dependencies: [any Handler.Type] { [DMARCHandler.self] }

    static let locationHeader = "BIMI-Location"
    static let indicatorHeader = "BIMI-Indicator"

    let options: BIMIHandlerOptions
    public private(set) weak var dmarc: DMARCHandler?
    public private(set) weak var dkim: DKIMHandler?
    /// Sanitize is loaded: it removes incoming BIMI headers.
    private(set) var sanitizeRemoves = false

    /// The roots VMCs must chain to, read when the handler is built (before
    /// the worker's jail); nil when evidence is not checked or the system
    /// bundle is missing (every VMC then fails to validate).
    let vmcRoots: BIMIVMCTrustStore?

    public init(config: ConfigNode) throws(ConfigurationError) {
        options = try BIMIHandlerOptions(config: config)
        if options.library.validatesEvidence {
            if let file = options.vmcRootFile {
                do {
                    vmcRoots = try BIMIVMCTrustStore(file: file)
                } catch {
                    throw (config.child("bimi_options")?.child("ssl_root_cert") ?? config).error("\(error)")
                }
            } else {
                vmcRoots = try? BIMIVMCTrustStore(file: BIMIVMCTrustStore.systemBundle)
            }
        } else {
            vmcRoots = nil
        }
    }

    /// The fetch helper's command line when the BIMI handler is enabled
    /// (the master starts the helper only then), else nil.
    public static func fetcherArguments(in configuration: Configuration) -> [String]? {
        guard let entry = configuration.enabledHandlers.first(where: { $0.name == name }),
              let options = try? BIMIHandlerOptions(config: entry.node) else { return nil }
        return options.fetcherArguments
    }

    public func attach(peers: HandlerPeers) {
        dmarc = peers.first(DMARCHandler.self)
        dkim = peers.first(DKIMHandler.self)
        if let sanitize = peers.first(SanitizeHandler.self) {
            sanitizeRemoves = true
            if options.sanitizeLocation != .no {
                sanitize.addHeaderToRemove(Self.locationHeader.lowercased(), silent: options.sanitizeLocation == .silent)
            }
            if options.sanitizeIndicator != .no {
                sanitize.addHeaderToRemove(Self.indicatorHeader.lowercased(), silent: options.sanitizeIndicator == .silent)
            }
        }
    }

    private func skipped(_ session: MailSession) -> Bool {
        session.isLocalIP || session.isTrustedIP || session.isAuthenticated
    }

    // MARK: Callbacks

    public func header(_ session: MailSession, name: String, value: String) throws {
        let lowerName = session.lowercasedHeaderName(name)
        if !sanitizeRemoves && !session.isTrustedIP {
            if lowerName == "bimi-location" && options.sanitizeLocation != .no
                || lowerName == "bimi-indicator" && options.sanitizeIndicator != .no {
                session.messageState(of: self, BIMIMessageState.self).incoming[lowerName, default: 0] += 1
            }
        }
        guard !skipped(session) else { return }
        guard lowerName == "bimi-selector" || lowerName == "from" else { return }
        let state = session.messageState(of: self, BIMIMessageState.self)
        guard !state.failed else { return }
        if lowerName == "bimi-selector" {
            guard state.selectorField == nil else {
                fail(session, state, log: "Multiple BIMI-Selector fields", comment: "multiple BIMI-Selector fields in message")
                return
            }
            state.selectorField = PerlHeaderValue.text(value)
        } else {
            guard state.fromField == nil else {
                fail(session, state, log: "Multiple RFC5322 from fields", comment: "multiple RFC5322 from fields in message")
                return
            }
            state.fromField = value
        }
    }

    private func fail(_ session: MailSession, _ state: BIMIMessageState, log: String, comment: String) {
        session.log(.info, key: "BIMIFail", log)
        session.addAuthResult(AuthResultsEntry(method: "bimi", result: "fail", comment: AuthResultsComment(comment)))
        state.failed = true
    }

    public func endOfMessage(_ session: MailSession) throws {
        let state = session.messageState(of: self, BIMIMessageState.self)
        for name in state.incoming.keys.sorted() {
            for occurrence in stride(from: state.incoming[name, default: 0], to: 0, by: -1) {
                session.removeHeader(name: name, occurrence: UInt32(occurrence))
            }
        }
        guard options.allowList == nil || options.blockList == nil else {
            session.log(.debug, key: "BIMI Error", "Cannot specify both rbl_allowlist and rbl_blocklist")
            return
        }
        guard !state.failed, !skipped(session) else { return }
        let domain = DMARCHandler.domains(state.fromField ?? "", limit: 1).first ?? "localhost.localdomain"
        let outcomes = dmarc?.outcomes(in: session) ?? []
        guard let dmarc, let outcome = outcomes.first else {
            let permanent = session.authResults.contains { $0.method == "dmarc" && $0.result == "permerror" }
            session.log(.error, "BIMI Error No DMARC Results object")
            session.addAuthResult(AuthResultsEntry(method: "bimi", result: permanent ? "permerror" : "temperror",
                                                   comment: AuthResultsComment("Internal DMARC error")))
            return
        }
        guard outcomes.count == 1 else {
            fail(session, state, log: "Multiple DMARC Results", comment: "multiple DMARC results for message")
            return
        }
        let resolver = session.resolver
        let organizationalDomain = dmarc.organizationalDomain(of: domain, resolver: resolver)
        let selector = self.selector(session, state, domain: domain, organizationalDomain: organizationalDomain,
                                     arcPass: outcome.result.code != .pass && outcome.arcAwareResult == "pass")

        if let zone = options.allowList, !listed(organizationalDomain, zone, resolver) {
            skip(session, "Not on allowlist", comment: "Local policy; not allowed")
            return
        }
        if let zone = options.blockList, listed(organizationalDomain, zone, resolver) {
            skip(session, "On blocklist", comment: "Local policy; blocked")
            return
        }

        var evaluator = BIMIEvaluator(resolver: resolver, options: options.library)
        evaluator.fetcher = fetcher(session, deadline: monotonicSeconds() + Double(options.timeoutMicroseconds) / 1_000_000)
        if let vmcRoots {
            var checker = BIMIVMCChecker(roots: vmcRoots)
            checker.checksAltName = options.vmcChecksAltName
            checker.allowedMarkTypes = options.allowedMarkTypes
            checker.maximumSVGBytes = options.library.maximumSVGBytes
            checker.validatesSVG = !options.library.skipsSVGValidation
            evaluator.checkEvidence = { checker.check(pem: $0, domain: $1, selector: $2) }
        }
        evaluator.log = { session.log(.info, key: "BIMI", $0) }
        let result = evaluator.evaluate(domain: domain, selector: selector, organizationalDomain: organizationalDomain,
                                        dmarc: outcome.result, organizationalDMARC: {
            DMARCEvaluator(resolver: resolver, publicSuffixList: dmarc.publicSuffixList, options: dmarc.options)
                .evaluate(DMARCRequest(fromDomain: organizationalDomain))
        })
        if result.result == "pass", !result.hasValidEvidence, let zone = options.noEvidenceAllowList, !listed(organizationalDomain, zone, resolver) {
            skip(session, "Not on No Evidence Allowlist", comment: "Local policy; not allowed without evidence")
            return
        }
        session.log(.debug, key: "BIMI", "\(result.result) \(result.domain) \(result.selector)")
        session.addAuthResult(result.authResultsEntry)
        if result.result == "pass" {
            if let location = result.locationHeader { session.prependHeader(name: Self.locationHeader, value: location) }
            if let indicator = result.indicatorHeader { session.prependHeader(name: Self.indicatorHeader, value: indicator) }
        }
    }

    /// Fetches for the evaluator: the URI's host resolved through the
    /// session's resolver (A, then AAAA; the fetch helper has none), then
    /// the session's fetcher, each fetch within what is left of the
    /// message's budget (`timeout`) and of `http_client_timeout`.
    private func fetcher(_ session: MailSession, deadline: Double) -> (BIMIFetchKind, String, Int) -> BIMIFetchOutcome {
        let timeout = options.fetchTimeoutSeconds
        return { kind, uri, maximumBytes in
            guard let fetcher = session.bimiFetcher else { return .failed("no BIMI fetch helper") }
            guard let url = BIMIHTTPSURL(uri) else { return .failed("not a URI this handler fetches") }
            var addresses: [IPAddress] = url.address.map { [$0] } ?? []
            if addresses.isEmpty {
                for type in [DNSRecordType.a, .aaaa] {
                    for record in session.resolver.lookup(name: url.host, type: type).records {
                        switch record {
                        case .a(let bytes), .aaaa(let bytes):
                            if let address = IPAddress(bytes: bytes) { addresses.append(address) }
                        default:
                            break
                        }
                    }
                }
            }
            guard !addresses.isEmpty else { return .failed("\(url.host) has no address") }
            let left = min(deadline - monotonicSeconds(), timeout)
            guard left > 0 else { return .failed("the message's BIMI time budget is spent") }
            return fetcher.fetch(BIMIFetchRequest(kind: kind, url: uri, addresses: Array(addresses.prefix(BIMIFetchLimits.maximumAddresses)),
                                                  maximumBytes: maximumBytes, budgetMilliseconds: UInt32(left * 1000)))
        }
    }

    private func skip(_ session: MailSession, _ log: String, comment: String) {
        session.log(.info, key: "BIMISkip", log)
        session.addAuthResult(AuthResultsEntry(method: "bimi", result: "skipped", comment: AuthResultsComment(comment)))
    }

    /// Perl's `rbl_check_domain`: `<domain>.<zone>` has an A record.
    private func listed(_ domain: String, _ zone: String, _ resolver: any DNSResolver) -> Bool {
        DNSListAnswer.firstAddress(at: domain + "." + zone, resolver) != nil
    }

    /// The selector to look up: the `BIMI-Selector` field's when a passing
    /// DKIM signature of the From domain or its Organizational Domain
    /// covers it (or DMARC passed only through ARC, where the signatures
    /// may be gone), else `default`.
    func selector(_ session: MailSession, _ state: BIMIMessageState, domain: String, organizationalDomain: String,
                  arcPass: Bool) -> String {
        guard let field = state.selectorField else { return BIMIRecordLookup.fallbackSelector }
        guard let selector = BIMISelectorHeader.selector(in: field) else {
            session.log(.error, "BIMI Invalid Selector Header: \(ControlCharacters.replacing(in: field, with: " "))")
            return BIMIRecordLookup.fallbackSelector
        }
        var aligned = arcPass
        var thirdParty = false
        for signature in dkim?.results(in: session) ?? []
        where signature.perlResult == "pass" && signature.signedHeaders.contains("bimi-selector") {
            let signer = (signature.domain ?? "").lowercased()
            if signer == domain.lowercased() || signer == organizationalDomain.lowercased() {
                aligned = true
            } else {
                thirdParty = true
            }
        }
        guard aligned else {
            session.log(.error, "BIMI Header DKIM \(thirdParty ? "thirdparty" : "unsigned") for Selector \(selector) - ignoring")
            return BIMIRecordLookup.fallbackSelector
        }
        return selector
    }
}

/// What the BIMI handler knows of the message in flight (see `HandlerState`).
final class BIMIMessageState: HandlerState {
    var selectorField: String?
    var fromField: String?
    /// A `bimi=` entry was written at a header: nothing more for the message.
    var failed = false
    /// Incoming BIMI headers to remove (without Sanitize), by lowercase name.
    var incoming: [String: Int] = [:]
    init() {}
}
