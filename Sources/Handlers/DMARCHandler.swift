#if canImport(Glibc)
import Glibc
#endif
import Config
import JSON
import MailAuth
import Metrics

/// DMARC (RFC 9989 by default, RFC 7489 as an option) over the SPF, DKIM
/// and ARC handlers' findings, as the Perl handler does with Mail::DMARC
/// (evaluation; aggregate report rows go to the spool):
///
/// - MAIL FROM (not for local, trusted or authenticated clients): starts
///   the message; RCPT TO: `report_skip_to` marks the message;
/// - headers: every `From` field, and `List-Id`/`List-Post` (list mail);
/// - end of message: each distinct From domain (sorted) is evaluated
///   (`DMARCEvaluator`) with the SPF handler's `dmarcDomain`/`dmarcScope`/
///   `dmarcResult` and the DKIM handler's signatures, under the
///   `*_on_multifrom` limits; a `fail` is re-evaluated with the trusted
///   ARC results (`use_arc`), then the local policy decides the applied
///   disposition: a trusted ARC pass, the `whitelisted` list, list mail
///   (`no_list_reject`), and `reject` becomes `no_reject_disposition`
///   unless `hard_reject` (then `550 5.7.0 DMARC policy violation`).
///   `quarantine` asks for the message to be quarantined. One `dmarc=`
///   entry per distinct result (`DMARCResult.authResultsEntry`). The From
///   domains come from the strict `MailboxListParser`: with none left,
///   `dmarc=permerror (from header invalid)` when a field did not parse,
///   else `dmarc=permerror (no parseable from domain)`; a bare
///   `dmarc=permerror` when every entry was hidden. `strict_multifrom`
///   quarantines (rejects with `hard_reject`) several From domains.
///
/// The handler reads its peers through `attach(peers:)`; without the SPF
/// and DKIM handlers it does nothing (Perl's "DMARC Config Error: SPF is
/// missing" fail mode). The public suffix list is read when the handler is
/// built (`public_suffix_list`), and given to the SPF handler's
/// `organizationalDomain` hook for `best_guess` and `spfu_detection`.
public final class DMARCHandler: PeerAwareHandler {
    public static let name = "DMARC"
    public static let defaultConfigJSON = """
        {
           "arc_before_list" : 0,
           "config_file" : "/etc/mail-dmarc.ini",
           "detect_list_id" : 1,
           "hard_reject" : 0,
           "hide_none" : 0,
           "hide_report_to" : 0,
           "no_list_reject" : 1,
           "no_list_reject_disposition" : "none",
           "no_reject_disposition" : "quarantine",
           "no_report" : 0,
           "policy_rbl_lookup" : {},
           "public_suffix_list" : "/usr/share/publicsuffix/public_suffix_list.dat",
           "quarantine_on_multifrom" : 20,
           "reject_on_multifrom" : 30,
           "report_skip_to" : [
              "my_report_from_address@example.com"
           ],
           "report_suppression_email_list" : "rbl.example.com",
           "report_suppression_list" : "rbl.example.com",
           "skip_on_multifrom" : 10,
           "strict_multifrom" : 0,
           "use_arc" : 1,
           "whitelisted" : []
        }
        """
    public static let helpText = """
        DMARC Module

        Implements the DMARC standard checks. Requires the SPF and DKIM handlers
        (and uses ARC when it is loaded).

        CONFIGURATION
                "DMARC" : {                                        | Config for the DMARC Module
                                                                   | Requires DKIM and SPF
                    "hard_reject"           : 0,                   | Reject mail which fails with a reject policy
                    "no_reject_disposition" : "quarantine",        | What to report when hard_reject is 0
                    "no_list_reject"        : 1,                   | Do not reject mail detected as mailing list
                    "arc_before_list"       : 0,                   | Don't apply above list detection if we have trusted arc
                    "no_list_reject_disposition" : "none",         | Disposition to use for mail detected as mailing list
                    "reject_on_multifrom"     : 30,                | Reject mail if we detect X DMARC entities to process
                    "quarantine_on_multifrom" : 20,                | Quarantine mail if we detect X DMARC entities to process
                    "skip_on_multifrom"       : 10,                | Skip further processing from X DMARC entities on
                    "strict_multifrom"        : 0,                 | Quarantine (reject with hard_reject) mail whose From
                                                                   | fields name more than one domain
                    "whitelisted"           : [                    | A list of ip addresses or CIDR ranges, or dkim domains
                        "10.20.30.40",                             | for which we do not want to apply a failing policy
                        "dkim:bad.forwarder.com",                  | ("dkim:domain", "spf:domain",
                        "20.30.40.0/24"                            | "dnswl:<spf|dkim|ip>:<dns list zone>")
                    ],
                    "use_arc"             : 1,                     | Use trusted ARC results if available
                    "hide_none"           : 0,                     | Hide auth line if the result is 'none'
                    "detect_list_id"      : 1,                     | Detect a list ID and modify the DMARC authentication header
                                                                   | to note this, useful when making rules for junking email
                                                                   | as mailing lists frequently cause false DMARC failures.
                    "report_skip_to"     : [                       | Do not send DMARC reports for emails to these addresses.
                        "dmarc@yourdomain.com"                     |
                    ],
                    "no_report"          : 0,                      | If set then we will not attempt to store DMARC reports.
                    "hide_report_to"     : 0,                      | If set, remove envelope_to from DMARC reports
                    "config_file"        : "/etc/mail-dmarc.ini",  | Accepted for compatibility; not read
                    "public_suffix_list" : "/usr/share/publicsuffix/public_suffix_list.dat",
                                                                   | The public suffix list, read at start
                    "discovery"          : "rfc9989",              | RFC 9989 DNS tree walk (Mail::DMARC 2026 default),
                                                                   | or "rfc7489": public suffix list and pct
                    "np_policy"          : 1,                      | Apply np= (RFC 9989, RFC 9091); off with rfc7489
                    "policy_rbl_lookup"  : {                       | On a pass, look the From domain up in a DNS list
                        "name" : {                                 | and add policy.name=value ('pass' when the address
                            "rbl" : "rbl.example.com",             | has no value and there is no '*')
                            "results" : { "127.0.0.2" : "yes", "*" : "other" }
                        }                                          |
                    },                                             |
                    "report_suppression_list" : "",                | DNS list of organizational domains not reported
                    "report_suppression_email_list" : "",          | DNS list of sha1(rua address) not reported to
                    "report_format"      : "rfc9990",              | Aggregate report XML: "rfc9990" or "rfc7489"
                    "report_store"       : "",                     | Aggregate report rows: "" = SQLite in lib_dir,
                                                                   | "sqlite:/path", "postgresql://...", "dbi:Pg:..."
                    "report_store_user"  : "",                     | User and password for a dbi:Pg store
                    "report_store_pass"  : "",                     |
                    "report_org_name"    : "",                     | Our name in reports (default: report_org_domain)
                    "report_org_email"   : "",                     | Report sender (default noreply-dmarc@<domain>)
                    "report_org_domain"  : "",                     | Our domain (default authserv_id or host name)
                    "report_extra_contact_info" : "",              | Optional URL or text in reports
                    "report_smarthost"   : ""                      | host[:port] to send reports through (default: MX)
                },
        """
    /// Perl's envfrom_requires (SPF) and eom_requires (DKIM, ARC).
    public static var dependencies: [any Handler.Type] { [SPFHandler.self, DKIMHandler.self, ARCHandler.self] }

