import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// A handler callback that throws is a handler error: a tempfail reply or a
/// continue, by tempfail_on_error and its authenticated / local / trusted
/// variants, in the Perl program's precedence; dryrun only logs.
@Suite struct DispatcherErrorPolicyTests {
    static func thrower(at stage: String) -> ScriptedHandler {
        let handler = ScriptedHandler()
        let fail: () throws -> Void = { throw ScriptedFailure() }
        switch stage {
        case "connect": handler.onConnect = { _ in try fail() }
        case "helo": handler.onHelo = { _, _ in try fail() }
        case "envfrom": handler.onEnvelopeFrom = { _, _ in try fail() }
        case "envrcpt": handler.onEnvelopeRecipient = { _, _ in try fail() }
        case "header": handler.onHeader = { _, _, _ in try fail() }
        case "eoh": handler.onEndOfHeaders = { _ in try fail() }
        case "body": handler.onBody = { _, _ in try fail() }
        case "eom": handler.onEndOfMessage = { _ in try fail() }
        default: Issue.record("unknown stage \(stage)")
        }
        return handler
    }

    static func command(for stage: String) -> MilterCommand {
        switch stage {
        case "connect": return .connect(hostname: "mail.example.org", family: .inet, port: 40000, address: "192.0.2.1")
        case "helo": return .helo("mail.example.org")
        case "envfrom": return .mailFrom(["<a@example.org>"])
        case "envrcpt": return .rcptTo(["<b@example.net>"])
        case "header": return .header(name: "Subject", value: "x")
        case "eoh": return .endOfHeaders
        case "body": return .body(Array("x".utf8))
        default: return .endOfMessage([])
        }
    }

    static let stages = ["connect", "helo", "envfrom", "envrcpt", "header", "eoh", "body", "eom"]

    static func isTempfail(_ replies: [MilterResponse]) -> Bool {
        replies == [.tempfail]
    }

    @Test(arguments: stages)
    func errorTempfailsWhenConfigured(stage: String) {
        let harness = Harness(handlers: [Self.thrower(at: stage)], settings: .with { $0.tempfailOnError = true })
        let replies = harness.send(Self.command(for: stage))
        #expect(Self.isTempfail(replies), "\(replies)")
        let log = harness.dispatcher.drainLog()
        #expect(log == ["Scripted \(stage) callback error: scripted failure"])
    }

    @Test(arguments: stages)
    func errorContinuesWhenNotConfigured(stage: String) {
        let harness = Harness(handlers: [Self.thrower(at: stage)], settings: .with { $0.tempfailOnError = false })
        let replies = harness.send(Self.command(for: stage))
        if stage == "eom" {
            #expect(replies.last == .continue)
            #expect(!replies.contains { if case .replyCode = $0 { true } else { false } })
        } else {
            #expect(replies == [.continue])
        }
        #expect(harness.dispatcher.drainLog() == ["Scripted \(stage) callback error: scripted failure"])
    }

