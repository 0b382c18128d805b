/// The id of one transaction, as the Perl milter makes it: eleven upper
/// case hex digits, and in after-queue mode `.<IDENT>` with the upstream
/// MTA's queue id from XFORWARD, so one grep finds both.
public struct SMTPQueueID: Sendable, Equatable, CustomStringConvertible {
    public var local: String
    public var upstream: String?

    /// `random` gives the bits (the worker passes getrandom's); only the
    /// low 44 bits are used.
    public init(random: UInt64, upstream: String? = nil) {
        let hex = String(random & 0xFFF_FFFF_FFFF, radix: 16, uppercase: true)
        local = String(repeating: "0", count: max(0, 11 - hex.count)) + hex
        self.upstream = upstream
    }

    public var description: String {
        guard let upstream else { return local }
        return local + "." + upstream
    }
}
