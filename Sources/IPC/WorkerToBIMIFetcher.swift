import MailAuth

/// What a worker asks the BIMI fetch helper: one URL of a BIMI record to
/// fetch over HTTPS, with the addresses the worker resolved for its host
/// (the helper has no resolver), the body limit and the time left.
public enum WorkerToBIMIFetcher: UInt8, IPCMessageKind, CaseIterable {
    case fetch = 70

    public static let direction = "worker to BIMI fetcher"

    public var name: String { "fetch" }

    /// u32 id, u8 kind, u32 body limit, u32 budget (ms), the URL (u32
    /// length + at most `BIMIRecord.maximumURILength`), u32 count + the
    /// addresses (u8 family + 16 bytes each).
    public var maximumPayload: Int {
        4 + 1 + 4 + 4 + 4 + BIMIRecord.maximumURILength + 4 + BIMIFetchLimits.maximumAddresses * 17
    }

    public var carriesDescriptor: Bool { false }
}

/// What the fetch helper answers: the body, or why there is none.
public enum BIMIFetcherToWorker: UInt8, IPCMessageKind, CaseIterable {
    case fetched = 71

    public static let direction = "BIMI fetcher to worker"

    public var name: String { "fetched" }

    /// u32 id, u8 tag, then the body (at most `ceilingFetchBytes`) or a
    /// reason (u32 length + at most `maximumReasonBytes`).
    public var maximumPayload: Int {
        4 + 1 + max(BIMIFetchLimits.ceilingFetchBytes, 4 + BIMIFetchLimits.maximumReasonBytes)
    }

    public var carriesDescriptor: Bool { false }
}

/// Messages between a worker and the BIMI fetch helper, each one IPCFrame
/// on the socketpair the master made for that worker:
///
///     kind 70  fetch    worker -> fetcher  u32 id, u8 kind (0 SVG, 1 VMC), u32 body limit, u32 budget ms,
///                                          string URL, u32 count + (u8 family 4|6, 16 bytes address)...
///     kind 71  fetched  fetcher -> worker  u32 id, u8 tag, then tag 0: the body (rest), tag 1: string reason
///
/// One fetch at a time per worker; a result whose id is not the one the
/// worker waits for is late, and dropped. The helper connects only to the
/// addresses given, and only to public ones unless its command line allows
/// private ones: a worker cannot make it reach anything a DNS answer could
/// not already point at.
public enum BIMIFetchIPCMessage: Equatable, Sendable {
    case fetch(id: UInt32, request: BIMIFetchRequest)
    case fetched(id: UInt32, outcome: BIMIFetchOutcome)

    public var id: UInt32 {
        switch self {
        case .fetch(let id, _), .fetched(let id, _): id
        }
    }

    public var frame: IPCFrame {
        var writer = IPCWriter()
        switch self {
        case .fetch(let id, let request):
            writer.u32(id)
            writer.u8(request.kind.rawValue)
            writer.u32(UInt32(clamping: min(request.maximumBytes, BIMIFetchLimits.ceilingFetchBytes)))
            writer.u32(request.budgetMilliseconds)
            writer.data(Array(request.url.utf8.prefix(BIMIRecord.maximumURILength)))
            let addresses = request.addresses.prefix(BIMIFetchLimits.maximumAddresses)
            writer.u32(UInt32(addresses.count))
            for address in addresses {
                writer.u8(address.isIPv4 ? 4 : 6)
                let bytes = address.isIPv4 ? address.bytes + [UInt8](repeating: 0, count: 12) : address.bytes
                for byte in bytes { writer.u8(byte) }
            }
            return IPCFrame(WorkerToBIMIFetcher.fetch, payload: writer.bytes)
        case .fetched(let id, let outcome):
            writer.u32(id)
            switch outcome {
            case .fetched(let body):
                writer.u8(0)
                return IPCFrame(BIMIFetcherToWorker.fetched, payload: writer.bytes + body.prefix(BIMIFetchLimits.ceilingFetchBytes))
            case .failed(let reason):
                writer.u8(1)
                writer.data(Array(reason.utf8.prefix(BIMIFetchLimits.maximumReasonBytes)))
                return IPCFrame(BIMIFetcherToWorker.fetched, payload: writer.bytes)
            }
        }
    }

    public init(frame: IPCFrame) throws(IPCError) {
        var reader = ScanIPCMessage.Fields(reader: IPCReader(frame.payload))
        switch frame.kind {
        case WorkerToBIMIFetcher.fetch.code:
            let id = try reader.u32()
            guard let kind = BIMIFetchKind(rawValue: try reader.u8()) else { throw .unknownTag(0) }
            let limit = Int(try reader.u32())
            let budget = try reader.u32()
            let url = try reader.data()
            guard url.count <= BIMIRecord.maximumURILength, limit <= BIMIFetchLimits.ceilingFetchBytes else { throw .tooLong("request") }
            let count = try reader.u32()
            guard count <= BIMIFetchLimits.maximumAddresses else { throw .tooLong("address list") }
            var addresses: [IPAddress] = []
            for _ in 0..<count {
                let family = try reader.u8()
                var bytes: [UInt8] = []
                for _ in 0..<16 { bytes.append(try reader.u8()) }
                switch family {
                case 4: addresses.append(IPAddress(bytes: bytes.prefix(4))!)
                case 6: addresses.append(IPAddress(bytes: bytes)!)
                default: throw .unknownTag(family)
                }
            }
            guard reader.reader.isAtEnd else { throw .trailingBytes }
            self = .fetch(id: id, request: BIMIFetchRequest(kind: kind, url: String(decoding: url, as: UTF8.self), addresses: addresses,
                                                           maximumBytes: limit, budgetMilliseconds: budget))
        case BIMIFetcherToWorker.fetched.code:
            let id = try reader.u32()
            let tag = try reader.u8()
            switch tag {
            case 0:
                guard frame.payload.count - 5 <= BIMIFetchLimits.ceilingFetchBytes else { throw .tooLong("body") }
                self = .fetched(id: id, outcome: .fetched(Array(frame.payload[5...])))
            case 1:
                let reason = try reader.data()
                guard reason.count <= BIMIFetchLimits.maximumReasonBytes else { throw .tooLong("reason") }
                guard reader.reader.isAtEnd else { throw .trailingBytes }
                self = .fetched(id: id, outcome: .failed(String(decoding: reason, as: UTF8.self)))
            default:
                throw .unknownTag(tag)
            }
        default:
            throw .unknownKind(frame.kind)
        }
    }
}
