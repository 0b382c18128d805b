/// One entry of `handlers`: a handler module, whether it runs, and its own
/// configuration object (which the handler reads and validates itself,
/// through `node` so its messages name file, line and key).
///
/// `"!Name"` in the configuration is the same handler, disabled: its
/// configuration is kept but the module is not loaded.
import JSON

public struct HandlerConfiguration: Sendable, Equatable {
    public var name: String
    public var enabled: Bool
    /// Always an object.
    public var config: JSONValue
    /// `config` with its key path (`handlers.<Name>`) and source file.
    public var node: ConfigNode

    public init(name: String, enabled: Bool, config: JSONValue = .object(JSONObject()), node: ConfigNode? = nil) {
        self.name = name
        self.enabled = enabled
        self.config = config
        self.node = node
            ?? ConfigNode(value: config, origin: ConfigOrigin(file: "<built-in>"),
                          path: JSONPath([.key("handlers"), .key(name)]))
    }

    /// Where the configuration came from: the main file or
    /// `authentication_milter.d/<Name>.json`.
    public var sourceFile: String { node.origin.file }

    /// The key as it appears under `handlers`.
    public var configurationKey: String { enabled ? name : "!" + name }

    /// Provenance (file, positions) is not part of the value: the same
    /// settings loaded from another file are the same configuration.
    public static func == (lhs: HandlerConfiguration, rhs: HandlerConfiguration) -> Bool {
        lhs.name == rhs.name && lhs.enabled == rhs.enabled && lhs.config == rhs.config
    }
}
