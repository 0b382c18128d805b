@testable import MasterSupport
import Testing

/// The master's own log sink strips control characters from what it
/// writes (issue 9 item 4), as the child's line does (ProcessLogTests).
@Suite struct MasterLogControlCharactersTests {
    static let hostile = "remapped HELO a\u{1b}[2J\u{7}\u{0}b\r\nc\td\u{7f}\u{9b}e"

    @Test func masterSink() {
        #expect(MasterLogHandler.text("worker[12]: \(Self.hostile)") == "worker[12]: remapped HELO a?[2J??b  c d??e")
    }
}
