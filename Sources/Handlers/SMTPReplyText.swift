/// Checks a handler's reject/defer text before it goes to the MTA as an
/// SMTP reply: `<class>xx <class>.x.x text` (RFC 5321 code + RFC 3463
/// enhanced status), as the Perl program insists. Anything else is replaced
/// by a fixed reply so a handler can never send the MTA a malformed line.
enum SMTPReplyText {
    static func valid(_ text: String, class wanted: Int) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10 else { return false }
        let digit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        guard bytes[0] == UInt8(0x30 + wanted), digit(bytes[1]), digit(bytes[2]), bytes[3] == 0x20 else { return false }
        guard bytes[4] == UInt8(0x30 + wanted), bytes[5] == UInt8(ascii: ".") else { return false }
        // enhanced status: class "." 1*3digit "." 1*3digit
        var index = 6
        var parts = 0
        while parts < 2 {
            let start = index
            while index < bytes.count, digit(bytes[index]) { index += 1 }
            guard index > start, index - start <= 3 else { return false }
            parts += 1
            if parts == 1 {
                guard index < bytes.count, bytes[index] == UInt8(ascii: ".") else { return false }
                index += 1
            }
        }
        guard index == bytes.count || bytes[index] == 0x20 else { return false }
        // No line breaks or NULs: one reply line.
        return !bytes.contains { $0 == 0x0a || $0 == 0x0d || $0 == 0 }
    }
}
