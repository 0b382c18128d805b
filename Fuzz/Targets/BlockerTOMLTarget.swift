import BlockerRules

/// Blocker rule files as the master reads them (`TOMLParser`): any bytes
/// parse or are refused with a position inside the input; what parses is
/// written back by `TOMLWriter` and reads back the same; its rules encode
/// for the workers and decode the same.
enum BlockerTOMLTarget {
    static let target = FuzzTarget(name: "blocker-toml", run: run)

    static func run(_ input: [UInt8]) {
        guard input.count <= 64 * 1024 else { return }
        let document: TOMLDocument
        do {
            document = try TOMLParser.parse(input)
        } catch {
            let lines = input.filter { $0 == 0x0a }.count + 1
            fuzzCheck(error.code == .syntax, "a parse refusal with code \(error.code)")
            let line = error.line ?? 0, column = error.column ?? 0
            fuzzCheck(line >= 1 && line <= lines, "error line \(line) outside 1...\(lines)")
            fuzzCheck(column >= 1 && column <= input.count + 1, "error column \(column)")
            return
        }
        let text = TOMLWriter.render(document)
        guard let again = try? TOMLParser.parse(text) else {
            fuzzCheck(false, "the writer's text does not parse: \(text)")
            return
        }
        fuzzCheck(again == document, "round trip changed the document: \(text)")
        let set = BlockerRuleSet.merging([BlockerRuleSet.rules(in: document).rules])
        if let bytes = try? BlockerRuleWire.encode(set) {
            fuzzCheck((try? BlockerRuleWire.decode(bytes)) == set, "wire round trip changed the rules")
        }
    }
}
