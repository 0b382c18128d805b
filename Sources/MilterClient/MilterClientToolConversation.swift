import Milter

/// The commands `authentication_milter_client` sends for one message, with
/// the macros Perl's client sends (`j`, `{daemon_name}` and `v` at connect;
/// `{mail_*}` and `{rcpt_*}` with the envelope; the queue id `i` before end
/// of headers, the body and end of message). Pure value code.
public enum MilterClientToolConversation {
    public static func commands(_ options: MilterClientToolOptions, mail: MilterClientMailFile, queueID: String) -> [MilterCommand] {
        func macros(_ command: Character, _ pairs: [(String, String)]) -> MilterCommand {
            .defineMacros(forCommand: UInt8(ascii: command.unicodeScalars.first!), macros: pairs.map { MilterMacro(name: $0.0, value: $0.1) })
        }
        let family: MilterAddressFamily = options.connectIP.contains(":") ? .inet6 : .inet
        var commands: [MilterCommand] = [
            macros("C", [("v", "authentication_milter_client"), ("j", options.mailerName), ("{daemon_name}", options.mailerName)]),
            .connect(hostname: options.connectName, family: family, port: UInt16(options.connectPort) ?? 0, address: options.connectIP),
            .helo(options.heloHost),
            macros("M", [("{mail_mailer}", "smtp"), ("{mail_addr}", options.mailFrom), ("{mail_host}", options.heloHost)]),
            .mailFrom([MilterClientToolOptions.bracketed(options.mailFrom)]),
            macros("R", [("{rcpt_mailer}", "local"), ("{rcpt_addr}", options.rcptTo), ("{rcpt_host}", options.heloHost)]),
            .rcptTo([MilterClientToolOptions.bracketed(options.rcptTo)]),
            .data,
        ]
        commands += mail.headers.map { .header(name: $0.name, value: $0.value) }
        commands.append(macros("N", [("i", queueID)]))
        commands.append(.endOfHeaders)
        let chunks = MilterClientMessage.bodyChunks(mail.body)
        if !chunks.isEmpty { commands.append(macros("B", [("i", queueID)])) }
        commands += chunks
        commands.append(macros("E", [("i", queueID)]))
        commands.append(.endOfMessage([]))
        return commands
    }

    /// The message file with a milter's header changes applied, as the MTA
    /// would deliver it.
    public static func applying(_ changes: [MilterResponse], to mail: MilterClientMailFile, leadingSpace: Bool) -> MilterClientMailFile {
        var model = MilterClientMessage(headers: mail.headers.map { (name: $0.name, value: $0.value) })
        model = model.applying(changes, leadingSpace: leadingSpace)
        var result = mail
        result.headers = model.headers.map { MilterClientHeaderField(name: $0.name, value: $0.value) }
        return result
    }

    /// The words for a reply that ends the message early, nil for one
    /// that lets it go on (continue, accept and header changes).
    public static func refusal(_ reply: MilterResponse) -> String? {
        switch reply {
        case .reject: "550 5.7.1 Command rejected"
        case .tempfail: "451 4.7.1 Service unavailable - try again later"
        case .discard: "discarded"
        case .replyCode(let text): text
        default: nil
        }
    }
}
