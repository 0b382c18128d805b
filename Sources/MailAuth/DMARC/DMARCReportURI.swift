/// One entry of `rua`/`ruf` (RFC 7489 section 6.4 `dmarc-uri`): a URI with
/// an optional size limit (`mailto:a@example.com!10m`).
public struct DMARCReportURI: Sendable, Hashable {
    /// The URI without the size suffix, as published.
    public var uri: String
    /// The limit in bytes (`k`, `m`, `g`, `t` units applied), nil without one.
    public var maximumBytes: UInt64?

    public init(uri: String, maximumBytes: UInt64? = nil) {
        self.uri = uri
        self.maximumBytes = maximumBytes
    }

    /// The scheme, lowercased (`mailto`, `https`).
    public var scheme: String {
        String(uri.prefix { $0 != ":" }).lowercased()
    }

    /// Parses one list entry; nil when it is not a URI with a scheme
    /// (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"` and something after)
    /// or the size suffix is malformed.
    public init?(entry: some StringProtocol) {
        var text = Substring(entry)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        var limit: UInt64?
        if let bang = text.lastIndex(of: "!") {
            let sizeText = text[text.index(after: bang)...]
            guard let parsed = Self.size(sizeText) else { return nil }
            limit = parsed
            text = text[..<bang]
        }
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex,
              text.index(after: colon) != text.endIndex else { return nil }
        let scheme = text[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic,
              scheme.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)) })
        else { return nil }
        guard !text.contains(where: { $0.isWhitespace }) else { return nil }
        self.init(uri: String(text), maximumBytes: limit)
    }

    private static func size(_ text: Substring) -> UInt64? {
        var digits = text
        var multiplier: UInt64 = 1
        if let unit = digits.last, !unit.isNumber {
            switch unit.lowercased() {
            case "k": multiplier = 1 << 10
            case "m": multiplier = 1 << 20
            case "g": multiplier = 1 << 30
            case "t": multiplier = 1 << 40
            default: return nil
            }
            digits.removeLast()
        }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = UInt64(digits) else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}
