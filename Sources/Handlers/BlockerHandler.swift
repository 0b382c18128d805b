#if canImport(Glibc)
import Glibc
#endif
import BlockerRules
import MailAuth
import Metrics
import Config

/// Blocker: rejects or defers mail by the operator's quick rules, as
/// Perl's `Mail::Milter::Authentication::Handler::Blocker` does. The rules
/// live in the TOML files of `blocker_configs` (see `BlockerRule` for a
/// rule's keys and `BlockerCallback` for what each stage matches).
///
/// A worker opens no file: the master reads the files, again whenever one
/// changes (checked as it hands each connection over, where Perl re-reads
/// them for each connection), creates a missing one from
/// `BlockerFileTemplate` as Perl does, and sends the parsed rules to the
/// worker before the connection (`MasterToWorker.blockerRules`). The
/// worker puts them on the session (`session.blockerRules`).
///
/// Each matching rule in force, in id order: sampled out (logged
/// `sampled_out <id>`), or `reject <id>` / `defer <id>` with the rule's
/// `with` as the reply at that stage (a reply that is not `5xx 5.x.x ...`
/// / `4xx 4.x.x ...` becomes `550 5.0.0 Message rejected` / `450 4.0.0
/// Message deferred`, as Perl's `reject_mail`/`defer_mail` replace it), or
/// `Invalid blocker entry with <with>` logged as an error. When several
/// rules match one stage the last one's reply is sent (Perl keeps the last
/// `reject_mail`), and a reject outranks a defer.
public final class BlockerHandler: Handler {
    public static let name = "Blocker"
    /// Its rules reject or defer at connect, HELO, MAIL and RCPT too.
    public static let refusesBeforeData = true
    public static let defaultConfigJSON = HandlerHelp.json([
        "blocker_configs": ["/tmpfs/authmilter-blocker.toml"],
    ])
    public static let helpText = HandlerHelp.text(module: name, "Defer/Reject mail based on simple rules.", configuration: """
                "Blocker" : {                                                       |
                    "blocker_configs" : [ "/tmpfs/authmilter-blocker.toml" ],       | A list of blocker configs to test against.
                },                                                                  | (TOML; read by the master, not the workers;
                                                                                    | edit with authentication_milter_blocker)
        """)

    /// The rule files, in order (a later file's id replaces an earlier one).
    public let files: [String]
    /// Perl's `time`; a fixed clock in tests.
    let clock: @Sendable () -> Double
    /// Perl's `rand(100)`; a fixed number in tests.
    let random: @Sendable () -> Double

    public init(config: ConfigNode) throws(ConfigurationError) {
        files = try Self.files(config)
        clock = { Double(time(nil)) }
        random = { Double.random(in: 0..<100) }
    }

    init(files: [String], clock: @escaping @Sendable () -> Double, random: @escaping @Sendable () -> Double) {
        self.files = files
        self.clock = clock
        self.random = random
    }

    /// `blocker_configs` as the master and the handler read it: absent is
    /// Perl's default; an empty list means no rules.
    public static func files(_ config: ConfigNode) throws(ConfigurationError) -> [String] {
        guard let node = config.child("blocker_configs"), !node.isNull else { return ["/tmpfs/authmilter-blocker.toml"] }
        let list = try node.stringArrayValue()
        for path in list where path.isEmpty || path.utf8.contains(0) {
            throw node.error("a blocker config path must be a non-empty file name")
        }
        return list
    }

    public func connect(_ session: MailSession) throws {
        test(session, .connect, Self.perlIPText(session.remoteIP))
    }

    public func helo(_ session: MailSession, host: String) throws {
        test(session, .helo, host)
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        test(session, .envfrom, address)
    }

    public func envelopeRecipient(_ session: MailSession, address: String) throws {
        test(session, .envrcpt, address)
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        test(session, .header, "\(name): \(value)")
    }

    func test(_ session: MailSession, _ callback: BlockerCallback, _ text: String) {
        guard let book = session.blockerRules, !book.isEmpty else { return }
        var reject: String?
        var deferral: String?
        for decision in book.decisions(callback, text: text, now: clock(), random: random) {
            switch decision {
            case .sampledOut(let id):
                session.log(.info, key: "Blocker", "sampled_out \(ControlCharacters.loggable(id))")
                session.count(.blocker, ["sampled_out", id])
            case .reject(let id, let with):
                session.log(.info, key: "Blocker", "reject \(ControlCharacters.loggable(id))")
                session.count(.blocker, ["reject", id])
                reject = with
            case .defer(let id, let with):
                session.log(.info, key: "Blocker", "defer \(ControlCharacters.loggable(id))")
                session.count(.blocker, ["defer", id])
                deferral = with
            case .invalid(_, let with):
                session.log(.error, "Invalid blocker entry with \(ControlCharacters.loggable(with))")
            }
        }
        if let reject { session.setVerdict(.reject(reject)) }
        if let deferral { session.setVerdict(.tempfail(deferral)) }
    }

    /// The client address as Perl's `Net::IP->ip` writes it: IPv4 as is,
    /// IPv6 in full (eight groups of four lowercase hex digits). Text that
    /// is no address is matched as the MTA sent it.
    static func perlIPText(_ text: String) -> String {
        guard let address = ClientAddress(text) else { return text }
        guard address.isIPv6 else { return address.perlText }
        var groups: [String] = []
        for pair in stride(from: 0, to: 16, by: 2) {
            let group = String(Int(address.bytes[pair]) << 8 | Int(address.bytes[pair + 1]), radix: 16)
            groups.append(String(repeating: "0", count: 4 - group.count) + group)
        }
        return groups.joined(separator: ":")
    }
}
