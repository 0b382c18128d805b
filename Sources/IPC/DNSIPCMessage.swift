import MailAuth

/// Messages between a worker and the DNS helper, each one IPCFrame on the
/// socketpair the master created for that worker:
///
///     kind 30  query   worker -> helper   u32 id, u16 type, string name
///     kind 31  answer  helper -> worker   u32 id, u32 keep, outcome (DNSIPCOutcomeCodec)
///
/// `keep`: seconds the worker may answer the same question from its own
/// cache (what is left of the helper's cache lifetime; 0 for failures and
/// for what the helper does not cache), so a worker asks the helper once
/// per name and TTL, not once per message (issue 12).
///
/// A worker may send many queries before it reads answers; answers come
/// back in any order and are matched by id. The channel's kinds and limits
/// are `WorkerToDNSHelper` and `DNSHelperToWorker`. The master gives the
/// helper each worker's end with `MasterToHelper.newChannel` on fd 3,
/// carrying the descriptor as SCM_RIGHTS.
public enum DNSIPCMessage: Hashable, Sendable {
    case query(id: UInt32, question: DNSQuestion)
    case answer(id: UInt32, outcome: DNSOutcome, keepSeconds: UInt32 = 0)

    public static let queryKind = WorkerToDNSHelper.query.code
    public static let answerKind = DNSHelperToWorker.answer.code

    /// Queries one channel may have outstanding at the helper. The client
    /// never sends more; the helper answers any excess with an error.
    public static let maximumInFlightPerChannel = 256

    /// Longest name accepted (a presentation-form name with every byte
    /// escaped as \DDD is 4 * 255 bytes; anything longer is garbage).
    public static let maximumNameLength = 1024

    public var frame: IPCFrame {
        var writer = IPCWriter()
        switch self {
        case .query(let id, let question):
            writer.u32(id)
            writer.u16(question.type.rawValue)
            writer.string(question.name)
            return IPCFrame(kind: Self.queryKind, payload: writer.bytes)
        case .answer(let id, let outcome, let keepSeconds):
            writer.u32(id)
            writer.u32(keepSeconds)
            DNSIPCOutcomeCodec.encode(outcome, into: &writer)
            return IPCFrame(kind: Self.answerKind, payload: writer.bytes)
        }
    }

    public init(frame: IPCFrame) throws(DNSIPCError) {
        var reader = IPCReader(frame.payload)
        do {
            switch frame.kind {
            case Self.queryKind:
                let id = try reader.u32()
                let code = try reader.u16()
                guard let type = DNSRecordType(rawValue: code) else { throw DNSIPCError.unknownRecordType(code) }
                let name = try reader.data()
                guard name.count <= Self.maximumNameLength else { throw DNSIPCError.nameTooLong(name.count) }
                self = .query(id: id, question: DNSQuestion(name: String(decoding: name, as: UTF8.self), type: type))
            case Self.answerKind:
                let id = try reader.u32()
                let keepSeconds = try reader.u32()
                self = .answer(id: id, outcome: try DNSIPCOutcomeCodec.decode(from: &reader), keepSeconds: keepSeconds)
            default:
                throw DNSIPCError.unknownKind(frame.kind)
            }
        } catch let error as DNSIPCError {
            throw error
        } catch {
            throw .truncated
        }
        guard reader.isAtEnd else { throw .trailingBytes }
    }
}

/// Why a DNS IPC frame could not be decoded. Our own processes never send
/// one of these, so the receiver logs it and drops the channel.
public enum DNSIPCError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownKind(UInt8)
    case unknownRecordType(UInt16)
    case unknownOutcome(UInt8)
    case badAddressLength(Int)
    case nameTooLong(Int)
    case truncated
    case trailingBytes

    public var description: String {
        switch self {
        case .unknownKind(let kind): return "unknown DNS IPC message kind \(kind)"
        case .unknownRecordType(let code): return "unknown DNS record type \(code)"
        case .unknownOutcome(let tag): return "unknown DNS outcome tag \(tag)"
        case .badAddressLength(let n): return "address record of \(n) bytes"
        case .nameTooLong(let n): return "name of \(n) bytes"
        case .truncated: return "truncated DNS IPC message"
        case .trailingBytes: return "trailing bytes after DNS IPC message"
        }
    }
}
