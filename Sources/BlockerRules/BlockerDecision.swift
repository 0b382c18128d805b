/// What one matching rule asks for, as Perl's `_test_blocker` decides it:
/// `rand(100) > percent` samples the match out; else a `with` starting
/// with 5 rejects, with 4 defers, anything else is an invalid entry.
public enum BlockerDecision: Equatable, Sendable {
    case sampledOut(id: String)
    case reject(id: String, with: String)
    case `defer`(id: String, with: String)
    case invalid(id: String, with: String)
}
