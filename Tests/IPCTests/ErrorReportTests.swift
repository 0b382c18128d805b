import IPC
import Testing

@Suite struct ErrorReportTests {
    @Test func roundTrips() throws {
        let report = ErrorReport(kind: .handlerError, text: "DKIM eom callback error: boom", role: "worker", pid: 77,
                                 queueID: "Q1", trace: ["1 info Q1: DKIM: x", "2 debug Q1: y"])
        #expect(try ErrorReport(encoded: report.encoded()) == report)
        #expect(WorkerToSpool(code: 44) == .errorReport)
        #expect(MasterToHelper(code: 80) == .errorReport)
    }

    @Test func aHugeTraceIsCutFromItsOldestEndToFit() throws {
        let trace = (0..<2000).map { "\($0) " + String(repeating: "x", count: 900) }
        let report = ErrorReport(kind: .timeout, text: String(repeating: "t", count: 10_000), role: "worker", pid: 1, trace: trace)
        let bytes = report.encoded()
        #expect(bytes.count <= ErrorReport.maximumEncodedBytes)
        let back = try ErrorReport(encoded: bytes)
        #expect(back.text.utf8.count == ErrorReport.maximumTextBytes)
        #expect(back.trace.last == trace.last)
        #expect(back.trace.count < trace.count)
    }

    @Test func refusesWhatIsNotAReport() {
        #expect(throws: IPCError.self) { try ErrorReport(encoded: Array("{}".utf8)) }
        #expect(throws: IPCError.self) { try ErrorReport(encoded: Array(#"{"kind":"bogus","text":"","role":"w","pid":1,"trace":[]}"#.utf8)) }
        #expect(throws: IPCError.self) { try ErrorReport(encoded: [UInt8](repeating: 0x20, count: ErrorReport.maximumEncodedBytes + 1)) }
    }
}

@Suite struct DequeueStateTests {
    @Test func roundTripsAndRefusesTheUnknown() throws {
        let state = DequeueState(key: "dmarc_report", waiting: 12, run: "partial")
        #expect(try DequeueState(encoded: state.encoded()) == state)
        #expect(try DequeueState(encoded: DequeueState(key: "dmarc_report", waiting: 0, run: nil).encoded()).run == nil)
        #expect(throws: IPCError.self) { try DequeueState(encoded: Array(#"{"key":"other","waiting":1}"#.utf8)) }
        #expect(throws: IPCError.self) { try DequeueState(encoded: Array(#"{"key":"dmarc_report","waiting":-1}"#.utf8)) }
        #expect(throws: IPCError.self) { try DequeueState(encoded: Array(#"{"key":"dmarc_report","waiting":1,"run":"exploded"}"#.utf8)) }
        #expect(HelperToMaster(code: 81) == .dequeueState)
    }
}
