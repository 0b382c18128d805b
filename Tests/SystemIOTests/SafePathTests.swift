#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SystemIO
import Testing

/// SafePath on its own: what it follows, what it refuses, and that a
/// refused path's target is never written. The process tests
/// (RootFilesTests) check the same through the master.
struct SafePathTests {
    final class Folder {
        let path: String
        init() throws {
            path = "/tmp/authmilter-safepath-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            chmod(path, 0o755)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func file(_ name: String, _ text: String = "precious\n") throws -> String {
            try text.write(toFile: path + "/" + name, atomically: false, encoding: .utf8)
            return path + "/" + name
        }

        func directory(_ name: String, mode: mode_t = 0o755) -> String {
            mkdir(path + "/" + name, 0o700)
            chmod(path + "/" + name, mode)
            return path + "/" + name
        }

        func read(_ name: String) -> String? { try? String(contentsOfFile: path + "/" + name, encoding: .utf8) }
    }

    let safe = SafePath(trustedUID: geteuid())

    @Test func writesAndReplacesAFile() throws {
        let folder = try Folder()
        try safe.writeFile(folder.path + "/am.pid", contents: Array("12\n".utf8))
        try safe.writeFile(folder.path + "/am.pid", contents: Array("34\n".utf8))
        #expect(folder.read("am.pid") == "34\n")
        #expect(folder.read("am.pid.tmp") == nil)
    }

