import BenchSupport
import Milter
import MilterClient

/// The messages a load run sends: the built-in one (a 10 KB body, no
/// signatures; the daemon's AddID cost) or a mix read from a directory,
/// replayed round-robin.
enum MessageSource {
    case synthetic(bodyBytes: Int)
    case mix([MixMessage], [MilterClientMessage])

    static func mix(_ messages: [MixMessage]) -> MessageSource {
        .mix(messages, messages.map { $0.milterMessage() })
    }

    /// The `index`-th message to send and what it should get (nil: no
    /// expectation).
    func message(_ index: Int) -> (message: MilterClientMessage, mix: MixMessage?) {
        switch self {
        case .synthetic(let bodyBytes):
            return (Self.syntheticMessage(index: index, bodyBytes: bodyBytes), nil)
        case .mix(let messages, let milterMessages):
            let i = index % messages.count
            return (milterMessages[i], messages[i])
        }
    }

    /// The commands of one conversation with a milter: option negotiation
    /// as Postfix offers it, then the message to end of message.
    static func commands(_ message: MilterClientMessage) -> [MilterCommand] {
        [MilterClientMessage.optionNegotiation] + message.commands
    }

    /// A small message as Postfix sends it (`MilterClientMessage`).
    static func syntheticMessage(index: Int, bodyBytes: Int) -> MilterClientMessage {
        let line = Array("The quick brown fox jumps over the lazy dog 0123456789.\r\n".utf8)
        var body: [UInt8] = []
        while body.count < bodyBytes { body.append(contentsOf: line) }
        return MilterClientMessage(
            macros: [MilterMacro(name: "j", value: "mx.bench.test"), MilterMacro(name: "{daemon_name}", value: "smtpd")],
            hostname: "client\(index % 50).bench.test", port: 40000, address: "192.0.2.\(index % 250 + 1)",
            helo: "client.bench.test", sender: "<sender\(index)@bench.test>", recipients: ["<rcpt@bench.test>"],
            headers: [("From", "Sender <sender\(index)@bench.test>"), ("To", "rcpt@bench.test"),
                      ("Subject", "benchmark message \(index)"), ("Message-ID", "<\(index)@bench.test>")],
            body: body)
    }
}
