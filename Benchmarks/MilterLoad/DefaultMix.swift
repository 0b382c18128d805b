import BenchSupport
import Foundation
import MailAuth

/// The default mix: mail as a busy inbound MX sees it. Direct mail signed
/// with RSA-2048, with Ed25519, with both, or not at all; SPF pass, fail,
/// softfail and none; DMARC pass, fail and none under p=reject,
/// p=quarantine and p=none; an ESP signing for its customer; spoofed mail
/// from hosts whose PTR is missing or not confirmed; a body altered after
/// signing; mailing-list and forwarded mail arriving with 1 to 3 ARC sets
/// sealed by the lists and forwarders. Every kind states the results it
/// is meant to get (`MixExpectation`). Every From domain has an MX and
/// its host an A record: DMARC (Mail::DMARC and ours) treats a From
/// domain without MX, A, AAAA or NS as not in DNS (`dmarc=none`).
struct DefaultMix {
    let world: MixWorld
    let bodyBytes: Int

    init(world: MixWorld, bodyBytes: Int) {
        self.world = world
        self.bodyBytes = bodyBytes
        world.domain("rsa-reject.example", mailHost: ("mail.rsa-reject.example", "198.51.100.10"), spf: "v=spf1 ip4:198.51.100.10 -all",
                     dmarc: "reject")
        world.domain("ed-quarantine.example", mailHost: ("mail.ed-quarantine.example", "198.51.100.20"),
                     spf: "v=spf1 ip4:198.51.100.20 ~all", dmarc: "quarantine")
        // SPF through a and mx: the sending host and the MX are different hosts.
        world.host("mail.dual-none.example", "198.51.100.30")
        world.domain("dual-none.example", mailHost: ("mx.dual-none.example", "198.51.100.31"), spf: "v=spf1 a:mail.dual-none.example mx -all",
                     dmarc: "none")
        world.domain("plain-reject.example", mailHost: ("mail.plain-reject.example", "198.51.100.40"),
                     spf: "v=spf1 ip4:198.51.100.40 -all", dmarc: "reject")
        world.domain("nospf.example", mailHost: ("mail.nospf.example", "198.51.100.50"), dmarc: "quarantine")
        // SPF through an include of the mail provider's range; no DMARC.
        world.host("out1.mailhost.example", "198.51.100.66")
        world.domain("nodmarc.example", mailHost: ("in.mailhost.example", "198.51.100.70"), spf: "v=spf1 include:_spf.mailhost.example -all")
        world.txt("_spf.mailhost.example", "v=spf1 ip4:198.51.100.64/28 ~all")
        // A shop whose mail an ESP sends: the ESP's bounce domain and range.
        world.domain("shop.example", mailHost: ("mx.shop.example", "198.51.100.80"), dmarc: "reject")
        world.host("o1.esp.example", "203.0.113.5")
        world.domain("bounce.esp.example", spf: "v=spf1 include:_spf.esp.example -all")
        world.domain("esp.example", dmarc: "none")
        world.txt("_spf.esp.example", "v=spf1 ip4:203.0.113.0/26 ip6:2001:db8:e5::/48 ~all")
        // Spoofers: no PTR at all; a PTR whose name points elsewhere.
        world.host("dyn-77.isp.example", "192.0.2.78", ptr: false)
        world.ptr("192.0.2.77", "dyn-77.isp.example")
        // The list and the forwarders.
        world.domain("list.example", mailHost: ("mail.list.example", "203.0.113.80"), spf: "v=spf1 ip4:203.0.113.80 -all", dmarc: "none")
        world.domain("fwd1.example", mailHost: ("mail.fwd1.example", "203.0.113.90"), spf: "v=spf1 ip4:203.0.113.90 -all")
        world.domain("fwd2.example", mailHost: ("mail.fwd2.example", "203.0.113.100"), spf: "v=spf1 ip4:203.0.113.100 -all")
    }

    /// The keys, made at their first use: RSA-2048 under `s2048`, Ed25519
    /// under `ed`, the forwarders' ARC keys (RSA-2048) under `arc`.
    func rsa(_ domain: String) throws -> MixSigner { try world.signer(domain, selector: "s2048", .rsa) }
    func ed25519(_ domain: String) throws -> MixSigner { try world.signer(domain, selector: "ed", .ed25519) }
    func arc(_ domain: String) throws -> MixSigner { try world.signer(domain, selector: "arc", .rsa) }

