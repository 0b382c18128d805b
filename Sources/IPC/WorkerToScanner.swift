import MailAuth

/// What a worker sends the scanner: one message to scan, the kind naming
/// the content scanner that is to see it (spamd, rspamd, clamd), at most
/// `SpamdLimits.maximumMessageBytes` of it (`ClamdRequest.maximumMessageBytes`
/// for clamd). The scanner's address is never
/// in the request: it comes from the master (the scanner's command line).
public enum WorkerToScanner: UInt8, IPCMessageKind, CaseIterable {
    case scan = 60
    case rspamdScan = 62
    case clamdScan = 64

    public static let direction = "worker to scanner"

    public var name: String {
        switch self {
        case .scan: "scan"
        case .rspamdScan: "rspamd scan"
        case .clamdScan: "clamd scan"
        }
    }

    public var maximumPayload: Int {
        switch self {
        // u32 id, the user (u32 length + at most 255 bytes), the message.
        case .scan: 4 + 4 + SpamdLimits.maximumUserBytes + SpamdLimits.maximumMessageBytes
        // u32 id, six fields and the recipients (u32 count, each u32
        // length + at most 1024 bytes), the message.
        case .rspamdScan:
            4 + 6 * (4 + RspamdRequestFields.maximumFieldBytes) + 4
                + RspamdRequestFields.maximumRecipients * (4 + RspamdRequestFields.maximumFieldBytes) + SpamdLimits.maximumMessageBytes
        // u32 id, the message.
        case .clamdScan: 4 + ClamdRequest.maximumMessageBytes
        }
    }

    public var carriesDescriptor: Bool { false }
}

/// What the scanner sends a worker: the verdict of the scanner the request
/// named, or why there is none.
public enum ScannerToWorker: UInt8, IPCMessageKind, CaseIterable {
    case result = 61
    case rspamdResult = 63
    case clamdResult = 65

    public static let direction = "scanner to worker"

    public var name: String {
        switch self {
        case .result: "result"
        case .rspamdResult: "rspamd result"
        case .clamdResult: "clamd result"
        }
    }

    /// u32 id, u8 tag, then the verdict or a reason (u32 length + at most
    /// 1024 bytes).
    public var maximumPayload: Int {
        switch self {
        // the flag (u32 length + at most 64 bytes), two u64 numbers and the
        // rule names (u32 length + a whole reply at most)
        case .result: 4 + 1 + 4 + 64 + 16 + 4 + SpamdReply.maximumBytes
        // the action (u32 length + at most 64 bytes), two u64 numbers, u8
        // skipped, the subject (u32 length + at most 1024 bytes)
        case .rspamdResult: 4 + 1 + 4 + 64 + 16 + 1 + 4 + ScanIPCMessage.maximumSubjectBytes
        // u8 infected, the name (u32 length + at most 256 bytes)
        case .clamdResult: 4 + 1 + 1 + 4 + max(ClamdReply.maximumNameBytes, SpamdLimits.maximumReasonBytes)
        }
    }

    public var carriesDescriptor: Bool { false }
}

