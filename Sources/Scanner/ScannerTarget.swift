import MailAuth
import IPC

/// One content scanner the scanner process talks to: its name for the log,
/// where it listens (resolved once, before the sandbox; a failure makes
/// every scan for it a failure until the next start), the `Host:` an HTTP
/// request names (rspamd), and the time budget of one scan.
struct ScannerTarget {
    let name: String
    let address: Result<SpamdAddress, IPCError>
    let hostHeader: String
    let timeout: Double

    /// Resolves `options`' address (reads /etc/hosts, may ask DNS).
    init(name: String, options: ScannerOptions.Target) {
        self.name = name
        timeout = options.timeout
        if let path = options.socketPath {
            hostHeader = "localhost"
            if let address = SpamdAddress.unixSocket(path) {
                self.address = .success(address)
            } else {
                self.address = .failure(IPCError.unresolvable(host: path, reason: "not a unix socket path"))
            }
        } else {
            let host = options.host ?? "localhost"
            let port = options.port ?? 0
            hostHeader = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            address = SpamdAddress.resolve(host: host, port: port)
        }
    }

    var shown: String {
        switch address {
        case .success(let address): "\(name) at \(address), timeout \(timeout)s"
        case .failure(let error): "\(name) at none (\(error))"
        }
    }
}
