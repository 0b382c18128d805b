/// Outbound DATA: a "." at the start of a line doubled (RFC 5321 4.5.2),
/// on any split of the content; `terminator` ends the data, after a CRLF
/// when the content did not end with one.
public struct SMTPDotStuffer: Sendable {
    var atLineStart = true
    var lastWasCR = false

    public init() {}

    public mutating func stuff(_ content: some Collection<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count + 8)
        for byte in content {
            if atLineStart && byte == 0x2E { out.append(0x2E) }
            out.append(byte)
            atLineStart = lastWasCR && byte == 0x0A
            lastWasCR = byte == 0x0D
        }
        return out
    }

    public var terminator: [UInt8] {
        atLineStart ? Array(".\r\n".utf8) : Array("\r\n.\r\n".utf8)
    }
}
