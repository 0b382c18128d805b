import Milter

/// One message as Postfix sends it to a milter, from the connect macros to
/// end of message: the MTA side of the conversation for the load generator
/// (authmilter-bench) and the process tests. Pure value code.
public struct MilterClientMessage: Sendable {
    public var macros: [MilterMacro]
    public var hostname: String
    public var port: UInt16
    public var address: String
    public var helo: String
    public var sender: String
    public var recipients: [String]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(macros: [MilterMacro] = [MilterMacro(name: "j", value: "mx.test.example")],
                hostname: String = "client.example.org", port: UInt16 = 25, address: String = "192.0.2.1",
                helo: String = "client.example.org", sender: String = "<sender@example.com>",
                recipients: [String] = ["<rcpt@test.example>"],
                headers: [(name: String, value: String)] = [("From", "sender@example.com"), ("Subject", "test")],
                body: [UInt8] = Array("hello\r\n".utf8)) {
        self.macros = macros
        self.hostname = hostname
        self.port = port
        self.address = address
        self.helo = helo
        self.sender = sender
        self.recipients = recipients
        self.headers = headers
        self.body = body
    }

    /// The MTA's first packet, as Postfix sends it.
    public static let optionNegotiation = MilterCommand.optionNegotiation(
        version: 6, actions: .all, steps: MilterProtocolSteps(rawValue: 0x1fffff))

    /// The largest body chunk Postfix sends in one packet.
    public static let bodyChunkBytes = 65535

    /// The commands after option negotiation, through end of message.
    public var commands: [MilterCommand] {
        var commands: [MilterCommand] = [
            .defineMacros(forCommand: UInt8(ascii: "C"), macros: macros),
            .connect(hostname: hostname, family: .inet, port: port, address: address),
            .helo(helo),
            .mailFrom([sender]),
            .rcptTo(recipients),
            .data,
        ]
        commands += headers.map { .header(name: $0.name, value: $0.value) }
        commands.append(.endOfHeaders)
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + Self.bodyChunkBytes)
            commands.append(.body(Array(body[offset..<end])))
            offset = end
        }
        commands.append(.endOfMessage([]))
        return commands
    }
}

/// A conversation's commands and how far it has got: each step is the
/// commands up to and including the next one that waits for a reply,
/// under the protocol options the milter agreed to (a milter that asked
/// not to answer headers gets them all in one step, as from Postfix).
public struct MilterClientScript: Sendable {
    public let commands: [MilterCommand]
    /// The next command to send.
    public private(set) var next = 0
    /// The protocol options of the milter's negotiation reply (none
    /// until it arrives: every command that takes a reply waits for one).
    public var negotiatedSteps: MilterProtocolSteps = []

    public init(_ commands: [MilterCommand], negotiatedSteps: MilterProtocolSteps = []) {
        self.commands = commands
        self.negotiatedSteps = negotiatedSteps
    }

    /// Takes note of a reply: the negotiation reply sets the options.
    public mutating func received(_ response: MilterResponse) {
        if case .optionNegotiation(_, _, let steps) = response { negotiatedSteps = steps }
    }

    /// Commands not sent yet.
    public var remaining: Int { commands.count - next }

    /// The bytes of the next step (empty when everything is sent).
    public mutating func nextStep() -> [UInt8] {
        var out: [UInt8] = []
        while next < commands.count {
            let command = commands[next]
            next += 1
            out.append(contentsOf: command.encoded())
            if command.expectsResponse(negotiatedSteps: negotiatedSteps) { break }
        }
        return out
    }
}

extension MilterResponse {
    /// Whether this reply ends the wait for the command's answer: end of
    /// message is answered by header changes (and progress) first, then a
    /// final verdict.
    public var isFinal: Bool {
        switch self {
        case .addHeader, .insertHeader, .changeHeader, .quarantine, .progress: false
        default: true
        }
    }
}
