import Foundation
import MailAuth

/// The mix's private keys, made at generation time by `openssl genpkey`
/// and kept as PEM files under `<mix>/keys`.
///
/// `openssl` rather than OpenSSL's C API: generating an RSA key needs
/// `EVP_PKEY_CTX_set_rsa_keygen_bits` from `<openssl/rsa.h>`, which our
/// COpenSSL module (the daemon's) does not import, and the bench should
/// not widen the daemon's C module; the script needs the `openssl` binary
/// anyway (`openssl speed` in the same run). The PEM files are loaded
/// through `DKIMSigningKey(pem:)`, the path a signing configuration takes.
enum MixKeys {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func generate(_ type: CryptoKeyType, path: String) throws -> DKIMSigningKey {
        let arguments: [String] = switch type {
        case .rsa: ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path]
        case .ed25519: ["genpkey", "-algorithm", "ED25519", "-out", path]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "openssl genpkey (\(type.rawValue)) failed; is /usr/bin/openssl there?")
        }
        return try DKIMSigningKey(pem: text)
    }
}
