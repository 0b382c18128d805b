/// A `macro-string` of RFC 7208 section 7.1, parsed once when the record
/// is parsed, so syntax errors anywhere in a record are found before any
/// term is evaluated (section 4.6) and evaluation only substitutes.
///
/// Three places hold macro strings, with different alphabets:
/// - a `domain-spec` (mechanism and modifier targets): visible ASCII but
///   `%`, and the macros `s l o d i p h v`;
/// - an unknown modifier's value: the same (it must still parse);
/// - an explanation (the TXT record `exp=` points at): also spaces, and
///   the explanation-only macros `c r t`.
public struct SPFMacroString: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        case domainSpec
        case modifierValue
        case explanation
    }

    public enum Item: Hashable, Sendable {
        /// A run of literal characters.
        case literal(String)
        /// `%%`, `%_` or `%-`: what each stands for (`%`, a space, `%20`).
        /// The grammar counts these as macro-expands, which matters for
        /// the end of a domain-spec.
        case escape(String)
        case macro(SPFMacro)
    }

    /// The string as written (ASCII; what Mail::SPF prints back).
    public let text: String
    public let items: [Item]

    public init(_ text: String, kind: Kind) throws(SPFSyntaxError) {
        try self.init(parsing: Array(text.utf8), kind: kind)
    }

    public init(parsing bytes: some Collection<UInt8>, kind: Kind) throws(SPFSyntaxError) {
        let bytes = Array(bytes)
        var items: [Item] = []
        var literal: [UInt8] = []
        func flush() {
            if !literal.isEmpty {
                items.append(.literal(SPFText.ascii(literal)))
                literal.removeAll(keepingCapacity: true)
            }
        }
        func invalid(_ position: Int) -> SPFSyntaxError {
            SPFSyntaxError(.invalidMacro, "Invalid macro expression at pos \(position) in macro string '\(SPFText.sanitized(bytes))'",
                           position: position)
        }
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%") {
                guard i + 1 < bytes.count else { throw invalid(i) }
                switch bytes[i + 1] {
                case UInt8(ascii: "%"):
                    flush(); items.append(.escape("%")); i += 2
                case UInt8(ascii: "_"):
                    flush(); items.append(.escape(" ")); i += 2
                case UInt8(ascii: "-"):
                    flush(); items.append(.escape("%20")); i += 2
                case UInt8(ascii: "{"):
                    let (macro, next) = try SPFMacro.parse(bytes, at: i, kind: kind)
                    flush()
                    items.append(.macro(macro))
                    i = next
                default:
                    throw invalid(i)
                }
            } else if (byte >= 0x21 && byte <= 0x7e) || (byte == 0x20 && kind == .explanation) {
                literal.append(byte)
                i += 1
            } else {
                throw SPFSyntaxError(.invalidMacro, "Invalid character \(SPFText.sanitized([byte])) at pos \(i) in macro string '\(SPFText.sanitized(bytes))'",
                                     position: i)
            }
        }
        flush()
        self.items = items
        self.text = SPFText.ascii(bytes)
    }

    public var description: String { text }

    /// Whether the last item is a macro-expand (`%{…}`, `%%`, `%_`, `%-`):
    /// such a domain-spec needs no literal top label (RFC 7208 section 7.1,
    /// `domain-end`).
    var endsWithMacroExpand: Bool {
        switch items.last {
        case .macro?, .escape?: return true
        case .literal?, nil: return false
        }
    }
}

/// One `%{…}` expression: a letter, then transformers (`*DIGIT ["r"]`)
/// and delimiters (RFC 7208 section 7.1).
public struct SPFMacro: Hashable, Sendable {
    /// The macro letter, lowercased (`s l o d i p h c r t v`).
    public var letter: Character
    /// Written in uppercase: the value is URL-escaped (section 7.3).
    public var urlEscaped: Bool
    /// Keep this many right-hand parts; nil keeps all.
    public var rightParts: Int?
    public var reversed: Bool
    /// Split characters; empty means none written (then "." if a split is
    /// needed at all).
    public var delimiters: [Character]

