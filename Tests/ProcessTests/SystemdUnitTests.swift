import Foundation
import Testing

/// etc/systemd/authentication_milter.service (issue 14 item 6): systemd's
/// own checker finds nothing to say about it, with the binary paths
/// pointed at this build (it checks that each command exists), and its
/// commands are the ones this program understands.
@Suite struct SystemdUnitTests {
    static let analyzer = "/usr/bin/systemd-analyze"
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc/systemd").path
    static let unit = directory + "/authentication_milter.service"

    /// What `systemd-analyze verify` prints about the units (empty when it
    /// has nothing to say), the binaries pointed at this build.
    static func verify(_ names: [String]) throws -> (status: Int32, said: String) {
        let scratch = NSTemporaryDirectory() + "authmilter-unit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var paths: [String] = []
        for name in names {
            let text = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/", with: DaemonFixture.binaryDirectory + "/")
            try text.write(toFile: scratch + "/" + name, atomically: true, encoding: .utf8)
            paths.append(scratch + "/" + name)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyzer)
        process.arguments = ["verify"] + paths
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, said.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: SystemdUnitTests.analyzer),
                   "needs systemd-analyze (Debian's systemd package) to check the unit"))
    func systemdFindsNothingToSayAboutTheUnit() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        #expect(text.contains("ExecStartPre=/usr/local/bin/authentication_milter --prefix /etc -c check"))
        #expect(text.contains("ExecReload=/bin/kill -HUP $MAINPID"))
        let (status, said) = try Self.verify(["authentication_milter.service"])
        #expect(status == 0, "\(said)")
        // It warns about a directive it cannot parse and still exits 0.
        #expect(said.isEmpty, "\(said)")
    }

    /// etc/systemd/dmarc_send_reports.timer and .service: the reports sent
    /// hourly as the milter's user.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: SystemdUnitTests.analyzer),
                   "needs systemd-analyze (Debian's systemd package) to check the unit"))
    func theReportTimerAndItsServiceAreClean() throws {
        let service = try String(contentsOfFile: Self.directory + "/dmarc_send_reports.service", encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/local/bin/dmarc_send_reports --prefix /etc"))
        #expect(service.contains("Type=oneshot"))
        let (status, said) = try Self.verify(["dmarc_send_reports.service", "dmarc_send_reports.timer"])
        #expect(status == 0, "\(said)")
        #expect(said.isEmpty, "\(said)")
    }
}
