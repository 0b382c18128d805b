import Config
import Handlers
import MailAuth
import Milter

/// A handler whose callbacks the test scripts: each closure runs when its
/// callback is called, and every call is recorded by stage name.
final class ScriptedHandler: Handler {
    static let name = "Scripted"
    static let defaultConfigJSON = "{}"
    static let helpText = "Scripted test handler"
    /// It may refuse at any stage (as Blocker), so the MTA waits for a
    /// reply to connect, HELO, MAIL and RCPT.
    static let refusesBeforeData = true

    var onConnect: ((MailSession) throws -> Void)?
    var onHelo: ((MailSession, String) throws -> Void)?
    var onEnvelopeFrom: ((MailSession, String) throws -> Void)?
    var onEnvelopeRecipient: ((MailSession, String) throws -> Void)?
    var onHeader: ((MailSession, String, String) throws -> Void)?
    var onEndOfHeaders: ((MailSession) throws -> Void)?
    var onBody: ((MailSession, ArraySlice<UInt8>) throws -> Void)?
    var onEndOfMessage: ((MailSession) throws -> Void)?
    /// Stage names in call order: connect, helo, envfrom, envrcpt, header,
    /// eoh, body, eom, abort, close.
    private(set) var calls: [String] = []

    init(config: ConfigNode) throws(ConfigurationError) {}
    init() {}

    func connect(_ session: MailSession) throws { calls.append("connect"); try onConnect?(session) }
    func helo(_ session: MailSession, host: String) throws { calls.append("helo"); try onHelo?(session, host) }
    func envelopeFrom(_ session: MailSession, address: String) throws {
        calls.append("envfrom"); try onEnvelopeFrom?(session, address)
    }
    func envelopeRecipient(_ session: MailSession, address: String) throws {
        calls.append("envrcpt"); try onEnvelopeRecipient?(session, address)
    }
    func header(_ session: MailSession, name: String, value: String) throws {
        calls.append("header"); try onHeader?(session, name, value)
    }
    func endOfHeaders(_ session: MailSession) throws { calls.append("eoh"); try onEndOfHeaders?(session) }
    func body(_ session: MailSession, chunk: ArraySlice<UInt8>) throws { calls.append("body"); try onBody?(session, chunk) }
    func endOfMessage(_ session: MailSession) throws { calls.append("eom"); try onEndOfMessage?(session) }
    func abort(_ session: MailSession) { calls.append("abort") }
    func close(_ session: MailSession) { calls.append("close") }
}

/// What a scripted handler throws.
struct ScriptedFailure: Error, CustomStringConvertible {
    var description: String { "scripted failure" }
}

/// A clock the test moves by hand; a handler advances it to "take time".
final class FakeClock {
    var now = 1_000.0
    func advance(_ seconds: Double) { now += seconds }
}

/// A dispatcher over the given handlers with an empty zone and a fake clock.
struct Harness {
    let dispatcher: MilterDispatcher
    let clock: FakeClock
    var session: MailSession { dispatcher.session }

    init(handlers: [any Handler], settings: DispatcherSettings = DispatcherSettings(),
         resolver: any DNSResolver = InMemoryDNSResolver(), clock: FakeClock = FakeClock()) {
        self.clock = clock
        dispatcher = MilterDispatcher(handlers: handlers, session: MailSession(resolver: resolver),
                                      settings: settings, clock: { clock.now })
    }

    @discardableResult
    func send(_ command: MilterCommand) -> [MilterResponse] { dispatcher.handle(command) }

    /// Negotiation, connect macros (with `j`), connect and HELO.
    func openConnection(j: String? = "mx.example.net", helo: String = "mail.example.org", address: String = "192.0.2.1") {
        send(.optionNegotiation(version: 6, actions: .all, steps: .all))
        var macros = [MilterMacro(name: "{daemon_name}", value: "smtpd")]
        if let j { macros.append(MilterMacro(name: "j", value: j)) }
        send(.defineMacros(forCommand: UInt8(ascii: "C"), macros: macros))
        send(.connect(hostname: "mail.example.org", family: address.contains(":") ? .inet6 : .inet, port: 40000, address: address))
        send(.helo(helo))
    }

    /// One message from MAIL FROM to end of message; returns the replies to
    /// end of message.
    @discardableResult
    func sendMessage(from: String = "<sender@example.org>", to: String = "<rcpt@example.net>",
                     headers: [(String, String)] = [("From", "Sender <sender@example.org>"), ("Subject", "Hello")],
                     body: String = "Hello\r\n") -> [MilterResponse] {
        send(.mailFrom([from]))
        send(.rcptTo([to]))
        send(.data)
        for (name, value) in headers { send(.header(name: name, value: value)) }
        send(.endOfHeaders)
        send(.body(Array(body.utf8)))
        return send(.endOfMessage([]))
    }
}

extension DispatcherSettings {
    /// Settings built in one expression.
    static func with(_ change: (inout DispatcherSettings) -> Void) -> DispatcherSettings {
        var settings = DispatcherSettings()
        change(&settings)
        return settings
    }
}

/// The X-Authentication-Milter header AddID appends.
let addIDReply = MilterResponse.addHeader(name: "X-Authentication-Milter", value: "Header added by Authentication Milter")
