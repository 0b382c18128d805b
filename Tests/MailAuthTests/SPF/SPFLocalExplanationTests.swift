@testable import MailAuth
import Testing

/// `localExplanation` and `receivedSPFValue` are written in one buffer
/// (issue 12); they must give the bytes of Mail::SPF's template filled by
/// substitution, which the reference below still does, for every result,
/// mechanism, nesting and awkward identity.
@Suite struct SPFLocalExplanationTests {
    static let templates: [SPFResultCode: String] = [
        .pass: "Sender is authorized to use '%{s}' in '%{_scope}' identity",
        .fail: "Sender is not authorized to use '%{s}' in '%{_scope}' identity",
        .softfail: "Sender is not authorized to use '%{s}' in '%{_scope}' identity, however domain is not currently prepared for false failures",
        .neutral: "Domain does not state whether sender is authorized to use '%{s}' in '%{_scope}' identity",
    ]

    /// The explanation as it was built before: template, substitutions.
    static func reference(_ result: SPFResult) -> String {
        var body = result.text
        if let mechanism = result.mechanism, let template = templates[result.code] {
            var filled = template.substituting("%{s}", with: result.request.identity)
                .substituting("%{_scope}", with: result.request.scope.rawValue)
            switch SPFResult.mechanismName(mechanism) {
            case "ip4", "ip6", "a", "mx", "ptr":
                if filled.hasPrefix("Sender ") {
                    filled = result.request.ip.unmapped.description + filled.dropFirst("Sender".count)
                }
            case "all":
                if result.code != .neutral {
                    filled = filled.substituting("authorized to use", with: "authorized by default to use", maxReplacements: 1)
                }
            default:
                break
            }
            body = filled + " (" + SPFResult.lowercasingFirst(result.text) + ")"
        }
        let head = result.isNested ? "\(result.rootDomain) ... \(result.authorityDomain)" : result.authorityDomain
        return SPFText.sanitized(head + ": " + body)
    }

    @Test func theExplanationIsTheFilledTemplateForEveryCase() {
        let mechanisms: [String?] = [nil, "-all", "~ALL", "all", "ip4:192.0.2.0/24", "+IP6:2001:db8::/32", "a/24", "mx",
                                     "?ptr", "include:_spf.example.com", "exists:%{i}.x.example", "redirect=x"]
        let identities = ["a@example.com", "authorized to use@example.com", "Sender x@example.com",
                          "caf\u{e9}@example.com", "bell\u{7}@example.com", "", "%{s}@example.com"]
        let texts = ["Mechanism 'mx' matched", "Default neutral result due to no mechanism matches",
                     "\u{130}stanbul text", "", "lower already", "DNS \u{0}error"]
        var checked = 0
        for code in SPFResultCode.allCases {
            for mechanism in mechanisms {
                for (index, identity) in identities.enumerated() {
                    for scope in [SPFRequest.Scope.mfrom, .helo] {
                        let ip = IPAddress(index % 2 == 0 ? "192.0.2.5" : "2001:db8::80")!
                        let request = SPFRequest(scope: scope, identity: identity, ip: ip, helo: "mail.example.net")
                        let result = SPFResult(code: code, request: request, text: texts[(index + checked) % texts.count],
                                               mechanism: mechanism, authorityDomain: "_spf.example.com",
                                               rootDomain: "example.com", isNested: checked % 3 == 0)
                        #expect(result.localExplanation == Self.reference(result), "\(code) \(mechanism ?? "none") \(identity)")
                        let value = result.receivedSPFValue(receiver: checked % 5 == 0 ? "" : "mx.example.net")
                        #expect(value.hasPrefix("\(code.rawValue) (\(Self.reference(result))) receiver="), "\(value)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked == SPFResultCode.allCases.count * mechanisms.count * identities.count * 2)
    }

    @Test func theFieldListsEveryPairQuotedUnlessADotAtom() {
        let request = SPFRequest(scope: .mfrom, identity: "odd \"local\"@example.com", ip: IPAddress("2001:db8::1")!,
                                 helo: "[192.0.2.1]")
        let result = SPFResult(code: .none, request: request, text: "No applicable sender policy available",
                               authorityDomain: "example.com", rootDomain: "example.com")
        #expect(result.receivedSPFValue(receiver: "") == #"none (example.com: No applicable sender policy available) receiver=unknown; identity=mailfrom; envelope-from="odd \"local\"@example.com"; helo="[192.0.2.1]"; client-ip="2001:db8::1""#)
        let helo = SPFResult(code: .pass, request: SPFRequest(scope: .helo, identity: "mail.example.net", ip: IPAddress("192.0.2.1")!,
                                                              helo: "mail.example.net"),
                             text: "Mechanism 'a' matched", mechanism: "a", authorityDomain: "mail.example.net",
                             rootDomain: "mail.example.net")
        #expect(helo.receivedSPFValue(receiver: "mx.example.org") == "pass (mail.example.net: 192.0.2.1 is authorized to use 'mail.example.net' in 'helo' identity (mechanism 'a' matched)) receiver=mx.example.org; identity=helo; helo=mail.example.net; client-ip=192.0.2.1")
    }
}