    @Test func refusesALinkAtTheTemporaryOrTheTarget() throws {
        let folder = try Folder()
        let victim = try folder.file("victim")
        symlink(victim, folder.path + "/am.pid.tmp")
        #expect(throws: SystemIOError.symlink(path: folder.path + "/am.pid.tmp")) {
            try safe.writeFile(folder.path + "/am.pid", contents: Array("1\n".utf8))
        }
        unlink(folder.path + "/am.pid.tmp")
        symlink(victim, folder.path + "/am.pid")
        #expect(throws: SystemIOError.symlink(path: folder.path + "/am.pid")) {
            try safe.writeFile(folder.path + "/am.pid", contents: Array("1\n".utf8))
        }
        #expect(folder.read("victim") == "precious\n")
    }

    @Test func removesItsOwnLeftoverTemporary() throws {
        let folder = try Folder()
        _ = try folder.file("am.pid.tmp", "half")
        try safe.writeFile(folder.path + "/am.pid", contents: Array("5\n".utf8))
        #expect(folder.read("am.pid") == "5\n")
    }

    @Test func refusesAParentAnyoneMayWriteUnlessSticky() throws {
        let folder = try Folder()
        let open = folder.directory("open", mode: 0o777)
        #expect(throws: SystemIOError.writableByOthers(path: open, mode: 0o40777)) {
            try safe.writeFile(open + "/am.pid", contents: [])
        }
        let sticky = folder.directory("sticky", mode: 0o1777)
        try safe.writeFile(sticky + "/am.pid", contents: [])
    }

    @Test func followsALinkOnTheWayOnlyFromADirectoryNobodyElseWrites() throws {
        let folder = try Folder()
        let real = folder.directory("real")
        symlink(real, folder.path + "/run")
        // Like /var/run -> /run: a link in a directory only root writes.
        try safe.writeFile(folder.path + "/run/am.pid", contents: Array("7\n".utf8))
        #expect(folder.read("real/am.pid") == "7\n")
        // Relative targets and ".." resolve against the real directories.
        symlink("../real", folder.directory("sub") + "/up")
        try safe.writeFile(folder.path + "/sub/up/../real/b.pid", contents: [])
        #expect(folder.read("real/b.pid") == "")
        // The same link in a sticky folder anyone may write: refused.
        let sticky = folder.directory("sticky", mode: 0o1777)
        symlink(real, sticky + "/run")
        #expect(throws: SystemIOError.symlink(path: sticky + "/run")) {
            try safe.writeFile(sticky + "/run/am.pid", contents: [])
        }
    }

    @Test func preparesADirectoryButNeverThroughALink() throws {
        let folder = try Folder()
        try safe.prepareDirectory(folder.path + "/a/b/lib", owner: nil)
        var info = stat()
        #expect(stat(folder.path + "/a/b/lib", &info) == 0 && info.st_mode & 0o777 == 0o750)
        #expect(stat(folder.path + "/a", &info) == 0 && info.st_mode & 0o777 == 0o755)
        let target = folder.directory("target", mode: 0o700)
        symlink(target, folder.path + "/spool")
        #expect(throws: SystemIOError.symlink(path: folder.path + "/spool")) {
            try safe.prepareDirectory(folder.path + "/spool", owner: nil)
        }
        let open = folder.directory("world", mode: 0o777)
        #expect(throws: SystemIOError.writableByOthers(path: open, mode: 0o40777)) {
            try safe.prepareDirectory(open, owner: nil)
        }
    }

    @Test func refusesLinkedFilesInADirectory() throws {
        let folder = try Folder()
        let lib = folder.directory("lib", mode: 0o750)
        let victim = try folder.file("victim")
        link(victim, lib + "/store")
        #expect(throws: SystemIOError.hardLinked(path: lib + "/store", links: 2)) {
            try safe.prepareDirectory(lib, owner: (getuid(), getgid()), files: ["store"])
        }
        unlink(lib + "/store")
        symlink(victim, lib + "/store")
        #expect(throws: SystemIOError.symlink(path: lib + "/store")) {
            try safe.prepareDirectory(lib, owner: (getuid(), getgid()), files: ["store"])
        }
        unlink(lib + "/store")
        mkdir(lib + "/store", 0o700)
        #expect(throws: SystemIOError.notARegularFile(path: lib + "/store")) {
            try safe.prepareDirectory(lib, owner: (getuid(), getgid()), files: ["store"])
        }
    }

    @Test func appendsOnlyToAPlainFileWithOneLink() throws {
        let folder = try Folder()
        let fd = try safe.openForAppend(folder.path + "/milter.err")
        close(fd)
        let victim = try folder.file("victim")
        symlink(victim, folder.path + "/linked.err")
        #expect(throws: SystemIOError.symlink(path: folder.path + "/linked.err")) {
            _ = try safe.openForAppend(folder.path + "/linked.err")
        }
        link(victim, folder.path + "/hard.err")
        #expect(throws: SystemIOError.hardLinked(path: folder.path + "/hard.err", links: 2)) {
            _ = try safe.openForAppend(folder.path + "/hard.err")
        }
    }

    @Test func removesOnlyAStaleSocket() throws {
        let folder = try Folder()
        let file = try folder.file("milter.sock")
        #expect(throws: SystemIOError.notASocket(path: file)) { try safe.removeStaleSocket(file) }
        #expect(folder.read("milter.sock") == "precious\n")
        try safe.removeStaleSocket(folder.path + "/absent.sock")
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to give files to other users"))
    func refusesDirectoriesOfOtherUsersOnTheWay() throws {
        let folder = try Folder()
        let theirs = folder.directory("theirs")
        chown(theirs, 4242, 4242)
        #expect(throws: SystemIOError.foreignOwner(path: theirs, uid: 4242)) {
            try safe.prepareDirectory(theirs + "/lib", owner: nil)
        }
        // Theirs as the directory itself: re-owned when its parent is
        // root's alone (a former runas), refused in a sticky folder.
        try safe.prepareDirectory(theirs, owner: (4343, 4343))
        var info = stat()
        #expect(stat(theirs, &info) == 0 && info.st_uid == 4343)
        let sticky = folder.directory("sticky", mode: 0o1777)
        let planted = sticky + "/lib"
        mkdir(planted, 0o755)
        chown(planted, 4242, 4242)
        #expect(throws: SystemIOError.foreignOwner(path: planted, uid: 4242)) {
            try safe.prepareDirectory(planted, owner: (4343, 4343))
        }
    }
}
