@testable import DNSHelperPacket
@testable import LDNSRecords
@testable import MailAuth

/// DNS responses as the DNS helper reads them from upstream servers: ldns
/// parses the wire format, then `LDNSRecordConversion` turns the records
/// into our types. Names come out in presentation form; addresses have
/// their sizes.
enum DNSAnswerTarget {
    static let target = FuzzTarget(name: "dns-answer", run: run)

    static func run(_ input: [UInt8]) {
        let response: LDNSPacket.Response
        do {
            response = try input.withUnsafeBytes { bytes throws(LDNSPacket.ParseError) in try LDNSPacket.parse(bytes) }
        } catch {
            return
        }
        _ = DNSName.fromWire(response.qnameWire)
        for answer in response.message.answers {
            switch answer.record {
            case .a(let bytes): fuzzCheck(bytes.count == 4, "A record of \(bytes.count) bytes")
            case .aaaa(let bytes): fuzzCheck(bytes.count == 16, "AAAA record of \(bytes.count) bytes")
            default: break
            }
            _ = answer.record.presentation
        }
    }
}
