import Foundation
import Testing

/// Under `set -o pipefail` a reader that stops early (`grep -q`, `head`,
/// `awk '{...; exit}'`) makes the writer die of SIGPIPE when it writes
/// again, and the pipeline then fails although the reader matched. That
/// race failed CI once (`dpkg-deb --info | grep -q Depends:` in
/// tests/e2e/deb-e2e.sh, stop 20) and can also hide a failure (`if ldd ... |
/// grep -q libswift` is false when ldd is killed). Scripts with pipefail
/// therefore read pipes to the end: `grep >/dev/null`, `sed -n 1p`.
@Suite struct ShellScriptPipeTests {
    static let root: URL = {
        var root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
            root = root.deletingLastPathComponent()
        }
        return root
    }()

    static func scripts() throws -> [(path: String, text: String)] {
        var found: [(String, String)] = []
        for directory in ["scripts", "tests/e2e", "Benchmarks", ".ci"] {
            let url = root.appendingPathComponent(directory)
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { continue }
            for name in names.sorted() where name.hasSuffix(".sh") || name == "run" {
                let text = try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
                found.append(("\(directory)/\(name)", text))
            }
        }
        return found
    }

    /// A pipe into a reader that quits before its input ends, unless the
    /// line forgives the pipeline's status (`|| true`).
    static func earlyExitPipes(in text: String) -> [String] {
        let readers = [#"\|\s*grep\s+-[A-Za-z]*q"#, #"\|\s*head\b"#, #"\|\s*awk\s+'[^']*\bexit\b"#]
        return text.split(separator: "\n").map(String.init).filter { line in
            let code = line.trimmingCharacters(in: .whitespaces)
            guard !code.hasPrefix("#"), !code.contains("|| true") else { return false }
            return readers.contains { code.range(of: $0, options: .regularExpression) != nil }
        }
    }

    @Test func theCheckFindsEachEarlyReader() {
        #expect(Self.earlyExitPipes(in: #"dpkg-deb --info "$DEB" | grep -q "Depends:" || fail x"#).count == 1)
        #expect(Self.earlyExitPipes(in: "x | grep -qF y && fail z").count == 1)
        #expect(Self.earlyExitPipes(in: "v=$(ls | head -n 1)").count == 1)
        #expect(Self.earlyExitPipes(in: "ps | awk '/w/ {print $1; exit}'").count == 1)
        #expect(Self.earlyExitPipes(in: #"x | grep >/dev/null "y" || fail z"#).isEmpty)
        #expect(Self.earlyExitPipes(in: "od -c f | head -40 >&2 || true").isEmpty)
    }

    @Test func pipefailScriptsReadEveryPipeToTheEnd() throws {
        let scripts = try Self.scripts()
        #expect(scripts.contains { $0.path == "tests/e2e/deb-e2e.sh" }, "the scripts were not found")
        for script in scripts where script.text.contains("pipefail") {
            for line in Self.earlyExitPipes(in: script.text) {
                Issue.record("\(script.path): a reader that stops early under pipefail: \(line)")
            }
        }
    }
}
