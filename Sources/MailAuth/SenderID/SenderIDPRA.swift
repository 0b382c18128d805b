/// The Purported Responsible Address of a message (RFC 4407 section 2):
/// the mailbox of the newest resender, else of the sender, else of the
/// author.
///
/// Given the header fields in message order (top first), it takes:
///
/// 1. the first non-empty `Resent-Sender`, unless a non-empty
///    `Resent-From` above it is separated from it by a `Received` or
///    `Return-Path` field (the `Resent-Sender` then belongs to an older
///    resent block);
/// 2. else the first non-empty `Resent-From`;
/// 3. else the one non-empty `Sender` (several: no PRA);
/// 4. else the one non-empty `From` (none or several: no PRA);
/// 5. the chosen field must parse (strict RFC 5322) and hold exactly one
///    mailbox outside any group; otherwise there is no PRA (step 6: the
///    message is ill-formed).
///
/// Work is linear in the number and size of the fields.
public struct SenderIDPRA: Hashable, Sendable {
    /// The mailbox, `local@domain`, as the field wrote it.
    public var address: String
    /// The field it came from, as the message named it (`Resent-Sender`,
    /// `Resent-From`, `Sender` or `From`).
    public var fieldName: String

    public init(address: String, fieldName: String) {
        self.address = address
        self.fieldName = fieldName
    }

    /// The PRA of a header, or nil when the message is ill-formed (no
    /// candidate field, several `Sender`/`From` fields, or a chosen field
    /// without exactly one usable mailbox).
    public static func select(from fields: [(name: String, value: String)]) -> SenderIDPRA? {
        let names = fields.map { SenderIDPRA.fieldKey($0.name) }
        func isCandidate(_ index: Int, _ name: String) -> Bool {
            names[index] == name && !SenderIDPRA.isBlank(fields[index].value)
        }
        let indices = fields.indices

        // Step 1.
        if let resentSender = indices.first(where: { isCandidate($0, "resent-sender") }) {
            let firstResentFrom = indices.first { $0 < resentSender && isCandidate($0, "resent-from") }
            let olderBlock = firstResentFrom.map { from in
                (from + 1 ..< resentSender).contains { names[$0] == "received" || names[$0] == "return-path" }
            } ?? false
            if !olderBlock { return mailbox(fields[resentSender]) }
        }
        // Step 2.
        if let resentFrom = indices.first(where: { isCandidate($0, "resent-from") }) {
            return mailbox(fields[resentFrom])
        }
        // Steps 3 and 4.
        for name in ["sender", "from"] {
            let found = indices.filter { isCandidate($0, name) }
            if found.count == 1 { return mailbox(fields[found[0]]) }
            if found.count > 1 { return nil }
        }
        return nil
    }

    /// Step 5: exactly one mailbox, outside any group, in a field that
    /// parses (`MailboxListParser`: any syntax error means no mailbox). The
    /// address is the parser's `addrSpec` (comments and needless quotes
    /// gone), as Email::Address::XS gives it to the Perl handler.
    static func mailbox(_ field: (name: String, value: String)) -> SenderIDPRA? {
        guard let mailbox = MailboxListParser.singleMailbox(field.value) else { return nil }
        return SenderIDPRA(address: mailbox.addrSpec, fieldName: field.name.trimmingTrailingSpace)
    }

    /// A field name compared case-insensitively, whitespace before the
    /// colon ignored (obsolete syntax).
    public static func fieldKey(_ name: String) -> String {
        name.trimmingTrailingSpace.lowercased()
    }

    /// Empty or only whitespace (folding included).
    static func isBlank(_ value: String) -> Bool {
        value.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
    }
}

extension String {
    fileprivate var trimmingTrailingSpace: String {
        var text = Substring(self)
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
