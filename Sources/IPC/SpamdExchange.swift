#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import SystemIO

/// One request to spamd on its own connection, without ever blocking:
/// connect (SOCK_NONBLOCK), send the request, read the reply until spamd
/// closes or the reply is whole (`SpamdReply.isComplete`), at most
/// `SpamdReply.maximumBytes`. A poll loop drives it (`pollEvents`,
/// `handle(revents:)`) and owns the deadline (`timedOut()`); `run` drives
/// one exchange alone. Used by the scanner process; a worker never opens a
/// socket (docs/security.md, "SpamAssassin").
public final class SpamdExchange {
    public enum Phase: Sendable, Equatable { case connecting, sending, receiving }
    public enum Progress: Sendable, Equatable { case pending, finished(SpamdScanOutcome) }

    public let fd: Int32
    public let address: SpamdAddress
    public private(set) var phase: Phase
    private let request: [UInt8]
    private var sent = 0
    private var reply: [UInt8] = []
    /// Why sending stopped early (spamd may answer and close before it has
    /// read everything, e.g. with an error reply).
    private var sendError: String?

    /// Starts connecting. A failure at once (no socket, connection refused
    /// on a unix socket) is the failed outcome.
    public static func start(_ address: SpamdAddress, request: [UInt8]) -> Result<SpamdExchange, SpamdFailure> {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(.unreachable("socket: \(SystemIOError.text(for: errno))")) }
        let connected = address.withSockaddr { connect(fd, $0, $1) }
        if connected != 0 && errno != EINPROGRESS {
            let code = errno
            close(fd)
            return .failure(.unreachable("connect to \(address): \(SystemIOError.text(for: code))"))
        }
        return .success(SpamdExchange(fd: fd, address: address, request: request, connected: connected == 0))
    }

    private init(fd: Int32, address: SpamdAddress, request: [UInt8], connected: Bool) {
        self.fd = fd
        self.address = address
        self.request = request
        phase = connected ? .sending : .connecting
    }

    deinit { close(fd) }

    public var pollEvents: Int16 {
        switch phase {
        case .connecting, .sending: return Int16(POLLOUT)
        case .receiving: return Int16(POLLIN)
        }
    }

    /// What the deadline means in the phase it found the exchange in.
    public func timedOut() -> SpamdScanOutcome {
        switch phase {
        case .connecting: return .failed(.timeout("connecting to \(address)"))
        case .sending: return .failed(.timeout("sending the message to \(address) (\(sent) of \(request.count) bytes)"))
        case .receiving: return .failed(.timeout("waiting for the reply of \(address) (\(reply.count) bytes so far)"))
        }
    }

    /// Advances after poll reported `revents`.
    public func handle(revents: Int16) -> Progress {
        if phase == .connecting {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else {
                return .finished(.failed(.unreachable("connect to \(address): \(SystemIOError.text(for: errno))")))
            }
            if error != 0 {
                return .finished(.failed(.unreachable("connect to \(address): \(SystemIOError.text(for: error))")))
            }
            // Not connected yet (a spurious wake-up): wait more.
            if revents & Int16(POLLOUT) == 0 { return .pending }
            phase = .sending
        }
        if phase == .sending {
            do {
                sent += try SystemCall.sendAll(socket: fd, bytes: request, from: sent, flags: Int32(MSG_DONTWAIT), whenFull: .stop)
            } catch {
                // What spamd said before it stopped reading may be waiting.
                sendError = error.reason
                phase = .receiving
                return receive()
            }
            if sent == request.count { phase = .receiving }
            return .pending
        }
        return receive()
    }

    private func receive() -> Progress {
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let room = SpamdReply.maximumBytes + 1 - reply.count
            let n: Int
            do {
                n = try SystemCall.receiveSome(socket: fd, into: &chunk, limit: min(chunk.count, room), flags: Int32(MSG_DONTWAIT))
            } catch where error.wouldBlock {
                return .pending
            } catch {
                return .finished(ended(why: error.reason))
            }
            if n == 0 { return .finished(ended(why: nil)) }
            reply.append(contentsOf: chunk[0..<n])
            if reply.count > SpamdReply.maximumBytes {
                return .finished(.failed(.protocolError("the reply is longer than \(SpamdReply.maximumBytes) bytes")))
            }
            if SpamdReply.isComplete(reply) { return .finished(SpamdReply.parse(reply)) }
        }
    }

    /// The connection ended (spamd closed it, or it broke): the reply is
    /// what arrived.
    private func ended(why: String?) -> SpamdScanOutcome {
        if reply.isEmpty {
            let reason = sendError.map { "sending: \($0)" } ?? why.map { "receiving: \($0)" } ?? "closed without a reply"
            return .failed(.protocolError("\(address) \(reason)"))
        }
        return SpamdReply.parse(reply)
    }

    /// One exchange on its own, for at most `timeoutSeconds`.
    public static func run(_ address: SpamdAddress, request: [UInt8], timeoutSeconds: Double) -> SpamdScanOutcome {
        let exchange: SpamdExchange
        switch start(address, request: request) {
        case .failure(let failure): return .failed(failure)
        case .success(let started): exchange = started
        }
        let deadline = monotonicSeconds() + timeoutSeconds
        while true {
            var fds = [pollfd(fd: exchange.fd, events: exchange.pollEvents, revents: 0)]
            guard let ready = try? SystemCall.poll(&fds, deadline: deadline) else { return exchange.timedOut() }
            if ready == 0 {
                if monotonicSeconds() >= deadline { return exchange.timedOut() }
                continue
            }
            if case .finished(let outcome) = exchange.handle(revents: fds[0].revents) { return outcome }
        }
    }
}

/// Scans by talking to spamd directly from the calling process: for tests
/// and tools. A worker has no socket calls (its seccomp filter refuses
/// them) and scans through the scanner process (`ScannerClient`).
public final class DirectSpamdScanner: SpamdScanning {
    public let address: SpamdAddress
    public let timeoutSeconds: Double

    public init(address: SpamdAddress, timeoutSeconds: Double = SpamdLimits.defaultTimeoutSeconds) {
        self.address = address
        self.timeoutSeconds = timeoutSeconds
    }

    /// An empty `user` sends no `User:` line.
    public func scan(message: [UInt8], user: String) -> SpamdScanOutcome {
        SpamdExchange.run(address, request: SpamdRequest.encoded(user: user.isEmpty ? nil : user, message: message),
                          timeoutSeconds: timeoutSeconds)
    }
}
