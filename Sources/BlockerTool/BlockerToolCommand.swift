/// `authentication_milter_blocker`'s command line, as Perl's App::Cmd tool
/// takes it: a command (`add`, `delete`, `list`) and `--name value` or
/// `--name=value` options; `--file` may repeat for `list`.
struct BlockerToolCommand: Equatable {
    enum Name: String { case add, delete, list }

    var name: Name
    var options: [String: [String]] = [:]
    static let knownOptions: [Name: Set<String>] = [
        .add: ["file", "id", "callback", "value", "with", "percent", "until"],
        .delete: ["file", "id"],
        .list: ["file"],
    ]

    static func parse(_ words: [String]) throws(BlockerToolError) -> BlockerToolCommand {
        guard let first = words.first else { throw BlockerToolError.usage("Must supply a command: add, delete or list") }
        guard let name = Name(rawValue: first) else { throw BlockerToolError.usage("Unrecognized command: \(first)") }
        var command = BlockerToolCommand(name: name)
        let known = knownOptions[name] ?? []
        var index = 1
        while index < words.count {
            let word = words[index]
            guard word.hasPrefix("--"), word.count > 2 else { throw BlockerToolError.usage("No args allowed") }
            var option = String(word.dropFirst(2))
            var value: String
            if let equals = option.firstIndex(of: "=") {
                value = String(option[option.index(after: equals)...])
                option = String(option[..<equals])
            } else {
                index += 1
                guard index < words.count else { throw BlockerToolError.usage("Option \(option) requires an argument") }
                value = words[index]
            }
            guard known.contains(option) else { throw BlockerToolError.usage("Unknown option: \(option)") }
            command.options[option, default: []].append(value)
            // Getopt::Long keeps the last of a single-valued option.
            if option != "file" || name != .list { command.options[option] = [value] }
            index += 1
        }
        return command
    }

    func value(_ option: String) -> String? { options[option]?.last }
}
