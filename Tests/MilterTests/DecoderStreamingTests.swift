import Testing

@testable import Milter

/// The decoder yields the same commands however the stream is cut into reads.
struct DecoderStreamingTests {
    private static let stream = MilterSamples.commands.flatMap { $0.encoded() }

    @Test func byteByByte() throws {
        var decoder = MilterDecoder()
        var decoded: [MilterCommand] = []
        for byte in Self.stream {
            decoder.append(CollectionOfOne(byte))
            while let command = try decoder.next() {
                decoded.append(command)
            }
        }
        #expect(decoded == MilterSamples.commands)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func allAtOnce() {
        let result = MilterSamples.decodeAll(Self.stream)
        #expect(result.error == nil)
        #expect(result.commands == MilterSamples.commands)
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func randomReadSizesThroughRawBuffers(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        // Many packets, so the buffer is compacted many times along the way.
        var expected: [MilterCommand] = []
        for _ in 0..<300 {
            expected.append(MilterSamples.commands.randomElement(using: &random) ?? .quit)
        }
        expected.append(.body([UInt8](repeating: 0x2E, count: 65535)))
        let bytes = expected.flatMap { $0.encoded() }
        var decoder = MilterDecoder()
        var decoded: [MilterCommand] = []
        var offset = 0
        while offset < bytes.count {
            let size = min(Int.random(in: 1...700, using: &random), bytes.count - offset)
            bytes[offset..<(offset + size)].withUnsafeBytes { decoder.append($0) }
            offset += size
            while let command = try decoder.next() {
                decoded.append(command)
            }
        }
        #expect(decoded == expected)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func partialPacketIsReportedAsBuffered() throws {
        var decoder = MilterDecoder()
        decoder.append(MilterCommand.helo("example.net").encoded().prefix(7))
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 7)
    }

    @Test func defaultLimitFitsLibmilterAndPostfix() {
        let limit = MilterDecoder.defaultMaximumPacketSize
        #expect(limit == (1 << 20) + (64 << 10))
        #expect(MilterDecoder().maximumPacketSize == limit)
        #expect(MilterResponseDecoder().maximumPacketSize == limit)
        // libmilter MILTER_MDS_1M: 1 MiB - 1 data bytes plus the command byte.
        #expect(limit >= 1 << 20)
    }

    @Test func largeHeaderInOnePacket() throws {
        let value = String(repeating: "a", count: 1 << 20)
        var decoder = MilterDecoder()
        decoder.append(MilterCommand.header(name: "X-Long", value: value).encoded())
        #expect(try decoder.next() == .header(name: "X-Long", value: value))
    }
}
