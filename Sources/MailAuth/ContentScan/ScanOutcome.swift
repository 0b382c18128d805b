/// One scan's outcome: the scanner's verdict (`SpamdVerdict`,
/// `RspamdVerdict`, `ClamdVerdict`) or why there is none.
public enum ScanOutcome<Verdict: Sendable & Equatable>: Sendable, Equatable {
    case scanned(Verdict)
    case failed(ScanFailure)
}

public typealias SpamdScanOutcome = ScanOutcome<SpamdVerdict>
public typealias RspamdScanOutcome = ScanOutcome<RspamdVerdict>
public typealias ClamdScanOutcome = ScanOutcome<ClamdVerdict>
