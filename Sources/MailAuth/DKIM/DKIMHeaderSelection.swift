/// Picks the header field instances an `h=` list covers (RFC 6376 section
/// 5.4.2): each name takes the last instance not yet used, from the bottom
/// of the header up; a name with no instance left contributes nothing
/// (that is how over-signing works, and how a signature covers the absence
/// of a field).
struct DKIMHeaderSelection {
    private let fields: [MessageHeaderField]
    /// Positions of each (lowercased) name, top to bottom.
    private let positions: [HashedBytes: [Int]]

    init(_ fields: [MessageHeaderField]) {
        self.fields = fields
        var positions: [HashedBytes: [Int]] = [:]
        for (index, field) in fields.enumerated() {
            positions[HashedBytes(field.lowercasedName), default: []].append(index)
        }
        self.positions = positions
    }

    /// The fields to hash, in `h=` order, and the names listed more often
    /// than the message has such fields.
    func select(_ names: [[UInt8]]) -> (fields: [MessageHeaderField], overSigned: [[UInt8]]) {
        var remaining: [HashedBytes: Int] = [:]
        var selected: [MessageHeaderField] = []
        var overSigned: [[UInt8]] = []
        for name in names {
            let key = HashedBytes(name)
            let list = positions[key]
            let available = remaining[key] ?? list?.count ?? 0
            if available > 0, let list {
                selected.append(fields[list[available - 1]])
                remaining[key] = available - 1
            } else {
                remaining[key] = 0
                if !overSigned.contains(name) { overSigned.append(name) }
            }
        }
        return (selected, overSigned)
    }

    /// How many fields are called `name` (lowercased).
    func count(of name: [UInt8]) -> Int {
        positions[HashedBytes(name)]?.count ?? 0
    }
}
