import DMARCReports
import Testing

@Suite struct DequeueScheduleTests {
    @Test func perlsDefaultsGiveAMinuteFiveMinutesAndFiveBatches() {
        let schedule = DequeueSchedule(checkForDequeue: 60, dequeueTimeout: 300, maxDequeue: 5, now: 1000)
        #expect(schedule.intervalSeconds == 60 && schedule.timeoutSeconds == 300 && schedule.rowsPerRun == 5000)
        // Unset (or 0, which the configuration reads as unset): no limit, as Perl.
        #expect(DequeueSchedule(checkForDequeue: 60, dequeueTimeout: nil, maxDequeue: 5, now: 0).timeoutSeconds == .infinity)
        #expect(!schedule.isDue(now: 1059) && schedule.isDue(now: 1060))
        #expect(schedule.pollMilliseconds(now: 1030, waiting: true) == 30_000)
        #expect(schedule.pollMilliseconds(now: 1030, waiting: false) == -1)
    }

    @Test func aCutRunComesBackSoonAFailedOneBacksOff() {
        var schedule = DequeueSchedule(checkForDequeue: 60, dequeueTimeout: 10, maxDequeue: 1, now: 0)
        schedule.finished(.partial, now: 100)
        #expect(schedule.nextRun == 101)
        schedule.finished(.timeout, now: 200)
        #expect(schedule.nextRun == 201)
        schedule.finished(.failed, now: 300)
        #expect(schedule.nextRun == 360)
        schedule.finished(.failed, now: 400)
        #expect(schedule.nextRun == 520)
        for _ in 0..<5 { schedule.finished(.failed, now: 1000) }
        #expect(schedule.nextRun == 1480)
        schedule.finished(.done, now: 2000)
        #expect(schedule.nextRun == 2060)
    }

    @Test func zeroMeansNoTimedRuns() {
        for schedule in [DequeueSchedule(checkForDequeue: 0, dequeueTimeout: nil, maxDequeue: 5, now: 0),
                         DequeueSchedule(checkForDequeue: 60, dequeueTimeout: nil, maxDequeue: 0, now: 0)] {
            #expect(schedule.intervalSeconds == nil)
            #expect(!schedule.isDue(now: 1e9))
            #expect(schedule.pollMilliseconds(now: 0, waiting: true) == -1)
        }
    }
}
