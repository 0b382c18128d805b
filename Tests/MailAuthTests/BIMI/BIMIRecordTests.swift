import MailAuth
import Testing

/// The BIMI record as Mail::BIMI reads it (`_parse_record`,
/// `Record::_build_is_valid`) and the errors it reports.
@Suite struct BIMIRecordTests {
    @Test func aRecordWithLocationAndAuthority() {
        let record = BIMIRecord("v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem")
        #expect(record.version == "BIMI1")
        #expect(record.location == "https://example.com/logo.svg")
        #expect(record.authority == "https://example.com/vmc.pem")
        #expect(record.errors(validatingEvidence: false).isEmpty)
        #expect(record.authorityIsRelevant(validatingEvidence: true))
        #expect(!record.authorityIsRelevant(validatingEvidence: false))
    }

    @Test func onlyRecordsStartingWithTheVersionAndASemicolonCount() {
        #expect(BIMIRecord.isBIMIRecord("v=BIMI1; l=https://x.example/a.svg"))
        #expect(BIMIRecord.isBIMIRecord("V=bimi1;l="))
        #expect(!BIMIRecord.isBIMIRecord("v=BIMI1 ; l=https://x.example/a.svg"))
        #expect(!BIMIRecord.isBIMIRecord("v=BIMI1"))
        #expect(!BIMIRecord.isBIMIRecord("v=spf1 -all"))
    }

    @Test func tagNamesAreCaseInsensitiveAndSpacesTrimmed() {
        let record = BIMIRecord("v=BIMI1;   L=https://example.com/logo.svg  ;A=;x=ignored")
        #expect(record.location == "https://example.com/logo.svg")
        #expect(record.authority == "")
        #expect(record.errors(validatingEvidence: true).isEmpty)
    }

    @Test(arguments: [
        ("v=BIMI1; l=", BIMIReason.emptyLocation),
        ("v=BIMI1; l", .emptyLocation),
        ("v=BIMI1;", .missingLocation),
        ("v=BIMI1; l=http://example.com/logo.svg", .invalidLocationTransport),
        ("v=BIMI1; l=https://example.com/a logo.svg", .invalidLocationTransport),
        ("v=BIMI1; l=https://example.com/logo.svg; l=https://example.com/other.svg", .duplicateKey),
        ("v=BIMI1; v=BIMI2; l=https://example.com/logo.svg", .duplicateKey),
    ])
    func errors(_ text: String, _ expected: BIMIReason) {
        let errors = BIMIRecord(text).errors(validatingEvidence: false)
        #expect(BIMIReason.reported(errors) == expected)
    }

    @Test func anAuthorityIsCheckedOnlyWhenEvidenceIsValidated() {
        let record = BIMIRecord("v=BIMI1; l=https://example.com/logo.svg; a=http://example.com/vmc.pem")
        #expect(record.errors(validatingEvidence: false).isEmpty)
        #expect(record.errors(validatingEvidence: true) == [.invalidAuthorityTransport])
        #expect(!BIMIRecord("v=BIMI1; l=https://e.example/l.svg; a=self").authorityIsRelevant(validatingEvidence: true))
    }

    @Test func aLocationTooLongForAHeaderIsRefused() {
        let long = "https://example.com/" + String(repeating: "a", count: BIMIRecord.maximumURILength)
        #expect(BIMIRecord("v=BIMI1; l=" + long).errors(validatingEvidence: false) == [.invalidLocationTransport])
    }

    @Test func resultWordsAndCommentsAreMailBIMIs() {
        #expect(BIMIReason.noRecord.result == "none")
        #expect(BIMIReason.noRecord.comment == "No BIMI records found")
        #expect(BIMIReason.emptyLocation.result == "declined")
        #expect(BIMIReason.emptyLocation.comment == "Domain declined to participate")
        #expect(BIMIReason.dmarcNotEnforcing.result == "skipped")
        #expect(BIMIReason.dnsError.result == "temperror")
        #expect(BIMIReason.svgFetchError.result == "temperror")
        #expect(BIMIReason.svgValidationError.result == "fail")
        #expect(BIMIReason.reported([]) == .invalidRecord)
        #expect(BIMIReason.reported([.invalidLocationTransport, .duplicateKey]) == .duplicateKey)
    }

    @Test(arguments: [
        ("v=BIMI1; s=Brand", "brand"),
        ("v=bimi1;  s=brand_2;", "brand_2"),
        ("V=BIMI1;\ts=abc-def", "abc"),
    ])
    func selectorHeader(_ value: String, _ expected: String) {
        #expect(BIMISelectorHeader.selector(in: value) == expected)
    }

    @Test(arguments: ["v=BIMI1;s=brand", "s=brand", "v=BIMI1; s=", "v=BIMI1; x=brand", "v=BIMI2; s=brand"])
    func notASelectorHeader(_ value: String) {
        #expect(BIMISelectorHeader.selector(in: value) == nil)
    }
}
