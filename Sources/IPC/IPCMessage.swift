/// One message taken off a channel and checked against its direction's
/// rules (`IPCMessageKind`). Whoever takes it owns `descriptor` (-1 for
/// the messages that carry none) and must close it.
public struct IPCMessage<Kind: IPCMessageKind>: Equatable, Sendable {
    public var kind: Kind
    public var payload: [UInt8]
    public var descriptor: Int32

    public init(kind: Kind, payload: [UInt8] = [], descriptor: Int32 = -1) {
        self.kind = kind
        self.payload = payload
        self.descriptor = descriptor
    }
}
