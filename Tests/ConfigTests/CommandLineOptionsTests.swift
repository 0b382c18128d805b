@testable import MasterSupport
import Testing

@Suite struct CommandLineOptionsTests {
    @Test func defaults() throws {
        let o = try CommandLineOptions.parse([])
        #expect(o.control == nil)
        #expect(o.daemon == false)
        #expect(o.pidfile == "/run/authentication_milter.pid")
        #expect(o.prefix == "/etc")
        #expect(o.logIdent == "authentication_milter")
        #expect(o.help == nil)
    }

    @Test func shortAndLongForms() throws {
        let o = try CommandLineOptions.parse(["-c", "status", "-d", "--pidfile=/tmp/x.pid", "--prefix", "/srv/etc", "-i", "two"])
        #expect(o.control == .status)
        #expect(o.daemon)
        #expect(o.pidfile == "/tmp/x.pid")
        #expect(o.prefix == "/srv/etc")
        #expect(o.ident == "two")
        #expect(o.logIdent == "authentication_milter_two")
    }

    @Test func identNamesThePidfile() throws {
        let o = try CommandLineOptions.parse(["--ident", "a"])
        #expect(o.pidfile == "/run/authentication_milter_a.pid")
    }

    @Test func helpTopics() throws {
        #expect(try CommandLineOptions.parse(["-h"]).help == "")
        #expect(try CommandLineOptions.parse(["-h", "installed"]).help == "installed")
        #expect(try CommandLineOptions.parse(["--help=default_config"]).help == "default_config")
        #expect(try CommandLineOptions.parse(["--help", "-d"]).help == "")
        #expect(try CommandLineOptions.parse(["-h", "SPF"]).help == "SPF")
    }

    @Test func abbreviations() throws {
        let o = try CommandLineOptions.parse(["--cont", "stop", "--pid", "/tmp/p"])
        #expect(o.control == .stop)
        #expect(o.pidfile == "/tmp/p")
    }

    @Test func errors() {
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["-c", "explode"]) }
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["--pidfile"]) }
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["-x"]) }
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["stray"]) }
        #expect(throws: CommandLineOptions.UsageError.self) { try CommandLineOptions.parse(["-i", "../evil"]) }
    }
}
