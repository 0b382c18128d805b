import DMARCReports
import MailAuth
import TestSupport
import Testing


@Suite struct ReportDestinationVerifierTests {
    private static let psl = PublicSuffixList(text: "com\nnet\norg\nco.uk\nexample\n")
    private static func organizational(_ name: String) -> String { psl.organizationalDomain(of: name) }

    private func decide(_ policy: String, _ uris: [String], _ zone: InMemoryDNSResolver) -> (decisions: [ReportDestinationVerifier.Decision], batches: [[DNSQuestion]]) {
        let resolver = RecordingResolver(zone)
        let parsed = uris.compactMap(DMARCReportURI.init(entry:))
        #expect(parsed.count == uris.count)
        let decisions = ReportDestinationVerifier.decide(policyDomain: policy, uris: parsed, resolver: resolver,
                                                         organizationalDomain: Self.organizational)
        return (decisions, resolver.batches)
    }

    private func isRefusal(_ decision: ReportDestinationVerifier.Decision, mentioning words: [String]) -> Bool {
        guard case .refuse(let reason) = decision else { return false }
        return words.allSatisfy { reason.contains($0) }
    }

    private func isRetry(_ decision: ReportDestinationVerifier.Decision, mentioning words: [String]) -> Bool {
        guard case .retryLater(let reason) = decision else { return false }
        return words.allSatisfy { reason.contains($0) }
    }

