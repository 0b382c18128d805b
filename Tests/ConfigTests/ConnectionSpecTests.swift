import Testing

@testable import Config
@testable import JSON

@Suite struct ConnectionSpecTests {
    @Test(arguments: [
        ("inet:12345@127.0.0.1", ConnectionSpec.inet(port: 12345, host: "127.0.0.1"), "inet:12345@127.0.0.1"),
        ("inet:12345@localhost", .inet(port: 12345, host: "localhost"), "inet:12345@localhost"),
        ("inet:12345", .inet(port: 12345, host: nil), "inet:12345"),
        ("inet:12345@*", .inet(port: 12345, host: nil), "inet:12345"),
        ("inet:25@[::1]", .inet(port: 25, host: "::1"), "inet:25@[::1]"),
        ("inet:25@::1", .inet(port: 25, host: "::1"), "inet:25@[::1]"),
        ("inet6:8891@[2001:db8::1]", .inet6(port: 8891, host: "2001:db8::1"), "inet6:8891@[2001:db8::1]"),
        ("inet6:8891@2001:db8::1", .inet6(port: 8891, host: "2001:db8::1"), "inet6:8891@[2001:db8::1]"),
        ("inet6:8891", .inet6(port: 8891, host: nil), "inet6:8891"),
        ("INET:1@h", .inet(port: 1, host: "h"), "inet:1@h"),
        ("unix:/var/run/authmilter.sock", .unix(path: "/var/run/authmilter.sock"), "unix:/var/run/authmilter.sock"),
        ("unix:relative.sock", .unix(path: "relative.sock"), "unix:relative.sock"),
        ("local:/run/m.sock", .unix(path: "/run/m.sock"), "unix:/run/m.sock"),
    ])
    func parses(text: String, expected: ConnectionSpec, canonical: String) throws {
        let spec = try ConnectionSpec(parsing: text)
        #expect(spec == expected)
        #expect(spec.description == canonical)
        #expect(try ConnectionSpec(parsing: spec.description) == spec)
    }

    @Test(arguments: [
        ("nocolon", "expected inet:<port>@<host>, inet6:<port>@<host> or unix:<path>"),
        ("inet:", "the port must be a number from 1 to 65535"),
        ("inet:0", "the port must be a number from 1 to 65535"),
        ("inet:65536@localhost", "the port must be a number from 1 to 65535"),
        ("inet:smtp@localhost", "the port must be a number from 1 to 65535"),
        ("inet:-1", "the port must be a number from 1 to 65535"),
        ("inet:25@", "the host after '@' is empty"),
        ("inet:25@[::1", "unbalanced brackets around the host"),
        ("inet:25@[]", "unbalanced brackets around the host"),
        ("inet:25@[zz::1]", "invalid IPv6 address \"zz::1\""),
        ("inet:25@a b", "invalid host \"a b\""),
        ("inet6:25@127.0.0.1", "inet6 needs an IPv6 address or a host name, not 127.0.0.1"),
        ("tcp:25", "unknown socket type \"tcp\", expected inet, inet6 or unix"),
        ("unix:", "the unix socket path is empty"),
    ])
    func refuses(text: String, reason: String) {
        do {
            let spec = try ConnectionSpec(parsing: text)
            Issue.record("parsed \(text) as \(spec)")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.message == "invalid connection \(JSONSerializer.quoted(text)): \(reason)")
            #expect(error.description == "invalid connection \(JSONSerializer.quoted(text)): \(reason)")
        }
    }

    @Test func refusesOverlongUnixPaths() {
        let error = #expect(throws: ConfigurationError.self) {
            try ConnectionSpec(parsing: "unix:/" + String(repeating: "a", count: 107))
        }
        #expect(error?.code == .invalidValue)
    }

    @Test func smtpOverrideKeysIgnoreTheHost() throws {
        #expect(try ConnectionSpec(parsing: "inet:2525@10.0.0.1").smtpOverrideKey == "inet:2525")
        #expect(try ConnectionSpec(parsing: "inet6:2525@::1").smtpOverrideKey == "inet:2525")
        #expect(try ConnectionSpec(parsing: "unix:/a.sock").smtpOverrideKey == "unix:/a.sock")
        #expect(try ConnectionSpec(parsing: "unix:/a.sock").port == nil)
    }
}
