@testable import MailAuth

/// clamd's replies as the scanner reads them (`ClamdReply`): a name found
/// is printable ASCII without spaces, within its limit, and comes back as
/// the A-R comment unchanged unless it holds a parenthesis or backslash
/// (which the comment escapes: a name like `A)` once found this).
enum ClamdReplyTarget {
    static let target = FuzzTarget(name: "clamd-reply", run: run)

    static func run(_ input: [UInt8]) {
        guard input.count <= ClamdReply.maximumBytes else { return }
        let complete = ClamdReply.isComplete(input)
        let outcome = ClamdReply.parse(input)
        if !complete, case .scanned = outcome { fuzzCheck(false, "a verdict from a reply without its NUL") }
        guard case .scanned(.infected(let name)) = outcome else { return }
        fuzzCheck(!name.isEmpty && name.utf8.count <= ClamdReply.maximumNameBytes, "name length \(name.utf8.count)")
        fuzzCheck(name.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7f }, "name \(name.debugDescription)")
        let plain = !name.contains(where: { $0 == "(" || $0 == ")" || $0 == "\\" })
        fuzzCheck(!plain || AuthResultsComment(name).text == name, "the comment changed \(name)")
    }
}
