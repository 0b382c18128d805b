#if canImport(Glibc)
import Glibc
#endif

/// Where a milter listens: a unix socket or a TCP port (IPv4), written as
/// the configurations write it (`unix:/path`, `local:/path`,
/// `inet:port@host`) or shortly (`/path`, `host:port`).
public enum MilterClientEndpoint: Sendable, Hashable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: UInt16)

    public static func parse(_ text: String) -> MilterClientEndpoint? {
        for prefix in ["unix:", "local:"] where text.hasPrefix(prefix) {
            let path = String(text.dropFirst(prefix.count))
            return path.hasPrefix("/") ? .unix(path: path) : nil
        }
        if text.hasPrefix("/") { return .unix(path: text) }
        if text.hasPrefix("inet:") {
            let parts = text.dropFirst(5).split(separator: "@", maxSplits: 1)
            guard let port = parts.first.flatMap({ UInt16($0) }), port > 0 else { return nil }
            return .tcp(host: parts.count == 2 ? String(parts[1]) : "127.0.0.1", port: port)
        }
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0,
              colon > text.startIndex else { return nil }
        return .tcp(host: String(text[..<colon]), port: port)
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): "inet:\(port)@\(host)"
        }
    }

    /// A connected socket, -1 when the connection fails (errno says why).
    /// `nonBlocking`: the connect may still be in progress. TCP gets
    /// TCP_NODELAY, so each step leaves at once.
    public func connect(nonBlocking: Bool = false) -> Int32 {
        switch self {
        case .unix(let path): MilterClientConnection.connectUnixSocket(path: path, nonBlocking: nonBlocking)
        case .tcp(let host, let port): MilterClientConnection.connectSocket(host: host, port: port, nonBlocking: nonBlocking, noDelay: true)
        }
    }
}
