/// The message modifications a milter may make (libmilter's `SMFIF_*` bits).
///
/// The MTA offers a set in its option negotiation; the milter answers with the
/// subset it needs and may use only those afterwards. Asking for less than
/// offered matters: Sendmail and Postfix do extra work (e.g. keep a copy of the
/// body) only for actions that were requested.
public struct MilterActions: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// `SMFIF_ADDHDRS`: add and insert header fields (`h`, `i`).
    public static let addHeaders = MilterActions(rawValue: 0x01)
    /// `SMFIF_CHGBODY`: replace the body.
    public static let changeBody = MilterActions(rawValue: 0x02)
    /// `SMFIF_ADDRCPT`: add envelope recipients.
    public static let addRecipients = MilterActions(rawValue: 0x04)
    /// `SMFIF_DELRCPT`: remove envelope recipients.
    public static let deleteRecipients = MilterActions(rawValue: 0x08)
    /// `SMFIF_CHGHDRS`: change or delete header fields (`m`).
    public static let changeHeaders = MilterActions(rawValue: 0x10)
    /// `SMFIF_QUARANTINE`: put the message on hold (`q`).
    public static let quarantine = MilterActions(rawValue: 0x20)
    /// `SMFIF_CHGFROM`: change the envelope sender.
    public static let changeSender = MilterActions(rawValue: 0x40)
    /// `SMFIF_ADDRCPT_PAR`: add envelope recipients with ESMTP parameters.
    public static let addRecipientsWithParameters = MilterActions(rawValue: 0x80)
    /// `SMFIF_SETSYMLIST`: tell the MTA which macros to send at each stage.
    public static let setMacroList = MilterActions(rawValue: 0x100)

    /// Every action protocol version 6 defines (what Postfix 3.x offers: 0x1ff).
    public static let all: MilterActions = [
        .addHeaders, .changeBody, .addRecipients, .deleteRecipients, .changeHeaders,
        .quarantine, .changeSender, .addRecipientsWithParameters, .setMacroList,
    ]
}
