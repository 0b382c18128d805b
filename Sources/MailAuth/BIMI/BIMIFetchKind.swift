/// What the fetch helper is asked to fetch for a BIMI evaluation: the
/// indicator (`l=`, an SVG) or the evidence document (`a=`, a VMC/CMC as
/// PEM). The kind picks the failure a fetch gives (Mail::BIMI's
/// `SVG_FETCH_ERROR` / `VMC_FETCH_ERROR`).
public enum BIMIFetchKind: UInt8, Sendable, CaseIterable {
    case indicator = 0
    case evidence = 1

    /// The reason a failed fetch of this kind reports.
    public var fetchError: BIMIReason {
        self == .indicator ? .svgFetchError : .vmcFetchError
    }
}

/// Mail::BIMI's size limits (`Mail::BIMI::Options`), and the ceiling the
/// IPC messages are sized for.
public enum BIMIFetchLimits {
    /// `svg_max_fetch_size` and `vmc_max_fetch_size`: a response body
    /// beyond this is a failed fetch (HTTP::Tiny's `max_size`).
    public static let defaultMaximumFetchBytes = 65_535
    /// `svg_max_size`: a larger SVG is `SVG_SIZE`.
    public static let defaultMaximumSVGBytes = 32_768
    /// The largest `*_max_fetch_size` accepted: a fetched body travels
    /// back to the worker in one IPC frame.
    public static let ceilingFetchBytes = 1 << 20
    /// The addresses a request may name (the worker resolved them).
    public static let maximumAddresses = 16
    /// The longest failure reason carried back.
    public static let maximumReasonBytes = 512
}
