#if canImport(Glibc)
import Glibc
#endif
import MasterSupport

/// RSS of the master and its children, read from /proc.
enum ProcessMemory {
    static func report(pidfile: String) {
        guard let master = PidFile.read(pidfile) else { print("rss: no pid in \(pidfile)"); return }
        print("rss: master \(ProcFiles.rssKiB(master)) KiB")
        var seen: Set<String> = []
        for child in ProcFiles.children(of: master) {
            let name = ProcFiles.comm(child)
            if seen.insert(name).inserted { print("rss: \(name) (pid \(child)) \(ProcFiles.rssKiB(child)) KiB") }
        }
    }
}
