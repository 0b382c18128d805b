/// A header value as the Perl milter's handlers see it: its protocol code
/// strips leading white space (`s/^\s+//`, line breaks included) from
/// every value before any handler is called. The MTA already leaves out
/// the single space after the colon; what remains is white space a sender
/// put there (a field folded right after its colon arrives as
/// `\n mx.example.net; ...`).
enum PerlHeaderValue {
    /// Perl's `\s`: space, tab, LF, CR, form feed, vertical tab.
    static func isWhiteSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// The value without its leading white space.
    static func text(_ value: String) -> String {
        let bytes = value.utf8
        let start = bytes.firstIndex { !isWhiteSpace($0) } ?? bytes.endIndex
        return String(value[start...])
    }

    /// The number of bytes of the value without its leading white space.
    static func byteCount(_ value: some Collection<UInt8>) -> Int {
        value.count - value.prefix { isWhiteSpace($0) }.count
    }
}
