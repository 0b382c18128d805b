import Shared

/// One authentication_milter handler module (AddID, SPF, DKIM, ...). The
/// callbacks mirror the Perl program's: each is called in configuration
/// order for every enabled handler, and records its findings on the
/// session. A callback that throws is a handler error: the dispatcher turns
/// it into a tempfail or a continue by `tempfail_on_error*`.
public protocol Handler: AnyObject {
    /// The module name used in configuration and `-h <Module>`.
    static var name: String { get }
    /// The handler's part of `-h default_config`, as JSON text.
    static var defaultConfigJSON: String { get }
    /// What `-h <Module>` prints.
    static var helpText: String { get }

    init(config: JSONValue) throws(HandlerConfigError)

    func connect(_ session: MailSession) throws
    func helo(_ session: MailSession, host: String) throws
    func envelopeFrom(_ session: MailSession, address: String) throws
    func envelopeRecipient(_ session: MailSession, address: String) throws
    func header(_ session: MailSession, name: String, value: String) throws
    func endOfHeaders(_ session: MailSession) throws
    func body(_ session: MailSession, chunk: ArraySlice<UInt8>) throws
    func endOfMessage(_ session: MailSession) throws
    /// The message was aborted (RSET or a new MAIL): forget message state.
    func abort(_ session: MailSession)
    /// The connection ended: forget connection state.
    func close(_ session: MailSession)
}

extension Handler {
    public func connect(_ session: MailSession) throws {}
    public func helo(_ session: MailSession, host: String) throws {}
    public func envelopeFrom(_ session: MailSession, address: String) throws {}
    public func envelopeRecipient(_ session: MailSession, address: String) throws {}
    public func header(_ session: MailSession, name: String, value: String) throws {}
    public func endOfHeaders(_ session: MailSession) throws {}
    public func body(_ session: MailSession, chunk: ArraySlice<UInt8>) throws {}
    public func endOfMessage(_ session: MailSession) throws {}
    public func abort(_ session: MailSession) {}
    public func close(_ session: MailSession) {}
}

/// A handler's configuration could not be used; names the handler and key.
public struct HandlerConfigError: Error, Equatable, CustomStringConvertible {
    public var handler: String
    public var key: String?
    public var reason: String
    public init(handler: String, key: String? = nil, reason: String) {
        self.handler = handler
        self.key = key
        self.reason = reason
    }
    public var description: String {
        if let key { return "handlers.\(handler).\(key): \(reason)" }
        return "handlers.\(handler): \(reason)"
    }
}
