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
        commands += Self.bodyChunks(body)
        commands.append(.endOfMessage([]))
        return commands
    }

    /// `body` as Postfix sends it: packets of at most `bodyChunkBytes`.
    public static func bodyChunks(_ body: [UInt8]) -> [MilterCommand] {
        stride(from: 0, to: body.count, by: bodyChunkBytes).map {
            .body(Array(body[$0..<min(body.count, $0 + bodyChunkBytes)]))
        }
    }
}

extension MilterClientMessage {
    /// The message as the MTA holds it after a milter's header changes, so
    /// the next milter of a chain sees them (Postfix hands each milter the
    /// queue file as the previous ones left it): `addHeader` appends,
    /// `insertHeader` inserts at its index (0 on top; past the end
    /// appends), `changeHeader` replaces the index-th (from 1) field of that
    /// name or, with an empty value, deletes it. `leadingSpace`: the milter
    /// negotiated `SMFIP_HDR_LEADSPC`, so its values carry the space after
    /// the colon, which this model leaves out.
    public func applying(_ changes: [MilterResponse], leadingSpace: Bool = false) -> MilterClientMessage {
        var copy = self
        func stored(_ value: String) -> String {
            leadingSpace && value.hasPrefix(" ") ? String(value.dropFirst()) : value
        }
        for change in changes {
            switch change {
            case .addHeader(let name, let value):
                copy.headers.append((name, stored(value)))
            case .insertHeader(let index, let name, let value):
                copy.headers.insert((name, stored(value)), at: min(Int(index), copy.headers.count))
            case .changeHeader(let index, let name, let value):
                let positions = copy.headers.indices.filter { copy.headers[$0].name.lowercased() == name.lowercased() }
                guard index >= 1, Int(index) <= positions.count else { continue }
                let position = positions[Int(index) - 1]
                if value.isEmpty { copy.headers.remove(at: position) } else { copy.headers[position].value = stored(value) }
            default:
                continue
            }
        }
        return copy
    }
}
