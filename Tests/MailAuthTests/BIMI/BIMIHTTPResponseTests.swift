@testable import MailAuth
import Testing

/// The fetch helper's answer parser: framing by length, chunks and close,
/// the body limit, bytes fed one at a time.
@Suite struct BIMIHTTPResponseTests {
    static func parse(_ text: String, limit: Int = 100, closed: Bool = false, byteByByte: Bool = false) -> BIMIHTTPResponse.State {
        var response = BIMIHTTPResponse(maximumBodyBytes: limit)
        if byteByByte { for byte in text.utf8 { response.append([byte]) } } else { response.append(Array(text.utf8)) }
        if closed { response.finish() }
        return response.state
    }

    @Test func framings() {
        #expect(Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc") == .complete(status: 200, body: Array("abc".utf8)))
        #expect(Self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1;x\r\nc\r\n0\r\n\r\n", byteByByte: true)
                == .complete(status: 200, body: Array("abc".utf8)))
        #expect(Self.parse("HTTP/1.0 200 OK\r\n\r\nabc", closed: true) == .complete(status: 200, body: Array("abc".utf8)))
        #expect(Self.parse("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n") == .complete(status: 302, body: []))
    }

    @Test func hostileAnswers() {
        #expect(Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n") == .failed("body larger than 100 bytes"))
        #expect(Self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n") == .failed("bad chunk size"))
        #expect(Self.parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", closed: true)
                == .failed("connection closed before the end of the answer"))
        #expect(Self.parse("SSH-2.0\r\n\r\n") == .failed("not an HTTP/1.x status line"))
        #expect(Self.parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n") == .failed("unsupported Transfer-Encoding gzip"))
    }
}
