import Config
import MailAuth
import Metrics

/// Sanitize: removes results that claim to come from us before we add ours.
///
/// An `Authentication-Results` header (or one of `extra_auth_results_types`,
/// names compared without regard to case) is removed when its authserv-id
///
/// - is one of `hosts_to_remove` or a subdomain of one,
/// - is in the domain of this host (its host name without the first label:
///   `mx1.example.net` removes `example.net` and `*.example.net`), or
/// - equals our authserv-id (`authserv_id`, else the host name),
///
/// or when the header does not parse (no authserv-id can be trusted then).
/// `X-Disposition-Quarantine` headers are always removed, silently, so a
/// sender cannot fake our quarantine note. Unless `remove_headers` is
/// `"silent"` (or the header was unparseable), a removed header is kept as
/// `X-Received-<Name>: (Received <Name> header removed by <host>)` plus the
/// old value. `"no"` removes nothing; connections from trusted addresses
/// are never sanitized. Removals happen at the end of the message, with the
/// occurrence numbers counted while the headers went by.
public final class SanitizeHandler: Handler {
    public static let name = "Sanitize"
    public static let defaultConfigJSON = """
        {
           "extra_auth_results_types" : [
              "X-Authentication-Results"
           ],
           "hosts_to_remove" : [
              "example.com",
              "example.net"
           ],
           "remove_headers" : "yes"
        }
        """
    public static let helpText = """
        Sanitize Module

        Remove unauthorized (forged) Authentication-Results headers from processed email.

        CONFIGURATION
                "Sanitize" : {                                  | Config for the Sanitize Module
                                                                | Remove conflicting Auth-results headers from inbound mail
                    "hosts_to_remove" : [                       | Hostnames (including subdomains thereof) for which we
                        "example.com",                          | want to remove existing authentication results headers.
                        "example.net"
                    ],
                    "remove_headers" : "yes",                   | Remove headers with conflicting host names (as defined above)
                                                                | "no" : do not remove
                                                                | "yes" : remove and add a header for each one
                                                                | "silent" : remove silently
                                                                | Does not run for trusted IP address connections

                    "extra_auth_results_types" : [              | List of extra Authentication-Results style headers which we
                        "X-Authentication-Results",             | want to treat as Authentication-Results and sanitize.
                    ],
                }
        """

    /// `remove_headers` (and RBLDNS's `sanitize_header`): remove with a
    /// note, remove silently, or keep.
    public enum Mode: Equatable, Sendable { case yes, no, silent }

    let hostsToRemove: [String]
    let mode: Mode
    /// `Authentication-Results` and the extra types, sorted and without
    /// case-insensitive duplicates (one header must not be counted twice).
    let resultTypes: [String]
    /// Other headers always removed, by lowercase name, and whether quietly.
    private(set) var otherHeaders: [String: Bool] = ["x-disposition-quarantine": true]

    public init(config: ConfigNode) throws(ConfigurationError) {
        // Perl's run-time defaults (a missing key): no extra hosts, remove
        // and note, no extra types. default_config only seeds the sample.
        hostsToRemove = try config.stringArray("hosts_to_remove") ?? []
        mode = try Self.mode(config.child("remove_headers"))
        var types = ["Authentication-Results"] + (try config.stringArray("extra_auth_results_types") ?? [])
        types.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var seen: Set<String> = []
        resultTypes = types.filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
    }

    /// `remove_headers`: Perl compares the lowercased text with "no" and
    /// "silent" and treats anything else as "yes". A boolean is refused:
    /// Perl would read `false` as "yes", which nobody writing it means.
    static func mode(_ node: ConfigNode?) throws(ConfigurationError) -> Mode {
        guard let node, !node.isNull else { return .yes }
        if case .bool = node.value { throw node.error("expected \"yes\", \"no\" or \"silent\", got \(node.value.typeDescription)") }
        switch try node.stringValue().lowercased() {
        case "no": return .no
        case "silent": return .silent
        default: return .yes
        }
    }

    /// Perl's `add_header_to_sanitize_list`: another handler asks for its
    /// own header to be stripped from incoming mail.
    public func addHeaderToRemove(_ name: String, silent: Bool) {
        otherHeaders[name.lowercased()] = silent
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        guard !session.isTrustedIP, mode != .no else { return }
        let state = session.messageState(of: self, SanitizeMessageState.self)
        let lowerName = session.lowercasedHeaderName(name)
        for type in resultTypes where type.lowercased() == lowerName {
            let occurrence = state.resultCounts[type, default: 0] + 1
            state.resultCounts[type] = occurrence
            var silent = mode == .silent
            let remove: Bool
            if let claimed = Self.claimedAuthservID(value), MailSession.isPerlTrue(claimed) {
                remove = isMine(claimed, session)
            } else {
                // Unparseable: removing is the safe choice, and the note is
                // kept for a later look whatever the mode.
                remove = true
                silent = false
            }
            guard remove else { continue }
            state.resultRemovals[type, default: []].append(occurrence)
            if !silent {
                session.appendHeader(name: "X-Received-" + type, value: Self.note(type, session, value))
            }
        }
        if let silent = otherHeaders[lowerName] {
            state.otherCounts[lowerName, default: 0] += 1
            if !silent {
                session.appendHeader(name: "X-Received-" + lowerName, value: Self.note(lowerName, session, value))
            }
        }
    }

