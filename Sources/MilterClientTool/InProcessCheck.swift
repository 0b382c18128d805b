#if canImport(Glibc)
import Glibc
#endif
import Config
import DMARCReports
import Handlers
import MailAuth
import Milter
import MilterClient
import SystemIO

/// `authentication_milter_client --check`: the configuration's handlers,
/// built here as a worker builds them, run on the message through the same
/// dispatcher a worker uses, with a plain stub resolver (`--dns`, else the configuration's
/// `dns_resolvers`, else /etc/resolv.conf's; no DNS helper, no cache). No daemon, no MTA: the quickest way to see what the milter would
/// add to a message. What needs a process of the daemon's is left out and
/// said: report rows are not stored, content scanners are not asked (their
/// entries are temperrors), Blocker has no rules.
enum InProcessCheck {
    struct Outcome {
        var changes: [MilterResponse]
        var leadingSpace: Bool
        /// The reply that ended the message early, if one did.
        var refusal: String?
    }

    static func run(_ options: MilterClientToolOptions, mail: MilterClientMailFile, commands: [MilterCommand]) throws -> Outcome {
        let (configuration, warnings) = try ConfigurationLoader.load(prefix: options.prefix)
        for warning in warnings { report("warning: \(warning)") }
        let handlers = try HandlerRegistry.build(configuration)
        // --dns, else the configuration's dns_resolvers, else resolv.conf's.
        let servers = options.dnsServers.isEmpty ? configuration.dnsResolvers : options.dnsServers
        let resolver = try LDNSStubResolver(servers: servers, timeoutSeconds: configuration.dnsTimeout)
        let session = MailSession(resolver: resolver)
        let dispatcher = MilterDispatcher(handlers: handlers, session: session, settings: DispatcherSettings(configuration),
                                          clock: monotonicSeconds)
        defer {
            _ = dispatcher.handle(MilterCommand.quit)
            for line in dispatcher.drainLog() { report(line) }
        }
        var leadingSpace = false
        for reply in dispatcher.handle(MilterClientMessage.optionNegotiation) {
            if case .optionNegotiation(_, _, let steps) = reply { leadingSpace = steps.contains(MilterProtocolSteps.headerLeadingSpace) }
        }
        var outcome = Outcome(changes: [], leadingSpace: leadingSpace)
        for command in commands {
            let replies = dispatcher.handle(command)
            if case .endOfMessage = command { outcome.changes = replies }
            for reply in replies {
                if let refusal = MilterClientToolConversation.refusal(reply) {
                    outcome.refusal = refusal
                    return outcome
                }
                if case .accept = reply { return outcome }
            }
        }
        return outcome
    }

    static func report(_ line: String) {
        _ = try? SystemCall.writeAll(fd: 2, bytes: Array("authentication_milter_client: \(line)\n".utf8))
    }
}
