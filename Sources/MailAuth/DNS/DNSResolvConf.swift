/// Reads the `nameserver` lines of /etc/resolv.conf (resolv.conf(5)), which
/// is what the Perl program's Net::DNS falls back to when `dns_resolvers`
/// is empty. The helper reads the file before it is jailed and hands the
/// text here. Other directives (search, options ndots/timeout/attempts) are
/// ignored: lookups are absolute names, and timeouts come from
/// `dns_timeout` and `dns_retry`.
public enum DNSResolvConf {
    public static func nameservers(in text: String) -> [DNSServerAddress] {
        var servers: [DNSServerAddress] = []
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            // Comments start with '#' or ';' in column one (and, in
            // practice, anywhere after the value).
            var line = Substring(rawLine)
            if let hash = line.firstIndex(where: { $0 == "#" || $0 == ";" }) { line = line[..<hash] }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { continue }
            if let server = DNSServerAddress(String(words[1])), !servers.contains(server) {
                servers.append(server)
            }
        }
        return servers
    }
}
