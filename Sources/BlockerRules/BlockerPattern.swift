/// A rule's `value` as a regex. Perl applies it with `$text =~ /$value/`:
/// a match anywhere in the text, Perl's syntax. Swift's `Regex` reads the
/// same syntax for what rule files use (classes, `\d \w \s \b`, anchors,
/// alternation, groups, `(?i)`, look-around), matched on Unicode scalars
/// as Perl matches characters.
///
/// Time: a backtracking engine, like Perl's; a rule written to backtrack
/// badly is bounded by the worker's stage deadline (`StageAlarm`), as the
/// rules come from the operator, not from mail. Each match is given at
/// most `maximumTextLength` scalars of text (a header longer than that is
/// matched on its start), so no message makes one match long.
public struct BlockerPattern {
    public let source: String
    let regex: Regex<AnyRegexOutput>

    /// The most text one match looks at, in Unicode scalars.
    public static let maximumTextLength = 16 * 1024

    public init(_ source: String) throws {
        self.source = source
        regex = try Regex(source).matchingSemantics(.unicodeScalar)
    }

    /// Nil when `source` compiles; else the compiler's reason.
    public static func compileError(_ source: String) -> String? {
        do {
            _ = try BlockerPattern(source)
            return nil
        } catch {
            return "\(error)"
        }
    }

    public func matches(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        let limited: Substring
        if scalars.count > Self.maximumTextLength {
            let end = scalars.index(scalars.startIndex, offsetBy: Self.maximumTextLength)
            limited = Substring(String(scalars[..<end]))
        } else {
            limited = Substring(text)
        }
        // `try?` flattens: nil for no match and for a matching error alike.
        return (try? regex.firstMatch(in: limited)) != nil
    }
}
