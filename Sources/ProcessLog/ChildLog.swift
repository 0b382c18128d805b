#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import SystemIO

/// Logging for sandboxed children (worker, DNS helper, spool). A child
/// cannot open syslog once jailed, so it writes one line per message to its
/// stderr, which the master reads from a pipe and re-logs with its ident,
/// syslog and error_log. Line format: `<level> <text>\n`, level one of
/// `debug info notice warning error critical`.
public enum ChildLog {
    public enum Level: String, Sendable, CaseIterable {
        case debug, info, notice, warning, error, critical
    }

    /// Set from configuration `debug`: debug lines are dropped otherwise.
    nonisolated(unsafe) public static var debugEnabled = false

    public static func debug(_ text: @autoclosure () -> String) {
        if debugEnabled { write(.debug, text()) }
    }
    public static func info(_ text: String) { write(.info, text) }
    public static func notice(_ text: String) { write(.notice, text) }
    public static func warning(_ text: String) { write(.warning, text) }
    public static func error(_ text: String) { write(.error, text) }
    public static func critical(_ text: String) { write(.critical, text) }

    /// The bytes `write` sends: the level, a space, the text and a LF. The
    /// text often holds what an SMTP client or a message sent (a HELO
    /// name, an address, a header value): its control characters are
    /// neutralised (`ControlCharacters.loggable`), so it stays one line
    /// and carries no terminal escape into the log.
    public static func line(_ level: Level, _ text: String) -> [UInt8] {
        Array("\(level.rawValue) \(ControlCharacters.loggable(text))\n".utf8)
    }

    public static func write(_ level: Level, _ text: String) {
        // One write(2) per line so lines from one child never interleave;
        // a log that cannot be written is dropped (nowhere to say so).
        _ = try? SystemCall.writeAll(fd: 2, bytes: line(level, text))
    }

    /// Splits a line written by `write` back into level and text.
    public static func parse(_ line: String) -> (Level, String) {
        if let space = line.firstIndex(of: " "), let level = Level(rawValue: String(line[..<space])) {
            return (level, String(line[line.index(after: space)...]))
        }
        return (.info, line)
    }
}
