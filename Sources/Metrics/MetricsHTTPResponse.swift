/// One whole HTTP/1.0 response: the connection closes after it (one
/// request per connection), the length is given.
public struct MetricsHTTPResponse: Equatable, Sendable {
    public var status: MetricsHTTPStatus
    public var contentType: String
    public var body: [UInt8]

    public init(status: MetricsHTTPStatus, contentType: String = "text/plain; charset=utf-8", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A short text answer for a refusal ("Not Found\n").
    public init(refusal status: MetricsHTTPStatus) {
        self.init(status: status, body: Array((status.reason + "\n").utf8))
    }

    public func bytes(headOnly: Bool = false) -> [UInt8] {
        var head = "HTTP/1.0 \(status.rawValue) \(status.reason)\r\n"
        head += "Content-Type: \(contentType)\r\n"
        head += "Content-Length: \(body.count)\r\n"
        if status == .methodNotAllowed { head += "Allow: GET, HEAD\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + (headOnly ? [] : body)
    }
}
