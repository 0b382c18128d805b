import MailAuth

/// The `method=result` pairs of Authentication-Results header values
/// (RFC 8601), enough to compare a milter's verdicts with what a mix
/// meant. The results after the authserv-id are read by MailAuth's
/// `AuthResultsReader` (comments may hold `;`, as opendkim's `(2048-bit
/// key; unprotected)`); a value it cannot read is reported as such.
public struct AuthResultsSummary: Sendable, Hashable {
    /// Results by method, each list sorted (one per DKIM signature).
    public private(set) var results: [String: [String]] = [:]

    public init(values: [String]) {
        for value in values {
            // The authserv-id (and its version) holds no `;`. A property
            // value that starts with `/` (a base64 `header.b=/x...`, one in
            // 64) reads as a version separator to Mail::AuthenticationResults'
            // tokenizer, so to AuthResultsReader too; only methods and
            // results matter here.
            let results = (value.firstIndex(of: ";").map { String(value[value.index(after: $0)...]) } ?? "").replacing("=/", with: "=_/")
            guard let entries = AuthResultsReader.entries(results) else {
                self.results["unreadable", default: []].append(value)
                continue
            }
            for entry in entries { self.results[entry.method.lowercased(), default: []].append(entry.result.lowercased()) }
        }
        self.results = self.results.mapValues { $0.sorted() }
    }

    /// The differences from `expected` for `methods`: `method: wanted X,
    /// got Y`. A method expected `none` may be missing (a milter that adds
    /// nothing for unsigned mail).
    public func mismatches(against expected: MixExpectation, methods: [String]) -> [String] {
        var out: [String] = []
        if let unreadable = results["unreadable"] { out.append("unreadable Authentication-Results: \(unreadable.joined(separator: " | "))") }
        for method in methods {
            guard let wanted = expected[method] else { continue }
            let got = results[method] ?? []
            if got == wanted || (got.isEmpty && wanted == ["none"]) { continue }
            let gotText = got.isEmpty ? "nothing" : got.joined(separator: ",")
            out.append("\(method): wanted \(wanted.joined(separator: ",")), got \(gotText)")
        }
        return out
    }
}
