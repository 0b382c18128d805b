/// A set of macro values to look up by name, where `j` and `{j}` are the same
/// name. Later definitions replace earlier ones.
public struct MilterMacros: Sendable, Equatable {
    /// Values by canonical name (see `MilterMacro.canonicalName`).
    public private(set) var values: [String: String]

    public init() {
        values = [:]
    }

    public init(_ macros: some Sequence<MilterMacro>) {
        values = [:]
        merge(macros)
    }

    /// The value of a macro, however its name is braced; nil when not defined.
    public subscript(_ name: String) -> String? {
        values[MilterMacro.canonicalName(name)]
    }

    public var isEmpty: Bool { values.isEmpty }

    public var count: Int { values.count }

    /// Adds the definitions, replacing any earlier value of the same name.
    public mutating func merge(_ macros: some Sequence<MilterMacro>) {
        for macro in macros {
            values[MilterMacro.canonicalName(macro.name)] = macro.value
        }
    }

    /// Adds every value of `other`, replacing any earlier value of the same name.
    public mutating func merge(_ other: MilterMacros) {
        values.merge(other.values) { _, newer in newer }
    }

    /// A copy with the definitions added.
    public func merging(_ macros: some Sequence<MilterMacro>) -> MilterMacros {
        var copy = self
        copy.merge(macros)
        return copy
    }

    public mutating func removeAll() {
        values.removeAll()
    }
}
