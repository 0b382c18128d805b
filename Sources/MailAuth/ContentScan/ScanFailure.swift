/// Why a content scanner (spamd, rspamd, clamd) gave no verdict. Every one
/// is a `temperror` entry for the handler that asked; the reason goes to
/// the log only. The text says what failed; the caller names the scanner
/// (`spamd unreachable: connect to 127.0.0.1:783: Connection refused`).
public enum ScanFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No connection to the scanner (refused, no route, no such socket).
    case unreachable(String)
    /// The deadline passed (connecting, sending or waiting for the reply).
    case timeout(String)
    /// A reply that is not the protocol (cut short, too long, no verdict).
    case protocolError(String)
    /// The scanner answered with an error (`SPAMD/1.0 76 Bad header line`,
    /// an HTTP 500, `INSTREAM size limit exceeded. ERROR`).
    case refused(String)
    /// No scanner to ask (the worker's channel is missing or broken).
    case unavailable(String)

    public var description: String {
        switch self {
        case .unreachable(let why): "unreachable: \(why)"
        case .timeout(let why): "timed out: \(why)"
        case .protocolError(let why): "sent a bad reply: \(why)"
        case .refused(let why): "refused the request: \(why)"
        case .unavailable(let why): "unavailable: \(why)"
        }
    }
}

/// spamd's failures are scan failures like the others.
public typealias SpamdFailure = ScanFailure
