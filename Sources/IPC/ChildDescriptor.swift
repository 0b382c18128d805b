#if canImport(Glibc)
import Glibc
#endif

/// The descriptors a child finds open when it starts, beside 0-2 (2 is a
/// pipe that carries its log lines to the master). The master places them
/// (`ChildProcess.spawn`); the child reads them by these names, never by
/// number.
public enum ChildDescriptor: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// Every child: the control channel to the master.
    case master = 3
    /// The worker: its channel to the DNS helper.
    case dnsHelper = 4
    /// The worker: its channel to the spool (SOCK_SEQPACKET).
    case spool = 5
    /// The worker, when the SpamAssassin handler is configured: its
    /// channel to the scanner (the process that talks to spamd).
    case scanner = 6
    /// The worker, when the BIMI handler is configured: its channel to
    /// the BIMI fetch helper (HTTPS fetches of indicators and VMCs).
    case bimiFetcher = 7

    public var fd: Int32 { rawValue }

    public var description: String {
        switch self {
        case .master: return "fd 3 (the channel to the master)"
        case .dnsHelper: return "fd 4 (the channel to the DNS helper)"
        case .spool: return "fd 5 (the channel to the spool)"
        case .scanner: return "fd 6 (the channel to the scanner)"
        case .bimiFetcher: return "fd 7 (the channel to the BIMI fetch helper)"
        }
    }

    /// Whether the descriptor is open in this process.
    public var isOpen: Bool { fcntl(rawValue, F_GETFD) >= 0 }
}
