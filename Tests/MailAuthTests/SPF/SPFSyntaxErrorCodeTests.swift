import MailAuth
import Testing

/// Every SPF syntax refusal carries a code beside Mail::SPF's words: the
/// code is what a caller matches, the message is what the result says.
@Suite struct SPFSyntaxErrorCodeTests {
    @Test(arguments: [
        ("v=spf2 -all", SPFSyntaxError.Code.notSPF1),
        ("v=spf1 bogus -all", .unknownMechanism),
        ("v=spf1 a:example.com:x -all", .junk),
        ("v=spf1 redirect=a.example redirect=b.example", .duplicateModifier),
        ("v=spf1 include -all", .missingDomainSpec),
        ("v=spf1 ip4 -all", .missingAddress),
        ("v=spf1 ip4:192.0.2.0/33 -all", .invalidPrefixLength),
        ("v=spf1 a:%{z}.example -all", .unknownMacro),
        ("v=spf1 a:%{d0}.example -all", .invalidMacro),
        ("v=spf1 a:%{c}.example -all", .illegalMacro),
    ])
    func recordRefusalsCarryTheirCode(record: String, code: SPFSyntaxError.Code) {
        let error = #expect(throws: SPFSyntaxError.self) { _ = try SPFRecord(record) }
        #expect(error?.code == code, "\(record): \(error?.message ?? "no error")")
    }
}
