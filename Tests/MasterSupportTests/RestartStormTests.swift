import MasterSupport
import Testing

@Suite struct RestartStormTests {
    /// The failures at `times`, and which of them tripped the report.
    static func tripped(_ times: [Double]) -> [Double] {
        var storm = RestartStorm()
        var out: [Double] = []
        for time in times where storm.recordFailure(now: time) { out.append(time) }
        return out
    }

    @Test func tripsAtTheFourthFailureWithinTheWindowOnce() {
        #expect(Self.tripped([0, 10, 20, 30]) == [30])
        // The same storm goes on: no second report within the window.
        #expect(Self.tripped([0, 10, 20, 30, 40, 50, 150]) == [30])
        // A later storm after a quiet window is reported again.
        #expect(Self.tripped([0, 10, 20, 30, 400, 401, 402, 403]) == [30, 403])
    }

    @Test func failuresSpreadOutNeverTrip() {
        #expect(Self.tripped((0..<20).map { Double($0) * 60 }).isEmpty)
    }
}
