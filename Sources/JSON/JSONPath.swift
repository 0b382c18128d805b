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

    /// The path `description` printed (`.a.b[2]`, `a."x.y"`; a leading dot
    /// is allowed, for a path that continues another), or nil for text no
    /// path prints as.
    public init?(parsing text: String) {
        var components: [Component] = []
        var bytes = Substring(text).utf8[...]
        while let first = bytes.first {
            switch first {
            case UInt8(ascii: "."):
                bytes = bytes.dropFirst()
            case UInt8(ascii: "["):
                guard let close = bytes.firstIndex(of: UInt8(ascii: "]")),
                      let index = Int(String(decoding: bytes[bytes.index(after: bytes.startIndex)..<close], as: UTF8.self)) else { return nil }
                components.append(.index(index))
                bytes = bytes[bytes.index(after: close)...]
            case UInt8(ascii: "\""):
                // A quoted key: JSON string syntax up to the closing quote.
                var end = bytes.index(after: bytes.startIndex)
                var escaped = false
                while end < bytes.endIndex {
                    let byte = bytes[end]
                    if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { break }
                    end = bytes.index(after: end)
                }
                guard end < bytes.endIndex,
                      case .string(let key)? = try? JSONParser.parse(Array(bytes[bytes.startIndex...end])) else { return nil }
                components.append(.key(key))
                bytes = bytes[bytes.index(after: end)...]
            default:
                let end = bytes.firstIndex { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "[") } ?? bytes.endIndex
                components.append(.key(String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)))
                bytes = bytes[end...]
            }
        }
        self.components = components
    }

    private static func isBare(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "!")
        }
    }
}
