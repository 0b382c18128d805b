import Foundation

/// Runs another program for a test: an independent implementation to
/// compare with (Mail::SPF, Mail::DKIM, Email::Address::XS, dkimpy), or a
/// checker (xmllint, gzip). Optionally in a fresh temporary directory that
/// holds `files`, with `input` on its standard input; standard output and
/// error come back together unless `separateErrors`.
public enum ExternalCommand {
    public struct Run: Sendable {
        public var status: Int32
        public var output: String
        public var outputBytes: Data
    }

    /// `arguments[0]` is looked up in PATH (through /usr/bin/env) unless
    /// it is a path.
    public static func run(_ arguments: [String], files: [String: [UInt8]] = [:], input: Data? = nil,
                           separateErrors: Bool = false) throws -> Run {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("authmilter-command-\(getpid())-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, bytes) in files {
            try Data(bytes).write(to: directory.appendingPathComponent(name))
        }
        let process = Process()
        if let first = arguments.first, first.hasPrefix("/") {
            process.executableURL = URL(fileURLWithPath: first)
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = separateErrors ? FileHandle.nullDevice : output
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            // Written from another thread: a large input and a large output
            // would otherwise wait on each other.
            let writer = stdin.fileHandleForWriting
            Thread.detachNewThread {
                writer.write(input)
                try? writer.close()
            }
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self), outputBytes: data)
    }

    /// Whether the command runs and exits 0 (a module or program is there).
    public static func succeeds(_ arguments: [String]) -> Bool {
        (try? run(arguments, separateErrors: true).status) == 0
    }

    /// Whether Perl can load every module.
    public static func perlHas(_ modules: [String]) -> Bool {
        succeeds(["perl"] + modules.map { "-M" + $0 } + ["-e", "1"])
    }
}
