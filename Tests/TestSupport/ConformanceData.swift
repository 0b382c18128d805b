import Foundation
import Testing

/// The third-party conformance suites the tests read as published: the
/// OpenSPF RFC 7208 suite, the ValiMail ARC suites and dkimpy's vectors.
///
/// They are never part of this repository. They live in the team's
/// `shared/conformance/` beside the checkout (`<repository>/../shared`), on
/// every development machine and in CI; `AUTHMILTER_CONFORMANCE_DIR` points
/// elsewhere. Where they are absent a test that needs them is cancelled
/// with the reason, which Swift Testing reports as skipped, never passed.
public enum ConformanceSuite: String, Sendable, CaseIterable {
    case spf
    case dkim
    case arc

    /// A file whose presence shows the suite is really there (not just an
    /// empty folder).
    var markerFile: String {
        switch self {
        case .spf: "rfc7208-tests.yml"
        case .dkim: "test.message"
        case .arc: "arc-draft-validation-tests.yml"
        }
    }
}

public enum ConformanceData {
    /// Why a suite cannot be read: where it was looked for.
    public struct Missing: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The environment variable that overrides the location of the
    /// `conformance` folder.
    public static let overrideVariable = "AUTHMILTER_CONFORMANCE_DIR"

    /// The `conformance` folder: the override, else `shared/conformance`
    /// beside the repository holding this file.
    public static var root: URL {
        if let override = ProcessInfo.processInfo.environment[overrideVariable], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent()
            .appendingPathComponent("shared").appendingPathComponent("conformance")
    }

    /// The directory holding Package.swift, found by walking up from this
    /// source file (tests run from any working directory).
    public static var repositoryRoot: URL {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    /// The suite's folder, or why it cannot be used. No effect on the
    /// running test.
    public static func location(_ suite: ConformanceSuite) -> Result<URL, Missing> {
        let directory = root.appendingPathComponent(suite.rawValue)
        let marker = directory.appendingPathComponent(suite.markerFile)
        if FileManager.default.isReadableFile(atPath: marker.path) { return .success(directory) }
        return .failure(Missing(description: "third-party \(suite.rawValue) conformance data not found: no "
                                + "\(marker.path) (the team's shared/conformance belongs beside the checkout; "
                                + "set \(overrideVariable) to use another copy)"))
    }

    public static func isAvailable(_ suite: ConformanceSuite) -> Bool {
        if case .success = location(suite) { return true }
        return false
    }

    /// The suite's folder; when it is absent the running test is cancelled
    /// (reported as skipped) with the reason.
    public static func directory(_ suite: ConformanceSuite) throws -> URL {
        switch location(suite) {
        case .success(let url):
            return url
        case .failure(let missing):
            try Test.cancel(Comment(rawValue: missing.description))
        }
    }

    /// One file of a suite, whole; cancels the test when the suite is
    /// absent and throws when the file is missing from a present suite.
    public static func bytes(_ suite: ConformanceSuite, _ name: String) throws -> [UInt8] {
        let url = try directory(suite).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw Missing(description: "\(suite.rawValue) conformance file missing: \(url.path)")
        }
        return [UInt8](data)
    }
}

extension Trait where Self == ConditionTrait {
    /// Skips a test or a whole suite, with the reason, where the team's
    /// conformance data for `suite` is absent. Tests that only touch the
    /// data in some of their cases are cancelled at run time instead
    /// (`ConformanceData.directory`).
    public static func requiresConformanceData(_ suite: ConformanceSuite) -> Self {
        let reason: String
        switch ConformanceData.location(suite) {
        case .success: reason = ""
        case .failure(let missing): reason = missing.description
        }
        return .enabled(if: ConformanceData.isAvailable(suite), Comment(rawValue: reason))
    }
}
