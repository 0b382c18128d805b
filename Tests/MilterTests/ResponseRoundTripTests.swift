import Testing

@testable import Milter

/// Every response survives encode → decode, however the bytes are split.
struct ResponseRoundTripTests {
    @Test(arguments: MilterSamples.responses)
    func decodesWhatItEncodes(response: MilterResponse) throws {
        var decoder = MilterResponseDecoder()
        decoder.append(response.encoded())
        #expect(try decoder.next() == response)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: MilterSamples.responses)
    func everyPrefixAsksForMoreBytes(response: MilterResponse) throws {
        let bytes = response.encoded()
        for cut in 0..<bytes.count {
            var decoder = MilterResponseDecoder()
            decoder.append(bytes[..<cut])
            #expect(try decoder.next() == nil, "cut at \(cut)")
            decoder.append(bytes[cut...])
            #expect(try decoder.next() == response, "cut at \(cut)")
        }
    }

    @Test func simpleResponsesAreOneByte() {
        let expected: [(MilterResponse, Character)] = [
            (.continue, "c"), (.accept, "a"), (.reject, "r"), (.tempfail, "t"),
            (.discard, "d"), (.skip, "s"), (.progress, "p"),
        ]
        for (response, code) in expected {
            #expect(response.encoded() == [0, 0, 0, 1, code.asciiValue ?? 0], "\(response)")
        }
    }

    @Test func headerResponsesHaveLibmilterLayout() {
        #expect(
            MilterResponse.addHeader(name: "X-A", value: "b").encoded()
                == MilterSamples.packet("h", MilterSamples.field("X-A") + MilterSamples.field("b")))
        #expect(
            MilterResponse.insertHeader(index: 0x0102_0304, name: "X", value: "v").encoded()
                == MilterSamples.packet("i", [1, 2, 3, 4] + MilterSamples.field("X") + MilterSamples.field("v")))
        #expect(
            MilterResponse.changeHeader(index: 1, name: "X", value: "").encoded()
                == MilterSamples.packet("m", [0, 0, 0, 1] + MilterSamples.field("X") + [0]))
        #expect(
            MilterResponse.replyCode("451 4.7.1 Try later").encoded()
                == MilterSamples.packet("y", MilterSamples.field("451 4.7.1 Try later")))
        #expect(
            MilterResponse.quarantine(reason: "why").encoded()
                == MilterSamples.packet("q", MilterSamples.field("why")))
    }

    @Test func negotiationReplyCarryingMacroListsIsAccepted() throws {
        // A libmilter milter using smfi_setsymlist appends (stage, "names\0")
        // pairs after the three words; clients must not choke on them.
        let data: [UInt8] = [0, 0, 0, 6, 0, 0, 1, 0x11, 0, 0, 0, 0] + [0, 0, 0, 0] + MilterSamples.field("{j} _")
        let result = MilterSamples.decodeOneResponse(MilterSamples.packet("O", data))
        #expect(
            try result.get()
                == .optionNegotiation(version: 6, actions: [.addHeaders, .changeHeaders, .setMacroList], steps: []))
    }

    @Test func responseStreamDecodesInOrder() throws {
        let bytes = MilterSamples.responses.flatMap { $0.encoded() }
        var decoder = MilterResponseDecoder()
        var decoded: [MilterResponse] = []
        for byte in bytes {
            decoder.append(CollectionOfOne(byte))
            while let response = try decoder.next() {
                decoded.append(response)
            }
        }
        #expect(decoded == MilterSamples.responses)
    }
}
