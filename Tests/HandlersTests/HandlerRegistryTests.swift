import Config
import Handlers
import JSON
import Testing

/// The one table of handler modules: `-h installed`, `-h <Module>`,
/// `-h default_config`, and the worker's build of the enabled handlers.
@Suite struct HandlerRegistryTests {
    static func configuration(_ handlers: [(String, Bool)]) -> Configuration {
        var configuration = Configuration(connection: .unix(path: "/tmp/authmilter-test.sock"))
        configuration.handlers = handlers.map { HandlerConfiguration(name: $0.0, enabled: $0.1) }
        return configuration
    }

    static func names(_ handlers: [any Handler]) -> [String] { handlers.map { type(of: $0).name } }

    @Test func installedNamesAreSortedBytewise() {
        let names = HandlerRegistry.installedNames
        #expect(!names.isEmpty)
        #expect(names == names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(names.contains("AddID"))
        #expect(names.contains("ReturnOK"))
        #expect(Set(names).count == names.count)
    }

    @Test func testOnlyHandlersAreFindableButNotInstalled() {
        let installed = HandlerRegistry.installed.map { $0.name }
        let testOnly = HandlerRegistry.testOnly.map { $0.name }
        #expect(!HandlerRegistry.installedNames.contains("SandboxProbe"))
        #expect(!installed.contains("SandboxProbe"))
        #expect(testOnly.contains("SandboxProbe"))
        let found = HandlerRegistry.find("SandboxProbe").map { $0.name }
        #expect(found == "SandboxProbe")
        #expect(Set(testOnly).isDisjoint(with: installed))
    }

    @Test func findIsExactAndCaseSensitive() {
        let addID = HandlerRegistry.find("AddID").map { $0.name }
        let returnOK = HandlerRegistry.find("ReturnOK").map { $0.name }
        #expect(addID == "AddID")
        #expect(returnOK == "ReturnOK")
        #expect(HandlerRegistry.find("addid") == nil)
        #expect(HandlerRegistry.find("!AddID") == nil)
        #expect(HandlerRegistry.find("") == nil)
    }

    @Test func buildOrdersEnabledHandlersAlphabetically() throws {
        let handlers = try HandlerRegistry.build(Self.configuration([("ReturnOK", true), ("AddID", true)]))
        #expect(Self.names(handlers) == ["AddID", "ReturnOK"])
        #expect(handlers.first is AddIDHandler)
        #expect(handlers.last is ReturnOKHandler)
    }

    @Test func buildSkipsDisabledHandlers() throws {
        let handlers = try HandlerRegistry.build(Self.configuration([("ReturnOK", false), ("AddID", true)]))
        #expect(Self.names(handlers) == ["AddID"])
        #expect(try HandlerRegistry.build(Self.configuration([])).isEmpty)
    }

    @Test func disabledUnknownHandlerIsNoError() throws {
        let handlers = try HandlerRegistry.build(Self.configuration([("NoSuchHandler", false), ("AddID", true)]))
        #expect(Self.names(handlers) == ["AddID"])
    }

    @Test func buildRefusesAnUnknownHandlerListingTheInstalledOnes() {
        do {
            _ = try HandlerRegistry.build(Self.configuration([("AddID", true), ("NoSuchHandler", true)]))
            Issue.record("build accepted an unknown handler")
        } catch {
            #expect(error.code == .notInstalled)
            #expect(error.handler == "NoSuchHandler")
            let message = error.description
            #expect(message.contains("'NoSuchHandler'"))
            #expect(message.contains("not installed"))
            #expect(message.contains(HandlerRegistry.installedNames.joined(separator: ", ")))
        }
    }

    @Test(arguments: HandlerRegistry.installed.map { $0.name })
    func installedHandlerHasHelpAndParsableDefaultConfig(name: String) throws {
        let type = try #require(HandlerRegistry.find(name))
        #expect(type.helpText.contains { !$0.isWhitespace })
        #expect(type.helpText.contains(name))
        let parsed = try JSONParser.parse(type.defaultConfigJSON)
        #expect(parsed.objectValue != nil, "default config of \(name) is \(parsed.typeDescription)")
        // The default configuration is one the handler accepts.
        _ = try type.init(config: parsed)
    }

    @Test func everyInstalledHandlerIsBuildableFromItsDefaults() throws {
        var configuration = Self.configuration([])
        for type in HandlerRegistry.installed {
            configuration.handlers.append(HandlerConfiguration(name: type.name, enabled: true,
                                                               config: try JSONParser.parse(type.defaultConfigJSON)))
        }
        let handlers = try HandlerRegistry.build(configuration)
        let names = Self.names(handlers)
        #expect(names.sorted() == HandlerRegistry.installedNames)
        // By name, except that a handler comes after those it depends on
        // (IPRev after LocalIP and TrustedIP, PTR after IPRev).
        for handler in handlers {
            let position = names.firstIndex(of: type(of: handler).name)!
            for dependency in type(of: handler).dependencyNames {
                if let before = names.firstIndex(of: dependency) { #expect(before < position, "\(dependency) before \(names[position])") }
            }
        }
        // Perl's sort_callbacks: passes over the sorted list, adding a handler
        // once everything it requires is in (ARC requires DKIM).
        #expect(names == ["AbusixDataFeed", "AddID", "AlignedFrom", "Auth", "Blocker", "ClamAV", "DKIM", "DKIMSign", "LocalIP", "Logger", "RBLDNS",
                          "RSpamD", "ReturnOK", "SPF",
                          "Sanitize", "SenderID", "Size", "SpamAssassin", "TLS", "TrustedIP", "XGoogleDKIM", "ARC", "DMARC", "IPRev", "PTR",
                          "BIMI"])
    }

    @Test func aHandlerThatRefusesItsConfigurationKeepsWhereAndWhy() throws {
        var configuration = Configuration(connection: .unix(path: "/tmp/authmilter-test.sock"))
        let spf = try JSONParser.parse(#"{"hide_none": "perhaps"}"#)
        configuration.handlers = [HandlerConfiguration(name: "SPF", enabled: true, config: spf)]
        let error = #expect(throws: HandlerError.self) { _ = try HandlerRegistry.build(configuration) }
        #expect(error?.code == .configuration)
        #expect(error?.configuration?.code == .wrongType)
        #expect(error?.configuration?.keyPath == "handlers.SPF.hide_none")
    }
}
