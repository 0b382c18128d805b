/// Reads the trace headers an earlier hop left for signs that it saw the
/// envelope domain fail SPF: the evidence behind the Perl SPF handler's
/// `spfu_detection` (an "SPF upgrade" attack relays a message that failed
/// SPF through a host the domain authorises, so it passes here).
///
/// It looks at `Received-SPF` ("Fail (…: domain of X does not designate …")
/// and at Authentication-Results style fields (`Authentication-Results`,
/// `X-…-Authentication-Results`, `ARC-Authentication-Results`,
/// `X-MS-Exchange-Authentication-Results`) for an `spf=fail` result's
/// `smtp.mailfrom`. Like the Perl handler, which parses the latter with
/// Mail::AuthenticationResults, it takes the `smtp.mailfrom` value whole
/// (a full address there is compared as is). A tolerant scanner, not a
/// validator: malformed text yields nothing.
public enum SPFUpgradeScanner {
    /// Whether the handler collects this header (by name, any case).
    public static func isTraceHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "received-spf" || lower == "x-ms-exchange-authentication-results"
            || lower == "arc-authentication-results" || lower.hasSuffix("authentication-results")
    }

    /// The domains (lowercased) this header says failed SPF.
    public static func failedDomains(headerName: String, value: String) -> [String] {
        let lower = headerName.lowercased()
        if lower == "received-spf" {
            return receivedSPFFailure(value).map { [$0] } ?? []
        }
        guard isTraceHeader(lower) else { return [] }
        return authenticationResultsFailures(value)
    }

    /// `Received-SPF: Fail (host: domain of X does not designate …)`: the
    /// domain of X (the last "domain of" in the text, as the Perl pattern
    /// `^.*: domain of (\S+) ` finds it).
    static func receivedSPFFailure(_ value: String) -> String? {
        let text = value.lowercased()
        guard text.hasPrefix("fail ") else { return nil }
        guard let marker = text.ranges(of: ": domain of ").last else { return nil }
        let rest = text[marker.upperBound...]
        guard let space = rest.firstIndex(of: " ") else { return nil }
        let word = rest[..<space]
        guard !word.isEmpty else { return nil }
        let address = EmailAddressParser.addresses(in: String(word)).first ?? String(word)
        return address.contains("@") ? EmailAddressParser.domain(of: address).lowercased() : address.lowercased()
    }

    /// Every `smtp.mailfrom` of every `spf=fail` result in an
    /// Authentication-Results style value (lowercased).
    static func authenticationResultsFailures(_ value: String) -> [String] {
        var found: [String] = []
        for segment in segments(of: value) {
            let pairs = keyValuePairs(segment)
            guard let (method, result) = pairs.first else { continue }
            let methodName = method.split(separator: "/").first.map(String.init) ?? method
            guard methodName.lowercased() == "spf", result.lowercased() == "fail" else { continue }
            for (key, value) in pairs.dropFirst() where key.lowercased() == "smtp.mailfrom" {
                found.append(value.lowercased())
            }
        }
        return found
    }

    /// The `;`-separated parts (see AuthResultsSegments).
    static func segments(of value: String) -> [String] {
        AuthResultsSegments.split(value)
    }

    /// `key=value` pairs of one segment, tolerating spaces around `=`;
    /// quoted values are unquoted.
    static func keyValuePairs(_ segment: String) -> [(String, String)] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in segment {
            if quoted {
                current.append(character)
                if character == "\"" { quoted = false }
            } else if character == "\"" {
                quoted = true
                current.append(character)
            } else if character == " " || character == "\t" || character == "\r" || character == "\n" {
                if !current.isEmpty { words.append(current); current = "" }
            } else if character == "=" {
                if !current.isEmpty { words.append(current); current = "" }
                words.append("=")
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        var pairs: [(String, String)] = []
        var index = 0
        while index < words.count {
            if index + 2 < words.count, words[index] != "=", words[index + 1] == "=", words[index + 2] != "=" {
                pairs.append((words[index], unquoted(words[index + 2])))
                index += 3
            } else {
                index += 1
            }
        }
        return pairs
    }

    static func unquoted(_ word: String) -> String {
        guard word.count >= 2, word.hasPrefix("\""), word.hasSuffix("\"") else { return word }
        var out = ""
        var escaped = false
        for character in word.dropFirst().dropLast() {
            if escaped { out.append(character); escaped = false } else if character == "\\" { escaped = true } else { out.append(character) }
        }
        return out
    }
}
