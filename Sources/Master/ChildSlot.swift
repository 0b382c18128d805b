#if canImport(Glibc)
import Glibc
#endif
import IPC
import MasterSupport
import Sandbox
import SystemIO

/// The master's view of one child process.
final class ChildSlot {
    enum Role: String { case worker, dns, spool, scan, bimiFetch = "bimi-fetch" }
    enum State { case starting, idle, busy, retiring }

    let role: Role
    let process: ChildProcess
    let channel: IPCChannel
    var state: State = .starting {
        didSet {
            if state == .busy && oldValue != .busy { busySince = monotonicSeconds() }
            if state == .idle && oldValue != .idle { idleSince = monotonicSeconds() }
        }
    }
    /// When the worker last became idle: the master prefers the worker
    /// idle for the shortest time (`WarmWorkerPreference`).
    var idleSince = 0.0
    /// When the connection in hand was given, for the hung-worker watchdog.
    var busySince = 0.0
    var startedAt = monotonicSeconds()
    var logBuffer: [UInt8] = []
    var logOpen = true
    var connectionsServed = 0
    /// The `BlockerRuleSource.generation` this worker last received.
    var blockerGeneration = 0

    init(role: Role, process: ChildProcess) {
        self.role = role
        self.process = process
        // What the master accepts from this child: a worker's three
        // announcements; nothing at all from a helper.
        switch role {
        case .worker: self.channel = IPCChannel(fd: process.channel, receiving: WorkerToMaster.self)
        case .dns, .spool, .scan, .bimiFetch: self.channel = IPCChannel(fd: process.channel, receiving: HelperToMaster.self)
        }
        _ = fcntl(process.channel, F_SETFL, fcntl(process.channel, F_GETFL) | O_NONBLOCK)
        _ = fcntl(process.logPipe, F_SETFL, fcntl(process.logPipe, F_GETFL) | O_NONBLOCK)
    }

    var pid: pid_t { process.pid }

    /// Reads what the child wrote to stderr and relays whole lines.
    /// What one read of the log pipe takes, kept between reads.
    private var logChunk = [UInt8](repeating: 0, count: 8192)

    func drainLog() {
        guard logOpen, !descriptorsClosed else { return }
        while true {
            let n = logChunk.withUnsafeMutableBytes { read(process.logPipe, $0.baseAddress, $0.count) }
            if n > 0 {
                logBuffer.append(contentsOf: logChunk[0..<n])
                // A short read emptied the pipe: poll says when there is
                // more, no read needs to come back with EAGAIN (issue 12).
                if n < logChunk.count { break }
                continue
            }
            if n == 0 { logOpen = false }
            break
        }
        // Every whole line, then the consumed bytes dropped at once (not
        // the rest of the buffer moved down after each line).
        var start = logBuffer.startIndex
        while let newline = logBuffer[start...].firstIndex(of: 0x0a) {
            let line = String(decoding: logBuffer[start..<newline], as: UTF8.self)
            start = newline + 1
            if !line.isEmpty { MasterLog.relay(role: role.rawValue, pid: pid, line: SeccompViolationReport.named(line)) }
        }
        logBuffer.removeSubrange(..<start)
        // A child flooding without newlines must not grow the master.
        if logBuffer.count > 65536 {
            MasterLog.relay(role: role.rawValue, pid: pid, line: String(decoding: logBuffer.prefix(4096), as: UTF8.self) + " [truncated]")
            logBuffer.removeAll()
        }
        if !logOpen && !logBuffer.isEmpty {
            MasterLog.relay(role: role.rawValue, pid: pid, line: String(decoding: logBuffer, as: UTF8.self))
            logBuffer.removeAll()
        }
    }

    /// Set once the child is reaped and its descriptors closed: their
    /// numbers may already belong to something else (the next accepted
    /// MTA connection), so nothing may read them again.
    private(set) var descriptorsClosed = false

    func closeDescriptors() {
        guard !descriptorsClosed else { return }
        drainLog()
        descriptorsClosed = true
        close(process.channel)
        close(process.logPipe)
    }
}
