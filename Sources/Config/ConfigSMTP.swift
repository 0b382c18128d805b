/// The `smtp` block, used when `protocol` is `smtp`: where to relay each
/// message and how patient to be.
///
/// Blocks keyed by an inbound socket (`"inet:12346"`, `"unix:/path"`)
/// replace the whole default set for connections arriving on that socket,
/// as in the Perl milter: keys missing from such a block take the built-in
/// defaults, not the values of the main `smtp` block.
import JSON

public struct SMTPConfiguration: Sendable, Equatable {
    public var defaults: SMTPSettings
    /// Keyed `inet:<port>` or `unix:<path>` (see `ConnectionSpec.smtpOverrideKey`).
    public var perSocket: [String: SMTPSettings]

    public init(defaults: SMTPSettings = SMTPSettings(), perSocket: [String: SMTPSettings] = [:]) {
        self.defaults = defaults
        self.perSocket = perSocket
    }

    /// The settings for a connection that arrived on `listener`.
    public func settings(for listener: ConnectionSpec) -> SMTPSettings {
        perSocket[listener.smtpOverrideKey] ?? defaults
    }

    static func decode(_ node: ConfigNode, warnings: inout [String]) throws(ConfigurationError) -> SMTPConfiguration {
        _ = try node.requireObject()
        var perSocket: [String: SMTPSettings] = [:]
        for (key, member) in node.members where !SMTPSettings.knownKeys.contains(key) {
            guard let colon = key.firstIndex(of: ":") else {
                warnings.append(member.warning("unknown key, ignored"))
                continue
            }
            let type = key[..<colon]
            let rest = key[key.index(after: colon)...]
            var normalized = key
            switch type {
            case "inet", "tcp":
                guard let port = Int(rest), (1...65535).contains(port), rest.allSatisfy(\.isNumber) else {
                    throw member.error("a per-socket block must be keyed \"inet:<port>\" or \"unix:<path>\"")
                }
                normalized = "inet:\(port)"
                if type == "tcp" {
                    // The Perl manual shows "tcp:<port>" but its code only
                    // ever looks up "inet:<port>", so there such a block is
                    // never used. We honour the evident intent and say so.
                    warnings.append(member.warning("treated as \"\(normalized)\"; the Perl milter only matches \"inet:<port>\" keys and ignored this block"))
                }
            case "unix":
                guard !rest.isEmpty else { throw member.error("a per-socket block must be keyed \"inet:<port>\" or \"unix:<path>\"") }
            default:
                warnings.append(member.warning("unknown key, ignored"))
                continue
            }
            guard perSocket[normalized] == nil else {
                throw member.error("duplicate per-socket block for \(normalized)")
            }
            perSocket[normalized] = try SMTPSettings.decode(member, warnings: &warnings, allowBlocks: false)
        }
        let defaults = try SMTPSettings.decode(node, warnings: &warnings, allowBlocks: true)
        return SMTPConfiguration(defaults: defaults, perSocket: perSocket)
    }

    func jsonValue() -> JSONValue {
        var object = defaults.jsonObject()
        for key in perSocket.keys.sorted() { object[key] = .object(perSocket[key]!.jsonObject()) }
        return .object(object)
    }
}

/// One set of `smtp` settings. Defaults are the Perl milter's
/// (Protocol/SMTP.pm): server name `server.example.com`, 60 s timeouts,
/// queue type `after`, 1 MiB body chunks.
public struct SMTPSettings: Sendable, Equatable {
    public enum SocketType: String, Sendable, CaseIterable {
        case inet, unix
    }

    public enum QueueType: String, Sendable, CaseIterable {
        /// Before-queue: no upstream queue ID (XFORWARD IDENT refused).
        case before
        /// After-queue: the upstream MTA's queue ID arrives via XFORWARD IDENT.
        case after
    }

