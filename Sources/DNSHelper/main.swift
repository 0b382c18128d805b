#if canImport(Glibc)
import Glibc
#endif
import IPC
import MailAuth
import ProcessLog
import Sandbox
import SystemIO

// authmilter-dns: the DNS helper. Started by the master with its control
// channel (ChildDescriptor.master); its settings come on the command line
// (it serves before any configuration is parsed); see HelperOptions for the command line and docs/dns.md.

let options = ChildStartup.helperOptions(role: "authmilter-dns", usage: HelperOptions.usage) { arguments throws(HelperCommandLine.UsageError) in
    try HelperOptions(arguments: arguments)
}
ChildLog.debugEnabled = options.debug

var servers = options.resolvers
var serverSource = "--resolver"
if servers.isEmpty {
    // Read before the sandbox: no open() afterwards.
    servers = DNSResolvConf.nameservers(in: readTextFile("/etc/resolv.conf") ?? "")
    serverSource = "/etc/resolv.conf"
}
if servers.isEmpty {
    // What the C library assumes too.
    servers = [DNSServerAddress(address: [127, 0, 0, 1])]
    serverSource = "default (no nameserver in /etc/resolv.conf)"
}
let config = UpstreamConfig(options: options, servers: servers)

guard LDNSPacket.warmUp() else {
    ChildLog.critical("authmilter-dns: ldns cannot build and parse a packet")
    exit(1)
}

let notes: [String]
do {
    notes = try Sandbox.enter(role: .dnsHelper, privileges: PrivilegeSettings(user: options.user, group: options.group)) {
        // Whatever initialises lazily must run before seccomp: ldns (its
        // random source, packet code), the random generator, the clock,
        // poll, floating-point printing (strerror's table: Sandbox.enter).
        _ = LDNSPacket.warmUp()
        var generator = SystemRandomNumberGenerator()
        _ = generator.next()
        _ = MonotonicClock.now()
        _ = poll(nil, 0, 0)
        _ = "\(Double(1.5))"
    }
} catch {
    ChildLog.critical("authmilter-dns: cannot enter the sandbox: \(error)")
    exit(1)
}
for note in notes { ChildLog.notice(note) }
ChildLog.info("dns helper ready: resolvers \(servers.map(\.description).joined(separator: ", ")) (from \(serverSource)), "
    + "timeout \(options.timeout)s, retry \(options.retry), servfail timeout \(options.servfailTimeoutMicroseconds)us")

HelperServer(config: config).run()

/// The whole of a small text file, or nil.
func readTextFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < 1 << 20 {
        guard let n = try? SystemCall.readSome(fd: fd, into: &chunk), n > 0 else { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}
