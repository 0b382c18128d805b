import MailAuth
import Testing

/// Bytes as keys: equal bytes find each other, different ones do not.
@Suite struct HashedBytesTests {
    @Test func equalBytesAreOneKey() {
        var table: [HashedBytes: Int] = [:]
        table[HashedBytes(Array("from".utf8))] = 1
        table[HashedBytes(Array("subject".utf8))] = 2
        table[HashedBytes([])] = 3
        #expect(table[HashedBytes(Array("from".utf8))] == 1)
        #expect(table[HashedBytes(Array("subject".utf8))] == 2)
        #expect(table[HashedBytes([])] == 3)
        #expect(table[HashedBytes(Array("From".utf8))] == nil)
        #expect(table[HashedBytes(Array("fro".utf8))] == nil)
        #expect(HashedBytes([0, 1]).hashValue == HashedBytes([0, 1]).hashValue)
        #expect(HashedBytes([0, 1]) != HashedBytes([1, 0]))
    }
}
