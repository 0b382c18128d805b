import MailAuth
import TestSupport
import Testing

/// The OpenSSL wrappers against published vectors: RFC 4648 (base64),
/// FIPS 180 examples (SHA), RFC 8032 section 7.1 (Ed25519), and RSA round
/// trips with dkimpy's test keys.
@Suite struct CryptoTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    // MARK: Base64

    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func base64RFC4648Vectors(plain: String, encoded: String) {
        #expect(CryptoBase64.encode(Array(plain.utf8)) == encoded)
        #expect(CryptoBase64.decode(Array(encoded.utf8)) == Array(plain.utf8))
    }

    @Test func base64DecodingIsDKIMLenient() {
        // Folding whitespace anywhere, padding optional.
        #expect(CryptoBase64.decode(Array("Zm9v\r\n\tYmE =".utf8)) == Array("fooba".utf8))
        #expect(CryptoBase64.decode(Array("Zm9vYmE".utf8)) == Array("fooba".utf8))
        #expect(CryptoBase64.decode(Array("Zg".utf8)) == Array("f".utf8))
    }

    @Test(arguments: ["Zm9v!", "Z", "Zm9vY", "Zg===", "Zg=a", "=Zg", "Zm9v=", "Zg=", "\u{e9}"])
    func base64RejectsGarbage(text: String) {
        #expect(CryptoBase64.decode(Array(text.utf8)) == nil)
    }

    @Test func base64RoundTripsEveryLength() {
        var generator = SplitMix64(seed: 7)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            #expect(CryptoBase64.decode(Array(CryptoBase64.encode(bytes).utf8)) == bytes)
        }
    }

    // MARK: Digests

    @Test func shaVectors() throws {
        let abc = Array("abc".utf8)
        #expect(Self.hex(try #require(CryptoDigest.digest(.sha1, abc))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Self.hex(try #require(CryptoDigest.digest(.sha256, abc)))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex(try #require(CryptoDigest.digest(.sha256, [])))
                == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func streamingEqualsOneShot() throws {
        let text = Array(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 100).utf8)
        for hash in CryptoHash.allCases {
            let digest = try #require(CryptoDigest(hash))
            var index = 0
            var step = 1
            while index < text.count {
                let end = min(index + step, text.count)
                digest.update(text[index..<end])
                index = end
                step = step * 3 % 17 + 1
            }
            let streamed = digest.finalize()
            #expect(streamed == CryptoDigest.digest(hash, text))
            #expect(streamed.count == hash.length)
            #expect(digest.finalize().isEmpty)
        }
    }

    // MARK: Ed25519 (RFC 8032 section 7.1)

    static let test1Seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
    static let test1Public = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    static let test1Signature = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"

    @Test func ed25519RFC8032Test1() throws {
        let key = try CryptoPrivateKey.ed25519(seed: Self.bytes(hex: Self.test1Seed))
        #expect(key.type == .ed25519)
        let publicKey = try key.publicKey()
        #expect(Self.hex(publicKey.dkimPublicKeyData) == Self.test1Public)
        #expect(publicKey.bits == 256)
        let signature = try key.signEd25519(message: [])
        #expect(Self.hex(signature) == Self.test1Signature)
        #expect(publicKey.verifyEd25519(signature: signature, message: []))
        var forged = signature
        forged[10] ^= 1
        #expect(!publicKey.verifyEd25519(signature: forged, message: []))
        #expect(!publicKey.verifyEd25519(signature: signature, message: [0]))
        #expect(!publicKey.verifyEd25519(signature: Array(signature.prefix(63)), message: []))
    }

    @Test func ed25519FromRawPublicKey() throws {
        let publicKey = try CryptoPublicKey.ed25519(raw: Self.bytes(hex: Self.test1Public))
        #expect(publicKey.verifyEd25519(signature: Self.bytes(hex: Self.test1Signature), message: []))
        #expect(throws: CryptoError.self) { try CryptoPublicKey.ed25519(raw: [1, 2, 3]) }
        #expect(throws: CryptoError.self) { try CryptoPrivateKey.ed25519(seed: [1, 2, 3]) }
    }

    // MARK: RSA

    @Test func rsaSignAndVerify() throws {
        let key = try CryptoPrivateKey.pem(DKIMTestData.text("test.private"))
        #expect(key.type == .rsa)
        #expect(key.bits == 1024)
        let publicKey = try key.publicKey()
        for hash in CryptoHash.allCases {
            let digest = try #require(CryptoDigest.digest(hash, Array("header data".utf8)))
            let signature = try key.signRSA(digest: digest, hash: hash)
            #expect(signature.count == 128)
            #expect(publicKey.verifyRSA(signature: signature, digest: digest, hash: hash) == .valid)
            // The signature opens to a DigestInfo for another digest:
            // Mail::DKIM's "message has been altered".
            let other = try #require(CryptoDigest.digest(hash, Array("other data".utf8)))
            #expect(publicKey.verifyRSA(signature: signature, digest: other, hash: hash) == .digestMismatch)
            // Garbage does not open at all: "bad RSA signature".
            var forged = signature
            forged[5] ^= 0x40
            #expect(publicKey.verifyRSA(signature: forged, digest: digest, hash: hash) == .badSignature)
            #expect(publicKey.verifyRSA(signature: [], digest: digest, hash: hash) == .badSignature)
            #expect(publicKey.verifyRSA(signature: signature, digest: Array(digest.dropLast()), hash: hash) == .badSignature)
        }
        // A SHA-1 signature checked as SHA-256 has the wrong DigestInfo.
        let digest1 = try #require(CryptoDigest.digest(.sha1, Array("x".utf8)))
        let signature1 = try key.signRSA(digest: digest1, hash: .sha1)
        let digest256 = try #require(CryptoDigest.digest(.sha256, Array("x".utf8)))
        #expect(publicKey.verifyRSA(signature: signature1, digest: digest256, hash: .sha256) == .badSignature)
    }

    @Test func rsaPublicKeyFromDKIMRecordData() throws {
        let record = try DKIMTestData.record("test.txt")
        let p = String(record[record.range(of: "p=")!.upperBound...])
        let der = try #require(CryptoBase64.decode(Array(p.utf8)))
        let publicKey = try CryptoPublicKey.rsa(der: der)
        #expect(publicKey.bits == 1024)
        #expect(publicKey.dkimPublicKeyData == der)
        let key = try CryptoPrivateKey.pem(DKIMTestData.text("test.private"))
        #expect(try key.publicKey().dkimPublicKeyData == der)
    }

    @Test func keysOfTheWrongKindAreRefused() throws {
        // An Ed25519 SubjectPublicKeyInfo is not an RSA key.
        let ed25519SPKI = Self.bytes(hex: "302a300506032b6570032100" + Self.test1Public)
        #expect(throws: CryptoError.self) { try CryptoPublicKey.rsa(der: ed25519SPKI) }
        #expect(throws: CryptoError.self) { try CryptoPublicKey.rsa(der: []) }
        #expect(throws: CryptoError.self) { try CryptoPublicKey.rsa(der: [0x30, 0x03, 0x02, 0x01, 0x01]) }
        #expect(throws: CryptoError.self) { try CryptoPrivateKey.pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n") }
        #expect(throws: CryptoError.self) { try CryptoPrivateKey.pem("") }
        let rsa = try CryptoPrivateKey.pem(DKIMTestData.text("test.private"))
        #expect(throws: CryptoError.self) { try rsa.signEd25519(message: []) }
        let ed = try CryptoPrivateKey.ed25519(seed: Self.bytes(hex: Self.test1Seed))
        #expect(throws: CryptoError.self) { try ed.signRSA(digest: [UInt8](repeating: 0, count: 32), hash: .sha256) }
    }

    @Test func randomBytesNeverTrapKeyLoading() {
        var generator = SplitMix64(seed: 42)
        for length in [0, 1, 2, 16, 32, 33, 64, 140, 300] {
            for _ in 0..<50 {
                var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                if length > 2 { bytes[0] = 0x30 }   // look like DER, to get deeper
                _ = try? CryptoPublicKey.rsa(der: bytes)
                _ = try? CryptoPublicKey.ed25519(raw: bytes)
                _ = try? CryptoPrivateKey.pem(bytes)
            }
        }
    }

    @Test func warmUpSucceeds() {
        #expect(CryptoWarmUp.run())
    }
}

/// A small deterministic generator (SplitMix64) for the fuzz-style tests:
/// the same seed gives the same bytes on every run and platform.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
