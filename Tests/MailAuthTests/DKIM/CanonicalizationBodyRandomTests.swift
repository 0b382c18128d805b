import MailAuth
import Testing

/// Body canonicalization streamed in random chunks gives what a plain,
/// whole-body reading of RFC 6376 sections 3.4.3 and 3.4.4 gives (line
/// ends CRLF or bare LF, a lone CR an ordinary byte), for 5,000 random
/// bodies over the bytes that matter.
@Suite struct CanonicalizationBodyRandomTests {
    /// The reference: split into lines, canonicalize each, drop trailing
    /// empty lines.
    static func reference(_ body: [UInt8], relaxed: Bool) -> [UInt8] {
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var index = 0
        while index < body.count {
            let byte = body[index]
            if byte == 0x0A {
                lines.append(line); line = []
            } else if byte == 0x0D && index + 1 < body.count && body[index + 1] == 0x0A {
                lines.append(line); line = []
                index += 1
            } else {
                line.append(byte)
            }
            index += 1
        }
        if !line.isEmpty { lines.append(line) }
        if relaxed {
            lines = lines.map { raw in
                var out: [UInt8] = []
                var space = false
                for byte in raw {
                    if byte == 0x20 || byte == 0x09 { space = true; continue }
                    // A run of white space is one space; at the end of the
                    // line, nothing.
                    if space { out.append(0x20) }
                    space = false
                    out.append(byte)
                }
                return out
            }
        }
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        if lines.isEmpty { return relaxed ? [] : [0x0D, 0x0A] }
        return lines.flatMap { $0 + [0x0D, 0x0A] }
    }

    static func streamed(_ body: [UInt8], relaxed: Bool, using generator: inout SystemRandomNumberGenerator) -> [UInt8] {
        var canonical = CanonicalizationBody(relaxed ? .relaxed : .simple)
        var out: [UInt8] = []
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + Int.random(in: 1...9, using: &generator))
            canonical.update(Array(body[offset..<end])) { out.append(contentsOf: $0) }
            offset = end
        }
        canonical.finish { out.append(contentsOf: $0) }
        return out
    }

    @Test func streamingAgreesWithTheWholeBodyReading() {
        let alphabet: [UInt8] = [0x61, 0x62, 0x20, 0x09, 0x0D, 0x0A, 0x0A, 0x0D, 0xC3]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let body = (0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            for relaxed in [true, false] {
                let expected = Self.reference(body, relaxed: relaxed)
                let got = Self.streamed(body, relaxed: relaxed, using: &generator)
                #expect(got == expected, "relaxed \(relaxed), body \(body)")
            }
        }
    }
}
