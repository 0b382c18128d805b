@testable import Config
@testable import JSON

/// The configuration file: the JSON parser (strict and relaxed), the
/// serializer, and the configuration's decoding. Strict JSON serialized
/// parses back to the same value; a decoded configuration sent to the
/// children (serialized) decodes to the same configuration.
enum ConfigJSONTarget {
    static let target = FuzzTarget(name: "config-json", run: run)

    static func run(_ input: [UInt8]) {
        if let value = try? JSONParser.parse(input, options: .strict) {
            for style in [JSONSerializer.Style.compact, .pretty(indent: 2), .perlPretty] {
                let text = JSONSerializer.serialize(value, style: style)
                let again = try? JSONParser.parse(text, options: .strict)
                fuzzCheck(again == value, "\(String(decoding: text, as: UTF8.self)) parses differently")
            }
        }
        guard let document = try? JSONParser.parseDocument(input, options: .configurationFile) else { return }
        let root = ConfigNode(value: document.value, origin: ConfigOrigin(file: "fuzz.json", sourceMap: document.sourceMap))
        var warnings: [String] = []
        let configuration: Configuration
        do {
            let entries = try root.object("handlers")?.members ?? []
            let handlers = try ConfigurationLoader.resolveHandlers(entries, warnings: &warnings)
            configuration = try Configuration(decoding: root, handlers: handlers, warnings: &warnings)
        } catch {
            return
        }
        do {
            let again = try Configuration(fromSerialized: configuration.serialized())
            fuzzCheck(again == configuration, "the serialized configuration decodes differently")
        } catch {
            fuzzCheck(false, "the serialized configuration does not decode: \(error)")
        }
    }
}
