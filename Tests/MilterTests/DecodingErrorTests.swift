import Testing

@testable import Milter

/// Every malformed packet is refused with an error that names what is wrong.
struct DecodingErrorTests {
    typealias S = MilterSamples

    private func error(_ bytes: [UInt8]) -> MilterProtocolError? {
        if case .failure(let error) = S.decodeOne(bytes) { return error }
        return nil
    }

    @Test func zeroLength() {
        #expect(error([0, 0, 0, 0]) == .zeroLengthPacket)
    }

    @Test func oversizedIsRefusedBeforeItsDataArrives() {
        var decoder = MilterDecoder(maximumPacketSize: 100)
        decoder.append([0, 0, 0, 101])
        #expect(throws: MilterProtocolError.oversizedPacket(size: 101, maximum: 100)) { try decoder.next() }
        #expect(error([0xFF, 0xFF, 0xFF, 0xFF]) == .oversizedPacket(size: UInt32.max, maximum: MilterDecoder.defaultMaximumPacketSize))
    }

    @Test func packetOfExactlyTheMaximumIsAccepted() throws {
        let maximum = MilterDecoder.defaultMaximumPacketSize
        var decoder = MilterDecoder()
        let body = [UInt8](repeating: 0x61, count: maximum - 1)
        decoder.append(MilterCommand.body(body).encoded())
        #expect(try decoder.next() == .body(body))
        decoder.append(MilterCommand.body(body + [0x62]).encoded())
        #expect(throws: MilterProtocolError.oversizedPacket(size: UInt32(maximum + 1), maximum: maximum)) {
            try decoder.next()
        }
    }

    @Test func nonPositiveLimitRefusesEverythingWithoutTrapping() {
        var decoder = MilterDecoder(maximumPacketSize: -5)
        decoder.append(MilterCommand.abort.encoded())
        #expect(throws: MilterProtocolError.oversizedPacket(size: 1, maximum: -5)) { try decoder.next() }
    }

    @Test func unknownCommandIsRefusedBeforeItsData() {
        var decoder = MilterDecoder()
        decoder.append([0, 0, 0x10, 0, UInt8(ascii: "Z")])
        #expect(throws: MilterProtocolError.unknownCommand(UInt8(ascii: "Z"))) { try decoder.next() }
    }

    @Test func responseBytesAreNotCommands() {
        #expect(error(S.packet("c")) == .unknownCommand(UInt8(ascii: "c")))
    }

    @Test func missingNULTerminator() {
        let H = UInt8(ascii: "H"), L = UInt8(ascii: "L"), C = UInt8(ascii: "C")
        #expect(error(S.packet("H", Array("host".utf8))) == .missingNULTerminator(code: H, field: "HELO name"))
        #expect(error(S.packet("L", S.field("Subject") + Array("x".utf8))) == .missingNULTerminator(code: L, field: "header value"))
        #expect(error(S.packet("C", Array("host".utf8))) == .missingNULTerminator(code: C, field: "hostname"))
        let connect = S.field("h") + [UInt8(ascii: "4"), 0, 25] + Array("1.2.3.4".utf8)
        #expect(error(S.packet("C", connect)) == .missingNULTerminator(code: C, field: "address"))
        #expect(
            error(S.packet("D", [C] + S.field("j") + Array("v".utf8)))
                == .missingNULTerminator(code: UInt8(ascii: "D"), field: "macro value"))
        #expect(
            error(S.packet("R", S.field("<a@b>") + Array("NOTIFY".utf8)))
                == .missingNULTerminator(code: UInt8(ascii: "R"), field: "ESMTP parameter"))
    }

    @Test func truncatedFields() {
        let C = UInt8(ascii: "C")
        #expect(error(S.packet("C")) == .truncatedField(code: C, field: "hostname"))
        #expect(error(S.packet("C", S.field("h"))) == .truncatedField(code: C, field: "address family"))
        #expect(error(S.packet("C", S.field("h") + [UInt8(ascii: "4")])) == .truncatedField(code: C, field: "port"))
        #expect(error(S.packet("C", S.field("h") + [UInt8(ascii: "6"), 0])) == .truncatedField(code: C, field: "port"))
        #expect(error(S.packet("C", S.field("h") + [UInt8(ascii: "4"), 0, 25])) == .truncatedField(code: C, field: "address"))
        #expect(error(S.packet("L", S.field("Subject"))) == .truncatedField(code: UInt8(ascii: "L"), field: "header value"))
        #expect(error(S.packet("M")) == .truncatedField(code: UInt8(ascii: "M"), field: "sender"))
        #expect(error(S.packet("R")) == .truncatedField(code: UInt8(ascii: "R"), field: "recipient"))
        #expect(error(S.packet("H")) == .truncatedField(code: UInt8(ascii: "H"), field: "HELO name"))
        #expect(error(S.packet("U")) == .truncatedField(code: UInt8(ascii: "U"), field: "command line"))
    }

    @Test func trailingBytes() {
        #expect(error(S.packet("H", S.field("a") + [0x62])) == .unexpectedTrailingBytes(code: UInt8(ascii: "H"), count: 1))
        #expect(
            error(S.packet("L", S.field("a") + S.field("b") + S.field("c")))
                == .unexpectedTrailingBytes(code: UInt8(ascii: "L"), count: 2))
        let connect = S.field("h") + [UInt8(ascii: "4"), 0, 25] + S.field("192.0.2.1") + [0]
        #expect(error(S.packet("C", connect)) == .unexpectedTrailingBytes(code: UInt8(ascii: "C"), count: 1))
        for code in "ANTQK" {
            #expect(error(S.packet(code, [0])) == .unexpectedTrailingBytes(code: code.asciiValue ?? 0, count: 1))
        }
    }

    @Test func unknownAddressFamily() {
        #expect(error(S.packet("C", S.field("h") + [UInt8(ascii: "X"), 0, 0] + S.field("a"))) == .unknownAddressFamily(UInt8(ascii: "X")))
    }

    @Test(arguments: [0, 4, 8, 11, 13, 16])
    func negotiationMustBeTwelveBytes(length: Int) {
        #expect(error(S.packet("O", [UInt8](repeating: 0, count: length))) == .badNegotiationLength(length))
    }

    @Test func macroPacketProblems() {
        #expect(error(S.packet("D")) == .missingMacroCommand)
        #expect(error(S.packet("D", [UInt8(ascii: "C")] + S.field("j"))) == .unpairedMacroName("j"))
        #expect(
            error(S.packet("D", [UInt8(ascii: "C")] + S.field("j") + S.field("v") + S.field("{x}")))
                == .unpairedMacroName("{x}"))
    }

    @Test func errorsAreFinal() {
        var decoder = MilterDecoder()
        decoder.append(S.packet("Z") + MilterCommand.quit.encoded())
        #expect(throws: MilterProtocolError.unknownCommand(UInt8(ascii: "Z"))) { try decoder.next() }
        decoder.append(MilterCommand.abort.encoded())
        #expect(throws: MilterProtocolError.unknownCommand(UInt8(ascii: "Z"))) { try decoder.next() }
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test func fieldErrorsAreFinalToo() {
        var decoder = MilterDecoder()
        decoder.append(S.packet("H", [0x61]) + MilterCommand.quit.encoded())
        let expected = MilterProtocolError.missingNULTerminator(code: UInt8(ascii: "H"), field: "HELO name")
        #expect(throws: expected) { try decoder.next() }
        #expect(throws: expected) { try decoder.next() }
        var packets = MilterDecoder()
        packets.append(S.packet("H", [0x61]))
        #expect(throws: expected) { try packets.nextPacket() }
        #expect(throws: expected) { try packets.next() }
    }

    @Test func responseDecoderErrors() {
        func responseError(_ bytes: [UInt8]) -> MilterProtocolError? {
            if case .failure(let error) = S.decodeOneResponse(bytes) { return error }
            return nil
        }
        #expect(responseError(S.packet("+", S.field("<x@y>"))) == .unknownResponse(UInt8(ascii: "+")))
        #expect(responseError(S.packet("C")) == .unknownResponse(UInt8(ascii: "C")))
        #expect(responseError(S.packet("O", [0, 0, 0, 6])) == .badNegotiationLength(4))
        #expect(responseError(S.packet("c", [0])) == .unexpectedTrailingBytes(code: UInt8(ascii: "c"), count: 1))
        #expect(responseError(S.packet("i", [0, 0, 0])) == .truncatedField(code: UInt8(ascii: "i"), field: "header index"))
        #expect(responseError(S.packet("m", [0, 0, 0, 1] + S.field("X"))) == .truncatedField(code: UInt8(ascii: "m"), field: "header value"))
        #expect(responseError(S.packet("y", Array("451".utf8))) == .missingNULTerminator(code: UInt8(ascii: "y"), field: "reply text"))
        #expect(responseError([0, 0, 0, 0]) == .zeroLengthPacket)
    }

    @Test func descriptionsNameTheProblem() {
        #expect(MilterProtocolError.unknownCommand(UInt8(ascii: "Z")).description.contains("'Z' (0x5A)"))
        #expect(MilterProtocolError.unknownCommand(0x05).description.contains("0x05"))
        #expect(MilterProtocolError.oversizedPacket(size: 2_000_000, maximum: 1000).description.contains("2000000"))
        #expect(MilterProtocolError.missingNULTerminator(code: UInt8(ascii: "L"), field: "header value").description.contains("header value"))
        #expect(MilterProtocolError.unsupportedVersion(offered: 1, oldestSupported: 2).description.contains("version 1"))
        let all: [MilterProtocolError] = [
            .zeroLengthPacket, .oversizedPacket(size: 1, maximum: 0), .unknownCommand(0), .unknownResponse(0xFF),
            .missingNULTerminator(code: 0, field: "f"), .truncatedField(code: 0, field: "f"),
            .unexpectedTrailingBytes(code: 0, count: 1), .unknownAddressFamily(0), .badNegotiationLength(3),
            .missingMacroCommand, .unpairedMacroName("n"), .unsupportedVersion(offered: 1, oldestSupported: 2),
        ]
        #expect(Set(all.map(\.description)).count == all.count)
    }

    /// The code names the kind of refusal without its bytes: what a log
    /// counter or a caller matches.
    @Test func codesNameTheKindOfRefusal() throws {
        var decoder = MilterDecoder()
        decoder.append([0, 0, 0, 1, UInt8(ascii: "Z")])
        let unknown = #expect(throws: MilterProtocolError.self) { try decoder.next() }
        #expect(unknown?.code == .unknownCommand)
        #expect(MilterProtocolError.oversizedPacket(size: 2, maximum: 1).code == .oversizedPacket)
        #expect(MilterProtocolError.missingNULTerminator(code: 0x48, field: "HELO name").code.rawValue == "missing-nul-terminator")
        #expect(MilterProtocolError.unsupportedVersion(offered: 1, oldestSupported: 2).reason
                    == "MTA offers milter protocol version 1; at least 2 is required")
    }
}