    /// The envelope and draft of message `n` from `from` at `domain`.
    func draft(_ n: Int, from: String, domain: String) -> MixDraft {
        MixDraft(from: "\(from.prefix(1).uppercased() + from.dropFirst()) <\(from)@\(domain)>", to: "<user\(n % 7)@rcpt.example>",
                 subject: "Message \(n) from \(domain)", messageID: "<\(n).\(from)@\(domain)>", bodyBytes: bodyBytes, seed: n)
    }

    /// Mail sent straight from its author's host (or a spoofer's): the
    /// author's signatures, a body perhaps altered after signing, the
    /// envelope (MAIL FROM is the author unless given; `{n}` in it is the
    /// message number).
    struct Direct {
        let kind: String
        let share: Int
        let author: String
        let signers: [MixSigner]
        let client: (host: String, address: String, verified: Bool)
        let expect: String
        var mailFrom: String? = nil
        var helo: String? = nil
        var altered = false

        init(_ kind: String, _ share: Int, _ author: String, _ signers: [MixSigner], _ client: (host: String, address: String, verified: Bool),
             _ expect: String, mailFrom: String? = nil, helo: String? = nil, altered: Bool = false) {
            (self.kind, self.share, self.author, self.signers, self.client, self.expect) = (kind, share, author, signers, client, expect)
            (self.mailFrom, self.helo, self.altered) = (mailFrom, helo, altered)
        }
    }

    func directKinds() throws -> [Direct] {
        let rsaHost = (host: "mail.rsa-reject.example", address: "198.51.100.10", verified: true)
        let edHost = (host: "mail.ed-quarantine.example", address: "198.51.100.20", verified: true)
        let dualHost = (host: "mail.dual-none.example", address: "198.51.100.30", verified: true)
        let plainHost = (host: "mail.plain-reject.example", address: "198.51.100.40", verified: true)
        let nospfHost = (host: "mail.nospf.example", address: "198.51.100.50", verified: true)
        let providerHost = (host: "out1.mailhost.example", address: "198.51.100.66", verified: true)
        let espHost = (host: "o1.esp.example", address: "203.0.113.5", verified: true)
        // No PTR for the first address; a PTR whose name has another address.
        let noPTR = (host: "unknown", address: "192.0.2.66", verified: false)
        let badPTR = (host: "dyn-77.isp.example", address: "192.0.2.77", verified: false)
        let pass = "spf=pass dkim=pass dmarc=pass arc=none iprev=pass"
        return [
            Direct("rsa-direct", 20, "alice@rsa-reject.example", [try rsa("rsa-reject.example")], rsaHost, pass),
            Direct("ed25519-direct", 15, "erin@ed-quarantine.example", [try ed25519("ed-quarantine.example")], edHost, pass),
            Direct("rsa+ed25519-direct", 15, "dave@dual-none.example", [try rsa("dual-none.example"), try ed25519("dual-none.example")], dualHost, "spf=pass dkim=pass,pass dmarc=pass arc=none iprev=pass"),
            Direct("unsigned-spf-aligned", 15, "paul@plain-reject.example", [], plainHost, "spf=pass dkim=none dmarc=pass arc=none iprev=pass"),
            Direct("signed-no-spf", 10, "nora@nospf.example", [try rsa("nospf.example")], nospfHost, "spf=none dkim=pass dmarc=pass arc=none iprev=pass"),
            Direct("no-dmarc-spf-include", 10, "nick@nodmarc.example", [try rsa("nodmarc.example")], providerHost, "spf=pass dkim=pass dmarc=none arc=none iprev=pass"),
            Direct("esp-two-signatures", 10, "orders@shop.example", [try rsa("shop.example"), try ed25519("esp.example")], espHost, "spf=pass dkim=pass,pass dmarc=pass arc=none iprev=pass",
                   mailFrom: "bounce+{n}@bounce.esp.example"),
            Direct("spoof-spf-fail", 8, "alice@rsa-reject.example", [], noPTR, "spf=fail dkim=none dmarc=fail arc=none iprev=fail",
                   helo: "mail.rsa-reject.example"),
            Direct("spoof-softfail", 7, "erin@ed-quarantine.example", [], badPTR, "spf=softfail dkim=none dmarc=fail arc=none iprev=fail"),
            Direct("body-altered", 5, "alice@rsa-reject.example", [try rsa("rsa-reject.example")], rsaHost, "spf=pass dkim=fail dmarc=pass arc=none iprev=pass",
                   altered: true),
        ]
    }

