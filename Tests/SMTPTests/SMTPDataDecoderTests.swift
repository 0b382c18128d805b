import Testing
@testable import SMTP

@Suite struct SMTPDataDecoderTests {
    func decodeWhole(_ text: String) -> (content: String, consumed: Int, finished: Bool) {
        var decoder = SMTPDataDecoder()
        let bytes = Array(text.utf8)
        let (content, consumed) = decoder.decode(bytes[...])
        return (String(decoding: content, as: UTF8.self), consumed, decoder.isFinished)
    }

    @Test func unstuffsAndStopsAtTheDotLine() {
        let r = decodeWhole("Subject: x\r\n\r\n..leading dot\r\n.x\r\nend\r\n.\r\nQUIT\r\n")
        #expect(r.content == "Subject: x\r\n\r\n.leading dot\r\nx\r\nend\r\n")
        #expect(r.finished)
        // The pipelined QUIT is left for the command reader.
        #expect(r.consumed == "Subject: x\r\n\r\n..leading dot\r\n.x\r\nend\r\n.\r\n".utf8.count)
    }

    @Test func bareLineFeedsBecomeCRLFAndEndTheData() {
        let r = decodeWhole("a\nb\r\n.\n")
        #expect(r.content == "a\r\nb\r\n")
        #expect(r.finished)
    }

    @Test func aCarriageReturnInsideALineIsContent() {
        let r = decodeWhole("a\rb\r\r\n.\r\n")
        #expect(r.content == "a\rb\r\r\n")
        #expect(r.finished)
    }

    @Test func aDotThatIsNotAloneIsNotTheEnd() {
        let r = decodeWhole(".\rx\r\n. \r\n")
        #expect(r.content == "\rx\r\n \r\n")
        #expect(!r.finished)
    }

    @Test func anySplitGivesTheSameContent() {
        let text = Array("H: v\r\n\r\n..a\r\n.b\rc\r\n\r\n.\r\nNEXT".utf8)
        var whole = SMTPDataDecoder()
        let expected = whole.decode(text[...])
        for split in 0...text.count {
            var decoder = SMTPDataDecoder()
            let first = decoder.decode(text[..<split])
            var content = first.content
            var consumed = first.consumed
            if !decoder.isFinished {
                let second = decoder.decode(text[split...])
                content += second.content
                consumed += second.consumed
            }
            #expect(content == expected.content, "split at \(split)")
            #expect(consumed == expected.consumed, "split at \(split)")
            #expect(decoder.isFinished)
        }
    }
}

@Suite struct SMTPDotStufferTests {
    @Test func doublesLeadingDotsOnAnySplit() {
        let content = Array(".a\r\nb.\r\n..c\r\n".utf8)
        for split in 0...content.count {
            var stuffer = SMTPDotStuffer()
            var out = stuffer.stuff(content[..<split])
            out += stuffer.stuff(content[split...])
            out += stuffer.terminator
            #expect(String(decoding: out, as: UTF8.self) == "..a\r\nb.\r\n...c\r\n.\r\n", "split at \(split)")
        }
    }

    @Test func endsAnUnfinishedLineBeforeTheDot() {
        var stuffer = SMTPDotStuffer()
        let out = stuffer.stuff(Array("no newline".utf8)) + stuffer.terminator
        #expect(String(decoding: out, as: UTF8.self) == "no newline\r\n.\r\n")
    }

    @Test func stuffingThenDecodingGivesTheContentBack() {
        let content = Array("..\r\n.\r\n.x\r\n\r\n.".utf8) + Array("\r\n".utf8)
        var stuffer = SMTPDotStuffer()
        let wire = stuffer.stuff(content) + stuffer.terminator
        var decoder = SMTPDataDecoder()
        let (back, consumed) = decoder.decode(wire[...])
        #expect(back == content)
        #expect(consumed == wire.count)
        #expect(decoder.isFinished)
    }
}
