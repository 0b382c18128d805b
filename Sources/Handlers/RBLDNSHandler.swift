import Config
import JSON
import MailAuth

/// RBLDNS: looks the client address up in DNS lists at connect, as Perl's
/// `RBLDNS.pm` does. Each list (by name, in name order) asks
/// `<reversed address>.<base_url>` for A records (`rbl_check_ip`: the IPv4
/// octets, or the IPv6 nibbles, reversed); the first address of the
/// answer picks the state from `states`, else the `*` state, else
/// `unknown`; no answer (not listed, or a DNS error) is `default_state`.
/// Every list's question goes out in one batch.
///
/// - `add_authresults`: a connection-level entry `<name>=<state>`, in the
///   header of every message on the connection (`list1=foo`).
/// - `add_header`: `<add_header>: <state>` is prepended to every message
///   of the connection (at the end of its headers, as Perl does), and
///   incoming fields of that name are removed through Sanitize's list
///   (Perl's `add_header_to_sanitize_list`), noted as
///   `X-Received-<name>: (Received <name> header removed by <host>)`;
///   `sanitize_header` `"silent"` removes without the note, `"no"` keeps
///   them. Without the Sanitize handler nothing is removed, as in Perl.
///
/// The lists are the block's members (Perl's layout, as `-h
/// default_config` shows it), or the members of its `rbls` object.
public final class RBLDNSHandler: PeerAwareHandler {
    public static let name = "RBLDNS"
    public static let defaultConfigJSON = HandlerHelp.json([
        "list1": ["base_url": "list1.example.com", "default_state": "clean", "add_authresults": 1, "add_header": "X-List1",
                  "states": ["127.0.0.2": "foo", "127.0.0.3": "bar", "*": "baz"]],
        "list2": ["base_url": "list2.example.com", "default_state": "clean", "add_header": "X-List2",
                  "states": ["127.0.0.2": "foo", "127.0.0.3": "bar", "*": "baz"]],
    ])
    public static let helpText = HandlerHelp.text(module: name, "Check email using RBL Lookup.", configuration: """
                "RBLDNS" : {                                    | Config for the RBLDNS Module
                    "key1" : {                                  | Name of lookup, will be used as Authentication-Results: key
                        "base_url" : "foo.rbldns.com",          | RBLDNS to lookup against
                        "default_state" : "bar",                | State to use when not listed
                        "add_authresults" : 1,                  | Boolean, add authresults header for this lookup
                        "add_header" : "X-RBLFoo",              | Header to be added for this lookup
                        "sanitize_header" : "yes",              | Remove incoming copies of add_header through Sanitize:
                                                                | "yes" (default, with a note), "silent", "no"
                        "states" : {                            | Mapping of dns results to states
                            "127.0.0.1" : "pass",               | Result to add for IP...
                            "127.0.0.2" : "maybe",              | Result to add for IP...
                            "*" : "baz"                         | Wildcard result to add for any other IP results
                        }
                    },
                    "key2" : {                                  | Any additional lookups
                        ...
                    }
                },
                                                                | The lists may also sit in an "rbls" object:
                                                                | "RBLDNS" : { "rbls" : { "key1" : { ... } } }
        """)

    /// The key that holds the lists in the second layout.
    static let listsKey = "rbls"
    static let listKeys: Set<String> = ["base_url", "default_state", "add_authresults", "add_header", "sanitize_header", "states"]
    /// At most this many lists (each is one DNS question per connection).
    static let maximumLists = 32

    public let lists: [RBLDNSList]

