/// What one ARC-Authentication-Results field says (RFC 8617 section
/// 4.1.1): the authentication assessment of the ADMD that added ARC Set
/// `instance`. DMARC may honour these results when the chain passes and
/// the sealer of the instance is trusted (RFC 8617 section 7.2.1; the
/// Perl milter's ARC `trusted_domains`).
public struct ARCAuthenticationResultsRecord: Sendable, Hashable {
    public var instance: Int
    /// The authserv-id (the payload up to its first `;`, without
    /// surrounding whitespace); the whole payload when it has no `;`.
    public var authservID: String
    /// The results after the authserv-id (`"spf=pass
    /// smtp.mailfrom=example.com; dkim=pass ..."`), or empty.
    public var results: String
    /// The whole authres-payload after `i=N;`.
    ///
    /// All three are unfolded, with every run of spaces and tabs outside
    /// quoted strings made one space and none at the ends.
    public var payload: String

    public init(instance: Int, authservID: String, results: String, payload: String) {
        self.instance = instance
        self.authservID = authservID
        self.results = results
        self.payload = payload
    }

    /// Reads an ARC-Authentication-Results field; nil without a valid
    /// leading `i=N;`.
    init?(field: MessageHeaderField) {
        guard let (instance, start) = ARCInstance.fromAuthenticationResults(field.value) else { return nil }
        let payloadField = MessageHeaderField(name: field.name, value: Array(field.value[start...]))
        let payload = Self.collapsed(payloadField.valueText)
        self.instance = instance
        self.payload = payload
        if let semicolon = payload.firstIndex(of: ";") {
            authservID = Self.trimmed(payload[..<semicolon])
            results = Self.trimmed(payload[payload.index(after: semicolon)...])
        } else {
            authservID = payload
            results = ""
        }
    }

    /// Runs of spaces and tabs outside double quotes made one space.
    /// By Unicode scalars, as Perl reads characters (and without the cost
    /// of grapheme breaking on every byte of a long results field).
    private static func collapsed(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var quoted = false
        var escaped = false
        var pendingSpace = false
        for character in text.unicodeScalars {
            if !quoted && (character == " " || character == "\t") {
                pendingSpace = true
                continue
            }
            if pendingSpace && !out.isEmpty { out.append(" ") }
            pendingSpace = false
            out.append(character)
            if escaped {
                escaped = false
            } else if character == "\\" && quoted {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            }
        }
        return String(out)
    }

    /// Spaces and tabs off both ends, found byte by byte: the first byte
    /// kept starts a scalar and the last one ends one.
    private static func trimmed(_ text: Substring) -> String {
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              let last = utf8.lastIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        return String(text[first..<utf8.index(after: last)])
    }
}