    public func endOfMessage(_ session: MailSession) throws {
        guard mode != .no, let state = session.existingMessageState(of: self, SanitizeMessageState.self) else { return }
        for type in state.resultRemovals.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            for occurrence in state.resultRemovals[type, default: []].reversed() {
                session.count(.sanitizeRemove, [type])
                session.removeHeader(name: type, occurrence: occurrence)
            }
        }
        for name in state.otherCounts.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            for occurrence in stride(from: state.otherCounts[name, default: 0], to: 0, by: -1) {
                session.count(.sanitizeRemove, [name])
                session.removeHeader(name: name, occurrence: occurrence)
            }
        }
    }

    /// The removed field's value is quoted as it came, folding kept, but
    /// with its control characters as the dispatcher's last check would
    /// leave them: it is the sender's text (Perl copied it raw).
    ///
    /// Leading white space, line breaks included, is dropped first, as
    /// Perl's milter protocol code does to every header value before its
    /// handlers see it (`PerlHeaderValue`): a field folded right after its colon
    /// (`Authentication-Results:\n mx.example.net; ...`) arrives from
    /// Postfix as `\n mx.example.net; ...`, and quoted as it came it would
    /// leave a line of only spaces after the note's first line (RFC 5322
    /// section 3.2.2 folding never makes one).
    static func note(_ name: String, _ session: MailSession, _ value: String) -> String {
        "(Received \(name) header removed by \(session.myHostname))\n    \(MilterHeaderGuard.safeValue(PerlHeaderValue.text(value)))"
    }

    /// Perl's `is_hostname_mine`.
    func isMine(_ claimed: String, _ session: MailSession) -> Bool {
        if hostsToRemove.contains(where: { Self.isWithin(claimed, domain: $0) }) { return true }
        // Perl takes what follows the first dot of a host name that has a
        // label before it; a name without one matches only the empty name
        // (or a claim ending in a dot), as Perl's empty pattern does.
        let hostname = session.myHostname
        var domain = ""
        if let dot = hostname.firstIndex(of: "."), dot != hostname.startIndex {
            domain = String(hostname[hostname.index(after: dot)...])
        }
        if Self.isWithin(claimed, domain: domain) { return true }
        return claimed.lowercased() == session.myAuthservID.lowercased()
    }

    /// `claimed =~ /^(.*\.)?\Qdomain\E$/i`: the domain or a name below it.
    static func isWithin(_ claimed: String, domain: String) -> Bool {
        let name = claimed.lowercased()
        let suffix = domain.lowercased()
        return name == suffix || name.hasSuffix("." + suffix)
    }
}

extension SanitizeHandler {
    /// The authserv-id of a received results header, as Perl's Sanitize
    /// gets it: Mail::AuthenticationResults::Parser parses the whole value
    /// and any parse error means "no authserv-id" (nil here). The grammar is
    /// the module's, not RFC 8601's, so the same headers are kept or removed:
    /// its tokens are comments, `;`, quoted strings, `=` `.` `/`, and
    /// strings; after the authserv-id may come a version and `key=value`
    /// pairs, then `;`-separated `method[/version]=result` entries with
    /// `ptype.property=value` pairs, or the single word `none`.
    static func claimedAuthservID(_ value: String) -> String? {
        guard let tokens = ResultsToken.tokenise(value), !tokens.isEmpty else { return nil }
        var rest = tokens[...]
        // The authserv-id: the first string, after any comments.
        var authservID: String?
        while let token = rest.popFirst() {
            if case .comment = token { continue }
            guard case .string(let text) = token else { return nil }
            authservID = text
            break
        }
        guard let authservID else { return "" }
        // Its version or properties, up to the first `;`.
        var expecting = Expecting.key
        properties: while let token = rest.popFirst() {
            switch token {
            case .comment:
                continue
            case .separator:
                break properties
            case .assignment(let symbol):
                guard expecting == .assignment, symbol == "=" else { return nil }
                expecting = .value
            case .string(let text):
                switch expecting {
                case .key:
                    // Perl makes it a property (or version) key, which
                    // must not be empty.
                    guard !text.isEmpty else { return nil }
                    expecting = .assignment
                case .value:
                    expecting = .key
                default:
                    return nil
                }
            }
        }
        while !rest.isEmpty {
            guard parseEntry(&rest) else { return nil }
        }
        return authservID
    }

