@testable import MasterSupport
import Testing

@Suite struct WorkerPoolPolicyTests {
    let policy = WorkerPoolPolicy(minChildren: 2, maxChildren: 5, minSpareChildren: 1, maxSpareChildren: 2)

    @Test func startsUpToMinChildren() {
        #expect(policy.decide(idle: 0, busy: 0, starting: 0) == .start(2))
        #expect(policy.decide(idle: 0, busy: 0, starting: 2) == .steady)
    }

    @Test func keepsOneSpareUnderLoad() {
        #expect(policy.decide(idle: 0, busy: 2, starting: 0) == .start(1))
        #expect(policy.decide(idle: 1, busy: 2, starting: 0) == .steady)
    }

    @Test func neverAboveMaxChildren() {
        #expect(policy.decide(idle: 0, busy: 5, starting: 0) == .steady)
        #expect(policy.decide(idle: 0, busy: 4, starting: 0) == .start(1))
    }

    @Test func waitingConnectionsGrowThePoolAtOnce() {
        // Three connections wait with every worker busy: three more start
        // together (not one per start-up), within max_children.
        #expect(policy.decide(idle: 0, busy: 2, starting: 0, waiting: 2) == .start(3))
        #expect(policy.decide(idle: 0, busy: 2, starting: 0, waiting: 10) == .start(3))
        #expect(policy.decide(idle: 0, busy: 2, starting: 3, waiting: 2) == .steady)
    }

    @Test func retiresSurplusIdle() {
        #expect(policy.decide(idle: 4, busy: 1, starting: 0) == .retire(2))
        // never below min_children
        #expect(WorkerPoolPolicy(minChildren: 4, maxChildren: 8, minSpareChildren: 0, maxSpareChildren: 1)
            .decide(idle: 4, busy: 0, starting: 0) == .steady)
    }

    @Test func backoffDoublesAndResets() {
        var b = RespawnBackoff()
        #expect(b.delaySeconds == 0)
        b.recordFailure(); #expect(b.delaySeconds == 0.1)
        b.recordFailure(); #expect(b.delaySeconds == 0.2)
        for _ in 0..<20 { b.recordFailure() }
        #expect(b.delaySeconds == 30)
        b.recordSuccess(); #expect(b.delaySeconds == 0)
    }
}
