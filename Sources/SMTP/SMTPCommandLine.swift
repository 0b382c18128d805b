/// Checks one command line's bytes before it is parsed: UTF-8 (SMTPUTF8
/// clients send it in addresses) and no control character but tab. A NUL,
/// a bare CR or an escape in a command would otherwise reach the handlers
/// and, through them, the headers we write.
public enum SMTPCommandLine {
    /// The longest command line accepted: RFC 5321 says 512 octets; long
    /// XFORWARD lines and ESMTP parameters get room, a flood does not.
    public static let maximumBytes = 4096

    public static func text(_ bytes: ArraySlice<UInt8>) -> String? {
        for byte in bytes where byte < 0x20 && byte != 0x09 || byte == 0x7F {
            return nil
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
