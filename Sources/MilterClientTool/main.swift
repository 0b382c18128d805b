#if canImport(Glibc)
import Glibc
#endif
import Config
import Milter
import MilterClient
import SystemIO

// authentication_milter_client: replays one message through the running
// milter as an MTA would (Perl's tool of the same name and options) and
// prints the message with the milter's header changes applied. A message
// the milter refuses is reported with its reply and exit status 1.

func fail(_ text: String, status: Int32 = 1) -> Never {
    _ = try? SystemCall.writeAll(fd: 2, bytes: Array("authentication_milter_client: \(text)\n".utf8))
    exit(status)
}

let options: MilterClientToolOptions
do {
    options = try MilterClientToolOptions(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    fail("\(error)\n\(MilterClientToolOptions.usage)", status: 2)
}
if options.help {
    print(MilterClientToolOptions.usage)
    exit(0)
}

// The message: a file (a regular one, bounded) or standard input.
var bytes: [UInt8]
if options.mailFile == "-" {
    do {
        bytes = try BoundedFileReader.readAll(fd: 0, path: "standard input", maximumSize: MilterClientMailFile.maximumBytes) {
            SystemIOError(.tooLarge, "standard input is larger than \(MilterClientMailFile.maximumBytes >> 20) MiB")
        }
    } catch {
        fail("\(error)")
    }
} else {
    do {
        bytes = try BoundedFileReader.read(options.mailFile, maximumSize: MilterClientMailFile.maximumBytes)
    } catch {
        fail("Mail file \(options.mailFile): \(error.reason)")
    }
}
let mail = MilterClientMailFile(parsing: bytes)

let queueID = "amc" + String(UInt64(getpid()), radix: 16) + String(UInt64(time(nil)), radix: 16)
let commands = MilterClientToolConversation.commands(options, mail: mail, queueID: queueID)
var changes: [MilterResponse] = []
var leadingSpace = false

if options.check {
    let outcome: InProcessCheck.Outcome
    do {
        outcome = try InProcessCheck.run(options, mail: mail, commands: commands)
    } catch {
        fail("\(error)")
    }
    if let refusal = outcome.refusal { fail("Message rejected with code : \(refusal)") }
    changes = outcome.changes
    leadingSpace = outcome.leadingSpace
} else {
    // Where the milter listens: --connection, or the configuration's.
    let spec: String
    if let given = options.connection {
        spec = given
    } else {
        do {
            let (configuration, _) = try ConfigurationLoader.load(prefix: options.prefix)
            guard configuration.serverProtocol == .milter else { fail("the client works with the milter protocol only") }
            spec = configuration.connection.description
        } catch {
            fail("\(error)")
        }
    }
    guard let endpoint = MilterClientEndpoint.parse(spec) else { fail("cannot connect to \(spec): not a unix socket or an IPv4 port") }
    let fd = endpoint.connect()
    guard fd >= 0 else { fail("cannot connect to \(endpoint): \(SystemIOError.text(for: errno))") }
    let connection = MilterClientConnection(connected: fd, receiveTimeoutSeconds: 60)
    guard connection.negotiate() else { fail("the milter at \(endpoint) did not answer option negotiation") }
    var script = MilterClientScript(commands)
    script.negotiated(connection.negotiatedSteps)
    conversation: while script.remaining > 0 {
        let step = script.nextStep()
        guard !step.isEmpty else { break }
        connection.sendRaw(step)
        guard let replies = connection.replies() else { fail("the milter closed the connection or went silent") }
        if script.endOfMessageSent { changes = replies }
        for reply in replies {
            if let refusal = MilterClientToolConversation.refusal(reply) {
                connection.send(.quit)
                fail("Message rejected with code : \(refusal)")
            }
            switch reply {
            case .accept: break conversation      // delivered as it is, no more steps
            case .skip: script.skipBody()
            default: continue
            }
        }
    }
    connection.send(.quit)
    leadingSpace = script.steps.contains(.headerLeadingSpace)
}

let result = MilterClientToolConversation.applying(changes, to: mail, leadingSpace: leadingSpace)
let output = result.rendered()
do {
    _ = try SystemCall.writeAll(fd: 1, bytes: output)
} catch {
    fail("cannot write the message: \(error)")
}
