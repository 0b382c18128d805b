/// The tables of a full-mix run, from the rounds in a results file: the
/// median of every figure over a configuration's rounds.
public enum ResultTable {
    /// One result per label (in the order labels first appear), each
    /// number the median over that label's rounds, `rounds` their count.
    public static func medians(_ rounds: [RoundResult]) -> [RoundResult] {
        var order: [String] = []
        var byLabel: [String: [RoundResult]] = [:]
        for round in rounds {
            if byLabel[round.label] == nil { order.append(round.label) }
            byLabel[round.label, default: []].append(round)
        }
        return order.map { label in
            let all = byLabel[label]!
            var merged = RoundResult(label: label, group: all[0].group, param: all[0].param)
            let keys = Set(all.flatMap(\.numbers.keys))
            for key in keys { merged.numbers[key] = Statistics.median(all.compactMap { $0.numbers[key] }) }
            merged.numbers["rounds"] = Double(all.count)
            return merged
        }
    }

    /// The configurations table (Markdown), then a line per `ratios` pair
    /// (ours, theirs): their CPU per message over ours.
    public static func configurations(_ rounds: [RoundResult], ratios: [(ours: String, theirs: String)] = []) -> String {
        let rows = medians(rounds)
        var lines = [
            "| configuration | rounds | messages/s | p50 | p99 | CPU s/1000 msgs | by role | not in the total | PSS (one process per role) | failed / mismatched |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for row in rows {
            let n = row.numbers
            let roles = row.cpuRoles.map { "\($0) \(fixed(n["cpu.\($0)"] ?? 0, 3))" }.joined(separator: ", ")
            let pss = ProcessRole.sorted(n.keys.filter { $0.hasPrefix("pss.") }.map { String($0.dropFirst(4)) })
                .map { "\($0) \(fixed((n["pss.\($0)"] ?? 0) / 1024, 1)) MiB" }.joined(separator: ", ")
            let side = n.keys.filter { $0.hasPrefix("side.") }.sorted().map { "\($0.dropFirst(5)) \(fixed(n[$0]!, 3))" }
                .joined(separator: ", ")
            lines.append("| \(row.label) | \(fixed(n["rounds"] ?? 0, 0)) | \(fixed(n["rate"] ?? 0, 0)) | "
                         + "\(fixed(n["p50"] ?? 0, 2)) ms | \(fixed(n["p99"] ?? 0, 2)) ms | \(fixed(n["cpu.total"] ?? 0, 3)) | "
                         + "\(roles) | \(side.isEmpty ? "-" : side) | \(pss.isEmpty ? "-" : pss) | \(fixed(n["failed"] ?? 0, 0)) / \(fixed(n["mismatched"] ?? 0, 0)) |")
        }
        for (ours, theirs) in ratios {
            guard let a = rows.first(where: { $0.label == ours }), let b = rows.first(where: { $0.label == theirs }),
                  let cpuA = a.numbers["cpu.total"], let cpuB = b.numbers["cpu.total"], cpuA > 0, cpuB > 0 else { continue }
            let rateA = a.numbers["rate"] ?? 0, rateB = b.numbers["rate"] ?? 0
            lines.append("")
            lines.append("\(ours) / \(theirs): CPU per message \(fixed(cpuA / cpuB, 2))× theirs "
                         + "(theirs uses \(fixed(cpuB / cpuA, 2))× ours); messages/s \(fixed(rateB > 0 ? rateA / rateB : 0, 2))× theirs")
        }
        return lines.joined(separator: "\n")
    }

    /// The scaling table (Markdown): per group (`body`, `dkim`, `arc`) in
    /// order of appearance, the rows by parameter, with the step from the
    /// row before: how much CPU grew against how much the parameter grew,
    /// and the CPU added per unit of parameter (flat when the cost is
    /// linear, rising with the parameter when it is quadratic).
    public static func scaling(_ rounds: [RoundResult]) -> String {
        let rows = medians(rounds).filter { $0.group != nil && $0.param != nil }
        var groups: [String] = []
        for row in rows where !groups.contains(row.group!) { groups.append(row.group!) }
        var lines = [
            "| parameter | value | CPU s/1000 msgs | by role | × previous step | parameter × previous | added CPU ms/msg per unit | p50 | messages/s |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for group in groups {
            let members = rows.filter { $0.group == group }.sorted { $0.param! < $1.param! }
            var previous: RoundResult?
            for row in members {
                let cpu = row.numbers["cpu.total"] ?? 0
                let roles = row.cpuRoles.map { "\($0) \(fixed(row.numbers["cpu.\($0)"] ?? 0, 3))" }.joined(separator: ", ")
                var step = "-", paramStep = "-", perUnit = "-"
                if let previous, let before = previous.numbers["cpu.total"], let from = previous.param {
                    step = before > 0 ? fixed(cpu / before, 2) : "-"
                    paramStep = from > 0 ? fixed(row.param! / from, 1) : "from 0"
                    let units = (row.param! - from) / unitSize(group)
                    perUnit = units > 0 ? fixed((cpu - before) / units, 4) : "-"
                }
                lines.append("| \(unitName(group)) | \(paramText(group, row.param!)) | \(fixed(cpu, 3)) | \(roles) | \(step) | "
                             + "\(paramStep) | \(perUnit) | \(fixed(row.numbers["p50"] ?? 0, 2)) ms | \(fixed(row.numbers["rate"] ?? 0, 0)) |")
                previous = row
            }
        }
        return lines.joined(separator: "\n")
    }

    static func unitSize(_ group: String) -> Double { group == "body" ? 1000 : 1 }

    static func unitName(_ group: String) -> String {
        switch group {
        case "body": "body size (unit 1 KB)"
        case "dkim": "DKIM signatures"
        case "arc": "ARC hops"
        default: group
        }
    }

    static func paramText(_ group: String, _ value: Double) -> String {
        guard group == "body" else { return fixed(value, 0) }
        if value >= 1_000_000 { return "\(fixed(value / 1_000_000, 0)) MB" }
        return value >= 1000 ? "\(fixed(value / 1000, 0)) KB" : "\(fixed(value, 0)) B"
    }

    /// `value` with `digits` decimals (no Foundation).
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int64((abs(value) * scale).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        let whole = scaled / Int64(scale)
        guard digits > 0 else { return sign + String(whole) }
        let fraction = String(scaled % Int64(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
    }
}
