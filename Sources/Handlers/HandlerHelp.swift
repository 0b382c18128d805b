
/// The texts a handler gives `-h <Module>` and `-h default_config`, built
/// the one way Perl's handlers write them.
import JSON

enum HandlerHelp {
    /// What Perl's POD says of a handler without keys.
    static let noConfiguration = "No configuration options exist for this handler."

    /// `<Name> Module`, the description, and the CONFIGURATION section
    /// (Perl's key table, or `noConfiguration`).
    static func text(module: String, _ description: String, configuration: String = noConfiguration) -> String {
        "\(module) Module\n\n\(description)\n\nCONFIGURATION\n\(configuration)"
    }

    /// A default configuration as Perl's JSON `pretty` writes it: sorted
    /// keys, 3-space indent.
    static func json(_ value: JSONValue) -> String {
        JSONSerializer.string(value, style: .perlPretty, sortKeys: true)
    }
}
