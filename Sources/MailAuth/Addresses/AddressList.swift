/// What `MailboxListParser` found in an address field that parsed without
/// error: its mailboxes in order (those inside a group carry its name) and
/// the names of the groups, empty ones included.
public struct AddressList: Hashable, Sendable {
    /// The mailboxes kept, in order: at most the parser's `keepingAtMost`.
    public var mailboxes: [MailboxAddress]
    /// Every mailbox the field listed, the ones not kept included.
    public var mailboxCount: Int
    /// The display names of the groups, in order (`Undisclosed recipients`
    /// for `Undisclosed recipients:;`).
    public var groupNames: [String]

    public init(mailboxes: [MailboxAddress] = [], mailboxCount: Int? = nil, groupNames: [String] = []) {
        self.mailboxes = mailboxes
        self.mailboxCount = mailboxCount ?? mailboxes.count
        self.groupNames = groupNames
    }

    /// The lowercased domain of every mailbox kept, in order (duplicates
    /// kept): what Perl's `get_domains_from` gives for a field that parses.
    public var domains: [String] { mailboxes.map { $0.domain.lowercased() } }

    /// The one mailbox of a field that lists exactly one, outside any
    /// group; nil for none, several, or a group (RFC 4407 section 2's
    /// "single mailbox", and what a MAIL FROM path holds).
    public var singleMailbox: MailboxAddress? {
        guard mailboxCount == 1, groupNames.isEmpty, let only = mailboxes.first else { return nil }
        return only
    }
}
