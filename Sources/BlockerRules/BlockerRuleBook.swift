/// A worker's rule set, each `value` compiled once when the set arrives
/// from the master, ready to test the text of each milter stage.
public struct BlockerRuleBook {
    public struct Entry {
        public let rule: BlockerRule
        public let callback: BlockerCallback?
        public let pattern: BlockerPattern?
    }

    public let entries: [Entry]
    /// Rules whose regex did not compile here (the master checked them, so
    /// only a master and worker of different builds could disagree).
    public let uncompiled: [String]

    public init(_ set: BlockerRuleSet) {
        var entries: [Entry] = []
        var uncompiled: [String] = []
        for rule in set.rules {
            let pattern = try? BlockerPattern(rule.value)
            if pattern == nil { uncompiled.append(rule.id) }
            entries.append(Entry(rule: rule, callback: BlockerCallback(rawValue: rule.callback), pattern: pattern))
        }
        self.entries = entries
        self.uncompiled = uncompiled
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Every rule of `callback` in force at `now` whose regex matches
    /// `text`, in id order, with what it asks for. `random` gives Perl's
    /// `rand(100)`: a number in 0..<100.
    public func decisions(_ callback: BlockerCallback, text: String, now: Double, random: () -> Double) -> [BlockerDecision] {
        var found: [BlockerDecision] = []
        for entry in entries where entry.callback == callback {
            let rule = entry.rule
            if rule.until != 0 && Double(rule.until) < now { continue }
            guard let pattern = entry.pattern, pattern.matches(text) else { continue }
            if random() > rule.percent {
                found.append(.sampledOut(id: rule.id))
            } else if rule.with.hasPrefix("5") {
                found.append(.reject(id: rule.id, with: rule.with))
            } else if rule.with.hasPrefix("4") {
                found.append(.defer(id: rule.id, with: rule.with))
            } else {
                found.append(.invalid(id: rule.id, with: rule.with))
            }
        }
        return found
    }
}