    /// The default block's keys plus the aggregate report settings the
    /// spool and the report commands read (see DMARCReportSettings).
    public static var configKeys: Set<String> {
        var keys: Set<String> = []
        if case .object(let object)? = try? JSONParser.parse(defaultConfigJSON) { keys = Set(object.keys) }
        return keys.union(["discovery", "np_policy"]).union(DMARCReportConfigKeys.all)
    }

    public static let rejectReply = "550 5.7.0 DMARC policy violation"
    public static let quarantineReason = "Quarantined due to DMARC policy"

    public let hideNone: Bool
    public let useARC: Bool
    public let hardReject: Bool
    public let noListReject: Bool
    public let arcBeforeList: Bool
    public let detectListID: Bool
    public let noReport: Bool
    public let hideReportTo: Bool
    public let reportSkipTo: [String]
    public let noRejectDisposition: DMARCPolicyAction
    public let noListRejectDisposition: DMARCPolicyAction
    public let rejectOnMultiFrom: Int
    public let quarantineOnMultiFrom: Int
    public let skipOnMultiFrom: Int
    /// Perl's `strict_multifrom` (3.20240701): From fields naming more
    /// than one distinct domain quarantine the message, or reject it with
    /// `hard_reject`; the evaluations and reports are unchanged.
    public let strictMultiFrom: Bool
    let whitelist: [DMARCWhitelistEntry]
    /// `policy_rbl_lookup`, in name order.
    let policyRBLLookups: [DMARCPolicyRBLLookup]
    /// `report_suppression_list`, `report_suppression_email_list`.
    let reportSuppression: DMARCReportSuppression
    public let publicSuffixList: PublicSuffixList
    /// How the library evaluates; tests fix `percentDraw`.
    public var options = DMARCOptions()

