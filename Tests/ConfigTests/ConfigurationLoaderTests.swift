import Foundation
import Testing

@testable import Config
@testable import JSON

/// Files, `authentication_milter.d` merging, `!` and warnings.
@Suite struct ConfigurationLoaderTests {
    @Test func missingMainFile() throws {
        let fixture = try ConfigFixture(main: nil)
        let error = try #require(fixture.loadError())
        #expect(error.code == .fileMissing)
        #expect(error.description == "\(fixture.mainPath): could not find configuration file")
    }

    @Test func syntaxErrorsNameFileLineAndColumn() throws {
        let fixture = try ConfigFixture(main: "{\n    \"connection\": \"inet:12345@localhost\"\n    \"debug\": 1\n}\n")
        let error = try #require(fixture.loadError())
        #expect(error.code == .syntax)
        #expect(error.description == "\(fixture.mainPath):3:5: unexpected '\"', expected ',' or '}'")
    }

    @Test func acceptsPerlRelaxedSyntax() throws {
        let (c, warnings) = try ConfigFixture(main: """
            # authentication_milter
            {
                "connection": "inet:12345@localhost", # where we listen
                "handlers": { "AddID": {}, },
            }
            """).load()
        #expect(warnings.isEmpty)
        #expect(c.enabledHandlers.map(\.name) == ["AddID"])
    }

