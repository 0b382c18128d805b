import Handlers
import MailAuth
import Milter
import Testing

/// What the worker hands the spool for the error mail: a handler's throw
/// is recorded with the queue id and, when the connection ends, given to
/// `unexpectedErrorSink` once with the connection's trace (debug lines
/// included); a clean connection reports nothing.
@Suite struct DispatcherErrorReportTests {
    struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }

    final class Reports { var all: [(errors: [String], queueID: String, trace: [String])] = [] }

    static func harness(failing: Bool, reports: Reports) -> Harness {
        let handler = ScriptedHandler()
        handler.onEndOfHeaders = { session in
            session.log(.debug, key: "Scripted", "looked something up")
            if failing { throw Boom() }
        }
        let harness = Harness(handlers: [handler], settings: .with { $0.tempfailOnError = true })
        harness.session.keepsTrace = true
        harness.session.wallClock = { 1_700_000_000 }
        harness.session.logSink = { _, _ in }
        harness.session.unexpectedErrorSink = { errors, queueID, trace in reports.all.append((errors.map(\.text), queueID, trace)) }
        harness.openConnection()
        harness.send(.defineMacros(forCommand: UInt8(ascii: "M"), macros: [MilterMacro(name: "i", value: "QID7")]))
        return harness
    }

    @Test func aThrowIsReportedOnceWithTheTraceWhenTheConnectionEnds() {
        let reports = Reports()
        let harness = Self.harness(failing: true, reports: reports)
        harness.sendMessage()
        #expect(reports.all.isEmpty)
        harness.send(.quit)
        #expect(reports.all.count == 1)
        #expect(reports.all.first?.errors.count == 1)
        #expect(reports.all.first?.errors.first?.hasSuffix(" eoh callback error: boom") == true)
        #expect(reports.all.first?.queueID == "QID7")
        #expect(reports.all.first?.trace.contains("1700000000 debug QID7: Scripted: looked something up") == true)
        // Perl's per-callback debug lines, those before the queue id included.
        #expect(reports.all.first?.trace.contains("1700000000 debug --: CALLBACK: Connect") == true)
        #expect(reports.all.first?.trace.contains("1700000000 debug QID7: CALLBACK: EOH") == true)
        // The next connection on this session starts clean.
        harness.send(.quitNewConnection)
        #expect(reports.all.count == 1)
    }

    @Test func aCleanConnectionReportsNothing() {
        let reports = Reports()
        let harness = Self.harness(failing: false, reports: reports)
        harness.sendMessage()
        harness.send(.quit)
        #expect(reports.all.isEmpty)
        #expect(harness.session.trace.lines.isEmpty)
    }

    @Test func theTraceIsBounded() {
        var trace = ConnectionTrace()
        for n in 0..<(ConnectionTrace.maximumLines + 50) { trace.append("line \(n) " + String(repeating: "x", count: 2000), at: 1) }
        #expect(trace.lines.count == ConnectionTrace.maximumLines)
        #expect(trace.lines.first?.hasPrefix("1 line 50 ") == true)
        #expect(trace.lines.allSatisfy { $0.utf8.count <= ConnectionTrace.maximumLineBytes })
        let generation = trace.generation
        trace.removeAll()
        #expect(trace.lines.isEmpty && trace.generation == generation + 1)
    }
}
