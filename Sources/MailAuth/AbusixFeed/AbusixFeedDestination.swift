/// One entry of `feed_dest` (`host` or `host:port`, entries separated by
/// commas as `Mail::DataFeed::Abusix` splits them; port 12211 when none
/// is given). An IPv6 address is written in brackets (`[2001:db8::1]:9`),
/// or bare without a port.
public struct AbusixFeedDestination: Equatable, Sendable {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    public static func parseList(_ text: String) throws(AbusixFeedError) -> [AbusixFeedDestination] {
        var found: [AbusixFeedDestination] = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: true) {
            if let destination = try parseEntry(String(raw)) { found.append(destination) }
        }
        return found
    }

    /// One comma-separated entry, white space around it ignored; nil for
    /// an empty one.
    public static func parseEntry(_ raw: String) throws(AbusixFeedError) -> AbusixFeedDestination? {
        let entry = Substring(raw).trimmingWhitespace()
        return entry.isEmpty ? nil : try parse(entry)
    }

    public static func parse(_ entry: String) throws(AbusixFeedError) -> AbusixFeedDestination {
        var host = Substring(entry)
        var portText: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { throw AbusixFeedError.invalidDestination(entry: entry, reason: "'[' without ']'") }
            let rest = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw AbusixFeedError.invalidDestination(entry: entry, reason: "expected ':' after ']'") }
                portText = rest.dropFirst()
            }
        } else if host.filter({ $0 == ":" }).count == 1, let colon = host.firstIndex(of: ":") {
            portText = host[host.index(after: colon)...]
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw AbusixFeedError.invalidDestination(entry: entry, reason: "no host") }
        var port = AbusixFeedDatagram.defaultPort
        // Perl: `$peer_port = 12211 if !$peer_port`: empty or 0 is the default.
        if let portText, !portText.isEmpty, portText != "0" {
            guard portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), let number = UInt16(portText), number > 0 else {
                throw AbusixFeedError.invalidDestination(entry: entry, reason: "port '\(portText)' is not a number from 1 to 65535")
            }
            port = number
        }
        return AbusixFeedDestination(host: String(host), port: port)
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        var text = self
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
