import Foundation

/// A value shared with a thread of the test (a fake DNS helper, a fake
/// resolver), behind a lock.
public final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    public init(_ value: Value) { self.value = value }
    public func get() -> Value { lock.lock(); defer { lock.unlock() }; return value }
    public func set(_ newValue: Value) { lock.lock(); value = newValue; lock.unlock() }
    public func update(_ body: (inout Value) -> Void) { lock.lock(); body(&value); lock.unlock() }
}
