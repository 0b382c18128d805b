#if canImport(Glibc)
import Glibc
#endif
import Handlers
import MailAuth
import IPC
import ProcessLog
import SystemIO

/// Sends the AbusixDataFeed datagrams workers' records ask for: the one
/// place in the milter that talks to Abusix's collectors.
///
/// The spool's seccomp policy gains no call for this: the two UDP sockets
/// (IPv4 and IPv6, unconnected, non-blocking) are made before the filter
/// (`openSockets`, in the sandbox's warm-up) and each datagram goes out
/// with `sendto`, which every role already has. `feed_dest` names are
/// resolved then too (getaddrinfo may read /etc/hosts and ask DNS, which
/// the filter forbids). A reload takes the new feed name, key and port at
/// once; a new destination given as an IP address also, one given as a
/// host name only at the next start of the spool (logged).
final class AbusixFeedSender {
    struct Target: Equatable {
        let destination: AbusixFeedDestination
        let address: SpamdAddress
    }

    private(set) var settings: AbusixFeedSettings
    private(set) var targets: [Target] = []
    private var socket4: Int32 = -1
    private var socket6: Int32 = -1
    private(set) var sent = 0
    private(set) var failed = 0

    init(settings: AbusixFeedSettings) {
        self.settings = settings
    }

    /// Before the filter: resolves every destination and opens the sockets.
    func openSockets() {
        for problem in settings.destinationProblems { ChildLog.error("AbusixDataFeed: \(problem); nothing sent there") }
        targets = settings.destinations.compactMap { destination in
            switch SpamdAddress.resolve(host: destination.host, port: destination.port) {
            case .success(let address): return Target(destination: destination, address: address)
            case .failure(let error):
                ChildLog.error("AbusixDataFeed: \(error); no datagrams to \(destination.host):\(destination.port)")
                return nil
            }
        }
        socket4 = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        socket6 = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if socket4 < 0 { ChildLog.warning("AbusixDataFeed: no IPv4 socket: \(SystemIOError.text(for: errno))") }
        if socket6 < 0 { ChildLog.info("AbusixDataFeed: no IPv6 socket: \(SystemIOError.text(for: errno))") }
    }

    /// After a reload: the new settings, with destinations this process
    /// can reach without resolving a name.
    func reconfigure(_ new: AbusixFeedSettings) {
        var kept: [Target] = []
        for destination in new.destinations {
            if let known = targets.first(where: { $0.destination == destination }) {
                kept.append(known)
            } else if let literal = Self.literalAddress(destination) {
                kept.append(Target(destination: destination, address: literal))
            } else {
                ChildLog.warning("AbusixDataFeed: new feed_dest host \(destination.host) is used from the next start (names are resolved before the sandbox)")
            }
        }
        settings = new
        targets = kept
    }

    /// One datagram per destination; a failed send is counted and logged,
    /// never retried (UDP: the feed is lossy by design, as Perl's).
    func send(_ record: AbusixFeedRecord) {
        let datagram = AbusixFeedDatagram.encode(record, feedName: settings.feedName, feedKey: settings.feedKey, port: settings.listeningPort)
        for target in targets {
            let fd: Int32
            if case .inet(let bytes, _) = target.address { fd = bytes.count == 4 ? socket4 : socket6 } else { continue }
            guard fd >= 0 else { continue }
            let n = try? SystemCall.retryingOnInterrupt("sendto") {
                target.address.withSockaddr { address, length in
                    datagram.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL), address, length) }
                }
            }
            if n == datagram.count {
                sent += 1
            } else {
                failed += 1
                if failed & (failed - 1) == 0 {
                    ChildLog.error("AbusixDataFeed: datagram to \(target.destination.host):\(target.destination.port) not sent (\(SystemIOError.text(for: errno))); \(failed) failed so far")
                }
            }
        }
    }

    /// An IPv4 or IPv6 literal, parsed without the resolver.
    static func literalAddress(_ destination: AbusixFeedDestination) -> SpamdAddress? {
        var v4 = in_addr()
        if inet_pton(AF_INET, destination.host, &v4) == 1 {
            return .inet(withUnsafeBytes(of: v4) { Array($0) }, port: destination.port)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, destination.host, &v6) == 1 {
            return .inet(withUnsafeBytes(of: v6) { Array($0) }, port: destination.port)
        }
        return nil
    }
}
