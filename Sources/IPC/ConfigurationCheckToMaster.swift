/// What the configuration-check child (`authmilter-worker
/// --check-configuration`) tells the master: one verdict, then it exits.
/// The master builds no handler itself (no key is loaded or test-signed in
/// the root process): the child does what a worker does before its jail.
import JSON

public enum ConfigurationCheckToMaster: UInt8, IPCMessageKind, CaseIterable {
    /// `ConfigurationCheckVerdict` encoded.
    case verdict = 50

    public static let direction = "configuration check to master"
    /// The worker's command-line switch for this role.
    public static let commandLineFlag = "--check-configuration"

    public var name: String { "verdict" }
    /// An error text with its key and reason is short; 64 KiB leaves room
    /// and bounds the master's buffer.
    public var maximumPayload: Int { 64 << 10 }
    public var carriesDescriptor: Bool { false }
}

/// The check's outcome: accepted, or refused with the reason the worker
/// would have died with. A configuration error keeps its key path and
/// message apart, so the master (which has the files' positions; the child
/// only has the serialized configuration) can name file, line and column.
public enum ConfigurationCheckVerdict: Equatable, Sendable {
    case accepted
    case refused(text: String, keyPath: String?, message: String?)

    public var encoded: [UInt8] {
        switch self {
        case .accepted:
            return [0]
        case .refused(let text, let keyPath, let message):
            var object = JSONObject()
            // Each part bounded so the whole stays under the frame limit.
            object["text"] = .string(String(text.prefix(16_000)))
            if let keyPath { object["key_path"] = .string(String(keyPath.prefix(4_000))) }
            if let message { object["message"] = .string(String(message.prefix(16_000))) }
            return [1] + JSONSerializer.serialize(.object(object))
        }
    }

    public init?(encoded bytes: [UInt8]) {
        guard let first = bytes.first else { return nil }
        switch first {
        case 0 where bytes.count == 1:
            self = .accepted
        case 1:
            guard let value = try? JSONParser.parse(Array(bytes.dropFirst())), let text = value["text"]?.stringValue else { return nil }
            self = .refused(text: text, keyPath: value["key_path"]?.stringValue, message: value["message"]?.stringValue)
        default:
            return nil
        }
    }
}
