import Foundation
import JSON
import Testing

/// Issue 13's drop-in test: the `-h default_config` document (Perl's
/// keys and every installed handler with its defaults) starts the daemon
/// with only its placeholders filled: where to listen, the directories and
/// the log file. Handlers whose placeholders name things that do not exist
/// here (spamd, rspamd, clamd, the Abusix feed's `server:port`, Blocker's
/// `/tmpfs/...` file) start anyway, as in Perl, and fail per message.
@Suite struct DefaultConfigStartTests {
    @Test func theDefaultConfigStartsTheDaemon() throws {
        let binary = DaemonFixture.binaryDirectory + "/authentication_milter"
        let help = Process()
        help.executableURL = URL(fileURLWithPath: binary)
        help.arguments = ["-h", "default_config"]
        let out = Pipe()
        help.standardOutput = out
        try help.run()
        let text = out.fileHandleForReading.readDataToEndOfFile()
        help.waitUntilExit()
        #expect(help.terminationStatus == 0)
        guard case .object(var config) = try JSONParser.parse(Array(text)) else {
            Issue.record("default_config is not a JSON object")
            return
        }
        let directory = NSTemporaryDirectory() + "authmilter-defaultconfig-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        chmod(directory, 0o755)
        let port = DaemonFixture.freePort()
        // The placeholders.
        config["connection"] = .string("inet:\(port)@127.0.0.1")
        config["error_log"] = .string(directory + "/error.log")
        config["cache_dir"] = .string(directory + "/cache")
        config["spool_dir"] = .string(directory + "/spool")
        config["lib_dir"] = .string(directory + "/lib")
        try JSONSerializer.serialize(.object(config), style: .perlPretty).withUnsafeBufferPointer { bytes in
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/authentication_milter.json"))
        }
        let control = ["--prefix", directory, "--pidfile", directory + "/am.pid", "-i", "defaultconfig"]
        func run(_ command: String) throws -> (Int32, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = control + ["-c", command]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = err
            try process.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        let (started, startText) = try run("start")
        defer { _ = try? run("stop") }
        #expect(started == 0, "\(startText)")
        var listening = false
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            close(fd)
            if rc == 0 { listening = true; break }
            usleep(100_000)
        }
        #expect(listening, "the daemon does not listen on \(port)")
        let (status, statusText) = try run("status")
        #expect(status == 0 && statusText.contains("is running with pid"), "\(statusText)")
        // Every child came up: none logged that it could not start.
        usleep(500_000)
        let log = (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? ""
        #expect(!log.contains("cannot start") && !log.contains("critical"), "\(log)")
    }
}
