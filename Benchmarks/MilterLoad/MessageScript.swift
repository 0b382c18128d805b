import Milter

/// The commands of one milter conversation, as Postfix sends them for a
/// small message, with how many replies each one expects before the next.
enum MessageScript {
    static func commands(index: Int, bodyBytes: Int) -> [MilterCommand] {
        let line = Array("The quick brown fox jumps over the lazy dog 0123456789.\r\n".utf8)
        var body: [UInt8] = []
        while body.count < bodyBytes { body.append(contentsOf: line) }
        var commands: [MilterCommand] = [
            .optionNegotiation(version: 6, actions: .all, steps: MilterProtocolSteps(rawValue: 0x1fffff)),
            .defineMacros(forCommand: UInt8(ascii: "C"), macros: [MilterMacro(name: "j", value: "mx.bench.test"),
                                                                  MilterMacro(name: "{daemon_name}", value: "smtpd")]),
            .connect(hostname: "client\(index % 50).bench.test", family: .inet, port: 40000, address: "192.0.2.\(index % 250 + 1)"),
            .helo("client.bench.test"),
            .mailFrom(["<sender\(index)@bench.test>"]),
            .rcptTo(["<rcpt@bench.test>"]),
            .data,
            .header(name: "From", value: "Sender <sender\(index)@bench.test>"),
            .header(name: "To", value: "rcpt@bench.test"),
            .header(name: "Subject", value: "benchmark message \(index)"),
            .header(name: "Message-ID", value: "<\(index)@bench.test>"),
            .endOfHeaders,
        ]
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + 65535)
            commands.append(.body(Array(body[offset..<end])))
            offset = end
        }
        commands.append(.endOfMessage([]))
        commands.append(.quit)
        return commands
    }

    /// Whether a reply ends the wait for this command (EOM is answered by
    /// header changes first, then a final verdict).
    static func isFinal(_ response: MilterResponse) -> Bool {
        switch response {
        case .addHeader, .insertHeader, .changeHeader, .quarantine, .progress: return false
        default: return true
        }
    }

    static func expectsReply(_ command: MilterCommand) -> Bool {
        switch command {
        case .defineMacros, .abort, .quit, .quitNewConnection: return false
        default: return true
        }
    }
}