    func message(_ kind: String, _ n: Int, draft: MixDraft, client: (host: String, address: String, verified: Bool),
                 helo: String? = nil, mailFrom: String, expect: String) -> MixMessage {
        MixMessage(kind: kind, clientAddress: client.address, clientHostname: client.verified ? client.host : "unknown",
                   helo: helo ?? client.host, mailFrom: "<\(mailFrom.replacingOccurrences(of: "{n}", with: String(n)))>",
                   recipients: ["<user\(n % 7)@rcpt.example>"], expected: MixExpectation.parse(expect)!, raw: draft.raw)
    }

    func recipes() throws -> [MixRecipe] {
        let direct = try directKinds().map { kind in
            MixRecipe(kind: kind.kind, share: kind.share) { n in
                let parts = kind.author.split(separator: "@").map(String.init)
                var d = draft(n, from: parts[0], domain: parts[1])
                for signer in kind.signers { try d.sign(signer) }
                if kind.altered { d.appendToBody("[This message was scanned by an outbound filter.]\r\n") }
                return message(kind.kind, n, draft: d, client: kind.client, helo: kind.helo, mailFrom: kind.mailFrom ?? kind.author,
                               expect: kind.expect)
            }
        }
        let fwd2 = (host: "mail.fwd2.example", address: "203.0.113.100", verified: true)
        return direct + [
            MixRecipe(kind: "list-1-arc-set", share: 10) { n in
                message("list-1-arc-set", n, draft: try listed(n), client: ("mail.list.example", "203.0.113.80", true),
                        mailFrom: "list-bounces+{n}@list.example", expect: "spf=pass dkim=fail,pass dmarc=fail arc=pass iprev=pass")
            },
            MixRecipe(kind: "forward-2-arc-sets", share: 8) { n in
                var d = draft(n, from: "erin", domain: "ed-quarantine.example")
                try d.sign(try ed25519("ed-quarantine.example"))
                try forwardTwice(&d, n, from: ("mail.ed-quarantine.example", "198.51.100.20"), signedBy: "ed-quarantine.example")
                return message("forward-2-arc-sets", n, draft: d, client: fwd2, mailFrom: "srs0+{n}@fwd2.example",
                               expect: "spf=pass dkim=pass dmarc=pass arc=pass iprev=pass")
            },
            MixRecipe(kind: "list-then-2-forwards-3-arc-sets", share: 7) { n in
                var d = try listed(n)
                try forwardTwice(&d, n, from: ("mail.list.example", "203.0.113.80"), signedBy: "list.example")
                return message("list-then-2-forwards-3-arc-sets", n, draft: d, client: fwd2, mailFrom: "srs0+{n}@fwd2.example",
                               expect: "spf=pass dkim=fail,pass dmarc=fail arc=pass iprev=pass")
            },
        ]
    }

    /// Through fwd1.example then fwd2.example, each adding an ARC set and
    /// changing nothing.
    func forwardTwice(_ d: inout MixDraft, _ n: Int, from first: (host: String, address: String), signedBy: String) throws {
        _ = try d.seal(by: try arc("fwd1.example"), receivedFrom: first, results: "arc=pass; spf=pass smtp.mailfrom=\(signedBy); dkim=pass header.d=\(signedBy)",
                       resolver: world.resolver, id: n * 10 + 2)
        _ = try d.seal(by: try arc("fwd2.example"), receivedFrom: ("mail.fwd1.example", "203.0.113.90"),
                       results: "arc=pass; spf=pass smtp.mailfrom=fwd1.example; dkim=pass header.d=\(signedBy)",
                       resolver: world.resolver, id: n * 10 + 3)
    }

    /// A p=reject sender's signed message after a mailing list: Subject
    /// tag and footer (the author's signature breaks), the list's own
    /// signature, ARC set 1 by the list.
    func listed(_ n: Int) throws -> MixDraft {
        var d = draft(n, from: "alice", domain: "rsa-reject.example")
        try d.sign(try rsa("rsa-reject.example"))
        d.listRewrite(list: "list.example")
        try d.sign(try rsa("list.example"))
        _ = try d.seal(by: try arc("list.example"), receivedFrom: ("mail.rsa-reject.example", "198.51.100.10"),
                       results: "spf=pass smtp.mailfrom=rsa-reject.example; dkim=pass header.d=rsa-reject.example; "
                           + "dmarc=pass header.from=rsa-reject.example", resolver: world.resolver, id: n * 10 + 1)
        return d
    }
}
