import Foundation
import Handlers
import JSON
import MailAuth
import Milter
import TestSupport

/// Helpers for the ARC handler tests: handlers sealing with the 2048-bit
/// test key as `arc._domainkey.<domain>`, a zone publishing it, and hops
/// through a dispatcher.
enum ARCHandlerTestSupport {
    typealias Data = DKIMHandlerTestData

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// An ARC handler; `domain` non-nil seals as that domain, selector `arc`.
    static func handler(sealingAs domain: String? = nil, extra: String = "") throws -> ARCHandler {
        var members: [String] = []
        if let domain {
            members.append(#""arcseal_domain": "\#(domain)", "arcseal_selector": "arc""#)
            members.append(#""arcseal_keyfile": \#(quoted(try Data.path("2048_testkey.key")))"#)
        }
        if !extra.isEmpty { members.append(extra) }
        let handler = try ARCHandler(config: JSONParser.parse("{" + members.joined(separator: ", ") + "}"))
        handler.clock = Data.clock
        return handler
    }

    /// The sealing key published for every sealing domain used here.
    static func zone(_ domains: [String] = ["example.com", "forwarder.example", "list.example"]) throws -> InMemoryDNSResolver {
        var dns = InMemoryDNSResolver()
        let record = try Data.rsa2048Key().keyRecord()
        for domain in domains { dns.add("arc._domainkey.\(domain)", Data.txt(record)) }
        return dns
    }

    static let headers: [(String, String)] = [
        ("From", "Test User <test@example.org>"),
        ("To", "somebody@example.net"),
        ("Subject", "Forwarded along"),
        ("Date", "Mon, 01 Jan 2024 01:02:03 +0000"),
        ("Message-ID", "<arc@example.org>"),
    ]
    static let body = "Hello,\r\n\r\nthis goes through a few hops.\r\n"

    /// One hop: the message through a dispatcher running `handlers` as
    /// `authservID`; returns the headers as the MTA hands them on (milter
    /// form, LF folds), the one-line Authentication-Results value, and the
    /// end-of-message replies.
    static func hop(_ handlers: [any Handler], authservID: String, headers: [(String, String)], body: String = body,
                    resolver: any DNSResolver) -> (headers: [(String, String)], authResults: String?, replies: [MilterResponse]) {
        let settings = DispatcherSettings.with {
            $0.authservID = authservID
            $0.indentStyle = .none
        }
        let harness = Harness(handlers: handlers, settings: settings, resolver: resolver)
        harness.openConnection()
        let replies = harness.sendMessage(headers: headers, body: body)
        var out = headers
        var authResults: String?
        for reply in replies {
            if case .insertHeader(let index, let name, let value) = reply {
                out.insert((name, value), at: min(Int(index) - 1, out.count))
                if name == "Authentication-Results" { authResults = value }
            }
        }
        return (out, authResults, replies)
    }

    /// The entries of a one-line Authentication-Results value.
    static func entries(_ authResults: String?) -> [String] {
        guard let authResults, let semicolon = authResults.firstIndex(of: ";") else { return [] }
        return authResults[authResults.index(after: semicolon)...].split(separator: ";")
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// A whole message (CRLF) from milter-form headers and a body.
    static func message(_ headers: [(String, String)], body: String = body) -> [UInt8] {
        var text = ""
        for (name, value) in headers { text += "\(name): \(value.replacingOccurrences(of: "\n", with: "\r\n"))\r\n" }
        return Array((text + "\r\n" + body).utf8)
    }
}
