import Testing
@Test func placeholderMilterTests() { #expect(1 + 1 == 2) }
