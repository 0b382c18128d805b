@testable import MailAuth

/// SPF macro strings (RFC 7208 section 7): parsed as every kind, expanded
/// with values from the input, and evaluated for real by `SPFEvaluator`
/// against an in-memory zone whose record uses the macro in `exists:`,
/// `a:` and `exp=`. Input: the macro text, a newline, the sender.
enum SPFMacroTarget {
    static let target = FuzzTarget(name: "spf-macro", run: run)

    /// Macro values taken from the input.
    final class Values: SPFMacroSource {
        let value: String
        init(_ value: String) { self.value = value }
        func macroValue(_ letter: Character, domain: String) -> String { letter == "d" ? domain : value }
    }

    static func run(_ input: [UInt8]) {
        let newline = input.firstIndex(of: 0x0A) ?? input.count
        let macroBytes = Array(input[..<newline])
        let sender = String(decoding: input[min(newline + 1, input.count)...], as: UTF8.self)
        let values = Values(sender)
        for kind in [SPFMacroString.Kind.domainSpec, .modifierValue, .explanation] {
            guard let macro = try? SPFMacroString(parsing: macroBytes, kind: kind) else { continue }
            let domain = macro.expand(domain: "example.com", source: values, limit: 253, target: .domain)
            // A string without macros is returned as written (the caller
            // truncates names); expansion never grows past twice the limit,
            // plus U+FFFD for up to three bytes of a sequence cut in two.
            fuzzCheck(domain.utf8.count <= max(2 * 253 + 6, macroBytes.count * 3), "domain expansion of \(domain.utf8.count) bytes")
            // Cut at the limit (a split UTF-8 sequence becomes one U+FFFD).
            let text = macro.expand(domain: "example.com", source: values, limit: 300, target: .explanation)
            fuzzCheck(text.utf8.count <= max(300 + 3, macroBytes.count * 3), "explanation of \(text.utf8.count) bytes")
        }
        let macroText = String(decoding: macroBytes, as: UTF8.self)
        var zone = InMemoryDNSResolver()
        zone.add("example.com", .txt("v=spf1 exists:\(macroText) a:\(macroText) -all exp=explain.example.com"))
        zone.add("explain.example.com", .txt(macroText))
        zone.add("example.com", .a("192.0.2.1"))
        zone.add("1.2.0.192.in-addr.arpa", .ptr("mail.example.com"))
        guard let ip = IPAddress("192.0.2.7") else { return }
        let evaluator = SPFEvaluator(resolver: zone)
        let result = evaluator.evaluate(.mailFrom(sender.isEmpty ? "someone@example.com" : sender + "@example.com",
                                                  ip: ip, helo: "mail.example.com"))
        _ = result.text
    }
}
