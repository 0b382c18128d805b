import BenchSupport
import MailAuth

/// A mix of alike messages for the scaling runs: each has a body of
/// `bodyBytes`, `signatures` DKIM signatures (RSA-2048; the first by the
/// From domain, the others by sig2.example ...), and arrives through
/// `hops` forwarders that each add an ARC set (RSA-2048) without changing
/// the message. SPF passes for the last sender, IPRev passes.
struct UniformMix {
    let world: MixWorld
    let bodyBytes: Int
    let signatures: Int
    let hops: Int
    let signers: [MixSigner]
    let sealers: [MixSigner]

    init(world: MixWorld, bodyBytes: Int, signatures: Int, hops: Int) throws {
        self.world = world
        self.bodyBytes = bodyBytes
        self.signatures = signatures
        self.hops = hops
        world.domain("sender.example", mailHost: ("mail.sender.example", "198.51.100.200"), spf: "v=spf1 ip4:198.51.100.200 -all",
                     dmarc: "reject")
        signers = try (0..<signatures).map { i in
            try world.signer(i == 0 ? "sender.example" : "sig\(i + 1).example", selector: "s2048", .rsa)
        }
        sealers = hops == 0 ? [] : try (1...hops).map { k in
            world.domain("hop\(k).example", mailHost: ("mail.hop\(k).example", "203.0.113.\(200 + k)"),
                         spf: "v=spf1 ip4:203.0.113.\(200 + k) -all")
            return try world.signer("hop\(k).example", selector: "arc", .rsa)
        }
    }

    var kind: String { "uniform-\(bodyBytes)B-\(signatures)dkim-\(hops)arc" }

    /// DMARC passes through the From domain's signature, or without one
    /// through SPF when the mail comes straight from the sender.
    var expectation: String {
        let dkim = signatures == 0 ? "none" : Array(repeating: "pass", count: signatures).joined(separator: ",")
        let dmarc = signatures > 0 || hops == 0 ? "pass" : "fail"
        return "spf=pass dkim=\(dkim) dmarc=\(dmarc) arc=\(hops > 0 ? "pass" : "none") iprev=pass"
    }

    var recipes: [MixRecipe] {
        [MixRecipe(kind: kind, share: 1) { n in
            var d = MixDraft(from: "Alice <alice@sender.example>", to: "<user\(n % 7)@rcpt.example>",
                             subject: "Uniform message \(n)", messageID: "<\(n).uniform@sender.example>",
                             bodyBytes: bodyBytes, seed: n)
            for signer in signers { try d.sign(signer) }
            var previous = (host: "mail.sender.example", address: "198.51.100.200")
            for (k, sealer) in sealers.enumerated() {
                _ = try d.seal(by: sealer, receivedFrom: previous,
                               results: "spf=pass smtp.mailfrom=\(k == 0 ? "sender.example" : "hop\(k).example")",
                               resolver: world.resolver, id: n * 10 + k)
                previous = (host: "mail.hop\(k + 1).example", address: "203.0.113.\(201 + k)")
            }
            let mailFrom = hops == 0 ? "alice@sender.example" : "srs0+\(n)@hop\(hops).example"
            return MixMessage(kind: kind, clientAddress: previous.address, clientHostname: previous.host, helo: previous.host,
                              mailFrom: "<\(mailFrom)>", recipients: ["<user\(n % 7)@rcpt.example>"],
                              expected: MixExpectation.parse(expectation)!, raw: d.raw)
        }]
    }
}
