import IPC
import MailAuth
import Testing

@Suite struct DNSHelperIPCTests {
    static let everyRecord: [DNSRecord] = [
        .a("192.0.2.1"),
        .aaaa("2001:db8::1"),
        .txt("v=spf1 ", "ip4:192.0.2.0/24 -all"),
        .txt([[0x00, 0xff], []]),
        .txt(),
        .spf("v=spf1 -all"),
        .mx(preference: 10, exchange: "mx.example.test"),
        .ptr("host.example.test"),
        .cname("alias.example.test"),
        .ns("ns1.example.test"),
        .soa(DNSSOA(mname: "ns.example.test", rname: "hostmaster.example.test", serial: 2024010101,
                    refresh: 3600, retry: 600, expire: 1_209_600, minimum: 300)),
    ]

    static let everyOutcome: [DNSOutcome] = [
        .answer(everyRecord, ttl: 3600),
        .answer([.a("192.0.2.1")], ttl: 0),
        .nxdomain, .nodata, .servfail, .timeout,
        .error("REFUSED"), .error(""),
    ]

    func roundTrip(_ message: DNSIPCMessage) throws -> DNSIPCMessage {
        let bytes = message.frame.encoded()
        switch message {
        case .query:
            var inbox = IPCInbox(receiving: WorkerToDNSHelper.self)
            try inbox.append(bytes[...])
            let received = try #require(try inbox.next(WorkerToDNSHelper.self))
            #expect(inbox.bufferedBytes == 0)
            return try DNSIPCMessage(frame: IPCFrame(received.kind, payload: received.payload))
        case .answer:
            var inbox = IPCInbox(receiving: DNSHelperToWorker.self)
            try inbox.append(bytes[...])
            let received = try #require(try inbox.next(DNSHelperToWorker.self))
            #expect(inbox.bufferedBytes == 0)
            return try DNSIPCMessage(frame: IPCFrame(received.kind, payload: received.payload))
        }
    }

    @Test func queriesRoundTrip() throws {
        for type in DNSRecordType.allCases {
            let message = DNSIPCMessage.query(id: 0xdead_beef, question: DNSQuestion(name: "Mixed.Case.example.TEST.", type: type))
            #expect(try roundTrip(message) == message)
        }
        let odd = DNSIPCMessage.query(id: 0, question: DNSQuestion(name: "ü\\032.test", type: .txt))
        #expect(try roundTrip(odd) == odd)
    }

    @Test(arguments: DNSHelperIPCTests.everyOutcome)
    func answersRoundTrip(_ outcome: DNSOutcome) throws {
        let message = DNSIPCMessage.answer(id: 42, outcome: outcome, keepSeconds: 3_600)
        #expect(try roundTrip(message) == message)
    }

    @Test func queryLayoutIsFixed() {
        // kind 30, u32 id, u16 type, u32 length + name: the worker and the
        // helper are built together, but the layout is documented.
        let frame = DNSIPCMessage.query(id: 7, question: DNSQuestion(name: "ab", type: .mx)).frame
        #expect(frame.kind == 30)
        #expect(frame.payload == [0, 0, 0, 7, 0, 15, 0, 0, 0, 2, 0x61, 0x62])
        let answer = DNSIPCMessage.answer(id: 7, outcome: .answer([.a("192.0.2.1")], ttl: 300), keepSeconds: 60).frame
        #expect(answer.kind == 31)
        // u32 id, u32 keep, then the outcome.
        #expect(answer.payload == [0, 0, 0, 7, 0, 0, 0, 60, 0, 0, 0, 1, 0x2c, 0, 0, 0, 1, 0, 1, 0, 0, 0, 4, 192, 0, 2, 1])
    }

    @Test func malformedFramesAreRefused() {
        func decode(_ kind: UInt8, _ payload: [UInt8]) -> DNSIPCError? {
            do {
                _ = try DNSIPCMessage(frame: IPCFrame(kind: kind, payload: payload))
                return nil
            } catch {
                return error
            }
        }
        #expect(decode(9, []) == .unknownKind(9))
        #expect(decode(30, [0, 0, 0, 1]) == .truncated)
        #expect(decode(30, [0, 0, 0, 1, 0, 250, 0, 0, 0, 0]) == .unknownRecordType(250))
        #expect(decode(30, [0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0x61, 0x00]) == .trailingBytes)
        #expect(decode(30, [0, 0, 0, 1, 0, 1, 0, 0, 0x10, 0] + [UInt8](repeating: 0x61, count: 4096)) == .nameTooLong(4096))
        // Answers: u32 id, u32 keep, then the outcome.
        #expect(decode(31, [0, 0, 0, 1, 0, 0]) == .truncated)
        #expect(decode(31, [0, 0, 0, 1, 0, 0, 0, 0, 9]) == .unknownOutcome(9))
        #expect(decode(31, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]) == .truncated)   // a billion records, no bytes
        #expect(decode(31, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 3, 1, 2, 3]) == .badAddressLength(3))
        #expect(decode(31, [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 28, 0, 0, 0, 4, 1, 2, 3, 4]) == .badAddressLength(4))
        #expect(decode(31, [0, 0, 0, 1, 0, 0, 0, 0, 5, 0, 0, 0, 9, 0x61]) == .truncated)
    }
}
