/// A change the handlers ask for at end of message (the milter replies
/// `i`, `h`, `m`), applied to the relayed message's header as the Perl
/// milter's SMTP mode applies them: insert at 1-based `index` (1 = top),
/// append at the end, change or (empty value) delete the `index`-th field
/// of a name.
public enum SMTPHeaderEdit: Sendable, Equatable {
    case insert(index: Int, name: String, value: String)
    case add(name: String, value: String)
    case change(index: Int, name: String, value: String)

    public static func apply(_ edits: [SMTPHeaderEdit], to fields: inout [SMTPHeaderField]) {
        for edit in edits {
            switch edit {
            case .insert(let index, let name, let value):
                let position = min(max(index - 1, 0), fields.count)
                fields.insert(SMTPHeaderField(name: name, value: value), at: position)
            case .add(let name, let value):
                fields.append(SMTPHeaderField(name: name, value: value))
            case .change(let index, let name, let value):
                var seen = 0
                guard let position = fields.firstIndex(where: { field in
                    guard field.hasName(name) else { return false }
                    seen += 1
                    return seen == index
                }) else { continue }
                if value.isEmpty {
                    fields.remove(at: position)
                } else {
                    fields[position] = SMTPHeaderField(name: name, value: value)
                }
            }
        }
    }
}
