#if canImport(Glibc)
import Glibc
#endif
import JSON

/// A listening socket as the Perl milter (and Sendmail/Postfix) spell it:
/// `inet:12345@127.0.0.1`, `inet:12345@[::1]`, `inet:12345`,
/// `inet6:12345@[::1]`, `unix:/run/authmilter.sock`.
///
/// A missing host (or `*`) means every local address: the Perl milter hands
/// an empty host to Net::Server, which binds `*` (IPv6 and IPv4). A host
/// name such as `localhost` is kept as written; the master resolves it
/// and binds every address it resolves to, as Net::Server does.
public enum ConnectionSpec: Sendable, Hashable, CustomStringConvertible {
    case inet(port: UInt16, host: String?)
    case inet6(port: UInt16, host: String?)
    case unix(path: String)

    /// Refuses a malformed spec with `.invalidValue` and the message
    /// `invalid connection "<spec>": <reason>` (no file or key: the caller
    /// adds where it was written).
    public init(parsing text: String) throws(ConfigurationError) {
        func fail(_ reason: String) -> ConfigurationError {
            ConfigurationError(.invalidValue, message: "invalid connection \(JSONSerializer.quoted(text)): \(reason)")
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw fail("expected inet:<port>@<host>, inet6:<port>@<host> or unix:<path>")
        }
        let type = text[..<colon].lowercased()
        let rest = String(text[text.index(after: colon)...])
        switch type {
        case "unix", "local":
            // "local:" is Sendmail's name for the same thing.
            guard !rest.isEmpty else { throw fail("the unix socket path is empty") }
            guard !rest.utf8.contains(0) else { throw fail("the unix socket path contains a NUL byte") }
            // sun_path holds 108 bytes including the terminating NUL.
            guard rest.utf8.count < 108 else { throw fail("the unix socket path is longer than 107 bytes") }
            self = .unix(path: rest)
        case "inet", "inet6":
            let portText: Substring
            var host: String?
            if let at = rest.firstIndex(of: "@") {
                portText = rest[..<at]
                var hostText = String(rest[rest.index(after: at)...])
                if hostText.hasPrefix("[") {
                    guard hostText.hasSuffix("]"), hostText.count > 2 else {
                        throw fail("unbalanced brackets around the host")
                    }
                    hostText = String(hostText.dropFirst().dropLast())
                }
                guard !hostText.isEmpty else { throw fail("the host after '@' is empty") }
                guard !hostText.contains(where: { $0 == " " || $0 == "@" || $0 == "[" || $0 == "]" }) else {
                    throw fail("invalid host \(JSONSerializer.quoted(hostText))")
                }
                host = hostText == "*" ? nil : hostText
            } else {
                portText = Substring(rest)
            }
            guard !portText.isEmpty, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let port = Int(portText), port >= 1, port <= 65535
            else {
                throw fail("the port must be a number from 1 to 65535")
            }
            if let host, host.contains(":") {
                guard ConnectionSpec.isIPv6Literal(host) else {
                    throw fail("invalid IPv6 address \(JSONSerializer.quoted(host))")
                }
            }
            if type == "inet6" {
                if let host, ConnectionSpec.isIPv4Literal(host) {
                    throw fail("inet6 needs an IPv6 address or a host name, not \(host)")
                }
                self = .inet6(port: UInt16(port), host: host)
            } else {
                self = .inet(port: UInt16(port), host: host)
            }
        default:
            throw fail("unknown socket type \(JSONSerializer.quoted(String(text[..<colon]))), expected inet, inet6 or unix")
        }
    }

    /// The canonical spelling, which `init(parsing:)` reads back.
    public var description: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .inet(let port, let host): return "inet:\(port)" + ConnectionSpec.hostSuffix(host)
        case .inet6(let port, let host): return "inet6:\(port)" + ConnectionSpec.hostSuffix(host)
        }
    }

    public var port: UInt16? {
        switch self {
        case .inet(let port, _), .inet6(let port, _): return port
        case .unix: return nil
        }
    }

    /// The key the Perl SMTP mode uses to pick a per-socket `smtp` block:
    /// `inet:<port>` or `unix:<path>`, never the host.
    public var smtpOverrideKey: String {
        switch self {
        case .unix(let path): return "unix:\(path)"
        case .inet(let port, _), .inet6(let port, _): return "inet:\(port)"
        }
    }

    private static func hostSuffix(_ host: String?) -> String {
        guard let host else { return "" }
        return host.contains(":") ? "@[\(host)]" : "@\(host)"
    }

    static func isIPv4Literal(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6Literal(_ text: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, text, &address) == 1
    }
}
