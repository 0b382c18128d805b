import Shared

/// The one table of handler modules this build has. `-h installed`,
/// `-h default_config`, `-h <Module>` and the worker all read it.
public enum HandlerRegistry {
    public static var installed: [any Handler.Type] { [
        AddIDHandler.self,
        ReturnOKHandler.self,
    ] }

    /// Handlers that exist for the process tests only; the master loads
    /// them only with AUTHMILTER_ALLOW_TEST_HANDLERS=1 in its environment.
    public static var testOnly: [any Handler.Type] { [
        SandboxProbeHandler.self,
    ] }

    public static func find(_ name: String) -> (any Handler.Type)? {
        (installed + testOnly).first { $0.name == name }
    }

    public static var installedNames: [String] { installed.map { $0.name }.sorted() }

    public enum BuildError: Error, CustomStringConvertible {
        case notInstalled(String)
        case config(HandlerConfigError)
        public var description: String {
            switch self {
            case .notInstalled(let name):
                return "handler '\(name)' is not installed (installed: \(HandlerRegistry.installedNames.joined(separator: ", ")))"
            case .config(let error): return error.description
            }
        }
    }

    /// Instantiates the enabled handlers in the order the Perl program
    /// calls them: by name (its sort_callbacks orders alphabetically, then
    /// moves a handler after those it declares it needs; none of the
    /// installed handlers declares any yet).
    public static func build(_ configuration: Configuration) throws(BuildError) -> [any Handler] {
        var handlers: [any Handler] = []
        for entry in configuration.enabledHandlers.sorted(by: { $0.name < $1.name }) {
            guard let type = find(entry.name) else { throw .notInstalled(entry.name) }
            do {
                handlers.append(try type.init(config: entry.config))
            } catch {
                throw .config(error)
            }
        }
        return handlers
    }
}
