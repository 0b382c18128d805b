import MailAuth

/// The results DMARC takes from trusted ARC-Authentication-Results (Perl's
/// ARC `get_trusted_spf_results` / `get_trusted_dkim_results`), read with
/// a tolerant Authentication-Results reader: `;`-separated entries,
/// comments dropped, quoted values unquoted.
enum DMARCARCResults {
    /// One `method=result key=value ...` entry.
    struct Entry: Equatable {
        var method: String
        var result: String
        var properties: [(key: String, value: String)]

        static func == (a: Entry, b: Entry) -> Bool {
            a.method == b.method && a.result == b.result
                && a.properties.map(\.key) == b.properties.map(\.key) && a.properties.map(\.value) == b.properties.map(\.value)
        }

        func value(_ key: String) -> String? {
            properties.first { $0.key == key }?.value
        }
    }

    /// SPF results of the trusted AARs, oldest instance first: each `spf`
    /// entry with an `smtp.mailfrom`, as an `mfrom` result for its domain.
    static func spf(_ records: [ARCAuthenticationResultsRecord]) -> [DMARCSPFInput] {
        var found: [DMARCSPFInput] = []
        for record in records.sorted(by: { $0.instance < $1.instance }) {
            for entry in entries(record.results) where entry.method == "spf" {
                guard let mailfrom = entry.value("smtp.mailfrom"), !mailfrom.isEmpty else { continue }
                let domain = mailfrom.contains("@") ? EmailAddressParser.domain(of: mailfrom) : mailfrom
                found.append(DMARCSPFInput(domain: domain.lowercased(), scope: .mfrom, result: entry.result))
            }
        }
        return found
    }

    /// DKIM results of the trusted AARs, oldest instance first: each `dkim`
    /// entry's `header.d` (else the domain of `header.i`), selector
    /// `x-selector`, else `header.s`, else `x-arc-chain`.
    static func dkim(_ records: [ARCAuthenticationResultsRecord]) -> [DMARCDKIMInput] {
        var found: [DMARCDKIMInput] = []
        for record in records.sorted(by: { $0.instance < $1.instance }) {
            for entry in entries(record.results) where entry.method == "dkim" {
                var domain = entry.value("header.d") ?? ""
                if domain.isEmpty, let identity = entry.value("header.i") {
                    domain = identity.contains("@") ? EmailAddressParser.domain(of: identity) : identity
                }
                guard !domain.isEmpty else { continue }
                var selector = entry.value("x-selector") ?? ""
                if selector.isEmpty { selector = entry.value("header.s") ?? "" }
                if selector.isEmpty { selector = "x-arc-chain" }
                found.append(DMARCDKIMInput(domain: domain.lowercased(), selector: selector, result: entry.result,
                                            humanResult: "Trusted ARC entry"))
            }
        }
        return found
    }

    /// The `smtp.remote-ip` (else `policy.iprev`) of the first `iprev`
    /// entry, for the ARC override's reason comment.
    static func remoteIP(_ record: ARCAuthenticationResultsRecord?) -> String {
        guard let record, let entry = entries(record.results).first(where: { $0.method == "iprev" }) else { return "" }
        return entry.value("smtp.remote-ip") ?? entry.value("policy.iprev") ?? ""
    }

    /// Entries of an Authentication-Results text after the authserv-id.
    static func entries(_ text: String) -> [Entry] {
        var result: [Entry] = []
        for segment in segments(text) {
            let words = tokens(segment)
            var pairs: [(String, String)] = []
            var index = 0
            while index < words.count {
                if index + 2 < words.count, words[index] != "=", words[index + 1] == "=", words[index + 2] != "=" {
                    pairs.append((words[index], words[index + 2]))
                    index += 3
                } else {
                    index += 1
                }
            }
            guard let first = pairs.first else { continue }
            let method = (first.0.split(separator: "/").first.map(String.init) ?? first.0).lowercased()
            result.append(Entry(method: method, result: first.1.lowercased(),
                                properties: pairs.dropFirst().map { (key: $0.0.lowercased(), value: $0.1) }))
        }
        return result
    }

    /// `;`-separated parts with comments removed (quoted strings whole).
    private static func segments(_ text: String) -> [String] {
        AuthResultsSegments.split(text)
    }

    /// Words and `=` signs; quoted words unquoted.
    private static func tokens(_ segment: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var wasQuoted = false
        func flush() {
            if !current.isEmpty || wasQuoted { words.append(current) }
            current = ""
            wasQuoted = false
        }
        for character in segment {
            if quoted {
                if escaped { current.append(character); escaped = false }
                else if character == "\\" { escaped = true }
                else if character == "\"" { quoted = false }
                else { current.append(character) }
            } else if character == "\"" {
                quoted = true
                wasQuoted = true
            } else if character == " " || character == "\t" || character == "\r" || character == "\n" {
                flush()
            } else if character == "=" {
                flush()
                words.append("=")
            } else {
                current.append(character)
            }
        }
        flush()
        return words
    }
}