/// Messages between a worker and the scanner, each one IPCFrame on the
/// socketpair the master made for that worker:
///
///     kind 60  scan           worker -> scanner  u32 id, string user, the message (rest)
///     kind 62  rspamd scan    worker -> scanner  u32 id, strings deliver-to, ip, helo, from, queue id, user,
///                                                u32 count + strings recipients, the message (rest)
///     kind 64  clamd scan     worker -> scanner  u32 id, the message (rest)
///     kind 61  result         scanner -> worker  u32 id, u8 tag, then
///                                                tag 0: string flag, u64 score, u64 threshold (IEEE 754 bits), string symbols
///     kind 63  rspamd result  scanner -> worker  u32 id, u8 tag, then
///                                                tag 0: string action, u64 score, u64 required, u8 skipped, string subject
///     kind 65  clamd result   scanner -> worker  u32 id, u8 tag, then
///                                                tag 0: u8 infected, string name
///     (every result)                             tag 1-5: string reason (unreachable, timeout, protocol error, refused, unavailable)
///
/// One scan at a time per worker: a worker waits for its result (or its
/// deadline) before the next request; a result whose id is not the one it
/// waits for is late, and dropped. The scanner takes each scanner's address
/// from the master, never from a worker: a worker can only ask for a
/// message to be scanned by one of the scanners the configuration names.
public enum ScanIPCMessage: Equatable, Sendable {
    case scan(id: UInt32, user: String, message: [UInt8])
    case rspamdScan(id: UInt32, fields: RspamdRequestFields, message: [UInt8])
    case clamdScan(id: UInt32, message: [UInt8])
    case result(id: UInt32, outcome: SpamdScanOutcome)
    case rspamdResult(id: UInt32, outcome: RspamdScanOutcome)
    case clamdResult(id: UInt32, outcome: ClamdScanOutcome)

    /// The longest rewritten subject carried back from rspamd.
    public static let maximumSubjectBytes = 1024

    /// The id a request or result carries.
    public var id: UInt32 {
        switch self {
        case .scan(let id, _, _), .rspamdScan(let id, _, _), .clamdScan(let id, _), .result(let id, _),
             .rspamdResult(let id, _), .clamdResult(let id, _):
            id
        }
    }

    public var frame: IPCFrame {
        var writer = IPCWriter()
        switch self {
        case .scan(let id, let user, let message):
            writer.u32(id)
            writer.data(Array(user.utf8.prefix(SpamdLimits.maximumUserBytes)))
            return IPCFrame(WorkerToScanner.scan, payload: writer.bytes + message.prefix(SpamdLimits.maximumMessageBytes))
        case .rspamdScan(let id, let fields, let message):
            writer.u32(id)
            for value in [fields.deliverTo, fields.ip, fields.helo, fields.from, fields.queueID, fields.user] {
                writer.data(Array(value.utf8.prefix(RspamdRequestFields.maximumFieldBytes)))
            }
            let recipients = fields.recipients.prefix(RspamdRequestFields.maximumRecipients)
            writer.u32(UInt32(recipients.count))
            for recipient in recipients { writer.data(Array(recipient.utf8.prefix(RspamdRequestFields.maximumFieldBytes))) }
            return IPCFrame(WorkerToScanner.rspamdScan, payload: writer.bytes + message.prefix(SpamdLimits.maximumMessageBytes))
        case .clamdScan(let id, let message):
            writer.u32(id)
            return IPCFrame(WorkerToScanner.clamdScan, payload: writer.bytes + message.prefix(ClamdRequest.maximumMessageBytes))
        case .result(let id, let outcome):
            writer.u32(id)
            switch outcome {
            case .scanned(let verdict):
                writer.u8(0)
                writer.data(Array(verdict.flag.utf8.prefix(64)))
                writer.u64(verdict.score.bitPattern)
                writer.u64(verdict.threshold.bitPattern)
                writer.data(Array(verdict.symbols.utf8.prefix(SpamdReply.maximumBytes)))
            case .failed(let failure):
                Self.write(failure, to: &writer)
            }
            return IPCFrame(ScannerToWorker.result, payload: writer.bytes)
        case .rspamdResult(let id, let outcome):
            writer.u32(id)
            switch outcome {
            case .scanned(let verdict):
                writer.u8(0)
                writer.data(Array(verdict.action.utf8.prefix(64)))
                writer.u64(verdict.score.bitPattern)
                writer.u64(verdict.requiredScore.bitPattern)
                writer.u8(verdict.isSkipped ? 1 : 0)
                // An absent subject and an empty one are the same to the handler.
                writer.data(Array((verdict.subject ?? "").utf8.prefix(Self.maximumSubjectBytes)))
            case .failed(let failure):
                Self.write(failure, to: &writer)
            }
            return IPCFrame(ScannerToWorker.rspamdResult, payload: writer.bytes)
        case .clamdResult(let id, let outcome):
            writer.u32(id)
            switch outcome {
            case .scanned(.clean):
                writer.u8(0)
                writer.u8(0)
                writer.data([])
            case .scanned(.infected(let name)):
                writer.u8(0)
                writer.u8(1)
                writer.data(Array(name.utf8.prefix(ClamdReply.maximumNameBytes)))
            case .failed(let failure):
                Self.write(failure, to: &writer)
            }
            return IPCFrame(ScannerToWorker.clamdResult, payload: writer.bytes)
        }
    }

