#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// The files and directories the root master touches (pidfile, its `.tmp`,
/// spool_dir, cache_dir, lib_dir, error_log, a unix socket) with a link or
/// an unsafe parent planted by "another user": the master must refuse to
/// start, say why, and leave the link's target alone. Run as root only
/// (the attacks are against root).
@Suite(.serialized, .enabled(if: geteuid() == 0, "the master is attacked only when it starts as root"))
struct RootFilesTests {
    /// A directory of its own per test, a configuration in it, and the
    /// master started in the foreground.
    final class Setup {
        let directory: String
        let port = DaemonFixture.freePort()
        var pidfile: String
        var settings: [String: String]
        var process: Process?
        var logPath: String { directory + "/stderr.log" }

        init() throws {
            directory = NSTemporaryDirectory() + "authmilter-rootfs-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chmod(directory, 0o755)
            pidfile = directory + "/am.pid"
            settings = [
                "spool_dir": "\"\(directory)/spool\"", "cache_dir": "\"\(directory)/cache\"",
                "lib_dir": "\"\(directory)/lib\"", "connection": "\"inet:\(port)@127.0.0.1\"",
            ]
        }

        deinit {
            stop()
            try? FileManager.default.removeItem(atPath: directory)
        }

        func writeConfiguration() throws {
            let keys = settings.keys.sorted().map { "\"\($0)\": \(settings[$0]!)," }.joined(separator: "\n")
            let config = """
                { \(keys)
                  "min_children": 1, "max_children": 2, "min_spare_children": 1, "max_spare_children": 1,
                  "dns_resolvers": ["127.0.0.1:9"], "dns_timeout": 1, "dns_retry": 0,
                  "handlers": { "AddID": {} } }
                """
            try config.write(toFile: directory + "/authentication_milter.json", atomically: true, encoding: .utf8)
        }

