/// One SMTP or LMTP command line from the client, as the Perl milter's SMTP
/// mode reads it: the verb is matched case-insensitively at the start of
/// the line and the argument is everything after the verb (and its colon
/// for MAIL FROM: and RCPT TO:), leading spaces dropped.
public enum SMTPCommand: Sendable, Equatable {
    case ehlo(String)
    case lhlo(String)
    case helo(String)
    /// `XFORWARD` attributes, in the order given (`SMTPXForward`).
    case xforward(String)
    /// The reverse path and its ESMTP parameters, as written.
    case mail(String)
    /// The forward path and its ESMTP parameters, as written.
    case rcpt(String)
    case data
    case rset
    case noop
    case quit
    /// Anything else (VRFY, STARTTLS, AUTH, BDAT, ...): `502 5.5.2`.
    case unknown(String)

    /// Parses one line (without its line ending). A line with a control
    /// character other than tab is refused before this is called
    /// (`SMTPCommandLine`).
    public init(line: String) {
        let upper = line.uppercased()
        func argument(after count: Int) -> String {
            String(line.dropFirst(count).drop(while: { $0 == " " }))
        }
        if upper.hasPrefix("EHLO") {
            self = .ehlo(argument(after: 4))
        } else if upper.hasPrefix("LHLO") {
            self = .lhlo(argument(after: 4))
        } else if upper.hasPrefix("HELO") {
            self = .helo(argument(after: 4))
        } else if upper.hasPrefix("XFORWARD") {
            self = .xforward(argument(after: 8))
        } else if upper.hasPrefix("MAIL FROM:") {
            self = .mail(argument(after: 10))
        } else if upper.hasPrefix("RCPT TO:") {
            self = .rcpt(argument(after: 8))
        } else if upper.hasPrefix("DATA") {
            self = .data
        } else if upper.hasPrefix("RSET") {
            self = .rset
        } else if upper.hasPrefix("NOOP") {
            self = .noop
        } else if upper.hasPrefix("QUIT") {
            self = .quit
        } else {
            self = .unknown(line)
        }
    }
}
