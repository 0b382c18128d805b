/// Collects the header section from DATA's decoded content (CRLF lines):
/// fields until the empty line, the bytes after it handed back as the
/// start of the body. Bounded: more than `maximumBytes` of header section
/// is refused (`SMTPHeaderSection.Overflow`), so a message that is all
/// header cannot grow the worker; the body is streamed and never held.
public struct SMTPHeaderSection: Sendable {
    public struct Overflow: Error, Sendable, Equatable {}

    public let maximumBytes: Int
    public private(set) var fields: [SMTPHeaderField] = []
    public private(set) var isComplete = false
    var line: [UInt8] = []
    var total = 0

    public init(maximumBytes: Int = 1 << 20) {
        self.maximumBytes = maximumBytes
    }

    /// Takes content; returns what of it belongs to the body (empty while
    /// the header section goes on).
    public mutating func append(_ content: ArraySlice<UInt8>) throws(Overflow) -> ArraySlice<UInt8> {
        guard !isComplete else { return content }
        var index = content.startIndex
        while index < content.endIndex {
            let byte = content[index]
            index += 1
            line.append(byte)
            total += 1
            if total > maximumBytes { throw Overflow() }
            guard byte == 0x0A, line.count >= 2, line[line.count - 2] == 0x0D else { continue }
            line.removeLast(2)
            if line.isEmpty {
                isComplete = true
                return content[index...]
            }
            takeLine()
        }
        return []
    }

    /// End of DATA while still in the header section (a message with no
    /// body): what is left is a last field.
    public mutating func finish() {
        guard !isComplete else { return }
        if !line.isEmpty { takeLine() }
        isComplete = true
    }

    mutating func takeLine() {
        defer { line.removeAll(keepingCapacity: true) }
        if let first = line.first, first == 0x20 || first == 0x09, !fields.isEmpty {
            fields[fields.count - 1].raw.append(contentsOf: [0x0D, 0x0A])
            fields[fields.count - 1].raw.append(contentsOf: line)
        } else {
            fields.append(SMTPHeaderField(raw: line))
        }
    }
}
