@testable import MailAuth

/// clamd's replies as the scanner reads them (`ClamdReply`): a name found
/// is printable ASCII without spaces, within its limit, and comes back as
/// the A-R comment unchanged.
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
        fuzzCheck(AuthResultsComment(name).text == name, "the comment changed \(name)")
    }
}
