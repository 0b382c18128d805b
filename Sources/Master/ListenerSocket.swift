#if canImport(Glibc)
import Glibc
#endif
import CShim
import Config
import SystemIO

/// A bound, listening socket for one `connection`/`connections` entry.
/// Bound by the master while it may still be root; non-blocking so that a
/// connection another accept took first never stalls the loop.
struct ListenerSocket {
    let name: String
    let spec: String
    let fd: Int32

    static func bind(name: String, connection spec: ConnectionSpec, umask mask: mode_t?, backlog: Int,
                     safePath: SafePath, group: String? = nil) throws(MasterError) -> ListenerSocket {
        let fd: Int32
        switch spec {
        case .unix(let path):
            fd = try bindUnix(path: path, mask: mask, backlog: backlog, name: name, safePath: safePath)
            if let group {
                do {
                    try giveGroup(group, to: path, name: name)
                } catch {
                    close(fd)
                    throw error
                }
            }
        case .inet(let port, let host):
            fd = try bindInet(host: host ?? "", port: Int(port), family: AF_INET, backlog: backlog, name: name)
        case .inet6(let port, let host):
            fd = try bindInet(host: host ?? "", port: Int(port), family: AF_INET6, backlog: backlog, name: name)
        }
        _ = am_set_nonblocking(fd, 1)
        return ListenerSocket(name: name, spec: spec.description, fd: fd)
    }

    private static func failure(_ what: String, _ name: String) -> MasterError {
        MasterError.bind("\(name): \(what): \(SystemIOError.text(for: errno))", errno: errno)
    }

    private static func bindInet(host: String, port: Int, family: Int32, backlog: Int, name: String) throws(MasterError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>? = nil
        let lookupHost: String? = (host.isEmpty || host == "*") ? nil : host
        let rc = getaddrinfo(lookupHost, String(port), &hints, &result)
        guard rc == 0, let first = result else {
            throw MasterError.bind("\(name): cannot resolve '\(host)': \(String(cString: gai_strerror(rc)))")
        }
        defer { freeaddrinfo(result) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket", name) }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        if first.pointee.ai_family == AF_INET6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = Glibc.bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen)
        return try finishBinding(fd, bindResult: bound, what: "bind to \(host) port \(port)", backlog: backlog, name: name)
    }

    /// Checks the bind, then listens; closes the socket on any failure.
    private static func finishBinding(_ fd: Int32, bindResult: Int32, what: String, backlog: Int, name: String) throws(MasterError) -> Int32 {
        guard bindResult == 0 else {
            let error = failure(what, name)
            close(fd)
            throw error
        }
        guard listen(fd, Int32(backlog)) == 0 else {
            let error = failure("listen", name)
            close(fd)
            throw error
        }
        return fd
    }

    /// `socket_group`: the socket file (not a link: lchown) goes to
    /// `group`, so a chrooted Postfix running in that group can connect
    /// (with `umask` "0007" the mode is rw for the group). The directories
    /// on the way were checked by `SafePath` before the bind.
    private static func giveGroup(_ group: String, to path: String, name: String) throws(MasterError) {
        guard let entry = getgrnam(group) else {
            throw MasterError.bind("\(name): socket_group \(group): no such group")
        }
        guard lchown(path, uid_t.max, entry.pointee.gr_gid) == 0 else {
            throw MasterError.bind("\(name): socket_group \(group) for \(path): \(SystemIOError.text(for: errno))")
        }
    }

    private static func bindUnix(path: String, mask: mode_t?, backlog: Int, name: String, safePath: SafePath) throws(MasterError) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw MasterError.bind("\(name): unix socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket", name) }
        // A socket file left by a previous run is replaced; a live one is not.
        var probe = address
        let probeFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let inUse = withUnsafePointer(to: &probe) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(probeFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
        close(probeFD)
        if inUse {
            close(fd)
            throw MasterError(.addressInUse, "\(name): \(path) is in use by another process")
        }
        // Only a socket left by an earlier run is removed, and only where
        // no one but root or runas can swap the directories on the way
        // (bind then creates the socket by that same path).
        do {
            try safePath.removeStaleSocket(path)
        } catch {
            close(fd)
            throw MasterError.bind("\(name): \(error)")
        }
        let previous = mask.map { umask($0) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if let previous { umask(previous) }
        return try finishBinding(fd, bindResult: rc, what: "bind to \(path)", backlog: backlog, name: name)
    }
}