    /// The Perl program answers a handler error with a bare SMFIR_TEMPFAIL
    /// (Protocol/Milter.pm), so the MTA's own words reach the client
    /// (Postfix: `451 4.7.1 Service unavailable - try again later`).
    @Test func aHandlerErrorIsABareTempfail() {
        let harness = Harness(handlers: [Self.thrower(at: "envfrom")], settings: .with { $0.tempfailOnError = true })
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.tempfail])
    }

    @Test func otherHandlersStillRunAfterOneThrows() {
        let thrower = Self.thrower(at: "envfrom")
        let after = ScriptedHandler()
        let harness = Harness(handlers: [thrower, after], settings: .with { $0.tempfailOnError = true })
        harness.send(.mailFrom(["<a@example.org>"]))
        #expect(after.calls == ["abort", "envfrom"])
    }

    @Test func errorAtEndOfMessageSendsNoHeaders() throws {
        let harness = Harness(handlers: [try AddIDHandler(config: .object(JSONObject())), Self.thrower(at: "eom")],
                              settings: .with { $0.tempfailOnError = true })
        harness.openConnection()
        let replies = harness.sendMessage()
        #expect(Self.isTempfail(replies))
    }

    @Test func errorAtEndOfMessageWithoutTempfailStillAddsHeaders() throws {
        let harness = Harness(handlers: [try AddIDHandler(config: .object(JSONObject())), Self.thrower(at: "eom")],
                              settings: .with { $0.tempfailOnError = false })
        harness.openConnection()
        #expect(harness.sendMessage() == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; none"), addIDReply, .continue,
        ])
    }

    struct PolicyCase: CustomTestStringConvertible, Sendable {
        var authenticated = false, local = false, trusted = false
        var onError = false, onErrorAuthenticated = false, onErrorLocal = false, onErrorTrusted = false
        var tempfails: Bool
        var testDescription: String {
            "auth=\(authenticated) local=\(local) trusted=\(trusted) settings=\(onError)/\(onErrorAuthenticated)/\(onErrorLocal)/\(onErrorTrusted) -> \(tempfails)"
        }
    }

    static let policyCases: [PolicyCase] = [
        // Nothing special: the general key decides.
        PolicyCase(onError: true, tempfails: true),
        PolicyCase(onError: false, onErrorAuthenticated: true, onErrorLocal: true, onErrorTrusted: true, tempfails: false),
        // Authenticated outranks local, trusted and general.
        PolicyCase(authenticated: true, local: true, trusted: true, onError: true, onErrorLocal: true, onErrorTrusted: true, tempfails: false),
        PolicyCase(authenticated: true, local: true, trusted: true, onErrorAuthenticated: true, tempfails: true),
        // Local outranks trusted and general.
        PolicyCase(local: true, trusted: true, onError: true, onErrorTrusted: true, tempfails: false),
        PolicyCase(local: true, trusted: true, onErrorLocal: true, tempfails: true),
        // Trusted outranks general.
        PolicyCase(trusted: true, onError: true, tempfails: false),
        PolicyCase(trusted: true, onErrorTrusted: true, tempfails: true),
    ]

    @Test(arguments: policyCases)
    func precedenceAuthenticatedLocalTrustedGeneral(_ policy: PolicyCase) {
        let flags = ScriptedHandler()
        flags.onConnect = { session in
            session.isAuthenticated = policy.authenticated
            session.isLocalIP = policy.local
            session.isTrustedIP = policy.trusted
        }
        let settings = DispatcherSettings.with {
            $0.tempfailOnError = policy.onError
            $0.tempfailOnErrorAuthenticated = policy.onErrorAuthenticated
            $0.tempfailOnErrorLocal = policy.onErrorLocal
            $0.tempfailOnErrorTrusted = policy.onErrorTrusted
        }
        let harness = Harness(handlers: [flags, Self.thrower(at: "envfrom")], settings: settings)
        harness.openConnection()
        let replies = harness.send(.mailFrom(["<a@example.org>"]))
        #expect(Self.isTempfail(replies) == policy.tempfails, "\(replies)")
        if !policy.tempfails { #expect(replies == [.continue]) }
    }

    @Test func dryrunLogsTheTempfailAndContinues() {
        let harness = Harness(handlers: [Self.thrower(at: "envfrom")],
                              settings: .with { $0.tempfailOnError = true; $0.dryrun = true })
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.continue])
        let log = harness.dispatcher.drainLog()
        #expect(log.count == 2)
        #expect(log.contains { $0.contains("callback error") })
        #expect(log.contains { $0.hasPrefix("dryrun:") && $0.contains("tempfail") && $0.contains("envfrom") })
    }

    @Test func dryrunLogsARejectAndContinues() {
        let rejecter = ScriptedHandler()
        rejecter.onEnvelopeFrom = { session, _ in session.setVerdict(.reject("550 5.7.1 Go away")) }
        let harness = Harness(handlers: [rejecter], settings: .with { $0.dryrun = true })
        #expect(harness.send(.mailFrom(["<a@example.org>"])) == [.continue])
        #expect(harness.dispatcher.drainLog() == ["dryrun: would reply '550 5.7.1 Go away' at envfrom"])
    }

    @Test func dryrunMakesNoHeaderChangesButStillContinues() throws {
        let harness = Harness(handlers: [try AddIDHandler(config: .object(JSONObject()))], settings: .with { $0.dryrun = true })
        harness.openConnection()
        #expect(harness.sendMessage() == [.continue])
        #expect(harness.dispatcher.drainLog() == ["dryrun: 2 header change(s) not applied"])
    }

    @Test func dryrunTempfailAtEndOfMessageStillEndsWithContinue() throws {
        let harness = Harness(handlers: [try AddIDHandler(config: .object(JSONObject())), Self.thrower(at: "eom")],
                              settings: .with { $0.tempfailOnError = true; $0.dryrun = true })
        harness.openConnection()
        #expect(harness.sendMessage() == [.continue])
        let log = harness.dispatcher.drainLog()
        #expect(log.contains { $0.contains("would tempfail at eom") })
        #expect(log.contains("dryrun: 2 header change(s) not applied"))
    }
}
