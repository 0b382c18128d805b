/// The rules of every file in `blocker_configs`, merged as Perl merges
/// them (one hash: a later file's rule replaces an earlier one of the same
/// id) and kept in Perl's order, `sort keys` (bytewise on the ids).
public struct BlockerRuleSet: Equatable, Sendable {
    public private(set) var rules: [BlockerRule]

    public init(_ rules: [BlockerRule] = []) {
        var byID: [String: BlockerRule] = [:]
        for rule in rules { byID[rule.id] = rule }
        self.rules = byID.values.sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
    }

    /// The rules of one parsed file and what was left out of it.
    public static func rules(in document: TOMLDocument) -> (rules: [BlockerRule], problems: [BlockerRulesError]) {
        var rules: [BlockerRule] = []
        var problems: [BlockerRulesError] = document.topLevel.entries.map { .topLevelKey(key: $0.key) }
        for table in document.tables {
            switch BlockerRule.from(table) {
            case .success(let rule):
                if BlockerCallback(rawValue: rule.callback) == nil {
                    problems.append(.unknownCallback(id: rule.id, callback: rule.callback))
                }
                rules.append(rule)
            case .failure(let problem):
                problems.append(problem)
            }
        }
        return (rules, problems)
    }

    /// The files' rules in `blocker_configs` order, later ids winning.
    public static func merging(_ files: [[BlockerRule]]) -> BlockerRuleSet {
        BlockerRuleSet(files.flatMap { $0 })
    }
}
