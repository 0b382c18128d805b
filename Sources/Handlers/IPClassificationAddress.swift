
/// The connecting client's address as the IP handlers see it: parsed once,
/// and written the way the Perl handlers write it. Since 3.20250611 ("Use
/// canonical string representation for IPv6 addresses", PR #164) Perl's
/// `ip_address()` is Net::IP's `short()`: a dotted quad, or IPv6 compressed
/// by Net::IP's `ip_compress_address` (lower-case hex without leading
/// zeros, the longest run of two or more zero groups as `::`). That text
/// goes into IPRev's `smtp.remote-ip=` and its "looking up ... PTR" notes,
/// and into DMARC report rows' `source_ip`.
import Config

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

    /// Net::IP's `short()`: `192.0.2.1`, `2001:db8::1`. An IPv4-mapped
    /// address stays hexadecimal (`::ffff:c000:201`), as Net::IP writes it.
    var perlText: String {
        if !isIPv6 { return bytes.map(String.init).joined(separator: ".") }
        var groups: [String] = []
        for pair in stride(from: 0, to: 16, by: 2) {
            groups.append(String(Int(bytes[pair]) << 8 | Int(bytes[pair + 1]), radix: 16))
        }
        return Self.netIPCompressed(groups)
    }

    /// The name a DNS list is asked for this client under `zone` (Perl's
    /// `rbl_check_ip`): the IPv4 octets reversed (`2.0.0.127.zone`), or
    /// the 32 hex digits of an IPv6 address reversed, one label each
    /// (`1.0.0.0.….8.b.d.0.1.0.0.2.zone`; an IPv4-mapped address is IPv6
    /// for Net::IP, so its nibbles).
    func dnsListName(under zone: String) -> String {
        var labels: [String] = []
        labels.reserveCapacity(bytes.count * 2 + 1)
        for byte in bytes.reversed() {
            if isIPv6 {
                labels.append(String(byte & 0x0f, radix: 16))
                labels.append(String(byte >> 4, radix: 16))
            } else {
                labels.append(String(byte))
            }
        }
        labels.append(zone)
        return labels.joined(separator: ".")
    }

    /// Net::IP's `ip_compress_address` on groups already without leading
    /// zeros: it scans the text for runs `(^|:)0(:0)+(:|$)` and keeps the
    /// first run whose TEXT is strictly longer than the best so far, then
    /// replaces it by `::`. The text length counts the colons the run
    /// took, so a run at the start (no colon before it) loses to a later
    /// run of as many groups in the middle; otherwise this is RFC 5952
    /// section 4.2.3 (longest run, the first of equal ones).
    static func netIPCompressed(_ groups: [String]) -> String {
        var best: (start: Int, count: Int, textLength: Int)?
        var index = 0
        while index < groups.count {
            guard groups[index] == "0" else { index += 1; continue }
            var end = index
            while end + 1 < groups.count && groups[end + 1] == "0" { end += 1 }
            let count = end - index + 1
            if count >= 2 {
                // "0" and ":0" per group, plus the colon before (if not at
                // the start) and the one after (if not at the end).
                let textLength = count * 2 - 1 + (index > 0 ? 1 : 0) + (end < groups.count - 1 ? 1 : 0)
                if textLength > (best?.textLength ?? 0) { best = (index, count, textLength) }
            }
            index = end + 1
        }
        guard let run = best else { return groups.joined(separator: ":") }
        let head = groups[..<run.start].joined(separator: ":")
        let tail = groups[(run.start + run.count)...].joined(separator: ":")
        return head + "::" + tail
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
