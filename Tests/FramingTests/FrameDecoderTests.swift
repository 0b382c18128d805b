import Framing
import Testing

/// The one length-prefixed frame decoder, without sockets: frames come out
/// whole however the bytes are cut, and the length field is checked before
/// the payload is waited for.
@Suite struct FrameDecoderTests {
    @Test func framesComeOutWholeHoweverTheBytesAreCut() throws {
        let stream = FrameHeader.encode(kind: 7, payload: [1, 2, 3]) + FrameHeader.encode(kind: 9, payload: [])
        for piece in 1...stream.count {
            var decoder = FrameDecoder(maximumLength: 16)
            var frames: [(UInt8, [UInt8])] = []
            var offset = 0
            while offset < stream.count {
                decoder.append(contentsOf: stream[offset..<min(offset + piece, stream.count)])
                offset += piece
                while let frame = try decoder.next() { frames.append((frame.header.kind, Array(frame.payload))) }
            }
            #expect(frames.map(\.0) == [7, 9])
            #expect(frames.map(\.1) == [[1, 2, 3], []])
            #expect(decoder.bufferedByteCount == 0)
        }
    }

    @Test func theHeaderIsReadBeforeThePayloadArrives() throws {
        var decoder = FrameDecoder(maximumLength: 100)
        decoder.append(contentsOf: [0, 0, 0, 50])
        #expect(try decoder.header() == nil)
        decoder.append(contentsOf: [0x41])
        #expect(try decoder.header() == FrameHeader(length: 50, kind: 0x41))
        #expect(try decoder.header()?.payloadCount == 49)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 5)
    }

    @Test func zeroAndOversizedLengthsAreRefusedFromTheLengthAlone() throws {
        var decoder = FrameDecoder(maximumLength: 100)
        decoder.append(contentsOf: [0, 0, 0, 101])
        #expect(throws: FrameError.tooLong(length: 101, maximum: 100)) { try decoder.header() }
        #expect(throws: FrameError.zeroLength) { try FrameHeader.parse([0, 0, 0, 0][...], maximumLength: 100) }
        #expect(throws: FrameError.tooLong(length: UInt32.max, maximum: 100)) {
            try FrameHeader.parse([0xFF, 0xFF, 0xFF, 0xFF][...], maximumLength: 100)
        }
        // Exactly the limit is fine; a negative limit refuses everything without trapping.
        #expect(try FrameHeader.parse([0, 0, 0, 100, 1][...], maximumLength: 100) == FrameHeader(length: 100, kind: 1))
        #expect(throws: FrameError.tooLong(length: 1, maximum: -5)) { try FrameHeader.parse([0, 0, 0, 1, 1][...], maximumLength: -5) }
    }

    @Test func encodingWritesTheLengthOfKindAndPayload() {
        #expect(FrameHeader.encode(kind: 0x4C, payload: [0x61, 0x62]) == [0, 0, 0, 3, 0x4C, 0x61, 0x62])
        #expect(FrameHeader.lengthField(0x0102_0304) == [1, 2, 3, 4])
        #expect(FrameError.zeroLength.description == "frame with length 0 (no kind byte)")
        #expect(FrameError.zeroLength.code == .zeroLength)
        #expect(FrameError.tooLong(length: 9, maximum: 8).code.rawValue == "too-long")
    }
}
