/// A small XML reader for BIMI indicators: the well-formedness rules of
/// XML 1.0 that matter here, with namespaces, streamed to a visitor. It is
/// not a general XML parser on purpose: no DTD (a document with a DOCTYPE
/// is refused, so no entity can expand), only the five predefined entities
/// and character references, UTF-8 only, at most `maximumDepth` levels.
/// Every byte is hostile (the SVG comes from whatever server the record
/// names): each byte is looked at a bounded number of times.
public struct SVGXMLReader {
    /// One start tag as the visitor sees it.
    public struct Element: Sendable, Equatable {
        /// The namespace URI ("" for none) and the local name.
        public var namespace: String
        public var name: String
        /// Attributes other than namespace declarations: namespace URI
        /// ("" for an unprefixed one), local name, value.
        public var attributes: [(namespace: String, name: String, value: String)]
        /// 0 for the root.
        public var depth: Int

        public static func == (a: Element, b: Element) -> Bool {
            a.namespace == b.namespace && a.name == b.name && a.depth == b.depth
                && a.attributes.elementsEqual(b.attributes) { $0 == $1 }
        }
    }

    public enum Failure: Error, Sendable, Equatable {
        /// Not well-formed XML (Mail::BIMI: `SVG_INVALID_XML`).
        case notWellFormed(String)
        /// Well-formed enough, but a construct refused here (a DTD).
        case refused(String)
    }

    public static let maximumDepth = 256
    public static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    private let bytes: [UInt8]
    private var index = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Reads `data`, calling `start` for each start tag (with its depth)
    /// and `end` for each end, in document order.
    public static func read(_ data: [UInt8], start: (Element) throws(Failure) -> Void,
                            end: (Element) -> Void = { _ in }) throws(Failure) {
        guard String(validating: data, as: UTF8.self) != nil else {
            throw .notWellFormed("not UTF-8")
        }
        var reader = SVGXMLReader(data)
        try reader.run(start: start, end: end)
    }

