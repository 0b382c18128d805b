import Testing

@testable import Milter

/// Every command survives encode → decode, however the bytes are split.
struct CommandRoundTripTests {
    @Test(arguments: MilterSamples.commands)
    func decodesWhatItEncodes(command: MilterCommand) throws {
        var decoder = MilterDecoder()
        decoder.append(command.encoded())
        #expect(try decoder.next() == command)
        #expect(try decoder.next() == nil)
        #expect(decoder.bufferedByteCount == 0)
    }

    @Test(arguments: MilterSamples.commands)
    func everyPrefixAsksForMoreBytes(command: MilterCommand) throws {
        let bytes = command.encoded()
        for cut in 0..<bytes.count {
            var decoder = MilterDecoder()
            decoder.append(bytes[..<cut])
            #expect(try decoder.next() == nil, "cut at \(cut)")
            #expect(decoder.bufferedByteCount == cut)
            decoder.append(bytes[cut...])
            #expect(try decoder.next() == command, "cut at \(cut)")
        }
    }

    @Test(arguments: MilterSamples.commands)
    func packetKeepsTheRawData(command: MilterCommand) throws {
        var decoder = MilterDecoder()
        let bytes = command.encoded()
        decoder.append(bytes)
        let packet = try #require(try decoder.nextPacket())
        #expect(packet.command == command)
        #expect(packet.code == command.code)
        #expect(packet.payload == Array(bytes.dropFirst(5)))
    }

    @Test func lengthFieldCountsTheCommandByte() {
        #expect(MilterCommand.abort.encoded() == [0, 0, 0, 1, UInt8(ascii: "A")])
        let helo = MilterCommand.helo("a").encoded()
        #expect(helo == [0, 0, 0, 3, UInt8(ascii: "H"), UInt8(ascii: "a"), 0])
    }

    @Test func commandBytesMatchLibmilter() {
        let expected: [(MilterCommand, Character)] = [
            (.optionNegotiation(version: 6, actions: [], steps: []), "O"),
            (.defineMacros(forCommand: 0, macros: []), "D"),
            (.connect(hostname: "", family: .unknown, port: 0, address: ""), "C"),
            (.helo(""), "H"), (.mailFrom([""]), "M"), (.rcptTo([""]), "R"), (.data, "T"),
            (.header(name: "", value: ""), "L"), (.endOfHeaders, "N"), (.body([]), "B"),
            (.endOfMessage([]), "E"), (.abort, "A"), (.quit, "Q"), (.quitNewConnection, "K"),
            (.unknown(""), "U"),
        ]
        for (command, code) in expected {
            #expect(command.code == code.asciiValue, "\(command)")
        }
    }

    @Test func bodyIsSplitIntoLibmilterSizedChunks() {
        let body = (0..<(2 * 65535 + 10)).map { UInt8(truncatingIfNeeded: $0) }
        let chunks = MilterCommand.bodyChunks(of: body)
        #expect(chunks.count == 3)
        var joined: [UInt8] = []
        for case .body(let bytes) in chunks {
            #expect(bytes.count <= MilterCommand.maximumBodyChunkSize)
            joined += bytes
        }
        #expect(joined == body)
        #expect(MilterCommand.bodyChunks(of: []).isEmpty)
    }
}
