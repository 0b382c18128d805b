/// Reads the results of an `Authentication-Results` value (the part after
/// the authserv-id, as `ARCAuthenticationResultsRecord.results` holds it)
/// back into entries, with their comments where they stood, the way
/// Mail::AuthenticationResults::Parser builds its tree:
///
///     AuthResultsReader.entries("spf=pass (good) smtp.mailfrom=a.example; dkim=pass header.d=a.example")
///     // [spf=pass (good) smtp.mailfrom=a.example, dkim=pass header.d=a.example]
///
/// A comment right after the result belongs to the entry; one after a
/// property's value (or between its key and value) to that property. A
/// `none` segment holds no entry; a segment of comments only is skipped.
/// Anything the Perl parser refuses (a string where `=` is due, `=` where a
/// key is due, an unbalanced comment or quote, a non-numeric version) makes
/// the whole text unreadable: nil, as Perl then has no tree at all.
/// Values are cleaned as every `AuthResultsProperty` is; one pass over the
/// text, no backtracking.
public enum AuthResultsReader {
    public static func entries(_ results: String) -> [AuthResultsEntry]? {
        guard let tokens = tokens(results) else { return nil }
        var entries: [AuthResultsEntry] = []
        var segment: [Token] = []
        for token in tokens + [.separator] {
            if case .separator = token {
                switch entry(segment) {
                case .entry(let entry): entries.append(entry)
                case .nothing: break
                case .invalid: return nil
                }
                segment = []
            } else {
                segment.append(token)
            }
        }
        return entries
    }

    enum Token: Equatable {
        case string(String)
        case comment(String)
        case assignment(Character)
        case separator
    }

    /// What one `;`-separated segment holds.
    enum Segment {
        case entry(AuthResultsEntry)
        /// `none`, comments only, or nothing.
        case nothing
        case invalid
    }

    private static func entry(_ tokens: [Token]) -> Segment {
        enum Expecting { case key, assignment, value, version, nothingAfterNone }
        var expecting = Expecting.key
        var method: String?
        var result: String?
        var version: String?
        var parts: [AuthResultsEntry.Part] = []
        var pendingKey: String?
        var pendingComments: [AuthResultsComment] = []
        // Index in `parts` of the property comments now attach to.
        var lastProperty: Int?

        for token in tokens {
            switch token {
            case .comment(let text):
                let comment = AuthResultsComment(text)
                if pendingKey != nil {
                    pendingComments.append(comment)
                } else if let index = lastProperty, case .property(var property) = parts[index], property.comment == nil {
                    property.comment = comment
                    parts[index] = .property(property)
                } else {
                    // A second comment on a property renders the same way
                    // as an entry comment right after it.
                    parts.append(.comment(comment))
                }
            case .assignment(let symbol):
                guard expecting == .assignment else { return .invalid }
                switch symbol {
                case "=": expecting = .value
                case "/": expecting = .version
                default: return .invalid
                }
            case .string(let text):
                switch expecting {
                case .key:
                    if method == nil {
                        if text.lowercased() == "none" {
                            expecting = .nothingAfterNone
                        } else {
                            method = text
                            expecting = .assignment
                        }
                    } else {
                        pendingKey = text
                        lastProperty = nil
                        expecting = .assignment
                    }
                case .version:
                    guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return .invalid }
                    if pendingKey == nil { version = text }
                    expecting = .assignment
                case .value:
                    if result == nil {
                        result = text
                    } else if let key = pendingKey {
                        var property = AuthResultsProperty(key: key, value: text)
                        property.comment = pendingComments.first
                        lastProperty = parts.count
                        parts.append(.property(property))
                        parts += pendingComments.dropFirst().map(AuthResultsEntry.Part.comment)
                        pendingKey = nil
                        pendingComments = []
                    }
                    expecting = .key
                case .assignment, .nothingAfterNone:
                    return .invalid
                }
            case .separator:
                return .invalid
            }
        }
        guard expecting != .nothingAfterNone, let method, let result else { return .nothing }
        return .entry(AuthResultsEntry(method: method, result: result, version: version, parts: parts))
    }

    /// The text as Mail::AuthenticationResults tokenises it: comments
    /// (nested parentheses), quoted strings (backslash escapes), `;`, and
    /// `=` `/` wherever a token starts; a string after `=` runs to the next
    /// white space or `;`, a key also stops at `"`, `(`, `=` and `/`.
    static func tokens(_ text: String) -> [Token]? {
        var tokens: [Token] = []
        var characters = Substring(text)
        var afterEquals = false
        while let first = characters.first {
            if first.isWhitespace {
                characters = characters.drop(while: \.isWhitespace)
                continue
            }
            switch first {
            case "(":
                var depth = 0
                var end = characters.startIndex
                for index in characters.indices {
                    if characters[index] == "(" { depth += 1 }
                    if characters[index] == ")" { depth -= 1 }
                    if depth == 0 { end = index; break }
                }
                guard depth == 0 else { return nil }
                tokens.append(.comment(String(characters[characters.index(after: characters.startIndex)..<end])))
                characters = characters[characters.index(after: end)...]
                continue
            case ";":
                tokens.append(.separator)
                characters = characters.dropFirst()
            case "\"":
                var value = ""
                var escaped = false
                var closed: Substring.Index?
                for index in characters.indices.dropFirst() {
                    let character = characters[index]
                    if escaped { value.append(character); escaped = false }
                    else if character == "\\" { escaped = true }
                    else if character == "\"" { closed = index; break }
                    else { value.append(character) }
                }
                guard let closed else { return nil }
                tokens.append(.string(value))
                characters = characters[characters.index(after: closed)...]
            case "=", "/":
                tokens.append(.assignment(first))
                characters = characters.dropFirst()
            default:
                let stops: Set<Character> = afterEquals ? [";"] : [";", "\"", "(", "=", "/"]
                let word = characters.prefix { !$0.isWhitespace && !stops.contains($0) }
                tokens.append(.string(String(word)))
                characters = characters[word.endIndex...]
            }
            if case .assignment("=") = tokens.last { afterEquals = true } else { afterEquals = false }
        }
        return tokens
    }
}
