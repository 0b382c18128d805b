import Foundation
import JSON
import Testing

/// `-h`, `-h installed`, `-h default_config`, `-h <Module>` from the built
/// binary, as an operator runs them.
@Suite struct HelpOutputTests {
    func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonFixture.binaryDirectory + "/authentication_milter")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func usage() throws {
        let (status, text) = try run(["-h"])
        #expect(status == 0)
        #expect(text.contains("authentication_milter [-c|--control <command>]"))
        #expect(text.contains("check          Check the configuration as a start would"))
    }

    @Test func installedListsTheHandlers() throws {
        let (status, text) = try run(["-h", "installed"])
        #expect(status == 0)
        #expect(text.hasPrefix("Authentication Milter\n\nInstalled handlers:\n    ARC\n    AbusixDataFeed\n    AddID\n"))
        #expect(text.contains("    ReturnOK"))
        #expect(text.contains("\n    Blocker\n"))
        #expect(!text.contains("SandboxProbe"))
    }

    @Test func defaultConfigIsPerlStyleJSONWithEveryHandler() throws {
        let (status, text) = try run(["-h", "default_config"])
        #expect(status == 0)
        #expect(text.contains("\n   \"connection\" : "))
        let parsed = try JSONParser.parse(text)
        #expect(parsed["handlers"]?["AddID"] != nil)
        #expect(parsed["handlers"]?["ReturnOK"] != nil)
        #expect(parsed["min_children"] != nil)
    }

    @Test func moduleHelpAndUnknownModule() throws {
        let (status, text) = try run(["--help", "ReturnOK"])
        #expect(status == 0)
        #expect(text.contains("Check that return addresses have valid MX records."))
        let (bad, message) = try run(["-h", "NoSuchThing"])
        #expect(bad != 0)
        #expect(message.contains("Could not find help for NoSuchThing"))
    }

    /// Issue 13: the five handlers of the newest Perl release that were
    /// refused before are installed, in `-h default_config` with Perl's
    /// blocks, and each has its `-h <Module>`.
    @Test(arguments: [
        ("AlignedFrom", "Check that Mail From and Header From addresses are in alignment."),
        ("Logger", "Log things"),
        ("RBLDNS", "Check email using RBL Lookup."),
        ("Size", "Module to provide metrics related to message size."),
        ("XGoogleDKIM", "Module for validation of X-Google-DKIM signatures."),
    ])
    func issue13HandlersAreInstalled(name: String, description: String) throws {
        let (listed, installed) = try run(["-h", "installed"])
        #expect(listed == 0)
        #expect(installed.contains("\n    \(name)\n"))
        let (status, help) = try run(["-h", name])
        #expect(status == 0)
        #expect(help.contains("Authentication-Milter - \(name) Module\n\n\(description)"))
        let (_, text) = try run(["-h", "default_config"])
        let block = try #require(try JSONParser.parse(text)["handlers"]?[name])
        switch name {
        case "Logger": #expect(block["header"] == .array([.string("from"), .string("to"), .string("message-id")]))
        case "RBLDNS": #expect(block["list1"]?["base_url"] == .string("list1.example.com"))
        case "XGoogleDKIM": #expect(block["hide_none"] != nil)
        default: #expect(block.objectValue?.isEmpty == true)
        }
    }

    @Test func badCommandLineIsRefused() throws {
        let (status, text) = try run(["--bogus"])
        #expect(status == 2)
        #expect(text.contains("Error in command line arguments"))
    }
}
