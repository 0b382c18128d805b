/// The attributes of one `XFORWARD` command (Postfix's XFORWARD_README):
/// `NAME`, `ADDR`, `HELO`, `IDENT` (and `PROTO`, `SOURCE`, `PORT`, which
/// are kept but not used). `[UNAVAILABLE]` means Postfix does not know the
/// value; `ADDR` may carry an `IPv6:` prefix.
public struct SMTPXForward: Sendable, Equatable {
    public var name: String?
    public var address: String?
    public var helo: String?
    public var ident: String?
    /// Attributes we do not use, in order, for the log.
    public var others: [String] = []

    public static let unavailable = "[UNAVAILABLE]"

    public init() {}

    /// Applies the attributes of one XFORWARD line to what earlier lines
    /// gave (Postfix may split them over several commands). Attribute
    /// names are case-insensitive; a value without `=` is ignored.
    public mutating func apply(_ text: String) {
        for entry in text.split(separator: " ") {
            guard let equals = entry.firstIndex(of: "=") else {
                others.append(String(entry))
                continue
            }
            let key = entry[..<equals].uppercased()
            let value = String(entry[entry.index(after: equals)...])
            switch key {
            case "NAME": name = value
            case "ADDR": address = value
            case "HELO": helo = value
            case "IDENT": ident = value
            default: others.append(String(entry))
            }
        }
    }

    /// The client address without Postfix's `IPv6:` prefix; nil when not
    /// given or unavailable.
    public var clientAddress: String? {
        guard var address, address != Self.unavailable, !address.isEmpty else { return nil }
        if address.uppercased().hasPrefix("IPV6:") { address = String(address.dropFirst(5)) }
        return address
    }

    public var clientName: String? {
        guard let name, name != Self.unavailable, !name.isEmpty else { return nil }
        return name
    }

    public var clientHelo: String? {
        guard let helo, helo != Self.unavailable, !helo.isEmpty else { return nil }
        return helo
    }

    public var upstreamIdent: String? {
        guard let ident, ident != Self.unavailable, !ident.isEmpty else { return nil }
        return ident
    }

    public var isEmpty: Bool { name == nil && address == nil && helo == nil && ident == nil }

    /// The XFORWARD command that replays these facts downstream, values as
    /// received, in the Perl milter's order (HELO, ADDR, NAME, IDENT); one
    /// command where Perl sends one per attribute (XFORWARD_README allows
    /// several attributes per command: one round trip instead of four).
    /// Nil when there is nothing to replay.
    public var replayCommand: String? {
        var attributes: [String] = []
        if let helo { attributes.append("HELO=\(helo)") }
        if let address { attributes.append("ADDR=\(address)") }
        if let name { attributes.append("NAME=\(name)") }
        if let ident { attributes.append("IDENT=\(ident)") }
        return attributes.isEmpty ? nil : "XFORWARD " + attributes.joined(separator: " ")
    }
}
