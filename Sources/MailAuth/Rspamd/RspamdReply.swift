/// Reading rspamd's HTTP reply to `POST /checkv2`: the status line, the
/// header up to the empty line (`Content-Length` read, chunked transfer
/// refused: rspamd does not use it for this reply), then a JSON object
/// whose `action`, `score` and `required_score` make the verdict
/// (`is_skipped` and `subject` when there).
///
/// A status other than 200 is `refused` (Perl: `RSpamD could not connect
/// to server - <status> - <reason>`), a body that is not such an object
/// is `protocolError` (Perl: `RSpamD bad data from server`); both give the
/// handler's `x-rspam=temperror`.
public enum RspamdReply: ScanReplyFormat {
    /// A `/checkv2` reply lists every rule that hit with its description:
    /// a few kilobytes, far below this.
    public static let maximumBytes = 262_144

    public static func isComplete(_ reply: [UInt8]) -> Bool {
        guard let head = Head(reply) else { return false }
        guard let length = head.contentLength else { return false }
        return reply.count - head.bodyStart >= length
    }

    public static func parse(_ reply: [UInt8]) -> RspamdScanOutcome {
        guard let head = Head(reply) else {
            return .failed(.protocolError(reply.isEmpty ? "no reply" : "the reply ends inside its HTTP header"))
        }
        guard let status = head.status else {
            return .failed(.protocolError("not an HTTP status line: \(printable(head.statusLine))"))
        }
        guard !head.isChunked else { return .failed(.protocolError("chunked transfer encoding")) }
        var body = reply[head.bodyStart...]
        if let length = head.contentLength {
            guard body.count >= length else {
                return .failed(.protocolError("the reply body has \(body.count) of its \(length) bytes"))
            }
            body = body.prefix(length)
        }
        guard status == 200 else {
            return .failed(.refused("\(printable(head.statusLine)) - \(printable(String(decoding: body.prefix(200), as: UTF8.self)))"))
        }
        let object: ShallowJSONObject
        do {
            object = try ShallowJSONObject(parsing: body)
        } catch {
            return .failed(.protocolError("bad data from server: \(error)"))
        }
        guard let action = object.string("action"), let score = object.number("score"),
              let required = object.number("required_score") else {
            return .failed(.protocolError("bad data from server: no action, score and required_score"))
        }
        return .scanned(RspamdVerdict(action: action, score: score, requiredScore: required,
                                      isSkipped: object.bool("is_skipped") ?? false, subject: object.string("subject")))
    }

    /// The HTTP header of a reply, once its empty line is in.
    struct Head {
        let statusLine: String
        let status: Int?
        let contentLength: Int?
        let isChunked: Bool
        let bodyStart: Int

        init?(_ reply: [UInt8]) {
            // The header ends at the first empty line (CRLF CRLF, or LF LF).
            var lines: [String] = []
            var start = 0
            var end: Int?
            var index = 0
            while index < reply.count {
                if reply[index] == 10 {
                    var lineEnd = index
                    if lineEnd > start && reply[lineEnd - 1] == 13 { lineEnd -= 1 }
                    if lineEnd == start {
                        end = index + 1
                        break
                    }
                    lines.append(String(decoding: reply[start..<lineEnd], as: UTF8.self))
                    start = index + 1
                }
                index += 1
            }
            guard let end, let first = lines.first else { return nil }
            statusLine = first
            let parts = first.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            if parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let code = Int(parts[1]) {
                status = code
            } else {
                status = nil
            }
            var length: Int?
            var chunked = false
            for line in lines.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
                if name == "content-length" {
                    let digits = value.prefix(while: { $0.isASCII && $0.isNumber })
                    length = digits.count <= 9 ? Int(digits) : Int.max
                } else if name == "transfer-encoding", value.lowercased().contains("chunked") {
                    chunked = true
                }
            }
            contentLength = length
            isChunked = chunked
            bodyStart = end
        }
    }

    /// What a log line may quote of rspamd's words.
    static func printable(_ text: String) -> String {
        ControlCharacters.printable(String(text.prefix(200)))
    }
}
