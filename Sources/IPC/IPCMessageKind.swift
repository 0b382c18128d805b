/// The messages of one direction of one channel between our processes
/// (master → worker, worker → master, …): each kind has a wire code, a
/// name for the log, the largest payload it may carry and whether a file
/// descriptor rides with it. The receiving side (`IPCInbox`) refuses
/// anything that is not one of these, so a subverted child cannot make its
/// peer buffer more than the largest message of the channel or keep a
/// descriptor it never asked for. Codes are unique across all channels, so
/// a frame sent on the wrong channel is an unknown kind there.
public protocol IPCMessageKind: Sendable, Equatable {
    /// The kind with this wire code, or nil when the channel has none.
    init?(code: UInt8)
    var code: UInt8 { get }
    /// How the log names this message.
    var name: String { get }
    var maximumPayload: Int { get }
    var carriesDescriptor: Bool { get }
    /// Every message of the direction.
    static var allKinds: [Self] { get }
    /// How the log names the direction ("worker to master").
    static var direction: String { get }
}

extension IPCMessageKind where Self: RawRepresentable, RawValue == UInt8, Self: CaseIterable {
    public init?(code: UInt8) { self.init(rawValue: code) }
    public var code: UInt8 { rawValue }
    public static var allKinds: [Self] { Array(allCases) }
}

extension IPCMessageKind {
    /// The largest whole frame of the direction (length, kind, payload):
    /// a receiving buffer never holds more.
    public static var maximumFrameBytes: Int {
        IPCFrame.headerBytes + (allKinds.map(\.maximumPayload).max() ?? 0)
    }

    /// Whether any message of the direction carries a descriptor; on a
    /// direction where none does, one that arrives is closed at once.
    public static var carriesDescriptors: Bool { allKinds.contains { $0.carriesDescriptor } }
}
