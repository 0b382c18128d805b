#if canImport(Glibc)
import Glibc
#endif
import CLDNS
import LDNSRecords
import MailAuth

/// The only place the helper touches ldns: building query packets and
/// decoding responses into `DNSResponseMessage`. Everything ldns allocates
/// is freed before returning; a packet ldns cannot parse, or a record whose
/// rdata does not have the shape of its type, makes the whole response
/// malformed (callers log it and treat the server as failed).
enum LDNSPacket {
    /// Recommended EDNS0 UDP payload size (DNS flag day 2020); the Perl
    /// program sets 1240 on Net::DNS.
    static let udpPayloadSize: UInt16 = 1232

    struct Query {
        /// The packet, with id 0: `withID` patches the first two bytes.
        var wire: [UInt8]
        /// The question name in wire format, for matching responses.
        var qnameWire: [UInt8]
        /// The question name as the helper follows it (presentation form
        /// of the wire name, normalized).
        var canonicalName: String

        func withID(_ id: UInt16) -> [UInt8] {
            var bytes = wire
            bytes[0] = UInt8(id >> 8)
            bytes[1] = UInt8(id & 0xff)
            return bytes
        }
    }

    /// A recursion-desired query with EDNS0, or nil when the name is not a
    /// valid domain name (label over 63 bytes, name over 255, empty label).
    static func query(_ question: DNSQuestion) -> Query? {
        guard !question.name.isEmpty, let dname = ldns_dname_new_frm_str(question.name) else { return nil }
        let qnameWire = Array(UnsafeBufferPointer(start: ldns_rdf_data(dname), count: ldns_rdf_size(dname)))
        // ldns_pkt_query_new takes ownership of dname.
        guard let packet = ldns_pkt_query_new(dname, ldns_rr_type(rawValue: UInt32(question.type.rawValue)),
                                              LDNS_RR_CLASS_IN, UInt16(LDNS_RD)) else { return nil }
        defer { ldns_pkt_free(packet) }
        ldns_pkt_set_id(packet, 0)
        ldns_pkt_set_edns_udp_size(packet, udpPayloadSize)
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        guard ldns_pkt2wire(&out, packet, &size) == LDNS_STATUS_OK, let out, size >= 12 else { return nil }
        defer { free(out) }
        guard let canonical = DNSName.fromWire(qnameWire) else { return nil }
        return Query(wire: Array(UnsafeBufferPointer(start: out, count: size)), qnameWire: qnameWire,
                     canonicalName: DNSName.normalized(canonical))
    }

    struct Response {
        var id: UInt16
        var isResponse: Bool
        var truncated: Bool
        var qnameWire: [UInt8]
        var qtype: UInt16
        var qclass: UInt16
        var message: DNSResponseMessage
    }

    enum ParseError: Error, CustomStringConvertible {
        case unparsable(String)
        case badQuestion
        case badRecord(DNSRecordType)

        var description: String {
            switch self {
            case .unparsable(let why): return "unparsable packet (\(why))"
            case .badQuestion: return "no single question in the answer"
            case .badRecord(let type): return "malformed \(type) record"
            }
        }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) throws(ParseError) -> Response {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { throw .unparsable("empty") }
        var parsed: UnsafeMutablePointer<ldns_pkt>? = nil
        let status = ldns_wire2pkt(&parsed, base, bytes.count)
        guard status == LDNS_STATUS_OK, let packet = parsed else {
            if let parsed { ldns_pkt_free(parsed) }
            throw .unparsable(String(cString: ldns_get_errorstr_by_id(status)))
        }
        defer { ldns_pkt_free(packet) }
        guard let questions = ldns_pkt_question(packet), ldns_rr_list_rr_count(questions) == 1,
              let question = ldns_rr_list_rr(questions, 0), let owner = ldns_rr_owner(question) else {
            throw .badQuestion
        }
        let rcode = DNSResponseCode(rawValue: UInt8(truncatingIfNeeded: ldns_pkt_get_rcode(packet).rawValue))
        let message: DNSResponseMessage
        do {
            message = try LDNSRecordConversion.message(of: packet, rcode: rcode)
        } catch {
            throw .badRecord(error.type)
        }
        return Response(id: ldns_pkt_id(packet), isResponse: ldns_pkt_qr(packet) != 0, truncated: ldns_pkt_tc(packet) != 0,
                        qnameWire: bytesOf(owner), qtype: UInt16(truncatingIfNeeded: ldns_rr_get_type(question).rawValue),
                        qclass: UInt16(truncatingIfNeeded: ldns_rr_get_class(question).rawValue), message: message)
    }

    private static func bytesOf(_ rdf: UnsafeMutablePointer<ldns_rdf>) -> [UInt8] {
        LDNSRecordConversion.bytes(of: rdf)
    }

    /// Whether two wire-format names are equal, ignoring ASCII case.
    static func sameName(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            let lx = (x >= 0x41 && x <= 0x5a) ? x | 0x20 : x
            let ly = (y >= 0x41 && y <= 0x5a) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }

    /// Exercises everything ldns initialises lazily (its random source,
    /// packet building and parsing) before seccomp is loaded.
    static func warmUp() -> Bool {
        _ = ldns_get_random()
        guard let q = query(DNSQuestion(name: "warm-up.invalid", type: .txt)) else { return false }
        let bytes = q.withID(0x1234)
        return bytes.withUnsafeBytes { raw in (try? parse(raw)) != nil }
    }
}
