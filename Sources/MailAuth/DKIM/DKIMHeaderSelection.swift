/// Picks the header field instances an `h=` list covers (RFC 6376 section
/// 5.4.2): each name takes the last instance not yet used, from the bottom
/// of the header up; a name with no instance left contributes nothing
/// (that is how over-signing works, and how a signature covers the absence
/// of a field).
struct DKIMHeaderSelection {
    private let fields: [MessageHeaderField]
    /// Each (lowercased) name's slot in `positions`.
    private let slots: [HashedBytes: Int]
    /// Positions of the fields of each slot's name, top to bottom.
    private let positions: [[Int]]

    init(_ fields: [MessageHeaderField]) {
        self.fields = fields
        var slots: [HashedBytes: Int] = [:]
        var positions: [[Int]] = []
        for (index, field) in fields.enumerated() {
            let key = HashedBytes(field.lowercasedName)
            if let slot = slots[key] {
                positions[slot].append(index)
            } else {
                slots[key] = positions.count
                positions.append([index])
            }
        }
        self.slots = slots
        self.positions = positions
    }

    /// The fields to hash, in `h=` order, and the names listed more often
    /// than the message has such fields. One hash lookup a listed name;
    /// the fields taken so far are counted by slot (issue 12).
    func select(_ names: [[UInt8]]) -> (fields: [MessageHeaderField], overSigned: [[UInt8]]) {
        var taken = [Int](repeating: 0, count: positions.count)
        var selected: [MessageHeaderField] = []
        selected.reserveCapacity(names.count)
        var overSigned: [[UInt8]] = []
        for name in names {
            if let slot = slots[HashedBytes(name)], taken[slot] < positions[slot].count {
                let list = positions[slot]
                selected.append(fields[list[list.count - 1 - taken[slot]]])
                taken[slot] += 1
            } else if !overSigned.contains(name) {
                overSigned.append(name)
            }
        }
        return (selected, overSigned)
    }

    /// How many fields are called `name` (lowercased).
    func count(of name: [UInt8]) -> Int {
        slots[HashedBytes(name)].map { positions[$0].count } ?? 0
    }
}
