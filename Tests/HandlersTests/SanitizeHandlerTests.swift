@testable import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// Sanitize: forged results headers (our authserv-id, our domain,
/// `hosts_to_remove`, or unparseable) and X-Disposition-Quarantine are
/// removed at the end of the message, noted as `X-Received-...` unless
/// silent.
@Suite struct SanitizeHandlerTests {
    static let config = #"{"hosts_to_remove": ["example.com", "example.net"], "remove_headers": "yes"}"#

    static func handler(_ json: String = config) throws -> SanitizeHandler {
        try SanitizeHandler(config: JSONParser.parse(json))
    }

    static func session(j: String = "test.module") -> MailSession {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.macros["j"] = j
        return session
    }

    /// Feeds headers, ends the message; returns the removals and the notes.
    static func run(_ headers: [(String, String)], config: String = config, session: MailSession = session(),
                    handler: SanitizeHandler? = nil) throws -> (removed: [String], notes: [String]) {
        let handler = try handler ?? Self.handler(config)
        for (name, value) in headers { try handler.header(session, name: name, value: value) }
        try handler.endOfMessage(session)
        return (session.removedHeaders.map { "\($0.name) \($0.occurrence)" },
                session.appendedHeaders.map { "\($0.name): \($0.value)" })
    }

    static func configError(_ json: String) -> String? {
        do {
            _ = try handler(json)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The headers of the Perl test message google_apps_good_sanitize.eml.
    static let perlTestHeaders: [(String, String)] = [
        ("Return-Path", "<marc@marcbradshaw.net>"),
        ("Authentication-Results", "example.com;\n    dkim=fail;\n    x-ptr=fail"),
        ("Authentication-Results", "notexample.com;\n    dkim=fail"),
        ("Authentication-Results", "mx.example.net;\n    dkim=fail"),
        ("Authentication-results", "sub.example.com;\n    dkim=fail"),
        ("authentication-results", "notmodule;\n    dkim=fail"),
        ("Authentication-Results", "server.example.net;\n    dkim=fail"),
        ("authentication-results", "test.module;\n    dkim=fail"),
        ("Authentication-Results", "module;\n    dkim=fail"),
        ("X-Disposition-Quarantine", "Testing foo bar"),
        ("Subject", "Authentication Milter Test"),
        ("X-disposition-quarAntine", "Testing 1 2 3"),
    ]

    @Test func defaultConfigParsesWithPerlsKeys() throws {
        let handler = try Self.handler(SanitizeHandler.defaultConfigJSON)
        #expect(SanitizeHandler.configKeys == ["hosts_to_remove", "remove_headers", "extra_auth_results_types"])
        #expect(SanitizeHandler.dependencyNames.isEmpty)
        #expect(handler.hostsToRemove == ["example.com", "example.net"])
        #expect(handler.mode == .yes)
        #expect(handler.resultTypes == ["Authentication-Results", "X-Authentication-Results"])
    }

    /// A missing key has Perl's run-time meaning: no extra hosts, "yes".
    @Test func emptyConfigUsesPerlsRunTimeDefaults() throws {
        let handler = try Self.handler("{}")
        #expect(handler.hostsToRemove.isEmpty)
        #expect(handler.mode == .yes)
        #expect(handler.resultTypes == ["Authentication-Results"])
    }

    @Test func perlTestMessage() throws {
        let result = try Self.run(Self.perlTestHeaders)
        #expect(result.removed == [
            "Authentication-Results 8", "Authentication-Results 7", "Authentication-Results 6",
            "Authentication-Results 4", "Authentication-Results 3", "Authentication-Results 1",
            "x-disposition-quarantine 2", "x-disposition-quarantine 1",
        ])
        let kept = ["example.com;\n    dkim=fail;\n    x-ptr=fail", "mx.example.net;\n    dkim=fail", "sub.example.com;\n    dkim=fail",
                    "server.example.net;\n    dkim=fail", "test.module;\n    dkim=fail", "module;\n    dkim=fail"]
        #expect(result.notes == kept.map {
            "X-Received-Authentication-Results: (Received Authentication-Results header removed by test.module)\n    " + $0
        })
    }

    /// Through the dispatcher: deletions first (highest occurrence first),
    /// then our header, then the notes.
    @Test func perlTestMessageThroughTheDispatcher() throws {
        let harness = Harness(handlers: [try Self.handler()])
        harness.openConnection(j: "test.module")
        let replies = harness.sendMessage(headers: Self.perlTestHeaders)
        let changes = replies.filter { if case .changeHeader = $0 { true } else { false } }
        #expect(changes == [8, 7, 6, 4, 3, 1].map { .changeHeader(index: $0, name: "Authentication-Results", value: "") }
            + [2, 1].map { .changeHeader(index: $0, name: "x-disposition-quarantine", value: "") })
        #expect(replies[changes.count] == .insertHeader(index: 1, name: "Authentication-Results", value: "test.module; none"))
        #expect(replies.count == changes.count + 1 + 6 + 1)
        #expect(replies.last == .continue)
        // The next message starts counting afresh.
        let second = harness.sendMessage(headers: [("Authentication-Results", "test.module; none")])
        #expect(second.first == .changeHeader(index: 1, name: "Authentication-Results", value: ""))
    }

    @Test func silentModeLeavesNoNotes() throws {
        let result = try Self.run(Self.perlTestHeaders, config: #"{"hosts_to_remove": ["example.com"], "remove_headers": "Silent"}"#)
        #expect(result.removed == [
            "Authentication-Results 8", "Authentication-Results 7", "Authentication-Results 4", "Authentication-Results 1",
            "x-disposition-quarantine 2", "x-disposition-quarantine 1",
        ])
        #expect(result.notes.isEmpty)
    }

    @Test func noModeRemovesNothing() throws {
        let result = try Self.run(Self.perlTestHeaders, config: #"{"hosts_to_remove": ["example.com"], "remove_headers": "NO"}"#)
        #expect(result.removed.isEmpty)
        #expect(result.notes.isEmpty)
    }

    @Test func anyOtherModeMeansYes() throws {
        let handler = try Self.handler(#"{"remove_headers": "sure"}"#)
        #expect(handler.mode == .yes)
        #expect(try Self.handler(#"{"remove_headers": 0}"#).mode == .yes)
    }

    @Test func trustedRelaysAreNotSanitized() throws {
        let session = Self.session()
        session.isTrustedIP = true
        let result = try Self.run(Self.perlTestHeaders, session: session)
        #expect(result.removed.isEmpty)
        #expect(result.notes.isEmpty)
    }

    /// Our own authserv-id is removed even outside our domain.
    @Test func configuredAuthservIDIsRemoved() throws {
        let session = Self.session(j: "mx1.example.org")
        session.authservIDSetting = "Auth.Example.NET"
        let result = try Self.run([
            ("Authentication-Results", "auth.example.net; spf=pass smtp.mailfrom=a@b.example"),
            ("Authentication-Results", "example.org; none"),
            ("Authentication-Results", "mx2.example.org; none"),
            ("Authentication-Results", "example.net.evil; none"),
        ], config: "{}", session: session)
        #expect(result.removed == ["Authentication-Results 3", "Authentication-Results 2", "Authentication-Results 1"])
    }

    /// A host name without a dot: Perl's pattern for "our domain" is empty.
    @Test func hostnameWithoutADot() throws {
        let session = Self.session(j: "localhost")
        let result = try Self.run([
            ("Authentication-Results", "localhost; none"),
            ("Authentication-Results", "other.example; none"),
        ], config: "{}", session: session)
        #expect(result.removed == ["Authentication-Results 1"])
    }

    /// Without `j` or `{rcpt_host}` the system host name is used.
    @Test func systemHostnameIsTheLastFallback() throws {
        let session = MailSession(resolver: InMemoryDNSResolver())
        session.systemHostname = "box.example.org"
        let result = try Self.run([("Authentication-Results", "example.org; none")], config: "{}", session: session)
        #expect(result.removed == ["Authentication-Results 1"])
        #expect(result.notes == ["X-Received-Authentication-Results: (Received Authentication-Results header removed by box.example.org)\n    example.org; none"])
    }

    /// A forged field folded right after its colon arrives as "\n mx...":
    /// Perl strips the value's leading white space (its milter code's
    /// `s/^\s+//`) before Sanitize quotes it, so the note has no line of
    /// only spaces (issue 11 item 8).
    @Test(arguments: ["\n mx.example.net;\n spf=pass smtp.mailfrom=forged@example.com",
                      "\r\n\t mx.example.net;\n spf=pass smtp.mailfrom=forged@example.com",
                      "  mx.example.net;\n spf=pass smtp.mailfrom=forged@example.com"])
    func foldedForgedHeaderNote(value: String) throws {
        let result = try Self.run([("Authentication-Results", value)])
        #expect(result.removed == ["Authentication-Results 1"])
        #expect(result.notes == [
            "X-Received-Authentication-Results: (Received Authentication-Results header removed by test.module)\n"
                + "    mx.example.net;\n spf=pass smtp.mailfrom=forged@example.com",
        ])
    }

    /// Through the dispatcher: the note's lines are all valid folding.
    @Test func foldedForgedHeaderThroughTheDispatcher() throws {
        let harness = Harness(handlers: [try Self.handler()])
        harness.openConnection()
        let replies = harness.sendMessage(headers: [("Authentication-Results", "\n mx.example.net;\n\tspf=pass smtp.mailfrom=forged@example.com")])
        #expect(replies.contains(.addHeader(name: "X-Received-Authentication-Results", value:
            "(Received Authentication-Results header removed by mx.example.net)\n    mx.example.net;\n\tspf=pass smtp.mailfrom=forged@example.com")))
    }

    /// A header that does not parse is removed, with a note even in silent
    /// mode; so is an authserv-id Perl finds false ("0").
    @Test(arguments: ["", "   ", "; spf=pass", "example.org; spf=pass (unclosed", "example.org; spf=\"unclosed",
                      "example.org; none spf=pass", "example.org; dkim/x=pass", "example.org foo bar; none",
                      "(only a comment)", "0; none", "example.org; =pass", "example.org; x..y=pass", "\"\"; none"])
    func unparseableHeadersAreRemovedWithANote(value: String) throws {
        let result = try Self.run([("Authentication-Results", value)], config: #"{"remove_headers": "silent"}"#,
                                  session: Self.session(j: "mx.example.net"))
        #expect(result.removed == ["Authentication-Results 1"])
        #expect(result.notes.count == 1)
    }

    @Test func otherDomainsAreKept() throws {
        let result = try Self.run([
            ("Authentication-Results", "mx.google.com;\n       dkim=pass header.i=@example.org header.s=s1 header.b=abc;\n       spf=pass (google.com: domain of a@b.example designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@b.example"),
            ("Authentication-Results", "other.example 1; auth=pass smtp.auth=x"),
            ("Authentication-Results", "Authentication-Results: other.example; none"),
        ])
        #expect(result.removed.isEmpty)
        #expect(result.notes.isEmpty)
    }

    @Test func extraResultTypes() throws {
        let config = #"{"hosts_to_remove": ["example.com"], "extra_auth_results_types": ["X-Authentication-Results", "x-authentication-results", "ARC-Authentication-Results"]}"#
        let handler = try Self.handler(config)
        #expect(handler.resultTypes == ["ARC-Authentication-Results", "Authentication-Results", "X-Authentication-Results"])
        let result = try Self.run([
            ("x-authentication-results", "example.com; none"),
            ("X-Authentication-Results", "other.example; none"),
            ("X-Authentication-Results", "mail.example.com; none"),
        ], handler: handler)
        #expect(result.removed == ["X-Authentication-Results 3", "X-Authentication-Results 1"])
        #expect(result.notes.first?.hasPrefix("X-Received-X-Authentication-Results: (Received X-Authentication-Results header removed by test.module)\n    ") == true)
    }

    /// Perl's add_header_to_sanitize_list, for handlers that write their
    /// own headers (BIMI-Location, ...): the note uses the lowercase name.
    @Test func handlersCanAddHeadersToRemove() throws {
        let handler = try Self.handler()
        handler.addHeaderToRemove("BIMI-Location", silent: false)
        let result = try Self.run([("BIMI-Location", "v=BIMI1; l=https://x"), ("bimi-location", "again")], handler: handler)
        #expect(result.removed == ["bimi-location 2", "bimi-location 1"])
        #expect(result.notes == [
            "X-Received-bimi-location: (Received bimi-location header removed by test.module)\n    v=BIMI1; l=https://x",
            "X-Received-bimi-location: (Received bimi-location header removed by test.module)\n    again",
        ])
    }

    @Test func abortForgetsTheMessage() throws {
        let handler = try Self.handler()
        let session = Self.session()
        try handler.header(session, name: "Authentication-Results", value: "test.module; none")
        try handler.header(session, name: "X-Disposition-Quarantine", value: "x")
        handler.abort(session)
        session.resetMessage()
        try handler.endOfMessage(session)
        #expect(session.removedHeaders.isEmpty)
    }

    @Test func authservIDOfTheModulesGrammar() {
        let cases: [(String, String?)] = [
            ("example.com; spf=pass smtp.mailfrom=a@b.example", "example.com"),
            ("example.com 1; none", "example.com"),
            ("example.com; none", "example.com"),
            ("example.com", "example.com"),
            ("example.com;", "example.com"),
            ("(comment) example.com; dkim=pass", "example.com"),
            ("Authentication-Results: example.com; none", "example.com"),
            ("  \"quoted.example\" ; none", "quoted.example"),
            ("example.com;\r\n\tdkim=pass header.d=example.com (good);\r\n\tspf=none", "example.com"),
            ("example.com; dkim/1=pass header.d=example.com", "example.com"),
            ("example.com; dmarc=pass policy.evaluated-disposition=none (p=none,d=none) header.from=x.example", "example.com"),
            ("example.com(comment);", "example.com(comment)"),
            ("example.com x=y; none", "example.com"),
            ("(only a comment)", ""),
            ("", nil), ("   ", nil), (";", nil), ("= x", nil),
            ("example.com foo bar; none", nil),
            ("example.com x.y=z; none", nil),
            ("example.com; spf=pass (a(b)", nil),
            ("example.com; none spf=pass", nil),
            ("example.com; dkim/x=pass", nil),
            ("example.com; =pass", nil),
            ("example.com; \"\"=pass", nil),
        ]
        for (value, expected) in cases {
            #expect(SanitizeHandler.claimedAuthservID(value) == expected, "\(value)")
        }
    }

    @Test func configErrorsNameTheKey() {
        #expect(Self.configError(#"{"hosts_to_remove": "example.com"}"#)?.contains("hosts_to_remove: expected an array of strings") == true)
        #expect(Self.configError(#"{"hosts_to_remove": [["example.com"]]}"#)?.contains("expected a string") == true)
        #expect(Self.configError(#"{"remove_headers": true}"#)?.contains(#"remove_headers: expected "yes", "no" or "silent", got true"#) == true)
        #expect(Self.configError(#"{"remove_headers": {}}"#)?.contains("remove_headers: expected a string") == true)
        #expect(Self.configError(#"{"extra_auth_results_types": "X-AR"}"#)?.contains("extra_auth_results_types: expected an array of strings") == true)
        #expect(Self.configError(#"{"remove_headers": null, "hosts_to_remove": null, "extra_auth_results_types": null}"#) == nil)
    }
}
