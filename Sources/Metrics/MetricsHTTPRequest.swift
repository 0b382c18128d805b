/// One HTTP request to the metrics endpoint, read from the bytes received
/// so far: pure, so every hostile input is a unit test. Only the request
/// line counts (`GET` or `HEAD`, one of the four routes, HTTP/1.0 or 1.1);
/// header fields are skipped but must end within `maximumBytes`, so a
/// client cannot make the master buffer more.
public struct MetricsHTTPRequest: Equatable, Sendable {
    public static let maximumBytes = 8192

    public var route: MetricsRoute
    /// HEAD: the same head, no body.
    public var headOnly: Bool

    public enum Parse: Equatable, Sendable {
        /// The head has not ended yet; read more.
        case incomplete
        case request(MetricsHTTPRequest)
        /// Answer this status and close.
        case refused(MetricsHTTPStatus)
    }

    public static func parse(_ bytes: [UInt8]) -> Parse {
        guard let end = headEnd(bytes) else {
            return bytes.count >= maximumBytes ? .refused(.requestTooLarge) : .incomplete
        }
        guard end <= maximumBytes else { return .refused(.requestTooLarge) }
        var lineEnd = 0
        while lineEnd < end && bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
        var line = bytes[0..<lineEnd]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        // Printable ASCII and single spaces only: no control character, no
        // byte above 0x7E, nothing a regex-minded Perl port would let by.
        guard line.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return .refused(.badRequest) }
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else { return .refused(.badRequest) }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.0" || version == "HTTP/1.1" else { return .refused(.badRequest) }
        let method = String(decoding: parts[0], as: UTF8.self)
        guard method == "GET" || method == "HEAD" else {
            return method.isEmpty || !method.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
                ? .refused(.badRequest) : .refused(.methodNotAllowed)
        }
        var target = parts[1]
        // A query string changes nothing (a scraper may add one).
        if let question = target.firstIndex(of: UInt8(ascii: "?")) { target = target[target.startIndex..<question] }
        guard target.first == UInt8(ascii: "/") else { return .refused(.badRequest) }
        guard let route = MetricsRoute(rawValue: String(decoding: target, as: UTF8.self)) else { return .refused(.notFound) }
        return .request(MetricsHTTPRequest(route: route, headOnly: method == "HEAD"))
    }

    /// The index just past the blank line ending the head (CRLF CRLF, or
    /// LF LF from a hand-typed request), nil when it has not come yet.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        var index = 0
        let limit = min(bytes.count, maximumBytes + 4)
        while index < limit {
            if bytes[index] == UInt8(ascii: "\n") {
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n") { return index + 2 }
                if index + 2 < bytes.count && bytes[index + 1] == UInt8(ascii: "\r") && bytes[index + 2] == UInt8(ascii: "\n") {
                    return index + 3
                }
            }
            index += 1
        }
        return nil
    }
}
