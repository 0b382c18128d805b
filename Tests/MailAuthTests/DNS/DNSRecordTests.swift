import MailAuth
import Testing

@Suite struct DNSRecordTests {
    @Test func buildersAndReaders() {
        #expect(DNSRecord.a("192.0.2.1") == .a([192, 0, 2, 1]))
        #expect(DNSRecord.aaaa("::1").addressText == "::1")
        #expect(DNSRecord.address("192.0.2.1")?.type == .a)
        #expect(DNSRecord.address("2001:db8::1")?.type == .aaaa)
        #expect(DNSRecord.address("mail.example.com") == nil)
        #expect(DNSRecord.txt("v=spf1 ", "-all").joinedText == Array("v=spf1 -all".utf8))
        #expect(DNSRecord.spf("v=spf1", " a").joinedText == Array("v=spf1 a".utf8))
        #expect(DNSRecord.txt().joinedText == [])
        #expect(DNSRecord.mx(preference: 5, exchange: "mx.test").target == "mx.test")
        #expect(DNSRecord.ptr("host.test").target == "host.test")
        #expect(DNSRecord.a("192.0.2.1").target == nil)
        #expect(DNSRecord.mx(preference: 5, exchange: "mx.test").joinedText == nil)
    }

    @Test func typesAndMnemonics() {
        #expect(DNSRecordType.spf.rawValue == 99)
        #expect(DNSRecordType(mnemonic: "txt") == .txt)
        #expect(DNSRecordType(mnemonic: "AAAA") == .aaaa)
        #expect(DNSRecordType(mnemonic: "SRV") == nil)
        for type in DNSRecordType.allCases { #expect(DNSRecordType(mnemonic: type.description) == type) }
        let soa = DNSRecord.soa(DNSSOA(mname: "ns.test", rname: "h.test"))
        #expect(soa.type == .soa)
        #expect(DNSRecord.ns("ns.test").type == .ns)
        #expect(DNSRecord.cname("x.test").type == .cname)
    }

    @Test func outcomeClassification() {
        #expect(DNSOutcome.nxdomain.isVoid && DNSOutcome.nodata.isVoid)
        #expect(!DNSOutcome.timeout.isVoid)
        #expect(DNSOutcome.timeout.isTemporaryFailure && DNSOutcome.servfail.isTemporaryFailure && DNSOutcome.error("x").isTemporaryFailure)
        #expect(!DNSOutcome.answer([.a("192.0.2.1")], ttl: 1).isTemporaryFailure)
        #expect(DNSOutcome.nodata.records.isEmpty)
        #expect(DNSQuestion(name: "Example.COM.", type: .mx).normalized == DNSQuestion(name: "example.com", type: .mx))
        #expect(DNSQuestion(name: "a.test", type: .txt).description == "a.test/TXT")
    }
}

@Suite struct DNSRecordPresentationTests {
    @Test func presentationPerType() {
        #expect(DNSRecord.a("192.0.2.1").presentation == "192.0.2.1")
        #expect(DNSRecord.aaaa("2001:db8::1").presentation(of: .aaaa) == "2001:db8::1")
        #expect(DNSRecord.aaaa("2001:db8::1").presentation(of: .a) == nil)
        #expect(DNSRecord.mx(preference: 10, exchange: "mx.test").presentation(of: .mx) == "mx.test")
        #expect(DNSRecord.txt("v=spf1 ", "-all").presentation == "v=spf1 -all")
        #expect(DNSRecord.txt([[0x61, 0xff]]).presentation == "a\u{FFFD}")
        #expect(DNSRecord.ptr("host.test").presentation == "host.test")
        #expect(DNSRecord.soa(DNSSOA(mname: "ns.test", rname: "h.test", serial: 7, refresh: 1, retry: 2, expire: 3, minimum: 4)).presentation
                == "ns.test h.test 7 1 2 3 4")
    }
}
