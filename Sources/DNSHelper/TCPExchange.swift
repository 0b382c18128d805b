#if canImport(Glibc)
import Glibc
#endif
import SystemIO

/// One query over TCP (RFC 7766), used when a UDP answer came back with TC
/// set: connect without blocking, write the 2-byte length and the packet,
/// read the 2-byte length and the answer. Driven by the poll loop.
final class TCPExchange {
    enum Phase { case connecting, sending, receiving }
    enum Progress { case pending, done([UInt8]), failed(String) }

    let fd: Int32
    let server: Int
    let id: UInt16
    private(set) var phase: Phase
    private var output: [UInt8]
    private var sent = 0
    private var input: [UInt8] = []

    /// Nil when the socket cannot even be created or connect fails at once.
    init?(server: Int, upstream: UpstreamServer, id: UInt16, packet: [UInt8]) {
        let fd = socket(upstream.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let r = upstream.withSockaddr { connect(fd, $0, $1) }
        if r != 0 && errno != EINPROGRESS {
            close(fd)
            return nil
        }
        self.fd = fd
        self.server = server
        self.id = id
        phase = r == 0 ? .sending : .connecting
        output = [UInt8(packet.count >> 8), UInt8(packet.count & 0xff)] + packet
    }

    deinit { close(fd) }

    var pollEvents: Int16 {
        switch phase {
        case .connecting, .sending: return Int16(POLLOUT)
        case .receiving: return Int16(POLLIN)
        }
    }

    /// Advances on a poll event.
    func handle(revents: Int16) -> Progress {
        if phase == .connecting {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0, error == 0 else {
                return .failed("TCP connect: \(SystemIOError.text(for: error == 0 ? errno : error))")
            }
            phase = .sending
        }
        if phase == .sending {
            do {
                sent += try SystemCall.sendAll(socket: fd, bytes: output, from: sent, flags: Int32(MSG_DONTWAIT), whenFull: .stop)
            } catch {
                return .failed("TCP send: \(error.reason)")
            }
            guard sent == output.count else { return .pending }
            phase = .receiving
            return .pending
        }
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n: Int
            do {
                n = try SystemCall.receiveSome(socket: fd, into: &chunk, flags: Int32(MSG_DONTWAIT))
            } catch where error.wouldBlock {
                return .pending
            } catch {
                return .failed("TCP receive: \(error.reason)")
            }
            if n > 0 {
                input.append(contentsOf: chunk[0..<n])
                if input.count >= 2 {
                    let length = Int(input[0]) << 8 | Int(input[1])
                    if input.count >= 2 + length { return .done(Array(input[2..<(2 + length)])) }
                }
                continue
            }
            return .failed("TCP connection closed before a full answer")
        }
    }
}
