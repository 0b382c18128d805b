/// Splits a whole message (bytes, CRLF or LF line ends) into its header
/// fields and the offset where the body starts. The milter never needs
/// this (the MTA hands over fields one by one); tests, tools and the
/// one-call `verify(message:)`/`sign(message:)` helpers do.
public enum MessageHeaderSplitter {
    /// The fields, with line ends made CRLF, and the index of the first
    /// body byte (`message.count` when there is no body). A header line
    /// without a colon is kept as a field whose name is the whole line and
    /// whose value is empty, so nothing is silently dropped.
    public static func split(_ message: [UInt8]) -> (fields: [MessageHeaderField], bodyStart: Int) {
        var fields: [MessageHeaderField] = []
        var current: [UInt8]? = nil
        var index = 0
        let count = message.count

        func flush() {
            guard let line = current else { return }
            if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                fields.append(MessageHeaderField(name: Array(line[..<colon]), value: Array(line[(colon + 1)...])))
            } else {
                fields.append(MessageHeaderField(name: line, value: []))
            }
            current = nil
        }

        while index < count {
            // One physical line, without its line end.
            var end = index
            while end < count && message[end] != 0x0A { end += 1 }
            var lineEnd = end
            if lineEnd > index && message[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let next = end < count ? end + 1 : count
            let line = message[index..<lineEnd]
            if line.isEmpty {
                // The empty line between header and body.
                flush()
                return (fields, next)
            }
            if line.first == 0x20 || line.first == 0x09, current != nil {
                current!.append(contentsOf: [0x0D, 0x0A])
                current!.append(contentsOf: line)
            } else {
                flush()
                current = Array(line)
            }
            index = next
        }
        flush()
        return (fields, count)
    }
}
