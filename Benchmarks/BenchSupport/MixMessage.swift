import Milter
import MilterClient

/// One message of a benchmark mix: its SMTP envelope, the message as it
/// would be on the wire (CRLF line ends), and the results the mix means it
/// to get (`spf=pass`, `dkim=pass,fail` for two signatures, ...).
public struct MixMessage: Sendable, Hashable {
    /// What the message stands for (`rsa-direct`, `list-1hop`, ...).
    public var kind: String
    public var clientAddress: String
    /// The name the MTA passes with the connection (its verified PTR name,
    /// or `[address]` when there is none, as Postfix does).
    public var clientHostname: String
    public var helo: String
    /// `<local@domain>`.
    public var mailFrom: String
    public var recipients: [String]
    public var expected: MixExpectation
    public var raw: [UInt8]

    public init(kind: String, clientAddress: String, clientHostname: String, helo: String, mailFrom: String,
                recipients: [String], expected: MixExpectation, raw: [UInt8]) {
        self.kind = kind
        self.clientAddress = clientAddress
        self.clientHostname = clientHostname
        self.helo = helo
        self.mailFrom = mailFrom
        self.recipients = recipients
        self.expected = expected
        self.raw = raw
    }

    /// The message as Postfix gives it to a milter: header fields split
    /// off (the space after the colon left out, folded lines joined by
    /// `\n` as Postfix keeps them), the body with its CRLFs.
    public func milterMessage(authservID: String = "mx.bench.example") -> MilterClientMessage {
        let (headers, body) = Self.split(raw)
        return MilterClientMessage(
            macros: [MilterMacro(name: "j", value: authservID), MilterMacro(name: "{daemon_name}", value: "smtpd")],
            hostname: clientHostname, port: 40000, address: clientAddress, helo: helo, sender: mailFrom,
            recipients: recipients, headers: headers, body: body)
    }

    /// Header fields and body of a message with CRLF line ends.
    public static func split(_ raw: [UInt8]) -> (headers: [(name: String, value: String)], body: [UInt8]) {
        var headers: [(name: String, value: String)] = []
        var position = 0
        while position < raw.count {
            var end = position
            while end + 1 < raw.count && !(raw[end] == 0x0D && raw[end + 1] == 0x0A) { end += 1 }
            if end + 1 >= raw.count { end = raw.count }
            let line = raw[position..<end]
            position = min(raw.count, end + 2)
            if line.isEmpty { break }
            if line.first == 0x20 || line.first == 0x09, !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + String(decoding: line, as: UTF8.self)
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                var valueStart = colon + 1
                if valueStart < line.endIndex && line[valueStart] == 0x20 { valueStart += 1 }
                headers.append((String(decoding: line[line.startIndex..<colon], as: UTF8.self),
                                String(decoding: line[valueStart...], as: UTF8.self)))
            }
        }
        return (headers, Array(raw[min(position, raw.count)...]))
    }
}

/// The results a mix message is meant to get, by method: a sorted list per
/// method (one per DKIM signature). Written `spf=pass dkim=fail,pass`.
public struct MixExpectation: Sendable, Hashable, CustomStringConvertible {
    public private(set) var results: [String: [String]]

    public init(_ results: [String: [String]] = [:]) {
        self.results = results.mapValues { $0.sorted() }
    }

    public subscript(method: String) -> [String]? {
        get { results[method] }
        set { results[method] = newValue?.sorted() }
    }

    public var description: String {
        results.keys.sorted().map { "\($0)=\(results[$0]!.joined(separator: ","))" }.joined(separator: " ")
    }

    public static func parse(_ text: some StringProtocol) -> MixExpectation? {
        var results: [String: [String]] = [:]
        for word in String(text).split(separator: " ") {
            let parts = word.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else { return nil }
            results[String(parts[0])] = parts[1].split(separator: ",").map(String.init)
        }
        return MixExpectation(results)
    }
}
