import Testing
@Test func placeholderHandlersTests() { #expect(1 + 1 == 2) }
