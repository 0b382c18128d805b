#if canImport(Glibc)
import Glibc
#endif
import CShim
import Metrics
import SystemIO

/// The metrics endpoint (`metric_connection`): an HTTP server inside the
/// master's poll loop, never blocking it. One request per connection, the
/// head at most `MetricsHTTPRequest.maximumBytes`, at most
/// `maximumConnections` at once, each closed at `metric_timeout` whatever
/// state it is in; the request is read by the pure `MetricsHTTPRequest`,
/// the answer is written as far as the socket takes it on each round.
final class MetricsEndpoint {
    static let maximumConnections = 16

    final class Connection {
        let fd: Int32
        let deadline: Double
        var received: [UInt8] = []
        var response: [UInt8]?
        var written = 0

        init(fd: Int32, deadline: Double) {
            self.fd = fd
            self.deadline = deadline
        }
    }

    let listener: ListenerSocket
    var timeoutSeconds: Double
    private(set) var connections: [Connection] = []

    init(listener: ListenerSocket, timeoutSeconds: Double) {
        self.listener = listener
        self.timeoutSeconds = timeoutSeconds
    }

    /// The descriptors to poll this round: the listener, then each
    /// connection, for reading until its answer is ready, then for writing.
    var pollDescriptors: [pollfd] {
        var fds = [pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)]
        for connection in connections {
            fds.append(pollfd(fd: connection.fd, events: Int16(connection.response == nil ? POLLIN : POLLOUT), revents: 0))
        }
        return fds
    }

    /// After poll: `ready` is what `pollDescriptors` gave, with revents.
    /// `answer` builds the response to a parsed request.
    func process(_ ready: ArraySlice<pollfd>, answer: (MetricsHTTPRequest) -> MetricsHTTPResponse) {
        let polled = Array(ready)
        guard !polled.isEmpty else { return }
        let snapshot = connections
        for (index, connection) in snapshot.enumerated() where index + 1 < polled.count && polled[index + 1].revents != 0 {
            if connection.response == nil { read(connection, answer: answer) } else { write(connection) }
        }
        if polled[0].revents != 0 { accept() }
        closeExpired()
    }

    func accept() {
        for _ in 0..<Self.maximumConnections {
            let fd = am_accept4_cloexec(listener.fd)
            if fd < 0 { return }
            guard connections.count < Self.maximumConnections else {
                // Full: refused at once rather than queued.
                close(fd)
                continue
            }
            _ = am_set_nonblocking(fd, 1)
            connections.append(Connection(fd: fd, deadline: monotonicSeconds() + timeoutSeconds))
        }
    }

    func read(_ connection: Connection, answer: (MetricsHTTPRequest) -> MetricsHTTPResponse) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let room = MetricsHTTPRequest.maximumBytes + 4 - connection.received.count
        let count: Int
        do {
            count = try SystemCall.receiveSome(socket: connection.fd, into: &buffer, limit: max(1, room))
        } catch {
            if error.errno == EAGAIN || error.errno == EWOULDBLOCK { return }
            finish(connection)
            return
        }
        guard count > 0 else { finish(connection); return }
        connection.received += buffer[0..<count]
        let response: [UInt8]
        switch MetricsHTTPRequest.parse(connection.received) {
        case .incomplete:
            return
        case .refused(let status):
            response = MetricsHTTPResponse(refusal: status).bytes()
        case .request(let request):
            response = answer(request).bytes(headOnly: request.headOnly)
        }
        connection.received = []
        connection.response = response
        write(connection)
    }

    func write(_ connection: Connection) {
        guard let response = connection.response else { return }
        do {
            connection.written += try SystemCall.sendAll(socket: connection.fd, bytes: response, from: connection.written,
                                                         flags: Int32(MSG_DONTWAIT), whenFull: .stop)
        } catch {
            finish(connection)
            return
        }
        if connection.written >= response.count { finish(connection) }
    }

    func closeExpired() {
        let now = monotonicSeconds()
        for connection in connections where now > connection.deadline { finish(connection) }
    }

    func finish(_ connection: Connection) {
        guard let index = connections.firstIndex(where: { $0 === connection }) else { return }
        close(connection.fd)
        connections.remove(at: index)
    }

    func closeAll() {
        for connection in connections { close(connection.fd) }
        connections = []
        close(listener.fd)
    }
}
