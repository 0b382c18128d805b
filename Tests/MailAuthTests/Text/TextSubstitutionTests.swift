import MailAuth
import Testing

/// `substituting` replaces as the standard library's `replacing` does,
/// left to right without overlap, and returns the text itself when there
/// is nothing to replace.
@Suite struct TextSubstitutionTests {
    @Test(arguments: [
        ("Sender is authorized to use '%{s}' in '%{_scope}' identity", "%{s}", "a@b.example"),
        ("aaaa", "aa", "b"),
        ("a; b; c;", "; ", ";\n    "),
        ("no marker here", "%{s}", "x"),
        ("", "x", "y"),
        ("x", "", "y"),
        ("ééé %{s} ü", "%{s}", "ß"),
        ("%{s}%{s}", "%{s}", ""),
        ("ab", "abc", "x"),
    ])
    func sameAsTheStandardLibrary(_ text: String, _ target: String, _ replacement: String) {
        let expected = target.isEmpty ? text : text.replacing(target, with: replacement)
        #expect(text.substituting(target, with: replacement) == expected)
    }

    @Test func atMostTheGivenNumber() {
        #expect("a a a".substituting("a", with: "b", maxReplacements: 1) == "b a a")
        #expect("a a a".substituting("a", with: "b", maxReplacements: 2) == "b b a")
        #expect("a a a".substituting("a", with: "b", maxReplacements: 0) == "a a a")
    }
}
