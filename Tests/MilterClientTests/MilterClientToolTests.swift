import Milter
import MilterClient
import Testing

/// The pure parts of `authentication_milter_client`: its command line
/// (Perl's options and defaults), the message file as the milter gets it,
/// the conversation's commands and the message printed back.
@Suite struct MilterClientToolTests {
    @Test func perlsOptionsAndDefaults() throws {
        let defaults = try MilterClientToolOptions(arguments: ["--mail_file", "m.eml"])
        #expect(defaults.connectIP == "127.0.0.1" && defaults.heloHost == "localhost.example.com")
        #expect(defaults.mailFrom == "test_user@localhost.example.com" && defaults.rcptTo == "test_user@mta.example.com")
        #expect(defaults.prefix == "/etc" && defaults.connection == nil)
        let given = try MilterClientToolOptions(arguments: ["--connect_ip=192.0.2.7", "--helo_host", "mx.example.net", "--mail_file", "-",
                                                           "--connection", "unix:/run/am.sock"])
        #expect(given.connectIP == "192.0.2.7" && given.heloHost == "mx.example.net" && given.mailFile == "-")
        #expect(given.connection == "unix:/run/am.sock")
    }

    @Test func refusesWhatPerlRefusesAndMore() throws {
        #expect(throws: MilterClientToolOptions.UsageError.self) { _ = try MilterClientToolOptions(arguments: []) }
        #expect(throws: MilterClientToolOptions.UsageError(reason: "unknown option --nope")) {
            _ = try MilterClientToolOptions(arguments: ["--nope", "1", "--mail_file", "x"])
        }
        #expect(throws: MilterClientToolOptions.UsageError(reason: "--helo_host needs a value")) {
            _ = try MilterClientToolOptions(arguments: ["--mail_file", "x", "--helo_host"])
        }
        #expect(throws: MilterClientToolOptions.UsageError(reason: "--helo_host contains a NUL byte")) {
            _ = try MilterClientToolOptions(arguments: ["--mail_file", "x", "--helo_host", "a\u{0}b"])
        }
        #expect(try MilterClientToolOptions(arguments: ["--help"]).help)
    }

    @Test func aFileIsUnfoldedAsPostfixHandsItOver() {
        let file = MilterClientMailFile(parsing: Array("From: a@example.com\nSubject: one\n two\nX-Empty:\nNoColon\n\nbody line\n.dot\n".utf8))
        #expect(file.headers == [
            MilterClientHeaderField(name: "From", value: "a@example.com"),
            MilterClientHeaderField(name: "Subject", value: "one\r\n two"),
            MilterClientHeaderField(name: "X-Empty", value: ""),
            MilterClientHeaderField(name: "NoColon", value: ""),
        ])
        #expect(file.body == Array("body line\r\n.dot\r\n".utf8))
        #expect(!file.usesCRLF)
        let crlf = MilterClientMailFile(parsing: Array("A: 1\r\n\r\nx\r\n".utf8))
        #expect(crlf.usesCRLF && crlf.body == Array("x\r\n".utf8))
        let headerOnly = MilterClientMailFile(parsing: Array("A: 1\nB: 2".utf8))
        #expect(headerOnly.headers.count == 2 && headerOnly.body.isEmpty)
    }

    @Test func theMessageIsPrintedWithTheChangesInItsOwnLineEnds() {
        let file = MilterClientMailFile(parsing: Array("From: a@example.com\nSubject: one\n two\n\nbody\n".utf8))
        let changed = MilterClientToolConversation.applying([
            .insertHeader(index: 0, name: "Authentication-Results", value: " mx.example.com;\r\n    spf=pass"),
            .changeHeader(index: 1, name: "Subject", value: ""),
            .continue,
        ], to: file, leadingSpace: true)
        #expect(String(decoding: changed.rendered(), as: UTF8.self)
                == "Authentication-Results: mx.example.com;\n    spf=pass\nFrom: a@example.com\n\nbody\n")
    }

    @Test func theConversationCarriesPerlsMacrosAndTheQueueID() {
        var options = MilterClientToolOptions()
        options.connectIP = "2001:db8::1"
        options.mailFrom = "<>"
        let file = MilterClientMailFile(parsing: Array("A: 1\n\nb\n".utf8))
        let commands = MilterClientToolConversation.commands(options, mail: file, queueID: "Q1")
        #expect(commands.contains(.connect(hostname: "localhost.localdomain", family: .inet6, port: 54321, address: "2001:db8::1")))
        #expect(commands.contains(.mailFrom(["<>"])))
        #expect(commands.contains(.rcptTo(["<test_user@mta.example.com>"])))
        #expect(commands.contains(.defineMacros(forCommand: UInt8(ascii: "E"), macros: [MilterMacro(name: "i", value: "Q1")])))
        #expect(commands.last == .endOfMessage([]))
        #expect(MilterClientToolConversation.refusal(.replyCode("550 5.7.1 no")) == "550 5.7.1 no")
        #expect(MilterClientToolConversation.refusal(.continue) == nil)
    }
}
