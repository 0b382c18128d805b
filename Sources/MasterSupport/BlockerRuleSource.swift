#if canImport(Glibc)
import Glibc
#endif
import BlockerRules
import SystemIO

/// The master's copy of the Blocker rules: it reads the files of
/// `blocker_configs` (a jailed worker cannot), again whenever one of them
/// changes, and keeps the merged rules encoded for the workers
/// (`MasterToWorker.blockerRules`). Perl's handler re-reads its files at
/// every connection; `refresh()` is called as each connection is handed
/// over and costs one `lstat` per file when nothing changed.
///
/// Files are read with `SafePath` (no link followed, none on the way that
/// someone else could have placed; in a sticky directory the file must be
/// root's or runas's), at most `maximumFileBytes` each. A missing file is
/// created from `BlockerFileTemplate`, as Perl's handler creates it. A
/// file that does not parse adds no rules, as in Perl, and its error is
/// logged once per change.
public final class BlockerRuleSource {
    public struct Note: Equatable, Sendable {
        public enum Level: Sendable { case info, warning, error }
        public let level: Level
        public let text: String
    }

    /// What identifies one version of a file without reading it.
    struct Stamp: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var modifiedNanoseconds: Int
        var changed: Int64
        var changedNanoseconds: Int
    }

    public let files: [String]
    let safePath: SafePath
    /// Counts the rule sets taken; a worker that heard an older one gets
    /// the current one before its next connection.
    public private(set) var generation = 0
    /// The current set as the workers get it (`BlockerRuleWire`).
    public private(set) var payload: [UInt8]
    public private(set) var rules = BlockerRuleSet()
    /// nil: not read yet. Per file: nil when it did not exist.
    private var stamps: [Stamp?]?

    public static let maximumFileBytes = 1 << 20

    public init(files: [String], safePath: SafePath) {
        self.files = files
        self.safePath = safePath
        // An empty set always encodes.
        payload = (try? BlockerRuleWire.encode(BlockerRuleSet())) ?? []
    }

    /// Reads the files again if any changed (or appeared, or went away)
    /// since the last call; returns what is worth logging.
    @discardableResult
    public func refresh() -> [Note] {
        let current = files.map(Self.stamp)
        guard current != stamps else { return [] }
        var notes: [Note] = []
        var perFile: [[BlockerRule]] = []
        var after: [Stamp?] = []
        for (index, path) in files.enumerated() {
            if current[index] == nil {
                do {
                    try safePath.writeFile(path, contents: Array(BlockerFileTemplate.text.utf8), mode: 0o644)
                    notes.append(Note(level: .info, text: "Blocker: created \(path) from the template"))
                } catch {
                    notes.append(Note(level: .error, text: "Blocker: \(path) does not exist and cannot be created: \(error)"))
                }
                after.append(Self.stamp(path))
                perFile.append([])
                continue
            }
            after.append(current[index])
            do {
                let bytes = try safePath.readFile(path, maximumSize: Self.maximumFileBytes)
                let document = try TOMLParser.parse(bytes)
                let (rules, problems) = BlockerRuleSet.rules(in: document)
                for problem in problems { notes.append(Note(level: .warning, text: "Blocker: \(path): \(problem)")) }
                perFile.append(rules)
            } catch let error as BlockerRulesError {
                notes.append(Note(level: .error, text: "Invalid blocker toml file - \(path): \(error)"))
                perFile.append([])
            } catch {
                notes.append(Note(level: .error, text: "Blocker: cannot read \(path): \(error)"))
                perFile.append([])
            }
        }
        stamps = after
        let merged = BlockerRuleSet.merging(perFile)
        do {
            let encoded = try BlockerRuleWire.encode(merged)
            if encoded != payload || generation == 0 {
                payload = encoded
                rules = merged
                generation += 1
                notes.append(Note(level: .info, text: "Blocker: \(merged.rules.count) rules from \(files.count) files"))
            }
        } catch {
            notes.append(Note(level: .error, text: "Blocker: \(error); keeping the \(rules.rules.count) rules in force"))
        }
        return notes
    }

    /// The file's identity and times, the name itself (a link is a link);
    /// nil when there is nothing by that name.
    static func stamp(_ path: String) -> Stamp? {
        var info = stat()
        guard fstatat(AT_FDCWD, path, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        return Stamp(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                     modified: Int64(info.st_mtim.tv_sec), modifiedNanoseconds: info.st_mtim.tv_nsec,
                     changed: Int64(info.st_ctim.tv_sec), changedNanoseconds: info.st_ctim.tv_nsec)
    }
}
