import Testing
@Test func placeholderSharedTests() { #expect(1 + 1 == 2) }
