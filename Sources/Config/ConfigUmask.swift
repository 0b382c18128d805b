/// `umask`, `connections.*.umask` and `metric_umask`: octal text applied
/// before binding a unix socket.
///
/// The Perl milter does `umask(oct($umask)) if $umask`: so `"0000"` sets a
/// umask of 0 (the string is true), while `0`, `"0"` and `""` leave the
/// umask alone. A JSON number is read as octal digits, as `oct` would
/// (`27` means 0o027).
public enum ConfigUmask {
    public static func parse(_ node: ConfigNode) throws(ConfigurationError) -> UInt16? {
        let text: String
        switch node.value {
        case .null: return nil
        case .string(let s): text = ConfigNode.trimmed(s)
        case .number(let n):
            guard n.integerValue != nil else { throw node.error("expected an octal umask such as \"0027\", got \(n.literal)") }
            if n.integerValue == 0 { return nil }
            text = n.literal
        default:
            throw node.error("expected an octal umask such as \"0027\", got \(node.value.typeDescription)")
        }
        if text.isEmpty || text == "0" { return nil }
        var digits = Substring(text)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x37 }), let value = UInt16(digits, radix: 8),
            value <= 0o777
        else {
            throw node.error("expected an octal umask from \"0000\" to \"0777\", got \(node.value.typeDescription)")
        }
        return value
    }

    /// Four octal digits, e.g. `"0027"`.
    public static func format(_ value: UInt16) -> String {
        let digits = String(value, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
