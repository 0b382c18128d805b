@testable import MailAuth
import Testing

/// Token lists that fit in the fold width are written as they are; the
/// folding path agrees on every such list (5,000 random ones, with line
/// breaks and indents among the tokens as the header layouts make them).
@Suite struct AuthenticationResultsFolderFastPathTests {
    @Test func shortListsRenderAsTheFoldingPathDoes() {
        let pieces: [AuthResultsToken] = [
            AuthResultsToken(kind: .string, text: "dkim"), AuthResultsToken(kind: .assignment, text: "="),
            AuthResultsToken(kind: .string, text: "pass"), AuthResultsToken(kind: .space, text: " "),
            AuthResultsToken(kind: .space, text: "\n"), AuthResultsToken(kind: .space, text: "    "),
            AuthResultsToken(kind: .comment, text: "(2048-bit rsa key)"), AuthResultsToken(kind: .separator, text: ";"),
            AuthResultsToken(kind: .string, text: "header.d=example.com"),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let tokens = (0..<Int.random(in: 0...14, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }
            let width = Int.random(in: 20...200, using: &generator)
            let folder = AuthResultsFolder(eol: "\n", indent: "    ", tryFoldAt: width)
            let total = tokens.reduce(0) { $0 + $1.length }
            guard total <= width else { continue }
            #expect(folder.render(tokens) == folder.renderFolding(tokens), "\(tokens.map(\.text)) at \(width)")
        }
    }
}
