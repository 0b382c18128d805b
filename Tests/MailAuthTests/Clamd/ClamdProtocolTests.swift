import MailAuth
import Testing

/// clamd's `zINSTREAM` with exact bytes, and its replies as ClamAV 1.4's
/// clamd writes them.
@Suite struct ClamdProtocolTests {
    @Test func theStreamIsChunkedAndEndsWithAZeroLength() {
        #expect(ClamdRequest.encoded(message: Array("abcde".utf8), chunkBytes: 2)
            == Array("zINSTREAM\0".utf8) + [0, 0, 0, 2, 97, 98, 0, 0, 0, 2, 99, 100, 0, 0, 0, 1, 101, 0, 0, 0, 0])
        #expect(ClamdRequest.encoded(message: []) == Array("zINSTREAM\0".utf8) + [0, 0, 0, 0])
        let big = ClamdRequest.encoded(message: Array(repeating: 65, count: 70000))
        #expect(big.count == 10 + 4 + 65536 + 4 + 4464 + 4)
        #expect(Array(big[10..<14]) == [0, 1, 0, 0] && Array(big[65550..<65554]) == [0, 0, 0x11, 0x70])
    }

    @Test func replies() {
        #expect(ClamdReply.parse(Array("stream: OK\0".utf8)) == .scanned(.clean))
        #expect(ClamdReply.parse(Array("stream: Win.Test.EICAR_HDB-1 FOUND\0".utf8)) == .scanned(.infected("Win.Test.EICAR_HDB-1")))
        #expect(ClamdReply.parse(Array("INSTREAM size limit exceeded. ERROR\0".utf8)) == .failed(.refused("INSTREAM size limit exceeded. ERROR")))
        #expect(ClamdReply.parse(Array("stream: OK".utf8)) == .failed(.protocolError("the reply has no NUL end: stream: OK")))
        #expect(ClamdReply.parse([]) == .failed(.protocolError("no reply")))
        #expect(ClamdReply.parse(Array("stream: Evil\r\nName FOUND\0".utf8)) == .failed(.protocolError("not a virus name: stream: Evil??Name FOUND")))
        #expect(ClamdReply.parse(Array("stream:  FOUND\0".utf8)) == .failed(.protocolError("not a virus name: stream:  FOUND")))
        #expect(ClamdReply.parse(Array("PONG\0".utf8)) == .failed(.protocolError("not a clamd reply: PONG")))
        #expect(ClamdReply.isComplete(Array("stream: OK\0".utf8)) && !ClamdReply.isComplete(Array("stream: OK".utf8)))
    }
}
