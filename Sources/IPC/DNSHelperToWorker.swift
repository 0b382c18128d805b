/// What the DNS helper sends a worker (`DNSIPCMessage.answer`).
public enum DNSHelperToWorker: UInt8, IPCMessageKind, CaseIterable {
    case answer = 31

    public static let direction = "DNS helper to worker"

    public var name: String { "answer" }
    /// A DNS message is at most 64 KiB, but compressed names expand (each
    /// 2-byte pointer to up to 1020 bytes of escaped presentation form):
    /// 16 MiB is above any answer the helper can build.
    public var maximumPayload: Int { 16 * 1024 * 1024 }
    public var carriesDescriptor: Bool { false }
}
