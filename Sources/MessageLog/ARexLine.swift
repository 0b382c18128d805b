import JSON
import MailAuth

/// The `extended_log` line of one message, as Perl's newest release logs it
/// at the end of the message: `<queue id>: ARex: {"ar":[{"payload":…,
/// "type":"Authentication-Results"}],"queue_id":"…"}`, one `ar` item per
/// header added (several with `auth_header_name`), keys sorted. The
/// `authentication_milter_log arex` tool reads these lines back.
public struct ARexLine: Sendable, Equatable {
    /// One added header: its field name and value.
    public struct Header: Sendable, Equatable {
        public var fieldName: String
        public var header: AuthenticationResultsHeader
        public init(fieldName: String, header: AuthenticationResultsHeader) {
            self.fieldName = fieldName
            self.header = header
        }
    }

    public var queueID: String
    public var headers: [Header]

    /// The log key: the line reads `<queue id>: ARex: <json>`.
    public static let key = "ARex"
    /// A line longer than this is not read (a tool reading a hostile log
    /// must stay bounded; the longest header we write is well under it).
    public static let maximumBytes = 1 << 20

    public init(queueID: String, headers: [Header]) {
        self.queueID = queueID
        self.headers = headers
    }

    /// The JSON after `ARex: `, keys sorted, written directly (one line
    /// per message; issue 12).
    public var json: String {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        out.append(contentsOf: #"{"ar":["#.utf8)
        for (index, item) in headers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"payload":"#.utf8)
            ARexHeaderPayload.write(item.header, into: &out)
            out.append(contentsOf: #","type":"#.utf8)
            JSONSerializer.appendQuoted(item.fieldName, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"],"queue_id":"#.utf8)
        JSONSerializer.appendQuoted(queueID, to: &out)
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// The same line through the general `JSONValue` tree and serializer:
    /// the reference the direct writer is tested against.
    var jsonThroughTree: String {
        let ar: [JSONValue] = headers.map {
            .object(JSONObject([("payload", ARexHeaderPayload.json($0.header)), ("type", .string($0.fieldName))]))
        }
        return JSONSerializer.string(.object(JSONObject([("ar", .array(ar)), ("queue_id", .string(queueID))])), sortKeys: true)
    }

    /// Reads a log line: everything up to the first ` ARex: ` (or a line
    /// that starts with `ARex: `) is the log's own prefix; a bare JSON
    /// object is taken as it is. Perl's tool strips `^.* ARex: `, the last
    /// one: the first is taken here, so a result value holding the marker
    /// does not cut the JSON (the prefix, syslog's and ours, holds none).
    public init(logLine: String) throws(MessageLogError) {
        guard logLine.utf8.count <= Self.maximumBytes else {
            throw MessageLogError(.tooLong, "line of \(logLine.utf8.count) bytes (limit \(Self.maximumBytes))")
        }
        let json: Substring
        if let start = Self.afterMarker(in: logLine) {
            json = logLine[start...]
        } else if logLine.hasPrefix("\(Self.key): ") {
            json = logLine.dropFirst(Self.key.count + 2)
        } else if logLine.first == "{" {
            json = logLine[...]
        } else {
            throw MessageLogError(.notARex, "no \"\(Self.key): \" on the line")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(String(json))
        } catch {
            throw MessageLogError(.invalidJSON, "not JSON: \(error)")
        }
        guard let items = value["ar"]?.arrayValue else { throw MessageLogError(.malformed, "no \"ar\" list") }
        var headers: [Header] = []
        for item in items {
            guard let payload = item["payload"] else { throw MessageLogError(.malformed, "an \"ar\" item without payload") }
            let name = item["type"]?.stringValue ?? "Authentication-Results"
            headers.append(Header(fieldName: name, header: try ARexHeaderPayload.header(payload)))
        }
        self.init(queueID: value["queue_id"]?.stringValue ?? "", headers: headers)
    }

    /// Where the JSON starts after the first ` ARex: ` in `line`.
    static func afterMarker(in line: String) -> String.Index? {
        let marker = Array(" \(key): ".utf8)
        let bytes = line.utf8
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bytes[index...].starts(with: marker) {
                return bytes.index(index, offsetBy: marker.count)
            }
            index = bytes.index(after: index)
        }
        return nil
    }
}
