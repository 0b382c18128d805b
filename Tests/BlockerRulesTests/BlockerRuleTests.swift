import BlockerRules
import Testing

/// Rules as Perl's Blocker reads and applies them.
@Suite struct BlockerRuleTests {
    static func book(_ rules: [BlockerRule]) -> BlockerRuleBook { BlockerRuleBook(BlockerRuleSet(rules)) }

    @Test func aMatchingRuleRejectsDefersOrIsInvalidByItsWith() {
        let book = Self.book([
            BlockerRule(id: "a", callback: "connect", value: "^192\\.0\\.2\\.", with: "550 5.7.1 go away", percent: 100),
            BlockerRule(id: "b", callback: "connect", value: "2\\.1$", with: "451 4.7.28 flood", percent: 100),
            BlockerRule(id: "c", callback: "connect", value: "192", with: "250 ok", percent: 100),
            BlockerRule(id: "d", callback: "helo", value: "192", with: "550 5.0.0 x", percent: 100),
            BlockerRule(id: "e", callback: "connect", value: "^10\\.", with: "550 5.0.0 x", percent: 100),
        ])
        #expect(book.decisions(.connect, text: "192.0.2.1", now: 0, random: { 0 }) == [
            .reject(id: "a", with: "550 5.7.1 go away"),
            .defer(id: "b", with: "451 4.7.28 flood"),
            .invalid(id: "c", with: "250 ok"),
        ])
    }

    /// Perl: `rand(100) > percent` samples the match out; 100 never does.
    @Test func percentSamplesMatchesOut() {
        let book = Self.book([BlockerRule(id: "half", callback: "envfrom", value: "spam", with: "550 5.7.1 no", percent: 50)])
        #expect(book.decisions(.envfrom, text: "<spam@x>", now: 0, random: { 50.0001 }) == [.sampledOut(id: "half")])
        #expect(book.decisions(.envfrom, text: "<spam@x>", now: 0, random: { 50 }) == [.reject(id: "half", with: "550 5.7.1 no")])
        let always = Self.book([BlockerRule(id: "all", callback: "envfrom", value: "spam", with: "550 5.7.1 no", percent: 100)])
        #expect(always.decisions(.envfrom, text: "<spam@x>", now: 0, random: { 99.9999 }) == [.reject(id: "all", with: "550 5.7.1 no")])
    }

    /// `until` in the past: the rule is ignored; 0: never expires.
    @Test func untilExpiresARule() {
        let book = Self.book([
            BlockerRule(id: "old", callback: "helo", value: "x", with: "550 5.7.1 no", percent: 100, until: 1000),
            BlockerRule(id: "open", callback: "helo", value: "x", with: "550 5.7.1 no", percent: 100, until: 0),
        ])
        #expect(book.decisions(.helo, text: "x", now: 1000, random: { 0 }).count == 2)
        #expect(book.decisions(.helo, text: "x", now: 1000.5, random: { 0 }) == [.reject(id: "open", with: "550 5.7.1 no")])
    }

    @Test func valuesArePerlRegexesMatchedAnywhere() throws {
        let pattern = try BlockerPattern("(?i)^subject: .*\\bviagra\\b")
        #expect(pattern.matches("Subject: buy VIAGRA now"))
        #expect(!pattern.matches("X-Subject: viagra"))
        #expect(try BlockerPattern("\\d{3}").matches("abc123"))
        #expect(BlockerPattern.compileError("(unclosed") != nil)
    }

    @Test func theTablesOfAFileBecomeRulesAndWhatIsLeftOutIsSaid() throws {
        let document = try TOMLParser.parse("""
            stray = 1
            [ok]
            callback = "connect"
            value = "x"
            with = "550 5.7.1 no"
            percent = "50"
            until = 12
            [nocallback]
            value = "x"
            with = "550 5.7.1 no"
            [badregex]
            callback = "helo"
            value = "(x"
            with = "550 5.7.1 no"
            [wrongstage]
            callback = "data"
            value = "x"
            with = "550 5.7.1 no"
            """)
        let (rules, problems) = BlockerRuleSet.rules(in: document)
        #expect(rules.map(\.id) == ["ok", "wrongstage"])
        #expect(rules[0] == BlockerRule(id: "ok", callback: "connect", value: "x", with: "550 5.7.1 no", percent: 50, until: 12))
        // No percent: Perl's undef is 0.
        #expect(rules[1].percent == 0)
        #expect(problems.count == 4)
        #expect(problems[0] == .topLevelKey(key: "stray"))
        #expect(problems.map(\.code) == [.topLevelKey, .missingKey, .invalidRegex, .unknownCallback])
        #expect(problems[1] == .missing(id: "nocallback", key: "callback"))
        #expect(problems[2].code == .invalidRegex)
        #expect(problems[2].reason.hasPrefix("rule [badregex]: value '(x' is not a regex"))
        #expect(problems[3] == .unknownCallback(id: "wrongstage", callback: "data"))
    }

    /// Perl merges the files into one hash: a later file's id wins; the
    /// rules are then in `sort keys` order.
    @Test func filesMergeLaterIDsWinningSortedBytewise() {
        let first = [BlockerRule(id: "b", callback: "helo", value: "1", with: "550 5.0.0 a", percent: 1),
                     BlockerRule(id: "a", callback: "helo", value: "1", with: "550 5.0.0 a", percent: 1)]
        let second = [BlockerRule(id: "b", callback: "helo", value: "2", with: "451 4.0.0 b", percent: 2),
                      BlockerRule(id: "B", callback: "helo", value: "3", with: "451 4.0.0 b", percent: 3)]
        let set = BlockerRuleSet.merging([first, second])
        #expect(set.rules.map(\.id) == ["B", "a", "b"])
        #expect(set.rules[2].value == "2")
    }
}
