#if canImport(Glibc)
import Glibc
#endif
import CShim
import IPC
import Logging
import Milter
import SystemIO

/// A connection accepted while no worker was idle.
struct WaitingConnection {
    let fd: Int32
    let listenerSpec: String
}

/// An exhausted pool answers within `connection_queue_timeout`: the master
/// accepts every connection, hands it to an idle worker, or lets it wait
/// (at most `connection_queue_size` of them, oldest served first) and
/// closes what cannot wait or has waited too long. A closed milter
/// connection makes Postfix apply its `milter_default_action` at once (a
/// communication error in milter8.c, the same path as a milter that is
/// down), so the operator's own choice, tempfail or accept, decides what
/// happens to the SMTP session; Sendmail does the same with the filter's
/// F= flags. The master never reads from these sockets: it parses nothing
/// an MTA sends (docs/security.md "An exhausted pool").
extension MasterServer {
    /// At most this many accepts per listener per loop round, so a flood
    /// of connections cannot starve signals and the children's channels.
    static let acceptsPerRound = 256

    func acceptConnections(on listener: ListenerSocket) {
        for _ in 0..<MasterServer.acceptsPerRound {
            let connection = am_accept4_cloexec(listener.fd)
            if connection < 0 {
                acceptFailed(on: listener, errno: errno)
                return
            }
            // The worker's reads rely on this bound (MilterReadDeadline):
            // a socket without it is never handed over.
            guard Self.setReceiveTimeout(connection) else {
                log.warning("SO_RCVTIMEO on a connection from \(listener.spec) failed: \(SystemIOError.text(for: errno)); closed")
                close(connection)
                continue
            }
            admit(WaitingConnection(fd: connection, listenerSpec: listener.spec))
        }
    }

    static func setReceiveTimeout(_ fd: Int32) -> Bool {
        var timeout = timeval(tv_sec: MilterReadDeadline.receiveTimeoutSeconds, tv_usec: 0)
        return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0
    }

    /// Out of descriptors (or kernel memory), the listener would stay
    /// readable and the loop spin: rest the listeners for a moment, and
    /// say so at most every 10 s.
    private func acceptFailed(on listener: ListenerSocket, errno code: Int32) {
        switch code {
        // Not retried here: the next poll round accepts again.
        case EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED:
            return
        default:
            let now = monotonicSeconds()
            acceptPausedUntil = now + 0.25
            if now - lastAcceptErrorLogged >= 10 {
                lastAcceptErrorLogged = now
                log.warning("accept on \(listener.spec) failed: \(SystemIOError.text(for: code))")
            }
        }
    }

    private var idleWorker: ChildSlot? {
        workers.values.first { $0.state == .idle }
    }

    /// A new connection goes to an idle worker only when none is waiting
    /// before it; otherwise it queues, or is closed when the queue is full.
    private func admit(_ connection: WaitingConnection) {
        serveWaitingConnections()
        if waiting.isEmpty, let slot = idleWorker {
            handOver(connection.fd, listenerSpec: connection.listenerSpec, to: slot)
        } else if waiting.enqueue(connection, now: monotonicSeconds()) {
            overload.recordQueued()
        } else {
            close(connection.fd)
            overload.recordClosedQueueFull()
        }
    }

    /// Idle workers take the waiting connections, oldest first.
    func serveWaitingConnections() {
        while !waiting.isEmpty, let slot = idleWorker, let entry = waiting.dequeue() {
            overload.recordServedFromQueue(waited: monotonicSeconds() - entry.since)
            handOver(entry.element.fd, listenerSpec: entry.element.listenerSpec, to: slot)
        }
    }

    func closeExpiredWaitingConnections() {
        for entry in waiting.removeExpired(now: monotonicSeconds()) {
            close(entry.element.fd)
            overload.recordClosedTimedOut()
        }
    }

    /// Stopping: nobody will serve them, so the MTAs hear it now.
    func closeAllWaitingConnections() {
        for entry in waiting.removeAll() { close(entry.element.fd) }
    }

    func logOverload() {
        guard let line = overload.line(now: monotonicSeconds(), maxChildren: policy.maxChildren,
                                       queueTimeout: waiting.timeoutSeconds) else { return }
        if line.warning { log.warning("\(line.text)") } else { log.info("\(line.text)") }
    }

    /// The loop wakes in time to close a connection whose wait is over.
    var pollTimeoutMilliseconds: Int32 {
        guard let seconds = waiting.secondsUntilNextExpiry(now: monotonicSeconds()) else { return 250 }
        return Int32(min(250, max(1, (seconds * 1000).rounded(.up))))
    }
}
