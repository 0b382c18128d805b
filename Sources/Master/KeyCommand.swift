#if canImport(Glibc)
import Glibc
#endif
import DMARCReports
import MailAuth
import MasterSupport
import SystemIO

/// `authentication_milter genkey` and `testkey` (ours): make a DKIM key
/// with the TXT record to publish, and check that the record in DNS
/// matches a private key by signing a message with it and verifying the
/// signature against DNS, as a receiver would.
enum KeyCommand {
    static func run(_ options: KeyCommandOptions) -> Int32 {
        do {
            switch options.command {
            case .genkey: return try generate(options)
            case .testkey: return try test(options)
            }
        } catch {
            MasterMain.printError("authentication_milter \(options.command.rawValue): \(error)")
            return 1
        }
    }

    static func generate(_ options: KeyCommandOptions) throws -> Int32 {
        let key = try CryptoPrivateKey.generate(options.type == "ed25519" ? .ed25519 : .rsa, bits: options.bits)
        let pem = try key.pkcs8PEM()
        if let path = options.keyFile {
            // A new file only, readable by its owner only; never through a link.
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw SystemIOError(call: "open", path: path, errno: errno) }
            defer { close(fd) }
            _ = try SystemCall.writeAll(fd: fd, bytes: Array(pem.utf8))
            guard fsync(fd) == 0 else { throw SystemIOError(call: "fsync", path: path, errno: errno) }
            MasterMain.printError("private key written to \(path); publish:")
        } else {
            print(pem, terminator: "")
        }
        let record = DKIMKeyRecordText(selector: options.selector, domain: options.domain, type: key.type,
                                       publicKeyData: try key.dkimPublicKeyData())
        print(record.zoneLine)
        return 0
    }

    static func test(_ options: KeyCommandOptions) throws -> Int32 {
        let path = options.keyFile ?? ""
        let text = try BoundedFileReader.read(path, maximumSize: 1 << 20)
        let key = try DKIMSigningKey(text: String(decoding: text, as: UTF8.self))
        let message = Array("""
            From: testkey@\(options.domain)\r
            Subject: authentication_milter testkey\r
            \r
            A message signed to test the published key.\r

            """.utf8)
        let signature = try DKIMSigner.sign(message: message, key: key,
                                            options: DKIMSignerOptions(domain: options.domain, selector: options.selector))
        let signed = Array("\(DKIMSignatureOutput.name): \(signature.value(lineEnding: "\r\n"))\r\n".utf8) + message
        let resolver = try LDNSStubResolver(servers: options.dnsServers)
        let results = DKIMVerifier.verify(message: signed, resolver: resolver)
        let name = "\(options.selector)._domainkey.\(options.domain)"
        guard let result = results.first else {
            MasterMain.printError("key NOT OK: no verification result for \(name)")
            return 1
        }
        guard result.result == .pass else {
            MasterMain.printError("key NOT OK: \(name) does not match \(path): \(result.detail)")
            return 1
        }
        print("key OK: \(name) matches \(path)")
        return 0
    }
}
