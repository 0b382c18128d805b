/// A BIMI Assertion Record (`<selector>._bimi.<domain>` TXT,
/// `v=BIMI1; l=<https URI of the SVG>; a=<https URI of the evidence>`),
/// read as Mail::BIMI reads it (`Mail::BIMI::Record::_parse_record`): the
/// text split at `;`, each part trimmed of spaces and split at its first
/// `=`, names lowercased; only `v`, `l` and `a` are kept, a part without
/// `=` gives its tag an empty value, a repeated `v`, `l` or `a` is a
/// `DUPLICATE_KEY` error (the later value wins).
public struct BIMIRecord: Sendable, Equatable {
    /// The TXT record as retrieved (the strings of one record joined).
    public var text: String
    public var version: String?
    public var location: String?
    public var authority: String?
    /// Errors met while reading the tags (only `duplicateKey`).
    public var parseErrors: [BIMIReason] = []

    /// Longest URI accepted in `l=` or `a=`: a TXT record may hold 64 KiB,
    /// and the location is copied into a header.
    public static let maximumURILength = 2_048

    /// Whether a TXT record is a BIMI record at all: Mail::BIMI keeps only
    /// those that start with `v=BIMI1;` (any case).
    public static func isBIMIRecord(_ text: String) -> Bool {
        text.utf8.count >= 8 && text.prefix(8).lowercased() == "v=bimi1;"
    }

    public init(_ text: String) {
        self.text = text
        // Perl's split drops the empty fields at the end.
        var parts = text.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        while parts.last?.isEmpty == true { parts.removeLast() }
        var seen = Set<String>()
        for raw in parts {
            let part = Self.trimmingSpaces(raw)
            let key: String
            let value: String
            if let equals = part.firstIndex(of: "=") {
                key = part[..<equals].lowercased()
                value = String(part[part.index(after: equals)...])
            } else {
                key = part.lowercased()
                value = ""
            }
            guard key == "v" || key == "l" || key == "a" else { continue }
            if !seen.insert(key).inserted { parseErrors.append(.duplicateKey) }
            switch key {
            case "v": version = value
            case "l": location = value
            default: authority = value
            }
        }
    }

    /// Perl's `s/^ +//; s/ +$//`: spaces only, not tabs.
    public static func trimmingSpaces(_ text: String) -> Substring {
        var slice = text[...]
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return slice
    }

    /// The authority takes part in the evaluation (Mail::BIMI's
    /// `Authority::is_relevant`): present, not empty, not `self`, and
    /// evidence documents are checked at all.
    public func authorityIsRelevant(validatingEvidence: Bool) -> Bool {
        guard validatingEvidence, let authority, !authority.isEmpty, authority != "self" else { return false }
        return true
    }

    /// The record's own errors, in the order Mail::BIMI finds them
    /// (`Record::_build_is_valid`): the version, then the authority when it
    /// is relevant, then the location. Empty: the record is usable.
    public func errors(validatingEvidence: Bool) -> [BIMIReason] {
        var errors = parseErrors
        guard let version else { return errors + [.missingVersion] }
        if version.isEmpty { errors.append(.emptyVersion) }
        if version.lowercased() != "bimi1" { errors.append(.invalidVersion) }
        guard errors.isEmpty else { return errors }
        if authorityIsRelevant(validatingEvidence: validatingEvidence), let authority, !Self.isHTTPSURI(authority) {
            errors.append(.invalidAuthorityTransport)
        }
        if let location {
            if location.isEmpty {
                errors.append(.emptyLocation)
            } else if !Self.isHTTPSURI(location) {
                errors.append(.invalidLocationTransport)
            }
        } else {
            errors.append(.missingLocation)
        }
        return errors
    }

    /// Mail::BIMI asks only for `https://` at the start. Here the whole URI
    /// must also be printable ASCII without spaces and at most
    /// `maximumURILength` bytes: it goes into the BIMI-Location header and,
    /// later, to the fetcher.
    public static func isHTTPSURI(_ uri: String) -> Bool {
        guard uri.hasPrefix("https://"), uri.utf8.count > 8, uri.utf8.count <= maximumURILength else { return false }
        return uri.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }
}