    @Test func prefixMayEndWithASlash() throws {
        let fixture = try ConfigFixture(main: #"{"connection": "unix:/tmp/x.sock"}"#)
        defer { fixture.remove() }
        #expect(try ConfigurationLoader.load(prefix: fixture.prefix + "/").configuration.connection == .unix(path: "/tmp/x.sock"))
    }

    @Test func unknownKeysAreWarnedAbout() throws {
        let fixture = try ConfigFixture(main: """
            {
                "connection": "inet:12345@localhost",
                "bogus": 1,
                "connections": {"two": {"connection": "inet:2@localhost", "mask": "0"}},
                "smtp": {"server": "x"},
                "ip_map": {"10.0.0.1": {"ip": "10.0.0.2", "hello": "x"}},
                "load_handlers": ["SPF"]
            }
            """)
        let (_, warnings) = try fixture.load()
        let path = fixture.mainPath
        #expect(warnings == [
            "\(path):3:5: bogus: unknown key, ignored",
            "\(path):7:5: load_handlers: unknown key, ignored",
            "\(path):4:63: connections.two.mask: unknown key, ignored",
            "\(path):5:14: smtp.server: unknown key, ignored",
            "\(path):6:47: ip_map.\"10.0.0.1\".hello: unknown key, ignored",
        ])
    }

    @Test func otherWarnings() throws {
        let (c, warnings) = try loadGlobal("""
            "runas": "nobody",
            "metric_port": 8081,
            "external_callback_processor": "My::Module",
            "connections": {"default": {"connection": "inet:1@localhost"}},
            "debug": 0, "debug": 1
            """)
        #expect(c.debug && c.connections.isEmpty && c.externalCallbackProcessor == "My::Module")
        #expect(c.legacyMetricConnection == .inet(port: 8081, host: "127.0.0.1"))
        #expect(warnings.count == 5)
        #expect(warnings.contains { $0.contains("debug: duplicate key; the last value is used") })
        #expect(warnings.contains { $0.contains("runas: runas without rungroup: the children run as") })
        #expect(warnings.contains { $0.contains("metric_port: metric_port and metric_host are deprecated; use metric_connection") })
        #expect(warnings.contains { $0.contains(#"external_callback_processor: external callback processors are Perl modules and are not supported; "My::Module" is ignored"#) })
        #expect(warnings.contains { $0.contains(#"connections.default: replaced by the main "connection""#) })
        let (_, ignored) = try loadGlobal(#""metric_connection": "inet:8080@127.0.0.1", "metric_port": 8081"#)
        #expect(ignored.count == 1 && ignored[0].contains("metric_port: ignored because metric_connection is set"))
    }

    @Test func handlersKeepOrderAndBangDisables() throws {
        let (c, warnings) = try loadGlobal("""
            "handlers": {"SPF": {"hide_none": 1}, "!DKIM": {"x": 1}, "AddID": null}
            """)
        #expect(warnings.isEmpty)
        #expect(c.handlers == [
            HandlerConfiguration(name: "SPF", enabled: true, config: ["hide_none": 1]),
            HandlerConfiguration(name: "DKIM", enabled: false, config: ["x": 1]),
            HandlerConfiguration(name: "AddID", enabled: true),
        ])
        #expect(c.enabledHandlers.map(\.name) == ["SPF", "AddID"])
        #expect(c.handler(named: "DKIM")?.configurationKey == "!DKIM")
    }

    @Test func directoryFilesAddAndReplaceHandlers() throws {
        let fixture = try ConfigFixture(
            main: """
                {
                    "connection": "inet:12345@localhost",
                    "handlers": {"DKIM": {"from_main": 1}, "AddID": {}}
                }
                """,
            handlerFiles: [
                "Zeta.json": "{}",
                "DKIM.json": #"{"from_d": 1}"#,
                "Alpha.json": #"{"a": [1, 2,],}"#,
                "!TLS.json": "{}",
                ".Hidden.json": "not even json",
                "README": "ignored",
                "Sanitize.json.bak": "ignored",
            ])
        let (c, warnings) = try fixture.load()
        #expect(c.handlers.map(\.configurationKey) == ["DKIM", "AddID", "!TLS", "Alpha", "Zeta"])
        #expect(c.handler(named: "DKIM")?.config == ["from_d": 1])
        #expect(c.handler(named: "DKIM")?.sourceFile == fixture.handlerDirectory + "/DKIM.json")
        #expect(c.handler(named: "Alpha")?.config == ["a": [1, 2]])
        #expect(c.handler(named: "TLS")?.enabled == false)
        #expect(warnings == ["\(fixture.mainPath):3:18: handlers.DKIM: replaced by \(fixture.handlerDirectory)/DKIM.json"])
    }

    @Test func aDirectoryFileEnablesAHandlerTheMainFileDisables() throws {
        // Perl keeps both hash keys "!SPF" and "SPF" and loads every key
        // without "!": the .d file wins.
        let fixture = try ConfigFixture(
            main: #"{"connection": "inet:12345@localhost", "handlers": {"!SPF": {"from_main": 1}}}"#,
            handlerFiles: ["SPF.json": #"{"from_d": 1}"#])
        let (c, warnings) = try fixture.load()
        #expect(c.handlers == [HandlerConfiguration(name: "SPF", enabled: true, config: ["from_d": 1])])
        #expect(warnings.count == 1)
        #expect(warnings[0].hasPrefix("\(fixture.handlerDirectory)/SPF.json:1:1: handlers.SPF: enables SPF although \"!SPF\""))
    }

    @Test func bothSpellingsInOneFileLoadTheHandler() throws {
        let (c, warnings) = try loadGlobal(#""handlers": {"SPF": {"a": 1}, "!SPF": {"b": 2}}"#)
        #expect(c.handlers == [HandlerConfiguration(name: "SPF", enabled: true, config: ["a": 1])])
        #expect(warnings.count == 1 && warnings[0].contains("handlers.!SPF: has no effect"))
    }

    @Test func directoryFileErrorsNameTheDirectoryFile() throws {
        let fixture = try ConfigFixture(
            main: #"{"connection": "inet:12345@localhost"}"#,
            handlerFiles: ["SPF.json": "{\n  \"hide_none\": 1,\n  \"x\": [\n}"])
        let error = try #require(fixture.loadError())
        #expect(error.file == fixture.handlerDirectory + "/SPF.json")
        #expect(error.position == JSONSourcePosition(line: 4, column: 1))

        let typed = try ConfigFixture(
            main: #"{"connection": "inet:12345@localhost"}"#,
            handlerFiles: ["SPF.json": "{\n  \"hide_none\": \"perhaps\"\n}"])
        let (c, _) = try typed.load()
        do {
            _ = try c.handler(named: "SPF")!.node.bool("hide_none")
            Issue.record("expected a type error")
        } catch {
            #expect(error.code == .wrongType)
            #expect(error.description.hasPrefix("\(typed.handlerDirectory)/SPF.json:2:3: handlers.SPF.hide_none: expected a boolean"))
        }
    }

    @Test func refusesBadHandlerEntries() throws {
        let name = try globalError(#""handlers": {"Bad-Name": {}}"#)
        #expect(name?.keyPath == "handlers.Bad-Name")
        #expect(name?.code == .invalidValue)
        #expect(name?.message.hasPrefix("not a handler module name") == true)
        #expect(try globalError(#""handlers": {"!": {}}"#)?.message.hasPrefix("not a handler module name") == true)
        let notObject = try globalError(#""handlers": {"SPF": [1]}"#)
        #expect(notObject?.code == .wrongType)
        #expect(notObject?.message == "expected an object (the handler's configuration), got an array")
        let handlersNotObject = try globalError(#""handlers": ["SPF"]"#)
        #expect(handlersNotObject?.keyPath == "handlers")
        let dFile = try ConfigFixture(main: #"{"connection": "inet:12345@localhost"}"#, handlerFiles: ["SPF.json": "true"]).loadError()
        #expect(dFile?.keyPath == "handlers.SPF")
        #expect(dFile?.message == "expected an object (the handler's configuration), got true")
    }

    @Test func refusesTOML() throws {
        let main = try ConfigFixture(main: #"{"connection": "inet:12345@localhost"}"#)
        try "connection = 'x'".write(toFile: main.prefix + "/authentication_milter.toml", atomically: true, encoding: .utf8)
        let toml = main.loadError()
        #expect(toml?.code == .unsupported)
        #expect(toml?.message.hasPrefix("TOML configuration is not supported") == true)
        let d = try ConfigFixture(main: #"{"connection": "inet:12345@localhost"}"#, handlerFiles: ["SPF.toml": ""])
        #expect(d.loadError()?.file == d.handlerDirectory + "/SPF.toml")
    }

    @Test func aFolderWhereTheFileShouldBeIsUnreadable() throws {
        let fixture = try ConfigFixture(main: nil)
        try FileManager.default.createDirectory(atPath: fixture.mainPath, withIntermediateDirectories: true)
        let error = try #require(fixture.loadError())
        #expect(error.code == .fileUnreadable)
    }

    @Test func aNumberOutOfItsRangeSaysSo() throws {
        let error = try #require(try globalError(#""min_children": -3"#))
        #expect(error.code == .outOfRange)
        #expect(error.keyPath == "min_children")
    }
}
