/// Where a value sits inside a JSON document, e.g. `handlers.SPF.hide_none`
/// or `dns_resolvers[1]`. Used to name keys in configuration messages and
/// to find their line and column.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    public static let root = JSONPath()

    public var isRoot: Bool { components.isEmpty }

    public func appending(_ key: String) -> JSONPath { JSONPath(components + [.key(key)]) }
    public func appending(index: Int) -> JSONPath { JSONPath(components + [.index(index)]) }
    public func appending(_ other: JSONPath) -> JSONPath { JSONPath(components + other.components) }

    /// Keys that are plain words print bare; others (`ip_map."10.0.0.0/8"`,
    /// `smtp."unix:/var/sock"`) print quoted so the dots stay unambiguous.
    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let i):
                text += "[\(i)]"
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += JSONPath.isBare(key) ? key : JSONSerializer.quoted(key)
            }
        }
        return text
    }

    private static func isBare(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "!")
        }
    }
}
