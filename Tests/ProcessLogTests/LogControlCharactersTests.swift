@testable import ProcessLog
import Testing

/// Log lines carry HELO names, addresses and header values: control
/// characters from them must not reach syslog, stderr or the error_log raw
/// (issue 9 item 4). Here the child's line to the master; the master's own
/// sink is checked in MasterSupportTests (MasterLogControlCharactersTests).
@Suite struct LogControlCharactersTests {
    static let hostile = "remapped HELO a\u{1b}[2J\u{7}\u{0}b\r\nc\td\u{7f}\u{9b}e"

    @Test func childLine() {
        let line = ChildLog.line(.warning, Self.hostile)
        #expect(String(decoding: line, as: UTF8.self) == "warning remapped HELO a?[2J??b  c d??e\n")
        // One line: the only LF is the one that ends it.
        #expect(line.filter { $0 == 0x0a }.count == 1)
        #expect(ChildLog.parse(String(decoding: line.dropLast(), as: UTF8.self)) == (.warning, "remapped HELO a?[2J??b  c d??e"))
    }
}
