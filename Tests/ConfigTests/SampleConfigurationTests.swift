import Foundation
import Testing

@testable import Config
@testable import JSON

/// `etc/authentication_milter.json` must load cleanly and run without root.
@Suite struct SampleConfigurationTests {
    static let etc = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("etc").path

    @Test func loadsWithoutWarnings() throws {
        let (c, warnings) = try ConfigurationLoader.load(prefix: Self.etc)
        #expect(warnings == [])
        #expect(c.connection == .inet(port: 12345, host: "127.0.0.1"))
        #expect(c.minChildren == 2 && c.maxChildren == 10 && c.minSpareChildren == 1 && c.maxSpareChildren == 4)
        #expect(c.runas == nil && c.rungroup == nil && c.chroot == nil && c.authservID == nil)
        #expect(c.dnsResolvers.isEmpty)
        #expect(c.headerIndentStyle == .entry)
        #expect([c.cacheDir, c.spoolDir, c.libDir].allSatisfy { $0?.hasPrefix("/tmp/") == true })
        // The main job (issue 14 item 6): the README's first command runs
        // a milter that checks SPF, DKIM, DMARC (no reports), ARC, IPRev.
        #expect(c.enabledHandlers.map(\.name) == ["SPF", "DKIM", "DMARC", "ARC", "IPRev", "Sanitize", "AddID", "ReturnOK"])
        #expect(c.handler(named: "ReturnOK")?.sourceFile.hasSuffix("authentication_milter.d/ReturnOK.json") == true)
        #expect(c.handler(named: "DMARC")?.config["no_report"] == .number(JSONNumber(1)))
    }
}
