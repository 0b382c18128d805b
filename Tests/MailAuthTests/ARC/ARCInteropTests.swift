import Foundation
import MailAuth
import TestSupport
import Testing

/// Cross-checks with dkimpy (Debian `python3-dkim`), an independent ARC
/// implementation: it validates chains we seal, we validate chains it
/// seals, and chains sealed by both in turn validate on both sides. Keys
/// come from a zone file handed to its `dnsfunc`; nothing touches the
/// network. dkimpy's sealing also needs Debian `python3-authres`; each part
/// is skipped, with a note, when its package is missing.
///
/// dkimpy takes only rsa-sha256 for ARC (`ARC_HASH_ALGORITHMS`; its
/// `ARC.sign` reads PEM keys only), so the cross-checks use RSA hops, and
/// one test pins that it refuses our Ed25519 seals (docs/arc.md: Ed25519
/// sealing is for next hops known to take it).
@Suite(.requiresConformanceData(.dkim)) struct ARCInteropTests {
    static let python = DKIMInteropTests.python
    static let hasDkimpy = DKIMInteropTests.hasDkimpy
    static let hasAuthres: Bool = (try? DKIMInteropTests.run([python, "-c", "import dkim, authres"], files: [:]).status) == 0

    /// Prints dkimpy's chain validation status of `message.eml` (keys from
    /// `zone.txt`, name TAB record per line), then its reason.
    static let dkimpyVerify = """
        import dkim
        zone = dict(line.rstrip("\\n").split("\\t", 1) for line in open("zone.txt"))
        msg = open("message.eml", "rb").read()
        dns = lambda name, timeout=5: zone.get(name.decode().rstrip("."), "").encode()
        cv, results, reason = dkim.arc_verify(msg, dnsfunc=dns)
        print((cv or b"none-chain-ended").decode())
        print(reason)
        """

    /// One hop of dkimpy: validates `message.eml`, adds its
    /// Authentication-Results with the arc= result, seals, and writes the
    /// sealed message.
    static let dkimpySeal = """
        import dkim, sys
        selector, domain, srv = sys.argv[1:4]
        zone = dict(line.rstrip("\\n").split("\\t", 1) for line in open("zone.txt"))
        msg = open("message.eml", "rb").read()
        dns = lambda name, timeout=5: zone.get(name.decode().rstrip("."), "").encode()
        cv, results, reason = dkim.arc_verify(msg, dnsfunc=dns)
        status = cv.decode() if cv else "fail"
        msg = ("Authentication-Results: %s; arc=%s; spf=pass smtp.mailfrom=origin.example\\r\\n" % (srv, status)).encode() + msg
        key = open("key", "rb").read()
        sigs = dkim.arc_sign(msg, selector.encode(), domain.encode(), key, srv.encode(),
                             include_headers=[b"from", b"to", b"subject", b"date", b"message-id"], timestamp=1700000000)
        sys.stdout.buffer.write(b"".join(sigs) + msg)
        """

    static func zoneFile(_ hops: [ARCTestSupport.Hop]) throws -> [UInt8] {
        DKIMInteropTests.zoneFile(Dictionary(uniqueKeysWithValues: try hops.map { ($0.keyName, try $0.key.keyRecord()) }))
    }

    /// dkimpy's status for `message`.
    static func dkimpyStatus(_ message: [UInt8], hops: [ARCTestSupport.Hop]) throws -> (String, String) {
        let run = try DKIMInteropTests.run([python, "-c", dkimpyVerify], files: ["message.eml": message, "zone.txt": try zoneFile(hops)])
        let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return (lines.first ?? "", run.output)
    }

    /// dkimpy seals `message` as `hop` (an RSA hop; its key file is the
    /// PEM the test data holds).
    static func dkimpySeal(_ message: [UInt8], hop: ARCTestSupport.Hop, keyFile: String,
                           hops: [ARCTestSupport.Hop]) throws -> [UInt8] {
        let run = try DKIMInteropTests.run([python, "-c", dkimpySeal, hop.selector, hop.domain, hop.authservID],
                                           files: ["message.eml": message, "zone.txt": try zoneFile(hops),
                                                   "key": try DKIMTestData.bytes(keyFile)])
        #expect(run.status == 0, "dkimpy sealing failed: \(run.output)")
        return Array(run.output.utf8)
    }

    @Test func dkimpyValidatesWhatWeSeal() throws {
        guard Self.hasDkimpy else {
            print("skipped: python3-dkim is not installed (apt-get install python3-dkim)")
            return
        }
        let all = try ARCTestSupport.hops()
        let hops = [all[0], all[2]]
        let zone = try ARCTestSupport.zone(all)
        // RSA-1024 and RSA-2048 in turn; folded and unfolded.
        for count in 1...3 {
            let chain = try ARCTestSupport.chain(count, hops: hops, zone: zone)
            let (status, output) = try Self.dkimpyStatus(chain, hops: all)
            #expect(status == "pass", "\(count) sets: \(output)")
        }
        let unfolded = try ARCSealer.seal(message: ARCTestSupport.message, key: hops[1].key,
                                          options: ARCTestSupport.options(hops[1], foldWidth: 0),
                                          verification: ARCVerifierResult(status: .none), authservID: "mx", results: "none")
        #expect(try Self.dkimpyStatus(unfolded.headerBytes + ARCTestSupport.message, hops: all).0 == "pass")

        // A body changed after a hop validated it, then sealed again: still a pass.
        var message = try ARCTestSupport.chain(1, hops: hops, zone: zone)
        let arrival = ARCTestSupport.verify(message, zone)
        message += Array("-- \r\nfooter\r\n".utf8)
        let set = try ARCSealer.seal(message: message, key: hops[1].key, options: ARCTestSupport.options(hops[1]),
                                     verification: arrival, authservID: hops[1].authservID, results: "arc=pass")
        #expect(try Self.dkimpyStatus(set.headerBytes + message, hops: all).0 == "pass")

        // A chain broken in transit, sealed cv=fail by us: dkimpy does not pass it either.
        let parts = ARCTestSupport.split(try ARCTestSupport.chain(2, hops: hops, zone: zone))
        let broken = ARCTestSupport.join(parts.fields, parts.body + "tampered\r\n")
        #expect(try Self.dkimpyStatus(broken, hops: all).0 == "fail")
        let (sealedBroken, verification) = try ARCTestSupport.seal(broken, by: hops[0], zone: zone)
        #expect(verification.status == .fail)
        #expect(try Self.dkimpyStatus(sealedBroken, hops: all).0 != "pass")
    }

    /// dkimpy knows no Ed25519 ARC: it fails our Ed25519 seal, which we pass.
    @Test func dkimpyRefusesEd25519Seals() throws {
        guard Self.hasDkimpy else {
            print("skipped: python3-dkim is not installed (apt-get install python3-dkim)")
            return
        }
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        let chain = try ARCTestSupport.chain(1, hops: [hops[1]], zone: zone)
        #expect(ARCTestSupport.verify(chain, zone).status == .pass)
        let (status, output) = try Self.dkimpyStatus(chain, hops: hops)
        #expect(status == "fail")
        #expect(output.contains("unknown signature algorithm"))
    }

    @Test func weValidateWhatDkimpySeals() throws {
        guard Self.hasDkimpy, Self.hasAuthres else {
            print("skipped: dkimpy's ARC sealing needs python3-dkim and python3-authres (apt-get install python3-authres)")
            return
        }
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        // dkimpy seals twice (RSA-1024, then RSA-2048).
        var message = try Self.dkimpySeal(ARCTestSupport.message, hop: hops[0], keyFile: "test.private", hops: hops)
        message = try Self.dkimpySeal(message, hop: hops[2], keyFile: "2048_testkey.key", hops: hops)
        let result = ARCTestSupport.verify(message, zone)
        #expect(result.status == .pass, "\(result.reason ?? "") \(result.detail)")
        #expect(result.instanceCount == 2)
        #expect(result.oldestPass == 0)
        #expect(result.authenticationResults.map(\.authservID) == ["mx.one.example", "mx.three.example"])
        #expect(result.authenticationResults(instance: 1)?.results.hasPrefix("arc=none") == true)
        #expect(result.authenticationResults(instance: 2)?.results.hasPrefix("arc=pass") == true)

        // A tampered body fails here as there.
        let tampered = message + Array("x\r\n".utf8)
        #expect(ARCTestSupport.verify(tampered, zone).status == .fail)
        #expect(try Self.dkimpyStatus(tampered, hops: hops).0 == "fail")
    }

    /// dkimpy, then us, then dkimpy again (as another ADMD: dkimpy merges
    /// every Authentication-Results of its authserv-id into the AAR, and
    /// fails a chain when they carry two `arc=` results): both validate
    /// every step.
    @Test func alternatingSealers() throws {
        guard Self.hasDkimpy, Self.hasAuthres else {
            print("skipped: dkimpy's ARC sealing needs python3-dkim and python3-authres (apt-get install python3-authres)")
            return
        }
        let hops = try ARCTestSupport.hops() + [ARCTestSupport.Hop(domain: "four.example", key: try DKIMTestData.rsaKey())]
        let zone = try ARCTestSupport.zone(hops)
        var message = try Self.dkimpySeal(ARCTestSupport.message, hop: hops[0], keyFile: "test.private", hops: hops)
        let (ours, arrival) = try ARCTestSupport.seal(message, by: hops[2], zone: zone, results: "arc=pass")
        #expect(arrival.status == .pass)
        message = ours
        #expect(try Self.dkimpyStatus(message, hops: hops).0 == "pass")
        message = try Self.dkimpySeal(message, hop: hops[3], keyFile: "test.private", hops: hops)
        let result = ARCTestSupport.verify(message, zone)
        #expect(result.status == .pass, "\(result.reason ?? "")")
        #expect(result.instanceCount == 3)
        #expect(result.authenticationResults.map(\.authservID) == ["mx.one.example", "mx.three.example", "mx.four.example"])
        #expect(result.authenticationResults(instance: 3)?.results.hasPrefix("arc=pass") == true)
        #expect(try Self.dkimpyStatus(message, hops: hops).0 == "pass")
    }
}
