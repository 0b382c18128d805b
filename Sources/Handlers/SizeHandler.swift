import Config
import MailAuth
import Metrics

/// Size: counts the bytes of each message's header and body, as Perl's
/// `Size.pm` does for its metrics (`size_total`, `size_header_bytes_total`,
/// `size_body_bytes_total`):
///
/// - a header field counts `<name>: <value>` plus 2 (its CRLF), the value
///   without its leading white space as Perl's handlers get it, in bytes;
/// - the body counts the bytes of every body chunk the MTA sends.
///
/// Perl writes no header and logs nothing: the counts only feed its
/// metrics endpoint, which this program does not serve yet (issue 14). Here
/// they are kept in the message's state, readable with `counts(in:)` until
/// the message is reset (what a metrics collector run at the end of the
/// message would read), and logged at debug at the end of the message:
/// `<queue id>: Size: header_bytes=<n> body_bytes=<n>`.
public final class SizeHandler: Handler {
    public static let name = "Size"
    public static let defaultConfigJSON = HandlerHelp.json([:])
    public static let helpText = HandlerHelp.text(module: name, "Module to provide metrics related to message size.",
                                                  configuration: #"        "Size" : {}, | Config for the Size Module"#)

    public init(config: ConfigNode) throws(ConfigurationError) {}

    /// The counts of the message in flight (zero before its first header),
    /// nil when the handler has seen nothing of it.
    public func counts(in session: MailSession) -> MessageSizeCounts? {
        session.existingMessageState(of: self, SizeMessageState.self)?.counts
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        session.newMessageState(of: self, SizeMessageState.self)
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        let state = session.messageState(of: self, SizeMessageState.self)
        // The exact bytes where the MTA's are at hand (a value that is not
        // valid UTF-8 keeps its length).
        let nameBytes = session.currentRawHeader?.name.count ?? name.utf8.count
        let valueBytes = session.currentRawHeader.map { PerlHeaderValue.byteCount($0.value) } ?? PerlHeaderValue.byteCount(value.utf8)
        state.counts.headerBytes += nameBytes + 2 + valueBytes + 2
    }

    public func body(_ session: MailSession, chunk: ArraySlice<UInt8>) throws {
        session.messageState(of: self, SizeMessageState.self).counts.bodyBytes += chunk.count
    }

    public func endOfMessage(_ session: MailSession) throws {
        let counts = session.messageState(of: self, SizeMessageState.self).counts
        session.log(.debug, key: "Size", "header_bytes=\(counts.headerBytes) body_bytes=\(counts.bodyBytes)")
        session.count(.size)
        session.count(.sizeHeaderBytes, by: UInt64(counts.headerBytes))
        session.count(.sizeBodyBytes, by: UInt64(counts.bodyBytes))
    }
}

/// One message's sizes as Perl's Size handler counts them.
public struct MessageSizeCounts: Sendable, Equatable {
    /// Every header field as `<name>: <value>` plus CRLF.
    public var headerBytes = 0
    /// Every body chunk the MTA sent.
    public var bodyBytes = 0

    public init(headerBytes: Int = 0, bodyBytes: Int = 0) {
        self.headerBytes = headerBytes
        self.bodyBytes = bodyBytes
    }
}

/// What the Size handler knows of the message in flight (see `HandlerState`).
final class SizeMessageState: HandlerState {
    var counts = MessageSizeCounts()
    init() {}
}
