#if canImport(Glibc)
import Glibc
#endif

/// The spamc protocol (`SPAMC/1.5`), as Mail::SpamAssassin::Client speaks
/// it for the Perl SpamAssassin handler (`_filter($message, 'SYMBOLS')`):
/// one request per connection, then spamd answers and closes.
///
///     SYMBOLS SPAMC/1.5\r\n
///     Content-length: <message bytes + 2>\r\n
///     User: <user>\r\n
///     \r\n
///     <message>\r\n
///
/// The client counts the CRLF it sends after the message in
/// `Content-length`, as Mail::SpamAssassin::Client does.
public enum SpamdRequest {
    public static let protocolVersion = "SPAMC/1.5"
    /// The command the Perl handler sends: the verdict and the names of the
    /// rules that hit, not the rewritten message.
    public static let symbols = "SYMBOLS"

    /// The whole request. `user` is the `User:` header (left out when nil);
    /// line breaks and other control characters in it become nothing, so
    /// it cannot add a header of its own.
    public static func encoded(command: String = symbols, user: String?, message: [UInt8]) -> [UInt8] {
        var head = "\(command) \(protocolVersion)\r\nContent-length: \(message.count + 2)\r\n"
        if let user {
            head += "User: \(String(user.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7f }))\r\n"
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes.reserveCapacity(bytes.count + message.count + 2)
        bytes.append(contentsOf: message)
        bytes.append(contentsOf: [13, 10])
        return bytes
    }
}

/// What spamd said of a message: the `Spam:` header and the body (for
/// SYMBOLS, the names of the rules that hit, comma-separated).
public struct SpamdVerdict: Sendable, Equatable {
    /// The flag as spamd wrote it (`True` or `False`), the score and the
    /// threshold as Perl reads them (`$2 + 0`), and the reply's body as
    /// sent (no line end after it for SYMBOLS).
    public var flag: String, score: Double, threshold: Double, symbols: String

    public init(flag: String, score: Double, threshold: Double, symbols: String) {
        (self.flag, self.score, self.threshold, self.symbols) = (flag, score, threshold, symbols)
    }

    /// Perl's handler: anything but `False` is spam for the headers and
    /// the entry (`isspam eq 'False' ? pass : fail`) ...
    public var isSpam: Bool { flag != "False" }
    /// ... but only `True` counts for the hard reject (`isspam eq 'True'`).
    public var isSpamForPolicy: Bool { flag == "True" }
}

/// Reading spamd's reply, as Mail::SpamAssassin::Client's `_filter` reads
/// it: the response line `SPAMD/<version> <code> <message>` (split on
/// white space, at most three parts), header lines up to an empty line
/// (`Content-length: N`, `Spam: <flag> ; <score> / <threshold>`, matched
/// anywhere in the line as its patterns are), then the body up to the end.
///
/// Stricter than the Perl client on purpose: a response line that is not
/// `SPAMD/...` with code 0, or a reply without a `Spam:` header, is an
/// error (the Perl handler would go on with an empty verdict and write
/// `x-spam=fail score=0.00 required=0.00`).
public enum SpamdReply {
    /// The most a reply may hold: a SYMBOLS reply is a header and a list of
    /// rule names, a few hundred bytes.
    public static let maximumBytes = 65536

    public static func parse(_ reply: [UInt8]) -> SpamdScanOutcome {
        var lines = ReplyLines(reply)
        guard let first = lines.next() else { return .failed(.protocolError("no response line")) }
        let parts = splitOnSpace(first, limit: 3)
        guard parts.count >= 2, parts[0].hasPrefix("SPAMD/") else {
            return .failed(.protocolError("not a spamd response line: \(printable(first))"))
        }
        guard parts[1] == "0" else {
            return .failed(.refused(printable(parts.dropFirst().joined(separator: " "))))
        }
        var verdict: (flag: String, score: Double, threshold: Double)?
        var contentLength: Int?
        var sawEnd = false
        while let line = lines.next() {
            if line.isEmpty { sawEnd = true; break }
            if let length = valueAfter("Content-length: ", in: line) {
                contentLength = Int(length.prefix(while: { $0.isASCII && $0.isNumber }))
            } else if let spam = spamHeader(line) {
                verdict = spam
            }
        }
        guard sawEnd else { return .failed(.protocolError("the reply ends inside its header")) }
        guard let verdict else { return .failed(.protocolError("no Spam: header in the reply")) }
        let body = Array(reply[lines.offset...])
        if let contentLength, body.count < contentLength {
            return .failed(.protocolError("the reply body has \(body.count) of its \(contentLength) bytes"))
        }
        return .scanned(SpamdVerdict(flag: verdict.flag, score: verdict.score, threshold: verdict.threshold,
                                     symbols: String(decoding: body, as: UTF8.self)))
    }