    enum Expecting { case key, assignment, value, keyModifier, version, nothingAfterNone }

    /// One `;`-terminated entry; false where the Perl parser croaks.
    private static func parseEntry(_ rest: inout ArraySlice<ResultsToken>) -> Bool {
        var expecting = Expecting.key
        var inProperties = false
        while let token = rest.popFirst() {
            switch token {
            case .comment:
                continue
            case .separator:
                return true
            case .assignment(let symbol):
                guard expecting == .assignment else { return false }
                switch symbol {
                case "=": expecting = .value
                case ".": expecting = .keyModifier
                default: expecting = .version
                }
            case .string(let text):
                switch expecting {
                case .key:
                    if !inProperties && text == "none" {
                        expecting = .nothingAfterNone
                    } else {
                        guard !text.isEmpty else { return false }
                        expecting = .assignment
                    }
                case .keyModifier:
                    expecting = .assignment
                case .version:
                    guard !text.isEmpty, text.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) else { return false }
                    expecting = .assignment
                case .value:
                    inProperties = true
                    expecting = .key
                case .assignment, .nothingAfterNone:
                    return false
                }
            }
        }
        return true
    }

    /// The Perl parser's tokens.
    enum ResultsToken: Equatable {
        case comment
        case separator
        case assignment(Unicode.Scalar)
        /// A string or a quoted string (both are strings to the grammar).
        case string(String)

        /// Nil where the tokeniser croaks: an unbalanced comment, an
        /// unclosed quote, an empty string.
        static func tokenise(_ value: String) -> [ResultsToken]? {
            var scalars = value.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }[...]
            trimLeadingSpace(&scalars)
            let prefix = Array("authentication-results:".unicodeScalars)
            if scalars.count >= prefix.count,
               zip(scalars.prefix(prefix.count), prefix).allSatisfy({ lowerASCII($0) == $1 }) {
                scalars = scalars.dropFirst(prefix.count)
            }
            var tokens: [ResultsToken] = []
            // The last token that was not a comment decides how a string
            // is read (comments do not count).
            var last: ResultsToken?
            while true {
                trimLeadingSpace(&scalars)
                guard let first = scalars.first else { break }
                let lastIsAssignment: Bool
                if case .assignment? = last { lastIsAssignment = true } else { lastIsAssignment = false }
                let token: ResultsToken
                if first == "(" {
                    var depth = 0
                    var closed = false
                    while let scalar = scalars.popFirst() {
                        if scalar == "(" { depth += 1 }
                        if scalar == ")" { depth -= 1; if depth == 0 { closed = true; break } }
                    }
                    guard closed else { return nil }
                    tokens.append(.comment)
                    continue
                } else if first == ";" {
                    scalars.removeFirst()
                    token = .separator
                } else if first == "\"" {
                    scalars.removeFirst()
                    guard let end = scalars.firstIndex(of: "\"") else { return nil }
                    token = .string(String(String.UnicodeScalarView(scalars[..<end])))
                    scalars = scalars[scalars.index(after: end)...]
                } else if (first == "." && !lastIsAssignment) || first == "/" || first == "=" {
                    scalars.removeFirst()
                    token = .assignment(first)
                } else {
                    // A value (after `=`) or the first token runs to the next
                    // space or `;`; anything else also stops at `"(=/.`.
                    var isValue = false
                    if case .assignment("=")? = last { isValue = true }
                    let isFirst = last == nil
                    var text = String.UnicodeScalarView()
                    while let scalar = scalars.first {
                        if isPerlSpace(scalar) || scalar == ";" { break }
                        if !isValue && !isFirst && "\"(=/.".unicodeScalars.contains(scalar) { break }
                        text.append(scalar)
                        scalars.removeFirst()
                    }
                    guard !text.isEmpty else { return nil }
                    token = .string(String(text))
                }
                tokens.append(token)
                last = token
            }
            return tokens
        }

        static func isPerlSpace(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar {
            case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}": return true
            default: return false
            }
        }

        static func trimLeadingSpace(_ scalars: inout ArraySlice<Unicode.Scalar>) {
            while let first = scalars.first, isPerlSpace(first) { scalars.removeFirst() }
        }

        static func lowerASCII(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) ?? scalar : scalar
        }
    }
}

/// What the Sanitize handler knows of the message in flight (see
/// `HandlerState`): occurrences seen and to remove, by header name.
final class SanitizeMessageState: HandlerState {
    var resultCounts: [String: UInt32] = [:]
    var resultRemovals: [String: [UInt32]] = [:]
    var otherCounts: [String: UInt32] = [:]
    init() {}
}
