import Foundation
@testable import Config
import Handlers
import Testing

/// docs/migrating.md lists every key the code reads (issue 14): a key
/// added to the configuration or to a handler without a line there fails
/// this test.
@Suite struct MigrationPageTests {
    static func page() throws -> String {
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        return try String(contentsOf: root.appendingPathComponent("docs/migrating.md"), encoding: .utf8)
    }

    @Test func everyGlobalAndSMTPKeyHasARow() throws {
        let page = try Self.page()
        for key in Configuration.knownKeys.union(SMTPSettings.knownKeys).sorted() {
            #expect(page.contains("| `\(key)` |"), "docs/migrating.md has no row for \(key)")
        }
    }

    @Test func everyHandlerKeyIsListedUnderItsHandler() throws {
        let page = try Self.page()
        for handler in HandlerRegistry.installed {
            let lines = page.split(separator: "\n").filter { $0.hasPrefix("- **\(handler.name)**:") }
            #expect(lines.count == 1, "docs/migrating.md has no line for \(handler.name)")
            for key in handler.configKeys.sorted() {
                #expect(lines.first?.contains("`\(key)`") == true, "docs/migrating.md: \(handler.name) lacks \(key)")
            }
        }
    }
}
