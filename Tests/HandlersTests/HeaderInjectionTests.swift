import Config
@testable import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// Issue 9 item 4: control characters from the envelope, the HELO argument,
/// header fields and DKIM tags must not reach the header fields the milter
/// asks the MTA to write. Each test drives real handlers through the
/// dispatcher and looks at every header change it hands to the MTA.
@Suite struct HeaderInjectionTests {
    /// A LF, then an escape sequence and what would be a header field of
    /// its own if the LF reached the MTA raw.
    static let injected = "\n\u{1b}[31mX-Injected: yes"

    /// Whether a value may go to the MTA: no C0, DEL or C1 character except
    /// the milter's folding, a LF followed by white space (the space or tab
    /// that starts the continuation line).
    static func isSafe(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        var atLineStart = false
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case "\n":
                guard index + 1 < scalars.count, scalars[index + 1] == " " || scalars[index + 1] == "\t" else { return false }
                atLineStart = true
                continue
            case "\t", " ":
                guard scalar == " " || atLineStart else { return false }
                continue
            default:
                if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) { return false }
            }
            atLineStart = false
        }
        return true
    }

    /// Header changes in `replies`, as (name, value).
    static func headers(_ replies: [MilterResponse]) -> [(name: String, value: String)] {
        replies.compactMap { reply in
            switch reply {
            case .insertHeader(_, let name, let value), .addHeader(let name, let value), .changeHeader(_, let name, let value):
                return (name, value)
            case .quarantine(let reason):
                return ("(quarantine)", reason)
            default:
                return nil
            }
        }
    }

    static func expectSafe(_ replies: [MilterResponse], sourceLocation: SourceLocation = #_sourceLocation) {
        let fields = headers(replies)
        #expect(!fields.isEmpty, sourceLocation: sourceLocation)
        for field in fields {
            #expect(isSafe(field.value), "\(field.name): \(field.value.debugDescription)", sourceLocation: sourceLocation)
            #expect(!field.value.contains("\nX-Injected"), sourceLocation: sourceLocation)
        }
    }

    static func value(_ name: String, in replies: [MilterResponse]) -> String? {
        headers(replies).first { $0.name == name }?.value
    }

    static var zone: InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        dns.add("example.com", .txt("v=spf1 ip4:192.0.2.0/24 -all"))
        return dns
    }

    /// The checker itself: the folding the milter writes passes, every
    /// other control character fails.
    @Test func theCheckerAcceptsFoldingOnly() {
        #expect(Self.isSafe("a;\n    b=c"))
        #expect(Self.isSafe("v=1;\n\tb=abc"))
        for bad in ["a\nb", "a\n", "a\r\n b", "a\tb", "a\u{0}b", "a\u{1b}b", "a\u{7}b", "a\u{7f}b", "a\u{9b}b"] {
            #expect(!Self.isSafe(bad), "\(bad.debugDescription)")
        }
    }

    @Test func heloAndMailFromThroughSPF() throws {
        let spf = try SPFHandler(config: JSONParser.parse("{}"))
        let harness = Harness(handlers: [spf], resolver: Self.zone)
        harness.openConnection(helo: "mail\u{7}.example.org\t\u{7f}")
        let replies = harness.sendMessage(from: "<a\(Self.injected)@example.com>")
        Self.expectSafe(replies)
        let received = try #require(Self.value("Received-SPF", in: replies))
        // RFC 7208 9.1 key-value pairs: a quoted-string with the control
        // characters as Mail::SPF's \xNN (the backslash itself quoted).
        #expect(received.contains(#"envelope-from="a\\x0a\\x1b[31mX-Injected: yes@example.com""#))
        #expect(received.contains(#"helo="mail\\x07.example.org\\x09\\x7f""#))
        let results = try #require(Self.value("Authentication-Results", in: replies))
        // RFC 8601 values: control characters become spaces (Perl's rule
        // for tab and line breaks), so the value is quoted.
        #expect(results.contains(#"smtp.helo="mail .example.org""#))
        #expect(results.contains(#"smtp.mailfrom="a  [31mX-Injected: yes@example.com""#))
    }

    @Test func fromHeaderThroughDMARC() throws {
        let spf = try SPFHandler(config: JSONParser.parse(#"{"hide_received-spf_header": 1}"#))
        let dmarc = try DMARCHandler(config: ConfigNode(value: JSONParser.parse("{}"), origin: ConfigOrigin(file: "DMARC.json")),
                                     publicSuffixList: PublicSuffixList(text: "com\norg\nnet\n"))
        let dkim = try DKIMHandler(config: JSONParser.parse(#"{"hide_none": 1, "check_adsp": 0}"#))
        let handlers = ([spf, dkim, dmarc] as [any Handler]).attachingPeers()
        let harness = Harness(handlers: handlers, resolver: Self.zone)
        harness.openConnection()
        let replies = harness.sendMessage(from: "<a@example.com>",
                                          headers: [("From", "User <user@ex\u{1b}[2Jample\u{9b}.com>"), ("Subject", "Hi")])
        Self.expectSafe(replies)
        let results = try #require(Self.value("Authentication-Results", in: replies))
        // ESC is no atext: with the strict parser (issue 11) the field
        // names no domain at all, so none is written.
        #expect(results.contains("dmarc=permerror (from header invalid);"))
        // A C1 control (two UTF-8 bytes, atext under RFC 6532) leaves a
        // domain that is no valid IDN (RFC 8616: no A-label to ask DNS
        // for): a permerror, and the control is a space in the value.
        let c1 = harness.sendMessage(from: "<a@example.com>",
                                     headers: [("From", "User <user@ex\u{9b}ample.com>"), ("Subject", "Hi")])
        Self.expectSafe(c1)
        let c1Results = try #require(Self.value("Authentication-Results", in: c1))
        #expect(c1Results.contains(#"dmarc=permerror (from header invalid) header.from="ex ample.com";"#))
    }

    @Test func dkimTagsThroughDKIM() throws {
        let dkim = try DKIMHandler(config: JSONParser.parse(#"{"check_adsp": 0}"#))
        let harness = Harness(handlers: [dkim], resolver: Self.zone)
        harness.openConnection()
        let signature = "v=1; a=rsa-sha256; c=relaxed/relaxed; d=ex\u{1b}ample.com; s=se\u{7}l\u{0}; "
            + "i=us\u{1b}er\u{7f}@ex\u{1b}ample.com; h=from; bh=AAAA; b=BBBB"
        let replies = harness.sendMessage(headers: [("DKIM-Signature", signature), ("From", "a@example.com")])
        Self.expectSafe(replies)
        let results = try #require(Self.value("Authentication-Results", in: replies))
        #expect(results.contains(#"header.d="ex ample.com" header.i="us er @ex ample.com""#))
        #expect(results.contains(#"header.s="se l""#))
    }

    @Test func rcptHostMacroAsAuthservID() throws {
        // With no `j`, the authserv-id is the `{rcpt_host}` macro, which
        // comes from RCPT TO.
        let spf = try SPFHandler(config: JSONParser.parse("{}"))
        let harness = Harness(handlers: [spf], resolver: Self.zone)
        harness.openConnection(j: nil)
        harness.send(.mailFrom(["<a@example.com>"]))
        let host = "ex\u{1b}ample.net\(Self.injected)"
        harness.send(.defineMacros(forCommand: UInt8(ascii: "R"), macros: [MilterMacro(name: "{rcpt_host}", value: host)]))
        harness.send(.rcptTo(["<rcpt@\(host)>"]))
        harness.send(.header(name: "From", value: "a@example.com"))
        harness.send(.endOfHeaders)
        let replies = harness.send(.endOfMessage([]))
        Self.expectSafe(replies)
        let results = try #require(Self.value("Authentication-Results", in: replies))
        #expect(results.hasPrefix("\"ex ample.net  [31mX-Injected: yes\";"))
    }

    @Test func rcptHostMacroInTheNoneHeader() throws {
        let harness = Harness(handlers: [ScriptedHandler()])
        harness.openConnection(j: nil)
        harness.send(.mailFrom(["<a@example.com>"]))
        harness.send(.defineMacros(forCommand: UInt8(ascii: "R"), macros: [MilterMacro(name: "{rcpt_host}", value: "ex\u{1b}ample.net\(Self.injected)")]))
        harness.send(.rcptTo(["<rcpt@example.net>"]))
        harness.send(.endOfHeaders)
        let replies = harness.send(.endOfMessage([]))
        Self.expectSafe(replies)
        #expect(Self.value("Authentication-Results", in: replies) == "ex ample.net  [31mX-Injected: yes; none")
    }

    @Test func removedHeaderNoteFromSanitize() throws {
        let sanitize = try SanitizeHandler(config: JSONParser.parse(#"{"hosts_to_remove": ["example.net"], "remove_headers": "yes"}"#))
        let harness = Harness(handlers: [sanitize])
        harness.openConnection()
        let replies = harness.sendMessage(headers: [
            ("Authentication-Results", "mx.example.net;\r\n\tspf=pass\u{1b}[2J\u{0}\(Self.injected)"), ("From", "a@example.org"),
        ])
        Self.expectSafe(replies)
        let note = try #require(Self.value("X-Received-Authentication-Results", in: replies))
        #expect(note.hasSuffix("mx.example.net;\n\tspf=pass [2J   [31mX-Injected: yes"))
        // Cleaned by the handler itself: the dispatcher's check had nothing to do.
        #expect(harness.dispatcher.drainLog().isEmpty)
    }
}

/// The dispatcher's last check (MilterHeaderGuard): whatever a handler
/// hands over, only the milter's folding is left among the controls, a
/// header with a bad name is not sent, and each change is logged.
@Suite struct MilterHeaderGuardTests {
    @Test func aHandlerThatLetsRawInputThrough() {
        let handler = ScriptedHandler()
        handler.onEndOfMessage = { session in
            session.prependHeader(name: "X-Raw", value: "a\nX-Injected: yes\u{0}b\r\n\tc\u{1b}[2J\td\n")
            session.appendHeader(name: "X-Bad\nName", value: "v")
            session.appendHeader(name: "X-Bad:Name", value: "v")
            session.appendHeader(name: "X-Fine", value: "folded;\n    line")
            session.appendHeader(name: "X-CRLF", value: "folded;\r\n\tline")
            session.setVerdict(.quarantine("why\n\u{1b}[2J"))
        }
        let harness = Harness(handlers: [handler], settings: .with { $0.milterQuarantine = true })
        harness.openConnection()
        let replies = harness.sendMessage()
        HeaderInjectionTests.expectSafe(replies)
        #expect(replies == [
            .insertHeader(index: 1, name: "X-Raw", value: "a X-Injected: yes b\n\tc [2J d "),
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net; none"),
            .quarantine(reason: "why  [2J"),
            .addHeader(name: "X-Fine", value: "folded;\n    line"),
            .addHeader(name: "X-CRLF", value: "folded;\n\tline"),
            .continue,
        ])
        #expect(harness.dispatcher.drainLog() == [
            "header X-Raw: control characters in the value replaced by spaces",
            "quarantine reason: control characters replaced by spaces",
            #"header "X-Bad\nName" not added: not a valid field name"#,
            #"header "X-Bad:Name" not added: not a valid field name"#,
        ])
    }

    /// The one-pass check that lets a clean value through untouched must
    /// agree with the full cleaning on every value: the edge cases, then
    /// 20,000 random values over the characters that matter.
    @Test func theFastPathAgreesWithTheFullCleaning() {
        let samples = ["", "plain", "folded;\n    line", "folded;\n\tline", "a\n", "a\nb", "a\r\n b", "tab\tinside",
                       "\n \tx", "\n x\ty", "del\u{7f}", "c1\u{85}x", "c1\u{9b}", "latin \u{a0}\u{c2}\u{9f}", "é\u{80}",
                       "\u{0}", "x\n", "\n", "\t", " \n\t\t"]
        for value in samples {
            #expect(MilterHeaderGuard.isAlreadySafe(value) == (MilterHeaderGuard.safeValue(value) == value), "\(value.debugDescription)")
        }
        let alphabet: [Unicode.Scalar] = ["a", " ", "\t", "\n", "\r", "\u{0}", "\u{7f}", "\u{80}", "\u{9f}", "\u{a0}", "\u{c2}", "é", ";"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...8, using: &generator) {
                scalars.append(alphabet.randomElement(using: &generator)!)
            }
            let value = String(scalars)
            #expect(MilterHeaderGuard.isAlreadySafe(value) == (MilterHeaderGuard.safeValue(value) == value), "\(value.debugDescription)")
        }
    }

    @Test func theQuarantineHeaderToo() {
        let handler = ScriptedHandler()
        handler.onEndOfMessage = { $0.setVerdict(.quarantine("why\nX-Injected: yes")) }
        let harness = Harness(handlers: [handler])
        harness.openConnection()
        let replies = harness.sendMessage()
        #expect(HeaderInjectionTests.value("X-Disposition-Quarantine", in: replies) == "why X-Injected: yes")
    }
}
