/// The one error of `authentication_milter_blocker`: a command line it
/// does not take (`usage`, answered with the usage text) or a rule it
/// refuses to write (`refused`), each with Perl's tool's words.
struct BlockerToolError: Error, Equatable, CustomStringConvertible {
    enum Code: String, Hashable, Sendable {
        case usage
        case refused
    }

    let code: Code
    let message: String

    var description: String { message }

    static func usage(_ message: String) -> BlockerToolError { BlockerToolError(code: .usage, message: message) }
    static func refused(_ message: String) -> BlockerToolError { BlockerToolError(code: .refused, message: message) }
}
