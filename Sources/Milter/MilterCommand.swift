/// A command the MTA sends to the milter (one packet, decoded).
public enum MilterCommand: Sendable, Equatable {
    /// `O`: the MTA's offer: its protocol version, the actions it allows and
    /// the protocol options it supports.
    case optionNegotiation(version: UInt32, actions: MilterActions, steps: MilterProtocolSteps)
    /// `D`: macro values for the command with byte `forCommand`, sent just
    /// before that command. The list may be empty.
    case defineMacros(forCommand: UInt8, macros: [MilterMacro])
    /// `C`: the SMTP client connected. For `.unknown` the port is 0 and the
    /// address empty.
    case connect(hostname: String, family: MilterAddressFamily, port: UInt16, address: String)
    /// `H`: the HELO/EHLO argument.
    case helo(String)
    /// `M`: the envelope sender (as written, usually in angle brackets) then
    /// its ESMTP parameters.
    case mailFrom([String])
    /// `R`: one envelope recipient then its ESMTP parameters.
    case rcptTo([String])
    /// `T`: the client sent DATA.
    case data
    /// `L`: one header field. The value is unfolded only as far as the MTA
    /// does; its leading space is stripped unless `headerLeadingSpace` was
    /// negotiated.
    case header(name: String, value: String)
    /// `N`: all header fields were sent.
    case endOfHeaders
    /// `B`: a chunk of the body, bytes as in the message (may contain NUL).
    case body([UInt8])
    /// `E`: end of message; may carry a last body chunk (usually empty).
    case endOfMessage([UInt8])
    /// `A`: forget the current message; the connection continues.
    case abort
    /// `Q`: the MTA closes the connection.
    case quit
    /// `K`: the SMTP session ended, the MTA reuses this milter connection for
    /// a new one (protocol version 6).
    case quitNewConnection
    /// `U`: an SMTP command the MTA did not recognise, as the client sent it.
    case unknown(String)

    /// The command byte on the wire.
    public var code: UInt8 {
        switch self {
        case .optionNegotiation: MilterCommandCode.optionNegotiation
        case .defineMacros: MilterCommandCode.defineMacros
        case .connect: MilterCommandCode.connect
        case .helo: MilterCommandCode.helo
        case .mailFrom: MilterCommandCode.mailFrom
        case .rcptTo: MilterCommandCode.rcptTo
        case .data: MilterCommandCode.data
        case .header: MilterCommandCode.header
        case .endOfHeaders: MilterCommandCode.endOfHeaders
        case .body: MilterCommandCode.body
        case .endOfMessage: MilterCommandCode.endOfMessage
        case .abort: MilterCommandCode.abort
        case .quit: MilterCommandCode.quit
        case .quitNewConnection: MilterCommandCode.quitNewConnection
        case .unknown: MilterCommandCode.unknown
        }
    }

    /// Whether the MTA waits for a response to this command, given the
    /// negotiated protocol options. `D`, `A`, `Q` and `K` never get one; `O`
    /// and `E` always do; the others unless their `noReplyTo…` bit was agreed.
    public func expectsResponse(negotiatedSteps steps: MilterProtocolSteps) -> Bool {
        switch self {
        case .optionNegotiation, .endOfMessage: true
        case .defineMacros, .abort, .quit, .quitNewConnection: false
        case .connect: !steps.contains(.noReplyToConnect)
        case .helo: !steps.contains(.noReplyToHelo)
        case .mailFrom: !steps.contains(.noReplyToMailFrom)
        case .rcptTo: !steps.contains(.noReplyToRcptTo)
        case .data: !steps.contains(.noReplyToData)
        case .header: !steps.contains(.noReplyToHeader)
        case .endOfHeaders: !steps.contains(.noReplyToEndOfHeaders)
        case .body: !steps.contains(.noReplyToBody)
        case .unknown: !steps.contains(.noReplyToUnknown)
        }
    }
}
