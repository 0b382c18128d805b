import Testing

@testable import MasterSupport

/// The master's wait queue for connections no idle worker can take.
@Suite struct ConnectionWaitQueueTests {
    @Test func holdsUpToItsCapacityOldestFirst() {
        var queue = ConnectionWaitQueue<Int>(capacity: 2, timeoutSeconds: 1)
        let admitted = [queue.enqueue(1, now: 0), queue.enqueue(2, now: 0.1), queue.enqueue(3, now: 0.2)]
        #expect(admitted == [true, true, false], "full: the master closes the third at once")
        let first = queue.dequeue()?.element
        let readmitted = queue.enqueue(3, now: 0.3)
        let rest = [queue.dequeue()?.element, queue.dequeue()?.element, queue.dequeue()?.element]
        #expect(first == 1 && readmitted)
        #expect(rest == [2, 3, nil])
    }

    @Test func expiresWhatWaitedItsWholeTime() {
        var queue = ConnectionWaitQueue<Int>(capacity: 10, timeoutSeconds: 1)
        _ = queue.enqueue(1, now: 0)
        _ = queue.enqueue(2, now: 0.5)
        _ = queue.enqueue(3, now: 0.9)
        let none = queue.removeExpired(now: 0.99)
        #expect(none.isEmpty)
        let two = queue.removeExpired(now: 1.5).map(\.element)
        #expect(two == [1, 2])
        #expect(queue.count == 1)
        #expect(abs((queue.secondsUntilNextExpiry(now: 1.5) ?? 0) - 0.4) < 1e-9)
        let last = queue.removeExpired(now: 1.95).map(\.element)
        #expect(last == [3])
        #expect(queue.secondsUntilNextExpiry(now: 2) == nil)
    }

    @Test func sizeOrTimeoutZeroMeansNoWaiting() {
        var none = ConnectionWaitQueue<Int>(capacity: 0, timeoutSeconds: 1)
        var instant = ConnectionWaitQueue<Int>(capacity: 5, timeoutSeconds: 0)
        let admitted = [none.enqueue(1, now: 0), instant.enqueue(1, now: 0)]
        #expect(admitted == [false, false])
    }

    @Test func removeAllEmptiesIt() {
        var queue = ConnectionWaitQueue<Int>(capacity: 3, timeoutSeconds: 1)
        _ = queue.enqueue(7, now: 0)
        _ = queue.enqueue(8, now: 0)
        let all = queue.removeAll().map(\.element)
        #expect(all == [7, 8])
        #expect(queue.isEmpty)
    }
}
