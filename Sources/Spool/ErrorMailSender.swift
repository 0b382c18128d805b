#if canImport(Glibc)
import Glibc
#endif
import Config
import DMARCReports
import ErrorMail
import IPC
import MailAuth
import ProcessLog
import SystemIO

/// Mails the error reports of workers and the master to `errors_to`: the
/// one place in the milter that writes them (never a worker).
///
/// Delivery is SMTP to `errors_smtp` (the local MTA, 127.0.0.1:25 by
/// default), one short blocking exchange with a 10 s timeout: rows from
/// workers wait in their channels meanwhile, and the rate limit
/// (`errors_interval`, one mail a minute by default) keeps that rare. The
/// spool's filter allows the stream socket and connect for this
/// (docs/sandbox.md, `spool-mail`). The process table is read from /proc
/// (the master, found as this process's parent, and its children).
final class ErrorMailSender {
    private(set) var mail: ErrorMail
    private(set) var limit: ErrorMailRateLimit
    private var host: String
    private var port: UInt16
    private(set) var sent = 0
    private var sequence = 0

    /// Nil without `errors_to`.
    init?(configuration c: Configuration, hostname: String) {
        guard let to = c.errorsTo else { return nil }
        mail = ErrorMail(from: c.errorsFrom ?? "authentication_milter@\(hostname)", to: to,
                         extraHeaders: c.errorsHeaders.map { ($0.name, $0.value) }, hostname: hostname)
        limit = ErrorMailRateLimit(intervalSeconds: Double(c.errorsInterval))
        (host, port) = Self.destination(c.errorsSMTP)
    }

    /// `host:port`, `[v6]:port` or a bare host (port 25).
    static func destination(_ text: String) -> (String, UInt16) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            return (host, rest.hasPrefix(":") ? UInt16(rest.dropFirst()) ?? 25 : 25)
        }
        if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            return (String(text[..<colon]), UInt16(text[text.index(after: colon)...]) ?? 25)
        }
        return (text, 25)
    }

    func reconfigure(_ c: Configuration, hostname: String) {
        guard let fresh = ErrorMailSender(configuration: c, hostname: hostname) else { return }
        mail = fresh.mail
        (host, port) = (fresh.host, fresh.port)
        if fresh.limit.intervalSeconds != limit.intervalSeconds { limit = fresh.limit }
    }

    func take(_ report: ErrorReport) {
        ChildLog.error("spool: error report from \(report.role) \(report.pid): \(report.text)")
        guard case .send(let suppressed) = limit.admit(now: monotonicSeconds()) else {
            ChildLog.warning("spool: error mail not sent (at most one per \(Int(limit.intervalSeconds))s); \(limit.suppressed) held back so far")
            return
        }
        sequence += 1
        let message = mail.message(report: report, suppressed: suppressed, processTable: Self.processTable(),
                                   date: AggregateReportEmail.rfc5322Date(Int64(time(nil))), messageID: "error.\(getpid()).\(Int(time(nil))).\(sequence)")
        let client = SMTPClient(heloName: mail.hostname, timeoutSeconds: 10)
        do {
            _ = try client.send(host: host, port: port, from: ErrorMail.envelopeAddress(mail.from),
                                recipients: [ErrorMail.envelopeAddress(mail.to)], message: message)
            sent += 1
            ChildLog.info("spool: error mail sent to \(ErrorMail.envelopeAddress(mail.to))")
        } catch {
            limit.sendFailed(suppressed: suppressed)
            ChildLog.error("spool: error mail to \(ErrorMail.envelopeAddress(mail.to)) not sent: \(error)")
        }
    }

    // MARK: The process table, from /proc

    static func processTable() -> [String] {
        guard let own = statLine(getpid()), let me = ProcessTableRow(stat: own, cmdline: []) else { return [] }
        let master = me.parentPID
        var rows: [ProcessTableRow] = []
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        // At most 65536 entries looked at: /proc is the kernel's, but bounded all the same.
        var looked = 0
        while let entry = readdir(directory), looked < 65536 {
            looked += 1
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard let pid = Int32(name), let stat = statLine(pid) else { continue }
            guard let row = ProcessTableRow(stat: stat, cmdline: readProc("/proc/\(pid)/cmdline", limit: 4096),
                                            clockTicksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))),
                                            pageKiB: sysconf(Int32(_SC_PAGESIZE)) / 1024) else { continue }
            if row.pid == master || row.parentPID == master { rows.append(row) }
        }
        let memory = String(decoding: readProc("/proc/meminfo", limit: 8192), as: UTF8.self)
        let memoryKiB = memory.split(separator: "\n").first { $0.hasPrefix("MemTotal:") }
            .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let uptime = String(decoding: readProc("/proc/uptime", limit: 256), as: UTF8.self)
        let uptimeSeconds = Double(uptime.split(separator: " ").first ?? "") ?? 0
        return ErrorMail.processTableLines(rows, memoryKiB: memoryKiB, uptimeSeconds: uptimeSeconds)
    }

    static func statLine(_ pid: Int32) -> String? {
        let bytes = readProc("/proc/\(pid)/stat", limit: 4096)
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// A /proc file, at most `limit` bytes; empty when it cannot be read
    /// (the process is gone, or hidepid hides it). O_NOFOLLOW: /proc's own
    /// entries are not links, anything else is not followed.
    static func readProc(_ path: String, limit: Int) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while out.count < limit {
            guard let n = try? SystemCall.readSome(fd: fd, into: &chunk), n > 0 else { break }
            out += chunk[0..<min(n, limit - out.count)]
        }
        return out
    }
}
