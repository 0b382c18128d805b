import Foundation
import MailAuth
import TestSupport
import Testing

/// Sealing: what a set looks like, chains of several hops (RSA and
/// Ed25519), the cv=fail rules of RFC 8617 section 5.1, the instance limit,
/// refused options and inputs, milter-form streaming.
@Suite(.requiresConformanceData(.dkim)) struct ARCSealerTests {
    @Test func firstSetOnAMessageWithoutChain() throws {
        for hop in try ARCTestSupport.hops() {
            let zone = try ARCTestSupport.zone([hop])
            let (sealed, before) = try ARCTestSupport.seal(ARCTestSupport.message, by: hop, zone: zone,
                                                          results: "spf=pass smtp.mailfrom=origin.example;\n    dkim=none")
            #expect(before.status == .none)
            let result = ARCTestSupport.verify(sealed, zone)
            #expect(result.status == .pass, "\(hop.domain): \(result.reason ?? "")")
            #expect(result.instanceCount == 1)
            #expect(result.oldestPass == 0)
            #expect(result.sealDomain(instance: 1) == hop.domain)
            let record = try #require(result.authenticationResults(instance: 1))
            #expect(record.authservID == hop.authservID)
            #expect(record.results == "spf=pass smtp.mailfrom=origin.example; dkim=none")
            #expect(result.signatures.map(\.result) == [.pass, .pass])
            #expect(result.detail == "pass (as.1.\(hop.domain)=pass, ams.1.\(hop.domain)=pass)")
        }
    }

    @Test func layoutOfTheSet() throws {
        let hop = try ARCTestSupport.hops()[0]
        let zone = try ARCTestSupport.zone([hop])
        let set = try ARCSealer.seal(message: ARCTestSupport.message, key: hop.key, options: ARCTestSupport.options(hop),
                                     verification: ARCVerifierResult(status: .none), authservID: hop.authservID,
                                     results: "dkim=pass header.d=origin.example")
        #expect(set.instance == 1)
        #expect(set.chainStatus == .none)
        #expect(set.authenticationResults == "i=1; mx.one.example;\r\n\tdkim=pass header.d=origin.example")
        // Tags in alphabetical order, no trailing semicolon, folded under 78 columns.
        let ams = ARCTestData.squeezed(set.messageSignature)
        #expect(ams.hasPrefix("a=rsa-sha256;b="))
        #expect(ams.contains(";c=relaxed/relaxed;d=one.example;h=from:subject:date:message-id:to:mime-version;i=1;s=arc;t=1700000000"))
        #expect(ams.hasSuffix("t=1700000000"))
        let seal = ARCTestData.squeezed(set.seal)
        #expect(seal.hasPrefix("a=rsa-sha256;b="))
        #expect(seal.hasSuffix(";cv=none;d=one.example;i=1;s=arc;t=1700000000"))
        for field in set.fields {
            for line in String(decoding: field.raw, as: UTF8.self).components(separatedBy: "\r\n") {
                #expect(line.utf8.count <= 80, "\(field.nameText): line too long: \(line)")
            }
        }
        #expect(set.fields.map(\.nameText) == ["ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"])
        // The milter form: LF line ends, no leading space.
        let values = set.values(lineEnding: "\n")
        #expect(values.map(\.name) == ["ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"])
        #expect(!values.contains { $0.value.contains("\r") })
        #expect(values[2].value == "i=1; mx.one.example;\n\tdkim=pass header.d=origin.example")
        #expect(ARCTestSupport.verify(set.headerBytes + ARCTestSupport.message, zone).status == .pass)
    }

    @Test func threeHopsMixingRSAAndEd25519() throws {
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        let sealed = try ARCTestSupport.chain(3, hops: hops, zone: zone)
        let result = ARCTestSupport.verify(sealed, zone)
        #expect(result.status == .pass, "\(result.reason ?? "")")
        #expect(result.instanceCount == 3)
        #expect(result.oldestPass == 0)
        #expect(result.latestSealStatus == .pass)
        #expect((1...3).map { result.sealDomain(instance: $0) } == hops.map(\.domain))
        #expect(result.authenticationResults.map(\.authservID) == hops.map(\.authservID))
        #expect(result.signatures.map { "\($0.kind.shortName)\($0.instance)" } == ["as3", "ams3", "as2", "ams2", "as1", "ams1"])
        #expect(result.signatures.first { $0.instance == 2 }?.algorithm == "ed25519-sha256")
        #expect(result.signatures.first { $0.instance == 3 }?.keyBits == 2048)
    }

    /// A hop that changes the body after validating (a list footer) and
    /// seals: the chain still passes, oldest-pass says the first signature
    /// no longer verifies (RFC 8617 section 5.2 step 5).
    @Test func oldestPassAfterAModifyingHop() throws {
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        var message = try ARCTestSupport.chain(1, hops: hops, zone: zone)
        let arrival = ARCTestSupport.verify(message, zone)
        #expect(arrival.status == .pass)
        message += Array("-- \r\nList footer\r\n".utf8)
        let set = try ARCSealer.seal(message: message, key: hops[1].key, options: ARCTestSupport.options(hops[1]),
                                     verification: arrival, authservID: hops[1].authservID, results: "arc=pass")
        message = set.headerBytes + message
        let third = try ARCTestSupport.seal(message, by: hops[2], zone: zone)
        #expect(third.1.status == .pass)
        #expect(third.1.oldestPass == 2)
        let result = ARCTestSupport.verify(third.0, zone)
        #expect(result.status == .pass)
        #expect(result.oldestPass == 2)
        #expect(result.signatures.first { $0.kind == .messageSignature && $0.instance == 1 }?.detail
                == "fail (body has been altered)")
        let withoutOldestPass = ARCTestSupport.verify(third.0, zone, options: ARCVerifierOptions(computeOldestPass: false,
                                                                                               clock: ARCTestSupport.clock))
        #expect(withoutOldestPass.status == .pass)
        #expect(withoutOldestPass.oldestPass == nil)
        #expect(withoutOldestPass.signatures.filter { $0.kind == .messageSignature }.map(\.instance) == [3])
    }

    /// A chain broken in transit is sealed `cv=fail`, and that seal covers
    /// only its own set (RFC 8617 section 5.1.2). Checked here by hand:
    /// the seal's signature over AAR, AMS and the seal of the new set alone.
    @Test func brokenChainIsSealedWithCVFailOverItsOwnSetOnly() throws {
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        let sealed = try ARCTestSupport.chain(1, hops: hops, zone: zone)
        var (fields, body) = ARCTestSupport.split(sealed)
        let aar = try #require(fields.firstIndex { $0.hasPrefix("ARC-Authentication-Results:") })
        fields[aar] = fields[aar].replacingOccurrences(of: "spf=pass", with: "spf=fail")
        let broken = ARCTestSupport.join(fields, body)
        let arrival = ARCTestSupport.verify(broken, zone)
        #expect(arrival.status == .fail)
        #expect(arrival.reason == "ARC-Seal i=1: fail (message has been altered)")

        let hop = hops[0]
        let set = try ARCSealer.seal(message: broken, key: hop.key, options: ARCTestSupport.options(hop),
                                     verification: arrival, authservID: hop.authservID, results: "arc=fail")
        #expect(set.instance == 2)
        #expect(set.chainStatus == .fail)
        #expect(ARCTestData.squeezed(set.seal).contains(";cv=fail;"))

        // The seal verifies over the new set alone.
        let unsignedSeal = set.seal.replacingOccurrences(of: #"b=[^;]*;"#, with: "b=;", options: .regularExpression)
        var input: [UInt8] = []
        for (name, value) in [("ARC-Authentication-Results", set.authenticationResults),
                              ("ARC-Message-Signature", set.messageSignature)] {
            input += CanonicalizationHeader.canonicalize(MessageHeaderField(name: name, value: " " + value), .relaxed)
        }
        var last = CanonicalizationHeader.canonicalize(MessageHeaderField(name: "ARC-Seal", value: " " + unsignedSeal), .relaxed)
        last.removeLast(2)
        input += last
        let digest = try #require(CryptoDigest.digest(.sha256, input))
        let b = try #require(set.seal.range(of: #"b=[^;]*;"#, options: .regularExpression).map { String(set.seal[$0]) })
        let signature = try #require(CryptoBase64.decode(Array(b.dropFirst(2).dropLast().utf8)))
        #expect(try hop.key.privateKey.publicKey().verifyRSA(signature: signature, digest: digest, hash: .sha256) == .valid)

        // Downstream, the chain stays failed: the newest seal says so.
        let after = ARCTestSupport.verify(set.headerBytes + broken, zone)
        #expect(after.status == .fail)
        #expect(after.reason == "ARC-Seal i=2 has cv=fail")
        #expect(after.latestSealStatus == .fail)
        // And no further set may be added (RFC 8617 section 5.1 step 2).
        #expect(throws: ARCSealerError.chainAlreadyFailed) {
            try ARCTestSupport.seal(set.headerBytes + broken, by: hops[1], zone: zone)
        }
    }

    @Test func fiftySetsAndNoMore() throws {
        let hops = [try ARCTestSupport.hops()[1]]
        let zone = try ARCTestSupport.zone(hops)
        let sealed = try ARCTestSupport.chain(50, hops: hops, zone: zone)
        let result = ARCTestSupport.verify(sealed, zone)
        #expect(result.status == .pass, "\(result.reason ?? "")")
        #expect(result.instanceCount == 50)
        #expect(result.signatures.count == 100)
        #expect(throws: ARCSealerError.instanceLimitReached(50)) {
            try ARCTestSupport.seal(sealed, by: hops[0], zone: zone)
        }
    }

    @Test func refusedOptions() throws {
        let rsa = try DKIMTestData.rsaKey()
        let ed = try DKIMTestData.ed25519Key()
        func options(_ change: (inout ARCSealerOptions) -> Void) -> ARCSealerOptions {
            var options = ARCSealerOptions(domain: "example.com", selector: "arc")
            change(&options)
            return options
        }
        #expect(throws: ARCSealerError.invalidDomain("exa mple.com")) {
            try ARCSealer(key: rsa, options: options { $0.domain = "exa mple.com" })
        }
        #expect(throws: ARCSealerError.invalidSelector("")) {
            try ARCSealer(key: rsa, options: options { $0.selector = "" })
        }
        #expect(throws: ARCSealerError.unsupportedAlgorithm(.rsaSHA1)) {
            try ARCSealer(key: rsa, options: options { $0.algorithm = .rsaSHA1 })
        }
        #expect(throws: ARCSealerError.unsupportedAlgorithm(.rsaSHA256)) {
            try ARCSealer(key: ed, options: options { $0.algorithm = .rsaSHA256 })
        }
        for forbidden in ["ARC-Seal", "arc-message-signature", "ARC-Authentication-Results", "Authentication-Results"] {
            #expect(throws: ARCSealerError.self) {
                try ARCSealer(key: rsa, options: options { $0.signedHeaders.append(forbidden) })
            }
        }
        #expect(throws: ARCSealerError.self) {
            try ARCSealer(key: rsa, options: options { $0.signedHeaders = ["subject", "to"] })
        }
    }

    @Test func refusedInputs() throws {
        let hop = try ARCTestSupport.hops()[0]
        let none = ARCVerifierResult(status: .none)
        func seal(_ authservID: String, _ results: String) throws(ARCSealerError) -> ARCSealOutput {
            try ARCSealer.seal(message: ARCTestSupport.message, key: hop.key, options: ARCTestSupport.options(hop),
                               verification: none, authservID: authservID, results: results)
        }
        for id in ["", "mx example", "mx;example", "mx\r\nX-Evil: 1"] {
            #expect(throws: ARCSealerError.invalidAuthservID(id)) { try seal(id, "spf=pass") }
        }
        for results in ["spf=pass\nX-Evil: yes", "spf=pass\r\nX-Evil: yes", "spf=pass\rdkim=pass", "spf=pass\0"] {
            #expect(throws: ARCSealerError.self) { try seal("mx.example", results) }
        }
        // Folded results are fine, and empty ones say none.
        #expect(try seal("mx.example", "spf=pass;\n  dkim=pass\n").authenticationResults
                == "i=1; mx.example;\r\n\tspf=pass;\r\n  dkim=pass")
        #expect(try seal("mx.example", " \n ").authenticationResults == "i=1; mx.example;\r\n\tnone")
    }

    /// The verification handed in must describe this message.
    @Test func mismatchedVerification() throws {
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        let chained = try ARCTestSupport.chain(2, hops: hops, zone: zone)
        let hop = hops[0]
        func seal(_ message: [UInt8], _ verification: ARCVerifierResult) throws(ARCSealerError) -> ARCSealOutput {
            try ARCSealer.seal(message: message, key: hop.key, options: ARCTestSupport.options(hop),
                               verification: verification, authservID: hop.authservID, results: "")
        }
        #expect(throws: ARCSealerError.self) { try seal(chained, ARCVerifierResult(status: .none)) }
        #expect(throws: ARCSealerError.self) { try seal(ARCTestSupport.message, ARCVerifierResult(status: .fail)) }
        #expect(throws: ARCSealerError.self) { try seal(chained, ARCVerifierResult(status: .pass, instanceCount: 1)) }
        #expect(throws: ARCSealerError.self) { try seal(ARCTestSupport.message, ARCVerifierResult(status: .pass, instanceCount: 1)) }
        #expect(try seal(chained, ARCTestSupport.verify(chained, zone)).instance == 3)
    }

    /// Fed as the milter feeds it (names and values apart, LF folds, no
    /// space after the colon; the body in one-byte chunks), the set is the
    /// one made from the whole message.
    @Test func milterFormAndChunkedBody() throws {
        let hops = try ARCTestSupport.hops()
        let zone = try ARCTestSupport.zone(hops)
        let message = try ARCTestSupport.chain(2, hops: hops, zone: zone)
        let (fields, bodyStart) = MessageHeaderSplitter.split(message)
        let hop = hops[2]

        let verifier = ARCVerifier(resolver: zone, options: ARCTestSupport.verifierOptions)
        let sealer = try ARCSealer(key: hop.key, options: ARCTestSupport.options(hop))
        for field in fields {
            var value = field.value
            if value.first == 0x20 { value.removeFirst() }
            let lf = Array(String(decoding: value, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n").utf8)
            verifier.header(name: field.name, value: lf)
            sealer.header(name: field.name, value: lf)
        }
        #expect(verifier.hasARCHeaders)
        verifier.endOfHeaders()
        sealer.endOfHeaders()
        #expect(verifier.needsBody)
        for byte in message[bodyStart...] {
            verifier.body([byte])
            sealer.body([byte])
        }
        let verification = verifier.finish()
        #expect(verification == ARCTestSupport.verify(message, zone))
        let streamed = try sealer.finish(verification: verification, authservID: hop.authservID, results: "arc=pass")
        let whole = try ARCSealer.seal(message: message, key: hop.key, options: ARCTestSupport.options(hop),
                                       verification: verification, authservID: hop.authservID, results: "arc=pass")
        #expect(streamed == whole)
        // finish is idempotent; later body bytes change nothing.
        sealer.body(Array("more".utf8))
        #expect(try sealer.finish(verification: verification, authservID: hop.authservID, results: "arc=pass") == whole)
        #expect(ARCTestSupport.verify(whole.headerBytes + message, zone).status == .pass)
    }

    /// Simple canonicalization and over-signing are honoured too.
    @Test func otherCanonicalizationsAndOverSigning() throws {
        let hop = try ARCTestSupport.hops()[0]
        let zone = try ARCTestSupport.zone([hop])
        for (header, body) in DKIMTestData.canonicalizations {
            var options = ARCTestSupport.options(hop)
            options.headerCanonicalization = header
            options.bodyCanonicalization = body
            options.overSignedHeaders = ["from", "subject"]
            let set = try ARCSealer.seal(message: ARCTestSupport.message, key: hop.key, options: options,
                                         verification: ARCVerifierResult(status: .none), authservID: hop.authservID,
                                         results: "none")
            #expect(ARCTestData.squeezed(set.messageSignature).contains("c=\(header)/\(body);"))
            #expect(ARCTestData.squeezed(set.messageSignature).contains("h=from:from:subject:subject:"))
            let sealed = set.headerBytes + ARCTestSupport.message
            #expect(ARCTestSupport.verify(sealed, zone).status == .pass, "\(header)/\(body)")
            // An added Subject now breaks the message signature, so the chain.
            let added = Array("Subject: changed\r\n".utf8) + sealed
            #expect(ARCTestSupport.verify(added, zone).status == .fail, "\(header)/\(body)")
        }
    }
}
