import Config
import Testing


/// `connection_queue_size` and `connection_queue_timeout` (ours, not the
/// Perl milter's): typed, ranged, known to the unknown-key warning.
@Suite struct ConnectionQueueKeysTests {
    @Test func readsBothKeysWithoutWarnings() throws {
        let (c, warnings) = try loadGlobal(#""connection_queue_size": 8, "connection_queue_timeout": 0.5"#)
        #expect(warnings.isEmpty)
        #expect(c.connectionQueueSize == 8 && c.connectionQueueTimeout == 0.5)
    }

    @Test func zeroTurnsWaitingOff() throws {
        let (c, _) = try loadGlobal(#""connection_queue_size": 0, "connection_queue_timeout": "0""#)
        #expect(c.connectionQueueSize == 0 && c.connectionQueueTimeout == 0)
    }

    @Test func aTimeoutPastPostfixsCommandTimeoutIsRefused() throws {
        // Postfix gives up on the negotiation reply after 30 s.
        let error = try #require(try globalError(#""connection_queue_timeout": 40"#))
        #expect(error.keyPath == "connection_queue_timeout")
    }

    @Test func aMisspeltKeyIsStillWarnedAbout() throws {
        let (_, warnings) = try loadGlobal(#""connection_queue_sise": 8"#)
        #expect(warnings.count == 1 && warnings[0].contains("connection_queue_sise"))
    }
}
