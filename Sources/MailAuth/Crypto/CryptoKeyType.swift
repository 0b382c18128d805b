/// The public-key algorithms DKIM knows (RFC 6376 `k=rsa`, RFC 8463
/// `k=ed25519`). Raw values are the `k=` tag values.
public enum CryptoKeyType: String, Sendable, Hashable {
    case rsa
    case ed25519
}
