#if canImport(Glibc)
import Glibc
#endif
import MasterSupport
import Shared

/// RSS of the master and its children, read from /proc.
enum ProcessMemory {
    static func report(pidfile: String) {
        guard let master = PidFile.read(pidfile) else { print("rss: no pid in \(pidfile)"); return }
        print("rss: master \(rssKiB(master)) KiB")
        var seen: Set<String> = []
        for child in children(of: master) {
            let name = comm(child)
            if seen.insert(name).inserted { print("rss: \(name) (pid \(child)) \(rssKiB(child)) KiB") }
        }
    }

    static func read(_ path: String) -> String {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
    }

    static func rssKiB(_ pid: pid_t) -> Int {
        for line in read("/proc/\(pid)/status").split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    static func comm(_ pid: pid_t) -> String {
        read("/proc/\(pid)/comm").split(separator: "\n").first.map(String.init) ?? "?"
    }

    static func children(of parent: pid_t) -> [pid_t] {
        let text = read("/proc/\(parent)/task/\(parent)/children")
        return text.split(separator: " ").compactMap { Int32($0) }
    }
}
