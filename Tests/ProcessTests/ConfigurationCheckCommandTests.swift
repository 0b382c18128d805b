#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// `-c check`: a start's checks without starting, exit 0 or 1.
@Suite(.serialized) struct ConfigurationCheckCommandTests {
    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func check(_ mainFile: String, handlerFiles: [String: String] = [:], port: UInt16? = nil) throws -> Outcome {
        let directory = NSTemporaryDirectory() + "authmilter-check-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/authentication_milter.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = mainFile.replacingOccurrences(of: "PORT", with: String(port ?? DaemonFixture.freePort()))
            .replacingOccurrences(of: "DIR", with: directory)
        try text.write(toFile: directory + "/authentication_milter.json", atomically: true, encoding: .utf8)
        for (name, body) in handlerFiles {
            try body.write(toFile: directory + "/authentication_milter.d/\(name).json", atomically: true, encoding: .utf8)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonFixture.binaryDirectory + "/authentication_milter")
        process.arguments = ["--prefix", directory, "--pidfile", directory + "/am.pid", "-c", "check"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus,
                       stdout: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       stderr: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    static let good = """
        { "connection": "inet:PORT@127.0.0.1", "spool_dir": "DIR/spool", "cache_dir": "DIR/cache", "lib_dir": "DIR/lib",
          "handlers": { "AddID": {}, "SPF": {} } }
        """

    @Test func aGoodConfigurationPassesAndNamesItsHandlers() throws {
        let outcome = try Self.check(Self.good)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("configuration OK"))
        #expect(outcome.stdout.contains("handlers: AddID, SPF"))
    }

    @Test func aBadKeyIsRefusedWithItsPosition() throws {
        let outcome = try Self.check("""
            { "connection": "inet:PORT@127.0.0.1",
              "min_children": { "no": 1 },
              "handlers": { "AddID": {} } }
            """)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("authentication_milter.json:2:"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("min_children"))
    }

    /// The handlers are built in a child as a worker builds them: a
    /// signing key that does not exist is found by the check.
    @Test func aHandlerThatCannotBeBuiltIsRefused() throws {
        let outcome = try Self.check(Self.good, handlerFiles: [
            "DKIMSign": #"{ "sign": [ { "domain": "example.com", "selector": "s", "key_file": "/nonexistent/dkim.key" } ] }"#,
        ])
        #expect(outcome.status == 1, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stderr.contains("DKIMSign.json:1:") && outcome.stderr.contains("/nonexistent/dkim.key"), "\(outcome.stderr)")
    }

    /// The running milter holds its port: not a failure.
    @Test func aPortInUseIsANoteNotAFailure() throws {
        let port = DaemonFixture.freePort()
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(holder, 1) == 0)
        let outcome = try Self.check(Self.good, port: port)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("is in use"), "\(outcome.stderr)")
    }

    @Test func aUnixSocketInAMissingDirectoryIsRefused() throws {
        let outcome = try Self.check("""
            { "connection": "unix:/nonexistent-authmilter-dir/milter.sock", "handlers": { "AddID": {} } }
            """)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("does not exist"), "\(outcome.stderr)")
    }
}
