@testable import SMTP

/// SMTP mode's inbound DATA: the content fed to the decoder in pieces
/// (sizes from the first byte) must decode as it does in one piece, stop
/// at the same byte, and the decoded content, dot-stuffed again, must
/// decode back to itself. The header section takes any content and stays
/// within its bound.
enum SMTPDataTarget {
    static let target = FuzzTarget(name: "smtp-data", run: run)

    static func run(_ input: [UInt8]) {
        guard let first = input.first else { return }
        let stream = Array(input.dropFirst())
        let piece = Int(first % 16) + 1
        var whole = SMTPDataDecoder()
        let all = whole.decode(stream[...])
        var split = SMTPDataDecoder()
        var content: [UInt8] = []
        var consumed = 0
        var start = 0
        while start < stream.count && !split.isFinished {
            let end = min(start + piece, stream.count)
            let part = split.decode(stream[start..<end])
            content += part.content
            consumed += part.consumed
            start = end
        }
        fuzzCheck(content == all.content, "piecewise content differs")
        fuzzCheck(consumed == all.consumed && split.isFinished == whole.isFinished, "piecewise end differs")
        var stuffer = SMTPDotStuffer()
        let wire = stuffer.stuff(all.content) + stuffer.terminator
        var again = SMTPDataDecoder()
        let back = again.decode(wire[...])
        // The decoder's output always ends lines with CRLF; a last line
        // without one gets it from the terminator.
        var expected = all.content
        if !expected.isEmpty && !(expected.count >= 2 && expected[expected.count - 2] == 0x0D && expected.last == 0x0A) {
            expected += [0x0D, 0x0A]
        }
        fuzzCheck(again.isFinished && back.consumed == wire.count, "stuffed content does not end where it should")
        fuzzCheck(back.content == expected, "stuff then decode is not the identity")
        var header = SMTPHeaderSection(maximumBytes: 4096)
        if let body = try? header.append(all.content[...]) {
            fuzzCheck(body.count <= all.content.count, "body larger than content")
            header.finish()
            fuzzCheck(header.fields.reduce(0) { $0 + $1.raw.count } <= 4096 + 2 * header.fields.count, "header section over its bound")
        }
    }
}