    // Peers
    public private(set) weak var spf: SPFHandler?
    public private(set) weak var dkim: DKIMHandler?
    public private(set) weak var arc: ARCHandler?

    // Message state (`DMARCMessageState`), as the tests and tools see it.
    private func state(_ session: MailSession) -> DMARCMessageState? {
        session.existingMessageState(of: self, DMARCMessageState.self)
    }
    /// The message carried List-Id or List-Post.
    public func isList(in session: MailSession) -> Bool { state(session)?.isList ?? false }
    /// A recipient is in `report_skip_to`: no report for this message.
    public func skipReport(in session: MailSession) -> Bool { state(session)?.skipReport ?? false }

    /// One evaluation of the message and what the handler made of it.
    public struct Outcome: Sendable {
        public var result: DMARCResult
        /// After the local policy (`d=`).
        public var appliedDisposition: DMARCPolicyAction
        public var overrideReason: String?
        public var arcAwareResult: String?
        public var entry: AuthResultsEntry
    }
    /// This message's evaluations, until the message is reset.
    public func outcomes(in session: MailSession) -> [Outcome] { state(session)?.outcomes ?? [] }

    public convenience init(config: ConfigNode) throws(ConfigurationError) {
        let list = try DMARCPublicSuffixFile.load(config, key: "public_suffix_list")
        try self.init(config: config, publicSuffixList: list)
    }

