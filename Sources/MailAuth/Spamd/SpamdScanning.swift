/// Where the SpamAssassin handler sends a message to be scanned: in a
/// worker, the scanner process over the worker's channel (`ScannerClient`:
/// the worker opens no socket); in tests, spamd itself or a scripted one
/// (`DirectSpamdScanner`). A call returns within its deadline, whatever
/// spamd does.
public protocol SpamdScanning: AnyObject {
    func scan(message: [UInt8], user: String) -> SpamdScanOutcome
}

/// The bounds of one scan, shared by the handler's keys, the worker's
/// channel to the scanner and the scanner.
public enum SpamdLimits {
    /// `sa_max_size` when unset: spamc's default `--max-size` (500 KiB).
    public static let defaultMessageBytes = 512_000
    /// The largest `sa_max_size` accepted (and the largest scan request a
    /// scanner takes from a worker).
    public static let maximumMessageBytes = 4 << 20
    /// `sa_timeout` when unset (seconds for connect, send and reply).
    public static let defaultTimeoutSeconds = 30.0
    public static let maximumTimeoutSeconds = 600.0
    /// The longest `User:` value (`default_user`).
    public static let maximumUserBytes = 255
    /// The longest reason text a failure carries over the channel.
    public static let maximumReasonBytes = 1024
}
