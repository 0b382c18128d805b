/// One SMTP transaction as the AbusixDataFeed handler records it at the
/// end of the headers: the fields of `Mail::DataFeed::Abusix` that come
/// from the mail (the feed's name, key, destination and listening port
/// are configuration, which the spool holds). A worker sends it to the
/// spool (`WorkerToSpool.abusixRecord`), which sends the datagram.
///
/// The flags are Perl's three states: nil is undef (the field is empty in
/// the datagram), else `Y` or `N`.
public struct AbusixFeedRecord: Equatable, Sendable {
    /// Unix time at MAIL FROM.
    public var time: Int64
    public var ipAddress: String
    /// The client's PTR names, Net::DNS's text (with the final dot), ",".
    public var reverseDNS: String
    public var helo: String
    public var usedESMTP: Bool?
    public var usedTLS: Bool?
    public var usedAuth: Bool?
    public var mailFromDomain: String

    public init(time: Int64, ipAddress: String, reverseDNS: String, helo: String,
                usedESMTP: Bool?, usedTLS: Bool?, usedAuth: Bool?, mailFromDomain: String) {
        self.time = time
        self.ipAddress = ipAddress
        self.reverseDNS = reverseDNS
        self.helo = helo
        self.usedESMTP = usedESMTP
        self.usedTLS = usedTLS
        self.usedAuth = usedAuth
        self.mailFromDomain = mailFromDomain
    }

    /// The longest text field a record carries, in bytes: a HELO name or a
    /// domain is far shorter; the PTR list is cut to fit.
    public static let maximumFieldBytes = 2048
    /// The largest encoded record (`WorkerToSpool`'s limit for it).
    public static let maximumEncodedBytes = 1 + 8 + 3 + 4 * (2 + maximumFieldBytes)

    /// version (1), time (i64 big-endian), the three flags (0 undef, 1 N,
    /// 2 Y), then ip, reverse DNS, HELO, domain (each u16 length + UTF-8).
    /// Fields longer than `maximumFieldBytes` are cut at a character
    /// boundary, so every record fits.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [1]
        let bits = UInt64(bitPattern: time)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        for flag in [usedESMTP, usedTLS, usedAuth] { out.append(flag.map { $0 ? 2 : 1 } ?? 0) }
        for field in [ipAddress, reverseDNS, helo, mailFromDomain] {
            let bytes = Self.cut(field)
            out.append(UInt8(bytes.count >> 8))
            out.append(UInt8(bytes.count & 0xff))
            out += bytes
        }
        return out
    }

    public init(encoded bytes: [UInt8]) throws(AbusixFeedError) {
        guard bytes.count <= Self.maximumEncodedBytes else { throw AbusixFeedError.malformedRecord("\(bytes.count) bytes, more than \(Self.maximumEncodedBytes)") }
        guard bytes.count >= 12 else { throw AbusixFeedError.malformedRecord("\(bytes.count) bytes, shorter than the fixed part") }
        guard bytes[0] == 1 else { throw AbusixFeedError.malformedRecord("version \(bytes[0])") }
        time = Int64(bitPattern: bytes[1..<9].reduce(0) { $0 << 8 | UInt64($1) })
        var flags: [Bool?] = []
        for byte in bytes[9..<12] {
            switch byte {
            case 0: flags.append(nil)
            case 1: flags.append(false)
            case 2: flags.append(true)
            default: throw AbusixFeedError.malformedRecord("flag value \(byte)")
            }
        }
        (usedESMTP, usedTLS, usedAuth) = (flags[0], flags[1], flags[2])
        var offset = 12
        var fields: [String] = []
        for _ in 0..<4 {
            guard bytes.count - offset >= 2 else { throw AbusixFeedError.malformedRecord("cut short at byte \(offset)") }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            offset += 2
            guard length <= Self.maximumFieldBytes, bytes.count - offset >= length else {
                throw AbusixFeedError.malformedRecord("field of \(length) bytes at byte \(offset - 2)")
            }
            guard let text = String(validating: bytes[offset..<offset + length], as: UTF8.self) else {
                throw AbusixFeedError.malformedRecord("field at byte \(offset - 2) is not UTF-8")
            }
            fields.append(text)
            offset += length
        }
        guard offset == bytes.count else { throw AbusixFeedError.malformedRecord("\(bytes.count - offset) bytes after the last field") }
        (ipAddress, reverseDNS, helo, mailFromDomain) = (fields[0], fields[1], fields[2], fields[3])
    }

    /// `text` in at most `maximumFieldBytes` bytes, whole characters.
    static func cut(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        guard bytes.count > maximumFieldBytes else { return bytes }
        var end = maximumFieldBytes
        // Back off continuation bytes (10xxxxxx) to a character start.
        while end > 0 && bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return Array(bytes[..<end])
    }
}
