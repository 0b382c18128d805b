#if canImport(Glibc)
import Glibc
#endif
import MessageLog
import SystemIO

// authentication_milter_log: Perl's tool for the per-message log. One
// command, `arex`: ARex lines (`extended_log`) back into the headers.

let usage = """
usage: authentication_milter_log arex [--combine|-c] [--fold_at|-a N] [--indent_by|-b N]
                                      [--indent_style|-s none|entry|subentry|full] [--space|-p N] [file ...]
Reads ARex log lines (standard input when no file is given) and prints the
Authentication-Results headers they record.

"""

func fail(_ text: String, status: Int32 = 2) -> Never {
    _ = try? SystemCall.writeAll(fd: 2, bytes: Array(text.utf8))
    exit(status)
}

/// Reads `stream` line by line into a fixed buffer: a line longer than
/// `ARexLine.maximumBytes` is skipped to its end and counts as undecodable,
/// so a hostile log cannot make the tool grow without bound.
func process(_ stream: UnsafeMutablePointer<FILE>, options: ARexFormatOptions) {
    var buffer = [CChar](repeating: 0, count: ARexLine.maximumBytes + 2)
    var skipping = false
    while fgets(&buffer, Int32(buffer.count), stream) != nil {
        let length = strlen(buffer)
        let complete = length > 0 && buffer[length - 1] == 0x0A
        if skipping {
            if complete { skipping = false }
            continue
        }
        if !complete && length >= buffer.count - 1 {
            skipping = true
            print("Error decoding line.")
            continue
        }
        var line = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        while line.last == "\n" || line.last == "\r" { line.removeLast() }
        print(options.render(logLine: line), terminator: "")
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--help" || arguments.first == "-h" || arguments.first == "help" {
    print(usage, terminator: "")
    exit(0)
}
guard arguments.first == "arex" else { fail(usage) }
arguments.removeFirst()
let options: ARexFormatOptions
do {
    options = try ARexFormatOptions.parse(arguments)
} catch {
    fail("authentication_milter_log: \(error)\n\(usage)")
}
// Perl's validate_args: every file must exist and be readable first.
for file in options.files where file != "-" && access(file, R_OK) != 0 {
    fail("authentication_milter_log: File \(file) does not exist or is unreadable\n")
}
/// Standard input as a stream (Swift 6 refuses glibc's global `stdin`).
func standardInput() -> UnsafeMutablePointer<FILE> {
    guard let stream = fdopen(0, "r") else { fail("authentication_milter_log: cannot read standard input\n", status: 1) }
    return stream
}

if options.files.isEmpty {
    process(standardInput(), options: options)
} else {
    for file in options.files {
        if file == "-" {
            process(standardInput(), options: options)
            continue
        }
        guard let stream = fopen(file, "r") else { fail("authentication_milter_log: cannot open \(file)\n", status: 1) }
        process(stream, options: options)
        fclose(stream)
    }
}
