/// Splits received bytes into lines (CRLF or a bare LF ends one), holding
/// at most `limit` bytes of an unfinished line: a client that never sends
/// a line ending cannot grow it further (`SMTPProtocolError.lineTooLong`).
public struct SMTPLineBuffer: Sendable {
    public let limit: Int
    var bytes: [UInt8] = []
    var start = 0

    public init(limit: Int) {
        self.limit = limit
    }

    public mutating func append(_ chunk: some Collection<UInt8>) {
        if start > 0 && start == bytes.count {
            bytes.removeAll(keepingCapacity: true)
            start = 0
        }
        bytes.append(contentsOf: chunk)
    }

    /// The next whole line without its ending; nil when none is complete.
    public mutating func nextLine() throws(SMTPProtocolError) -> ArraySlice<UInt8>? {
        guard let newline = bytes[start...].firstIndex(of: 0x0A) else {
            if bytes.count - start > limit { throw .lineTooLong }
            compact()
            return nil
        }
        var end = newline
        if end > start && bytes[end - 1] == 0x0D { end -= 1 }
        guard end - start <= limit else {
            start = newline + 1
            throw .lineTooLong
        }
        let line = bytes[start..<end]
        start = newline + 1
        return line
    }

    /// What is buffered after the lines taken: the start of DATA's content
    /// when a client pipelines it behind the DATA command.
    public mutating func takeRemainder() -> [UInt8] {
        let rest = Array(bytes[start...])
        bytes.removeAll(keepingCapacity: true)
        start = 0
        return rest
    }

    public var bufferedByteCount: Int { bytes.count - start }

    mutating func compact() {
        guard start > 0 else { return }
        bytes.removeSubrange(0..<start)
        start = 0
    }
}
