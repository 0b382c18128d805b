#if canImport(Glibc)
import Glibc
#endif
import BlockerRules
import Foundation
@testable import MasterSupport
import SystemIO
import Testing

/// The master's reading of the Blocker files: created when missing, read
/// again only when changed, links refused.
@Suite struct BlockerRuleSourceTests {
    static func directory() -> String {
        var template = Array((NSTemporaryDirectory() + "blocker-source.XXXXXX").utf8CString)
        let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        chmod(path, 0o755)
        return path
    }

    static func write(_ path: String, _ text: String) throws {
        try SafePath(trustedUID: geteuid()).writeFile(path, contents: Array(text.utf8))
    }

    static let rule = "[flood]\ncallback = \"connect\"\nvalue = \"^192\"\nwith = \"550 5.7.1 no\"\npercent = 100\n"

    @Test func aMissingFileIsCreatedFromTheTemplate() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = BlockerRuleSource(files: [dir + "/rules.toml"], safePath: SafePath(trustedUID: geteuid()))
        let notes = source.refresh()
        #expect(notes.first == .init(level: .info, text: "Blocker: created \(dir)/rules.toml from the template"))
        let written = try SafePath(trustedUID: geteuid()).readFile(dir + "/rules.toml", maximumSize: 1 << 20)
        #expect(String(decoding: written, as: UTF8.self) == BlockerFileTemplate.text)
        #expect(source.generation == 1 && source.rules.rules.isEmpty)
        #expect(source.refresh().isEmpty)
        #expect(source.generation == 1)
    }

    @Test func anEditedFileIsReadAgainAndAnUnchangedOneIsNot() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/rules.toml"
        try Self.write(path, Self.rule)
        let source = BlockerRuleSource(files: [path], safePath: SafePath(trustedUID: geteuid()))
        source.refresh()
        #expect(source.rules.rules.map(\.id) == ["flood"])
        #expect(try BlockerRuleWire.decode(source.payload) == source.rules)
        #expect(source.refresh().isEmpty && source.generation == 1)
        try Self.write(path, "[other]" + Self.rule.dropFirst("[flood]".count))
        #expect(source.refresh() == [.init(level: .info, text: "Blocker: 1 rules from 1 files")])
        #expect(source.rules.rules.map(\.id) == ["other"] && source.generation == 2)
    }

    @Test func aFileThatDoesNotParseAddsNoRules() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(dir + "/a.toml", Self.rule)
        try Self.write(dir + "/b.toml", "[x]\nvalue = \"\\d\"\n")
        let source = BlockerRuleSource(files: [dir + "/a.toml", dir + "/b.toml"], safePath: SafePath(trustedUID: geteuid()))
        let notes = source.refresh()
        #expect(notes.contains(.init(level: .error, text: "Invalid blocker toml file - \(dir)/b.toml: line 2, column 10: unknown escape '\\d' (write '\\\\' for a backslash, or use a 'literal string')")))
        #expect(source.rules.rules.map(\.id) == ["flood"])
    }

    @Test func aLinkIsNotFollowed() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.write(dir + "/real.toml", Self.rule)
        #expect(symlink(dir + "/real.toml", dir + "/link.toml") == 0)
        let source = BlockerRuleSource(files: [dir + "/link.toml"], safePath: SafePath(trustedUID: geteuid()))
        let notes = source.refresh()
        #expect(notes.contains(.init(level: .error, text: "Blocker: cannot read \(dir)/link.toml: \(dir)/link.toml is a symbolic link; refusing to follow it as root (remove it)")))
        #expect(source.rules.rules.isEmpty)
    }
}
