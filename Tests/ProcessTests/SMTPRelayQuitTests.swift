#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// SMTP mode ends its session with the downstream MTA as RFC 5321 4.1.1.10
/// asks: QUIT, then the 221 read before the connection closes. Closing
/// first made the downstream server's 221 fail: Postfix's smtp-sink (the
/// real server here) warned "lost connection" for most connections of the
/// benchmark.
@Suite(.serialized) struct SMTPRelayQuitTests {
    static let smtpSink = "/usr/sbin/smtp-sink"

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: smtpSink),
                   "smtp-sink (Debian's postfix package) is not installed"))
    func theDownstreamSessionEndsWithQuitAndItsReply() throws {
        // A unix socket, as a local reinjection service is often reached:
        // there a write to a closed peer fails at once (over TCP the 221
        // still lands in the kernel's buffer before the reset comes back).
        let sinkSocket = NSTemporaryDirectory() + "smtp-sink-\(UUID().uuidString).sock"
        defer { unlink(sinkSocket) }
        let sinkLog = NSTemporaryDirectory() + "smtp-sink-\(UUID().uuidString).log"
        defer { unlink(sinkLog) }
        let sink = Process()
        sink.executableURL = URL(fileURLWithPath: Self.smtpSink)
        // As root it must be told whom to run as.
        sink.arguments = ["-u", "nobody", "unix:" + sinkSocket, "16"]
        _ = FileManager.default.createFile(atPath: sinkLog, contents: nil)
        sink.standardError = FileHandle(forWritingAtPath: sinkLog)
        sink.standardOutput = FileHandle(forWritingAtPath: sinkLog)
        try sink.run()
        // smtp-sink does not stop for SIGTERM.
        defer { kill(sink.processIdentifier, SIGCONT); kill(sink.processIdentifier, SIGKILL); sink.waitUntilExit() }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: sinkSocket) { usleep(20_000) }
        chmod(sinkSocket, 0o666)

        let tempDir = NSTemporaryDirectory() + "smtp-quit-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tempDir, withIntermediateDirectories: true)
        chmod(tempDir, 0o1777)
        defer { try? FileManager.default.removeItem(atPath: tempDir) }
        let daemon = try DaemonFixture(handlers: #""AddID": {}"#, extra: """
            "protocol": "smtp",
            "smtp": { "server_name": "filter.example", "sock_type": "unix", "sock_path": "\(sinkSocket)",
                      "temp_dir": "\(tempDir)" },
            """)
        #expect(daemon.waitFor { !daemon.workers().isEmpty }, "log:\n\(daemon.log)")

        for round in 0..<3 {
            // smtp-sink is stopped while our session ends and continued
            // 300 ms later: a worker that closed without reading the 221
            // has closed by then, whatever the scheduler did.
            let replies = try Self.sendOneMessage(port: daemon.port, round: round,
                                                  beforeQuit: { kill(sink.processIdentifier, SIGSTOP) },
                                                  afterQuit: { usleep(300_000); kill(sink.processIdentifier, SIGCONT) })
            #expect(replies.last?.hasPrefix("221") == true, "\(replies)\nlog:\n\(daemon.log)")
            // greeting, EHLO, MAIL, RCPT, DATA, the message: relayed.
            #expect(replies.count == 7 && replies[5].hasPrefix("250"), "\(replies)\nlog:\n\(daemon.log)")
        }
        // The worker's session with smtp-sink ends after ours; give it time.
        usleep(500_000)
        let warnings = ((try? String(contentsOfFile: sinkLog, encoding: .utf8)) ?? "")
            .split(separator: "\n").filter { $0.contains("lost connection") }
        #expect(warnings.isEmpty, "smtp-sink: \(warnings)\nlog:\n\(daemon.log)")
    }

    /// One message through the daemon, QUIT included; the replies' lines.
    static func sendOneMessage(port: UInt16, round: Int, beforeQuit: () -> Void, afterQuit: () -> Void) throws -> [String] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return ["connect failed: \(errno)"] }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var replies: [String] = []
        var pending = ""
        func reply() -> String {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                if let end = pending.range(of: "\r\n") {
                    let line = String(pending[..<end.lowerBound])
                    pending = String(pending[end.upperBound...])
                    // The last line of a reply has a space after the code.
                    if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] == " " { return line }
                    continue
                }
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { return "(closed)" }
                pending += String(decoding: buffer[0..<n], as: UTF8.self)
            }
        }
        func say(_ text: String) { _ = text.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, Int32(MSG_NOSIGNAL)) } }
        replies.append(reply())
        for line in ["EHLO client.example", "MAIL FROM:<a@example.com>", "RCPT TO:<b@example.net>", "DATA"] {
            say(line + "\r\n")
            replies.append(reply())
        }
        say("From: a@example.com\r\nTo: b@example.net\r\nSubject: quit \(round)\r\n\r\nbody\r\n.\r\n")
        replies.append(reply())
        beforeQuit()
        say("QUIT\r\n")
        replies.append(reply())
        afterQuit()
        return replies
    }
}
