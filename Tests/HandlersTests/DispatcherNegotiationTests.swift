import Handlers
import Milter
import Testing

/// The dispatcher's answer to the MTA's option negotiation (`O`).
@Suite struct DispatcherNegotiationTests {
    @Test func postfixOfferGetsVersion6HeaderActionsAndSkip() {
        let harness = Harness(handlers: [])
        let replies = harness.send(.optionNegotiation(
            version: 6, actions: MilterActions(rawValue: 0x1FF), steps: MilterProtocolSteps(rawValue: 0x1F_FFFF)))
        // Skip, and no replies to DATA, unknown, headers, end of headers
        // and body (0x400 | 0x10000 | 0x20000 | 0x80 | 0x40000 | 0x80000),
        // nor, with no handler that refuses before DATA, to connect, HELO,
        // MAIL and RCPT (0x1000 | 0x2000 | 0x4000 | 0x8000).
        #expect(replies == [.optionNegotiation(version: 6, actions: MilterActions(rawValue: 0x11),
                                               steps: MilterProtocolSteps(rawValue: 0xF_F480))])
        #expect(!harness.dispatcher.finished)
        #expect(harness.dispatcher.drainLog().isEmpty)
    }

    @Test func quarantineActionIsRequestedOnlyWhenConfigured() {
        let harness = Harness(handlers: [], settings: .with { $0.milterQuarantine = true })
        let replies = harness.send(.optionNegotiation(version: 6, actions: .all, steps: .all))
        #expect(replies == [.optionNegotiation(version: 6, actions: [.addHeaders, .changeHeaders, .quarantine], steps: MilterDispatcher.unansweredCommands.union(MilterDispatcher.unansweredEnvelopeCommands).union(.skip))])
    }

    @Test func version2OfferIsAnsweredWithVersion2() {
        // Sendmail 8.13-style offer: version 2, the five classic actions, the
        // seven classic protocol bits (no skip).
        let harness = Harness(handlers: [])
        let replies = harness.send(.optionNegotiation(
            version: 2, actions: MilterActions(rawValue: 0x1F), steps: MilterProtocolSteps(rawValue: 0x7F)))
        #expect(replies == [.optionNegotiation(version: 2, actions: [.addHeaders, .changeHeaders], steps: [])])
        #expect(!harness.dispatcher.finished)
    }

    @Test func version1OfferIsRefusedAndFinishesTheConnection() {
        let harness = Harness(handlers: [])
        let replies = harness.send(.optionNegotiation(version: 1, actions: .all, steps: .all))
        #expect(replies.isEmpty)
        #expect(harness.dispatcher.finished)
        let log = harness.dispatcher.drainLog()
        #expect(log.count == 1)
        #expect(log.first?.contains("option negotiation refused") == true)
        #expect(log.first?.contains("version 1") == true)
    }

    @Test func missingChangeHeadersIsLoggedNotFatal() {
        let harness = Harness(handlers: [])
        let replies = harness.send(.optionNegotiation(version: 6, actions: [.addHeaders], steps: .all))
        #expect(replies == [.optionNegotiation(version: 6, actions: [.addHeaders], steps: MilterDispatcher.unansweredCommands.union(MilterDispatcher.unansweredEnvelopeCommands).union(.skip))])
        #expect(!harness.dispatcher.finished)
        let log = harness.dispatcher.drainLog()
        #expect(log.count == 1)
        #expect(log.first?.contains("does not allow actions") == true)
    }

    @Test func drainLogEmptiesTheLog() {
        let harness = Harness(handlers: [])
        harness.send(.optionNegotiation(version: 1, actions: .all, steps: .all))
        #expect(harness.dispatcher.drainLog().count == 1)
        #expect(harness.dispatcher.drainLog().isEmpty)
        #expect(harness.dispatcher.logLines.isEmpty)
    }
}
