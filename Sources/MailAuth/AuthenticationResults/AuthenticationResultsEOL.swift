/// The line break placed between folded lines of a header value.
///
/// authentication_milter always renders with `"\n"` (it calls
/// `set_eol("\n")`) and hands that text to the MTA unchanged in milter mode;
/// in SMTP mode it rewrites every `\n` to `\r\n` when it writes the message.
/// `crlf` exists for that SMTP path and for parity with the Perl module.
public enum AuthResultsEOL: String, Sendable, CaseIterable {
    case lf = "\n"
    case crlf = "\r\n"
}
