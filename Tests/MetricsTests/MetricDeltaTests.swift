import Testing
@testable import Metrics

@Suite struct MetricDeltaTests {
    func sampleTally() -> MetricTally {
        let tally = MetricTally(handlerNames: ["DKIM", "SPF"])
        tally.count(.dkim, ["pass"])
        tally.count(.dkim, ["pass"])
        tally.count(.connect)
        tally.count(.sizeBodyBytes, by: 1234)
        tally.addHandlerTime(.eom, handler: 0, microseconds: 250)
        tally.addHandlerTime(.eom, handler: 0, microseconds: 50)
        tally.observe(.eom, microseconds: 700)
        return tally
    }

    @Test func aTallyRoundTrips() throws {
        let tally = sampleTally()
        let payload = tally.takeDelta(limit: 65_536)
        #expect(tally.isEmpty)
        let entries = try MetricDelta.decode(payload)
        #expect(entries.contains(MetricDelta.Entry(family: .dkim, labels: ["pass"], value: .counter(2))))
        #expect(entries.contains(MetricDelta.Entry(family: .connect, labels: [], value: .counter(1))))
        #expect(entries.contains(MetricDelta.Entry(family: .sizeBodyBytes, labels: [], value: .counter(1234))))
        #expect(entries.contains(MetricDelta.Entry(family: .timeMicroseconds, labels: ["eom", "DKIM"], value: .counter(300))))
        var buckets = Array(repeating: UInt32(0), count: MetricHistogramBounds.bucketCount)
        buckets[1] = 1
        #expect(entries.contains(MetricDelta.Entry(family: .callbackDuration, labels: ["eom"], value: .histogram(buckets: buckets, sumMicroseconds: 700))))
        #expect(entries.count == 5)
        // Taken: the next delta is empty.
        #expect(tally.takeDelta(limit: 65_536).isEmpty)
    }

    @Test func theWriterKeepsToItsLimit() throws {
        let payload = sampleTally().takeDelta(limit: 40)
        #expect(payload.count <= 40)
        _ = try MetricDelta.decode(payload)
    }

    @Test func labelCountsAgreeWithLabelNames() {
        for family in MetricFamily.allCases { #expect(family.labelCount == family.labelNames.count, "\(family)") }
    }

    @Test func longLabelsAreCutAtTheWorker() throws {
        let tally = MetricTally(handlerNames: [])
        tally.count(.sanitizeRemove, [String(repeating: "x", count: 500)])
        let entries = try MetricDelta.decode(tally.takeDelta(limit: 65_536))
        #expect(entries.first?.labels.first?.utf8.count == MetricDelta.maximumLabelBytes)
    }

    func code(_ bytes: [UInt8]) -> MetricsError.Code? {
        do { _ = try MetricDelta.decode(bytes); return nil } catch { return error.code }
    }

    @Test func hostileDeltasAreRefusedWithTheirCode() {
        #expect(code([3, 1, 0]) == .unknownEntryKind)
        #expect(code([1, 99, 0]) == .unknownFamily)
        // A family only the master keeps.
        #expect(code([1, MetricFamily.forkedChildren.rawValue, 0] + Array(repeating: 0, count: 8)) == .unknownFamily)
        #expect(code([2, MetricFamily.connect.rawValue, 0]) == .kindMismatch)
        #expect(code([1, MetricFamily.callbackDuration.rawValue, 1, 0]) == .kindMismatch)
        #expect(code([1, MetricFamily.dkim.rawValue, 2, 0, 0]) == .labelCount)
        #expect(code([1, MetricFamily.dkim.rawValue, 1, 65] + Array(repeating: 97, count: 65) + Array(repeating: 0, count: 8)) == .labelTooLong)
        #expect(code([2, MetricFamily.callbackDuration.rawValue, 1, 1, 97, 3] + Array(repeating: 0, count: 20)) == .bucketCount)
        let oneEntry: [UInt8] = [1, MetricFamily.connect.rawValue, 0] + Array(repeating: 0, count: 8)
        #expect(code(Array([[UInt8]](repeating: oneEntry, count: MetricDelta.maximumEntries + 1).joined())) == .tooManyEntries)
        #expect(code(Array([[UInt8]](repeating: oneEntry, count: MetricDelta.maximumEntries).joined())) == nil)
    }

    /// Every cut of a valid delta is either a shorter valid delta (cut at
    /// an entry boundary) or refused as truncated, never a crash.
    @Test func everyTruncationIsRefusedOrWhole() {
        let payload = sampleTally().takeDelta(limit: 65_536)
        for length in 0..<payload.count {
            let result = code(Array(payload.prefix(length)))
            #expect(result == nil || result == .truncated)
        }
    }

    /// Random bytes (a fixed generator, so a failure repeats) never crash
    /// the decoder, and what it accepts only names worker families.
    @Test func randomBytesNeverCrash() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<5000 {
            let length = Int(next()) % 64
            var bytes = (0..<length).map { _ in next() }
            if !bytes.isEmpty { bytes[0] = 1 + bytes[0] % 2 }
            if let entries = try? MetricDelta.decode(bytes) {
                #expect(entries.allSatisfy { $0.family.countedByWorkers && $0.labels.count == $0.family.labelNames.count })
            }
        }
    }
}
