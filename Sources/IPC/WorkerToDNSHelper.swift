/// What a worker sends the DNS helper (`DNSIPCMessage.query`).
public enum WorkerToDNSHelper: UInt8, IPCMessageKind, CaseIterable {
    case query = 30

    public static let direction = "worker to DNS helper"

    public var name: String { "query" }
    /// u32 id, u16 type, u32 length and the longest name accepted.
    public var maximumPayload: Int { 4 + 2 + 4 + DNSIPCMessage.maximumNameLength }
    public var carriesDescriptor: Bool { false }
}
