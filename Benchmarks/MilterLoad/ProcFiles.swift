#if canImport(Glibc)
import Glibc
#endif
import BenchSupport
import Foundation

/// What the bench reads from /proc (and the files it reads whole).
enum ProcFiles {
    /// A file's text ("" when it cannot be read). /proc files report no
    /// size; Foundation reads them to their end.
    static func read(_ path: String) -> String {
        String(decoding: bytes(path), as: UTF8.self)
    }

    /// A file's bytes ([] when it cannot be read).
    static func bytes(_ path: String) -> [UInt8] {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) } ?? []
    }

    /// Every process's stat line.
    static func allStats() -> [ProcStat] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { Int32($0) }.compactMap { ProcStat.parse(read("/proc/\($0)/stat")) }
    }

    /// `/proc/<pid>/status` VmRSS in KiB.
    static func rssKiB(_ pid: pid_t) -> Int { kibField("VmRSS:", in: read("/proc/\(pid)/status")) ?? 0 }

    /// `/proc/<pid>/smaps_rollup` Pss in KiB: the process's private pages
    /// plus its share of the pages it shares (its own cost on a machine).
    static func pssKiB(_ pid: pid_t) -> Int? { kibField("Pss:", in: read("/proc/\(pid)/smaps_rollup")) }

    static func kibField(_ name: String, in text: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
        }
        return nil
    }

    static func comm(_ pid: pid_t) -> String {
        read("/proc/\(pid)/comm").split(separator: "\n").first.map(String.init) ?? "?"
    }

    static func children(of parent: pid_t) -> [pid_t] {
        read("/proc/\(parent)/task/\(parent)/children").split(separator: " ").compactMap { Int32($0) }
    }
}