    /// With a list at hand (tests, or a list already read).
    public init(config: ConfigNode, publicSuffixList: PublicSuffixList) throws(ConfigurationError) {
        hideNone = try config.bool("hide_none") ?? false
        // As in Perl at run time, a key missing from the block is off (0):
        // the `-h default_config` values apply only when written.
        useARC = try config.bool("use_arc") ?? false
        hardReject = try config.bool("hard_reject") ?? false
        noListReject = try config.bool("no_list_reject") ?? false
        arcBeforeList = try config.bool("arc_before_list") ?? false
        detectListID = try config.bool("detect_list_id") ?? false
        noReport = try config.bool("no_report") ?? false
        hideReportTo = try config.bool("hide_report_to") ?? false
        reportSkipTo = (try config.stringArray("report_skip_to") ?? []).map { $0.lowercased() }
        noRejectDisposition = try Self.disposition(config, "no_reject_disposition", default: .quarantine)
        noListRejectDisposition = try Self.disposition(config, "no_list_reject_disposition", default: .none)
        rejectOnMultiFrom = try config.integer("reject_on_multifrom", in: 0...Int.max) ?? 0
        quarantineOnMultiFrom = try config.integer("quarantine_on_multifrom", in: 0...Int.max) ?? 0
        skipOnMultiFrom = try config.integer("skip_on_multifrom", in: 0...Int.max) ?? 0
        strictMultiFrom = try config.bool("strict_multifrom") ?? false
        _ = try config.string("config_file")
        whitelist = try DMARCWhitelistEntry.list(config, key: "whitelisted")
        self.publicSuffixList = publicSuffixList
        policyRBLLookups = try DMARCPolicyRBLLookup.list(config, key: "policy_rbl_lookup")
        reportSuppression = try DMARCReportSuppression(config: config)
        // Not in Perl: how the policy record is found. "rfc9989" (default,
        // as the newest Mail::DMARC: RFC 9989 DNS tree walk with np=, psd=
        // and t=y; "treewalk" and "dmarcbis" are other names for it) or
        // "rfc7489" ("psl"): the public suffix list and pct, as before 2026.
        // `np_policy` switches np= on or off whatever the discovery.
        switch try config.string("discovery")?.lowercased() ?? "rfc9989" {
        case "rfc7489", "psl": options = .rfc7489()
        case "rfc9989", "treewalk", "dmarcbis": options.discovery = .treeWalk
        case let other:
            throw (config.child("discovery") ?? config).error("expected \"rfc9989\" or \"rfc7489\", got \"\(other)\"")
        }
        options.applyNonExistentDomainPolicy = try config.bool("np_policy") ?? (options.discovery == .treeWalk)
    }

    static func disposition(_ config: ConfigNode, _ key: String, default value: DMARCPolicyAction)
        throws(ConfigurationError) -> DMARCPolicyAction {
        guard let text = try config.string(key) else { return value }
        guard let action = DMARCPolicyAction(tagValue: text) else {
            throw (config.child(key) ?? config).error("expected none, quarantine or reject, got \"\(text)\"")
        }
        return action
    }

    public func attach(peers: HandlerPeers) {
        spf = peers.first(SPFHandler.self)
        dkim = peers.first(DKIMHandler.self)
        arc = peers.first(ARCHandler.self)
        let list = publicSuffixList
        spf?.organizationalDomain = { list.organizationalDomain(of: $0) }
    }

    // MARK: Callbacks

    private func skipped(_ session: MailSession) -> Bool {
        session.isLocalIP || session.isTrustedIP || session.isAuthenticated
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        // The message starts here: nothing of an earlier MAIL FROM counts.
        let state = session.newMessageState(of: self, DMARCMessageState.self)
        guard !skipped(session), spf != nil, dkim != nil else { return }
        state.active = true
        state.envelopeFrom = address == "<>" ? "" : address
    }

    public func envelopeRecipient(_ session: MailSession, address: String) throws {
        guard let state = state(session), state.active else { return }
        let recipient = (EmailAddressParser.addresses(in: address).first ?? address).lowercased()
        if reportSkipTo.contains(recipient) { state.skipReport = true }
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        guard let state = state(session), state.active else { return }
        switch session.lowercasedHeaderName(name) {
        case "list-id", "list-post": state.isList = true
        case "from": state.fromFields.append(value)
        default: break
        }
    }

    /// At most this many From addresses (over all From fields) are used
    /// at the end of the message; the rest are not parsed. A real From field
    /// names one mailbox, rarely a few; the cap bounds the work when the
    /// `*_on_multifrom` limits are off (every distinct domain is then
    /// evaluated, as in Perl), and the memory a 1 MB header could take.
    public static let maximumFromAddresses = 1_000

