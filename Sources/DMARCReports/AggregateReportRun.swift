#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import SystemIO

/// One run of `dmarc_send_reports`: every row waiting in the store becomes
/// part of one report per policy domain, each report goes to the `rua`
/// destinations that pass RFC 7489 section 7.1 verification, and the
/// outcome of every attempt is recorded in the store:
///
/// - accepted for at least one destination: `sent`, rows marked;
/// - no usable destination (none verified, all too small for the report,
///   all refused permanently): `refused`, rows marked, never retried;
/// - a temporary failure (DNS, SMTP 4xx, connection): `deferred`, rows
///   stay pending and join the next run's report.
///
/// Reports go to `report_smarthost` when set (one transaction with every
/// destination), else to each destination domain's MX on port 25.
public struct AggregateReportRun {
    public struct Options {
        /// Build and show, but neither send nor change the store.
        public var dryRun = false
        /// Also write each report's `.xml.gz` here.
        public var outputDirectory: String?
        /// The end of the reporting period (tests fix it).
        public var now: Int64
        public init(dryRun: Bool = false, outputDirectory: String? = nil, now: Int64) {
            self.dryRun = dryRun
            self.outputDirectory = outputDirectory
            self.now = now
        }
    }

    /// What happened to one policy domain's report.
    public struct Outcome: Sendable, Equatable {
        public var attempt: DMARCReportAttempt
        public var rows: Int
        public var filename: String
        /// One line per destination decision or delivery.
        public var notes: [String]
    }

    public let settings: DMARCReportSettings
    public let store: DMARCReportStore
    public let resolver: any DNSResolver
    public let organizationalDomain: (String) -> String
    public let smtp: SMTPClient

    public init(settings: DMARCReportSettings, store: DMARCReportStore, resolver: any DNSResolver,
                organizationalDomain: @escaping (String) -> String, smtp: SMTPClient) {
        self.settings = settings
        self.store = store
        self.resolver = resolver
        self.organizationalDomain = organizationalDomain
        self.smtp = smtp
    }

    public var reporter: DMARCReporter {
        DMARCReporter(orgName: settings.orgName, email: settings.orgEmail, domain: settings.orgDomain,
                      extraContactInfo: settings.extraContactInfo)
    }

    public func run(_ options: Options) throws(ReportError) -> (outcomes: [Outcome], unreadable: [String]) {
        var outcomes: [Outcome] = []
        var unreadable: [String] = []
        // One policy domain's rows in memory at a time: a busy receiver may
        // hold millions of rows, spread over many domains.
        for domain in try store.pendingCounts().map(\.policyDomain) {
            let pending = try store.pendingRows(before: options.now + 1, policyDomain: domain)
            unreadable += pending.unreadable
            let groups = AggregateReport.group(rows: pending.rows)
            guard let policyDomain = groups.keys.sorted().first, let rows = groups[policyDomain], !rows.isEmpty else { continue }
            let begin = rows.map(\.arrival).min() ?? options.now
            let reportID = Self.reportID(end: options.now)
            guard let report = AggregateReport(reporter: reporter, reportID: reportID, begin: begin, end: options.now,
                                               policyDomain: policyDomain, rows: rows,
                                               format: settings.reportFormat) else { continue }
            var outcome = deliver(report, rows: rows, options: options)
            if !options.dryRun {
                try store.record(outcome.attempt, rowIDs: rows.map(\.id))
            }
            outcome.rows = rows.count
            outcomes.append(outcome)
        }
        return (outcomes, unreadable)
    }

    /// A report id unique per run and domain: the period end and 64 random
    /// bits (no `@`, which some parsers cut at).
    static func reportID(end: Int64) -> String {
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "\(end)." + String(repeating: "0", count: 16 - random.count) + random
    }

