/// One rule of a Blocker file, Perl's table
///
///     [flood]
///     callback = "connect"
///     value = "192\\.168\\.0\\.1"
///     with = "451 4.7.28 flood policy violation"
///     percent = 100
///     until = 1573514783
///
/// read as Perl's handler reads it: `callback` compared as a string,
/// `value` a regex matched anywhere in the stage's text, `with` the reply
/// (a 5xx rejects, a 4xx defers, anything else is logged as invalid),
/// `percent` the share of matches acted on (missing: 0, as Perl's numeric
/// undef, so such a rule is almost always sampled out), `until` a Unix
/// time after which the rule is ignored (missing or 0: never).
public struct BlockerRule: Equatable, Sendable {
    public var id: String
    public var callback: String
    public var value: String
    public var with: String
    public var percent: Double
    public var until: Int64

    public init(id: String, callback: String, value: String, with: String, percent: Double, until: Int64 = 0) {
        self.id = id
        self.callback = callback
        self.value = value
        self.with = with
        self.percent = percent
        self.until = until
    }

    /// The rule a file's table describes, or why it is left out (no
    /// `callback`, `value` or `with`; a `value` that is no regex).
    public static func from(_ table: TOMLDocument.Table) -> Result<BlockerRule, BlockerRulesError> {
        func text(_ key: String) -> String? { table[key]?.perlString }
        guard let callback = text("callback") else { return .failure(.missing(id: table.name, key: "callback")) }
        guard let value = text("value") else { return .failure(.missing(id: table.name, key: "value")) }
        guard let with = text("with") else { return .failure(.missing(id: table.name, key: "with")) }
        if let reason = BlockerPattern.compileError(value) {
            return .failure(.invalidRegex(id: table.name, value: value, reason: reason))
        }
        let percent = table["percent"]?.perlNumber ?? 0
        let until = table["until"]?.perlNumber ?? 0
        // Perl compares with time(): a fraction or a huge number still
        // orders the same once clamped to whole seconds.
        let seconds = until.isFinite ? Int64(max(min(until, 9.2e18), -9.2e18)) : 0
        return .success(BlockerRule(id: table.name, callback: callback, value: value, with: with, percent: percent, until: seconds))
    }
}
