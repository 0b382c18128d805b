import MailAuth
import Testing

@Suite struct DNSAttemptScheduleTests {
    @Test func oneServerTwoRoundsRetriesEarlyAndListensToTheEnd() {
        let schedule = DNSAttemptSchedule(servers: 1, rounds: 2, timeout: 10000)
        #expect(schedule.attempts.map(\.server) == [0, 0])
        #expect(schedule.attempts.map(\.wait) == [800, 9200])
    }

    @Test func roundsGoOverEveryServerWithDoublingWaits() {
        let schedule = DNSAttemptSchedule(servers: 3, rounds: 3, timeout: 21000)
        #expect(schedule.attempts.map(\.server) == [0, 1, 2, 0, 1, 2, 0, 1, 2])
        #expect(schedule.attempts.map(\.wait) == [800, 800, 800, 1600, 1600, 1600, 3200, 3200, 7400])
        #expect(schedule.attempts.reduce(0) { $0 + $1.wait } == 21000)
    }

    @Test func aShortTimeoutIsScaledAsBefore() {
        // 3 s over 1 server and 2 rounds: 1 s then 2 s (below initialWait
        // the even scaling applies).
        let schedule = DNSAttemptSchedule(servers: 1, rounds: 2, timeout: 1500)
        #expect(schedule.attempts.map(\.wait) == [500, 1000])
    }

    @Test func boundsAreEnforced() {
        #expect(DNSAttemptSchedule(servers: 0, rounds: 0, timeout: 1000).attempts.count == 1)
        #expect(DNSAttemptSchedule(servers: 1, rounds: 100, timeout: 1000).attempts.count == 8)
        let tight = DNSAttemptSchedule(servers: 4, rounds: 4, timeout: 100)
        #expect(tight.attempts.allSatisfy { $0.wait >= DNSAttemptSchedule.minimumWait })
    }
}
