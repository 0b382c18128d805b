import Testing

@testable import BenchSupport

/// The zone a mix publishes, as unbound configuration lines.
@Suite struct ZoneRecordTests {
    @Test func recordLines() throws {
        #expect(try ZoneRecord("a.example", .a("192.0.2.1")).unboundLine() == "local-data: 'a.example. 3600 IN A 192.0.2.1'")
        #expect(try ZoneRecord("a.example.", .mx(preference: 10, exchange: "mx.a.example")).unboundLine(ttl: 60)
            == "local-data: 'a.example. 60 IN MX 10 mx.a.example.'")
        #expect(try ZoneRecord("192.0.2.1", .ptr("mail.a.example")).unboundLine() == "local-data-ptr: '192.0.2.1 3600 mail.a.example.'")
        #expect(try ZoneRecord("a.example", .txt("v=spf1 -all")).unboundLine() == "local-data: 'a.example. 3600 IN TXT \"v=spf1 -all\"'")
    }

    @Test func longTextIsCutInto255ByteStrings() throws {
        let key = "v=DKIM1; k=rsa; p=" + String(repeating: "A", count: 392)
        let line = try ZoneRecord("s._domainkey.a.example", .txt(key)).unboundLine()
        let strings = line.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        #expect(strings.map(\.utf8.count) == [255, key.utf8.count - 255])
        #expect(strings.joined() == key)
        let exact = try ZoneRecord("x.example", .txt(String(repeating: "b", count: 255))).unboundLine()
        #expect(exact.split(separator: "\"").count == 3, "255 bytes: one string")
        let empty = try ZoneRecord("x.example", .txt("")).unboundLine()
        #expect(empty == "local-data: 'x.example. 3600 IN TXT \"\"'")
    }

    @Test func refusesQuotesAndControlCharacters() {
        for text in ["say \"hi\"", "it's", "back\\slash", "tab\there", "caf\u{E9}"] {
            #expect(throws: ZoneRecord.Failure.self) { try ZoneRecord("x.example", .txt(text)).unboundLine() }
        }
    }

    @Test func zonesAreStaticWithAnSOA() throws {
        let lines = try ZoneRecord.unboundLines(zones: ["example", "2.0.192.in-addr.arpa"], records: [ZoneRecord("a.example", .a("192.0.2.1"))])
        #expect(lines.count == 5)
        #expect(lines[0] == "local-zone: 'example.' static")
        #expect(lines[1].hasPrefix("local-data: 'example. 3600 IN SOA "))
        #expect(lines[2] == "local-zone: '2.0.192.in-addr.arpa.' static")
        #expect(lines[4] == "local-data: 'a.example. 3600 IN A 192.0.2.1'")
    }

    @Test func reverseZones() {
        #expect(ZoneRecord.reverseZone(of: "198.51.100.7") == "100.51.198.in-addr.arpa")
        #expect(ZoneRecord.reverseZone(of: "2001:db8::1") == nil)
        #expect(ZoneRecord.reverseZone(of: "300.1.1.1") == nil)
    }
}
