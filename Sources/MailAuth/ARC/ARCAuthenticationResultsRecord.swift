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
    private static func collapsed(_ text: String) -> String {
        var out = ""
        var quoted = false
        var escaped = false
        var pendingSpace = false
        for character in text {
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
        return out
    }

    private static func trimmed(_ text: Substring) -> String {
        String(text.drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
