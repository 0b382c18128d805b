#if canImport(Glibc)
import Glibc
#endif
import MailAuth

/// One resolver with its socket address ready for sendto/connect. Built
/// before the sandbox: a link-local zone name needs if_nametoindex, which
/// opens a socket of a family seccomp will refuse later.
struct UpstreamServer {
    let address: DNSServerAddress
    private(set) var storage = sockaddr_storage()
    let length: socklen_t

    init(_ address: DNSServerAddress) {
        self.address = address
        if address.isIPv6 {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = address.port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin6_addr) { raw in
                for i in 0..<16 { raw[i] = address.address[i] }
            }
            if let zone = address.zone {
                sa.sin6_scope_id = UInt32(zone) ?? if_nametoindex(zone)
            }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: sa) { dst.copyMemory(from: $0) } }
        } else {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = address.port.bigEndian
            withUnsafeMutableBytes(of: &sa.sin_addr) { raw in
                for i in 0..<4 { raw[i] = address.address[i] }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { dst in withUnsafeBytes(of: sa) { dst.copyMemory(from: $0) } }
        }
    }

    var family: Int32 { address.isIPv6 ? AF_INET6 : AF_INET }

    /// Calls `body` with the socket address.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// Whether a datagram's source address is this server (answers from
    /// anywhere else are spoofing attempts or strays, and are dropped).
    func matches(_ from: sockaddr_storage) -> Bool {
        withUnsafeBytes(of: from) { raw -> Bool in
            let family = Int32(raw.load(as: sa_family_t.self))
            if address.isIPv6 {
                guard family == AF_INET6 else { return false }
                let sa = raw.load(as: sockaddr_in6.self)
                let bytes = withUnsafeBytes(of: sa.sin6_addr) { Array($0) }
                return UInt16(bigEndian: sa.sin6_port) == address.port && bytes == address.address
            } else {
                guard family == AF_INET else { return false }
                let sa = raw.load(as: sockaddr_in.self)
                let bytes = withUnsafeBytes(of: sa.sin_addr) { Array($0) }
                return UInt16(bigEndian: sa.sin_port) == address.port && bytes == address.address
            }
        }
    }
}
