import Shared

/// The connecting client's address as the IP handlers see it: parsed once,
/// and written the way Perl's Net::IP `ip()` writes it, because that text
/// is what the Perl handlers put into headers and comments (IPRev's
/// `smtp.remote-ip=` and its "looking up ... PTR" notes): a dotted quad, or
/// all eight IPv6 groups in full, four lowercase hex digits each.
struct ClientAddress: Equatable, Sendable {
    /// 4 bytes for IPv4, 16 for IPv6 (IPv4-mapped addresses stay IPv6, as
    /// they do for Net::IP).
    let bytes: [UInt8]

    /// Nil for anything that is not one address: empty text (a Unix-socket
    /// client), `[UNAVAILABLE]`, garbage, a range. Sendmail's `IPv6:` prefix
    /// and surrounding brackets are accepted.
    init?(_ text: String) {
        // inet_pton would stop at a NUL and accept what came before it.
        guard !text.utf8.contains(0), text.utf8.count <= 64 else { return nil }
        var candidate = Substring(text)
        if candidate.hasPrefix("[") && candidate.hasSuffix("]") && candidate.count >= 2 {
            candidate = candidate.dropFirst().dropLast()
        }
        if candidate.utf8.count > 5, String(candidate.prefix(5)).lowercased() == "ipv6:" {
            candidate = candidate.dropFirst(5)
        }
        guard let parsed = IPMapNetwork.parseAddress(String(candidate)) else { return nil }
        bytes = parsed
    }

    var isIPv6: Bool { bytes.count == 16 }

    /// Net::IP's `ip()`: `192.0.2.1`, `2001:0db8:0000:0000:0000:0000:0000:0001`.
    var perlText: String {
        if !isIPv6 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        for pair in stride(from: 0, to: 16, by: 2) {
            let value = Int(bytes[pair]) << 8 | Int(bytes[pair + 1])
            let hex = String(value, radix: 16)
            groups.append(String(repeating: "0", count: 4 - hex.count) + hex)
        }
        return groups.joined(separator: ":")
    }

    /// The name a PTR lookup asks for: `1.2.0.192.in-addr.arpa`, or the
    /// 32 nibbles under `ip6.arpa`.
    var reverseName: String {
        if !isIPv6 { return bytes.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa" }
        var nibbles: [String] = []
        for byte in bytes.reversed() {
            nibbles.append(String(byte & 0x0F, radix: 16))
            nibbles.append(String(byte >> 4, radix: 16))
        }
        return nibbles.joined(separator: ".") + ".ip6.arpa"
    }
}
