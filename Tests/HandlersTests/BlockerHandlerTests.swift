import BlockerRules
@testable import Handlers
import MailAuth
import Milter
import Config
import IPC
import JSON
import Testing

/// Blocker (issue 13): the operator's rules reject or defer at the stage
/// they name, with their own reply, as Perl's handler does.
@Suite struct BlockerHandlerTests {
    final class Lines { var all: [String] = [] }

    static func harness(_ rules: [BlockerRule], random: Double = 0) -> (Harness, Lines) {
        let blocker = BlockerHandler(files: [], clock: { 2_000_000_000 }, random: { random })
        let harness = Harness(handlers: [blocker])
        harness.session.blockerRules = BlockerRuleBook(BlockerRuleSet(rules))
        let lines = Lines()
        harness.session.logSink = { level, text in lines.all.append("\(level.rawValue) \(text)") }
        return (harness, lines)
    }

    @Test func aConnectRuleRejectsTheConnectionWithItsReply() {
        let (harness, lines) = Self.harness([BlockerRule(id: "flood", callback: "connect", value: "^192\\.0\\.2\\.1$",
                                                         with: "550 5.7.28 flood policy violation", percent: 100)])
        harness.send(.optionNegotiation(version: 6, actions: .all, steps: .all))
        let replies = harness.send(.connect(hostname: "h", family: .inet, port: 1, address: "192.0.2.1"))
        #expect(replies == [.replyCode("550 5.7.28 flood policy violation")])
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "QID1")]))
        // Written with the first queue id, as Perl's dbgout lines are.
        harness.session.writePendingLogLines()
        #expect(lines.all == ["info QID1: Blocker: reject flood"])
    }

    @Test func aRecipientRuleDefersThatRecipientOnly() {
        let (harness, _) = Self.harness([BlockerRule(id: "slow", callback: "envrcpt", value: "^<victim@",
                                                     with: "451 4.7.1 try later", percent: 100)])
        harness.openConnection()
        harness.send(.mailFrom(["<a@b.example>"]))
        #expect(harness.send(.rcptTo(["<victim@example.net>"])) == [.replyCode("451 4.7.1 try later")])
        #expect(harness.send(.rcptTo(["<other@example.net>"])) == [.continue])
    }

    /// `header` matches `Name: value`; the reply waits for the end of the
    /// message (the MTA does not wait on headers).
    @Test func aHeaderRuleMatchesNameColonValue() {
        let (harness, _) = Self.harness([BlockerRule(id: "subj", callback: "header", value: "^Subject: .*casino",
                                                     with: "550 5.7.1 no casinos", percent: 100)])
        harness.openConnection()
        let replies = harness.sendMessage(headers: [("From", "a@b.example"), ("Subject", "Big casino win")])
        #expect(replies == [.replyCode("550 5.7.1 no casinos")])
    }

    @Test func sampledOutMatchesOnlyLog() {
        let (harness, lines) = Self.harness([BlockerRule(id: "some", callback: "helo", value: "example",
                                                         with: "550 5.7.1 no", percent: 10)], random: 10.5)
        harness.openConnection()
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "Q")]))
        #expect(harness.send(.mailFrom(["<a@b.example>"])) == [.continue])
        harness.session.writePendingLogLines()
        #expect(lines.all == ["info Q: Blocker: sampled_out some"])
    }

    /// Perl's `reject_mail` keeps the last reply of a stage; a reject
    /// outranks a defer; a reply not in `5xx 5.x.x` form is replaced.
    @Test func theLastMatchingRejectOfAStageIsSent() {
        let (harness, lines) = Self.harness([
            BlockerRule(id: "a", callback: "envfrom", value: "x", with: "550 5.7.1 first", percent: 100),
            BlockerRule(id: "b", callback: "envfrom", value: "x", with: "451 4.7.1 deferred", percent: 100),
            BlockerRule(id: "c", callback: "envfrom", value: "x", with: "554 5.7.1 last", percent: 100),
            BlockerRule(id: "d", callback: "envfrom", value: "x", with: "hello", percent: 100),
        ])
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<x@b.example>"])) == [.replyCode("554 5.7.1 last")])
        #expect(lines.all.contains("error Invalid blocker entry with hello"))
        let (bad, _) = Self.harness([BlockerRule(id: "a", callback: "envfrom", value: "x", with: "5 not a reply\r\n", percent: 100)])
        bad.openConnection()
        #expect(bad.send(.mailFrom(["<x@b.example>"])) == [.replyCode("550 5.0.0 Message rejected")])
    }

    @Test func withoutRulesNothingHappens() {
        let blocker = BlockerHandler(files: [], clock: { 0 }, random: { 0 })
        let harness = Harness(handlers: [blocker])
        harness.openConnection()
        #expect(harness.send(.mailFrom(["<x@b.example>"])) == [.continue])
    }

    /// Perl matches `connect` rules against Net::IP's `ip`: IPv6 in full.
    @Test func theConnectTextIsNetIPsFullForm() {
        #expect(BlockerHandler.perlIPText("2001:db8::25") == "2001:0db8:0000:0000:0000:0000:0000:0025")
        #expect(BlockerHandler.perlIPText("[IPv6:::ffff:192.0.2.1]") == "0000:0000:0000:0000:0000:ffff:c000:0201")
        #expect(BlockerHandler.perlIPText("192.0.2.1") == "192.0.2.1")
        #expect(BlockerHandler.perlIPText("") == "")
    }

    @Test func configurationAndHelp() throws {
        #expect(try BlockerHandler(config: .object(JSONObject())).files == ["/tmpfs/authmilter-blocker.toml"])
        #expect(try BlockerHandler(config: ["blocker_configs": ["/a.toml", "/b.toml"]]).files == ["/a.toml", "/b.toml"])
        #expect(throws: ConfigurationError.self) { try BlockerHandler(config: ["blocker_configs": "/a.toml"]) }
        #expect(BlockerHandler.defaultConfigJSON == "{\n   \"blocker_configs\" : [\n      \"/tmpfs/authmilter-blocker.toml\"\n   ]\n}")
        #expect(HandlerRegistry.installedNames.contains("Blocker"))
        // The worker's limit for the message is the rules' own.
        #expect(MasterToWorker.maximumBlockerRulesBytes == BlockerRuleWire.maximumBytes)
    }
}