    @Test func sameOrganizationalDomainIsSentWithoutALookup() {
        let result = decide("mail.example.com", ["mailto:dmarc@reports.example.com!10m", "mailto:Postmaster@EXAMPLE.com"], InMemoryDNSResolver())
        #expect(result.decisions == [.send(address: "dmarc@reports.example.com", maximumBytes: 10 << 20),
                                     .send(address: "Postmaster@example.com", maximumBytes: nil)])
        #expect(result.batches.isEmpty)
    }

    @Test func externalDestinationWithAVerificationRecordIsSent() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com._report._dmarc.reports.example.net", .txt("v=DMARC1"))
        let result = decide("example.com", ["mailto:agg@reports.example.net!50k"], zone)
        #expect(result.decisions == [.send(address: "agg@reports.example.net", maximumBytes: 50 << 10)])
        #expect(result.batches == [[DNSQuestion(name: "example.com._report._dmarc.reports.example.net", type: .txt)]])
    }

    @Test func verificationRecordIsMatchedCaseInsensitivelyAndAmongOtherTXT() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com._report._dmarc.example.net", .txt("some other text"))
        zone.add("example.com._report._dmarc.example.net", .txt("V=dmarc1", "; rua=")) // strings are joined
        let result = decide("Example.COM.", ["mailto:a@example.net"], zone)
        #expect(result.decisions == [.send(address: "a@example.net", maximumBytes: nil)])
    }

    @Test func externalDestinationWithoutARecordIsRefused() {
        var zone = InMemoryDNSResolver()
        zone.addEmptyNode("example.com._report._dmarc.example.net")
        let result = decide("example.com", ["mailto:a@example.net"], zone)
        #expect(isRefusal(result.decisions[0], mentioning: ["no TXT record", "example.com._report._dmarc.example.net"]))
    }

    @Test func externalDestinationWithNXDOMAINIsRefused() {
        let result = decide("example.com", ["mailto:a@example.org"], InMemoryDNSResolver())
        #expect(isRefusal(result.decisions[0], mentioning: ["NXDOMAIN", "example.com._report._dmarc.example.org"]))
    }

    @Test func aTXTRecordThatIsNotDMARCDoesNotAuthorise() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com._report._dmarc.example.net", .txt("v=spf1 -all"))
        zone.add("example.com._report._dmarc.example.net", .txt("v=DMARC10"))
        zone.add("example.com._report._dmarc.example.net", .txt("x v=DMARC1"))
        let result = decide("example.com", ["mailto:a@example.net"], zone)
        #expect(isRefusal(result.decisions[0], mentioning: ["starts with v=DMARC1"]))
    }

    @Test func aTemporaryFailureIsRefusedAsTemperror() {
        var zone = InMemoryDNSResolver()
        zone.markServfail("example.com._report._dmarc.example.net", type: .txt)
        zone.markTimeout("example.com._report._dmarc.example.org", type: .txt)
        let result = decide("example.com", ["mailto:a@example.net", "mailto:b@example.org"], zone)
        #expect(isRetry(result.decisions[0], mentioning: ["temperror", "SERVFAIL"]))
        #expect(isRetry(result.decisions[1], mentioning: ["temperror", "timeout"]))
    }

    @Test func theVerificationRecordMayOverrideTheAddressOnTheSameHost() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com._report._dmarc.reports.example.net",
                 .txt("v=DMARC1; rua=https://reports.example.net/x, mailto:elsewhere@other.example.net, mailto:inbox@reports.example.net!1m"))
        let result = decide("example.com", ["mailto:agg@reports.example.net!10m"], zone)
        // The first mailto on the same host wins; the smaller limit applies.
        #expect(result.decisions == [.send(address: "inbox@reports.example.net", maximumBytes: 1 << 20)])
    }

    @Test func anOverrideOnAnotherHostIsIgnored() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com._report._dmarc.reports.example.net", .txt("v=DMARC1; rua=mailto:x@evil.example.org"))
        zone.add("example.com._report._dmarc.reports.example.net", .txt("v=DMARC1"))
        let result = decide("example.com", ["mailto:agg@reports.example.net"], zone)
        #expect(result.decisions == [.send(address: "agg@reports.example.net", maximumBytes: nil)])
    }

    @Test func nonMailtoURIsAreRefused() {
        let result = decide("example.com", ["https://reports.example.com/dmarc", "ftp://example.com/x"], InMemoryDNSResolver())
        #expect(isRefusal(result.decisions[0], mentioning: ["only mailto:", "https"]))
        #expect(isRefusal(result.decisions[1], mentioning: ["only mailto:", "ftp"]))
        #expect(result.batches.isEmpty)
    }

    @Test func percentEncodedAddressesAreDecodedAndQueriesDropped() {
        let result = decide("example.com", [
            "mailto:dmarc%2Breports@example.com?subject=report&body=x",
            "MAILTO:%64marc@example.com#frag",
            "mailto:%22odd.%5C%22name%22@example.com",
        ], InMemoryDNSResolver())
        #expect(result.decisions == [
            .send(address: "dmarc+reports@example.com", maximumBytes: nil),
            .send(address: "dmarc@example.com", maximumBytes: nil),
            .send(address: "\"odd.\\\"name\"@example.com", maximumBytes: nil),
        ])
    }

    @Test func unusableAddressesAreRefused() {
        let result = decide("example.com", [
            "mailto:bad%zzhex@example.com",
            "mailto:?to=a@example.com",
            "mailto:no-domain",
            "mailto:a%20b@example.com",
            "mailto:a%0D%0ARCPT@example.com",
            "mailto:a@[192.0.2.1]",
            "mailto:a..b@example.com",
            "mailto:a@example..com",
            "mailto:r%C3%A9@example.com",
        ], InMemoryDNSResolver())
        #expect(result.decisions.count == 9)
        for decision in result.decisions {
            #expect(isRefusal(decision, mentioning: []), "\(decision)")
        }
        #expect(isRefusal(result.decisions[0], mentioning: ["percent-encoding"]))
        #expect(isRefusal(result.decisions[1], mentioning: ["no address"]))
        #expect(result.batches.isEmpty)
    }

    @Test func lookupsAreBatchedOncePerDistinctName() {
        var zone = InMemoryDNSResolver()
        zone.add("example.com._report._dmarc.example.net", .txt("v=DMARC1"))
        let result = decide("example.com", ["mailto:a@example.net", "mailto:b@example.net", "mailto:c@example.org", "mailto:d@example.com"], zone)
        #expect(result.batches.count == 1)
        #expect(result.batches.first?.map(\.name) == ["example.com._report._dmarc.example.net", "example.com._report._dmarc.example.org"])
        #expect(result.decisions[0] == .send(address: "a@example.net", maximumBytes: nil))
        #expect(result.decisions[1] == .send(address: "b@example.net", maximumBytes: nil))
        #expect(isRefusal(result.decisions[2], mentioning: ["NXDOMAIN"]))
        #expect(result.decisions[3] == .send(address: "d@example.com", maximumBytes: nil))
    }

    @Test func theVerificationNameUsesThePolicyDomainNotItsOrganizationalDomain() {
        var zone = InMemoryDNSResolver()
        zone.add("mail.example.com._report._dmarc.example.net", .txt("v=DMARC1"))
        let result = decide("mail.example.com", ["mailto:a@example.net"], zone)
        #expect(result.decisions == [.send(address: "a@example.net", maximumBytes: nil)])
    }
}