    public init(frame: IPCFrame) throws(IPCError) {
        var reader = Fields(reader: IPCReader(frame.payload))
        switch frame.kind {
        case WorkerToScanner.scan.code:
            let id = try reader.u32()
            let user = try reader.data()
            guard user.count <= SpamdLimits.maximumUserBytes else { throw .tooLong("user") }
            self = .scan(id: id, user: String(decoding: user, as: UTF8.self), message: try Self.message(frame, from: 4 + 4 + user.count))
        case WorkerToScanner.rspamdScan.code:
            let id = try reader.u32()
            var consumed = 4
            var values: [String] = []
            for _ in 0..<6 {
                let value = try reader.data()
                guard value.count <= RspamdRequestFields.maximumFieldBytes else { throw .tooLong("field") }
                consumed += 4 + value.count
                values.append(String(decoding: value, as: UTF8.self))
            }
            let count = try reader.u32()
            guard count <= RspamdRequestFields.maximumRecipients else { throw .tooLong("recipient list") }
            consumed += 4
            var recipients: [String] = []
            for _ in 0..<count {
                let value = try reader.data()
                guard value.count <= RspamdRequestFields.maximumFieldBytes else { throw .tooLong("recipient") }
                consumed += 4 + value.count
                recipients.append(String(decoding: value, as: UTF8.self))
            }
            let fields = RspamdRequestFields(deliverTo: values[0], ip: values[1], helo: values[2], from: values[3],
                                             queueID: values[4], recipients: recipients, user: values[5])
            self = .rspamdScan(id: id, fields: fields, message: try Self.message(frame, from: consumed))
        case WorkerToScanner.clamdScan.code:
            let id = try reader.u32()
            self = .clamdScan(id: id, message: try Self.message(frame, from: 4, limit: ClamdRequest.maximumMessageBytes))
        case ScannerToWorker.result.code:
            let id = try reader.u32()
            self = .result(id: id, outcome: try Self.spamdOutcome(&reader))
            guard reader.reader.isAtEnd else { throw .trailingBytes }
        case ScannerToWorker.rspamdResult.code:
            let id = try reader.u32()
            self = .rspamdResult(id: id, outcome: try Self.rspamdOutcome(&reader))
            guard reader.reader.isAtEnd else { throw .trailingBytes }
        case ScannerToWorker.clamdResult.code:
            let id = try reader.u32()
            self = .clamdResult(id: id, outcome: try Self.clamdOutcome(&reader))
            guard reader.reader.isAtEnd else { throw .trailingBytes }
        default:
            throw .unknownKind(frame.kind)
        }
    }

    /// A request's message: the rest of the payload after its fields.
    static func message(_ frame: IPCFrame, from start: Int, limit: Int = SpamdLimits.maximumMessageBytes) throws(IPCError) -> [UInt8] {
        guard frame.payload.count - start <= limit else { throw .tooLong("message") }
        return Array(frame.payload[start...])
    }

