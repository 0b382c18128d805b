/// The macros of one milter connection, kept per stage the way libmilter keeps
/// them, so a value from one message never leaks into the next.
///
/// The MTA sends a `D` packet before each command it has macros for (Postfix
/// sends one even when the list is empty, precisely so the milter forgets the
/// previous values). Defining the macros of a stage replaces that stage's
/// previous values and forgets every later stage: a new `MAIL FROM` drops the
/// previous message's `{rcpt_addr}` and queue id `i`. Lookups search the latest
/// stage first.
public struct MilterMacroStages: Sendable, Equatable {
    /// The SMTP-ordered stages the MTA defines macros for.
    private static let orderedStages: [UInt8] = Array("CHMRTNE".utf8)

    /// Macros per stage command byte, in the order of `orderedStages`.
    private var staged: [MilterMacros]
    /// Macros for commands outside the SMTP order (such as `U`), kept until
    /// replaced and searched last.
    private var unordered: [UInt8: MilterMacros]

    public init() {
        staged = Array(repeating: MilterMacros(), count: Self.orderedStages.count)
        unordered = [:]
    }

    /// Records a `D` packet: `command` is the command byte the macros belong to.
    public mutating func define(_ macros: [MilterMacro], forCommand command: UInt8) {
        guard let stage = Self.orderedStages.firstIndex(of: command) else {
            unordered[command] = MilterMacros(macros)
            return
        }
        staged[stage] = MilterMacros(macros)
        for later in (stage + 1)..<staged.count {
            staged[later].removeAll()
        }
    }

    /// Forgets everything from `MAIL FROM` on, for an aborted message (`A`).
    public mutating func forgetMessage() {
        guard let mail = Self.orderedStages.firstIndex(of: UInt8(ascii: "M")) else { return }
        for stage in mail..<staged.count {
            staged[stage].removeAll()
        }
    }

    /// Forgets everything, for a connection reused for a new SMTP session (`K`).
    public mutating func forgetAll() {
        self = MilterMacroStages()
    }

    /// The value of a macro, however its name is braced, from the latest stage
    /// that defines it.
    public subscript(_ name: String) -> String? {
        for macros in staged.reversed() {
            if let value = macros[name] { return value }
        }
        for command in unordered.keys.sorted() {
            if let value = unordered[command]?[name] { return value }
        }
        return nil
    }

    /// Every current value in one set, later stages winning.
    public var merged: MilterMacros {
        var result = MilterMacros()
        for command in unordered.keys.sorted() {
            if let macros = unordered[command] { result.merge(macros) }
        }
        for macros in staged {
            result.merge(macros)
        }
        return result
    }
}
