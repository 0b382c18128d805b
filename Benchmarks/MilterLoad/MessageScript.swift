import Milter
import MilterClient

/// The commands of one benchmark conversation, as Postfix sends them for a
/// small message (`MilterClientMessage`), then QUIT.
enum MessageScript {
    static func commands(index: Int, bodyBytes: Int) -> [MilterCommand] {
        let line = Array("The quick brown fox jumps over the lazy dog 0123456789.\r\n".utf8)
        var body: [UInt8] = []
        while body.count < bodyBytes { body.append(contentsOf: line) }
        let message = MilterClientMessage(
            macros: [MilterMacro(name: "j", value: "mx.bench.test"), MilterMacro(name: "{daemon_name}", value: "smtpd")],
            hostname: "client\(index % 50).bench.test", port: 40000, address: "192.0.2.\(index % 250 + 1)",
            helo: "client.bench.test", sender: "<sender\(index)@bench.test>", recipients: ["<rcpt@bench.test>"],
            headers: [("From", "Sender <sender\(index)@bench.test>"), ("To", "rcpt@bench.test"),
                      ("Subject", "benchmark message \(index)"), ("Message-ID", "<\(index)@bench.test>")],
            body: body)
        return [MilterClientMessage.optionNegotiation] + message.commands + [.quit]
    }
}
