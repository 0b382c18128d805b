#if canImport(Glibc)
import Glibc
#endif
import BlockerRules

/// What `add` checks before it touches a file, with Perl's messages, and
/// the edits themselves on a parsed file (pure: the caller reads and
/// writes).
enum BlockerRuleEdit {
    /// `with` as Perl's tool wants it: `4xx 4.x.x text` or `5xx 5.x.x text`
    /// (the classes of the two codes the same).
    static func validWith(_ with: String) -> Bool {
        let parts = with.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return false }
        let code = Array(parts[0].utf8)
        let enhanced = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard code.count == 3, code[0] == UInt8(ascii: "4") || code[0] == UInt8(ascii: "5"),
              code[1...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        guard enhanced.count == 3, enhanced[0] == Substring(String(UnicodeScalar(code[0]))),
              enhanced[1...].allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else { return false }
        return true
    }

    /// Perl's `validate_args` for `add`: the new rule, or the first
    /// complaint in Perl's order.
    static func rule(from command: BlockerToolCommand, now: Int64) throws(BlockerToolError) -> BlockerRule {
        guard let id = command.value("id"), !id.isEmpty else { throw BlockerToolError.refused("Must supply an id") }
        guard let callback = command.value("callback"), !callback.isEmpty else { throw BlockerToolError.refused("Must supply a callback") }
        guard BlockerCallback(rawValue: callback) != nil else {
            throw BlockerToolError.refused("Callback must be one of " + BlockerCallback.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard let value = command.value("value"), !value.isEmpty, value != "0" else { throw BlockerToolError.refused("Must supply a value") }
        if let reason = BlockerPattern.compileError(value) { throw BlockerToolError.refused("Value is not a valid regex: \(reason)") }
        guard let with = command.value("with"), !with.isEmpty else { throw BlockerToolError.refused("Must supply a with") }
        guard validWith(with) else { throw BlockerToolError.refused("With is invalid, please use extended return code format") }
        guard let percentText = command.value("percent") else { throw BlockerToolError.refused("Must supply a percent") }
        guard !percentText.isEmpty, percentText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw BlockerToolError.refused("Percent must be a number")
        }
        guard let percent = Int64(percentText), percent <= 100 else { throw BlockerToolError.refused("Percent must be a number between 0 and 100") }
        var until: Int64 = 0
        if let untilText = command.value("until"), !untilText.isEmpty {
            guard let parsed = parseUntil(untilText) else { throw BlockerToolError.refused("Could not parse until date") }
            until = parsed
        }
        return BlockerRule(id: id, callback: callback, value: value, with: with, percent: Double(percent), until: until)
    }

    /// The expiry as this tool reads it: Unix seconds, or an ISO 8601
    /// date `YYYY-MM-DD`, optionally with ` HH:MM[:SS]` (or `T`), in UTC.
    /// (Perl's tool takes anything Date::Manip parses.)
    static func parseUntil(_ text: String) -> Int64? {
        if text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Int64(text) }
        var body = Substring(text)
        if body.hasSuffix("Z") { body = body.dropLast() }
        let pieces = body.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard pieces.count == 1 || pieces.count == 2 else { return nil }
        let date = pieces[0].split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard date.count == 3, let year = date[0], let month = date[1], let day = date[2],
              (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var hour = 0, minute = 0, second = 0
        if pieces.count == 2 {
            let time = pieces[1].split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
            guard time.count == 2 || time.count == 3, let h = time[0], let m = time[1], (0...23).contains(h), (0...59).contains(m) else { return nil }
            hour = h
            minute = m
            if time.count == 3 {
                guard let s = time[2], (0...60).contains(s) else { return nil }
                second = s
            }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // timegm normalizes 2026-02-31 to March: such a date is no date.
        guard parts.tm_mday == Int32(day), parts.tm_mon == Int32(month - 1) else { return nil }
        return Int64(seconds)
    }

    /// The file with `rule` added as a table (keys sorted, as Perl's
    /// `to_toml` writes them), or Perl's complaint when the id is taken.
    static func adding(_ rule: BlockerRule, to document: TOMLDocument) throws(BlockerToolError) -> TOMLDocument {
        guard document[table: rule.id] == nil else { throw BlockerToolError.refused("The given ID already exists in that file") }
        var edited = document
        edited.tables.append(TOMLDocument.Table(name: rule.id, entries: [
            ("callback", .string(rule.callback)),
            ("percent", .integer(Int64(rule.percent))),
            ("until", .integer(rule.until)),
            ("value", .string(rule.value)),
            ("with", .string(rule.with)),
        ]))
        return sortedAsPerlWrites(edited)
    }

    static func deleting(id: String, from document: TOMLDocument) throws(BlockerToolError) -> TOMLDocument {
        guard document[table: id] != nil else { throw BlockerToolError.refused("The given ID does not exist in that file") }
        var edited = document
        edited.tables.removeAll { $0.name == id }
        return sortedAsPerlWrites(edited)
    }

    /// Perl's `to_toml` writes tables and keys in sorted order; the
    /// file's comments do not survive a rewrite (Perl's neither).
    static func sortedAsPerlWrites(_ document: TOMLDocument) -> TOMLDocument {
        func before(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
        var sorted = document
        sorted.topLevel.entries.sort { before($0.key, $1.key) }
        sorted.tables.sort { before($0.name, $1.name) }
        for index in sorted.tables.indices { sorted.tables[index].entries.sort { before($0.key, $1.key) } }
        return sorted
    }
}