    /// A spamd result's outcome, after its id.
    static func spamdOutcome(_ reader: inout Fields) throws(IPCError) -> SpamdScanOutcome {
        let tag = try reader.u8()
        guard tag == 0 else { return .failed(try failure(tag: tag, &reader)) }
        let flag = try reader.data()
        let score = Double(bitPattern: try reader.u64())
        let threshold = Double(bitPattern: try reader.u64())
        let symbols = try reader.data()
        guard flag.count <= 64, symbols.count <= SpamdReply.maximumBytes else { throw .tooLong("verdict") }
        return .scanned(SpamdVerdict(flag: String(decoding: flag, as: UTF8.self), score: score, threshold: threshold,
                                     symbols: String(decoding: symbols, as: UTF8.self)))
    }

    static func rspamdOutcome(_ reader: inout Fields) throws(IPCError) -> RspamdScanOutcome {
        let tag = try reader.u8()
        guard tag == 0 else { return .failed(try failure(tag: tag, &reader)) }
        let action = try reader.data()
        let score = Double(bitPattern: try reader.u64())
        let required = Double(bitPattern: try reader.u64())
        let skipped = try reader.u8()
        let subject = try reader.data()
        guard action.count <= 64, subject.count <= maximumSubjectBytes, skipped <= 1 else { throw .tooLong("verdict") }
        return .scanned(RspamdVerdict(action: String(decoding: action, as: UTF8.self), score: score, requiredScore: required,
                                      isSkipped: skipped == 1, subject: subject.isEmpty ? nil : String(decoding: subject, as: UTF8.self)))
    }

    static func clamdOutcome(_ reader: inout Fields) throws(IPCError) -> ClamdScanOutcome {
        let tag = try reader.u8()
        guard tag == 0 else { return .failed(try failure(tag: tag, &reader)) }
        let infected = try reader.u8()
        let name = try reader.data()
        switch infected {
        case 0:
            guard name.isEmpty else { throw .tooLong("verdict") }
            return .scanned(.clean)
        case 1:
            guard !name.isEmpty, name.count <= ClamdReply.maximumNameBytes else { throw .tooLong("verdict") }
            return .scanned(.infected(String(decoding: name, as: UTF8.self)))
        default:
            throw .unknownTag(infected)
        }
    }

    /// The payload's fields, each of which must be there whole.
    struct Fields {
        var reader: IPCReader
        mutating func u8() throws(IPCError) -> UInt8 { do { return try reader.u8() } catch { throw .truncated } }
        mutating func u32() throws(IPCError) -> UInt32 { do { return try reader.u32() } catch { throw .truncated } }
        mutating func u64() throws(IPCError) -> UInt64 { do { return try reader.u64() } catch { throw .truncated } }
        mutating func data() throws(IPCError) -> [UInt8] { do { return try reader.data() } catch { throw .truncated } }
    }

    static func write(_ failure: ScanFailure, to writer: inout IPCWriter) {
        let (tag, reason) = tagged(failure)
        writer.u8(tag)
        writer.data(Array(reason.utf8.prefix(SpamdLimits.maximumReasonBytes)))
    }

    static func failure(tag: UInt8, _ reader: inout Fields) throws(IPCError) -> ScanFailure {
        let reason = try reader.data()
        guard reason.count <= SpamdLimits.maximumReasonBytes else { throw .tooLong("reason") }
        guard let failure = failure(tag: tag, reason: String(decoding: reason, as: UTF8.self)) else { throw .unknownTag(tag) }
        return failure
    }

    static func tagged(_ failure: ScanFailure) -> (UInt8, String) {
        switch failure {
        case .unreachable(let why): (1, why)
        case .timeout(let why): (2, why)
        case .protocolError(let why): (3, why)
        case .refused(let why): (4, why)
        case .unavailable(let why): (5, why)
        }
    }

    static func failure(tag: UInt8, reason: String) -> ScanFailure? {
        switch tag {
        case 1: .unreachable(reason)
        case 2: .timeout(reason)
        case 3: .protocolError(reason)
        case 4: .refused(reason)
        case 5: .unavailable(reason)
        default: nil
        }
    }
}


