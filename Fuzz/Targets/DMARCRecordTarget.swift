@testable import MailAuth

/// DMARC policy records (the `_dmarc` TXT answer): the lenient parser, then
/// the parsed record written back out with canonical tags must parse to
/// the same values.
enum DMARCRecordTarget {
    static let target = FuzzTarget(name: "dmarc-record", run: run)

    static func run(_ input: [UInt8]) {
        let text = String(decoding: input, as: UTF8.self)
        _ = DMARCRecord.isDMARCRecord(text)
        guard let record = DMARCRecord(text) else { return }
        _ = record.requestedPolicy
        _ = record.subdomainPolicy
        _ = record.nonExistentPolicy
        let rendered = render(record)
        guard rendered.utf8.count <= DMARCRecord.maximumLength else { return }
        guard let again = DMARCRecord(rendered) else {
            fuzzCheck(false, "written back as \(rendered), it is no longer a DMARC record")
            return
        }
        var expected = record
        expected.text = again.text
        expected.warnings = again.warnings
        fuzzCheck(again == expected, "\(rendered) parses differently: \(again) vs \(record)")
    }

    static func render(_ record: DMARCRecord) -> String {
        var tags = ["v=DMARC1"]
        if let p = record.requestedPolicyText { tags.append("p=\(p)") }
        if let sp = record.subdomainPolicyText { tags.append("sp=\(sp)") }
        if let np = record.nonExistentPolicyText { tags.append("np=\(np)") }
        tags.append("adkim=\(record.dkimAlignment.rawValue)")
        tags.append("aspf=\(record.spfAlignment.rawValue)")
        if let pct = record.percent { tags.append("pct=\(pct)") }
        if let rua = record.aggregateReportText { tags.append("rua=\(rua)") }
        if let ruf = record.failureReportText { tags.append("ruf=\(ruf)") }
        tags.append("fo=\(record.failureOptions.joined(separator: ":"))")
        tags.append("rf=\(record.reportFormats.joined(separator: ","))")
        tags.append("ri=\(record.reportInterval)")
        tags.append("psd=\(record.publicSuffixDomain)")
        tags.append("t=\(record.testing ? "y" : "n")")
        return tags.joined(separator: "; ")
    }
}
