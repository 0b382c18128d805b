/// A response the milter sends to the MTA (one packet).
public enum MilterResponse: Sendable, Equatable {
    /// `O`: the milter's answer to the MTA's offer.
    case optionNegotiation(version: UInt32, actions: MilterActions, steps: MilterProtocolSteps)
    /// `c`: go on with the next step.
    case `continue`
    /// `a`: accept the connection or message without further milter calls.
    case accept
    /// `r`: reject (5xx) the command, recipient or message.
    case reject
    /// `t`: temporarily fail (4xx).
    case tempfail
    /// `d`: accept the message but silently drop it.
    case discard
    /// `s`: send no more body chunks (only when `skip` was negotiated).
    case skip
    /// `p`: still working; resets the MTA's timeout at end of message.
    case progress
    /// `y`: reject or tempfail with this SMTP reply, e.g.
    /// "451 4.7.1 Please try again"; the code's first digit decides which.
    case replyCode(String)
    /// `h`: append a header field (needs `addHeaders`).
    case addHeader(name: String, value: String)
    /// `i`: insert a header field at position `index` (0 = first; needs
    /// `addHeaders`).
    case insertHeader(index: UInt32, name: String, value: String)
    /// `m`: change the `index`-th (1-based) field called `name`; an empty value
    /// deletes it (needs `changeHeaders`).
    case changeHeader(index: UInt32, name: String, value: String)
    /// `q`: quarantine the message with this reason (needs `quarantine`).
    case quarantine(reason: String)

    /// The response byte on the wire.
    public var code: UInt8 {
        switch self {
        case .optionNegotiation: MilterResponseCode.optionNegotiation
        case .continue: MilterResponseCode.continue
        case .accept: MilterResponseCode.accept
        case .reject: MilterResponseCode.reject
        case .tempfail: MilterResponseCode.tempfail
        case .discard: MilterResponseCode.discard
        case .skip: MilterResponseCode.skip
        case .progress: MilterResponseCode.progress
        case .replyCode: MilterResponseCode.replyCode
        case .addHeader: MilterResponseCode.addHeader
        case .insertHeader: MilterResponseCode.insertHeader
        case .changeHeader: MilterResponseCode.changeHeader
        case .quarantine: MilterResponseCode.quarantine
        }
    }
}
