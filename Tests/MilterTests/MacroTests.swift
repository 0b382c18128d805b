import Testing

@testable import Milter

struct MacroTests {
    @Test(arguments: [
        ("j", "j"), ("{j}", "j"), ("{daemon_name}", "daemon_name"), ("_", "_"),
        ("{}", "{}"), ("{", "{"), ("}", "}"), ("{x", "{x"), ("", ""),
    ])
    func canonicalNameDropsBracesOnly(name: String, canonical: String) {
        #expect(MilterMacro.canonicalName(name) == canonical)
    }

    @Test func bracedAndBareNamesAreTheSame() {
        let macros = MilterMacros([
            MilterMacro(name: "j", value: "mx.example.com"),
            MilterMacro(name: "{daemon_name}", value: "smtpd"),
        ])
        #expect(macros["j"] == "mx.example.com")
        #expect(macros["{j}"] == "mx.example.com")
        #expect(macros["daemon_name"] == "smtpd")
        #expect(macros["{daemon_name}"] == "smtpd")
        #expect(macros["i"] == nil)
        #expect(macros.count == 2)
    }

    @Test func laterDefinitionsWin() {
        var macros = MilterMacros([MilterMacro(name: "{i}", value: "OLD")])
        macros.merge([MilterMacro(name: "i", value: "NEW"), MilterMacro(name: "{auth_type}", value: "PLAIN")])
        #expect(macros["i"] == "NEW")
        #expect(macros.count == 2)
        var other = MilterMacros()
        other.merge(MilterMacros([MilterMacro(name: "auth_type", value: "LOGIN")]))
        macros.merge(other)
        #expect(macros["{auth_type}"] == "LOGIN")
        #expect(macros.merging([MilterMacro(name: "x", value: "1")])["x"] == "1")
        #expect(macros["x"] == nil)
    }

    @Test func emptyValueIsStillDefined() {
        let macros = MilterMacros([MilterMacro(name: "{auth_authen}", value: "")])
        #expect(macros["auth_authen"] == "")
        #expect(MilterMacros().isEmpty)
    }

    @Test func laterStageWinsAndEarlierStageForgetsLaterOnes() {
        var stages = MilterMacroStages()
        let C = UInt8(ascii: "C"), M = UInt8(ascii: "M"), R = UInt8(ascii: "R"), E = UInt8(ascii: "E")
        stages.define([MilterMacro(name: "j", value: "mx"), MilterMacro(name: "{x}", value: "connect")], forCommand: C)
        stages.define([MilterMacro(name: "{mail_addr}", value: "a@example.com")], forCommand: M)
        stages.define([MilterMacro(name: "{rcpt_addr}", value: "b@example.org")], forCommand: R)
        stages.define([MilterMacro(name: "i", value: "QUEUE1"), MilterMacro(name: "x", value: "eom")], forCommand: E)
        #expect(stages["{j}"] == "mx")
        #expect(stages["x"] == "eom")
        #expect(stages["i"] == "QUEUE1")
        #expect(stages.merged["x"] == "eom")

        // Next message on the same connection: Postfix sends an empty D for M.
        stages.define([], forCommand: M)
        #expect(stages["j"] == "mx")
        #expect(stages["x"] == "connect")
        #expect(stages["rcpt_addr"] == nil)
        #expect(stages["i"] == nil)
        #expect(stages["mail_addr"] == nil)
    }

    @Test func abortForgetsTheMessageAndQuitNewConnectionEverything() {
        var stages = MilterMacroStages()
        stages.define([MilterMacro(name: "j", value: "mx")], forCommand: UInt8(ascii: "C"))
        stages.define([MilterMacro(name: "{tls_version}", value: "TLSv1.3")], forCommand: UInt8(ascii: "H"))
        stages.define([MilterMacro(name: "{mail_addr}", value: "a@b")], forCommand: UInt8(ascii: "M"))
        stages.forgetMessage()
        #expect(stages["mail_addr"] == nil)
        #expect(stages["tls_version"] == "TLSv1.3")
        stages.forgetAll()
        #expect(stages["j"] == nil)
        #expect(stages == MilterMacroStages())
    }

    @Test func macrosForOtherCommandsAreSearchedLast() {
        var stages = MilterMacroStages()
        stages.define([MilterMacro(name: "a", value: "unknown"), MilterMacro(name: "b", value: "u")], forCommand: UInt8(ascii: "U"))
        stages.define([MilterMacro(name: "a", value: "helo")], forCommand: UInt8(ascii: "H"))
        #expect(stages["a"] == "helo")
        #expect(stages["b"] == "u")
        #expect(stages.merged["a"] == "helo")
        stages.define([], forCommand: UInt8(ascii: "C"))
        #expect(stages["b"] == "u")
    }
}
