import Foundation
import Testing

@testable import Shared

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
        #expect(c.enabledHandlers.map(\.name) == ["AddID", "ReturnOK"])
        #expect(c.handler(named: "SPF")?.enabled == false)
        #expect(c.handler(named: "ReturnOK")?.sourceFile.hasSuffix("authentication_milter.d/ReturnOK.json") == true)
        #expect(c.enabledHandlers.allSatisfy { $0.config == [:] })
    }
}