    public init(letter: Character, urlEscaped: Bool = false, rightParts: Int? = nil,
                reversed: Bool = false, delimiters: [Character] = []) {
        self.letter = letter
        self.urlEscaped = urlEscaped
        self.rightParts = rightParts
        self.reversed = reversed
        self.delimiters = delimiters
    }

    /// Whether the value is split and rejoined with "." (any transformer or
    /// delimiter written).
    var transforms: Bool { rightParts != nil || reversed || !delimiters.isEmpty }

    static let letters: Set<UInt8> = Set("slodiphcrtv".utf8)
    static let explanationOnly: Set<UInt8> = Set("crt".utf8)
    static let delimiterBytes: Set<UInt8> = Set(".-+,/_=".utf8)
    /// A DIGIT larger than any split can produce is the same as "all";
    /// clamping keeps absurd numbers from overflowing.
    static let maximumRightParts = 1_000

    /// Parses `%{…}` starting at `start` (the `%`); returns the macro and
    /// the index after the closing brace.
    static func parse(_ bytes: [UInt8], at start: Int, kind: SPFMacroString.Kind) throws(SPFSyntaxError) -> (SPFMacro, Int) {
        // Only an error needs the whole string in text; building it for
        // every macro would make parsing quadratic.
        var whole: String { SPFText.sanitized(bytes) }
        var i = start + 2
        guard i < bytes.count else {
            throw SPFSyntaxError(.invalidMacro, "Invalid macro expression at pos \(start) in macro string '\(whole)'", position: start)
        }
        let raw = bytes[i]
        let lower = SPFText.lowercased(raw)
        // Mail::SPF's term grammar only takes `%{` followed by a letter;
        // it names an unknown letter lower-cased (it lower-cases first).
        guard SPFText.isAlpha(raw) else {
            throw SPFSyntaxError(.invalidMacro, "Invalid macro expression at pos \(start) in macro string '\(whole)'", position: start)
        }
        guard letters.contains(lower) else {
            throw SPFSyntaxError(.unknownMacro, "Unknown macro character '\(Character(Unicode.Scalar(lower)))' at pos \(start) in macro string '\(whole)'")
        }
        if explanationOnly.contains(lower) && kind != .explanation {
            throw SPFSyntaxError(.illegalMacro, "Illegal '\(Character(Unicode.Scalar(lower)))' macro in non-explanation macro string '\(whole)'")
        }
        i += 1
        var rightParts: Int? = nil
        var digits = 0
        var value = 0
        while i < bytes.count, SPFText.isDigit(bytes[i]) {
            value = min(value * 10 + Int(bytes[i] - UInt8(ascii: "0")), maximumRightParts)
            digits += 1
            i += 1
        }
        if digits > 0 {
            guard value > 0 else {
                throw SPFSyntaxError(.invalidMacro, "Illegal selection of 0 (zero) right-hand parts at pos \(start) in macro string '\(whole)'")
            }
            rightParts = value
        }
        var reversed = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "r") || bytes[i] == UInt8(ascii: "R") {
            reversed = true
            i += 1
        }
        var delimiters: [Character] = []
        while i < bytes.count, delimiterBytes.contains(bytes[i]) {
            let delimiter = Character(Unicode.Scalar(bytes[i]))
            if !delimiters.contains(delimiter) { delimiters.append(delimiter) }
            i += 1
        }
        guard i < bytes.count, bytes[i] == UInt8(ascii: "}") else {
            throw SPFSyntaxError(.invalidMacro, "Invalid macro expression at pos \(start) in macro string '\(whole)'", position: start)
        }
        let macro = SPFMacro(letter: Character(Unicode.Scalar(lower)), urlEscaped: raw != lower,
                             rightParts: rightParts, reversed: reversed, delimiters: delimiters)
        return (macro, i + 1)
    }
}
