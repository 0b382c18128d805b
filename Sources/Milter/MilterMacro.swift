/// One macro (Sendmail "symbol") the MTA defined: a name such as `j`, `i` or
/// `{daemon_name}` and its value, exactly as sent.
public struct MilterMacro: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// The name without the braces long names are written with.
    ///
    /// Sendmail configurations and Postfix's `milter_*_macros` may spell the
    /// same macro `j` or `{j}`, and handlers ask for it either way, so all
    /// lookups go through this one spelling. A name is unbraced only when it
    /// has something between the braces.
    public static func canonicalName(_ name: String) -> String {
        let scalars = name.unicodeScalars
        guard scalars.count > 2, scalars.first == "{", scalars.last == "}" else {
            return name
        }
        return String(scalars.dropFirst().dropLast())
    }
}
