import ErrorMail
import Testing

@Suite struct ErrorMailRateLimitTests {
    @Test func oneMailPerIntervalAndACountOfTheRest() {
        var limit = ErrorMailRateLimit(intervalSeconds: 60)
        #expect(limit.admit(now: 1000) == .send(suppressed: 0))
        #expect(limit.admit(now: 1001) == .suppress)
        #expect(limit.admit(now: 1059.9) == .suppress)
        #expect(limit.suppressed == 2)
        #expect(limit.admit(now: 1060) == .send(suppressed: 2))
        #expect(limit.suppressed == 0)
        #expect(limit.admit(now: 1070) == .suppress)
    }

    @Test func aFailedSendLetsTheNextReportTryAndKeepsTheCount() {
        var limit = ErrorMailRateLimit(intervalSeconds: 60)
        guard case .send(let held) = limit.admit(now: 0) else {
            Issue.record("first report not admitted")
            return
        }
        limit.sendFailed(suppressed: held)
        #expect(limit.admit(now: 1) == .send(suppressed: 1))
    }

    @Test func zeroIntervalSendsEveryReport() {
        var limit = ErrorMailRateLimit(intervalSeconds: 0)
        #expect(limit.admit(now: 5) == .send(suppressed: 0))
        #expect(limit.admit(now: 5) == .send(suppressed: 0))
    }
}
