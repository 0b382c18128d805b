/// What is asked: a name and a record type (class IN is implied; nothing
/// here asks for another class).
public struct DNSQuestion: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var type: DNSRecordType

    public init(name: String, type: DNSRecordType) {
        self.name = name
        self.type = type
    }

    /// The same question with its name normalized: the identity used by
    /// caches and for coalescing ("Example.com." and "example.com" are
    /// one question).
    public var normalized: DNSQuestion {
        DNSQuestion(name: DNSName.normalized(name), type: type)
    }

    public var description: String { "\(name)/\(type)" }
}
