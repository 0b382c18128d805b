@testable import MailAuth

/// A DKIM key record (the TXT answer of selector._domainkey): tags, then
/// the key itself through OpenSSL (base64, DER, RSA or Ed25519). The
/// record is also given as several TXT strings, split where the first
/// input byte says.
enum DKIMKeyRecordTarget {
    static let target = FuzzTarget(name: "dkim-key", run: run)

    static func run(_ input: [UInt8]) {
        guard let first = input.first else { return }
        let record = Array(input.dropFirst())
        let whole = DKIMKeyRecord.parse(record)
        let cut = record.isEmpty ? 0 : Int(first) % (record.count + 1)
        let outcome = DNSOutcome.answer([.txt([Array(record[..<cut]), Array(record[cut...])])], ttl: 300)
        let evaluated = DKIMKeyRecord.evaluate(outcome)
        switch (whole, evaluated) {
        case (.success, .failure(let verdict)):
            fuzzCheck(false, "the record parses, its TXT answer is \(verdict)")
        default:
            break
        }
    }
}
