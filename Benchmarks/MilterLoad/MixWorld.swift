import BenchSupport
import MailAuth

/// The domains, hosts and keys a mix's messages come from, and the zone
/// that publishes them: what unbound serves to the milters, and an
/// in-memory copy of the keys so forwarders can validate the ARC chain
/// before they seal (as they would through DNS).
final class MixWorld {
    /// The zones unbound serves as `static`: `example.` for every name, the
    /// reverse zones of the documentation networks for the PTRs.
    static let zones = ["example", "2.0.192.in-addr.arpa", "100.51.198.in-addr.arpa", "113.0.203.in-addr.arpa"]

    let keyDirectory: String
    private(set) var records: [ZoneRecord] = []
    private(set) var resolver = InMemoryDNSResolver()
    private var signers: [String: MixSigner] = [:]

    init(keyDirectory: String) {
        self.keyDirectory = keyDirectory
    }

    func txt(_ name: String, _ text: String) {
        records.append(ZoneRecord(name, .txt(text)))
    }

    /// A mail host: its A record and a PTR back to it (`ptr: false`: no
    /// PTR, so IPRev fails).
    func host(_ name: String, _ address: String, ptr: Bool = true) {
        records.append(ZoneRecord(name, .a(address)))
        if ptr { records.append(ZoneRecord(address, .ptr(name))) }
    }

    /// A PTR alone (to a name whose A is another address: IPRev's
    /// forward confirmation fails).
    func ptr(_ address: String, _ name: String) {
        records.append(ZoneRecord(address, .ptr(name)))
    }

    func mx(_ domain: String, _ exchange: String) {
        records.append(ZoneRecord(domain, .mx(preference: 10, exchange: exchange)))
    }

    func dmarc(_ domain: String, policy: String) {
        txt("_dmarc.\(domain)", "v=DMARC1; p=\(policy); rua=mailto:dmarc-reports@\(domain); adkim=r; aspf=r")
    }

    /// A mail domain: its mail host (A, PTR back, and the domain's MX),
    /// its SPF record and its DMARC policy, each when given.
    func domain(_ name: String, mailHost: (name: String, address: String)? = nil, spf: String? = nil, dmarc policy: String? = nil) {
        if let mailHost {
            host(mailHost.name, mailHost.address)
            mx(name, mailHost.name)
        }
        if let spf { txt(name, spf) }
        if let policy { dmarc(name, policy: policy) }
    }

    /// The key of `domain` under `selector`, made once and published.
    func signer(_ domain: String, selector: String, _ type: CryptoKeyType) throws -> MixSigner {
        let name = "\(selector)._domainkey.\(domain)"
        if let known = signers[name] { return known }
        let key = try MixKeys.generate(type, path: "\(keyDirectory)/\(selector).\(domain).pem")
        let record = try key.keyRecord()
        txt(name, record)
        resolver.add(name, .txt(record))
        let signer = MixSigner(domain: domain, selector: selector, key: key)
        signers[name] = signer
        return signer
    }

    /// unbound's `server:` lines for the zones and records.
    func unboundLines() throws -> [String] {
        try ZoneRecord.unboundLines(zones: Self.zones, records: records)
    }
}

/// A domain's signing key and selector.
struct MixSigner {
    let domain: String
    let selector: String
    let key: DKIMSigningKey

    var keyType: CryptoKeyType { key.keyType }
}
