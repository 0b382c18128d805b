/// The `BIMI-Indicator` field of a pass: the SVG in base64, cut into lines
/// of 70 characters joined by a newline and four spaces, as Mail::BIMI's
/// `Indicator::_build_header` writes it (`unpack("(A70)*")`).
public enum BIMIIndicatorHeader {
    public static func value(_ svg: [UInt8]) -> String {
        let encoded = Array(CryptoBase64.encode(svg).utf8)
        var lines: [String] = []
        lines.reserveCapacity(encoded.count / 70 + 1)
        var start = 0
        while start < encoded.count {
            let end = min(start + 70, encoded.count)
            lines.append(String(decoding: encoded[start..<end], as: UTF8.self))
            start = end
        }
        return lines.joined(separator: "\n    ")
    }
}
