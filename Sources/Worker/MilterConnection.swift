#if canImport(Glibc)
import Glibc
#endif
import Shared
import Handlers
import Milter

/// One MTA connection in milter mode: read packets, dispatch, write
/// replies. Malformed input, a stalled peer or an I/O error ends this
/// connection with a log line; nothing here can take the worker down.
struct MilterConnection {
    let socket: Int32
    let listener: String
    let worker: WorkerProcess

    /// How long the MTA may stay silent between packets. Postfix's own
    /// milter timeouts are shorter, so this only catches dead peers.
    var idleTimeoutSeconds: Double {
        let c = worker.configuration
        return max(c.contentTimeout ?? 0, c.commandTimeout ?? 0, c.connectTimeout ?? 0, 300) + 30
    }

    func serve() {
        let session = MailSession(resolver: worker.resolver)
        let spool = worker.spool
        session.reportRowSink = { spool.submit($0) }
        let dispatcher = MilterDispatcher(handlers: worker.handlers, session: session, settings: worker.settings, clock: monotonicSeconds)
        var decoder = MilterDecoder()
        var chunk = [UInt8](repeating: 0, count: 65536)
        defer {
            // Whatever ended the connection, handlers forget it.
            _ = dispatcher.handle(.quitNewConnection)
            for line in dispatcher.drainLog() { ChildLog.warning(line) }
        }
        while !dispatcher.finished {
            var p = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(idleTimeoutSeconds * 1000))
            if ready == 0 {
                ChildLog.warning("milter peer silent for \(Int(idleTimeoutSeconds))s on \(listener); closing connection")
                return
            }
            if ready < 0 { if errno == EINTR { continue }; return }
            let n = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            if n == 0 { return }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                ChildLog.warning("milter connection read error: \(String(cString: strerror(errno)))")
                return
            }
            decoder.append(chunk[0..<n])
            while true {
                let packet: MilterPacket?
                do {
                    packet = try decoder.nextPacket()
                } catch {
                    ChildLog.error("malformed milter packet from \(listener): \(error); closing connection")
                    return
                }
                guard let packet else { break }
                let limit = dispatcher.stageLimit(for: packet.command)
                if let limit {
                    StageAlarm.arm(socket: socket, stage: limit.stage, seconds: limit.seconds,
                                   replies: dispatcher.repliesForStageTimeout(), listener: listener)
                }
                let replies = dispatcher.handle(packet: packet)
                if limit != nil { StageAlarm.disarm() }
                for line in dispatcher.drainLog() { ChildLog.warning(line) }
                var out: [UInt8] = []
                for reply in replies { out.append(contentsOf: reply.encoded()) }
                if !out.isEmpty && !writeAll(out) {
                    ChildLog.warning("milter connection write error: \(String(cString: strerror(errno)))")
                    return
                }
                if dispatcher.finished { return }
            }
        }
    }

    func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            // send(MSG_NOSIGNAL): a vanished MTA must not SIGPIPE the worker.
            let n = bytes.withUnsafeBytes { send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 { if errno == EINTR { continue }; return false }
            offset += n
        }
        return true
    }
}
