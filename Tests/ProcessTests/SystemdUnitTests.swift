import Foundation
import Testing

/// etc/systemd/authentication_milter.service (issue 14 item 6): systemd's
/// own checker finds nothing to say about it, with the binary paths
/// pointed at this build (it checks that each command exists), and its
/// commands are the ones this program understands.
@Suite struct SystemdUnitTests {
    static let analyzer = "/usr/bin/systemd-analyze"
    static let unit = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc/systemd/authentication_milter.service").path

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: SystemdUnitTests.analyzer),
                   "needs systemd-analyze (Debian's systemd package) to check the unit"))
    func systemdFindsNothingToSayAboutTheUnit() throws {
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8)
        #expect(text.contains("ExecStartPre=/usr/local/bin/authentication_milter --prefix /etc -c check"))
        #expect(text.contains("ExecReload=/bin/kill -HUP $MAINPID"))
        let directory = NSTemporaryDirectory() + "authmilter-unit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let local = text.replacingOccurrences(of: "/usr/local/bin/authentication_milter",
                                              with: DaemonFixture.binaryDirectory + "/authentication_milter")
        let path = directory + "/authentication_milter.service"
        try local.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.analyzer)
        process.arguments = ["verify", path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(said)")
        // It warns about a directive it cannot parse and still exits 0.
        #expect(said.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(said)")
    }
}
