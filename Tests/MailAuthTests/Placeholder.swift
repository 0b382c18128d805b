import Testing
@Test func placeholderMailAuthTests() { #expect(1 + 1 == 2) }
