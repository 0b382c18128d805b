/// An `https://` URI of a BIMI record split for a request: the host (a DNS
/// name or an IP literal), the port and the request target. Only what an
/// HTTPS GET needs; anything unusual is refused (a userinfo part, a host
/// that is not a plain name or address, a bad port), since the URI comes
/// from a DNS record anybody can publish.
public struct BIMIHTTPSURL: Sendable, Equatable {
    public var host: String
    /// The literal address when the host is one (no DNS lookup then).
    public var address: IPAddress?
    public var port: UInt16
    /// The path and query, `/` when the URI has none; no fragment.
    public var target: String

    public init?(_ text: String) {
        guard BIMIRecord.isHTTPSURI(text) else { return nil }
        var rest = Substring(text.dropFirst("https://".count))
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        target = path.isEmpty ? "/" : (path.first == "?" ? "/" + path : String(path))
        guard !authority.contains("@"), !authority.isEmpty else { return nil }
        var hostPart = authority
        var portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { return nil }
                portText = after.dropFirst()
            }
            guard hostPart.contains(":"), let literal = IPAddress(hostPart), literal.isIPv6 else { return nil }
            address = literal
        } else {
            if let colon = authority.lastIndex(of: ":") {
                hostPart = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            }
            address = IPAddress(hostPart)
            guard address != nil || Self.isHostName(hostPart) else { return nil }
        }
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCII),
                  let number = UInt16(portText), number > 0 else { return nil }
            port = number
        } else {
            port = 443
        }
        host = hostPart.lowercased()
    }

    /// Letters, digits, hyphens and dots, labels of 1 to 63 bytes, at most
    /// 253 bytes in all.
    static func isHostName(_ text: Substring) -> Bool {
        var name = text
        if name.last == "." { name = name.dropLast() }
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, label.utf8.count <= 63,
                  label.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
            else { return false }
        }
        return true
    }

    /// The `Host:` field of the request.
    public var hostHeader: String {
        let shown = address?.isIPv6 == true ? "[\(host)]" : host
        return port == 443 ? shown : "\(shown):\(port)"
    }
}
