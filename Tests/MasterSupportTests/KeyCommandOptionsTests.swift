import MasterSupport
import Testing

@Suite struct KeyCommandOptionsTests {
    @Test func theDaemonsCommandLineIsNotAKeyCommand() throws {
        #expect(try KeyCommandOptions.parse(["-c", "start"]) == nil)
        #expect(try KeyCommandOptions.parse([]) == nil)
    }

    @Test func genkeyAndTestkey() throws {
        let gen = try #require(try KeyCommandOptions.parse(["genkey", "--type", "ed25519", "--domain=Example.COM", "--selector", "s1",
                                                             "--out", "/tmp/k"]))
        #expect(gen.command == .genkey && gen.type == "ed25519" && gen.domain == "example.com" && gen.keyFile == "/tmp/k")
        let test = try #require(try KeyCommandOptions.parse(["testkey", "--domain", "example.com", "--selector", "s1", "--key", "/k",
                                                              "--dns", "127.0.0.1:53", "--dns", "::1"]))
        #expect(test.command == .testkey && test.dnsServers == ["127.0.0.1:53", "::1"])
    }

    @Test func refusals() {
        #expect(throws: KeyCommandOptions.UsageError(reason: "--type is rsa or ed25519, not dsa")) {
            _ = try KeyCommandOptions.parse(["genkey", "--type", "dsa", "--domain", "d", "--selector", "s"])
        }
        #expect(throws: KeyCommandOptions.UsageError(reason: "testkey: --key is required")) {
            _ = try KeyCommandOptions.parse(["testkey", "--domain", "d", "--selector", "s"])
        }
        #expect(throws: KeyCommandOptions.UsageError(reason: "--selector a b is not a DNS name")) {
            _ = try KeyCommandOptions.parse(["genkey", "--domain", "d", "--selector", "a b"])
        }
        #expect(throws: KeyCommandOptions.UsageError(reason: "genkey: unknown option --key")) {
            _ = try KeyCommandOptions.parse(["genkey", "--domain", "d", "--selector", "s", "--key", "x"])
        }
        #expect(throws: KeyCommandOptions.UsageError(reason: "--bits is 1024 to 8192")) {
            _ = try KeyCommandOptions.parse(["genkey", "--domain", "d", "--selector", "s", "--bits", "512"])
        }
    }
}
