/// What the RSpamD handler tells rspamd about a message besides the message
/// itself, the HTTP header fields Perl's handler sends with it
/// (`Deliver-To`, `IP`, `Helo`, `From`, `Queue-Id`, one `Rcpt` per
/// recipient, `User`). Every value came from the SMTP client: each is cut
/// to `maximumFieldBytes` here and cleaned of control characters when the
/// request is written, so none can end a header line.
public struct RspamdRequestFields: Sendable, Equatable {
    /// The longest value kept, and the most recipients kept.
    public static let maximumFieldBytes = 1024
    public static let maximumRecipients = 1000

    public var deliverTo: String
    public var ip: String
    public var helo: String
    public var from: String
    public var queueID: String
    public var recipients: [String]
    /// The SMTP AUTH name, `unauthorized` without one (Perl's `get_auth_name`).
    public var user: String

    public init(deliverTo: String, ip: String, helo: String, from: String, queueID: String, recipients: [String], user: String) {
        self.deliverTo = Self.bounded(deliverTo)
        self.ip = Self.bounded(ip)
        self.helo = Self.bounded(helo)
        self.from = Self.bounded(from)
        self.queueID = Self.bounded(queueID)
        self.recipients = recipients.prefix(Self.maximumRecipients).map(Self.bounded)
        self.user = Self.bounded(user)
    }

    static func bounded(_ text: String) -> String {
        text.utf8.count <= maximumFieldBytes ? text : String(decoding: text.utf8.prefix(maximumFieldBytes), as: UTF8.self)
    }
}

/// The HTTP request for rspamd's normal worker: `POST /checkv2`, the
/// fields above as header lines (`Pass: all`, as Perl's handler, so every
/// rule runs), the message as the body, `Connection: close` (one request
/// per connection, as Perl's `keep_alive => 0`).
///
///     POST /checkv2 HTTP/1.1
///     Host: localhost:11333
///     Connection: close
///     Content-Length: 1234
///     Deliver-To: nobody
///     IP: 192.0.2.1
///     ...
///
/// Perl posts to the legacy `/check`; `/checkv2` is the endpoint rspamd
/// documents today (docs/handlers.md, "RSpamD").
public enum RspamdRequest {
    public static let path = "/checkv2"

    /// `host` is what the `Host:` line names (`rs_host:rs_port`). Empty
    /// values are left out (Perl's HTTP::Tiny sends none for undef).
    public static func encoded(_ fields: RspamdRequestFields, message: [UInt8], host: String) -> [UInt8] {
        var head = "POST \(path) HTTP/1.1\r\nHost: \(clean(host))\r\nConnection: close\r\nContent-Length: \(message.count)\r\n"
        var lines: [(String, String)] = [("Deliver-To", fields.deliverTo), ("IP", fields.ip), ("Helo", fields.helo),
                                         ("From", fields.from), ("Queue-Id", fields.queueID)]
        lines += fields.recipients.map { ("Rcpt", $0) }
        lines += [("Pass", "all"), ("User", fields.user)]
        for (name, value) in lines {
            let value = clean(value)
            if !value.isEmpty { head += "\(name): \(value)\r\n" }
        }
        head += "\r\n"
        var bytes = Array(head.utf8)
        bytes.reserveCapacity(bytes.count + message.count)
        bytes.append(contentsOf: message)
        return bytes
    }

    /// A header value without control characters, trimmed of spaces.
    static func clean(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars where !ControlCharacters.isControl(scalar) {
            out.append(scalar)
        }
        return String(out).trimmingCharacters(in: " ")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}
