import Testing

@testable import Milter

struct NegotiationTests {
    /// Postfix 3.7 with `milter_protocol = 6` offers everything it knows.
    private static let postfixOffer = MilterCommand.optionNegotiation(
        version: 6, actions: MilterActions(rawValue: 0x1FF), steps: MilterProtocolSteps(rawValue: 0x1F_FFFF))

    @Test func bitValuesMatchLibmilter() {
        #expect(MilterActions.all.rawValue == 0x1FF)
        #expect(MilterActions.changeHeaders.rawValue == 0x10)
        #expect(MilterActions.setMacroList.rawValue == 0x100)
        #expect(MilterProtocolSteps.all.rawValue == 0x1F_FFFF)
        #expect(MilterProtocolSteps.allNoCommand.rawValue == 0x37F)
        #expect(MilterProtocolSteps.allNoReply.rawValue == 0xF_F080)
        #expect(MilterProtocolSteps.skip.rawValue == 0x400)
        #expect(MilterProtocolSteps.headerLeadingSpace.rawValue == 0x10_0000)
    }

    @Test func postfixConversationFromBytesToReply() throws {
        var decoder = MilterDecoder()
        decoder.append(Self.postfixOffer.encoded())
        guard case .optionNegotiation(let version, let actions, let steps) = try decoder.next() else {
            Issue.record("not an option negotiation")
            return
        }
        let negotiation = try MilterNegotiation(offeredVersion: version, offeredActions: actions, offeredSteps: steps)
        #expect(negotiation.version == 6)
        #expect(negotiation.actions == [.addHeaders, .changeHeaders])
        #expect(negotiation.steps == [.skip])
        #expect(negotiation.missingActions.isEmpty)
        #expect(negotiation.mayRespondSkip)
        #expect(!negotiation.headerValuesKeepLeadingSpace)
        let reply = negotiation.response.encoded()
        #expect(reply == [0, 0, 0, 13, UInt8(ascii: "O"), 0, 0, 0, 6, 0, 0, 0, 0x11, 0, 0, 0x04, 0])
        var client = MilterResponseDecoder()
        client.append(reply)
        #expect(try client.next() == negotiation.response)
    }

    @Test func quarantineAndUnneededCallbacksAreRequestedWhenOffered() throws {
        let negotiation = try MilterNegotiation(
            offeredVersion: 6, offeredActions: .all, offeredSteps: .all,
            neededActions: MilterNegotiation.defaultNeededActions.union(.quarantine),
            unneededCallbacks: [.noUnknown, .noData, .noReplyToHeader, .headerLeadingSpace, .rejectedRecipients])
        #expect(negotiation.actions.rawValue == 0x31)
        // Reply-suppression and option bits are not callbacks and are dropped.
        #expect(negotiation.steps == [.noUnknown, .noData, .skip])
        #expect(negotiation.response == .optionNegotiation(version: 6, actions: MilterActions(rawValue: 0x31), steps: MilterProtocolSteps(rawValue: 0x700)))
    }

    @Test func nothingIsRequestedThatIsNotOffered() throws {
        // Sendmail 8.13 speaking version 2: no skip, no unknown/data commands.
        let negotiation = try MilterNegotiation(
            offeredVersion: 2, offeredActions: MilterActions(rawValue: 0x3F), offeredSteps: MilterProtocolSteps(rawValue: 0x7F),
            neededActions: [.addHeaders, .changeHeaders, .quarantine, .changeSender], unneededCallbacks: [.noUnknown, .noHelo])
        #expect(negotiation.version == 2)
        #expect(negotiation.actions == [.addHeaders, .changeHeaders, .quarantine])
        #expect(negotiation.missingActions == [.changeSender])
        #expect(negotiation.steps == [.noHelo])
        #expect(!negotiation.mayRespondSkip)
    }

    @Test(arguments: [2, 3, 4, 5, 6] as [UInt32])
    func supportedVersionsAreEchoed(version: UInt32) throws {
        let negotiation = try MilterNegotiation(offeredVersion: version, offeredActions: .all, offeredSteps: .all)
        #expect(negotiation.version == version)
        #expect(negotiation.offeredVersion == version)
    }

    @Test func newerVersionIsAnsweredWithSix() throws {
        let negotiation = try MilterNegotiation(offeredVersion: 7, offeredActions: .all, offeredSteps: .all)
        #expect(negotiation.version == 6)
    }

    @Test(arguments: [0, 1] as [UInt32])
    func olderVersionIsRefused(version: UInt32) {
        #expect(throws: MilterProtocolError.unsupportedVersion(offered: version, oldestSupported: 2)) {
            try MilterNegotiation(offeredVersion: version, offeredActions: .all, offeredSteps: .all)
        }
    }

    @Test func leadingSpaceStaysOffEvenWhenOffered() throws {
        let negotiation = try MilterNegotiation(offeredVersion: 6, offeredActions: .all, offeredSteps: [.headerLeadingSpace, .skip])
        #expect(!negotiation.steps.contains(.headerLeadingSpace))
        #expect(!negotiation.headerValuesKeepLeadingSpace)
    }

    @Test func repliesAreLeftOutOnlyWhereAskedAndOffered() throws {
        let content: MilterProtocolSteps = [.noReplyToHeader, .noReplyToEndOfHeaders, .noReplyToBody]
        let negotiation = try MilterNegotiation(offeredVersion: 6, offeredActions: .all, offeredSteps: .all,
                                                unneededReplies: content.union([.noBody, .skip]))
        // The callback bit in the list is not a reply bit and is dropped.
        #expect(negotiation.steps == content.union(.skip))
        #expect(!negotiation.expectsResponse(to: .header(name: "Subject", value: "x")))
        #expect(!negotiation.expectsResponse(to: .endOfHeaders))
        #expect(!negotiation.expectsResponse(to: .body([1])))
        #expect(negotiation.expectsResponse(to: .rcptTo(["<a@b>"])))
        #expect(negotiation.expectsResponse(to: .endOfMessage([])))
        // An MTA offering no reply bits (Sendmail 8.13, version 2) gets none.
        let old = try MilterNegotiation(offeredVersion: 2, offeredActions: .all, offeredSteps: MilterProtocolSteps(rawValue: 0x7F),
                                        unneededReplies: content)
        #expect(old.steps.isDisjoint(with: .allNoReply))
        #expect(old.expectsResponse(to: .header(name: "Subject", value: "x")))
    }

    @Test func withoutUnneededRepliesEveryCommandThatTakesAReplyGetsOne() throws {
        let negotiation = try MilterNegotiation(offeredVersion: 6, offeredActions: .all, offeredSteps: .all)
        #expect(negotiation.steps.isDisjoint(with: .allNoReply))
        for command in MilterSamples.commands {
            let silent = "DAQK".utf8.contains(command.code)
            #expect(negotiation.expectsResponse(to: command) == !silent, "\(command)")
        }
    }
}
