@testable import MailAuth

/// Addresses in From-like header values: the lenient parser, the strict
/// one (DMARC's From domains, SPF's sender) and Sender ID's purported
/// responsible address. Each input line
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
        strictParser(text, keep: limit)
        var fields: [(name: String, value: String)] = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
        }
        if let pra = SenderIDPRA.select(from: fields) {
            _ = SenderIDPRA.fieldKey(pra.fieldName)
        }
    }

    /// The strict parser: keeping fewer mailboxes changes neither the
    /// verdict nor the count, and what is kept is a prefix; every mailbox's
    /// `addrSpec` parses back to the same local part and domain (except a
    /// local part with two dots in a row, which Email::Address::XS, and so
    /// `addrSpec`, writes without quotes).
    static func strictParser(_ text: String, keep: Int) {
        let full = MailboxListParser.parse(text)
        let limited = MailboxListParser.parse(text, keepingAtMost: keep)
        switch (full, limited) {
        case (.success(let all), .success(let some)):
            fuzzCheck(all.mailboxCount == some.mailboxCount, "mailbox count depends on the limit")
            fuzzCheck(some.mailboxes.count <= keep, "\(some.mailboxes.count) mailboxes over the limit \(keep)")
            fuzzCheck(some.mailboxes == Array(all.mailboxes.prefix(some.mailboxes.count)), "kept mailboxes are not a prefix")
            for mailbox in all.mailboxes where !mailbox.localPart.contains("..") {
                let again = MailboxListParser.singleMailbox(mailbox.addrSpec)
                fuzzCheck(again?.localPart == mailbox.localPart && again?.domain == mailbox.domain,
                          "addrSpec does not parse back: \(mailbox.addrSpec)")
            }
        case (.failure(let one), .failure(let other)):
            fuzzCheck(one == other, "the error depends on the limit")
        default:
            fuzzCheck(false, "the verdict depends on the limit")
        }
    }
}
