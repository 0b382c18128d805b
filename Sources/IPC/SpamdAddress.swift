#if canImport(Glibc)
import Glibc
#endif

/// Where spamd listens: a TCP address (`sa_host`/`sa_port`, the host
/// name resolved once, before the scanner's sandbox) or a unix socket
/// (`sa_socket`).
public enum SpamdAddress: Sendable, Equatable, CustomStringConvertible {
    /// 4 or 16 address bytes and a port.
    case inet([UInt8], port: UInt16)
    case unix(String)

    public var description: String {
        switch self {
        case .inet(let bytes, let port):
            return bytes.count == 4 ? "\(bytes.map(String.init).joined(separator: ".")):\(port)" : "[\(Self.ipv6Text(bytes))]:\(port)"
        case .unix(let path):
            return "unix:\(path)"
        }
    }

    public var family: Int32 {
        switch self {
        case .inet(let bytes, _): return bytes.count == 4 ? AF_INET : AF_INET6
        case .unix: return AF_UNIX
        }
    }

    /// A unix socket path that fits `sun_path`.
    public static func unixSocket(_ path: String) -> SpamdAddress? {
        guard !path.isEmpty, path.utf8.count < 108, !path.utf8.contains(0) else { return nil }
        return .unix(path)
    }

    /// `host` resolved as Perl's IO::Socket::INET resolves `sa_host`: an
    /// IPv4 address first (the Perl client speaks IPv4 only); an IPv6
    /// literal or a name with only IPv6 addresses works here too. Reads
    /// /etc/hosts and may ask DNS: call it before the sandbox.
    public static func resolve(host: String, port: UInt16) -> Result<SpamdAddress, ResolveError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            return .failure(ResolveError(host: host, reason: String(cString: gai_strerror(status))))
        }
        defer { freeaddrinfo(list) }
        var found: [[UInt8]] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                if current.pointee.ai_family == AF_INET {
                    let sa = UnsafeRawPointer(address).load(as: sockaddr_in.self)
                    found.append(withUnsafeBytes(of: sa.sin_addr) { Array($0) })
                } else if current.pointee.ai_family == AF_INET6 {
                    let sa = UnsafeRawPointer(address).load(as: sockaddr_in6.self)
                    found.append(withUnsafeBytes(of: sa.sin6_addr) { Array($0) })
                }
            }
            entry = current.pointee.ai_next
        }
        guard let chosen = found.first(where: { $0.count == 4 }) ?? found.first else {
            return .failure(ResolveError(host: host, reason: "no address"))
        }
        return .success(.inet(chosen, port: port))
    }

    public struct ResolveError: Error, Sendable, Equatable, CustomStringConvertible {
        public var host: String
        public var reason: String
        public var description: String { "cannot resolve \(host): \(reason)" }
        public init(host: String, reason: String) {
            self.host = host
            self.reason = reason
        }
    }

    /// Calls `body` with the socket address.
    public func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var storage = sockaddr_storage()
        let length: socklen_t
        switch self {
        case .inet(let bytes, let port) where bytes.count == 4:
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin_addr) { $0.copyBytes(from: bytes) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: sa) { dst.copyMemory(from: $0) } }
        case .inet(let bytes, let port):
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin6_addr) { $0.copyBytes(from: bytes.prefix(16)) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: sa) { dst.copyMemory(from: $0) } }
        case .unix(let path):
            var sa = sockaddr_un()
            sa.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &sa.sun_path) { raw in
                let bytes = Array(path.utf8.prefix(raw.count - 1))
                raw.copyBytes(from: bytes)
            }
            length = socklen_t(MemoryLayout<sa_family_t>.size + path.utf8.count + 1)
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: sa) { dst.copyMemory(from: $0) } }
        }
        return withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    static func ipv6Text(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        var address = in6_addr()
        withUnsafeMutableBytes(of: &address) { $0.copyBytes(from: bytes.prefix(16)) }
        guard inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
