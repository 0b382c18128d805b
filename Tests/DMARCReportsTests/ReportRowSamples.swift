import MailAuth

/// Rows for the store and journal tests.
enum ReportRowSamples {
    static func row(_ n: Int, domain: String = "example.com", arrival: Int64 = 1_700_000_000,
                    headerFrom: String? = nil) -> DMARCReportRow {
        let id = String(repeating: "0", count: 32 - String(n, radix: 16).count) + String(n, radix: 16)
        return DMARCReportRow(
            id: id, arrival: arrival + Int64(n), policyDomain: domain,
            policy: DMARCReportPolicy(adkim: .relaxed, aspf: .strict, p: "reject", sp: "quarantine", pct: 50, fo: "1",
                                      rua: "mailto:dmarc@\(domain)"),
            sourceIP: "192.0.2.\(n % 250)", headerFrom: headerFrom ?? domain, envelopeFrom: "bounce.\(domain)",
            envelopeTo: "receiver.example", disposition: n % 2 == 0 ? .none : .quarantine,
            dkimAligned: n % 2 == 0, spfAligned: false,
            reasons: n % 2 == 0 ? [] : [DMARCPolicyOverrideReason(type: .localPolicy, comment: "Reject ignored due to local policy")],
            dkimResults: [DMARCDKIMInput(domain: domain, selector: "s1", result: n % 2 == 0 ? "pass" : "fail", humanResult: "x\"y")],
            spfResults: [DMARCSPFInput(domain: "bounce.\(domain)", scope: .mfrom, result: "softfail")])
    }
}
