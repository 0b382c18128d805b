#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import Config
import JSON

/// AbusixDataFeed: reports each SMTP transaction to Abusix's real-time
/// feed, as Perl's `Mail::Milter::Authentication::Handler::AbusixDataFeed`
/// with `Mail::DataFeed::Abusix` does: one UDP datagram per message (see
/// `AbusixFeedDatagram` for its lines) to every `feed_dest` entry.
///
/// What is recorded, as Perl records it: the time at MAIL FROM, the
/// client address (after `ip_map`, Net::IP's short form), its PTR names
/// (asked at MAIL FROM, Net::DNS's text with the final dot, joined by
/// ","), the HELO name, the MAIL FROM domain (Perl's `get_domain_from`),
/// TLS (`Y`/`N` when the TLS handler is loaded, from the `tls_version`
/// macro; else empty), authentication (`Y`/`N` when the Auth handler is
/// loaded; else empty) and ESMTP (empty: Perl reads it from the first
/// Received header only in its SMTP mode, which this milter does not
/// speak). The record is complete at the end of the headers, where Perl
/// queues it, so a transaction rejected before DATA sends nothing.
///
/// A worker opens no socket: the record goes to the spool process on the
/// channel it already has (`session.abusixRecordSink`), and the spool,
/// which holds the feed's name, key and destinations from the
/// configuration, sends the datagram (Perl queues it in its spool
/// directory and sends it from its dequeue process). Sending is fire and
/// forget, as UDP is: nothing waits for it.
public final class AbusixDataFeedHandler: Handler, PeerAwareHandler {
    public static let name = "AbusixDataFeed"
    public static let defaultConfigJSON = HandlerHelp.json([
        "feed_name": "name_of_feed",
        "feed_dest": "server:port",
        "feed_key": "this_is_a_secret",
        "listening_port": "25",
    ])
    public static let helpText = HandlerHelp.text(module: name, "Send data back to Abusix", configuration: """
                "AbusixDataFeed" : {
                    "feed_name"        : "id",
                    "feed_dest"        : "server:port",
                    "feed_key"         : "secret",
                    "listening_port"   : "25"
                },
        """)

    public let settings: AbusixFeedSettings
    /// Perl's `time`; a fixed clock in tests.
    let clock: @Sendable () -> Int64
    private(set) weak var tls: TLSHandler?
    private(set) weak var auth: AuthHandler?

    public init(config: ConfigNode) throws(ConfigurationError) {
        settings = try AbusixFeedSettings(config: config)
        clock = { Int64(time(nil)) }
    }

    init(config value: JSONValue, clock: @escaping @Sendable () -> Int64) throws(ConfigurationError) {
        settings = try AbusixFeedSettings(config: ConfigNode(value: value, origin: ConfigOrigin(file: "<AbusixDataFeed configuration>")))
        self.clock = clock
    }

    public func attach(peers: HandlerPeers) {
        tls = peers.first(TLSHandler.self)
        auth = peers.first(AuthHandler.self)
    }

    public func helo(_ session: MailSession, host: String) throws {
        session.connectionState(of: self, AbusixConnectionState.self).helo = host
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        let state = session.newMessageState(of: self, AbusixMessageState.self)
        let client = ClientAddress(session.remoteIP)
        var names: [String] = []
        if let client {
            let answer = session.resolver.lookup(DNSQuestion(name: client.reverseName, type: .ptr))
            // No CNAMEs: only the PTR records, as Perl takes them.
            for case .ptr(let target) in answer.records { names.append(target + ".") }
        }
        state.record = AbusixFeedRecord(
            time: clock(),
            ipAddress: client?.perlText ?? session.remoteIP,
            reverseDNS: names.joined(separator: ","),
            helo: session.existingConnectionState(of: self, AbusixConnectionState.self)?.helo ?? "",
            usedESMTP: nil, usedTLS: nil, usedAuth: nil,
            mailFromDomain: SPFHandler.domain(from: SPFHandler.address(from: address)))
    }

    public func endOfHeaders(_ session: MailSession) throws {
        guard var record = session.existingMessageState(of: self, AbusixMessageState.self)?.record else { return }
        if tls != nil { record.usedTLS = session.perlTrueMacro("tls_version") != nil }
        if auth != nil { record.usedAuth = session.isAuthenticated }
        session.log(.debug, key: "AbusixDataFeed", "queued for the spool")
        session.abusixRecordSink?(record)
    }
}

/// The AbusixDataFeed block, read the same way by the worker (its
/// handler) and the spool (which sends the datagrams).
public struct AbusixFeedSettings: Equatable, Sendable {
    public var feedName: String
    public var feedKey: String
    public var destinations: [AbusixFeedDestination]
    /// `feed_dest` entries that name no destination (Perl's own default,
    /// `server:port`, among them): the spool logs them and sends nothing
    /// there, as Perl's send fails on them, but the milter starts.
    public var destinationProblems: [String]
    public var listeningPort: String

    public init(config: ConfigNode) throws(ConfigurationError) {
        feedName = try Self.text(config, "feed_name") ?? "name_of_feed"
        feedKey = try Self.text(config, "feed_key") ?? "this_is_a_secret"
        listeningPort = try Self.text(config, "listening_port") ?? "25"
        let destination = try Self.text(config, "feed_dest") ?? "server:port"
        var found: [AbusixFeedDestination] = []
        var problems: [String] = []
        for entry in destination.split(separator: ",") {
            do {
                if let parsed = try AbusixFeedDestination.parseEntry(String(entry)) { found.append(parsed) }
            } catch {
                problems.append("\(error)")
            }
        }
        if found.isEmpty && problems.isEmpty { problems.append("feed_dest names no destination") }
        destinations = found
        destinationProblems = problems
    }

    /// A string or a number (Perl's configuration takes `"25"` and `25`).
    static func text(_ config: ConfigNode, _ key: String) throws(ConfigurationError) -> String? {
        guard let node = config.child(key), !node.isNull else { return nil }
        if case .number = node.value { return String(try node.integerValue()) }
        return try node.stringValue()
    }

    /// The settings of the configuration's AbusixDataFeed block, or nil
    /// when the handler is not enabled.
    public static func enabled(in configuration: Configuration) throws(ConfigurationError) -> AbusixFeedSettings? {
        guard let entry = configuration.enabledHandlers.first(where: { $0.name == AbusixDataFeedHandler.name }) else { return nil }
        return try AbusixFeedSettings(config: entry.node)
    }
}

/// The HELO name of the connection (Perl's `helo_name`).
final class AbusixConnectionState: HandlerState {
    var helo = ""
    init() {}
}

/// The transaction being recorded (Perl's `abusix_feed`).
final class AbusixMessageState: HandlerState {
    var record: AbusixFeedRecord?
    init() {}
}