    private func deliver(_ report: AggregateReport, rows: [DMARCReportRow], options: Options) -> Outcome {
        var notes: [String] = []
        let uris = report.policy.rua.split(separator: ",").compactMap { DMARCReportURI(entry: $0) }
        let decisions = ReportDestinationVerifier.decide(policyDomain: report.policyDomain, uris: uris, resolver: resolver,
                                                          organizationalDomain: organizationalDomain)
        var destinations: [(address: String, limit: UInt64?)] = []
        var temporary = false
        for (uri, decision) in zip(uris, decisions) {
            switch decision {
            case .send(let address, let limit):
                if !destinations.contains(where: { $0.address.lowercased() == address.lowercased() }) {
                    destinations.append((address, limit))
                }
            case .refuse(let reason):
                notes.append("\(uri.uri): \(reason)")
            case .retryLater(let reason):
                notes.append("\(uri.uri): \(reason)")
                temporary = true
            }
        }
        if uris.isEmpty { notes.append("rua \"\(report.policy.rua)\" names no usable URI") }
        // Built once for its size and the file copy; without destinations
        // the file copy is addressed to ourselves.
        let email = AggregateReportEmail(report: report, to: destinations.isEmpty ? [settings.orgEmail] : destinations.map(\.address),
                                         date: options.now)
        if let dir = options.outputDirectory {
            if let problem = Self.write(email.gzip, to: dir + "/" + email.filename) { notes.append(problem) }
        }
        // A destination whose size limit the report exceeds is skipped
        // (RFC 7489 section 7.2.1: the limit is the receiver's to set).
        let size = UInt64(email.bytes.count)
        let fitting = destinations.filter { destination in
            guard let limit = destination.limit, size > limit else { return true }
            notes.append("\(destination.address): report of \(size) bytes exceeds the published limit of \(limit)")
            return false
        }
        func attempt(_ status: DMARCReportAttempt.Status, _ detail: String, _ to: [String]) -> Outcome {
            Outcome(attempt: DMARCReportAttempt(reportID: report.reportID, policyDomain: report.policyDomain, begin: report.begin,
                                                end: report.end, messages: Int64(report.messageCount), destinations: to,
                                                status: status, detail: detail, attemptedAt: options.now),
                    rows: rows.count, filename: email.filename, notes: notes)
        }
        guard !fitting.isEmpty else {
            return attempt(temporary ? .deferred : .refused, notes.last ?? "no destination", [])
        }
        let addresses = fitting.map(\.address)
        if options.dryRun {
            return attempt(.deferred, "dry run: not sent", addresses)
        }
        // The message names every verified destination; each transaction
        // carries the ones its server is responsible for.
        let message = AggregateReportEmail(report: report, gzip: email.gzip, to: addresses, date: options.now).bytes
        var accepted: [String] = []
        var permanentFailures = 0
        var detail: [String] = []
        for (route, recipients) in routes(for: addresses) {
            switch send(message, to: recipients, route: route) {
            case .success(let delivered):
                accepted += delivered.accepted
                detail.append("\(route): \(delivered.reply)")
            case .failure(let error):
                // Only the destination refusing the address or the report
                // is final. Anything the smarthost says, and a refusal
                // before RCPT (our HELO name, our sender address, relay
                // not allowed), is ours to fix: the rows wait.
                let destinationRefused = error.isPermanent && settings.smarthost == nil
                    && (error.stage == .recipient || error.stage == .data || error.stage == .message
                        || error.stage == .connect) // null MX, no such domain
                if destinationRefused { permanentFailures += recipients.count } else { temporary = true }
                detail.append("\(route): \(error)")
            }
        }
        notes += detail
        let summary = detail.joined(separator: "; ")
        if !accepted.isEmpty { return attempt(.sent, summary, accepted) }
        if temporary { return attempt(.deferred, summary, addresses) }
        return attempt(.refused, summary, addresses)
    }

    /// Destinations grouped by where they are sent: the smarthost for all,
    /// or one group per destination domain (its MX hosts).
    private func routes(for addresses: [String]) -> [(String, [String])] {
        if let smarthost = settings.smarthost { return [(smarthost, addresses)] }
        var order: [String] = []
        var byDomain: [String: [String]] = [:]
        for address in addresses {
            let domain = String(address[address.index(after: address.lastIndex(of: "@") ?? address.startIndex)...]).lowercased()
            if byDomain[domain] == nil { order.append(domain) }
            byDomain[domain, default: []].append(address)
        }
        return order.map { ("mx:" + $0, byDomain[$0] ?? []) }
    }

    private struct Delivered {
        var accepted: [String]
        var reply: String
    }

    private func send(_ message: [UInt8], to recipients: [String], route: String) -> Result<Delivered, ReportError> {
        var hosts: [(String, UInt16)] = []
        if route.hasPrefix("mx:") {
            switch MailExchangerRoute.find(for: String(route.dropFirst(3)), resolver: resolver) {
            case .hosts(let found): hosts = found.map { ($0.name, 25) }
            case .unroutable(let reason, let temporary):
                return .failure(ReportError(stage: .connect, detail: reason, isPermanent: !temporary))
            }
        } else {
            hosts = [Self.hostAndPort(route)]
        }
        var lastError = ReportError(stage: .connect, detail: "no host to try", isPermanent: false)
        for (host, port) in hosts {
            do {
                let delivery = try smtp.send(host: host, port: port, from: settings.orgEmail, recipients: recipients, message: message)
                return .success(Delivered(accepted: delivery.accepted, reply: "\(delivery.dataReply.code) \(delivery.dataReply.lines.last ?? "")"))
            } catch {
                lastError = error
                // A permanent refusal from one MX is the domain's answer.
                if error.isPermanent && error.stage != .connect { return .failure(error) }
            }
        }
        return .failure(lastError)
    }

    /// `host`, `host:port`, `[v6]:port`; port 25 when absent.
    static func hostAndPort(_ text: String) -> (String, UInt16) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()) { return (host, port) }
            return (host, 25)
        }
        if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon, let port = UInt16(text[text.index(after: colon)...]) {
            return (String(text[..<colon]), port)
        }
        return (text, 25)
    }

    /// Writes a file; a message when it could not.
    static func write(_ bytes: [UInt8], to path: String) -> String? {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return "cannot write \(path): \(SystemIOError.text(for: errno))" }
        defer { close(fd) }
        do {
            try SystemCall.writeAll(fd: fd, bytes: bytes)
            return nil
        } catch {
            return "cannot write \(path): \(error.reason)"
        }
    }
}
