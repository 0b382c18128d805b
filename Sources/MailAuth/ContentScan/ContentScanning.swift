/// Where the RSpamD and ClamAV handlers send a message to be scanned: in a
/// worker, the scanner process over the worker's channel (`ScannerClient`;
/// the worker opens no socket); in the handlers' unit tests, a scripted
/// answer. A call returns within its deadline, whatever the scanner does.
/// (SpamAssassin's is `SpamdScanning`.)
public protocol RspamdScanning: AnyObject {
    func scan(message: [UInt8], fields: RspamdRequestFields) -> RspamdScanOutcome
}

public protocol ClamdScanning: AnyObject {
    func scan(message: [UInt8]) -> ClamdScanOutcome
}
