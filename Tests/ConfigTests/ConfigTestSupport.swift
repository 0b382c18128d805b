import Foundation
import Testing

@testable import Config
@testable import JSON

/// A throw-away configuration prefix: `<dir>/authentication_milter.json` and
/// optional `<dir>/authentication_milter.d/<name>` files.
struct ConfigFixture {
    let prefix: String

    init(main: String?, handlerFiles: [String: String] = [:]) throws {
        prefix = NSTemporaryDirectory() + "authmilter-config-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: prefix, withIntermediateDirectories: true)
        if let main {
            try main.write(toFile: mainPath, atomically: true, encoding: .utf8)
        }
        if !handlerFiles.isEmpty {
            try FileManager.default.createDirectory(atPath: handlerDirectory, withIntermediateDirectories: true)
            for (name, content) in handlerFiles {
                try content.write(toFile: handlerDirectory + "/" + name, atomically: true, encoding: .utf8)
            }
        }
    }

    var mainPath: String { prefix + "/authentication_milter.json" }
    var handlerDirectory: String { prefix + "/authentication_milter.d" }

    func remove() { try? FileManager.default.removeItem(atPath: prefix) }

    /// Loads, removing the fixture afterwards.
    func load() throws(ConfigurationError) -> (configuration: Configuration, warnings: [String]) {
        defer { remove() }
        return try ConfigurationLoader.load(prefix: prefix)
    }

    /// The error loading fails with, or nil (recorded as an issue).
    func loadError(sourceLocation: SourceLocation = #_sourceLocation) -> ConfigurationError? {
        defer { remove() }
        do {
            _ = try ConfigurationLoader.load(prefix: prefix)
            Issue.record("expected the configuration to be refused", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }
}

/// Loads a main file with the given extra global members after a valid
/// `connection`.
func loadGlobal(_ members: String, handlerFiles: [String: String] = [:]) throws -> (configuration: Configuration, warnings: [String]) {
    let fixture = try ConfigFixture(main: "{\n\"connection\": \"inet:12345@localhost\"\(members.isEmpty ? "" : ",\n")\(members)\n}\n",
                                    handlerFiles: handlerFiles)
    return try fixture.load()
}

func globalError(_ members: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ConfigurationError? {
    let fixture = try ConfigFixture(main: "{\n\"connection\": \"inet:12345@localhost\",\n\(members)\n}\n")
    return fixture.loadError(sourceLocation: sourceLocation)
}
