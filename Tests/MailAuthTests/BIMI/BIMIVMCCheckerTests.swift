import Foundation
@testable import MailAuth
import TestSupport
import Testing

/// VMCs made at run time with the openssl command (a test CA, a VMC with
/// the BIMI key usage, a subjectAltName and a logotype extension embedding
/// the SVG): the checks of `BIMIVMCChecker` and the entry the evaluator
/// writes, in Mail::BIMI's words.
@Suite(.enabled(if: ExternalCommand.succeeds(["openssl", "version"]))) struct BIMIVMCCheckerTests {
    static let svg = Array(#"<svg version="1.2" baseProfile="tiny-ps" xmlns="http://www.w3.org/2000/svg"><title>Brand</title><rect width="4" height="4"/></svg>"#.utf8)

    static func tlv(_ tag: UInt8, _ body: [UInt8]) -> [UInt8] {
        let count = body.count
        let length: [UInt8] = count < 128 ? [UInt8(count)] : count < 256 ? [0x81, UInt8(count)] : [0x82, UInt8(count >> 8), UInt8(count & 0xFF)]
        return [tag] + length + body
    }

    /// LogotypeExtn DER embedding `svg`, its hash computed over `hashed`.
    static func logotype(_ svg: [UInt8], hashed: [UInt8]? = nil) -> String {
        let sha256 = tlv(0x30, tlv(0x06, [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01]))
        let uri = Array(("data:image/svg+xml;base64," + CryptoBase64.encode(svg)).utf8)
        let details = tlv(0x30, tlv(0x16, Array("image/svg+xml".utf8))
            + tlv(0x30, tlv(0x30, sha256 + tlv(0x04, CryptoDigest.digest(.sha256, hashed ?? svg)!))) + tlv(0x30, tlv(0x16, uri)))
        return tlv(0x30, tlv(0xA2, tlv(0xA0, tlv(0x30, tlv(0x30, details))))).map { String(format: "%02x", $0) }.joined()
    }

    struct Made {
        var ca: String
        var vmc: [UInt8]
    }

    /// A CA and a VMC it signed; `otherCA`: signed by a CA the store does not hold.
    static func make(san: String = "example.com", logotypeHex: String = logotype(svg), otherCA: Bool = false) throws -> Made {
        let script = """
        set -e
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=TestCA \
          -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
        openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 2 -subj /CN=OtherCA \
          -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
        openssl req -newkey rsa:2048 -nodes -keyout vmc.key -out vmc.csr -subj "/CN=Brand/1.3.6.1.4.1.53087.1.13=Registered Mark" 2>/dev/null
        printf 'subjectAltName=DNS:\(san)\\nextendedKeyUsage=1.3.6.1.5.5.7.3.31\\n1.3.6.1.5.5.7.1.12=DER:\(logotypeHex)\\n' > vmc.ext
        openssl x509 -req -in vmc.csr -CA \(otherCA ? "other" : "ca").pem -CAkey \(otherCA ? "other" : "ca").key -CAcreateserial \
          -days 2 -extfile vmc.ext -out vmc.pem 2>/dev/null
        echo ===CA; cat ca.pem; echo ===VMC; cat vmc.pem
        """
        let run = try ExternalCommand.run(["sh", "-c", script], separateErrors: true)
        try #require(run.status == 0)
        let parts = run.output.components(separatedBy: "===VMC\n")
        let ca = parts[0].replacingOccurrences(of: "===CA\n", with: "")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bimi-ca-\(UUID().uuidString).pem")
        try ca.write(to: file, atomically: true, encoding: .utf8)
        return Made(ca: file.path, vmc: Array(parts[1].utf8))
    }

    static func check(_ made: Made) throws -> BIMIEvidence {
        defer { try? FileManager.default.removeItem(atPath: made.ca) }
        return BIMIVMCChecker(roots: try BIMIVMCTrustStore(file: made.ca)).check(pem: made.vmc, domain: "example.com", selector: "default")
    }

    @Test func aGoodVMCIsValidAndCarriesItsSVG() throws {
        let evidence = try Self.check(Self.make())
        #expect(evidence.problems == [])
        #expect(evidence.indicator == Self.svg)
    }

    @Test func theSelectorNameIsAcceptedAsAltName() throws {
        #expect(try Self.check(Self.make(san: "default._bimi.example.com")).isValid)
    }

    @Test func aBadChainCannotBeVerified() throws {
        let evidence = try Self.check(Self.make(otherCA: true))
        #expect(evidence.problems.map(\.reason) == [.vmcParseError])
        #expect(BIMIReason.reported(evidence.problems.map(\.reason)).comment == "Could not parse VMC")
    }

    @Test func aWrongAltNameDoesNotValidate() throws {
        let evidence = try Self.check(Self.make(san: "other.example"))
        #expect(evidence.problems == [.init(.vmcValidationError, "Invalid alt name")])
        #expect(BIMIReason.reported(evidence.problems.map(\.reason)).comment == "VMC did not validate")
    }

    @Test func aLogotypeHashMismatchDoesNotValidate() throws {
        let evidence = try Self.check(Self.make(logotypeHex: Self.logotype(Self.svg, hashed: Array("other".utf8))))
        #expect(evidence.problems == [.init(.vmcValidationError, "Logotype hash does not match")])
    }

    @Test func notAPEMIsAParseError() throws {
        let made = try Self.make()
        let evidence = try Self.check(Made(ca: made.ca, vmc: Array("hello".utf8)))
        #expect(evidence.problems.map(\.reason) == [.vmcParseError])
    }

    /// Through the evaluator: a pass with a VMC writes the authority, a
    /// location SVG other than the VMC's is `SVG_MISMATCH`.
    @Test func theEvaluatorWritesTheAuthority() throws {
        let made = try Self.make()
        defer { try? FileManager.default.removeItem(atPath: made.ca) }
        let roots = try BIMIVMCTrustStore(file: made.ca)
        var dns = InMemoryDNSResolver()
        dns.add("default._bimi.example.com", .txt([Array("v=BIMI1; l=https://example.com/l.svg; a=https://example.com/a.pem".utf8)]))
        var options = BIMIOptions()
        options.validatesEvidence = true
        options.validatesIndicator = true
        func evaluate(location: [UInt8]) -> BIMIResult {
            var evaluator = BIMIEvaluator(resolver: dns, options: options)
            evaluator.fetcher = { kind, _, _ in .fetched(kind == .indicator ? location : made.vmc) }
            evaluator.checkEvidence = { BIMIVMCChecker(roots: roots).check(pem: $0, domain: $1, selector: $2) }
            let dmarc = DMARCResult(fromDomain: "example.com", organizationalDomain: "example.com", code: .pass,
                                    record: DMARCRecord("v=DMARC1; p=reject"), isSubdomain: false)
            return evaluator.evaluate(domain: "example.com", selector: "default", organizationalDomain: "example.com",
                                      dmarc: dmarc, organizationalDMARC: { nil })
        }
        let pass = evaluate(location: Self.svg)
        #expect(pass.authResultsEntry.sortKey
                == "bimi=pass header.d=example.com header.selector=default policy.authority=pass policy.authority-uri=https://example.com/a.pem")
        #expect(pass.locationHeader == "v=BIMI1;\n    l=https://example.com/l.svg\n    a=https://example.com/a.pem")
        #expect(pass.indicatorHeader == BIMIIndicatorHeader.value(Self.svg))
        #expect(pass.hasValidEvidence)
        let other = Array(#"<svg version="1.2" baseProfile="tiny-ps" xmlns="http://www.w3.org/2000/svg"><title>Other</title></svg>"#.utf8)
        let mismatch = evaluate(location: other)
        #expect(mismatch.authResultsEntry.sortKey
                == "bimi=fail (SVG in bimi-location did not match SVG in VMC) policy.authority=pass policy.authority-uri=https://example.com/a.pem")
    }
}
