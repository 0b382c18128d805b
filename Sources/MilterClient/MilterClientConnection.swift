#if canImport(Glibc)
import Glibc
#endif
import Milter

/// A blocking milter client: speaks to a milter like an MTA does, one step
/// at a time (the process tests; the load generator uses its socket set-up
/// and `MilterClientScript` with poll(2)).
public final class MilterClientConnection {
    public let fd: Int32
    public var decoder = MilterResponseDecoder()
    /// The protocol options of the milter's negotiation reply.
    public private(set) var negotiatedSteps: MilterProtocolSteps = []

    /// Connects to `host`:`port` (IPv4); nil when that fails. Reads give
    /// up after `receiveTimeoutSeconds`.
    public init?(host: String = "127.0.0.1", port: UInt16, receiveTimeoutSeconds: Int = 10) {
        fd = Self.connectSocket(host: host, port: port)
        if fd < 0 { return nil }
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Takes over the connected socket `fd` (closed with this object).
    /// Reads give up after `receiveTimeoutSeconds`.
    public init(connected fd: Int32, receiveTimeoutSeconds: Int = 10) {
        self.fd = fd
        var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// A TCP connection to `host`:`port` (IPv4), -1 when it fails (errno
    /// says why). `nonBlocking`: the connect may still be in progress
    /// (EINPROGRESS is not a failure). `noDelay`: TCP_NODELAY, so each step
    /// leaves at once.
    public static func connectSocket(host: String, port: UInt16, nonBlocking: Bool = false, noDelay: Bool = false) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { return -1 }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 && !(nonBlocking && errno == EINPROGRESS) {
            let saved = errno
            close(fd)
            errno = saved
            return -1
        }
        if noDelay {
            var on: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        return fd
    }

    /// A connection to the unix socket at `path`, -1 when it fails (errno
    /// says why; a path too long for `sun_path` is ENAMETOOLONG).
    public static func connectUnixSocket(path: String, nonBlocking: Bool = false) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { errno = ENAMETOOLONG; return -1 }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let type = Int32(SOCK_STREAM.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { return -1 }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc != 0 && !(nonBlocking && (errno == EINPROGRESS || errno == EAGAIN)) {
            let saved = errno
            close(fd)
            errno = saved
            return -1
        }
        return fd
    }

    public func sendRaw(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    public func send(_ command: MilterCommand) { sendRaw(command.encoded()) }

    /// Reads replies until a final one (not a header change); nil when the
    /// milter closed the connection or went silent. A negotiation reply
    /// sets `negotiatedSteps`.
    public func replies() -> [MilterResponse]? {
        var collected: [MilterResponse] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            while let response = try? decoder.next() {
                if case .optionNegotiation(_, _, let steps) = response { negotiatedSteps = steps }
                collected.append(response)
                if response.isFinal { return collected }
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            decoder.append(buffer[0..<n])
        }
    }

    /// Ends the conversation as a vanished MTA would (the socket stays
    /// open until the client goes, so reads see the end).
    public func hangUp() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// True when the milter closed the connection (read returns 0/error).
    public func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }

    /// The MTA's first packet, as Postfix sends it.
    public func sendOptionNegotiation() {
        send(MilterClientMessage.optionNegotiation)
    }

    /// Option negotiation answered: the milter (a worker) holds this
    /// connection.
    public func negotiate() -> Bool {
        sendOptionNegotiation()
        return replies() != nil
    }

    /// A whole message; returns the replies to end-of-message.
    public func deliver(hostname: String = "client.example.org", address: String = "192.0.2.1", from: String = "<sender@example.com>",
                        headers: [(String, String)] = [("From", "sender@example.com"), ("Subject", "test")]) -> [MilterResponse]? {
        guard negotiate() else { return nil }
        return deliverAfterNegotiation(hostname: hostname, address: address, from: from, headers: headers)
    }

    /// The rest of a message once negotiation is answered.
    public func deliverAfterNegotiation(hostname: String = "client.example.org", address: String = "192.0.2.1",
                                        from: String = "<sender@example.com>",
                                        headers: [(String, String)] = [("From", "sender@example.com"), ("Subject", "test")]) -> [MilterResponse]? {
        let message = MilterClientMessage(hostname: hostname, address: address, sender: from,
                                          headers: headers.map { (name: $0.0, value: $0.1) })
        var script = MilterClientScript(message.commands)
        script.negotiated(negotiatedSteps)
        var last: [MilterResponse]?
        while script.remaining > 0 {
            sendRaw(script.nextStep())
            guard let replies = replies() else { return nil }
            last = replies
        }
        return last
    }
}
