import MailAuth

/// Wire form of a `DNSOutcome` inside an answer frame:
///
///     u8 tag: 0 answer, 1 nxdomain, 2 nodata, 3 servfail, 4 timeout, 5 error
///     answer: u32 ttl, u32 count, then per record u16 type + rdata:
///         A/AAAA   data (4 or 16 bytes)
///         TXT/SPF  u32 string count, data per string
///         MX       u16 preference, string exchange
///         PTR/CNAME/NS  string name
///         SOA      string mname, string rname, u32 serial refresh retry expire minimum
///     error: string text
///
/// (`data` and `string` are IPCWriter's u32 length + bytes.)
public enum DNSIPCOutcomeCodec {
    static let answerTag: UInt8 = 0
    static let nxdomainTag: UInt8 = 1
    static let nodataTag: UInt8 = 2
    static let servfailTag: UInt8 = 3
    static let timeoutTag: UInt8 = 4
    static let errorTag: UInt8 = 5

    public static func encode(_ outcome: DNSOutcome, into writer: inout IPCWriter) {
        switch outcome {
        case .answer(let records, let ttl):
            writer.u8(answerTag)
            writer.u32(ttl)
            writer.u32(UInt32(records.count))
            for record in records { encode(record, into: &writer) }
        case .nxdomain: writer.u8(nxdomainTag)
        case .nodata: writer.u8(nodataTag)
        case .servfail: writer.u8(servfailTag)
        case .timeout: writer.u8(timeoutTag)
        case .error(let text):
            writer.u8(errorTag)
            writer.string(text)
        }
    }

    public static func decode(from reader: inout IPCReader) throws(DNSIPCError) -> DNSOutcome {
        do {
            switch try reader.u8() {
            case answerTag:
                let ttl = try reader.u32()
                let count = try reader.u32()
                var records: [DNSRecord] = []
                // No reserveCapacity(count): the count is not trusted, the
                // bytes that follow are (each record consumes some).
                for _ in 0..<count { records.append(try decodeRecord(from: &reader)) }
                return .answer(records, ttl: ttl)
            case nxdomainTag: return .nxdomain
            case nodataTag: return .nodata
            case servfailTag: return .servfail
            case timeoutTag: return .timeout
            case errorTag: return .error(try reader.string())
            case let tag: throw DNSIPCError.unknownOutcome(tag)
            }
        } catch let error as DNSIPCError {
            throw error
        } catch {
            throw .truncated
        }
    }

    static func encode(_ record: DNSRecord, into writer: inout IPCWriter) {
        writer.u16(record.type.rawValue)
        switch record {
        case .a(let bytes), .aaaa(let bytes):
            writer.data(bytes)
        case .txt(let strings), .spf(let strings):
            writer.u32(UInt32(strings.count))
            for string in strings { writer.data(string) }
        case .mx(let preference, let exchange):
            writer.u16(preference)
            writer.string(exchange)
        case .ptr(let name), .cname(let name), .ns(let name):
            writer.string(name)
        case .soa(let soa):
            writer.string(soa.mname)
            writer.string(soa.rname)
            writer.u32(soa.serial)
            writer.u32(soa.refresh)
            writer.u32(soa.retry)
            writer.u32(soa.expire)
            writer.u32(soa.minimum)
        }
    }

    static func decodeRecord(from reader: inout IPCReader) throws -> DNSRecord {
        let code = try reader.u16()
        guard let type = DNSRecordType(rawValue: code) else { throw DNSIPCError.unknownRecordType(code) }
        switch type {
        case .a:
            let bytes = try reader.data()
            guard bytes.count == 4 else { throw DNSIPCError.badAddressLength(bytes.count) }
            return .a(bytes)
        case .aaaa:
            let bytes = try reader.data()
            guard bytes.count == 16 else { throw DNSIPCError.badAddressLength(bytes.count) }
            return .aaaa(bytes)
        case .txt, .spf:
            let count = try reader.u32()
            var strings: [[UInt8]] = []
            for _ in 0..<count { strings.append(try reader.data()) }
            return type == .txt ? .txt(strings) : .spf(strings)
        case .mx:
            let preference = try reader.u16()
            return .mx(preference: preference, exchange: try reader.string())
        case .ptr: return .ptr(try reader.string())
        case .cname: return .cname(try reader.string())
        case .ns: return .ns(try reader.string())
        case .soa:
            let mname = try reader.string()
            let rname = try reader.string()
            return .soa(DNSSOA(mname: mname, rname: rname, serial: try reader.u32(), refresh: try reader.u32(),
                               retry: try reader.u32(), expire: try reader.u32(), minimum: try reader.u32()))
        }
    }
}
