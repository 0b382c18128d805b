/// Our side of the option negotiation (`O`): from the MTA's offer and what
/// the handlers need, the reply to send and the terms the rest of the
/// conversation runs under.
///
/// Choices, and why:
/// - Version: any offer from 2 to 6 is accepted and answered with
///   min(offered, 6); Postfix and Sendmail refuse a milter that answers with a
///   newer version than they offered. Older offers are refused.
/// - Actions: only those needed, and only those offered. Asking for what is
///   not offered makes Postfix and libmilter drop the milter, so a need the
///   MTA cannot meet is reported in `missingActions` for the caller to log
///   instead of failing the connection.
/// - Protocol options: every callback is wanted (no `no…` bits) except those
///   the caller names as unneeded, and then only if the MTA offers that bit.
///   `skip` is asked for whenever offered, so we may stop the body early.
///   `noReplyTo…` only for the commands the caller names (the dispatcher
///   names the content stages, whose outcome the MTA reports to the SMTP
///   client at end of DATA anyway: one round trip a message instead of one
///   a header). Never `rejectedRecipients`: like the Perl milter we only see
///   recipients the MTA accepted.
/// - `headerLeadingSpace` stays off: header values then arrive with the
///   space after the colon removed, the MTAs' default and what the Perl
///   milter (and its handlers' header reconstruction) was written for.
public struct MilterNegotiation: Sendable, Equatable {
    public static let newestSupportedVersion: UInt32 = 6
    public static let oldestSupportedVersion: UInt32 = 2

    /// What adding `Authentication-Results` and removing forged ones needs.
    /// Add `.quarantine` when the configuration can quarantine.
    public static let defaultNeededActions: MilterActions = [.addHeaders, .changeHeaders]

    public let offeredVersion: UInt32
    public let offeredActions: MilterActions
    public let offeredSteps: MilterProtocolSteps

    /// The version we answer with.
    public let version: UInt32
    /// The actions we ask for and may use.
    public let actions: MilterActions
    /// The protocol options we ask for.
    public let steps: MilterProtocolSteps
    /// Actions we need that the MTA did not offer; we may not use them.
    public let missingActions: MilterActions

    /// - Parameters:
    ///   - neededActions: what the enabled handlers may do to a message.
    ///   - unneededCallbacks: `no…` bits for commands no handler uses (e.g.
    ///     `[.noUnknown]`); any other bits in it are ignored.
    ///   - unneededReplies: `noReplyTo…` bits for commands the caller will
    ///     not answer; any other bits in it are ignored.
    public init(
        offeredVersion: UInt32,
        offeredActions: MilterActions,
        offeredSteps: MilterProtocolSteps,
        neededActions: MilterActions = MilterNegotiation.defaultNeededActions,
        unneededCallbacks: MilterProtocolSteps = [],
        unneededReplies: MilterProtocolSteps = []
    ) throws(MilterProtocolError) {
        guard offeredVersion >= Self.oldestSupportedVersion else {
            throw .unsupportedVersion(offered: offeredVersion, oldestSupported: Self.oldestSupportedVersion)
        }
        self.offeredVersion = offeredVersion
        self.offeredActions = offeredActions
        self.offeredSteps = offeredSteps
        version = min(offeredVersion, Self.newestSupportedVersion)
        actions = neededActions.intersection(offeredActions)
        missingActions = neededActions.subtracting(offeredActions)
        let wanted = unneededCallbacks.intersection(.allNoCommand).union(unneededReplies.intersection(.allNoReply)).union(.skip)
        steps = wanted.intersection(offeredSteps)
    }

    /// The `O` packet to send back.
    public var response: MilterResponse {
        .optionNegotiation(version: version, actions: actions, steps: steps)
    }

    /// Whether the MTA waits for our response to `command`: never for `D`,
    /// `A`, `Q`, `K`; not for a command whose `noReplyTo…` bit was agreed.
    public func expectsResponse(to command: MilterCommand) -> Bool {
        command.expectsResponse(negotiatedSteps: steps)
    }

    /// Whether we may answer a body chunk with `skip`.
    public var mayRespondSkip: Bool { steps.contains(.skip) }

    /// Whether header values keep the space after the colon (always false:
    /// see the type's notes).
    public var headerValuesKeepLeadingSpace: Bool { steps.contains(.headerLeadingSpace) }
}
