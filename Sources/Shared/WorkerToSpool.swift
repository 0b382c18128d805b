/// What a worker sends the spool on its channel (fd 5 in a worker).
public enum WorkerToSpool: UInt8, IPCMessageKind, CaseIterable {
    /// One DMARC aggregate report row, as `DMARCReportRow.jsonText`.
    case reportRow = 40

    public static let direction = "worker to spool"

    public var name: String { "report row" }
    public var maximumPayload: Int { Self.maximumRowBytes }
    public var carriesDescriptor: Bool { false }

    /// The largest row a spool accepts; a real row is well under 8 KiB.
    public static let maximumRowBytes = 256 * 1024
}