    public func endOfMessage(_ session: MailSession) throws {
        guard let state = state(session), state.active, !skipped(session) else { return }
        var envelopeDomains = Self.domains(state.envelopeFrom)
        if envelopeDomains.isEmpty { envelopeDomains = [""] }
        let from = Self.fromDomains(state.fromFields, limit: Self.maximumFromAddresses)
        let headerDomains = from.domains
        guard !headerDomains.isEmpty else {
            // Nothing to evaluate: never a domain guessed from a field that
            // does not parse (the newest Perl release's strict parsing).
            let reason = from.invalid ? "from header invalid" : "no parseable from domain"
            session.addAuthResult(AuthResultsEntry(method: "dmarc", result: "permerror",
                                                   parts: [.comment(AuthResultsComment(reason))]))
            return
        }

        // The pairs in Perl's order, as far as the limits can act: past
        // the largest limit set every pair is skipped, so none is visited.
        let lastPair = [rejectOnMultiFrom, quarantineOnMultiFrom, skipOnMultiFrom].max() ?? 0
        let sortedHeaderDomains = Self.uniqueSorted(headerDomains)
        var pairs: [(envelopeDomain: String, headerDomain: String)] = []
        collecting: for envelopeDomain in Self.uniqueSorted(envelopeDomains) {
            for headerDomain in sortedHeaderDomains {
                if lastPair > 0 && pairs.count >= lastPair { break collecting }
                pairs.append((envelopeDomain, headerDomain))
            }
        }

        // Every DNS question of the pairs that will be evaluated (those
        // before the smallest limit set), asked in one batch: N unanswered
        // `_dmarc` lookups then cost one timeout, not N. The evaluations
        // below are answered from it.
        let firstLimit = [rejectOnMultiFrom, quarantineOnMultiFrom, skipOnMultiFrom].filter { $0 > 0 }.min() ?? Int.max
        let resolver = DNSPrefetchResolver(upstream: session.resolver)
        let evaluator = DMARCEvaluator(resolver: resolver, publicSuffixList: publicSuffixList, options: options)
        var questions: [DNSQuestion] = []
        var asked = Set<String>()
        for (index, pair) in pairs.enumerated() where index + 1 < firstLimit {
            guard pair.envelopeDomain.isEmpty || isValidDomain(pair.envelopeDomain) else { continue }
            if asked.insert(pair.headerDomain).inserted { questions += evaluator.questions(forFromDomain: pair.headerDomain) }
        }
        resolver.prefetch(questions)

        // Identical entries are added once (Perl's `_get_unique_dmarc_headers`):
        // each entry's text is rendered once and kept in a set.
        var entries: [(entry: AuthResultsEntry, key: String)] = []
        var seen = Set<String>()
        for pair in pairs {
            guard let entry = process(session, state, resolver: resolver, envelopeDomain: pair.envelopeDomain,
                                      headerDomain: pair.headerDomain) else { continue }
            // One pair (the usual message) has nothing to be unique among
            // or sorted with: its text is not rendered for a key.
            let key = pairs.count > 1 ? entry.sortKey : ""
            if seen.insert(key).inserted { entries.append((entry, key)) }
        }
        if strictMultiFrom && Set(headerDomains).count > 1 {
            session.setVerdict(hardReject ? .reject(Self.rejectReply) : .quarantine(Self.quarantineReason))
        }
        if entries.isEmpty {
            session.addAuthResult(AuthResultsEntry(method: "dmarc", result: "permerror"))
            return
        }
        entries.sort { DMARCResult.perlEntryOrder($0.entry, sortKey: $0.key, $1.entry, sortKey: $1.key) }
        for item in entries { session.addAuthResult(item.entry) }
    }

    // MARK: Evaluation

