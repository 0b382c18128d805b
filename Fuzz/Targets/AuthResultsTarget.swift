@testable import Handlers
@testable import MailAuth

/// Authentication-Results values as received: Sanitize's authserv-id
/// parser (which decides whether a header is removed), the segment
/// splitter, ARC-Authentication-Results records and the DMARC handler's
/// reading of their results (the ARC override of section 2.3 of RFC 8617).
enum AuthResultsTarget {
    static let target = FuzzTarget(name: "auth-results", run: run)

    static func run(_ input: [UInt8]) {
        let value = String(decoding: input, as: UTF8.self)
        if let claimed = SanitizeHandler.claimedAuthservID(value) {
            // Like Perl's parser, the tokeniser reads CR and LF as spaces.
            // Compared as bytes: a combining mark after a space would make
            // Character comparison miss it.
            let spaced = value.utf8.map { $0 == 0x0D || $0 == 0x0A ? 0x20 : $0 }
            fuzzCheck(contains(spaced, Array(claimed.utf8)), "authserv-id \(claimed) is not in the value")
        }
        _ = AuthResultsSegments.split(value)
        _ = DMARCARCResults.entries(value)
        let field = MessageHeaderField(name: Array("ARC-Authentication-Results".utf8), value: input)
        if let record = ARCAuthenticationResultsRecord(field: field) {
            fuzzCheck((0...99).contains(record.instance), "instance \(record.instance) is not a position")
            _ = DMARCARCResults.spf([record])
            _ = DMARCARCResults.dkim([record])
            _ = DMARCARCResults.remoteIP(record)
        }
    }

    static func contains(_ bytes: [UInt8], _ part: [UInt8]) -> Bool {
        guard !part.isEmpty else { return true }
        guard part.count <= bytes.count else { return false }
        for start in 0...(bytes.count - part.count) where bytes[start..<(start + part.count)].elementsEqual(part) {
            return true
        }
        return false
    }
}
