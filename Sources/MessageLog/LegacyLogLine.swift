import MailAuth

/// The `legacy_log` line of one added header, the per-message line of
/// Perl's releases before `extended_log`: `<queue id>: A-R: <field name>
/// <value on one line>`. Kept for log parsers written against it.
public enum LegacyLogLine {
    public static let key = "A-R"

    /// The value after the key, the header unfolded on one line.
    public static func value(fieldName: String, header: AuthenticationResultsHeader) -> String {
        fieldName + " " + header.value(style: .none, indentBy: 0, foldAt: 0)
    }
}