        /// Starts the master in the foreground. Returns its exit status
        /// when it stops within `seconds` (a refusal), nil when it runs.
        @discardableResult
        func start(waiting seconds: Double = 4) throws -> Int32? {
            stop()
            try writeConfiguration()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: DaemonFixture.binaryDirectory + "/authentication_milter")
            process.arguments = ["--prefix", directory, "--pidfile", pidfile]
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: logPath)
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            self.process = process
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if !process.isRunning { return process.terminationStatus }
                if log.contains("authentication_milter started") { return nil }
                usleep(50_000)
            }
            return process.isRunning ? nil : process.terminationStatus
        }

        func stop() {
            guard let process, process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }

        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

        /// The uids of the master's children (DNS helper, spool, workers)
        /// once there are at least three, from /proc. A child replaced
        /// while we look is left out.
        /// The uid of each child once it is jailed (Seccomp 2): a child
        /// drops its ids just before its filter, so an earlier look can
        /// still see root.
        func childUIDs() -> [String: String] {
            guard let pid = process?.processIdentifier else { return [:] }
            var found: [String: String] = [:]
            for _ in 0..<200 {
                let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
                found = [:]
                var allJailed = true
                for child in text.split(separator: " ").compactMap({ Int32($0) }) {
                    let status = DaemonFixture.status(of: child)
                    guard let uid = status["Uid"]?.split(separator: "\t").first, let name = status["Name"] else { continue }
                    if status["Seccomp"] != "2" { allJailed = false }
                    found["\(name) \(child)"] = String(uid)
                }
                if found.count >= 3 && allJailed { break }
                usleep(50_000)
            }
            return found
        }

        /// A file whose content must survive: the target of a planted link.
        func victim(_ name: String = "victim") throws -> String {
            let path = directory + "/" + name
            try "precious\n".write(toFile: path, atomically: false, encoding: .utf8)
            return path
        }

        func contents(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<unreadable>" }
    }

    static func owner(_ path: String) -> uid_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_uid : nil
    }

    static var nobody: uid_t { getpwnam("nobody")!.pointee.pw_uid }

    // MARK: - The pidfile

    @Test func plantedLinkAtThePidfilesTemporaryIsRefused() throws {
        let setup = try Setup()
        let victim = try setup.victim()
        symlink(victim, setup.pidfile + ".tmp")
        let status = try setup.start()
        #expect(status != nil && status != 0, "the master started over a planted link; log:\n\(setup.log)")
        #expect(setup.contents(victim) == "precious\n", "root wrote through the link")
        #expect(setup.log.contains("\(setup.pidfile).tmp") && setup.log.contains("symbolic link"), "\(setup.log)")
    }

    @Test func plantedLinkAtThePidfileIsRefused() throws {
        let setup = try Setup()
        let victim = try setup.victim()
        symlink(victim, setup.pidfile)
        let status = try setup.start()
        #expect(status != nil && status != 0, "the master started over a planted link; log:\n\(setup.log)")
        #expect(setup.contents(victim) == "precious\n")
        #expect(setup.log.contains(setup.pidfile) && setup.log.contains("symbolic link"), "\(setup.log)")
    }

    @Test func pidfileInADirectoryAnyoneMayWriteIsRefused() throws {
        let setup = try Setup()
        let open = setup.directory + "/open"
        mkdir(open, 0o755)
        chmod(open, 0o777)
        setup.pidfile = open + "/am.pid"
        let status = try setup.start()
        #expect(status != nil && status != 0, "log:\n\(setup.log)")
        #expect(setup.log.contains(open) && setup.log.contains("writable"), "\(setup.log)")
        #expect(access(setup.pidfile, F_OK) != 0)
    }

    // MARK: - spool_dir, cache_dir, lib_dir

    @Test(arguments: ["spool_dir", "cache_dir", "lib_dir"])
    func plantedLinkAtADirectoryIsRefused(key: String) throws {
        let setup = try Setup()
        // A directory of root's that the link points at: the old master
        // handed it to runas.
        let target = setup.directory + "/precious-dir"
        mkdir(target, 0o700)
        let planted = setup.directory + "/planted-" + key
        symlink(target, planted)
        setup.settings[key] = "\"\(planted)\""
        setup.settings["runas"] = "\"nobody\""
        setup.settings["rungroup"] = "\"nogroup\""
        let status = try setup.start()
        #expect(status != nil && status != 0, "log:\n\(setup.log)")
        #expect(Self.owner(target) == 0, "\(target) was given away through the link")
        #expect(setup.log.contains(planted) && setup.log.contains("symbolic link"), "\(setup.log)")
    }

    @Test func directoryUnderAParentAnyoneMayWriteIsRefused() throws {
        let setup = try Setup()
        let open = setup.directory + "/open"
        mkdir(open, 0o755)
        chmod(open, 0o777)
        setup.settings["lib_dir"] = "\"\(open)/lib\""
        let status = try setup.start()
        #expect(status != nil && status != 0, "log:\n\(setup.log)")
        #expect(setup.log.contains(open) && setup.log.contains("writable"), "\(setup.log)")
    }

    @Test func directoryUnderAParentOfAnotherUserIsRefused() throws {
        let setup = try Setup()
        let theirs = setup.directory + "/theirs"
        mkdir(theirs, 0o755)
        chown(theirs, 4242, 4242)
        setup.settings["spool_dir"] = "\"\(theirs)/spool\""
        let status = try setup.start()
        #expect(status != nil && status != 0, "log:\n\(setup.log)")
        #expect(setup.log.contains(theirs) && setup.log.contains("owned by uid 4242"), "\(setup.log)")
    }

    /// The sample configuration's case: a directory in a sticky,
    /// world-writable folder (/tmp) that another user created first.
    @Test func directoryPrecreatedByAnotherUserInAStickyFolderIsRefused() throws {
        let setup = try Setup()
        let sticky = setup.directory + "/tmp"
        mkdir(sticky, 0o755)
        chmod(sticky, 0o1777)
        let theirs = sticky + "/lib"
        mkdir(theirs, 0o755)
        chown(theirs, 4242, 4242)
        setup.settings["lib_dir"] = "\"\(theirs)\""
        setup.settings["runas"] = "\"nobody\""
        setup.settings["rungroup"] = "\"nogroup\""
        let status = try setup.start()
        #expect(status != nil && status != 0, "log:\n\(setup.log)")
        #expect(Self.owner(theirs) == 4242)
        #expect(setup.log.contains(theirs) && setup.log.contains("owned by uid 4242"), "\(setup.log)")
        // A directory of our own in the same sticky folder is fine.
        setup.stop()
        setup.settings["lib_dir"] = "\"\(sticky)/ours\""
        #expect(try setup.start() == nil, "log:\n\(setup.log)")
        #expect(Self.owner(sticky + "/ours") == Self.nobody)
    }

    // MARK: - error_log and the unix socket

    @Test func plantedLinkAtTheErrorLogIsRefused() throws {
        let setup = try Setup()
        let victim = try setup.victim()
        let errorLog = setup.directory + "/milter.err"
        symlink(victim, errorLog)
        setup.settings["error_log"] = "\"\(errorLog)\""
        let status = try setup.start()
        #expect(status != nil && status != 0, "log:\n\(setup.log)")
        #expect(setup.contents(victim) == "precious\n")
        #expect(setup.log.contains(errorLog) && setup.log.contains("symbolic link"), "\(setup.log)")
    }

    @Test func aFileAtTheUnixSocketPathIsNotRemoved() throws {
        let setup = try Setup()
        let victim = try setup.victim("milter.sock")
        setup.settings["connection"] = "\"unix:\(victim)\""
        let status = try setup.start()
        #expect(status != nil && status != 0, "log:\n\(setup.log)")
        #expect(setup.contents(victim) == "precious\n", "root removed a file that is not a socket")
        #expect(setup.log.contains(victim) && setup.log.contains("not a socket"), "\(setup.log)")
    }

    // MARK: - runas

    /// Switching runas between runs: lib_dir and the report store in it
    /// must belong to the new account (or the spool silently stores
    /// nothing).
    @Test func switchingRunasReownsTheDirectoriesAndTheStore() throws {
        let setup = try Setup()
        setup.settings["runas"] = "\"nobody\""
        setup.settings["rungroup"] = "\"nogroup\""
        #expect(try setup.start() == nil, "log:\n\(setup.log)")
        setup.stop()
        let lib = setup.directory + "/lib"
        let store = lib + "/dmarc_reports.sqlite"
        #expect(FileManager.default.createFile(atPath: store, contents: Data()))
        chown(store, Self.nobody, getgrnam("nogroup")!.pointee.gr_gid)
        let daemonUser = try #require(getpwnam("daemon")).pointee.pw_uid
        setup.settings["runas"] = "\"daemon\""
        setup.settings["rungroup"] = "\"daemon\""
        #expect(try setup.start() == nil, "log:\n\(setup.log)")
        #expect(Self.owner(lib) == daemonUser)
        #expect(Self.owner(store) == daemonUser, "the store still belongs to the old runas")
        // A link planted in place of the store is refused, its target kept.
        setup.stop()
        let victim = try setup.victim()
        unlink(store)
        symlink(victim, store)
        setup.settings["runas"] = "\"nobody\""
        setup.settings["rungroup"] = "\"nogroup\""
        let status = try setup.start()
        #expect(status != nil && status != 0, "log:\n\(setup.log)")
        #expect(Self.owner(victim) == 0)
        #expect(setup.log.contains(store) && setup.log.contains("symbolic link"), "\(setup.log)")
    }

    /// Started as root without runas, the children must not run as uid 0.
    @Test func childrenRunAsNobodyWithoutRunas() throws {
        let setup = try Setup()
        #expect(try setup.start() == nil, "log:\n\(setup.log)")
        let children = setup.childUIDs()
        #expect(children.count >= 3, "log:\n\(setup.log)")
        for (child, uid) in children {
            #expect(uid == String(Self.nobody), "\(child) runs as uid \(uid)")
        }
        #expect(setup.log.contains("no runas"), "\(setup.log)")
        #expect(Self.owner(setup.directory + "/lib") == Self.nobody)
    }

    @Test func runasRootIsKeptWhenAskedFor() throws {
        let setup = try Setup()
        setup.settings["runas"] = "\"root\""
        setup.settings["rungroup"] = "\"root\""
        #expect(try setup.start() == nil, "log:\n\(setup.log)")
        let children = setup.childUIDs()
        #expect(children.count >= 3, "log:\n\(setup.log)")
        for (child, uid) in children {
            #expect(uid == "0", "\(child) runs as uid \(uid)")
        }
        #expect(!setup.log.contains("no runas"))
    }
}
