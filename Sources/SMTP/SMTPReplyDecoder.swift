/// Reads an SMTP server's replies: `ddd-text` lines up to a final
/// `ddd text` (or a bare `ddd`), bounded in line length and count. SMTP
/// mode's relay and the report and error mail client (DMARCReports'
/// `SMTPClient`) both read replies with it.
public struct SMTPReplyDecoder: Sendable {
    public static let maximumLines = 100
    public static let maximumLineBytes = 2048
    public let maximumLines: Int
    var lines: SMTPLineBuffer
    var pending: [String] = []
    var pendingCode = 0

    public init(maximumLines: Int = SMTPReplyDecoder.maximumLines, maximumLineBytes: Int = SMTPReplyDecoder.maximumLineBytes) {
        self.maximumLines = maximumLines
        lines = SMTPLineBuffer(limit: maximumLineBytes)
    }

    public mutating func append(_ chunk: some Collection<UInt8>) {
        lines.append(chunk)
    }

    /// The next complete reply, nil while one is incomplete.
    public mutating func nextReply() throws(SMTPProtocolError) -> SMTPReply? {
        while let raw = try lines.nextLine() {
            let text = String(decoding: raw, as: UTF8.self)
            let bytes = Array(raw)
            // RFC 5321 4.2: the first digit is 2 to 5, the others 0 to 9.
            guard bytes.count >= 3, (0x32...0x35).contains(bytes[0]), bytes[1...2].allSatisfy({ (0x30...0x39).contains($0) }),
                  bytes.count == 3 || bytes[3] == 0x20 || bytes[3] == 0x2D else {
                throw .malformedReply(String(text.prefix(80)))
            }
            let code = Int(text.prefix(3))!
            if !pending.isEmpty && code != pendingCode { throw .mixedCodes(first: pendingCode, then: code) }
            pendingCode = code
            let rest = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
            pending.append(rest)
            if pending.count > maximumLines { throw .tooManyReplyLines }
            if bytes.count == 3 || bytes[3] == 0x20 {
                defer { pending = [] }
                return SMTPReply(code: code, lines: pending)
            }
        }
        return nil
    }
}
