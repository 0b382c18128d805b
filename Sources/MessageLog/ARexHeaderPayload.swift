import JSON
import MailAuth

/// One Authentication-Results header as the Perl module
/// Mail::AuthenticationResults serialises it (`_as_hashref`, the `payload`
/// of an `ARex` log line): every part an object with its `type`
/// (`header`, `authservid`, `entry`, `subentry`, `comment`, `version`),
/// `key` and `value` where the part has them, `children` where it may have
/// some. Written with sorted keys (Perl's `canonical`), so the line is the
/// same byte for byte as Perl's for the same header.
///
/// A header without entries is the `<authserv-id>; none` header: no
/// children.
public enum ARexHeaderPayload {
    /// The header as Perl's hashref.
    public static func json(_ header: AuthenticationResultsHeader) -> JSONValue {
        let authservID: JSONValue = .object(JSONObject([
            ("children", .array([])), ("type", .string("authservid")), ("value", .string(header.authservID)),
        ]))
        return .object(JSONObject([
            ("authserv_id", authservID),
            ("children", .array(header.entries.map(entryJSON))),
            ("type", .string("header")),
        ]))
    }

    static func entryJSON(_ entry: AuthResultsEntry) -> JSONValue {
        var children: [JSONValue] = []
        if let version = entry.version {
            children.append(.object(JSONObject([("type", .string("version")), ("value", .string(version))])))
        }
        for part in entry.parts {
            switch part {
            case .comment(let comment): children.append(commentJSON(comment))
            case .property(let property):
                children.append(.object(JSONObject([
                    ("children", .array(property.comment.map { [commentJSON($0)] } ?? [])),
                    ("key", .string(property.key)), ("type", .string("subentry")), ("value", .string(property.value)),
                ])))
            }
        }
        return .object(JSONObject([
            ("children", .array(children)), ("key", .string(entry.method)),
            ("type", .string("entry")), ("value", .string(entry.result)),
        ]))
    }

    static func commentJSON(_ comment: AuthResultsComment) -> JSONValue {
        .object(JSONObject([("type", .string("comment")), ("value", .string(comment.text))]))
    }

    /// The bytes `JSONSerializer.serialize(json(header), sortKeys: true)`
    /// gives, written directly: the `extended_log` line is built for every
    /// message, and the tree of `JSONObject`s cost a tenth of a worker's
    /// time (issue 12). Keys in the order `json` sorts them to.
    public static func write(_ header: AuthenticationResultsHeader, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"authserv_id":{"children":[],"type":"authservid","value":"#.utf8)
        JSONSerializer.appendQuoted(header.authservID, to: &out)
        out.append(contentsOf: #"},"children":["#.utf8)
        for (index, entry) in header.entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(entry, into: &out)
        }
        out.append(contentsOf: #"],"type":"header"}"#.utf8)
    }

    static func write(_ entry: AuthResultsEntry, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"children":["#.utf8)
        var first = true
        func separate() {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
        }
        if let version = entry.version {
            separate()
            out.append(contentsOf: #"{"type":"version","value":"#.utf8)
            JSONSerializer.appendQuoted(version, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        for part in entry.parts {
            separate()
            switch part {
            case .comment(let comment): write(comment, into: &out)
            case .property(let property):
                out.append(contentsOf: #"{"children":["#.utf8)
                if let comment = property.comment { write(comment, into: &out) }
                out.append(contentsOf: #"],"key":"#.utf8)
                JSONSerializer.appendQuoted(property.key, to: &out)
                out.append(contentsOf: #","type":"subentry","value":"#.utf8)
                JSONSerializer.appendQuoted(property.value, to: &out)
                out.append(UInt8(ascii: "}"))
            }
        }
        out.append(contentsOf: #"],"key":"#.utf8)
        JSONSerializer.appendQuoted(entry.method, to: &out)
        out.append(contentsOf: #","type":"entry","value":"#.utf8)
        JSONSerializer.appendQuoted(entry.result, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    static func write(_ comment: AuthResultsComment, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"type":"comment","value":"#.utf8)
        JSONSerializer.appendQuoted(comment.text, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// The header back from Perl's hashref (ours or Perl's own log). Parts
    /// our model has no place for are refused rather than dropped
    /// silently, but for a property's second and later comments, which
    /// Perl can hold and we cannot: those are joined into its one comment.
    public static func header(_ value: JSONValue) throws(MessageLogError) -> AuthenticationResultsHeader {
        guard value["type"]?.stringValue == "header" else {
            throw MessageLogError(.malformed, "payload is not a header (type \(value["type"]?.stringValue ?? "missing"))")
        }
        guard let authservID = value["authserv_id"]?["value"]?.stringValue else {
            throw MessageLogError(.malformed, "header without authserv_id value")
        }
        var entries: [AuthResultsEntry] = []
        for child in value["children"]?.arrayValue ?? [] {
            entries.append(try entry(child))
        }
        return AuthenticationResultsHeader(authservID: authservID, entries: entries)
    }

    static func entry(_ value: JSONValue) throws(MessageLogError) -> AuthResultsEntry {
        guard value["type"]?.stringValue == "entry", let method = value["key"]?.stringValue, !method.isEmpty else {
            throw MessageLogError(.malformed, "a header child is not an entry with a key")
        }
        var version: String?
        var parts: [AuthResultsEntry.Part] = []
        for child in value["children"]?.arrayValue ?? [] {
            let text = child["value"]?.stringValue ?? ""
            switch child["type"]?.stringValue {
            case "version": version = text
            case "comment": parts.append(.comment(AuthResultsComment(text)))
            case "subentry":
                guard let key = child["key"]?.stringValue, !key.isEmpty else {
                    throw MessageLogError(.malformed, "a subentry of \(method) without a key")
                }
                let comments = (child["children"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue == "comment" ? $0["value"]?.stringValue : nil }
                let comment = comments.isEmpty ? nil : AuthResultsComment(comments.joined(separator: " "))
                parts.append(.property(AuthResultsProperty(key: key, value: text, comment: comment)))
            default:
                throw MessageLogError(.malformed, "an entry of \(method) has a child of type \(child["type"]?.stringValue ?? "missing")")
            }
        }
        return AuthResultsEntry(method: method, result: value["value"]?.stringValue ?? "", version: version, parts: parts)
    }
}
