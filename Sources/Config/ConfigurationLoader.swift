/// Reads `<prefix>/authentication_milter.json` and
/// `<prefix>/authentication_milter.d/*.json` the way the Perl milter does
/// (Mail::Milter::Authentication::Config::get_config), and types and checks
/// the result.
///
/// How the files combine, as in Perl:
/// - The main file is read first (relaxed JSON: trailing commas and `#`
///   comments are allowed, as with JSON::XS `relaxed`).
/// - Every `authentication_milter.d/<Key>.json` whose name does not start
///   with a dot is read in byte order of file names; its whole content
///   becomes `handlers.<Key>`, replacing any entry of that exact key in the
///   main file.
/// - A handler runs when some key without `!` names it. `"!SPF"` disables
///   SPF only if no plain `"SPF"` key exists: so `"!SPF"` in the main file
///   does not stop `authentication_milter.d/SPF.json` from enabling it, and
///   `authentication_milter.d/!SPF.json` is a disabled SPF. The loader warns
///   about such contradictions.
///
/// Loading never prints: warnings (unknown keys, ignored or deprecated
/// settings) are returned for the caller to log.
import JSON

public enum ConfigurationLoader {
    public static let mainFileName = "authentication_milter.json"
    public static let handlerDirectoryName = "authentication_milter.d"

    public static func load(prefix: String = "/etc") throws(ConfigurationError) -> (configuration: Configuration, warnings: [String]) {
        var base = prefix
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        let mainPath = base + "/" + mainFileName
        let tomlPath = base + "/authentication_milter.toml"
        if ConfigurationFiles.kind(of: tomlPath) != .missing {
            throw ConfigurationError(.unsupported, file: tomlPath, message:
                "TOML configuration is not supported; the Perl milter would read this file instead of \(mainFileName), so convert it to JSON and remove it")
        }
        guard ConfigurationFiles.kind(of: mainPath) != .missing else {
            throw ConfigurationError(.fileMissing, file: mainPath, message: "could not find configuration file")
        }
        var warnings: [String] = []
        let root = try parseFile(mainPath, path: .root, warnings: &warnings)
        guard case .object = root.value else {
            throw root.error(.wrongType, "the configuration must be a JSON object, got \(root.value.typeDescription)")
        }

        var entries: [(key: String, node: ConfigNode)] = []
        if let handlersNode = try root.object("handlers") {
            entries = handlersNode.members
        }

        let directory = base + "/" + handlerDirectoryName
        if ConfigurationFiles.kind(of: directory) == .directory {
            let names = try ConfigurationFiles.list(directory)
                .filter { !$0.hasPrefix(".") }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for name in names {
                let path = directory + "/" + name
                if name.hasSuffix(".toml") {
                    throw ConfigurationError(.unsupported, file: path, message: "TOML configuration is not supported; convert it to JSON")
                }
                guard name.hasSuffix(".json") else { continue }
                let key = String(name.dropLast(5))
                let node = try parseFile(path, path: JSONPath([.key("handlers"), .key(key)]), warnings: &warnings)
                if let i = entries.firstIndex(where: { $0.key == key }) {
                    warnings.append(entries[i].node.warning("replaced by \(path)"))
                    entries[i] = (key, node)
                } else {
                    entries.append((key, node))
                }
            }
        }

        let handlers = try resolveHandlers(entries, warnings: &warnings)
        let configuration = try Configuration(decoding: root, handlers: handlers, warnings: &warnings)
        return (configuration, warnings)
    }

    /// Parses one file into a node whose key path starts at `path`.
    static func parseFile(_ file: String, path: JSONPath, warnings: inout [String]) throws(ConfigurationError) -> ConfigNode {
        let bytes = try ConfigurationFiles.read(file)
        let document: JSONDocument
        do {
            document = try JSONParser.parseDocument(bytes, options: .configurationFile)
        } catch {
            throw ConfigurationError(.syntax, file: file, position: error.position, message: error.message)
        }
        let origin = ConfigOrigin(file: file, sourceMap: document.sourceMap)
        for duplicate in document.duplicateKeys {
            let position = document.sourceMap.keys[duplicate]
            warnings.append(ConfigurationError.format(file: file, position: position, keyPath: path.appending(duplicate).description,
                                                      message: "duplicate key; the last value is used"))
        }
        return ConfigNode(value: document.value, origin: origin, path: path, sourcePath: .root)
    }

    /// Turns `handlers` keys (with or without `!`) into one entry per
    /// handler, in first-seen order.
    static func resolveHandlers(_ entries: [(key: String, node: ConfigNode)], warnings: inout [String]) throws(ConfigurationError) -> [HandlerConfiguration] {
        var result: [HandlerConfiguration] = []
        var indexByName: [String: Int] = [:]
        for (key, node) in entries {
            let enabled = !key.hasPrefix("!")
            let name = enabled ? key : String(key.dropFirst())
            guard isHandlerName(name) else {
                throw node.error("not a handler module name (letters, digits and underscores, optionally after \"!\")")
            }
            var config = node.value
            switch config {
            case .object: break
            // An empty entry ("SPF": null) is treated as an empty configuration.
            case .null: config = .object(JSONObject())
            default:
                throw node.error(.wrongType, "expected an object (the handler's configuration), got \(config.typeDescription)")
            }
            let handler = HandlerConfiguration(name: name, enabled: enabled, config: config,
                                               node: ConfigNode(value: config, origin: node.origin, path: node.path, sourcePath: node.sourcePath))
            guard let index = indexByName[name] else {
                indexByName[name] = result.count
                result.append(handler)
                continue
            }
            let earlier = result[index]
            if enabled {
                warnings.append(node.warning(
                    "enables \(name) although \"!\(name)\" in \(earlier.sourceFile) disables it; like the Perl milter, \(name) is loaded with this configuration"))
                result[index] = handler
            } else {
                warnings.append(node.warning(
                    "has no effect: \(name) is also configured in \(earlier.sourceFile), and like the Perl milter it is loaded"))
            }
        }
        return result
    }

    /// Perl loads `Mail::Milter::Authentication::Handler::<Name>`.
    static func isHandlerName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == UInt8(ascii: "_")
        }
    }
}