    /// One (envelope domain, From domain) pair: Perl's `_process_dmarc_for`.
    /// `resolver` answers from the message's prefetched batch.
    private func process(_ session: MailSession, _ state: DMARCMessageState, resolver: any DNSResolver, envelopeDomain: String,
                         headerDomain: String) -> AuthResultsEntry? {
        let key = envelopeDomain + " " + headerDomain
        guard state.processed.insert(key).inserted else { return nil }
        let count = state.processed.count
        if rejectOnMultiFrom > 0 {
            if count == rejectOnMultiFrom { session.setVerdict(.reject(Self.rejectReply)); return nil }
            if count > rejectOnMultiFrom { return nil }
        }
        if quarantineOnMultiFrom > 0 {
            if count == quarantineOnMultiFrom { session.setVerdict(.quarantine(Self.quarantineReason)); return nil }
            if count > quarantineOnMultiFrom { return nil }
        }
        if skipOnMultiFrom > 0 && count >= skipOnMultiFrom { return nil }

        if !envelopeDomain.isEmpty && !isValidDomain(envelopeDomain) {
            session.count(.dmarc, ["permerror"])
            return AuthResultsEntry(method: "dmarc", result: "permerror", parts: [
                .comment(AuthResultsComment("envelope from invalid")),
                .property(AuthResultsProperty(key: "header.from", value: headerDomain)),
            ])
        }

        let evaluator = DMARCEvaluator(resolver: resolver, publicSuffixList: publicSuffixList, options: options)
        let localSPF = spfInput(session)
        let localDKIM = dkimInputs(session)
        var result = evaluator.evaluate(DMARCRequest(fromDomain: headerDomain, spf: localSPF.map { [$0] } ?? [], dkim: localDKIM))

        let arcHandler = useARC ? arc : nil
        var arcAwareResult: String?
        if result.code == .fail, let arcHandler {
            let trusted = arcHandler.trustedAuthenticationResults(in: session)
            var spfInputs = localSPF.map { [$0] } ?? []
            if let local = localSPF, local.result == "pass", local.domain.lowercased() == headerDomain.lowercased() {
                // A matching local pass: used alone.
            } else if !trusted.isEmpty {
                spfInputs = DMARCARCResults.spf(trusted) + spfInputs
            }
            let dkimInputs = DMARCARCResults.dkim(trusted) + localDKIM
            arcAwareResult = evaluator.evaluate(DMARCRequest(fromDomain: headerDomain, spf: spfInputs, dkim: dkimInputs)).code.rawValue
        }

        var applied = result.disposition
        var overrideReason: String?
        if result.code == .fail {
            if arcAwareResult == "pass", let arcHandler {
                applied = .none
                result.reasons.append(DMARCPolicyOverrideReason(type: .localPolicy, comment: arcOverrideComment(arcHandler, session)))
            } else if isWhitelisted(session, resolver: resolver) {
                overrideReason = DMARCPolicyOverrideReason.Kind.trustedForwarder.rawValue
                result.reasons.append(DMARCPolicyOverrideReason(type: .trustedForwarder, comment: "Policy ignored due to local white list"))
                applied = .none
            } else if noListReject && state.isList {
                if arcBeforeList, let arcHandler, !arcHandler.trustedAuthenticationResults(in: session).isEmpty {
                    // A trusted ARC chain: the list exemption is not applied.
                } else {
                    overrideReason = DMARCPolicyOverrideReason.Kind.mailingList.rawValue
                    result.reasons.append(DMARCPolicyOverrideReason(type: .mailingList,
                                                                    comment: "Policy ignored due to local mailing list policy"))
                    applied = noListRejectDisposition
                }
            }
            if applied == .reject {
                if hardReject {
                    session.setVerdict(.reject(Self.rejectReply))
                } else {
                    overrideReason = DMARCPolicyOverrideReason.Kind.localPolicy.rawValue
                    result.reasons.append(DMARCPolicyOverrideReason(type: .localPolicy, comment: "Reject ignored due to local policy"))
                    applied = noRejectDisposition
                }
            }
        }
        if applied == .quarantine {
            session.setVerdict(.quarantine(Self.quarantineReason))
        }

        let entry = result.authResultsEntry(DMARCEntryContext(appliedDisposition: applied, overrideReason: overrideReason,
                                                              arcAwareResult: arcAwareResult,
                                                              hasListID: detectListID && state.isList,
                                                              policyProperties: policyProperties(result, arcAwareResult: arcAwareResult,
                                                                                                 resolver: resolver)))
        if session.metrics != nil {
            // Perl's labels for dmarc_total, in MetricFamily.dmarc's order.
            session.count(.dmarc, [result.code.rawValue, applied.rawValue, result.publishedPolicy, state.isList ? "1" : "0",
                                   overrideReason == DMARCPolicyOverrideReason.Kind.trustedForwarder.rawValue ? "1" : "0",
                                   arcAwareResult ?? MetricLabel.none, arcAwareResult == nil ? "0" : "1", result.isSubdomain ? "1" : "0"])
        }
        state.outcomes.append(Outcome(result: result, appliedDisposition: applied, overrideReason: overrideReason,
                                arcAwareResult: arcAwareResult, entry: entry))
        submitReportRow(session, state, result: result, envelopeDomain: envelopeDomain, applied: applied)
        if hideNone && result.code == .none { return nil }
        return entry
    }

