import Config
import Handlers
import JSON
import MailAuth
import Testing

/// Configuration of the ARC handler: when it seals, and errors that name
/// the key.
@Suite struct ARCHandlerConfigTests {
    typealias Support = ARCHandlerTestSupport

    static func error(_ config: String) -> ConfigurationError? {
        do {
            _ = try ARCHandler(config: JSONParser.parse(config))
            return nil
        } catch let error as ConfigurationError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func missingKeyFileNamesTheKey() throws {
        let error = try #require(Self.error("""
            { "arcseal_domain": "example.com", "arcseal_selector": "arc", "arcseal_keyfile": "/nonexistent/arc.pem" }
            """))
        #expect(error.keyPath == "arcseal_keyfile")
        #expect(error.message == "cannot read the ARC sealing key for example.com (selector arc) from /nonexistent/arc.pem: "
                + "No such file or directory")
    }

    @Test func sealingNeedsDomainSelectorAndKey() throws {
        // Perl seals only with all three; a domain alone is not an error.
        let domainOnly = try ARCHandler(config: JSONParser.parse(#"{ "arcseal_domain": "example.com" }"#))
        #expect(!domainOnly.seals)
        let sealing = try Support.handler(sealingAs: "example.com")
        #expect(sealing.seals && sealing.sealingKey?.selector == "arc")
    }

    @Test func badSettingsAreRefused() throws {
        let rsa = Support.quoted(try Support.Data.path("2048_testkey.key"))
        let notAKey = Support.quoted(try Support.Data.path("test.message"))
        let ed = Support.quoted(try Support.Data.record("ed25519test.key"))
        let cases: [(config: String, keyPath: String, says: String)] = [
            (#"{ "arcseal_selector": "arc", "arcseal_keyfile": \#(rsa) }"#, "", "\"arcseal_domain\" is not"),
            (#"{ "arcseal_domain": "example.com", "arcseal_keyfile": \#(rsa) }"#, "", "\"arcseal_selector\" is not"),
            (#"{ "arcseal_domain": "example.com", "arcseal_selector": "arc", "arcseal_keyfile": \#(notAKey) }"#,
             "arcseal_keyfile", "does not hold a usable private key (the ARC sealing key for example.com (selector arc))"),
            (#"{ "arcseal_domain": "example.com", "arcseal_selector": "arc", "arcseal_key": "AAAA" }"#,
             "arcseal_key", "not a usable private key"),
            (#"{ "arcseal_domain": "example.com", "arcseal_selector": "arc", "arcseal_keyfile": \#(rsa), "arcseal_algorithm": "rsa-sha1" }"#,
             "arcseal_algorithm", "unsupported sealing algorithm rsa-sha1"),
            (#"{ "arcseal_domain": "example.com", "arcseal_selector": "arc", "arcseal_key": \#(ed), "arcseal_algorithm": "rsa-sha256" }"#,
             "arcseal_algorithm", "rsa-sha256 needs an RSA key, but the ARC sealing key for example.com (selector arc) is an Ed25519 key"),
            (#"{ "arcseal_domain": "example.com", "arcseal_selector": "arc", "arcseal_keyfile": \#(rsa), "arcseal_headers": "authentication-results" }"#,
             "arcseal_headers", "must not be signed"),
            (#"{ "arcseal_domain": "exa mple.com", "arcseal_selector": "arc", "arcseal_keyfile": \#(rsa) }"#,
             "", "cannot seal with the ARC sealing key for exa mple.com"),
            (#"{ "trusted_domains": "example.com" }"#, "trusted_domains", "expected an array"),
        ]
        for (config, keyPath, says) in cases {
            let error = try #require(Self.error(config), "\(config) was accepted")
            #expect(error.keyPath == keyPath, "\(config)")
            #expect(error.message.contains(says), "\(error.message)")
        }
    }

    @Test func ed25519SealsWhenAsked() throws {
        // Without arcseal_algorithm the key's own algorithm is used
        // (rsa-sha256 for RSA keys, as in Perl).
        let ed = Support.quoted(try Support.Data.record("ed25519test.key"))
        for algorithm in [#", "arcseal_algorithm": "ed25519-sha256""#, ""] {
            let handler = try ARCHandler(config: JSONParser.parse("""
                { "arcseal_domain": "example.com", "arcseal_selector": "ed", "arcseal_key": \(ed)\(algorithm) }
                """))
            #expect(handler.seals)
        }
    }
}
