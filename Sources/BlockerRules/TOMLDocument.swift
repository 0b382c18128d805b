/// A parsed Blocker rule file: the `[table]`s in file order, each with its
/// keys in file order, and the keys before the first table (which Perl's
/// Blocker cannot use: each rule is a table).
public struct TOMLDocument: Equatable, Sendable {
    public struct Table: Equatable, Sendable {
        public var name: String
        public var entries: [(key: String, value: TOMLValue)]

        public init(name: String, entries: [(key: String, value: TOMLValue)] = []) {
            self.name = name
            self.entries = entries
        }

        public subscript(key: String) -> TOMLValue? {
            entries.first { $0.key == key }?.value
        }

        public static func == (lhs: Table, rhs: Table) -> Bool {
            lhs.name == rhs.name && lhs.entries.elementsEqual(rhs.entries) { $0.key == $1.key && $0.value == $1.value }
        }
    }

    public var topLevel: Table
    public var tables: [Table]

    public init(topLevel: Table = Table(name: ""), tables: [Table] = []) {
        self.topLevel = topLevel
        self.tables = tables
    }

    public subscript(table name: String) -> Table? {
        tables.first { $0.name == name }
    }
}
