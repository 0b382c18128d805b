@testable import Milter

/// One example of every command and response, with the awkward cases real
/// MTAs produce (empty macro lists, NULs in bodies, non-ASCII text).
enum MilterSamples {
    static let commands: [MilterCommand] = [
        .optionNegotiation(version: 6, actions: .all, steps: .all),
        .optionNegotiation(version: 2, actions: [.addHeaders], steps: []),
        .defineMacros(forCommand: UInt8(ascii: "C"), macros: []),
        .defineMacros(
            forCommand: UInt8(ascii: "C"),
            macros: [
                MilterMacro(name: "j", value: "mx.example.com"),
                MilterMacro(name: "{daemon_name}", value: "smtpd"),
                MilterMacro(name: "_", value: "client.example.net [192.0.2.7]"),
            ]),
        .defineMacros(forCommand: UInt8(ascii: "E"), macros: [MilterMacro(name: "i", value: "")]),
        .connect(hostname: "client.example.net", family: .inet, port: 25, address: "192.0.2.7"),
        .connect(hostname: "[2001:db8::1]", family: .inet6, port: 65535, address: "2001:db8::1"),
        .connect(hostname: "localhost", family: .unix, port: 0, address: "/var/run/smtp.sock"),
        .connect(hostname: "unknown", family: .unknown, port: 0, address: ""),
        .helo("client.example.net"),
        .helo(""),
        .mailFrom(["<alice@example.com>"]),
        .mailFrom(["<>", "SIZE=1234", "BODY=8BITMIME"]),
        .rcptTo(["<bob@example.org>", "NOTIFY=NEVER"]),
        .data,
        .header(name: "Subject", value: "Grüße\n\tfolded"),
        .header(name: "X-Empty", value: ""),
        .endOfHeaders,
        .body(Array("Hello\r\n".utf8)),
        .body([0, 1, 0, 255, 0]),
        .body([]),
        .endOfMessage([]),
        .endOfMessage(Array("last chunk\r\n".utf8)),
        .abort,
        .quit,
        .quitNewConnection,
        .unknown("XCLIENT NAME=foo"),
    ]

    static let responses: [MilterResponse] = [
        .optionNegotiation(version: 6, actions: [.addHeaders, .changeHeaders], steps: [.skip]),
        .continue,
        .accept,
        .reject,
        .tempfail,
        .discard,
        .skip,
        .progress,
        .replyCode("451 4.7.1 Please try again"),
        .replyCode(""),
        .addHeader(name: "Authentication-Results", value: "mx.example.com;\n\tspf=pass smtp.mailfrom=example.com"),
        .insertHeader(index: 0, name: "Authentication-Results", value: "mx.example.com; none"),
        .insertHeader(index: UInt32.max, name: "X", value: "y"),
        .changeHeader(index: 1, name: "Authentication-Results", value: ""),
        .changeHeader(index: 3, name: "Subject", value: "ünïcödé"),
        .quarantine(reason: "DMARC policy quarantine"),
    ]

    /// A complete packet from its parts, length computed.
    static func packet(_ code: Character, _ data: [UInt8] = []) -> [UInt8] {
        packet(code.asciiValue ?? 0, data)
    }

    static func packet(_ code: UInt8, _ data: [UInt8] = []) -> [UInt8] {
        let length = UInt32(data.count + 1)
        return [
            UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
            UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), code,
        ] + data
    }

    /// Text as a NUL-terminated field.
    static func field(_ text: String) -> [UInt8] {
        Array(text.utf8) + [0]
    }

    /// Every command a decoder yields for `bytes`, or the error that stopped it.
    static func decodeAll(_ bytes: [UInt8]) -> (commands: [MilterCommand], error: MilterProtocolError?) {
        var decoder = MilterDecoder()
        decoder.append(bytes)
        var commands: [MilterCommand] = []
        do {
            while let command = try decoder.next() {
                commands.append(command)
            }
        } catch {
            return (commands, error)
        }
        return (commands, nil)
    }

    /// The single command in `bytes`, or the error decoding it.
    static func decodeOne(_ bytes: [UInt8]) -> Result<MilterCommand?, MilterProtocolError> {
        var decoder = MilterDecoder()
        decoder.append(bytes)
        return Result { () throws(MilterProtocolError) in try decoder.next() }
    }

    static func decodeOneResponse(_ bytes: [UInt8]) -> Result<MilterResponse?, MilterProtocolError> {
        var decoder = MilterResponseDecoder()
        decoder.append(bytes)
        return Result { () throws(MilterProtocolError) in try decoder.next() }
    }
}
