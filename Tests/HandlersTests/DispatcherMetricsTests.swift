import Handlers
import Metrics
import Milter
import Testing

/// With a tally on the session (the metrics endpoint on), the dispatcher
/// counts connections, processed mail and callback errors, and times each
/// handler and each stage; the handlers count their own results.
@Suite struct DispatcherMetricsTests {
    func entries(_ tally: MetricTally) throws -> [MetricDelta.Entry] {
        try MetricDelta.decode(tally.takeDelta(limit: 65_536))
    }

    @Test func theDispatcherCountsAndTimes() throws {
        let clock = FakeClock()
        let slow = ScriptedHandler()
        slow.onEndOfMessage = { _ in clock.advance(0.003) }
        let failing = ScriptedHandler()
        failing.onHelo = { _, _ in throw ScriptedFailure() }
        let harness = Harness(handlers: [slow, failing], clock: clock)
        let tally = MetricTally(handlerNames: ["Slow", "Failing"])
        harness.session.metrics = tally
        harness.openConnection()
        harness.sendMessage()
        let counted = try entries(tally)
        #expect(counted.contains(MetricDelta.Entry(family: .connect, labels: [], value: .counter(1))))
        #expect(counted.contains(MetricDelta.Entry(family: .mailProcessed, labels: ["accepted"], value: .counter(1))))
        #expect(counted.contains(MetricDelta.Entry(family: .callbackError, labels: ["helo"], value: .counter(1))))
        #expect(counted.contains(MetricDelta.Entry(family: .timeMicroseconds, labels: ["eom", "Slow"], value: .counter(3000))))
        var buckets = Array(repeating: UInt32(0), count: MetricHistogramBounds.bucketCount)
        buckets[MetricHistogramBounds.bucket(ofMicroseconds: 3000)] = 1
        #expect(counted.contains(MetricDelta.Entry(family: .callbackDuration, labels: ["eom"],
                                                   value: .histogram(buckets: buckets, sumMicroseconds: 3000))))
    }

    @Test func aRejectIsCountedAsRejected() throws {
        let rejecting = ScriptedHandler()
        rejecting.onEndOfMessage = { session in session.setVerdict(.reject("550 5.7.1 no")) }
        let harness = Harness(handlers: [rejecting])
        let tally = MetricTally(handlerNames: ["Rejecting"])
        harness.session.metrics = tally
        harness.openConnection()
        harness.sendMessage()
        #expect(try entries(tally).contains(MetricDelta.Entry(family: .mailProcessed, labels: ["rejected"], value: .counter(1))))
    }
}
