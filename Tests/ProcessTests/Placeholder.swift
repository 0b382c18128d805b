import Testing
@Test func placeholderProcessTests() { #expect(1 + 1 == 2) }
