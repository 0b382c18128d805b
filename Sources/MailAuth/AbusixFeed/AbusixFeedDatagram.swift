import COpenSSL

/// The UDP datagram of `Mail::DataFeed::Abusix` (version 1.20200617.1),
/// built from a record and the feed's configuration. Eleven lines joined
/// by "\n", then one more line with the checksum, no final newline:
///
///     feed_name
///     time
///     port                 (listening_port)
///     ip_address
///     reverse_dns
///     helo
///     used_esmtp           Y, N or empty
///     used_tls             Y, N or empty
///     used_auth            Y, N or empty
///     mail_from_domain
///     (empty: the "extended JSON" field the format reserves)
///     md5_hex(the eleven lines joined by "\n" + "\n" + feed_key)
///
/// A field never carries a line break of its own: CR and LF are removed
/// (Perl removes them from the PTR names; the other fields come from
/// SMTP, where a line break cannot be, but a record is never trusted).
public enum AbusixFeedDatagram {
    /// Abusix's collector port when `feed_dest` names none.
    public static let defaultPort: UInt16 = 12211

    public static func encode(_ record: AbusixFeedRecord, feedName: String, feedKey: String, port: String) -> [UInt8] {
        func flag(_ value: Bool?) -> String { value.map { $0 ? "Y" : "N" } ?? "" }
        let fields = [
            feedName, String(record.time), port, record.ipAddress, record.reverseDNS, record.helo,
            flag(record.usedESMTP), flag(record.usedTLS), flag(record.usedAuth), record.mailFromDomain, "",
        ].map(oneLine)
        let packet = fields.joined(separator: "\n")
        let checksum = md5Hex(Array((packet + "\n" + feedKey).utf8))
        return Array((packet + "\n" + checksum).utf8)
    }

    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "\n" || $0 == "\r" }) else { return text }
        var out = ""
        out.unicodeScalars.append(contentsOf: text.unicodeScalars.filter { $0 != "\n" && $0 != "\r" })
        return out
    }

    /// Lowercase hex MD5, as Perl's `Digest::MD5::md5_hex` (the format's
    /// checksum, not a security measure of ours).
    static func md5Hex(_ bytes: [UInt8]) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { raw in
            EVP_Digest(raw.baseAddress, raw.count, &digest, &length, EVP_md5(), nil)
        }
        guard ok == 1 else { return "" }
        return digest.prefix(Int(length)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
