@testable import MasterSupport
import Testing

/// The master's choice of worker for a new connection (issue 12): the one
/// idle for the shortest time, at once when it is warm or nobody else is
/// busy, else after a short wait for a busy worker to come free.
@Suite struct WarmWorkerPreferenceTests {
    let preference = WarmWorkerPreference(warmSeconds: 0.002, holdSeconds: 0.002)

    @Test func aWarmWorkerTakesTheConnectionAtOnce() {
        #expect(preference.takesNow(idleSince: 10.0, arrivedAt: 10.001, anotherWorkerBusy: true, now: 10.001))
        #expect(preference.takesNow(idleSince: 10.0, arrivedAt: 10.0019, anotherWorkerBusy: true, now: 10.0019))
    }

    @Test func aColdWorkerWaitsWhileAnotherMayComeFree() {
        // Idle for 5 ms: cold. A worker is busy, so the connection waits...
        #expect(!preference.takesNow(idleSince: 10.0, arrivedAt: 10.005, anotherWorkerBusy: true, now: 10.005))
        #expect(!preference.takesNow(idleSince: 10.0, arrivedAt: 10.005, anotherWorkerBusy: true, now: 10.0069))
        // ...for at most the hold, then the cold worker takes it.
        #expect(preference.takesNow(idleSince: 10.0, arrivedAt: 10.005, anotherWorkerBusy: true, now: 10.0071))
        #expect(abs(preference.holdEnds(arrivedAt: 10.005) - 10.007) < 1e-9)
    }

    @Test func aColdWorkerTakesTheConnectionWhenNobodyElseIsBusy() {
        // Nothing will come free sooner: waiting would only add latency.
        #expect(preference.takesNow(idleSince: 0, arrivedAt: 3600, anotherWorkerBusy: false, now: 3600))
    }

    @Test func withoutAHoldNothingWaits() {
        let none = WarmWorkerPreference(warmSeconds: 0, holdSeconds: 0)
        #expect(none.takesNow(idleSince: 0, arrivedAt: 5, anotherWorkerBusy: true, now: 5))
        // Negative settings are no settings.
        #expect(WarmWorkerPreference(warmSeconds: -1, holdSeconds: -1) == none)
    }

    @Test func theWorkerIdleForTheShortestTimeIsChosen() {
        let idle: [(pid: Int, since: Double)] = [(11, 5.0), (12, 9.5), (13, 7.0)]
        #expect(WarmWorkerPreference.mostRecentlyIdle(idle) { $0.since }?.pid == 12)
        #expect(WarmWorkerPreference.mostRecentlyIdle([(pid: Int, since: Double)]()) { $0.since } == nil)
        // A worker never idle yet (0) loses to one idle since any time.
        #expect(WarmWorkerPreference.mostRecentlyIdle([(pid: 1, since: 0.0), (pid: 2, since: 0.5)]) { $0.since }?.pid == 2)
    }

    @Test func sparesAreRetiredColdestFirst() {
        let idle: [(pid: Int, since: Double)] = [(11, 5.0), (12, 9.5), (13, 7.0)]
        #expect(WarmWorkerPreference.retirementOrder(idle) { $0.since }.map(\.pid) == [11, 13, 12])
    }

    @Test func shortConnectionsAreNotHeld() {
        var standard = WarmWorkerPreference.standard
        // Nothing measured yet: no hold.
        #expect(standard.takesNow(idleSince: 0, arrivedAt: 10, anotherWorkerBusy: true, now: 10))
        // Connections of 3 ms: a cold worker waits for a warm one.
        for _ in 0..<200 { standard.connectionEnded(lastedSeconds: 0.003) }
        #expect(standard.holdsPay && abs(standard.averageConnectionSeconds - 0.003) < 0.0001)
        #expect(!standard.takesNow(idleSince: 0, arrivedAt: 10, anotherWorkerBusy: true, now: 10))
        // Connections of 0.3 ms (AddID alone): the wait would cost more
        // than it saves.
        for _ in 0..<200 { standard.connectionEnded(lastedSeconds: 0.0003) }
        #expect(!standard.holdsPay)
        #expect(standard.takesNow(idleSince: 0, arrivedAt: 10, anotherWorkerBusy: true, now: 10))
        // One long connection does not turn holds on at once.
        standard.connectionEnded(lastedSeconds: 0.005)
        #expect(!standard.holdsPay)
    }

    @Test func aHoldEndsWithinHalfTheQueueTimeout() {
        // The queue closes what waited connection_queue_timeout: a held
        // connection must be served before that.
        var preference = self.preference
        #expect(preference.effectiveHoldSeconds == 0.002)
        preference.queueTimeoutSeconds = 0.001
        #expect(preference.effectiveHoldSeconds == 0.0005)
        #expect(!preference.takesNow(idleSince: 0, arrivedAt: 10, anotherWorkerBusy: true, now: 10.0004))
        #expect(preference.takesNow(idleSince: 0, arrivedAt: 10, anotherWorkerBusy: true, now: 10.0006))
        #expect(abs(preference.holdEnds(arrivedAt: 10) - 10.0005) < 1e-9)
        preference.queueTimeoutSeconds = 25
        #expect(preference.effectiveHoldSeconds == 0.002)
    }

    @Test func theMasterWaitsAtMostAFewMilliseconds() {
        #expect(WarmWorkerPreference.standard.holdSeconds <= 0.005)
        #expect(WarmWorkerPreference.standard.warmSeconds > 0)
    }
}
