#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// Configurations that used to "start" and then crash-loop (or hang):
/// `-c start` must refuse them at once, print the reason on the terminal
/// and exit non-zero, leaving nothing running.
@Suite(.serialized) struct BadConfigurationTests {
    struct Attempt {
        let status: Int32
        let stderr: String
        let seconds: Double
    }

    /// `-c start` on a configuration made of `settings`; stops whatever did
    /// start. A start still running after 20 s counts as a hang.
    static func start(_ settings: String, handlers: String = #""AddID": {}"#,
                      prepare: (String) throws -> Void = { _ in }) throws -> Attempt {
        let directory = NSTemporaryDirectory() + "authmilter-badconf-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = DaemonFixture.freePort()
        let config = """
            { "connection": "inet:\(port)@127.0.0.1", "min_children": 1, "max_children": 2,
              "min_spare_children": 1, "max_spare_children": 1,
              "spool_dir": "\(directory)/spool", "cache_dir": "\(directory)/cache", "lib_dir": "\(directory)/lib",
              \(settings)
              "handlers": { \(handlers) } }
            """
        try config.write(toFile: directory + "/authentication_milter.json", atomically: true, encoding: .utf8)
        try prepare(directory)
        let arguments = ["--prefix", directory, "--pidfile", directory + "/am.pid", "-i", "badconf"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonFixture.binaryDirectory + "/authentication_milter")
        process.arguments = arguments + ["-c", "start"]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning && Date() < deadline { usleep(50_000) }
        let hung = process.isRunning
        if hung { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let seconds = Date().timeIntervalSince(started)
        let stop = Process()
        stop.executableURL = process.executableURL
        stop.arguments = arguments + ["-c", "stop"]
        stop.standardOutput = FileHandle.nullDevice
        stop.standardError = FileHandle.nullDevice
        try? stop.run()
        stop.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.availableData, as: UTF8.self)
        return Attempt(status: hung ? -1 : process.terminationStatus, stderr: text, seconds: seconds)
    }

    @Test func garbageInDnsResolversIsRefused() throws {
        let attempt = try Self.start(#""dns_resolvers": ["127.0.0.1", "not-an-address"],"#)
        #expect(attempt.status == 1, "\(attempt)")
        #expect(attempt.stderr.contains("dns_resolvers") && attempt.stderr.contains("'not-an-address' is not an IP address"),
                "\(attempt.stderr)")
    }

    @Test func aMissingChrootIsRefused() throws {
        let attempt = try Self.start(#""chroot": "/nonexistent/authmilter-chroot","#)
        #expect(attempt.status == 1, "\(attempt)")
        #expect(attempt.stderr.contains("chroot /nonexistent/authmilter-chroot: No such file or directory"), "\(attempt.stderr)")
    }

    @Test func aSpoolDirThatIsAFileIsRefused() throws {
        let attempt = try Self.start("") { directory in
            try "not a directory".write(toFile: directory + "/spool", atomically: false, encoding: .utf8)
        }
        #expect(attempt.status == 1, "\(attempt)")
        #expect(attempt.stderr.contains("spool_dir"), "\(attempt.stderr)")
    }

    @Test func aConfigurationFileThatIsAFIFOIsRefusedAtOnce() throws {
        let attempt = try Self.start("") { directory in
            let file = directory + "/authentication_milter.json"
            unlink(file)
            #expect(mkfifo(file, 0o600) == 0)
        }
        #expect(attempt.status == 1, "hung or started: \(attempt)")
        #expect(attempt.seconds < 10)
        #expect(attempt.stderr.contains("not a regular file"), "\(attempt.stderr)")
    }

    /// The handlers are built by the configuration-check child, not by the
    /// root master: a handler's own refusal (here a DKIMSign key file that
    /// is not there) still stops `-c start` with its words.
    @Test func aHandlerThatCannotBeBuiltIsRefusedThroughTheCheckChild() throws {
        let attempt = try Self.start("", handlers: #""AddID": {}, "DKIMSign": { "sign": [ { "domain": "example.com", "selector": "s", "key_file": "/nonexistent/dkim.key" } ] }"#)
        #expect(attempt.status == 1, "\(attempt)")
        // The child only has the serialized configuration; the master puts
        // the file, line and column back.
        #expect(attempt.stderr.contains("authentication_milter.json:5:98: ") && attempt.stderr.contains("handlers.DKIMSign.sign[0].key_file: ")
                && attempt.stderr.contains("/nonexistent/dkim.key"), "\(attempt.stderr)")
    }

    /// SMTP mode starts (issue 15; it was refused before), and says at
    /// start what it cannot do: relay without an upstream, or see an
    /// authenticated client (Auth reads a milter macro).
    @Test func smtpModeStartsAndSaysWhatItCannotDo() throws {
        let attempt = try Self.start(#""protocol": "smtp","#, handlers: #""AddID": {}, "Auth": {}"#)
        #expect(attempt.status == 0, "\(attempt)")
        #expect(attempt.stderr.contains(#"protocol is "smtp" but no upstream is configured; every message will be refused"#), "\(attempt.stderr)")
        #expect(attempt.stderr.contains("the Auth handler works with the milter protocol only"), "\(attempt.stderr)")
        #expect(!attempt.stderr.contains("not available in this build"), "\(attempt.stderr)")
    }

    @Test func runasWithoutRungroupSaysWhatHappens() throws {
        let attempt = try Self.start(#""runas": "nobody","#)
        #expect(attempt.status == 0, "\(attempt)")
        #expect(!attempt.stderr.contains("drops no privileges with only one of them\n"), "\(attempt.stderr)")
        #expect(attempt.stderr.contains("the children run as nobody with that account's primary group"), "\(attempt.stderr)")
    }
}
