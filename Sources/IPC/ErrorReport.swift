import JSON
import MailAuth

/// What goes into an error mail (`errors_to`), from the process that saw
/// the error to the spool, which writes and sends the mail: a worker's
/// unexpected handler error or stage timeout (`WorkerToSpool.errorReport`,
/// with the connection's trace), or the master's note that a role keeps
/// dying (`MasterToHelper.errorReport`). Perl's `send_exception_email` /
/// `send_panic_email` put the same facts in the body.
///
/// Bounded on both ends: `encoded()` cuts the text and the trace to fit
/// `maximumEncodedBytes` (the newest trace lines are kept), and the spool
/// refuses a payload over it or of another shape (a worker is untrusted).
public struct ErrorReport: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A handler threw at a stage.
        case handlerError = "handler-error"
        /// A stage passed its `*_timeout`.
        case timeout
        /// The master found a role dying again and again.
        case restartStorm = "restart-storm"
    }

    public var kind: Kind
    /// The error in words (Perl's exception text).
    public var text: String
    /// The process that saw it, and its role (`worker`, `spool`, ...).
    public var role: String
    public var pid: Int32
    /// The MTA's queue id, when the connection had one.
    public var queueID: String
    /// The connection's log lines so far, oldest first, each
    /// `<unix seconds> <line>`.
    public var trace: [String]

    public init(kind: Kind, text: String, role: String, pid: Int32, queueID: String = "", trace: [String] = []) {
        self.kind = kind
        self.text = text
        self.role = role
        self.pid = pid
        self.queueID = queueID
        self.trace = trace
    }

    /// The largest payload: one SOCK_SEQPACKET frame, well under a
    /// 64 KiB read, and small enough for the worker's stage alarm to keep
    /// ready (docs/architecture.md).
    public static let maximumEncodedBytes = 32 * 1024
    public static let maximumTextBytes = 2048
    public static let maximumTraceLineBytes = 1024

    /// JSON, keys sorted; the trace trimmed from its oldest end until it fits.
    public func encoded() -> [UInt8] {
        var trace = self.trace.map { Self.cut($0, to: Self.maximumTraceLineBytes) }
        while true {
            let object = JSONObject([
                ("kind", .string(kind.rawValue)), ("pid", .integer(Int(pid))), ("queue_id", .string(Self.cut(queueID, to: 256))),
                ("role", .string(Self.cut(role, to: 32))), ("text", .string(Self.cut(text, to: Self.maximumTextBytes))),
                ("trace", .array(trace.map { .string($0) })),
            ])
            let bytes = JSONSerializer.serialize(.object(object), sortKeys: true)
            if bytes.count <= Self.maximumEncodedBytes || trace.isEmpty { return bytes }
            trace.removeFirst(max(1, trace.count / 8))
        }
    }

    public init(encoded bytes: [UInt8]) throws(IPCError) {
        guard bytes.count <= Self.maximumEncodedBytes else { throw IPCError.tooLarge(kind: "error report", payload: bytes.count, limit: Self.maximumEncodedBytes) }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw IPCError.malformed("error report: \(error)")
        }
        guard let kindText = value["kind"]?.stringValue, let kind = Kind(rawValue: kindText),
              let text = value["text"]?.stringValue, let role = value["role"]?.stringValue,
              let pid = value["pid"]?.numberValue.flatMap({ Int32(exactly: $0.doubleValue) }),
              let trace = value["trace"]?.arrayValue else {
            throw IPCError.malformed("error report without kind, text, role, pid or trace")
        }
        var lines: [String] = []
        for line in trace {
            guard let text = line.stringValue else { throw IPCError.malformed("error report trace line not a string") }
            lines.append(text)
        }
        self.init(kind: kind, text: text, role: role, pid: pid, queueID: value["queue_id"]?.stringValue ?? "", trace: lines)
    }

    /// At most `limit` bytes of `text`, cut at a character boundary (the
    /// error mail cuts its lines with it too).
    public static func cut(_ text: String, to limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var out = ""
        for character in text {
            if out.utf8.count + character.utf8.count > limit { break }
            out.append(character)
        }
        return out
    }
}
