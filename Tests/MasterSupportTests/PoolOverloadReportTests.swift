import Testing

@testable import MasterSupport

/// The master's log line about an exhausted pool: counts, at most one
/// line per interval, the first at once.
@Suite struct PoolOverloadReportTests {
    @Test func nothingHappenedNothingLogged() {
        var report = PoolOverloadReport(intervalSeconds: 10)
        let line = report.line(now: 100, maxChildren: 4, queueTimeout: 1)
        #expect(line == nil)
    }

    @Test func countsAndRateLimits() throws {
        var report = PoolOverloadReport(intervalSeconds: 10)
        report.recordQueued()
        report.recordQueued()
        report.recordServedFromQueue(waited: 0.25)
        report.recordClosedTimedOut()
        report.recordClosedQueueFull()
        report.recordClosedQueueFull()
        let firstLine = report.line(now: 100, maxChildren: 4, queueTimeout: 1)
        let first = try #require(firstLine)
        #expect(first.warning)
        #expect(first.text == "no idle worker (max_children 4): 2 connection(s) waited for a worker, 1 of them served after at most 250 ms; "
                + "3 closed unanswered (2 with the wait queue full, 1 after waiting 1.0s): the MTA applies its milter_default_action to them")
        // Counts restarted; the next line waits for the interval.
        report.recordQueued()
        report.recordServedFromQueue(waited: 0.1)
        let tooSoon = report.line(now: 105, maxChildren: 4, queueTimeout: 1)
        #expect(tooSoon == nil)
        let secondLine = report.line(now: 110, maxChildren: 4, queueTimeout: 1)
        let second = try #require(secondLine)
        #expect(!second.warning, "everything waiting was served: information, not a warning")
        #expect(second.text == "no idle worker (max_children 4): 1 connection(s) waited for a worker, 1 of them served after at most 100 ms")
        let quiet = report.line(now: 200, maxChildren: 4, queueTimeout: 1)
        #expect(quiet == nil)
    }

    @Test func withoutQueueingOnlyTheClosedAreCounted() throws {
        var report = PoolOverloadReport(intervalSeconds: 10)
        report.recordClosedQueueFull()
        let lineLine = report.line(now: 0, maxChildren: 1, queueTimeout: 0)
        let line = try #require(lineLine)
        #expect(line.text == "no idle worker (max_children 1): 1 closed unanswered (1 with the wait queue full, 0 after waiting 0.0s): "
                + "the MTA applies its milter_default_action to them")
    }
}
