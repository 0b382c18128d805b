/// One SMTP reply: a three-digit code and one or more lines of text. The
/// text already holds the enhanced status code where there is one, as the
/// Perl milter writes its replies ("250 2.0.0 Ok").
public struct SMTPReply: Sendable, Equatable {
    public var code: Int
    public var lines: [String]

    public init(_ code: Int, _ lines: String...) {
        self.code = code
        self.lines = lines
    }

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// `ddd-text` for every line but the last, `ddd text` for the last,
    /// each ended by CRLF.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        for (index, line) in lines.enumerated() {
            let separator = index == lines.count - 1 ? " " : "-"
            out.append(contentsOf: Array("\(code)\(separator)\(line)\r\n".utf8))
        }
        if lines.isEmpty { out.append(contentsOf: Array("\(code) \r\n".utf8)) }
        return out
    }

    /// The reply as one line of text (the last line), for logs and for
    /// passing a downstream reply back upstream.
    public var lastLine: String {
        "\(code) \(lines.last ?? "")"
    }

    public var isPositive: Bool { (200..<400).contains(code) }
    public var isTransientFailure: Bool { (400..<500).contains(code) }
    public var isPermanentFailure: Bool { (500..<600).contains(code) }
}

extension SMTPReply {
    /// A handler's reject or defer text (`550 5.7.1 text`, the dispatcher
    /// has checked its form; lines split at CR/LF) as a reply; nil when it
    /// does not start with a 4xx or 5xx code.
    public init?(handlerReply text: String) {
        // isNewline: "\r\n" is one Character, equal to neither "\r" nor "\n".
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        guard let first = lines.first, first.utf8.count >= 3, let code = Int(first.prefix(3)), (400..<600).contains(code) else { return nil }
        self.init(code: code, lines: lines.map { String($0.dropFirst(4)) })
    }

    public static let ok = SMTPReply(250, "2.0.0 Ok")
    public static let bye = SMTPReply(221, "2.0.0 Bye")
    public static let sendBody = SMTPReply(354, "2.0.0 Send body")
    public static let unknownCommand = SMTPReply(502, "5.5.2 I don't understand")
    public static let outOfOrder = SMTPReply(503, "5.5.2 Out of Order")
    /// EHLO, HELO and LHLO after DATA: Perl answers 501 there.
    public static let greetingOutOfOrder = SMTPReply(501, "5.5.2 Out of Order")
    public static let nestedMail = SMTPReply(503, "5.5.1 Nested MAIL Command")
    public static let repeatedData = SMTPReply(503, "5.5.2 One at a time please")
    public static let pipelineLimit = SMTPReply(421, "4.3.2 Pipeline limit reached")
    /// Beyond Perl: DATA with no recipient (Perl relays and fails downstream).
    public static let noRecipients = SMTPReply(554, "5.5.1 No valid recipients")
    public static let lineTooLong = SMTPReply(500, "5.5.2 Line too long")
    public static let badCharacters = SMTPReply(501, "5.5.2 Syntax error (control character or invalid UTF-8)")
    public static let messageTooBig = SMTPReply(552, "5.3.4 Message size exceeds fixed maximum message size")
    public static let headerTooBig = SMTPReply(552, "5.3.4 Header section too large")
    public static let timeout = SMTPReply(421, "4.4.2 Timeout exceeded")
}
