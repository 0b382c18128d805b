/// One fetch the BIMI handler asks of the fetch helper: the URL (an
/// `https://` URI of the record), the addresses the worker resolved for its
/// host (through the DNS helper: the fetch helper has no resolver), the
/// body limit and the time left of the message's budget.
public struct BIMIFetchRequest: Sendable, Equatable {
    public var kind: BIMIFetchKind
    public var url: String
    public var addresses: [IPAddress]
    public var maximumBytes: Int
    public var budgetMilliseconds: UInt32

    public init(kind: BIMIFetchKind, url: String, addresses: [IPAddress], maximumBytes: Int, budgetMilliseconds: UInt32) {
        self.kind = kind
        self.url = url
        self.addresses = addresses
        self.maximumBytes = maximumBytes
        self.budgetMilliseconds = budgetMilliseconds
    }
}

/// What a fetch gave: the body of a `200` answer, or why there is none
/// (for the log; the entry says only `Could not fetch SVG|VMC`).
public enum BIMIFetchOutcome: Sendable, Equatable {
    case fetched([UInt8])
    case failed(String)
}

/// Who fetches for the BIMI handler: in a worker, its channel to the fetch
/// helper (`BIMIFetcherClient`); in tests, a scripted table.
public protocol BIMIFetching: AnyObject {
    func fetch(_ request: BIMIFetchRequest) -> BIMIFetchOutcome
}