    /// Greeting, EHLO name, and the authserv-id when `authserv_id` is unset.
    public var serverName = "server.example.com"
    /// Where to relay to; nil means not configured (a relay attempt fails,
    /// as it does in Perl).
    public var sockType: SocketType?
    public var sockHost: String?
    public var sockPort: Int?
    public var sockPath: String?
    public var timeoutIn: Double = 60
    public var timeoutOut: Double = 60
    /// Transactions allowed per connection before `421`; nil is unlimited.
    public var pipelineLimit: Int?
    public var queueType: QueueType = .after
    /// Spool message bodies here instead of memory.
    public var tempDir: String?
    public var chunkLimit = 1_048_576
    /// Regular expressions; a matching SMTP command turns on extra debugging.
    public var debugTriggers: [String] = []
    /// Beyond Perl (which holds any message in memory): the largest message
    /// taken, announced as SIZE in the EHLO reply; more is refused with
    /// 552 5.3.4. At most `maximumMessageSizeCeiling`.
    public var maxMessageSize = 64 << 20
    public static let maximumMessageSizeCeiling = 1 << 30

    public init() {}

    static let knownKeys: Set<String> = [
        "server_name", "sock_type", "sock_host", "sock_port", "sock_path", "timeout_in", "timeout_out",
        "pipeline_limit", "queue_type", "temp_dir", "chunk_limit", "debug_triggers", "max_message_size",
    ]

    static func decode(_ node: ConfigNode, warnings: inout [String], allowBlocks: Bool) throws(ConfigurationError) -> SMTPSettings {
        _ = try node.requireObject()
        if !allowBlocks { warnings += node.unknownKeyWarnings(known: knownKeys) }
        var s = SMTPSettings()
        // `||` in Perl: empty or 0 falls back to the default.
        if let name = try node.nonEmptyString("server_name") { s.serverName = name }
        if let typeNode = node.child("sock_type"), !typeNode.isNull {
            let text = try typeNode.stringValue()
            guard let type = SocketType(rawValue: text) else {
                throw typeNode.error("expected \"inet\" or \"unix\", got \(typeNode.value.typeDescription)")
            }
            s.sockType = type
        }
        s.sockHost = try node.nonEmptyString("sock_host")
        s.sockPort = try node.integer("sock_port", in: 1...65535)
        s.sockPath = try node.nonEmptyString("sock_path")
        if let t = try node.number("timeout_in", in: 0...86400), t > 0 { s.timeoutIn = t }
        if let t = try node.number("timeout_out", in: 0...86400), t > 0 { s.timeoutOut = t }
        if let limit = try node.integer("pipeline_limit", in: 0...Int.max), limit > 0 { s.pipelineLimit = limit }
        if let queueNode = node.child("queue_type"), !queueNode.isNull {
            let text = try queueNode.stringValue()
            guard let queue = QueueType(rawValue: text) else {
                throw queueNode.error("expected \"before\" or \"after\", got \(queueNode.value.typeDescription)")
            }
            s.queueType = queue
        }
        s.tempDir = try node.nonEmptyString("temp_dir")
        if let chunk = try node.integer("chunk_limit", in: 1...Int.max) { s.chunkLimit = chunk }
        if let triggers = try node.stringArray("debug_triggers") { s.debugTriggers = triggers }
        if let size = try node.integer("max_message_size", in: 1024...maximumMessageSizeCeiling) { s.maxMessageSize = size }
        switch s.sockType {
        case .inet?:
            if s.sockHost == nil || s.sockPort == nil {
                warnings.append(node.warning("sock_type is \"inet\" but sock_host or sock_port is missing; relaying will fail"))
            }
        case .unix?:
            if s.sockPath == nil {
                warnings.append(node.warning("sock_type is \"unix\" but sock_path is missing; relaying will fail"))
            }
        case nil:
            break
        }
        return s
    }

    func jsonObject() -> JSONObject {
        var o = JSONObject()
        o["server_name"] = .string(serverName)
        if let sockType { o["sock_type"] = .string(sockType.rawValue) }
        if let sockHost { o["sock_host"] = .string(sockHost) }
        if let sockPort { o["sock_port"] = .integer(sockPort) }
        if let sockPath { o["sock_path"] = .string(sockPath) }
        o["timeout_in"] = .double(timeoutIn)
        o["timeout_out"] = .double(timeoutOut)
        if let pipelineLimit { o["pipeline_limit"] = .integer(pipelineLimit) }
        o["queue_type"] = .string(queueType.rawValue)
        if let tempDir { o["temp_dir"] = .string(tempDir) }
        o["chunk_limit"] = .integer(chunkLimit)
        if !debugTriggers.isEmpty { o["debug_triggers"] = .array(debugTriggers.map { .string($0) }) }
        o["max_message_size"] = .integer(maxMessageSize)
        return o
    }
}
