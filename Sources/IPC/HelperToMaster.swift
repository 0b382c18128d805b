/// What the DNS helper and the spool send the master: nothing. Their
/// control channel is only closed (by the master, to stop them), so any
/// byte the master reads from it is a violation.
public enum HelperToMaster: IPCMessageKind {
    public init?(code: UInt8) { return nil }
    public var code: UInt8 { switch self {} }
    public var name: String { switch self {} }
    public var maximumPayload: Int { switch self {} }
    public var carriesDescriptor: Bool { switch self {} }
    public static let allKinds: [HelperToMaster] = []
    public static let direction = "helper to master"
}
