
/// One authentication_milter handler module (AddID, SPF, DKIM, ...). The
/// callbacks mirror the Perl program's: each is called in configuration
/// order for every enabled handler, and records its findings on the
/// session. A callback that throws is a handler error: the dispatcher turns
/// it into a tempfail or a continue by `tempfail_on_error*`.
import Config
import JSON

public protocol Handler: AnyObject {
    /// The module name used in configuration and `-h <Module>`.
    static var name: String { get }
    /// The handler's part of `-h default_config`, as JSON text.
    static var defaultConfigJSON: String { get }
    /// What `-h <Module>` prints.
    static var helpText: String { get }

    /// Keys the handler's block may hold; others are warned about at start.
    static var configKeys: Set<String> { get }
    /// The start-up warnings for the handler's block: by default its keys
    /// outside `configKeys` (and `auth_header_name`). A block whose keys
    /// are names the operator chooses (RBLDNS's lists) checks itself.
    static func unknownKeyWarnings(in block: ConfigNode) -> [String]
    /// Handlers whose callbacks must run before this one's (Perl's
    /// `requires`); the registry orders handlers by name, then by these.
    /// A dependency that is not enabled is ignored.
    static var dependencies: [any Handler.Type] { get }
    /// Whether the handler may reject or defer at connect, HELO, MAIL or
    /// RCPT (Blocker). While no enabled handler may, the MTA is asked not
    /// to wait for replies to those commands (issue 12).
    static var refusesBeforeData: Bool { get }

    /// Reads the handler's block; errors name the file, position and key.
    init(config: ConfigNode) throws(ConfigurationError)

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

extension Handler {
    /// By default: the keys of the handler's default configuration.
    public static var configKeys: Set<String> {
        guard case .object(let object)? = try? JSONParser.parse(defaultConfigJSON) else { return [] }
        return Set(object.keys)
    }
    public static var dependencies: [any Handler.Type] { [] }
    public static var refusesBeforeData: Bool { false }
    public static func unknownKeyWarnings(in block: ConfigNode) -> [String] {
        block.unknownKeyWarnings(known: configKeys.union([AuthResultsHeaderName.configKey]))
    }
    /// The module names of `dependencies`, in order.
    public static var dependencyNames: [String] { dependencies.map { $0.name } }

    /// For tests and tools: a block given as a bare JSON value.
    public init(config value: JSONValue) throws(ConfigurationError) {
        try self.init(config: ConfigNode(value: value, origin: ConfigOrigin(file: "<\(Self.name) configuration>")))
    }
}
