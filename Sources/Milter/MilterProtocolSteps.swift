/// The protocol options of an option negotiation (libmilter's `SMFIP_*` bits).
///
/// Most bits are requests from the milter to leave something out: `no…` bits
/// stop the MTA sending a command at all, `noReplyTo…` bits tell it not to wait
/// for a reply to that command. The rest change the conversation: `skip` lets
/// the milter answer a body chunk with `s`, `rejectedRecipients` asks for
/// recipients the MTA already rejected, `headerLeadingSpace` keeps the space
/// after the header colon in header values.
public struct MilterProtocolSteps: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `SMFIP_NOCONNECT`: do not send `C`.
    public static let noConnect = MilterProtocolSteps(rawValue: 0x1)
    /// `SMFIP_NOHELO`: do not send `H`.
    public static let noHelo = MilterProtocolSteps(rawValue: 0x2)
    /// `SMFIP_NOMAIL`: do not send `M`.
    public static let noMailFrom = MilterProtocolSteps(rawValue: 0x4)
    /// `SMFIP_NORCPT`: do not send `R`.
    public static let noRcptTo = MilterProtocolSteps(rawValue: 0x8)
    /// `SMFIP_NOBODY`: do not send `B`.
    public static let noBody = MilterProtocolSteps(rawValue: 0x10)
    /// `SMFIP_NOHDRS`: do not send `L`.
    public static let noHeaders = MilterProtocolSteps(rawValue: 0x20)
    /// `SMFIP_NOEOH`: do not send `N`.
    public static let noEndOfHeaders = MilterProtocolSteps(rawValue: 0x40)
    /// `SMFIP_NR_HDR`: do not wait for a reply to `L`.
    public static let noReplyToHeader = MilterProtocolSteps(rawValue: 0x80)
    /// `SMFIP_NOUNKNOWN`: do not send `U`.
    public static let noUnknown = MilterProtocolSteps(rawValue: 0x100)
    /// `SMFIP_NODATA`: do not send `T`.
    public static let noData = MilterProtocolSteps(rawValue: 0x200)
    /// `SMFIP_SKIP`: the MTA understands `s` (skip the rest of the body).
    public static let skip = MilterProtocolSteps(rawValue: 0x400)
    /// `SMFIP_RCPT_REJ`: also send recipients the MTA rejected.
    public static let rejectedRecipients = MilterProtocolSteps(rawValue: 0x800)
    /// `SMFIP_NR_CONN`: do not wait for a reply to `C`.
    public static let noReplyToConnect = MilterProtocolSteps(rawValue: 0x1000)
    /// `SMFIP_NR_HELO`: do not wait for a reply to `H`.
    public static let noReplyToHelo = MilterProtocolSteps(rawValue: 0x2000)
    /// `SMFIP_NR_MAIL`: do not wait for a reply to `M`.
    public static let noReplyToMailFrom = MilterProtocolSteps(rawValue: 0x4000)
    /// `SMFIP_NR_RCPT`: do not wait for a reply to `R`.
    public static let noReplyToRcptTo = MilterProtocolSteps(rawValue: 0x8000)
    /// `SMFIP_NR_DATA`: do not wait for a reply to `T`.
    public static let noReplyToData = MilterProtocolSteps(rawValue: 0x10000)
    /// `SMFIP_NR_UNKN`: do not wait for a reply to `U`.
    public static let noReplyToUnknown = MilterProtocolSteps(rawValue: 0x20000)
    /// `SMFIP_NR_EOH`: do not wait for a reply to `N`.
    public static let noReplyToEndOfHeaders = MilterProtocolSteps(rawValue: 0x40000)
    /// `SMFIP_NR_BODY`: do not wait for a reply to `B`.
    public static let noReplyToBody = MilterProtocolSteps(rawValue: 0x80000)
    /// `SMFIP_HDR_LEADSPC`: keep the leading space of header values.
    public static let headerLeadingSpace = MilterProtocolSteps(rawValue: 0x100000)

    /// The bits that stop the MTA sending a command.
    public static let allNoCommand: MilterProtocolSteps = [
        .noConnect, .noHelo, .noMailFrom, .noRcptTo, .noBody, .noHeaders, .noEndOfHeaders,
        .noUnknown, .noData,
    ]

    /// The bits that stop the MTA waiting for a reply.
    public static let allNoReply: MilterProtocolSteps = [
        .noReplyToHeader, .noReplyToConnect, .noReplyToHelo, .noReplyToMailFrom,
        .noReplyToRcptTo, .noReplyToData, .noReplyToUnknown, .noReplyToEndOfHeaders,
        .noReplyToBody,
    ]

    /// Every bit protocol version 6 defines (what Postfix 3.x offers: 0x1fffff).
    public static let all: MilterProtocolSteps = allNoCommand.union(allNoReply)
        .union([.skip, .rejectedRecipients, .headerLeadingSpace])
}
