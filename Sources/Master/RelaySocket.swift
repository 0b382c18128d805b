#if canImport(Glibc)
import Glibc
#endif
import Config
import IPC
import SystemIO

/// SMTP mode: the master's half of a worker's downstream connection. The
/// master opens a non-blocking socket to the listener's `smtp.sock_*` and
/// starts the connect; the worker (which has neither socket nor connect in
/// its filter) finishes it with poll and reads the greeting. So a subverted
/// worker can reach the configured downstream MTA and nothing else.
enum RelaySocket {
    /// Host names are resolved once per configuration (the first relay and
    /// after each reload), not per message: the master's loop must not
    /// wait on DNS for every mail.
    nonisolated(unsafe) static var resolved: [String: SpamdAddress] = [:]

    static func forgetResolvedNames() {
        resolved.removeAll()
    }

    /// The downstream address of `settings`, or why there is none.
    static func address(_ settings: SMTPSettings) -> Result<SpamdAddress, RelayUnavailable> {
        switch settings.sockType {
        case nil:
            return .failure(RelayUnavailable("no smtp.sock_type is configured"))
        case .unix?:
            guard let path = settings.sockPath, let address = SpamdAddress.unixSocket(path), path.hasPrefix("/") else {
                return .failure(RelayUnavailable("smtp.sock_path is missing or not an absolute path that fits a socket address"))
            }
            return .success(address)
        case .inet?:
            guard let host = settings.sockHost, let port = settings.sockPort, let port16 = UInt16(exactly: port) else {
                return .failure(RelayUnavailable("smtp.sock_host or smtp.sock_port is missing"))
            }
            let key = "\(host) \(port)"
            if let known = resolved[key] { return .success(known) }
            switch SpamdAddress.resolve(host: host, port: port16) {
            case .success(let address):
                resolved[key] = address
                return .success(address)
            case .failure(let error):
                return .failure(RelayUnavailable("\(error)"))
            }
        }
    }

    /// A non-blocking socket whose connect has started (or finished) to
    /// `address`. A unix socket path must be a socket itself, not a
    /// symbolic link: the master may run as root.
    static func open(_ address: SpamdAddress) -> Result<Int32, RelayUnavailable> {
        if case .unix(let path) = address {
            var info = stat()
            guard lstat(path, &info) == 0 else {
                return .failure(RelayUnavailable("\(path): \(SystemIOError.text(for: errno))"))
            }
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                return .failure(RelayUnavailable("\(path) is not a socket (a symbolic link is not followed)"))
            }
        }
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .failure(RelayUnavailable("socket: \(SystemIOError.text(for: errno))")) }
        let connected = address.withSockaddr { connect(fd, $0, $1) }
        if connected != 0 && errno != EINPROGRESS {
            let code = errno
            close(fd)
            return .failure(RelayUnavailable("connect to \(address): \(SystemIOError.text(for: code))"))
        }
        return .success(fd)
    }
}

/// Why no downstream connection was handed over (sent to the worker).
struct RelayUnavailable: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
