/// Outbound DATA: a "." at the start of a line doubled (RFC 5321 4.5.2),
/// on any split of the content; `terminator` ends the data, after a CRLF
/// when the content did not end with one.
public struct SMTPDotStuffer: Sendable {
    var atLineStart = true
    var lastWasCR = false

    public init() {}

    public mutating func stuff(_ content: [UInt8]) -> [UInt8] {
        stuff(content[...])
    }

    /// Copies whole lines at a time (a profile of SMTP mode showed a byte
    /// loop over a generic collection as its largest cost).
    public mutating func stuff(_ content: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count + 8)
        var index = content.startIndex
        while index < content.endIndex {
            if atLineStart && content[index] == 0x2E { out.append(0x2E) }
            guard let newline = content[index...].firstIndex(of: 0x0A) else {
                out.append(contentsOf: content[index...])
                atLineStart = false
                break
            }
            out.append(contentsOf: content[index...newline])
            atLineStart = newline > content.startIndex ? content[newline - 1] == 0x0D : lastWasCR
            index = newline + 1
        }
        if let last = content.last { lastWasCR = last == 0x0D }
        return out
    }

    public var terminator: [UInt8] {
        atLineStart ? Array(".\r\n".utf8) : Array("\r\n.\r\n".utf8)
    }
}
