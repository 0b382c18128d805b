#if canImport(Glibc)
import Glibc
#endif
import CShim
import IPC
import Logging
import MasterSupport
import Milter
import SystemIO

/// A connection accepted while no worker was idle, or held a moment for
/// a warm one (`held`: a cold worker was idle; not an overload).
struct WaitingConnection {
    let fd: Int32
    let listenerSpec: String
    var held = false
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

    /// The idle worker idle for the shortest time (`WarmWorkerPreference`).
    private var mostRecentlyIdleWorker: ChildSlot? {
        WarmWorkerPreference.mostRecentlyIdle(workers.values.lazy.filter { $0.state == .idle }) { $0.idleSince }
    }

    private var anyWorkerBusy: Bool { workers.values.contains { $0.state == .busy } }

    /// A new connection goes to an idle worker only when none is waiting
    /// before it and that worker may take it now (`WarmWorkerPreference`).
    /// Otherwise, with a worker idle, it is held a moment (not an
    /// overload; should the queue be unable to hold it, the idle worker
    /// takes it at once); with none idle, it queues, or is closed when the
    /// queue is full.
    private func admit(_ connection: WaitingConnection) {
        serveWaitingConnections()
        let now = monotonicSeconds()
        if let slot = mostRecentlyIdleWorker {
            var held = connection
            held.held = true
            let takesNow = waiting.isEmpty
                && warmPreference.takesNow(idleSince: slot.idleSince, arrivedAt: now, anotherWorkerBusy: anyWorkerBusy, now: now)
            if takesNow || !waiting.enqueue(held, now: now) {
                handOver(connection.fd, listenerSpec: connection.listenerSpec, to: slot)
            }
        } else if waiting.enqueue(connection, now: now) {
            overload.recordQueued()
        } else {
            close(connection.fd)
            overload.recordClosedQueueFull()
        }
    }

    /// Idle workers take the waiting connections, oldest first, each as
    /// soon as `WarmWorkerPreference` lets it go to the idle worker idle
    /// for the shortest time.
    func serveWaitingConnections() {
        while let first = waiting.entries.first, let slot = mostRecentlyIdleWorker {
            let now = monotonicSeconds()
            guard warmPreference.takesNow(idleSince: slot.idleSince, arrivedAt: first.since,
                                          anotherWorkerBusy: anyWorkerBusy, now: now),
                  let entry = waiting.dequeue() else { break }
            if !entry.element.held { overload.recordServedFromQueue(waited: now - entry.since) }
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

    /// The loop wakes in time to close a connection whose wait is over,
    /// or to give a connection held for a warm worker to a cold one.
    var pollTimeoutSeconds: Double {
        let now = monotonicSeconds()
        guard let expiry = waiting.secondsUntilNextExpiry(now: now) else { return 0.25 }
        var seconds = expiry
        if let first = waiting.entries.first, mostRecentlyIdleWorker != nil {
            seconds = min(seconds, warmPreference.holdEnds(arrivedAt: first.since) - now)
        }
        // Never a busy loop: at least 50 µs (a hold that has just ended
        // is served at the top of the next round).
        return min(0.25, max(0.00005, seconds))
    }
}
