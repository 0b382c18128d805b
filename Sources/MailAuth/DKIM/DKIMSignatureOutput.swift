/// A DKIM-Signature field made by `DKIMSigner`, ready to be prepended to
/// the message.
public struct DKIMSignatureOutput: Sendable, Hashable {
    public static let name = "DKIM-Signature"

    /// The field value as it was signed: no leading space, folded with
    /// CRLF + TAB. `DKIM-Signature: ` + this + CRLF is the field on the
    /// wire.
    public let value: String

    /// The value with another line end (a milter passes `"\n"`; the MTA
    /// writes CRLF, which is what was signed).
    public func value(lineEnding: String) -> String {
        lineEnding == "\r\n" ? value : value.split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: lineEnding)
    }

    /// The field, as the verifier sees it.
    public var field: MessageHeaderField {
        MessageHeaderField(name: Self.name, value: " " + value)
    }

    /// `DKIM-Signature: …` with its final CRLF, to put before a message.
    public var headerBytes: [UInt8] {
        field.raw + [0x0D, 0x0A]
    }
}
