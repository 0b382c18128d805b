import MailAuth
import Testing

/// The trace-header evidence behind `spfu_detection`, with the headers of
/// the Perl handler's own test (t/04-unit-handler-spfu.t).
@Suite struct SPFUpgradeScannerTests {
    @Test func readsEveryKindOfTraceHeader() {
        let samples: [(String, String)] = [
            ("X-Received-Authentication-Results", "mx.microsoft.com 1; spf=fail (sender ip is 23.26.253.8) smtp.rcpttodomain=gmail.com smtp.mailfrom=spfuvictim.com; dmarc=fail (p=reject sp=reject pct=100) action=oreject header.from=foobar.spfuvictim.com; dkim=none (message not signed); arc=none"),
            ("Authentication-Results", "mx.microsoft.com 1; spf=fail (sender ip is 23.26.253.8) smtp.rcpttodomain=gmail.com smtp.mailfrom=spfuvictim.com; dmarc=fail (p=reject sp=reject pct=100) action=oreject header.from=foobar.spfuvictim.com; dkim=none (message not signed); arc=none"),
            ("ARC-Authentication-Results", "i=1; mx.microsoft.com 1; spf=fail (sender ip is 23.26.253.8) smtp.rcpttodomain=gmail.com smtp.mailfrom=spfuvictim.com; dmarc=fail (p=reject sp=reject pct=100) action=oreject header.from=foobar.spfuvictim.com; dkim=none (message not signed); arc=none"),
            ("X-MS-Exchange-Authentication-Results", "spf=fail (sender IP is 23.26.253.8) smtp.mailfrom=spfuvictim.com; dkim=none (message not signed) header.d=none;dmarc=fail action=oreject header.from=foobar.spfuvictim.com;"),
            ("Received-SPF", "Fail (protection.outlook.com: domain of spfuvictim.com does not designate 23.26.253.8 as permitted sender) receiver=protection.outlook.com; client-ip=23.26.253.8; helo=fa83.windbound.org.uk;"),
        ]
        for (name, value) in samples {
            #expect(SPFUpgradeScanner.isTraceHeader(name), "\(name)")
            #expect(SPFUpgradeScanner.failedDomains(headerName: name, value: value) == ["spfuvictim.com"], "\(name)")
        }
    }

    @Test func passesAndOtherHeadersSayNothing() {
        #expect(SPFUpgradeScanner.failedDomains(headerName: "Authentication-Results",
                                                value: "mx.example; spf=pass smtp.mailfrom=example.com") == [])
        #expect(SPFUpgradeScanner.failedDomains(headerName: "Received-SPF",
                                                value: "pass (example.com: domain of a@example.com designates 192.0.2.1 as permitted sender)") == [])
        #expect(SPFUpgradeScanner.failedDomains(headerName: "Subject", value: "spf=fail smtp.mailfrom=example.com") == [])
        #expect(!SPFUpgradeScanner.isTraceHeader("Received"))
    }

    @Test func commentsQuotesAndSpacingAreTolerated() {
        let value = #"mx.example (a; comment) ; spf = fail (smtp.mailfrom=decoy.example) smtp.mailfrom="Victim.Example" ; dkim=pass"#
        #expect(SPFUpgradeScanner.failedDomains(headerName: "Authentication-Results", value: value) == ["victim.example"])
        #expect(SPFUpgradeScanner.failedDomains(headerName: "Authentication-Results", value: "spf/1=FAIL smtp.mailfrom=a.example")
                == ["a.example"])
    }

    @Test func receivedSPFTakesTheDomainOfAnAddress() {
        let value = "fail (mx.example: domain of user@Victim.Example does not designate 192.0.2.1 as permitted sender)"
        #expect(SPFUpgradeScanner.failedDomains(headerName: "received-spf", value: value) == ["victim.example"])
    }
}
