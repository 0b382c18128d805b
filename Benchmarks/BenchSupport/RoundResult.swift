/// The figures of one load round, one line of a results file: tab-separated
/// `key=value`, `label` (the configuration: `full`, `addid`, `peers`),
/// optionally `group` and `param` (the scaling runs: `body` and the body
/// size), then numbers: `messages` (answered), `failed`, `mismatched`,
/// `rate` (messages/s), `p50` and `p99` (ms), `cpu.<role>` and
/// `cpu.total` (CPU seconds per 1,000 messages), `pss.<role>` (KiB).
public struct RoundResult: Sendable, Hashable {
    public var label: String
    public var group: String?
    public var param: Double?
    public var numbers: [String: Double]

    public init(label: String, group: String? = nil, param: Double? = nil, numbers: [String: Double] = [:]) {
        self.label = label
        self.group = group
        self.param = param
        self.numbers = numbers
    }

    public var line: String {
        var fields = ["label=\(label)"]
        if let group { fields.append("group=\(group)") }
        if let param { fields.append("param=\(param)") }
        for key in numbers.keys.sorted() { fields.append("\(key)=\(numbers[key]!)") }
        return fields.joined(separator: "\t")
    }

    public init?(line: some StringProtocol) {
        var label: String?
        var group: String?
        var param: Double?
        var numbers: [String: Double] = [:]
        for field in String(line).split(separator: "\t") {
            let pair = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { return nil }
            switch pair[0] {
            case "label": label = pair[1]
            case "group": group = pair[1]
            case "param":
                guard let value = Double(pair[1]) else { return nil }
                param = value
            default:
                guard let value = Double(pair[1]) else { return nil }
                numbers[pair[0]] = value
            }
        }
        guard let label else { return nil }
        self.init(label: label, group: group, param: param, numbers: numbers)
    }

    /// Lines of a results file; blank lines and lines starting with `#` skipped.
    public static func parse(file text: String) -> [RoundResult] {
        text.split(separator: "\n").filter { !$0.isEmpty && !$0.hasPrefix("#") }.compactMap { RoundResult(line: $0) }
    }

    /// The roles with a `cpu.<role>` figure (not `total`), in print order.
    public var cpuRoles: [String] {
        ProcessRole.sorted(numbers.keys.filter { $0.hasPrefix("cpu.") && $0 != "cpu.total" }.map { String($0.dropFirst(4)) })
    }
}
