/// What checking an evidence document (a VMC or CMC) found: the errors in
/// Mail::BIMI's codes, each with a detail for the log, and the indicator
/// it embeds (uncompressed) when it could be read.
public struct BIMIEvidence: Sendable, Equatable {
    public struct Problem: Error, Sendable, Equatable {
        public var reason: BIMIReason
        public var detail: String
        public init(_ reason: BIMIReason, _ detail: String) {
            self.reason = reason
            self.detail = detail
        }
    }

    public var problems: [Problem] = []
    /// The SVG of the logotype extension, gunzipped when it was gzipped.
    public var indicator: [UInt8]?

    public init(problems: [Problem] = [], indicator: [UInt8]? = nil) {
        self.problems = problems
        self.indicator = indicator
    }

    /// `policy.authority=pass`: no problem at all.
    public var isValid: Bool { problems.isEmpty }
}
