import Foundation
import Testing

@testable import Config
@testable import JSON

/// The master hands its effective configuration to children as JSON.
@Suite struct ConfigurationSerializationTests {
    static let rich = """
        {
            "debug": 1, "dryrun": "0", "logtoerr": true, "error_log": "/var/log/am.err",
            "extended_log": 0, "errors_to": "ops@example.com", "errors_from": "am@example.com",
            "errors_headers": {"X-Z": "z", "X-A": "a"}, "log_dispatchouli": {"facility": "mail", "to_stderr": 1},
            "connection": "inet:12345@[::1]", "umask": "0000",
            "connections": {"b": {"connection": "unix:/tmp/b.sock", "umask": "0007"}, "a": {"connection": "inet6:2526"}},
            "runas": "mail", "rungroup": "mail", "chroot": "/var/empty",
            "listen_backlog": 64, "min_children": 3, "max_children": 9, "min_spare_children": 1,
            "max_spare_children": 3, "max_requests_per_child": 1000,
            "connection_queue_size": 0, "connection_queue_timeout": 0.25,
            "metric_connection": "unix:/tmp/metrics.sock", "metric_umask": "0022", "metric_timeout": 2.5,
            "metric_tempfile": "/tmp/m", "metric_basic_http": 1,
            "cache_dir": "/tmp/c", "spool_dir": "/tmp/s", "lib_dir": "/tmp/l", "lock_file": "/tmp/lock",
            "protocol": "smtp", "milter_quarantine": 1, "patch_net_server": 1,
            "smtp": {"server_name": "scan", "sock_type": "unix", "sock_path": "/run/smtp.sock", "pipeline_limit": 5,
                     "debug_triggers": ["x"], "inet:2526": {"sock_type": "inet", "sock_host": "::1", "sock_port": 25}},
            "connect_timeout": 1.5, "command_timeout": 2, "content_timeout": 3, "dequeue_timeout": 4, "addheader_timeout": 5,
            "check_for_dequeue": 0,
            "dns_resolvers": ["192.0.2.53"], "dns_timeout": 3, "dns_retry": 4, "dns_servfail_timeout": 0,
            "authserv_id": "mx.example.com", "hide_none": 1,
            "header_indent_style": "full", "header_indent_by": 0, "header_fold_at": 0,
            "tempfail_on_error": 1, "tempfail_on_error_authenticated": 1, "tempfail_on_error_local": 1, "tempfail_on_error_trusted": 1,
            "ip_map": {"10.0.0.0/8": {"ip": "192.0.2.1", "helo_map": {"h": {"ip": "192.0.2.2", "helo": "mx"}}}},
            "handlers": {"SPF": {"hide_none": 1, "nested": {"a": [1, "two", null]}}, "!DKIM": {}, "AddID": {}}
        }
        """

    @Test func roundTripsARichConfiguration() throws {
        let (original, _) = try ConfigFixture(main: Self.rich).load()
        let bytes = original.serialized()
        let copy = try Configuration(fromSerialized: bytes)
        #expect(copy == original)
        #expect(copy.serialized() == bytes)
        #expect(copy.handlers.map(\.configurationKey) == ["SPF", "!DKIM", "AddID"])
        #expect(copy.handler(named: "SPF")?.sourceFile == "<configuration from master>")
    }

    @Test func roundTripsDefaults() throws {
        let original = Configuration(connection: .unix(path: "/run/am.sock"))
        #expect(try Configuration(fromSerialized: original.serialized()) == original)
    }

    @Test func serializedFormIsPlainJSONWithPerlKeys() throws {
        let (original, _) = try loadGlobal(#""umask": "0027", "handlers": {"!SPF": {}}"#)
        let value = try JSONParser.parse(original.serialized())
        #expect(value["connection"] == "inet:12345@localhost")
        #expect(value["umask"] == "0027")
        #expect(value["max_children"] == 100)
        #expect(value["tempfail_on_error"] == false)
        #expect(value["connect_timeout"] == nil)
        #expect(value["handlers"] == ["!SPF": [:]])
    }

    @Test func refusesDamagedInput() {
        do {
            _ = try Configuration(fromSerialized: Array("{\"connection\": ".utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "<configuration from master>")
            #expect(error.message == "1:16: unexpected end of input, expected a value")
        }
        do {
            _ = try Configuration(fromSerialized: Array(#"{"connection": "inet:1", "min_children": "x"}"#.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.keyPath == "min_children")
        }
    }
}
