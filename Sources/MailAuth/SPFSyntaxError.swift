/// Why a record, term or macro string was refused. Every syntax error is a
/// `permerror` (RFC 7208 section 4.6); the message is what the result text
/// and the `Received-SPF` comment say, worded like Mail::SPF's.
public struct SPFSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
