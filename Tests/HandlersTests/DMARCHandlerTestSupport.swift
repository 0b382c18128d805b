import Config
import Foundation
import Handlers
import JSON
import MailAuth
import Milter
import TestSupport

/// Helpers for the DMARC handler tests: a small public suffix list, a zone
/// with policies of every kind, and SPF + DKIM (+ ARC) + DMARC handlers
/// run through a dispatcher.
enum DMARCHandlerTestSupport {
    static let psl = PublicSuffixList(text: "com\norg\nnet\nexample\n")

    static func node(_ json: String) throws -> ConfigNode {
        ConfigNode(value: try JSONParser.parse(json), origin: ConfigOrigin(file: "DMARC.json"))
    }

    /// The client is 192.0.2.1 (the harness's); example.com authorises it.
    static func zone() throws -> InMemoryDNSResolver {
        var dns = try DKIMHandlerTestData.zone()
        func domain(_ name: String, _ policy: String?, spf: String = "v=spf1 ip4:192.0.2.0/24 -all") {
            dns.add(name, .a("198.51.100.10"))
            dns.add(name, DKIMHandlerTestData.txt(spf))
            if let policy { dns.add("_dmarc." + name, DKIMHandlerTestData.txt(policy)) }
        }
        domain("example.com", "v=DMARC1; p=reject; sp=quarantine")
        domain("none.example", "v=DMARC1; p=none", spf: "v=spf1 -all")
        domain("quarantine.example", "v=DMARC1; p=quarantine", spf: "v=spf1 -all")
        domain("reject.example", "v=DMARC1; p=reject", spf: "v=spf1 -all")
        domain("half.example", "v=DMARC1; p=reject; pct=50", spf: "v=spf1 -all")
        domain("plain.example", "v=DMARC1; p=reject", spf: "v=spf1 -all")
        domain("nopolicy.example", nil, spf: "v=spf1 -all")
        domain("slow.example", nil, spf: "v=spf1 -all")
        dns.markTimeout("_dmarc.slow.example")
        return dns
    }

    /// DMARC over SPF and DKIM (unsigned messages add no dkim entry).
    static func handlers(_ config: String = "{}", draw: Int = 0, arc: ARCHandler? = nil) throws -> [any Handler] {
        let spf = try SPFHandler(config: JSONParser.parse(#"{"hide_received-spf_header": 1}"#))
        let dkim = try DKIMHandler(config: JSONParser.parse(#"{"hide_none": 1, "check_adsp": 0}"#))
        let dmarc = try DMARCHandler(config: ConfigNode(value: JSONParser.parse(config), origin: ConfigOrigin(file: "DMARC.json")),
                                     publicSuffixList: psl)
        dmarc.options.percentDraw = { draw }
        var list: [any Handler] = [spf, dkim]
        if let arc { list.append(arc) }
        list.append(dmarc)
        return list.attachingPeers()
    }

    struct Run {
        var entries: [String]
        var replies: [MilterResponse]
        var log: [String]
        var dmarc: [String] { entries.filter { $0.hasPrefix("dmarc=") } }
        var quarantined: Bool {
            replies.contains { if case .insertHeader(_, "X-Disposition-Quarantine", "Quarantined due to DMARC policy") = $0 { return true } else { return false } }
        }
        var rejected: Bool { replies == [.replyCode("550 5.7.0 DMARC policy violation")] }
    }

    /// One message through a dispatcher; the one-line A-R entries.
    static func run(_ handlers: [any Handler], from: String = "<sender@example.com>",
                    headers: [(String, String)], body: String = "Hello\r\n", resolver: (any DNSResolver)? = nil,
                    settings: DispatcherSettings = DispatcherSettings(), bimiFetcher: (any BIMIFetching)? = nil) throws -> Run {
        var settings = settings
        settings.authservID = "mx.example.net"
        settings.indentStyle = .none
        let harness = Harness(handlers: handlers, settings: settings, resolver: try resolver ?? zone())
        harness.session.bimiFetcher = bimiFetcher
        harness.openConnection()
        _ = harness.dispatcher.drainLog()
        let replies = harness.sendMessage(from: from, headers: headers, body: body)
        var authResults: String?
        for reply in replies {
            if case .insertHeader(_, "Authentication-Results", let value) = reply { authResults = value }
        }
        return Run(entries: ARCHandlerTestSupport.entries(authResults), replies: replies, log: harness.dispatcher.drainLog())
    }

    static func from(_ address: String, _ extra: [(String, String)] = []) -> [(String, String)] {
        [("From", address), ("To", "rcpt@example.net"), ("Subject", "Hello")] + extra
    }
}