    public init(config: ConfigNode) throws(ConfigurationError) {
        var lists: [RBLDNSList] = []
        for (name, node) in try Self.listNodes(config) {
            lists.append(try RBLDNSList(name: name, node: node))
        }
        guard lists.count <= Self.maximumLists else { throw config.error("at most \(Self.maximumLists) lists") }
        self.lists = lists.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// The lists' nodes by name: the members of `rbls`, else of the block
    /// itself (its `auth_header_name` apart).
    static func listNodes(_ block: ConfigNode) throws(ConfigurationError) -> [(key: String, node: ConfigNode)] {
        if let rbls = block.child(listsKey), !rbls.isNull {
            _ = try rbls.requireObject()
            return rbls.members
        }
        return block.members.filter { $0.key != AuthResultsHeaderName.configKey }
    }

    public static func unknownKeyWarnings(in block: ConfigNode) -> [String] {
        var warnings: [String] = []
        if block.child(listsKey) != nil {
            warnings += block.unknownKeyWarnings(known: [listsKey, AuthResultsHeaderName.configKey])
        }
        for (_, node) in (try? listNodes(block)) ?? [] where node.value.objectValue != nil {
            warnings += node.unknownKeyWarnings(known: listKeys)
        }
        return warnings
    }

    public func attach(peers: HandlerPeers) {
        guard let sanitize = peers.first(SanitizeHandler.self) else { return }
        for list in lists {
            guard let header = list.header, list.sanitizeHeader != .no else { continue }
            sanitize.addHeaderToRemove(header, silent: list.sanitizeHeader == .silent)
        }
    }

    public func connect(_ session: MailSession) throws {
        guard !lists.isEmpty else { return }
        // A client without an address (a Unix socket) is listed nowhere.
        let answers: [String?]
        if let client = ClientAddress(session.remoteIP) {
            let outcomes = session.resolver.lookup(lists.map { DNSQuestion(name: client.dnsListName(under: $0.zone), type: .a) })
            answers = outcomes.map(DNSListAnswer.firstAddress)
        } else {
            answers = Array(repeating: nil, count: lists.count)
        }
        let state = session.connectionState(of: self, RBLDNSConnectionState.self)
        state.headers = []
        for (list, answer) in zip(lists, answers) {
            let listState = list.state(for: answer)
            session.log(.debug, key: Self.name, "\(list.name):\(answer ?? "0"):\(listState)")
            if list.addAuthResults {
                session.addConnectionAuthResult(AuthResultsEntry(method: list.name, result: listState))
            }
            if let header = list.header {
                state.headers.append((header, listState))
            }
        }
    }

    public func endOfHeaders(_ session: MailSession) throws {
        guard let state = session.existingConnectionState(of: self, RBLDNSConnectionState.self) else { return }
        for (name, value) in state.headers {
            session.prependHeader(name: name, value: value)
        }
    }
}

/// One list of the RBLDNS handler's block.
public struct RBLDNSList: Sendable, Equatable {
    /// The name: the Authentication-Results method of its entry.
    public let name: String
    /// `base_url`: the DNS zone the address is looked up under.
    public let zone: String
    public let defaultState: String
    public let addAuthResults: Bool
    /// `add_header`: the header that carries the state, if any.
    public let header: String?
    public let sanitizeHeader: SanitizeHandler.Mode
    /// `states`: the state for each listed address, `*` for any other.
    public let states: [String: String]

    init(name: String, node: ConfigNode) throws(ConfigurationError) {
        _ = try node.requireObject()
        // The name becomes an Authentication-Results method.
        guard DMARCPolicyRBLLookup.isToken(name) else {
            throw node.error("the list name must be letters, digits, '-', '_' or '.': \(JSONSerializer.quoted(name))")
        }
        self.name = name
        guard let zone = try node.nonEmptyString("base_url"), DMARCPolicyRBLLookup.isToken(zone) else {
            throw (node.child("base_url") ?? node).error("expected the DNS zone of the list (base_url)")
        }
        self.zone = zone
        // Perl would write an empty entry and header for an unlisted
        // client; a list without the key is refused instead.
        guard let defaultState = try node.string("default_state") else {
            throw node.error("expected default_state, the state of a client the list does not name")
        }
        self.defaultState = defaultState
        addAuthResults = try node.bool("add_authresults") ?? false
        if let header = try node.nonEmptyString("add_header") {
            guard MilterHeaderGuard.isFieldName(header), header.utf8.count <= 64 else {
                throw (node.child("add_header") ?? node).error("not a header field name: \(JSONSerializer.quoted(header))")
            }
            self.header = header
        } else {
            header = nil
        }
        sanitizeHeader = try SanitizeHandler.mode(node.child("sanitize_header"))
        var states: [String: String] = [:]
        if let statesNode = node.child("states"), !statesNode.isNull {
            _ = try statesNode.requireObject()
            for (address, valueNode) in statesNode.members {
                states[address] = try valueNode.stringValue()
            }
        }
        self.states = states
    }

    /// The state for the list's answer (the first A address, nil when not
    /// listed).
    func state(for answer: String?) -> String {
        guard let answer else { return defaultState }
        return states[answer] ?? states["*"] ?? "unknown"
    }
}

/// What the RBLDNS handler found for the connection (see `HandlerState`):
/// the headers every message on it gets.
final class RBLDNSConnectionState: HandlerState {
    var headers: [(name: String, value: String)] = []
    init() {}
}
