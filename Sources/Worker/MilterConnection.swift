#if canImport(Glibc)
import Glibc
#endif
import Handlers
import IPC
import MailAuth
import Milter
import ProcessLog
import SystemIO

/// One MTA connection in milter mode: read packets, dispatch, write
/// replies. Malformed input, a stalled peer or an I/O error ends this
/// connection with a log line; nothing here can take the worker down.
struct MilterConnection {
    let socket: Int32
    let listener: String
    let worker: WorkerProcess

    /// How long the MTA may take over one command in total, and over one
    /// packet once it has started (MilterReadDeadline; docs/security.md
    /// "Slow peers"). Postfix's own milter timeouts are shorter, so these
    /// only catch dead, stalled or hostile peers.
    func readDeadline(now: Double) -> MilterReadDeadline {
        let c = worker.configuration
        return MilterReadDeadline(
            idleSeconds: MilterReadDeadline.idleSeconds(connectTimeout: c.connectTimeout, commandTimeout: c.commandTimeout,
                                                        contentTimeout: c.contentTimeout),
            packetSeconds: MilterReadDeadline.packetSeconds(commandTimeout: c.commandTimeout), now: now)
    }

    func serve() {
        let session = worker.makeSession()
        let dispatcher = MilterDispatcher(handlers: worker.handlers, session: session, settings: worker.settings, clock: monotonicSeconds)
        var decoder = MilterDecoder()
        var chunk = [UInt8](repeating: 0, count: 65536)
        var deadline = readDeadline(now: monotonicSeconds())
        defer {
            // Whatever ended the connection, handlers forget it.
            _ = dispatcher.handle(.quitNewConnection)
            for line in dispatcher.drainLog() { ChildLog.warning(line) }
        }
        while !dispatcher.finished {
            // One deadline for the whole wait, not a fresh timeout per
            // read: a byte now and then must not keep the worker for ever.
            if let expiry = deadline.expired(now: monotonicSeconds()) {
                logExpiry(expiry, deadline: deadline, buffered: decoder.bufferedByteCount)
                return
            }
            // The master set a receive timeout on the socket, so a read
            // far from the deadline blocks at most that long; near it,
            // poll for exactly what is left.
            if !deadline.blockingReadFits(now: monotonicSeconds()) {
                var p = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
                // An interruption counts as nothing ready: the deadline is
                // looked at again first.
                guard let ready = try? SystemCall.poll(&p, timeoutMilliseconds: deadline.pollMilliseconds(now: monotonicSeconds())) else { return }
                if ready == 0 { continue }
            }
            let n: Int
            do {
                n = try SystemCall.readSome(fd: socket, into: &chunk)
            } catch where error.wouldBlock {
                continue
            } catch {
                ChildLog.warning("milter connection read error: \(error.reason)")
                return
            }
            if n == 0 { return }
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
                if let limit { worker.prepareStageReport(stage: limit.stage, seconds: limit.seconds, session: session, listener: listener) }
                if let limit {
                    StageAlarm.arm(socket: socket, stage: limit.stage, seconds: limit.seconds,
                                   tempfail: dispatcher.stageTimeoutTempfails, listener: listener)
                }
                let replies = dispatcher.handle(packet: packet)
                if limit != nil { StageAlarm.disarm() }
                for line in dispatcher.drainLog() { ChildLog.warning(line) }
                var out: [UInt8] = []
                for reply in replies { out.append(contentsOf: reply.encoded()) }
                do {
                    // send(MSG_NOSIGNAL): a vanished MTA must not SIGPIPE the worker.
                    try SystemCall.sendAll(socket: socket, bytes: out)
                } catch {
                    ChildLog.warning("milter connection write error: \(error.reason)")
                    return
                }
                if dispatcher.finished { return }
                deadline.commandCompleted(now: monotonicSeconds())
            }
            deadline.received(bufferedBytes: decoder.bufferedByteCount, now: monotonicSeconds())
        }
    }

    func logExpiry(_ expiry: MilterReadDeadline.Expiry, deadline: MilterReadDeadline, buffered: Int) {
        switch expiry {
        case .idle:
            ChildLog.warning("milter peer sent no complete command for \(Int(deadline.idleSeconds))s on \(listener); closing connection")
        case .packet:
            ChildLog.warning("milter packet on \(listener) incomplete after \(deadline.packetSeconds)s (\(buffered) bytes so far); closing connection")
        }
    }
}
