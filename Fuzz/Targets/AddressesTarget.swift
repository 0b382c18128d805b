@testable import MailAuth

/// Addresses in From-like header values (DMARC's From domains, SPF's
/// sender) and Sender ID's purported responsible address. Each input line
/// is a header field `Name: value`.
enum AddressesTarget {
    static let target = FuzzTarget(name: "addresses", run: run)

    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        let all = EmailAddressParser.addresses(in: text)
        let limit = input.count % 4
        let limited = EmailAddressParser.addresses(in: text, limit: limit)
        fuzzCheck(limited.count <= limit, "\(limited.count) addresses over the limit \(limit)")
        fuzzCheck(limited == Array(all.prefix(limited.count)), "limited list is not a prefix of the full one")
        for address in all {
            _ = EmailAddressParser.domain(of: address)
        }
        var fields: [(name: String, value: String)] = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
        }
        if let pra = SenderIDPRA.select(from: fields) {
            _ = SenderIDPRA.fieldKey(pra.fieldName)
        }
    }
}