    /// One aggregate report row for the spool, unless reports are off
    /// (`no_report`), a recipient is in `report_skip_to`, or the policy
    /// names no mailto: `rua` (nothing could ever be sent: nothing kept).
    private func submitReportRow(_ session: MailSession, _ state: DMARCMessageState, result: DMARCResult, envelopeDomain: String,
                                 applied: DMARCPolicyAction) {
        guard !noReport, !state.skipReport, let sink = session.reportRowSink else { return }
        var envelopeTo: String?
        if !hideReportTo, let first = session.envelopeRecipients.first {
            envelopeTo = Self.domains(first).first
        }
        let id = String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(to: 16)
            + String(UInt64.random(in: 0...UInt64.max), radix: 16).leftPadded(to: 16)
        // Perl passes `ip_address()` (Net::IP `short()` since 3.20250611).
        let sourceIP = ClientAddress(session.remoteIP)?.perlText ?? session.remoteIP
        guard var row = DMARCReportRow(result: result, id: id, arrival: Int64(time(nil)), sourceIP: sourceIP,
                                       envelopeFrom: envelopeDomain, envelopeTo: envelopeTo,
                                       appliedDisposition: applied, discoveryMethod: options.discovery.reportWord) else { return }
        // Perl's report_suppression_list and report_suppression_email_list.
        let resolver = session.resolver
        if reportSuppression.suppresses(organizationalDomain: result.organizationalDomain, resolver: resolver) { return }
        if reportSuppression.emailZone != nil {
            guard let rua = reportSuppression.filteredRUA(row.policy.rua, resolver: resolver) else { return }
            row.policy.rua = rua
        }
        sink(row)
    }

    /// `policy_rbl_lookup` for a pass or an ARC-aware pass: the From
    /// domain looked up in each list, in name order.
    private func policyProperties(_ result: DMARCResult, arcAwareResult: String?,
                                  resolver: any DNSResolver) -> [DMARCPolicyProperty] {
        guard !policyRBLLookups.isEmpty, result.code == .pass || arcAwareResult == "pass" else { return [] }
        return policyRBLLookups.compactMap { $0.property(for: result.fromDomain, resolver: resolver) }
    }

    /// Perl's ARC override comment: `arc=pass as[N].d=<d> as[N].s=<s>
    /// remote-ip[N]=<ip>` for each instance, newest first.
    private func arcOverrideComment(_ arcHandler: ARCHandler, _ session: MailSession) -> String {
        guard let verification = arcHandler.verification(in: session), verification.status == .pass else {
            return "Policy overriden using trusted ARC chain"
        }
        var comment = "arc=pass"
        for record in verification.authenticationResults.sorted(by: { $0.instance > $1.instance }) {
            let instance = record.instance
            let seal = verification.signatures.first { $0.kind == .seal && $0.instance == instance }
            comment += " as[\(instance)].d=\(seal?.domain ?? "") as[\(instance)].s=\(seal?.selector ?? "")"
            comment += " remote-ip[\(instance)]=\(DMARCARCResults.remoteIP(record))"
        }
        return comment
    }

