import Testing

@testable import Milter

/// Packets laid out byte by byte as Postfix and Sendmail send them.
struct CommandWireFormatTests {
    typealias S = MilterSamples

    @Test func postfixInetConnect() throws {
        let data = S.field("client.example.net") + [UInt8(ascii: "4"), 0x30, 0x39] + S.field("192.0.2.7")
        let command = try S.decodeOne(S.packet("C", data)).get()
        #expect(command == .connect(hostname: "client.example.net", family: .inet, port: 12345, address: "192.0.2.7"))
    }

    @Test func inet6Connect() throws {
        let data = S.field("[2001:db8::25]") + [UInt8(ascii: "6"), 0xC3, 0x50] + S.field("2001:db8::25")
        let command = try S.decodeOne(S.packet("C", data)).get()
        #expect(command == .connect(hostname: "[2001:db8::25]", family: .inet6, port: 50000, address: "2001:db8::25"))
    }

    @Test func unixConnectCarriesAZeroPort() throws {
        let data = S.field("localhost") + [UInt8(ascii: "L"), 0, 0] + S.field("/run/postfix.sock")
        let command = try S.decodeOne(S.packet("C", data)).get()
        #expect(command == .connect(hostname: "localhost", family: .unix, port: 0, address: "/run/postfix.sock"))
    }

    @Test func unknownFamilyConnectHasNoAddress() throws {
        let bytes = S.packet("C", S.field("unknown") + [UInt8(ascii: "U")])
        let command = try S.decodeOne(bytes).get()
        #expect(command == .connect(hostname: "unknown", family: .unknown, port: 0, address: ""))
        #expect(MilterCommand.connect(hostname: "unknown", family: .unknown, port: 9, address: "x").encoded() == bytes)
    }

    @Test func unknownFamilyIgnoresWhatFollowsLikeLibmilter() throws {
        let data = S.field("unknown") + [UInt8(ascii: "U"), 0, 25] + S.field("ignored")
        let command = try S.decodeOne(S.packet("C", data)).get()
        #expect(command == .connect(hostname: "unknown", family: .unknown, port: 0, address: ""))
    }

    @Test func postfixEmptyMacroPacket() throws {
        // Postfix sends a D with no pairs so the milter forgets old values.
        let command = try S.decodeOne(S.packet("D", [UInt8(ascii: "M")])).get()
        #expect(command == .defineMacros(forCommand: UInt8(ascii: "M"), macros: []))
    }

    @Test func macroPacketPairsNamesAndValues() throws {
        let data = [UInt8(ascii: "C")] + S.field("j") + S.field("mx.example.com") + S.field("{daemon_name}")
            + S.field("") + S.field("{client_ptr}") + S.field("host.example")
        let command = try S.decodeOne(S.packet("D", data)).get()
        #expect(
            command
                == .defineMacros(
                    forCommand: UInt8(ascii: "C"),
                    macros: [
                        MilterMacro(name: "j", value: "mx.example.com"),
                        MilterMacro(name: "{daemon_name}", value: ""),
                        MilterMacro(name: "{client_ptr}", value: "host.example"),
                    ]))
    }

    @Test func macrosForAnyCommandByteAreKept() throws {
        // Postfix has milter_unknown_command_macros, which libmilter refuses.
        let command = try S.decodeOne(S.packet("D", [UInt8(ascii: "U")] + S.field("a") + S.field("b"))).get()
        #expect(command == .defineMacros(forCommand: UInt8(ascii: "U"), macros: [MilterMacro(name: "a", value: "b")]))
    }

    @Test func mailFromWithParameters() throws {
        let data = S.field("<a@example.com>") + S.field("SIZE=100") + S.field("BODY=8BITMIME")
        let command = try S.decodeOne(S.packet("M", data)).get()
        #expect(command == .mailFrom(["<a@example.com>", "SIZE=100", "BODY=8BITMIME"]))
    }

    @Test func optionNegotiationIsThreeBigEndianWords() throws {
        let data: [UInt8] = [0, 0, 0, 6, 0, 0, 0x01, 0xFF, 0, 0x1F, 0xFF, 0xFF]
        let command = try S.decodeOne(S.packet("O", data)).get()
        #expect(
            command
                == .optionNegotiation(
                    version: 6, actions: MilterActions(rawValue: 0x1FF), steps: MilterProtocolSteps(rawValue: 0x1F_FFFF)))
    }

    @Test func bodyMayContainAnyByte() throws {
        let body: [UInt8] = Array(0...255)
        #expect(try S.decodeOne(S.packet("B", body)).get() == .body(body))
        #expect(try S.decodeOne(S.packet("E", body)).get() == .endOfMessage(body))
    }

    @Test func headerThatIsNotUTF8KeepsItsBytesInThePacket() throws {
        let latin1Value: [UInt8] = [0x47, 0x72, 0xFC, 0xDF, 0x65]  // "Grüße" in ISO-8859-1
        var decoder = MilterDecoder()
        decoder.append(S.packet("L", S.field("Subject") + latin1Value + [0]))
        let packet = try #require(try decoder.nextPacket())
        #expect(packet.command == .header(name: "Subject", value: "Gr\u{FFFD}\u{FFFD}e"))
        #expect(packet.rawHeaderField == MilterRawHeaderField(name: Array("Subject".utf8), value: latin1Value))
    }

    @Test func rawHeaderFieldIsOnlyForHeaders() throws {
        let packet = try MilterPacket(code: UInt8(ascii: "H"), payload: S.field("x"))
        #expect(packet.rawHeaderField == nil)
    }

    @Test func encodingLeavesOutNULsInsideStrings() throws {
        let bytes = MilterResponse.addHeader(name: "X-A\0", value: "a\0b").encoded()
        #expect(bytes == S.packet("h", S.field("X-A") + S.field("ab")))
        let command = MilterCommand.helo("evil\0.example").encoded()
        #expect(try S.decodeOne(command).get() == .helo("evil.example"))
    }

    @Test func repliesAreExpectedExactlyWhereLibmilterSendsThem() {
        let none: MilterProtocolSteps = []
        let silent: [MilterCommand] = [.defineMacros(forCommand: 0, macros: []), .abort, .quit, .quitNewConnection]
        for command in MilterSamples.commands {
            let expected = !silent.contains { $0.code == command.code }
            #expect(command.expectsResponse(negotiatedSteps: none) == expected, "\(command)")
            let stillExpected = command.code == UInt8(ascii: "O") || command.code == UInt8(ascii: "E")
            #expect(command.expectsResponse(negotiatedSteps: .all) == stillExpected, "\(command)")
        }
    }
}
