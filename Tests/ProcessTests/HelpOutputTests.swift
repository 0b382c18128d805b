import Foundation
import Testing
import Shared

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
    }

    @Test func installedListsTheHandlers() throws {
        let (status, text) = try run(["-h", "installed"])
        #expect(status == 0)
        #expect(text.hasPrefix("Authentication Milter\n\nInstalled handlers:\n    ARC\n    AddID\n"))
        #expect(text.contains("    ReturnOK"))
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

    @Test func badCommandLineIsRefused() throws {
        let (status, text) = try run(["--bogus"])
        #expect(status == 2)
        #expect(text.contains("Error in command line arguments"))
    }
}
