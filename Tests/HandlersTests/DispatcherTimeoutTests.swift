import Handlers
import Milter
import Testing

/// A callback that takes longer than its stage's timeout (connect_timeout,
/// command_timeout, content_timeout) is a handler error. Time comes from
/// the injected clock, which the scripted handlers move.
@Suite struct DispatcherTimeoutTests {
    /// A handler that "takes" `seconds` in the callback of `stage`.
    static func slow(at stage: String, seconds: Double, clock: FakeClock) -> ScriptedHandler {
        let handler = ScriptedHandler()
        let take: () -> Void = { clock.advance(seconds) }
        switch stage {
        case "connect": handler.onConnect = { _ in take() }
        case "helo": handler.onHelo = { _, _ in take() }
        case "envfrom": handler.onEnvelopeFrom = { _, _ in take() }
        case "envrcpt": handler.onEnvelopeRecipient = { _, _ in take() }
        case "header": handler.onHeader = { _, _, _ in take() }
        case "eoh": handler.onEndOfHeaders = { _ in take() }
        case "body": handler.onBody = { _, _ in take() }
        default: handler.onEndOfMessage = { _ in take() }
        }
        return handler
    }

    enum TimeoutKind: Sendable { case connect, command, content }

    /// Which setting each stage is measured against.
    static let stageTimeouts: [String: TimeoutKind] = [
        "connect": .connect,
        "helo": .command, "envfrom": .command, "envrcpt": .command,
        "header": .content, "eoh": .content, "body": .content, "eom": .content,
    ]

    /// tempfail_on_error, every timeout `others`, the stage's own `own`.
    static func settings(stage: String, own: Double, others: Double) -> DispatcherSettings {
        var settings = DispatcherSettings()
        settings.tempfailOnError = true
        settings.connectTimeout = others
        settings.commandTimeout = others
        settings.contentTimeout = others
        switch stageTimeouts[stage] {
        case .connect: settings.connectTimeout = own
        case .command: settings.commandTimeout = own
        case .content: settings.contentTimeout = own
        case nil: Issue.record("unknown stage \(stage)")
        }
        return settings
    }

    /// A bare milter tempfail, as the Perl program sends for an error.
    static func isTempfail(_ replies: [MilterResponse]) -> Bool {
        replies == [.tempfail]
    }

    @Test(arguments: DispatcherErrorPolicyTests.stages)
    func overrunOfTheStageTimeoutIsAnError(stage: String) {
        let clock = FakeClock()
        let harness = Harness(handlers: [Self.slow(at: stage, seconds: 6, clock: clock)],
                              settings: Self.settings(stage: stage, own: 5, others: 1000), clock: clock)
        let replies = harness.send(DispatcherErrorPolicyTests.command(for: stage))
        #expect(Self.isTempfail(replies), "\(stage): \(replies)")
        let log = harness.dispatcher.drainLog()
        #expect(log.count == 1)
        #expect(log.first?.hasPrefix("\(stage) callbacks timed out after 6") == true, "\(log)")
    }

    @Test(arguments: DispatcherErrorPolicyTests.stages)
    func otherStagesTimeoutsDoNotApply(stage: String) {
        let clock = FakeClock()
        let harness = Harness(handlers: [Self.slow(at: stage, seconds: 6, clock: clock)],
                              settings: Self.settings(stage: stage, own: 1000, others: 5), clock: clock)
        let replies = harness.send(DispatcherErrorPolicyTests.command(for: stage))
        #expect(!Self.isTempfail(replies), "\(stage): \(replies)")
        #expect(harness.dispatcher.drainLog().isEmpty)
    }

    @Test func withinTheTimeoutIsFine() {
        let clock = FakeClock()
        let harness = Harness(handlers: [Self.slow(at: "envfrom", seconds: 4.9, clock: clock)],
                              settings: .with { $0.tempfailOnError = true; $0.commandTimeout = 5 }, clock: clock)
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.continue])
        #expect(harness.dispatcher.drainLog().isEmpty)
    }

    @Test func zeroMeansNoTimeout() {
        let clock = FakeClock()
        let harness = Harness(handlers: [Self.slow(at: "envfrom", seconds: 86_400, clock: clock)],
                              settings: .with { $0.tempfailOnError = true; $0.commandTimeout = 0 }, clock: clock)
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.continue])
        #expect(harness.dispatcher.drainLog().isEmpty)
    }

    @Test func timeoutWithoutTempfailOnErrorContinuesAndLogs() {
        let clock = FakeClock()
        let harness = Harness(handlers: [Self.slow(at: "envfrom", seconds: 6, clock: clock)],
                              settings: .with { $0.tempfailOnError = false; $0.commandTimeout = 5 }, clock: clock)
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.continue])
        #expect(harness.dispatcher.drainLog().count == 1)
    }

    @Test func aThrowThatAlsoOverrunsIsLoggedTwiceButRepliedOnce() {
        let clock = FakeClock()
        let handler = ScriptedHandler()
        handler.onEnvelopeFrom = { _, _ in clock.advance(10); throw ScriptedFailure() }
        let harness = Harness(handlers: [handler], settings: .with { $0.tempfailOnError = true; $0.commandTimeout = 5 }, clock: clock)
        #expect(Self.isTempfail(harness.send(.mailFrom(["<a@example.org>"]))))
        #expect(harness.dispatcher.drainLog().count == 2)
    }

    /// The Perl program arms one alarm for the whole stage (set_alarm
    /// before the loop over handlers, cleared after it), so command_timeout
    /// bounds all of a stage's callbacks together, not each one.
    @Test func theTimeoutCoversTheWholeStage() {
        let clock = FakeClock()
        let harness = Harness(handlers: [Self.slow(at: "envfrom", seconds: 3, clock: clock),
                                         Self.slow(at: "envfrom", seconds: 3, clock: clock)],
                              settings: .with { $0.tempfailOnError = true; $0.commandTimeout = 5 }, clock: clock)
        #expect(Self.isTempfail(harness.send(.mailFrom(["<a@example.org>"]))))
    }
}
