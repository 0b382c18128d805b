#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `-c start|status|stop|restart` as an operator uses them: two instances
/// with different --ident side by side, a stale pidfile, a pidfile with
/// garbage (the process list is searched, as the manual says).
@Suite(.serialized) struct DaemonControlTests {
    /// One instance's directory, removed with the instance at the end of
    /// its test (after the test's deferred `stop`).
    final class Instance {
        let directory: String
        let ident: String
        let port: UInt16
        var pidfile: String { directory + "/am.pid" }

        init(ident: String) throws {
            self.ident = ident
            directory = NSTemporaryDirectory() + "authmilter-ctl-" + UUID().uuidString
            port = DaemonFixture.freePort()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let config = """
                { "connection": "inet:\(port)@127.0.0.1", "min_children": 1, "max_children": 2,
                  "min_spare_children": 1, "max_spare_children": 1, "error_log": "\(directory)/err.log",
                  "spool_dir": "\(directory)/spool", "cache_dir": "\(directory)/cache", "lib_dir": "\(directory)/lib",
                  "handlers": { "AddID": {} } }
                """
            try config.write(toFile: directory + "/authentication_milter.json", atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        /// Runs the control command; returns exit status and stdout.
        func control(_ command: String, pidfile: String? = nil) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: DaemonFixture.binaryDirectory + "/authentication_milter")
            process.arguments = ["--prefix", directory, "--pidfile", pidfile ?? self.pidfile, "-i", ident, "-c", command]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (process.terminationStatus, text)
        }
    }

    @Test func twoIdentsSideBySide() throws {
        let a = try Instance(ident: "ctla")
        let b = try Instance(ident: "ctlb")
        defer { _ = try? a.control("stop"); _ = try? b.control("stop") }
        #expect(try a.control("start").0 == 0)
        #expect(try b.control("start").0 == 0)
        let statusA = try a.control("status")
        let statusB = try b.control("status")
        #expect(statusA.0 == 0 && statusA.1.contains("authentication_milter_ctla is running with pid"), "\(statusA)")
        #expect(statusB.0 == 0 && statusB.1.contains("authentication_milter_ctlb is running with pid"), "\(statusB)")
        #expect(statusA.1 != statusB.1)
        // A second start of a running instance is refused.
        #expect(try a.control("start").0 != 0)
        let stopped = try a.control("stop")
        #expect(stopped.0 == 0 && stopped.1.contains("stopped"), "\(stopped)")
        #expect(try a.control("status").0 != 0)
        #expect(try b.control("status").0 == 0, "stopping one ident must not touch the other")
    }

    @Test func stalePidfileIsDetected() throws {
        let a = try Instance(ident: "ctlstale")
        try "999999\n".write(toFile: a.pidfile, atomically: true, encoding: .utf8)
        let status = try a.control("status")
        #expect(status.0 != 0)
        #expect(status.1.contains("stale pidfile"), "\(status)")
        #expect(status.1.contains("is not running"), "\(status)")
        // start works over a stale pidfile
        #expect(try a.control("start").0 == 0)
        defer { _ = try? a.control("stop") }
        #expect(try a.control("status").0 == 0)
    }

    @Test func garbagePidfileFallsBackToTheProcessList() throws {
        let a = try Instance(ident: "ctlgarbage")
        #expect(try a.control("start").0 == 0)
        defer { _ = try? a.control("stop") }
        let running = try a.control("status")
        #expect(running.0 == 0)
        try "not a pid\n".write(toFile: a.pidfile, atomically: true, encoding: .utf8)
        let found = try a.control("status")
        #expect(found.0 == 0 && found.1 == running.1, "\(found) vs \(running)")
        // restart goes through the process list too and comes back running.
        let restarted = try a.control("restart")
        #expect(restarted.0 == 0, "\(restarted)")
        let after = try a.control("status")
        #expect(after.0 == 0 && after.1 != running.1, "a new master pid after restart: \(after)")
    }

    /// A pidfile naming another instance's master (another ident, another
    /// pidfile): `-c stop` must leave that master alone, whether or not
    /// its own instance is running.
    @Test func stopLeavesAnotherInstancesMasterAlone() throws {
        let a = try Instance(ident: "ctlmine")
        let b = try Instance(ident: "ctltheirs")
        defer { _ = try? a.control("stop"); _ = try? b.control("stop") }
        #expect(try a.control("start").0 == 0)
        #expect(try b.control("start").0 == 0)
        let pidB = try #require(Int32(String(contentsOfFile: b.pidfile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        try "\(pidB)\n".write(toFile: a.pidfile, atomically: true, encoding: .utf8)
        // a runs: stop finds a through the process list, not b.
        let status = try a.control("status")
        #expect(!status.1.contains("pid \(pidB)"), "\(status)")
        let stopped = try a.control("stop")
        #expect(stopped.0 == 0 && !stopped.1.contains("pid \(pidB)"), "\(stopped)")
        #expect(kill(pidB, 0) == 0, "-c stop of ctlmine stopped ctltheirs")
        #expect(try b.control("status").0 == 0)
        // a stopped: its pidfile names b again; nothing is stopped.
        try "\(pidB)\n".write(toFile: a.pidfile, atomically: true, encoding: .utf8)
        let again = try a.control("stop")
        #expect(again.0 == 1 && again.1.contains("is not running"), "\(again)")
        #expect(kill(pidB, 0) == 0, "-c stop of ctlmine stopped ctltheirs")
        #expect(try a.control("status").0 == 3)
    }

    /// `-c start` with the sample configuration's `logtoerr` and no
    /// error_log, its output captured by a pipe (a script, CI, ssh): the
    /// daemon must let go of the pipe, or the reader waits for ever.
    @Test func startLetsGoOfTheCallersPipes() throws {
        let instance = try Instance(ident: "ctlpipe")
        let config = """
            { "logtoerr": 1, "connection": "inet:\(instance.port)@127.0.0.1", "min_children": 1, "max_children": 2,
              "min_spare_children": 1, "max_spare_children": 1,
              "spool_dir": "\(instance.directory)/spool", "cache_dir": "\(instance.directory)/cache", "lib_dir": "\(instance.directory)/lib",
              "handlers": { "AddID": {} } }
            """
        try config.write(toFile: instance.directory + "/authentication_milter.json", atomically: true, encoding: .utf8)
        defer { _ = try? instance.control("stop") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonFixture.binaryDirectory + "/authentication_milter")
        process.arguments = ["--prefix", instance.directory, "--pidfile", instance.pidfile, "-i", instance.ident, "-c", "start"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let done = DispatchSemaphore(value: 0)
        let reader = pipe.fileHandleForReading
        Thread { _ = reader.readDataToEndOfFile(); done.signal() }.start()
        try? pipe.fileHandleForWriting.close()
        #expect(done.wait(timeout: .now() + 15) == .success, "the daemon still holds the caller's pipe")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try instance.control("status").1.contains("is running with pid"))
    }
}
