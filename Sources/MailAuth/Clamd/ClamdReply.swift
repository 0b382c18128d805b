/// Reading clamd's answer to `zINSTREAM`: one line ended by NUL,
///
///     stream: OK
///     stream: Eicar-Signature FOUND
///     INSTREAM size limit exceeded. ERROR
///     stream: Can't allocate memory ERROR
///
/// `OK` is clean, `<name> FOUND` infected (the name as ClamAV::Client
/// returns it), `... ERROR` refused (Perl's client dies there: a handler
/// error), anything else a protocol error. A name with characters outside
/// printable ASCII is refused too: it is going into a header comment.
public enum ClamdReply: ScanReplyFormat {
    /// clamd's lines are short; a virus name is at most a few hundred bytes.
    public static let maximumBytes = 4096
    public static let maximumNameBytes = 256

    public static func isComplete(_ reply: [UInt8]) -> Bool {
        reply.contains(0)
    }

    public static func parse(_ reply: [UInt8]) -> ClamdScanOutcome {
        guard let end = reply.firstIndex(of: 0) else {
            return .failed(.protocolError(reply.isEmpty ? "no reply" : "the reply has no NUL end: \(printable(reply))"))
        }
        var line = Array(reply[..<end])
        while let last = line.last, last == 10 || last == 13 || last == 32 { line.removeLast() }
        let text = String(decoding: line, as: UTF8.self)
        var rest = Substring(text)
        if rest.hasPrefix("stream: ") { rest = rest.dropFirst("stream: ".count) }
        if rest == "OK" { return .scanned(.clean) }
        if rest.hasSuffix(" FOUND") {
            let name = rest.dropLast(" FOUND".count)
            guard !name.isEmpty, name.utf8.count <= maximumNameBytes,
                  name.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f }) else {
                return .failed(.protocolError("not a virus name: \(printable(line))"))
            }
            return .scanned(.infected(String(name)))
        }
        if rest.hasSuffix("ERROR") { return .failed(.refused(printable(line))) }
        return .failed(.protocolError("not a clamd reply: \(printable(line))"))
    }

    static func printable(_ bytes: [UInt8]) -> String {
        ControlCharacters.printable(String(decoding: bytes.prefix(200), as: UTF8.self))
    }
}
