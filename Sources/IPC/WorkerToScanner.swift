import MailAuth

/// What a worker sends the scanner (`ScanIPCMessage.scan`): one message to
/// give spamd, at most `SpamdLimits.maximumMessageBytes` of it.
public enum WorkerToScanner: UInt8, IPCMessageKind, CaseIterable {
    case scan = 60

    public static let direction = "worker to scanner"

    public var name: String { "scan" }
    /// u32 id, the user (u32 length + at most 255 bytes), the message.
    public var maximumPayload: Int { 4 + 4 + SpamdLimits.maximumUserBytes + SpamdLimits.maximumMessageBytes }
    public var carriesDescriptor: Bool { false }
}

/// What the scanner sends a worker (`ScanIPCMessage.result`): spamd's
/// verdict or why there is none.
public enum ScannerToWorker: UInt8, IPCMessageKind, CaseIterable {
    case result = 61

    public static let direction = "scanner to worker"

    public var name: String { "result" }
    /// u32 id, u8 tag, then the flag (u32 length + at most 64 bytes), two
    /// u64 numbers and the rule names (u32 length + a whole reply at
    /// most), or a reason (u32 length + at most 1024 bytes).
    public var maximumPayload: Int { 4 + 1 + 4 + 64 + 16 + 4 + SpamdReply.maximumBytes }
    public var carriesDescriptor: Bool { false }
}

/// Messages between a worker and the scanner, each one IPCFrame on the
/// socketpair the master made for that worker:
///
///     kind 60  scan    worker -> scanner   u32 id, string user, the message (rest)
///     kind 61  result  scanner -> worker   u32 id, u8 tag, then
///                                          tag 0: string flag, u64 score, u64 threshold (IEEE 754 bits), string symbols
///                                          tag 1-5: string reason (unreachable, timeout, protocol error, refused, unavailable)
///
/// One scan at a time per worker: a worker waits for its result (or its
/// deadline) before the next message; a result whose id is not the one it
/// waits for is late, and dropped. The scanner takes the address of spamd
/// from the master, never from a worker: a worker can only ask for a
/// message to be scanned.
public enum ScanIPCMessage: Equatable, Sendable {
    case scan(id: UInt32, user: String, message: [UInt8])
    case result(id: UInt32, outcome: SpamdScanOutcome)

    public var frame: IPCFrame {
        var writer = IPCWriter()
        switch self {
        case .scan(let id, let user, let message):
            writer.u32(id)
            writer.data(Array(user.utf8.prefix(SpamdLimits.maximumUserBytes)))
            var bytes = writer.bytes
            bytes.append(contentsOf: message.prefix(SpamdLimits.maximumMessageBytes))
            return IPCFrame(WorkerToScanner.scan, payload: bytes)
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
                let (tag, reason) = Self.tagged(failure)
                writer.u8(tag)
                writer.data(Array(reason.utf8.prefix(SpamdLimits.maximumReasonBytes)))
            }
            return IPCFrame(ScannerToWorker.result, payload: writer.bytes)
        }
    }

    public init(frame: IPCFrame) throws(ScanIPCError) {
        var reader = Fields(reader: IPCReader(frame.payload))
        switch frame.kind {
        case WorkerToScanner.scan.code:
            let id = try reader.u32()
            let user = try reader.data()
            guard user.count <= SpamdLimits.maximumUserBytes else { throw .tooLong("user") }
            // The message is the rest of the payload.
            let messageStart = 4 + 4 + user.count
            guard frame.payload.count - messageStart <= SpamdLimits.maximumMessageBytes else { throw .tooLong("message") }
            self = .scan(id: id, user: String(decoding: user, as: UTF8.self), message: Array(frame.payload[messageStart...]))
        case ScannerToWorker.result.code:
            let id = try reader.u32()
            self = .result(id: id, outcome: try Self.outcome(&reader))
            guard reader.reader.isAtEnd else { throw .trailingBytes }
        default:
            throw .unknownKind(frame.kind)
        }
    }

    /// A result's outcome, after its id.
    static func outcome(_ reader: inout Fields) throws(ScanIPCError) -> SpamdScanOutcome {
        let tag = try reader.u8()
        guard tag == 0 else {
            let reason = try reader.data()
            guard reason.count <= SpamdLimits.maximumReasonBytes else { throw .tooLong("reason") }
            guard let failure = failure(tag: tag, reason: String(decoding: reason, as: UTF8.self)) else { throw .unknownTag(tag) }
            return .failed(failure)
        }
        let flag = try reader.data()
        let score = Double(bitPattern: try reader.u64())
        let threshold = Double(bitPattern: try reader.u64())
        let symbols = try reader.data()
        guard flag.count <= 64, symbols.count <= SpamdReply.maximumBytes else { throw .tooLong("verdict") }
        return .scanned(SpamdVerdict(flag: String(decoding: flag, as: UTF8.self), score: score, threshold: threshold,
                                     symbols: String(decoding: symbols, as: UTF8.self)))
    }

    /// The payload's fields, each of which must be there whole.
    struct Fields {
        var reader: IPCReader
        mutating func u8() throws(ScanIPCError) -> UInt8 { do { return try reader.u8() } catch { throw .truncated } }
        mutating func u32() throws(ScanIPCError) -> UInt32 { do { return try reader.u32() } catch { throw .truncated } }
        mutating func u64() throws(ScanIPCError) -> UInt64 { do { return try reader.u64() } catch { throw .truncated } }
        mutating func data() throws(ScanIPCError) -> [UInt8] { do { return try reader.data() } catch { throw .truncated } }
    }

    static func tagged(_ failure: SpamdFailure) -> (UInt8, String) {
        switch failure {
        case .unreachable(let why): (1, why)
        case .timeout(let why): (2, why)
        case .protocolError(let why): (3, why)
        case .refused(let why): (4, why)
        case .unavailable(let why): (5, why)
        }
    }

    static func failure(tag: UInt8, reason: String) -> SpamdFailure? {
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

/// Why a scan frame could not be decoded (only a broken or subverted peer
/// sends one: the channel is dropped).
public struct ScanIPCError: Error, Equatable, Sendable, CustomStringConvertible {
    public var description: String

    public static func tooLong(_ what: String) -> ScanIPCError { ScanIPCError(description: "scan message with a \(what) above its limit") }
    public static func unknownKind(_ kind: UInt8) -> ScanIPCError { ScanIPCError(description: "unknown scan message kind \(kind)") }
    public static func unknownTag(_ tag: UInt8) -> ScanIPCError { ScanIPCError(description: "unknown scan outcome tag \(tag)") }
    public static let truncated = ScanIPCError(description: "truncated scan message")
    public static let trailingBytes = ScanIPCError(description: "trailing bytes after a scan message")
}
