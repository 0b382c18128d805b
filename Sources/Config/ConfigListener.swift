/// One socket the master listens on for mail: `connection` (named
/// `default`, as the Perl milter names it) or an entry of `connections`.
public struct ListenerConfiguration: Sendable, Equatable {
    public var name: String
    public var connection: ConnectionSpec
    /// Applied while binding a unix socket; nil leaves the umask alone.
    public var umask: UInt16?
    /// `socket_group` (ours): the group of a unix socket after binding.
    public var socketGroup: String?

    public init(name: String, connection: ConnectionSpec, umask: UInt16? = nil, socketGroup: String? = nil) {
        self.name = name
        self.connection = connection
        self.umask = umask
        self.socketGroup = socketGroup
    }

    static let knownKeys: Set<String> = ["connection", "umask", "socket_group"]

    static func decode(name: String, node: ConfigNode, warnings: inout [String]) throws(ConfigurationError) -> ListenerConfiguration {
        _ = try node.requireObject()
        warnings += node.unknownKeyWarnings(known: knownKeys)
        guard let specNode = node.child("connection"), !specNode.isNull else {
            throw node.error("missing \"connection\"")
        }
        let spec = try Configuration.connectionSpec(specNode)
        var umask: UInt16?
        if let umaskNode = node.child("umask") { umask = try ConfigUmask.parse(umaskNode) }
        let group = try node.nonEmptyString("socket_group")
        if group != nil, case .unix = spec {} else if group != nil {
            warnings.append(node.warning("socket_group applies to a unix socket only; ignored"))
        }
        return ListenerConfiguration(name: name, connection: spec, umask: umask, socketGroup: group)
    }
}
