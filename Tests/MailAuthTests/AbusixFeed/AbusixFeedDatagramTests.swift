@testable import MailAuth
import Testing

/// The datagram of Mail::DataFeed::Abusix 1.20200617.1, byte for byte
/// (the checksums computed apart, with Python's hashlib).
@Suite struct AbusixFeedDatagramTests {
    @Test func theSynopsisTransaction() {
        let record = AbusixFeedRecord(time: 1_591_234_567, ipAddress: "1.2.3.4", reverseDNS: "test.example.org", helo: "server.example.org",
                                      usedESMTP: true, usedTLS: true, usedAuth: false, mailFromDomain: "from.example.org")
        let bytes = AbusixFeedDatagram.encode(record, feedName: "testing_feed", feedKey: "this_is_a_secret", port: "25")
        #expect(String(decoding: bytes, as: UTF8.self) ==
                "testing_feed\n1591234567\n25\n1.2.3.4\ntest.example.org\nserver.example.org\nY\nY\nN\nfrom.example.org\n\n422be29c1179855ec76832222c3a6d45")
    }

    /// Perl's undef fields are empty lines.
    @Test func undefinedFieldsAreEmpty() {
        let record = AbusixFeedRecord(time: 0, ipAddress: "", reverseDNS: "", helo: "", usedESMTP: nil, usedTLS: nil, usedAuth: nil, mailFromDomain: "")
        #expect(String(decoding: AbusixFeedDatagram.encode(record, feedName: "feed", feedKey: "k", port: ""), as: UTF8.self) ==
                "feed\n0\n\n\n\n\n\n\n\n\n\n449170cd1ef6a7fe084a1b6424ec15a8")
    }

    @Test func aLineBreakInAFieldCannotAddALine() {
        let record = AbusixFeedRecord(time: 1, ipAddress: "1.2.3.4", reverseDNS: "a.\r\nb.", helo: "h\nx", usedESMTP: nil, usedTLS: nil, usedAuth: nil, mailFromDomain: "d")
        let text = String(decoding: AbusixFeedDatagram.encode(record, feedName: "f", feedKey: "k", port: "25"), as: UTF8.self)
        #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == 12)
        #expect(text.hasPrefix("f\n1\n25\n1.2.3.4\na.b.\nhx\n"))
    }

    @Test func recordsRoundTripAndBrokenOnesAreRefused() throws {
        let record = AbusixFeedRecord(time: -5, ipAddress: "2001:db8::1", reverseDNS: "a.,b.", helo: "h", usedESMTP: nil, usedTLS: false, usedAuth: true, mailFromDomain: "é.example")
        let bytes = record.encoded()
        #expect(Array(bytes.prefix(12)) == [1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb, 0, 1, 2])
        #expect(try AbusixFeedRecord(encoded: bytes) == record)
        #expect(throws: AbusixFeedError.malformedRecord("1 bytes after the last field")) { try AbusixFeedRecord(encoded: bytes + [0]) }
        #expect(throws: AbusixFeedError.malformedRecord("flag value 3")) { try AbusixFeedRecord(encoded: Array(bytes.prefix(9)) + [3, 0, 0]) }
        #expect(throws: AbusixFeedError.malformedRecord("cut short at byte 12")) { try AbusixFeedRecord(encoded: Array(bytes.prefix(12))) }
        // A field over the limit is cut at a character boundary.
        let long = AbusixFeedRecord(time: 0, ipAddress: "", reverseDNS: String(repeating: "é", count: 2000), helo: "", usedESMTP: nil, usedTLS: nil, usedAuth: nil, mailFromDomain: "")
        let decoded = try AbusixFeedRecord(encoded: long.encoded())
        #expect(decoded.reverseDNS.utf8.count == AbusixFeedRecord.maximumFieldBytes)
        #expect(long.encoded().count <= AbusixFeedRecord.maximumEncodedBytes)
    }

    @Test func destinations() throws {
        #expect(try AbusixFeedDestination.parseList("a.example, b.example:99") == [AbusixFeedDestination(host: "a.example", port: 12211),
                                                                                  AbusixFeedDestination(host: "b.example", port: 99)])
        #expect(throws: AbusixFeedError.invalidDestination(entry: "x:70000", reason: "port '70000' is not a number from 1 to 65535")) {
            try AbusixFeedDestination.parse("x:70000")
        }
    }
}
