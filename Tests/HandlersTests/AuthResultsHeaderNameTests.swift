import Config
import Handlers
import JSON
import MailAuth
import Milter
import Testing

/// `auth_header_name` (Perl 3.20210825): a handler's entries go into a
/// header of that name; `Authentication-Results:<tag>` is a header of its
/// own, still written `Authentication-Results`.
@Suite struct AuthResultsHeaderNameTests {
    static func replies(_ names: [String: String]) throws -> [MilterResponse] {
        let handlers: [any Handler] = [
            try LocalIPHandler(config: JSONParser.parse("{}")),
            try TrustedIPHandler(config: JSONParser.parse(#"{"trusted_ip_list": ["127.0.0.1"]}"#)),
        ]
        var settings = DispatcherSettings()
        for (handler, name) in names {
            let node = ConfigNode(value: .object(JSONObject([("auth_header_name", .string(name))])),
                                  origin: ConfigOrigin(file: "<test>"))
            settings.authHeaderNames[handler] = try AuthResultsHeaderName.parse(node)
        }
        let harness = Harness(handlers: handlers, settings: settings)
        harness.openConnection(address: "127.0.0.1")
        return harness.sendMessage()
    }

    @Test func withoutTheKeyOneHeader() throws {
        #expect(try Self.replies([:]) == [
            .insertHeader(index: 1, name: "Authentication-Results",
                          value: "mx.example.net;\n    x-local-ip=pass;\n    x-trusted-ip=pass"),
            .continue,
        ])
    }

    @Test func aRenamedHandlerGetsItsOwnHeader() throws {
        #expect(try Self.replies(["TrustedIP": "X-Experimental-Results"]) == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    x-local-ip=pass"),
            .insertHeader(index: 1, name: "X-Experimental-Results", value: "mx.example.net;\n    x-trusted-ip=pass"),
            .continue,
        ])
    }

    @Test func aTagSplitsTheStandardHeader() throws {
        #expect(try Self.replies(["TrustedIP": "Authentication-Results:trusted"]) == [
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    x-local-ip=pass"),
            .insertHeader(index: 1, name: "Authentication-Results", value: "mx.example.net;\n    x-trusted-ip=pass"),
            .continue,
        ])
    }

    @Test func badNamesAreRefusedAndTheKeyIsKnownToEveryHandler() throws {
        for bad in ["X Results", "X-Results\r\nBcc: a@example.com", ":tag", "Ünicode"] {
            let node = ConfigNode(value: .object(JSONObject([("auth_header_name", .string(bad))])), origin: ConfigOrigin(file: "<test>"))
            #expect(throws: ConfigurationError.self, "\(bad)") { try AuthResultsHeaderName.parse(node) }
        }
        let empty = ConfigNode(value: .object(JSONObject([("auth_header_name", .string(""))])), origin: ConfigOrigin(file: "<test>"))
        #expect(try AuthResultsHeaderName.parse(empty) == nil)
        var configuration = Configuration(connection: .inet(port: 12345, host: "localhost"))
        configuration.handlers = [HandlerConfiguration(name: "SPF", enabled: true,
                                                       config: .object(JSONObject([("auth_header_name", .string("X-SPF-Results"))])))]
        #expect(HandlerRegistry.warnings(configuration).isEmpty)
        #expect(try AuthResultsHeaderName.all(configuration)["SPF"]?.fieldName == "X-SPF-Results")
    }
}
