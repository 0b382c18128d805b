/// One entry of `errors_headers`: an extra header on the error emails sent
/// to `errors_to`, in the order the operator listed them.
public struct ErrorEmailHeader: Sendable, Equatable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
