@testable import MailAuth
import Testing

/// Tag lists (RFC 6376 section 3.2): a tag named twice is an error, found
/// by a linear look through a few tags and by a set past
/// `linearDuplicateCheckLimit` (issue 12), on both sides of that limit.
@Suite struct DKIMTagListTests {
    static func failure(_ bytes: [UInt8]) -> DKIMTagList.ParseError? {
        if case .failure(let error) = DKIMTagList.parse(bytes) { return error }
        return nil
    }

    static func list(_ count: Int, then extra: String = "") -> [UInt8] {
        Array(((0..<count).map { "t\($0)=v\($0)" }.joined(separator: "; ") + extra).utf8)
    }

    @Test func aDuplicateIsFoundInAShortList() {
        #expect(Self.failure(Array("v=1; a=rsa-sha256; d=example.com; a=x".utf8)) == .duplicate("a"))
        guard case .success(let list) = DKIMTagList.parse(Array("v=1; a=rsa-sha256; d=example.com".utf8)) else {
            Issue.record("a valid list was refused")
            return
        }
        #expect(list.tags.map(\.name) == ["v", "a", "d"])
        #expect(list["d"]?.value == Array("example.com".utf8))
    }

    @Test(arguments: [DKIMTagList.linearDuplicateCheckLimit - 1, DKIMTagList.linearDuplicateCheckLimit,
                      DKIMTagList.linearDuplicateCheckLimit + 1, 20_000])
    func aDuplicateIsFoundAtAnyLength(count: Int) {
        // The last tag repeats the first, then one in the middle.
        #expect(Self.failure(Self.list(count, then: "; t0=again")) == .duplicate("t0"))
        #expect(Self.failure(Self.list(count, then: "; t\(count / 2)=again")) == .duplicate("t\(count / 2)"))
        guard case .success(let list) = DKIMTagList.parse(Self.list(count)) else {
            Issue.record("\(count) distinct tags were refused")
            return
        }
        #expect(list.tags.count == count)
    }
}
