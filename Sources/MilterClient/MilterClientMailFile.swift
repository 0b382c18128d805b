/// A message file (.eml, RFC 5322 with LF or CRLF line ends) as the
/// client tool sends it to a milter: the header fields, unfolded as
/// Postfix hands them over (continuation lines kept with CRLF, the one
/// space after the colon dropped), and the body with CRLF line ends, as
/// Postfix sends it (a DKIM body hash depends on it). Also how the message
/// is printed back with a milter's changes applied. Pure value code.
public struct MilterClientMailFile: Sendable, Equatable {
    public var headers: [MilterClientHeaderField]
    /// The body as the file has it (what is printed back).
    public var fileBody: [UInt8]
    /// The body with CRLF line ends (what the milter gets).
    public var body: [UInt8] { Self.crlfLines(fileBody[...]) }
    /// Whether the file used CRLF line ends (the output keeps its style).
    public var usesCRLF: Bool

    /// The largest file the tool reads.
    public static let maximumBytes = 64 << 20

    public init(headers: [MilterClientHeaderField], fileBody: [UInt8], usesCRLF: Bool) {
        self.headers = headers
        self.fileBody = fileBody
        self.usesCRLF = usesCRLF
    }

    /// Splits `bytes` at the first empty line. A line starting with white
    /// space continues the field before it; a header line without a colon
    /// is a field with that name and an empty value, as Perl's client
    /// reads it. A leading "." is not unstuffed: a file is not SMTP DATA.
    public init(parsing bytes: [UInt8]) {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var crlf = false
        var bodyStart = bytes.count
        var index = 0
        while index < bytes.count {
            guard bytes[index] == 0x0A else { index += 1; continue }
            var end = index
            if end > start && bytes[end - 1] == 0x0D { end -= 1; crlf = true }
            if end == start { bodyStart = index + 1; break }
            lines.append(bytes[start..<end])
            index += 1
            start = index
        }
        if index >= bytes.count && start < bytes.count && bodyStart == bytes.count {
            // A file that ends inside its header: the last line is a field.
            lines.append(bytes[start...])
        }
        var fields: [MilterClientHeaderField] = []
        for line in lines {
            if let first = line.first, first == 0x20 || first == 0x09, !fields.isEmpty {
                fields[fields.count - 1].value += "\r\n" + String(decoding: line, as: UTF8.self)
                continue
            }
            let text = String(decoding: line, as: UTF8.self)
            if let colon = text.firstIndex(of: ":") {
                var value = text[text.index(after: colon)...]
                if value.first == " " { value = value.dropFirst() }
                fields.append(MilterClientHeaderField(name: String(text[..<colon]), value: String(value)))
            } else {
                fields.append(MilterClientHeaderField(name: text, value: ""))
            }
        }
        self.headers = fields
        self.fileBody = Array(bytes[min(bodyStart, bytes.count)...])
        self.usesCRLF = crlf
    }

    /// `bytes` with every bare LF made CRLF (CRLF left as it is).
    static func crlfLines(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 0x0A && previous != 0x0D { out.append(0x0D) }
            out.append(byte)
            previous = byte
        }
        return out
    }

    /// The message as a file again, in the input's line-end style: the
    /// fields as `Name: value`, an empty line, the body.
    public func rendered() -> [UInt8] {
        let newline: [UInt8] = usesCRLF ? [0x0D, 0x0A] : [0x0A]
        var out: [UInt8] = []
        for field in headers {
            var line = Array(field.name.utf8) + Array(": ".utf8) + Array(field.value.utf8)
            if !usesCRLF { line = line.filter { $0 != 0x0D } }
            out += line + newline
        }
        out += newline
        out += fileBody
        return out
    }
}

/// One header field of a message file.
public struct MilterClientHeaderField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
