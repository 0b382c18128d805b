#if canImport(Glibc)
import Glibc
#endif
import Shared

/// Serves the master channel and every worker channel from one poll loop.
final class SpoolLoop {
    let master: IPCChannel
    var workers: [IPCChannel] = []

    init(master: IPCChannel) { self.master = master }

    func run() -> Never {
        while true {
            // Channels added while handling the master join the next round.
            let polled = workers
            var fds = [pollfd(fd: master.fd, events: Int16(POLLIN), revents: 0)]
            for channel in polled { fds.append(pollfd(fd: channel.fd, events: Int16(POLLIN), revents: 0)) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 { if errno == EINTR { continue }; exit(1) }
            if fds[0].revents != 0 {
                if !master.fill() { exit(0) }
                while let frame = master.nextFrame() {
                    let fd = master.takeDescriptor()
                    if frame.kind == MasterIPC.newChannel && fd >= 0 { workers.append(IPCChannel(fd: fd)) }
                }
                if master.isClosed { exit(0) }
            }
            var closed: Set<Int32> = []
            for (index, channel) in polled.enumerated() where fds[index + 1].revents != 0 {
                if !channel.fill() { closed.insert(channel.fd); continue }
                while let frame = channel.nextFrame() {
                    ChildLog.debug("spool: work item of kind \(frame.kind), \(frame.payload.count) bytes (no consumer yet)")
                }
                if channel.isClosed { closed.insert(channel.fd) }
            }
            if !closed.isEmpty {
                for fd in closed { close(fd) }
                workers.removeAll { closed.contains($0.fd) }
            }
        }
    }
}