    /// Whether `reply` is complete before the peer closes: the header is in
    /// and the body has its `Content-length`. A reply without the header
    /// is complete only at the end of the connection.
    public static func isComplete(_ reply: [UInt8]) -> Bool {
        var lines = ReplyLines(reply)
        guard let first = lines.next(), splitOnSpace(first, limit: 3).count >= 2 else { return false }
        var contentLength: Int?
        while let line = lines.next() {
            if line.isEmpty {
                guard let contentLength else { return false }
                return reply.count - lines.offset >= contentLength
            }
            if let length = valueAfter("Content-length: ", in: line) {
                contentLength = Int(length.prefix(while: { $0.isASCII && $0.isNumber }))
            }
        }
        // An error reply is one line: complete once it has its line end.
        return splitOnSpace(first, limit: 3)[1] != "0" && lines.sawLineEnd
    }

    /// `m!Spam: (\S+) ; (\S+) / (\S+)!`, anywhere in the line.
    static func spamHeader(_ line: String) -> (flag: String, score: Double, threshold: Double)? {
        guard let rest = valueAfter("Spam: ", in: line) else { return nil }
        let words = rest.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count >= 5, !words[0].isEmpty, words[1] == ";", !words[2].isEmpty, words[3] == "/",
              let threshold = words[4].split(whereSeparator: { isSpace($0) }).first else { return nil }
        guard !words[0].contains(where: isSpace), !words[2].contains(where: isSpace) else { return nil }
        return (String(words[0]), PerlNumber.value(String(words[2])), PerlNumber.value(String(threshold)))
    }

    static func valueAfter(_ prefix: String, in line: String) -> Substring? {
        let wanted = Array(prefix.utf8)
        let bytes = line.utf8
        var start = bytes.startIndex
        while bytes.distance(from: start, to: bytes.endIndex) >= wanted.count {
            if bytes[start...].starts(with: wanted) {
                return Substring(line.utf8[bytes.index(start, offsetBy: wanted.count)...])
            }
            start = bytes.index(after: start)
        }
        return nil
    }

    static func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\u{0B}" || c == "\u{0C}" }

    /// Perl's `split(/\s+/, $line, 3)` of a line without its end.
    static func splitOnSpace(_ line: String, limit: Int) -> [String] {
        var parts: [String] = []
        var rest = Substring(line)
        while !rest.isEmpty {
            if parts.count == limit - 1 {
                parts.append(String(rest))
                break
            }
            let word = rest.prefix(while: { !isSpace($0) })
            parts.append(String(word))
            rest = rest[word.endIndex...].drop(while: isSpace)
        }
        return parts
    }

    /// What a log line may quote of spamd's words.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7f ? " " : $0 }))
    }

    /// The reply cut into lines (`\n`, a `\r` before it dropped), and where
    /// the next line starts.
    struct ReplyLines {
        let bytes: [UInt8]
        var offset = 0
        var sawLineEnd = false
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func next() -> String? {
            guard offset < bytes.count, let newline = bytes[offset...].firstIndex(of: 10) else { return nil }
            var end = newline
            if end > offset && bytes[end - 1] == 13 { end -= 1 }
            let line = String(decoding: bytes[offset..<end], as: UTF8.self)
            offset = newline + 1
            sawLineEnd = true
            return line
        }
    }
}

/// Numbers as the Perl handler sees them: `"1003.3" + 0` and
/// `sprintf('%.02f', ...)`.
public enum PerlNumber {
    /// Perl's numeric value of a string: its leading number (`strtod`), 0
    /// when there is none; a negative zero (`-0.0`, which spamd writes for a
    /// small negative score) is 0, as Perl reads it.
    public static func value(_ text: String) -> Double {
        let number = text.withCString { strtod($0, nil) }
        return number == 0 ? 0 : number
    }

    /// `sprintf('%.02f', value)`: C's rounding of the binary value.
    public static func twoDecimals(_ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, "%.2f", arguments) }
        }
        guard count > 0 && Int(count) < buffer.count else { return "0.00" }
        return String(decoding: buffer.prefix(Int(count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
