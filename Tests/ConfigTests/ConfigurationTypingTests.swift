import Testing

@testable import Config
@testable import JSON

/// Perl-loose reading of booleans, numbers and strings; clear refusals of
/// wrong types, with file, line, column and key path.
@Suite struct ConfigurationTypingTests {
    @Test(arguments: [
        ("true", true), ("false", false), ("1", true), ("0", false), ("2", true), ("0.0", false),
        ("\"1\"", true), ("\"0\"", false), ("\"\"", false), ("null", false),
    ])
    func looseBooleans(json: String, expected: Bool) throws {
        let (c, _) = try loadGlobal("\"debug\": \(json), \"tempfail_on_error\": \(json)")
        #expect(c.debug == expected)
        #expect(c.tempfailOnError == expected)
    }

    @Test(arguments: ["\"yes\"", "\"false\"", "\"true\"", "[]", "{}"])
    func refusesUnclearBooleans(json: String) throws {
        let error = try globalError("\"hide_none\": \(json)")
        #expect(error?.keyPath == "hide_none")
        #expect(error?.message.hasPrefix("expected a boolean (true, false, 0 or 1), got ") == true)
        #expect(error?.position == JSONSourcePosition(line: 3, column: 1))
    }

    @Test func numbersMayBeStrings() throws {
        let (c, _) = try loadGlobal(#""min_children": "5", "max_children": " 7 ", "connect_timeout": "2.5", "dns_retry": 3.0"#)
        #expect(c.minChildren == 5 && c.maxChildren == 7 && c.connectTimeout == 2.5 && c.dnsRetry == 3)
    }

    @Test func typeErrorsNameFilePositionAndKey() throws {
        let fixture = try ConfigFixture(main: """
            {
                "connection": "inet:12345@localhost",
                "min_children": {"a": 1}
            }
            """)
        let error = try #require(fixture.loadError())
        #expect(error.file == fixture.mainPath)
        #expect(error.position == JSONSourcePosition(line: 3, column: 5))
        #expect(error.keyPath == "min_children")
        #expect(error.description == "\(fixture.mainPath):3:5: min_children: expected a number, got an object")
    }

    @Test(arguments: [
        (#""min_children": "abc""#, "min_children", #"expected a number, got the string "abc""#),
        (#""max_children": 2.5"#, "max_children", "expected a whole number, got 2.5"),
        (#""listen_backlog": true"#, "listen_backlog", "expected a number, got true"),
        (#""min_children": -1"#, "min_children", "must be from 0 to 1000000, got -1"),
        (#""connect_timeout": [30]"#, "connect_timeout", "expected a number, got an array"),
        (#""authserv_id": {"x": 1}"#, "authserv_id", "expected a string, got an object"),
        (#""dns_resolvers": "127.0.0.1""#, "dns_resolvers", #"expected an array of strings, got the string "127.0.0.1""#),
        (#""dns_resolvers": ["127.0.0.1", {}]"#, "dns_resolvers[1]", "expected a string, got an object"),
        (#""dns_resolvers": [""]"#, "dns_resolvers[0]", "empty resolver address"),
        (#""smtp": 5"#, "smtp", "expected an object, got the number 5"),
        (#""smtp": {"sock_port": "smtp"}"#, "smtp.sock_port", #"expected a number, got the string "smtp""#),
        (#""smtp": {"queue_type": "later"}"#, "smtp.queue_type", #"expected "before" or "after", got the string "later""#),
        (#""smtp": {"sock_type": "tcp"}"#, "smtp.sock_type", #"expected "inet" or "unix", got the string "tcp""#),
        (#""umask": "0999""#, "umask", #"expected an octal umask from "0000" to "0777", got the string "0999""#),
        (#""umask": true"#, "umask", #"expected an octal umask such as "0027", got true"#),
        (#""header_indent_style": "folded""#, "header_indent_style", #"expected one of "none", "entry", "subentry" or "full", got the string "folded""#),
        (#""header_indent_by": "x""#, "header_indent_by", #"expected a number, got the string "x""#),
        (#""protocol": "lmtp""#, "protocol", #"unknown protocol "lmtp", expected "milter" or "smtp""#),
        (#""metric_connection": "http:8080""#, "metric_connection", #"invalid connection "http:8080": unknown socket type "http", expected inet, inet6 or unix"#),
        (#""errors_headers": {"X-A": []}"#, "errors_headers.X-A", "expected a string, got an array"),
        (#""log_dispatchouli": []"#, "log_dispatchouli", "expected an object, got an array"),
        (#""ip_map": {"10.0.0.0/33": {"ip": "1.2.3.4"}}"#, #"ip_map."10.0.0.0/33""#, "not an IP address or CIDR range"),
        (#""ip_map": {"10.0.0.0/8": {"helo": "x"}}"#, #"ip_map."10.0.0.0/8""#, #"missing "ip""#),
        (#""ip_map": {"10.0.0.0/8": {"ip": "mx.example"}}"#, #"ip_map."10.0.0.0/8".ip"#, #"not an IP address: "mx.example""#),
        (#""connections": {"two": {"umask": "0000"}}"#, "connections.two", #"missing "connection""#),
        (#""connections": {"two": {"connection": "inet:12345@localhost"}}"#, "connections.two.connection", "inet:12345@localhost is already used by connection"),
        (#""metric_connection": "inet:12345@localhost""#, "metric_connection", "inet:12345@localhost is also a mail socket (default)"),
    ])
    func refusesWrongTypes(members: String, keyPath: String, message: String) throws {
        let error = try globalError(members)
        #expect(error?.keyPath == keyPath)
        #expect(error?.message == message)
        #expect(error?.position?.line == 3)
    }

    @Test func relationsAreChecked() throws {
        let error = try globalError(#""max_children": 10, "min_children": 30"#)
        #expect(error?.keyPath == "min_children")
        #expect(error?.message == "min_children (30) is greater than max_children (10)")
        // min_children is the default here, so the message points at max_children.
        let defaulted = try globalError(#""max_children": 5"#)
        #expect(defaulted?.keyPath == "max_children")
        #expect(defaulted?.message == "min_children (20) is greater than max_children (5)")
        let spares = try globalError(#""min_spare_children": 5, "max_spare_children": 2"#)
        #expect(spares?.message == "min_spare_children (5) is greater than max_spare_children (2)")
        let (_, warnings) = try loadGlobal(#""min_children": 1, "max_children": 4, "min_spare_children": 5, "max_spare_children": 6"#)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("min_spare_children: min_spare_children (5) is greater than max_children (4)") == true)
    }

    @Test func missingOrBadConnection() throws {
        let missing = try ConfigFixture(main: #"{"debug": 1}"#).loadError()
        #expect(missing?.keyPath == "connection")
        #expect(missing?.message.hasPrefix("missing") == true)
        let bad = try ConfigFixture(main: "{\n  \"connection\": \"inet:99999\"\n}").loadError()
        #expect(bad?.position == JSONSourcePosition(line: 2, column: 3))
        #expect(bad?.message == #"invalid connection "inet:99999": the port must be a number from 1 to 65535"#)
        let notObject = try ConfigFixture(main: "[1]").loadError()
        #expect(notObject?.message == "the configuration must be a JSON object, got an array")
    }

    @Test func umaskFollowsPerlOct() throws {
        #expect(try loadGlobal(#""umask": "0000""#).configuration.umask == 0)
        #expect(try loadGlobal(#""umask": "0""#).configuration.umask == nil)
        #expect(try loadGlobal(#""umask": 0"#).configuration.umask == nil)
        #expect(try loadGlobal(#""umask": "0027""#).configuration.umask == 0o027)
        #expect(try loadGlobal(#""umask": 27"#).configuration.umask == 0o027)
        #expect(try loadGlobal(#""umask": "077""#).configuration.umask == 0o077)
        #expect(ConfigUmask.format(0o27) == "0027")
    }

    @Test func typedValues() throws {
        let (c, warnings) = try loadGlobal("""
            "connections": {
                "second": {"connection": "unix:/tmp/am.sock", "umask": "0007"},
                "third": {"connection": "inet6:2526@[::1]"}
            },
            "runas": "mail", "rungroup": "mail", "chroot": "/var/empty",
            "errors_to": "ops@example.com", "errors_from": "am@example.com",
            "errors_headers": {"X-B": "2", "X-A": "1"},
            "log_dispatchouli": {"ident": "x", "facility": "mail"},
            "metric_connection": "inet:8081@127.0.0.1", "metric_umask": "0022", "metric_basic_http": 1,
            "protocol": "smtp", "milter_quarantine": "1", "patch_net_server": true,
            "dns_resolvers": ["127.0.0.1", "::1"], "dns_servfail_timeout": 500000,
            "authserv_id": "mx.example.com", "hide_none": 1,
            "header_indent_style": "subentry", "header_indent_by": 2, "header_fold_at": 77,
            "check_for_dequeue": 0, "extended_log": 1, "legacy_log": 0,
            "smtp": {"sock_type": "inet", "sock_host": "127.0.0.1", "sock_port": "2525"}
            """)
        #expect(warnings.isEmpty)
        #expect(c.connections == [
            ListenerConfiguration(name: "second", connection: .unix(path: "/tmp/am.sock"), umask: 0o7),
            ListenerConfiguration(name: "third", connection: .inet6(port: 2526, host: "::1")),
        ])
        #expect(c.listeners.map(\.name) == ["default", "second", "third"])
        #expect(c.runas == "mail" && c.rungroup == "mail" && c.chroot == "/var/empty")
        #expect(c.errorsHeaders == [ErrorEmailHeader(name: "X-B", value: "2"), ErrorEmailHeader(name: "X-A", value: "1")])
        #expect(c.logDispatchouli?.keys == ["ident", "facility"])
        #expect(c.metricConnection == .inet(port: 8081, host: "127.0.0.1") && c.metricUmask == 0o22 && c.metricBasicHTTP)
        #expect(c.serverProtocol == .smtp && c.milterQuarantine && c.patchNetServer)
        #expect(c.dnsResolvers == ["127.0.0.1", "::1"] && c.dnsServfailTimeout == 500_000)
        #expect(c.authservID == "mx.example.com" && c.hideNone)
        #expect(c.headerIndentStyle == .subentry && c.headerIndentBy == 2 && c.headerFoldAt == 77)
        #expect(c.checkForDequeue == 0 && c.extendedLog == true && c.legacyLog == false)
        #expect(c.smtp.defaults.sockType == .inet && c.smtp.defaults.sockPort == 2525)
    }

    @Test func ipMapIsSortedLikePerlAndMatches() throws {
        let (c, warnings) = try loadGlobal("""
            "ip_map": {
                "dead:beef::/32": {"ip": "5.6.7.8", "helo": "mx.test"},
                "1.2.3.4": {"ip": "5.6.7.8", "helo": "mx.test",
                            "helo_map": {"test.host": {"ip": "5.6.7.9", "helo": "mx2.test"}}},
                "10.0.0.0/8": {"ip": "192.0.2.1"}
            }
            """)
        #expect(warnings.isEmpty)
        #expect(c.ipMap.map(\.key) == ["1.2.3.4", "10.0.0.0/8", "dead:beef::/32"])
        let first = c.ipMap[0]
        #expect(first.target == IPMapTarget(ip: "5.6.7.8", helo: "mx.test"))
        #expect(first.heloMap["test.host"] == IPMapTarget(ip: "5.6.7.9", helo: "mx2.test"))
        #expect(c.ipMap[1].target.helo == nil)
        let ten = c.ipMap[1].network
        #expect(ten.contains(IPMapNetwork.parseAddress("10.200.3.4")!))
        #expect(!ten.contains(IPMapNetwork.parseAddress("11.0.0.1")!))
        #expect(!ten.contains(IPMapNetwork.parseAddress("::ffff:10.0.0.1")!))
        let v6 = c.ipMap[2].network
        #expect(v6.contains(IPMapNetwork.parseAddress("dead:beef:1::2")!))
        #expect(!v6.contains(IPMapNetwork.parseAddress("dead:bef0::1")!))
        #expect(v6.description == "dead:beef::/32")
        #expect(first.network.description == "1.2.3.4")
    }

    @Test func smtpPerSocketBlocksReplaceTheDefaults() throws {
        let (c, warnings) = try loadGlobal("""
            "protocol": "smtp",
            "connections": {"two": {"connection": "inet:12346@localhost"}, "three": {"connection": "unix:/tmp/a.sock"}},
            "smtp": {
                "server_name": "scan.example.com", "sock_type": "inet", "sock_host": "localhost", "sock_port": 2525,
                "timeout_in": "10", "timeout_out": "10", "pipeline_limit": "50", "queue_type": "before",
                "temp_dir": "/tmp/", "chunk_limit": 4096, "debug_triggers": ["^MAIL FROM:<debug@"],
                "tcp:12346": {"sock_type": "inet", "sock_host": "localhost", "sock_port": "2526"},
                "unix:/tmp/a.sock": {"server_name": "util.example.com", "sock_type": "unix", "sock_path": "/var/run/smtp.sock"}
            }
            """)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains(#"smtp."tcp:12346": treated as "inet:12346""#) == true)
        var expected = SMTPSettings()
        expected.serverName = "scan.example.com"
        expected.sockType = .inet
        expected.sockHost = "localhost"
        expected.sockPort = 2525
        expected.timeoutIn = 10
        expected.timeoutOut = 10
        expected.pipelineLimit = 50
        expected.queueType = .before
        expected.tempDir = "/tmp/"
        expected.chunkLimit = 4096
        expected.debugTriggers = ["^MAIL FROM:<debug@"]
        #expect(c.smtp.defaults == expected)
        #expect(c.smtp.settings(for: c.connection) == expected)
        let two = c.smtp.settings(for: .inet(port: 12346, host: "127.0.0.1"))
        #expect(two.sockPort == 2526 && two.serverName == "server.example.com" && two.timeoutIn == 60 && two.queueType == .after)
        #expect(c.smtp.settings(for: .unix(path: "/tmp/a.sock")).serverName == "util.example.com")
    }

    @Test func handlerConfigReadsNameTheirKeyPath() throws {
        let fixture = try ConfigFixture(main: """
            {
                "connection": "inet:12345@localhost",
                "handlers": {
                    "SPF": {
                        "hide_none": "maybe"
                    }
                }
            }
            """)
        let (c, _) = try fixture.load()
        let spf = try #require(c.handler(named: "SPF"))
        #expect(spf.sourceFile == fixture.mainPath)
        do {
            _ = try spf.node.bool("hide_none")
            Issue.record("expected a type error")
        } catch {
            #expect(error.keyPath == "handlers.SPF.hide_none")
            #expect(error.description == #"\#(fixture.mainPath):5:13: handlers.SPF.hide_none: expected a boolean (true, false, 0 or 1), got the string "maybe""#)
        }
        #expect(spf.node.unknownKeyWarnings(known: []) == ["\(fixture.mainPath):5:13: handlers.SPF.hide_none: unknown key, ignored"])
    }
}
