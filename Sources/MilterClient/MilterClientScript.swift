import Milter

/// A conversation's commands and how far it has got: each step is the
/// commands up to and including the next one that waits for a reply.
///
/// Once the milter has answered option negotiation, `negotiated(_:)`
/// applies its protocol steps as Postfix does: commands it asked not to
/// get (`SMFIP_NO*`) are left out, commands it does not answer
/// (`SMFIP_NR_*`) are sent without waiting, header values keep a leading
/// space when it asked for `SMFIP_HDR_LEADSPC`. A `skip` reply to a body
/// chunk drops the rest of the body (`skipBody()`).
public struct MilterClientScript: Sendable {
    public let commands: [MilterCommand]
    /// The next command to send.
    public private(set) var next = 0
    /// The milter's protocol steps; empty until negotiation is answered.
    public private(set) var steps: MilterProtocolSteps = []
    /// End of message has gone out: its final reply ends the message.
    public private(set) var endOfMessageSent = false

    public init(_ commands: [MilterCommand]) {
        self.commands = commands
    }

    /// Commands not sent yet (some may be left out by the negotiated steps).
    public var remaining: Int { commands.count - next }

    /// The milter's answer to option negotiation.
    public mutating func negotiated(_ steps: MilterProtocolSteps) {
        self.steps = steps
    }

    /// The milter answered a body chunk with `skip`: the rest of the body
    /// is not sent, end of message comes next.
    public mutating func skipBody() {
        while next < commands.count, case .body = commands[next] { next += 1 }
    }

    /// The bytes of the next step (empty when everything is sent).
    public mutating func nextStep() -> [UInt8] {
        var out: [UInt8] = []
        while next < commands.count {
            let command = commands[next]
            next += 1
            guard !command.isLeftOut(by: steps) else { continue }
            if case .header(let name, let value) = command, steps.contains(.headerLeadingSpace) {
                out.append(contentsOf: MilterCommand.header(name: name, value: " " + value).encoded())
            } else {
                out.append(contentsOf: command.encoded())
            }
            if case .endOfMessage = command { endOfMessageSent = true }
            if command.expectsResponse(negotiatedSteps: steps) { break }
        }
        return out
    }
}

extension MilterCommand {
    /// Whether `steps` asks the MTA not to send this command at all.
    public func isLeftOut(by steps: MilterProtocolSteps) -> Bool {
        let step: MilterProtocolSteps? = switch self {
        case .connect: .noConnect
        case .helo: .noHelo
        case .mailFrom: .noMailFrom
        case .rcptTo: .noRcptTo
        case .data: .noData
        case .header: .noHeaders
        case .endOfHeaders: .noEndOfHeaders
        case .body: .noBody
        case .unknown: .noUnknown
        default: nil
        }
        return step.map { steps.contains($0) } ?? false
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
