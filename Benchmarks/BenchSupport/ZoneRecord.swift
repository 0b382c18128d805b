/// A DNS record of a benchmark zone, and its line in unbound's
/// configuration (`local-data`, `local-data-ptr`, `local-zone`).
public struct ZoneRecord: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Text, cut into strings of at most 255 bytes (RFC 1035 section
        /// 3.3.14; a DKIM RSA-2048 key record needs two).
        case txt(String)
        case a(String)
        case mx(preference: Int, exchange: String)
        /// A PTR for `name`, an IPv4 address (unbound's `local-data-ptr`
        /// writes the in-addr.arpa name).
        case ptr(String)
    }

    public var name: String
    public var kind: Kind

    public init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// `name` with a final dot.
    static func absolute(_ name: String) -> String { name.hasSuffix(".") ? name : name + "." }

    /// The line for unbound's `server:` clause. Text with a quote, a
    /// backslash or a byte outside printable ASCII is refused: the records
    /// a mix publishes never need one.
    public func unboundLine(ttl: Int = 3600) throws(Failure) -> String {
        switch kind {
        case .txt(let text):
            guard text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "'")
                && $0 != UInt8(ascii: "\\") }) else {
                throw Failure(description: "TXT of \(name) has a character unbound's local-data cannot take here")
            }
            let bytes = Array(text.utf8)
            var strings: [String] = []
            var offset = 0
            repeat {
                let end = min(bytes.count, offset + 255)
                strings.append("\"" + String(decoding: bytes[offset..<end], as: UTF8.self) + "\"")
                offset = end
            } while offset < bytes.count
            return "local-data: '\(Self.absolute(name)) \(ttl) IN TXT \(strings.joined(separator: " "))'"
        case .a(let address):
            return "local-data: '\(Self.absolute(name)) \(ttl) IN A \(address)'"
        case .mx(let preference, let exchange):
            return "local-data: '\(Self.absolute(name)) \(ttl) IN MX \(preference) \(Self.absolute(exchange))'"
        case .ptr(let target):
            return "local-data-ptr: '\(name) \(ttl) \(Self.absolute(target))'"
        }
    }

    /// The `server:` lines for the zones `zones` (each `static`, with an
    /// SOA so negative answers carry one and may be cached, RFC 2308
    /// section 5) and the records.
    public static func unboundLines(zones: [String], records: [ZoneRecord], ttl: Int = 3600) throws(Failure) -> [String] {
        var lines: [String] = []
        for zone in zones {
            let name = absolute(zone)
            lines.append("local-zone: '\(name)' static")
            lines.append("local-data: '\(name) \(ttl) IN SOA ns.bench.example. hostmaster.bench.example. 1 3600 600 86400 \(ttl)'")
        }
        for record in records { lines.append(try record.unboundLine(ttl: ttl)) }
        return lines
    }

    /// The in-addr.arpa zone of an IPv4 /24 (`192.0.2.7` gives
    /// `2.0.192.in-addr.arpa`).
    public static func reverseZone(of address: String) -> String? {
        let octets = address.split(separator: ".")
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return nil }
        return "\(octets[2]).\(octets[1]).\(octets[0]).in-addr.arpa"
    }
}