    private func spfInput(_ session: MailSession) -> DMARCSPFInput? {
        guard let spf, let domain = spf.dmarcDomain(in: session), let result = spf.dmarcResult(in: session) else { return nil }
        let scope = spf.dmarcScope(in: session).flatMap(DMARCSPFScope.init(rawValue:)) ?? .mfrom
        return DMARCSPFInput(domain: domain, scope: scope, result: result)
    }

    private func dkimInputs(_ session: MailSession) -> [DMARCDKIMInput] {
        guard let dkim else { return [] }
        return dkim.results(in: session).map {
            DMARCDKIMInput(domain: ($0.domain ?? "").lowercased(), selector: $0.selector ?? "", result: $0.perlResult,
                           humanResult: $0.detail)
        }
    }

    private func isWhitelisted(_ session: MailSession, resolver: any DNSResolver) -> Bool {
        guard !whitelist.isEmpty else { return false }
        let spfPass = spf?.dmarcResult(in: session) == "pass" ? spf?.dmarcDomain(in: session) : nil
        let facts = DMARCWhitelistEntry.Facts(clientAddress: session.remoteIP, spfPassDomain: spfPass,
                                              dkimPassDomains: dkim?.passingDomains(in: session) ?? [], resolver: resolver)
        return whitelist.contains { $0.matches(facts) }
    }

    /// Mail::DMARC's `is_valid_domain` for the envelope domain: letters,
    /// digits and inner hyphens in labels of 1-63 (A-labels for non-ASCII
    /// are left to the list), under a public suffix (last or last two
    /// labels).
    func isValidDomain(_ raw: String) -> Bool {
        var name = raw.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !labels.isEmpty, name.utf8.count <= 253 else { return false }
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-" else { return false }
            guard label.unicodeScalars.allSatisfy({ $0.value > 127 || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
            else { return false }
        }
        if publicSuffixList.isPublicSuffix(String(labels[labels.count - 1])) { return true }
        return labels.count >= 2 && publicSuffixList.isPublicSuffix(labels.suffix(2).joined(separator: "."))
    }

    // MARK: Perl helpers

    /// Perl's `get_domains_from`: the lowercase domain of every address in
    /// the text (addresses without `@` give none), of at most `limit`
    /// addresses.
    static func domains(_ text: String, limit: Int = Int.max) -> [String] {
        EmailAddressParser.addresses(in: text, limit: limit).compactMap { address -> String? in
            let bare = address.filter { $0 != "<" && $0 != ">" }
            guard let at = bare.lastIndex(of: "@") else { return nil }
            return bare[bare.index(after: at)...].filter { $0 != " " && $0 != "\t" }.lowercased()
        }
    }

    /// The lowercased domains of the From fields' mailboxes, in order, of
    /// at most `limit` mailboxes (later fields are not read once it is
    /// reached), with the strict parser: a field that does not parse gives
    /// no domain and sets `invalid`, a group or an empty field gives none.
    static func fromDomains(_ fields: [String], limit: Int) -> (domains: [String], invalid: Bool) {
        var domains: [String] = []
        var invalid = false
        for field in fields where domains.count < limit {
            switch MailboxListParser.parse(field, keepingAtMost: limit - domains.count) {
            case .success(let list): domains += list.domains
            case .failure: invalid = true
            }
        }
        return (domains, invalid)
    }

    /// Perl's `uniq sort`: bytewise order, each value once.
    static func uniqueSorted(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.filter { seen.insert($0).inserted }
    }
}

extension String {
    /// Zero-padded on the left to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// What the DMARC handler knows of the message in flight (see `HandlerState`).
final class DMARCMessageState: HandlerState {
    /// The message is evaluated (not skipped, SPF and DKIM loaded).
    var active = false
    var envelopeFrom = ""
    var fromFields: [String] = []
    var isList = false
    var skipReport = false
    /// The (envelope domain, From domain) pairs met: their count is what
    /// the `*_on_multifrom` limits compare with.
    var processed: Set<String> = []
    var outcomes: [DMARCHandler.Outcome] = []
    init() {}
}
