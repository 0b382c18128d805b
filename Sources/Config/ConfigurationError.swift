/// A configuration that cannot be used, with where and why:
/// `/etc/authentication_milter.json:12:5: min_children: expected a number, got an object`.
/// Start-up prints it and stops; a reload logs it and keeps the old
/// configuration.
import JSON

public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var position: JSONSourcePosition?
    /// The key, e.g. `handlers.SPF.hide_none` or `min_children`.
    public var keyPath: String?
    public var message: String

    public init(file: String? = nil, position: JSONSourcePosition? = nil, keyPath: String? = nil, message: String) {
        self.file = file
        self.position = position
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        ConfigurationError.format(file: file, position: position, keyPath: keyPath, message: message)
    }

    /// The one spelling for errors and warnings alike.
    static func format(file: String?, position: JSONSourcePosition?, keyPath: String?, message: String) -> String {
        var parts: [String] = []
        if let file {
            parts.append(position.map { "\(file):\($0.line):\($0.column)" } ?? file)
        }
        if let keyPath, !keyPath.isEmpty { parts.append(keyPath) }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
