import Config
import MailAuth

/// What DKIMSign and ARC both check of a configured private key: that the
/// file can be read (once, before the sandbox), that an RSA key is long
/// enough (RFC 8301), and that a requested algorithm fits the key.
enum SigningKeyRules {
    static let minimumRSABits = 1024

    /// Reads a key file's text; errors name `node` (the key_file entry).
    static func readKeyFile(_ path: String, node: ConfigNode, describing name: String) throws(ConfigurationError) -> String {
        do {
            return String(decoding: try DKIMSignKeyFile.read(path), as: UTF8.self)
        } catch {
            throw node.error(.fileUnreadable, "cannot read \(name) from \(path): \(error.reason)")
        }
    }

    static func checkStrength(_ key: DKIMSigningKey, node: ConfigNode, describing name: String) throws(ConfigurationError) {
        if key.keyType == .rsa && key.privateKey.bits < minimumRSABits {
            throw node.error("\(name) is an RSA key of \(key.privateKey.bits) bits; RFC 8301 asks for at least \(minimumRSABits)")
        }
    }

    /// The algorithm asked for in `node` (nil: the key's own), refusing
    /// rsa-sha1 and a mismatch with the key. `purpose` is "signing" or
    /// "sealing", for the message.
    static func algorithm(_ wanted: String?, node: ConfigNode, key: DKIMSigningKey, describing name: String,
                          purpose: String) throws(ConfigurationError) -> DKIMAlgorithm {
        guard let wanted else { return key.defaultAlgorithm }
        guard let algorithm = DKIMAlgorithm(tagValue: wanted.lowercased()), algorithm != .rsaSHA1 else {
            throw node.error("unsupported \(purpose) algorithm \(wanted) (rsa-sha256 or ed25519-sha256)")
        }
        guard algorithm.keyType == key.keyType else {
            throw node.error("\(wanted) needs an \(algorithm.keyType == .rsa ? "RSA" : "Ed25519") key, "
                             + "but \(name) is \(key.keyType == .rsa ? "an RSA" : "an Ed25519") key")
        }
        return algorithm
    }
}
