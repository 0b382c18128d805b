import CLDNS
import MailAuth

/// ldns packets to the project's DNS types: the one conversion both the DNS
/// helper (its own UDP/TCP) and the report commands' stub resolver use.
/// Only class IN records of the types `DNSRecordType` models are kept; a
/// record whose data do not have the shape of its type is an error, never
/// a guess.
public enum LDNSRecordConversion {
    /// A record of `type` whose data are malformed.
    public struct Malformed: Error, CustomStringConvertible, Equatable {
        public var type: DNSRecordType
        public var description: String { "malformed \(type) record" }
    }

    /// The answer section's records and the authority section's first SOA
    /// (for the negative TTL), with the given response code.
    public static func message(of packet: UnsafeMutablePointer<ldns_pkt>, rcode: DNSResponseCode) throws(Malformed) -> DNSResponseMessage {
        var message = DNSResponseMessage(rcode: rcode)
        if let answers = ldns_pkt_answer(packet) {
            for index in 0..<ldns_rr_list_rr_count(answers) {
                if let rr = ldns_rr_list_rr(answers, index), let record = try record(rr) { message.answers.append(record) }
            }
        }
        if let authority = ldns_pkt_authority(packet) {
            for index in 0..<ldns_rr_list_rr_count(authority) {
                if let rr = ldns_rr_list_rr(authority, index), ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA,
                   let record = try record(rr) {
                    message.authoritySOA = record
                    break
                }
            }
        }
        return message
    }

    /// One record; nil for a type or class we do not model.
    public static func record(_ rr: UnsafeMutablePointer<ldns_rr>) throws(Malformed) -> DNSResourceRecord? {
        guard ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN,
              let type = DNSRecordType(rawValue: UInt16(truncatingIfNeeded: ldns_rr_get_type(rr).rawValue)) else { return nil }
        let bad = Malformed(type: type)
        guard let ownerField = ldns_rr_owner(rr), let owner = DNSName.fromWire(bytes(of: ownerField)) else { throw bad }
        let fields: [[UInt8]] = (0..<ldns_rr_rd_count(rr)).map { index in ldns_rr_rdf(rr, index).map(bytes(of:)) ?? [] }
        func name(_ index: Int) throws(Malformed) -> String {
            guard index < fields.count, let text = DNSName.fromWire(fields[index]) else { throw bad }
            return text
        }
        func u32(_ index: Int) throws(Malformed) -> UInt32 {
            guard index < fields.count, fields[index].count == 4 else { throw bad }
            return fields[index].reduce(0) { $0 << 8 | UInt32($1) }
        }
        let record: DNSRecord
        switch type {
        case .a:
            guard fields.count == 1, fields[0].count == 4 else { throw bad }
            record = .a(fields[0])
        case .aaaa:
            guard fields.count == 1, fields[0].count == 16 else { throw bad }
            record = .aaaa(fields[0])
        case .txt, .spf:
            // Each field is one <character-string>: a length byte, then data.
            var strings: [[UInt8]] = []
            for field in fields {
                guard let length = field.first, Int(length) == field.count - 1 else { throw bad }
                strings.append(Array(field.dropFirst()))
            }
            record = type == .txt ? .txt(strings) : .spf(strings)
        case .mx:
            guard fields.count == 2, fields[0].count == 2 else { throw bad }
            record = .mx(preference: UInt16(fields[0][0]) << 8 | UInt16(fields[0][1]), exchange: try name(1))
        case .ptr:
            record = .ptr(try name(0))
        case .cname:
            record = .cname(try name(0))
        case .ns:
            record = .ns(try name(0))
        case .soa:
            guard fields.count == 7 else { throw bad }
            record = .soa(DNSSOA(mname: try name(0), rname: try name(1), serial: try u32(2), refresh: try u32(3),
                                 retry: try u32(4), expire: try u32(5), minimum: try u32(6)))
        }
        return DNSResourceRecord(owner: owner, ttl: ldns_rr_ttl(rr), record: record)
    }

    /// An rdf's data bytes (for a name: its wire form).
    public static func bytes(of rdf: UnsafeMutablePointer<ldns_rdf>) -> [UInt8] {
        guard let data = ldns_rdf_data(rdf) else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: ldns_rdf_size(rdf)))
    }
}
