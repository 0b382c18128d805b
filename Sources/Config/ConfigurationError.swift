import JSON

/// The one error of the Config module: a configuration that cannot be
/// used, with where and why:
/// `/etc/authentication_milter.json:12:5: min_children: expected a number, got an object`.
/// Start-up prints it and stops; a reload logs it and keeps the old
/// configuration.
///
/// `code` is what a program or a test matches; `message` is the reason in
/// words; `description` adds where (file:line:column and the key).
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// No configuration file where one was looked for.
        case fileMissing = "file-missing"
        /// A file or folder that could not be opened or read, or is not a
        /// file a configuration can be (a FIFO, too large).
        case fileUnreadable = "file-unreadable"
        /// Not JSON (the position says where).
        case syntax
        /// A value of the wrong JSON type for its key.
        case wrongType = "wrong-type"
        /// A number outside the range its key allows.
        case outOfRange = "out-of-range"
        /// A value of the right type that the key does not take.
        case invalidValue = "invalid-value"
        /// Something the Perl program takes that this one refuses on
        /// purpose (a TOML configuration).
        case unsupported
        /// An enabled handler refused its configuration (the check child).
        case handlerRefused = "handler-refused"
    }

    public var code: Code
    public var file: String?
    public var position: JSONSourcePosition?
    /// The key, e.g. `handlers.SPF.hide_none` or `min_children`.
    public var keyPath: String?
    /// The reason, in words.
    public var message: String

    public init(_ code: Code, file: String? = nil, position: JSONSourcePosition? = nil, keyPath: String? = nil,
                message: String) {
        self.code = code
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
