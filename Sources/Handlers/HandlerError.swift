import Config

/// The one error of the Handlers module: why the enabled handlers could
/// not be built from a configuration. `code` is what a program or a test
/// matches; `reason` is the sentence for the log; a handler that refused
/// its configuration keeps the `ConfigurationError` (file, line, key).
public struct HandlerError: Error, Equatable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// No handler of this name is installed.
        case notInstalled = "not-installed"
        /// A handler that exists for tests only, enabled outside a test.
        case testOnly = "test-only"
        /// A handler refused its configuration (`configuration` says where).
        case configuration
        /// Handlers that depend on each other in a cycle.
        case dependencyCycle = "dependency-cycle"
    }

    public let code: Code
    public let reason: String
    /// The handler it is about, where there is one.
    public let handler: String?
    /// For `.configuration`: the error with its file, position and key.
    public let configuration: ConfigurationError?

    public init(_ code: Code, _ reason: String, handler: String? = nil, configuration: ConfigurationError? = nil) {
        self.code = code
        self.reason = reason
        self.handler = handler
        self.configuration = configuration
    }

    public var description: String { configuration?.description ?? reason }

    public static func notInstalled(_ name: String) -> HandlerError {
        HandlerError(.notInstalled,
                     "handler '\(name)' is not installed (installed: \(HandlerRegistry.installedNames.joined(separator: ", ")))",
                     handler: name)
    }

    public static func testOnly(_ name: String) -> HandlerError {
        HandlerError(.testOnly, "handler '\(name)' is a test-only handler; set AUTHMILTER_ALLOW_TEST_HANDLERS=1 to load it",
                     handler: name)
    }

    public static func config(_ error: ConfigurationError) -> HandlerError {
        HandlerError(.configuration, error.message, configuration: error)
    }

    public static func dependencyCycle(_ names: [String]) -> HandlerError {
        HandlerError(.dependencyCycle, "handlers depend on each other in a cycle: \(names.joined(separator: ", "))")
    }
}