    private mutating func run(start: (Element) throws(Failure) -> Void, end: (Element) -> Void) throws(Failure) {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        var open: [(qualified: [UInt8], element: Element, scope: [String: String])] = []
        var sawRoot = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte != 0x3C {
                if open.isEmpty {
                    guard Self.isSpace(byte) else { throw .notWellFormed("text outside the root element") }
                    index += 1
                } else {
                    try text()
                }
                continue
            }
            if has("<?") {
                try skip(past: "?>", what: "processing instruction")
            } else if has("<!--") {
                index += 4
                try skip(past: "-->", what: "comment")
            } else if has("<![CDATA[") {
                guard !open.isEmpty else { throw .notWellFormed("CDATA outside the root element") }
                try skip(past: "]]>", what: "CDATA section")
            } else if has("<!DOCTYPE") || has("<!doctype") {
                throw .refused("a DOCTYPE (DTDs are not read)")
            } else if has("</") {
                index += 2
                let name = try self.name()
                skipSpaces()
                guard index < bytes.count, bytes[index] == 0x3E else { throw .notWellFormed("bad end tag") }
                index += 1
                guard let last = open.popLast(), last.qualified == name else { throw .notWellFormed("mismatched end tag") }
                end(last.element)
            } else {
                index += 1
                guard !sawRoot || !open.isEmpty else { throw .notWellFormed("content after the root element") }
                sawRoot = true
                guard open.count < Self.maximumDepth else { throw .notWellFormed("nested deeper than \(Self.maximumDepth)") }
                let qualified = try name()
                var raw: [([UInt8], String)] = []
                var selfClosing = false
                while true {
                    let hadSpace = skipSpaces()
                    guard index < bytes.count else { throw .notWellFormed("unterminated start tag") }
                    if bytes[index] == 0x3E { index += 1; break }
                    if has("/>") { index += 2; selfClosing = true; break }
                    guard hadSpace else { throw .notWellFormed("attributes must be separated by spaces") }
                    let attribute = try name()
                    skipSpaces()
                    guard index < bytes.count, bytes[index] == 0x3D else { throw .notWellFormed("attribute without a value") }
                    index += 1
                    skipSpaces()
                    let value = try attributeValue()
                    guard !raw.contains(where: { $0.0 == attribute }) else { throw .notWellFormed("duplicate attribute") }
                    raw.append((attribute, value))
                }
                var scope = open.last?.scope ?? ["xml": Self.xmlNamespace]
                for (name, value) in raw {
                    if name == Array("xmlns".utf8) {
                        scope[""] = value
                    } else if name.starts(with: Array("xmlns:".utf8)) {
                        let prefix = String(decoding: name.dropFirst(6), as: UTF8.self)
                        guard !value.isEmpty, prefix != "xmlns", prefix != "xml" || value == Self.xmlNamespace else {
                            throw .notWellFormed("bad namespace declaration")
                        }
                        scope[prefix] = value
                    }
                }
                let (namespace, local) = try Self.resolve(qualified, scope, isAttribute: false)
                var attributes: [(namespace: String, name: String, value: String)] = []
                for (name, value) in raw where name != Array("xmlns".utf8) && !name.starts(with: Array("xmlns:".utf8)) {
                    let (attributeNamespace, attributeName) = try Self.resolve(name, scope, isAttribute: true)
                    guard !attributes.contains(where: { $0.namespace == attributeNamespace && $0.name == attributeName }) else {
                        throw .notWellFormed("duplicate attribute")
                    }
                    attributes.append((attributeNamespace, attributeName, value))
                }
                let element = Element(namespace: namespace, name: local, attributes: attributes, depth: open.count)
                try start(element)
                if selfClosing {
                    end(element)
                } else {
                    open.append((qualified, element, scope))
                }
            }
        }
        guard sawRoot else { throw .notWellFormed("no root element") }
        guard open.isEmpty else { throw .notWellFormed("unclosed element") }
    }

    private static func resolve(_ qualified: [UInt8], _ scope: [String: String], isAttribute: Bool) throws(Failure) -> (String, String) {
        guard let colon = qualified.firstIndex(of: 0x3A) else {
            return (isAttribute ? "" : scope[""] ?? "", String(decoding: qualified, as: UTF8.self))
        }
        let prefix = String(decoding: qualified[..<colon], as: UTF8.self)
        let local = qualified[(colon + 1)...]
        guard !prefix.isEmpty, !local.isEmpty, !local.contains(0x3A) else { throw .notWellFormed("bad qualified name") }
        guard let namespace = scope[prefix] else { throw .notWellFormed("namespace prefix \(prefix.prefix(40)) is not bound") }
        return (namespace, String(decoding: local, as: UTF8.self))
    }

    private func has(_ text: String) -> Bool {
        let pattern = text.utf8
        guard index + pattern.count <= bytes.count else { return false }
        return bytes[index..<index + pattern.count].elementsEqual(pattern)
    }

    private mutating func skip(past terminator: String, what: String) throws(Failure) {
        let count = terminator.utf8.count
        while index + count <= bytes.count {
            if has(terminator) {
                index += count
                return
            }
            index += 1
        }
        throw .notWellFormed("unterminated \(what)")
    }

    @discardableResult
    private mutating func skipSpaces() -> Bool {
        let before = index
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
        return index > before
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x5F || byte == 0x3A || byte >= 0x80
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
    }

    private mutating func name() throws(Failure) -> [UInt8] {
        guard index < bytes.count, Self.isNameStart(bytes[index]) else { throw .notWellFormed("a name was expected") }
        let start = index
        while index < bytes.count, Self.isNameByte(bytes[index]) { index += 1 }
        return Array(bytes[start..<index])
    }

    private mutating func attributeValue() throws(Failure) -> String {
        guard index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x27 else { throw .notWellFormed("unquoted attribute value") }
        let quote = bytes[index]
        index += 1
        var value: [UInt8] = []
        while index < bytes.count, bytes[index] != quote {
            let byte = bytes[index]
            guard byte != 0x3C else { throw .notWellFormed("< in an attribute value") }
            if byte == 0x26 {
                value += try reference()
            } else {
                // Attribute value normalisation: whitespace becomes a space.
                value.append(Self.isSpace(byte) ? 0x20 : byte)
                index += 1
            }
        }
        guard index < bytes.count else { throw .notWellFormed("unterminated attribute value") }
        index += 1
        return String(decoding: value, as: UTF8.self)
    }

    private mutating func text() throws(Failure) {
        while index < bytes.count, bytes[index] != 0x3C {
            if bytes[index] == 0x26 {
                _ = try reference()
            } else {
                if has("]]>") { throw .notWellFormed("]]> in text") }
                index += 1
            }
        }
    }

    /// `&name;` or `&#N;`/`&#xH;` at `index`: the bytes it stands for.
    private mutating func reference() throws(Failure) -> [UInt8] {
        let start = index + 1
        var end = start
        while end < bytes.count, end - start <= 10, bytes[end] != 0x3B { end += 1 }
        guard end < bytes.count, bytes[end] == 0x3B else { throw .notWellFormed("bad entity or character reference") }
        let body = String(decoding: bytes[start..<end], as: UTF8.self)
        index = end + 1
        switch body {
        case "amp": return [0x26]
        case "lt": return [0x3C]
        case "gt": return [0x3E]
        case "quot": return [0x22]
        case "apos": return [0x27]
        default:
            var scalar: UInt32?
            if body.hasPrefix("#x") {
                scalar = UInt32(body.dropFirst(2), radix: 16)
            } else if body.hasPrefix("#"), body.dropFirst().allSatisfy(\.isASCII) {
                scalar = UInt32(body.dropFirst(), radix: 10)
            }
            guard let scalar, let value = Unicode.Scalar(scalar),
                  scalar == 0x9 || scalar == 0xA || scalar == 0xD || scalar >= 0x20 else {
                throw .notWellFormed("bad entity or character reference")
            }
            return Array(String(Character(value)).utf8)
        }
    }
}
