import Foundation
import MailAuth

// dkim-bench: DKIM verifications per second of a 10 KB message carrying two
// signatures (RSA-2048 and Ed25519, RFC 8463's dual signing), fed to
// DKIMVerifier as the milter feeds it: header fields in milter form (name,
// value without the space after the colon, folded with LF), the body in
// 64 KB chunks, then finish. The keys come from an in-memory zone, so the
// figure is the verifier's own cost (parsing, canonicalization, hashing,
// the two public-key operations), not DNS latency.
//
//   dkim-bench [--seconds 3] [--data ../shared/conformance/dkim]
//
// Afterwards `openssl speed -seconds 1 rsa2048 ed25519` gives the raw
// verify rates of the same primitives, to show how much of the time per
// message is the signature checks themselves.

var seconds = 3.0
var dataDirectory = "../shared/conformance/dkim"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--seconds", let value = arguments.popFirst().flatMap(Double.init), value > 0 {
        seconds = value
    } else if argument == "--data", let value = arguments.popFirst() {
        dataDirectory = value
    } else {
        print("usage: dkim-bench [--seconds N] [--data DIR]   (DIR holds 2048_testkey.key and ed25519test.key)")
        exit(2)
    }
}

// MARK: Keys

func loadKey(_ file: String, in directory: String) -> DKIMSigningKey {
    let path = (directory as NSString).appendingPathComponent(file)
    let text: String
    do {
        text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
        print("dkim-bench: cannot read \(path): \(error.localizedDescription) (use --data DIR)")
        exit(2)
    }
    do {
        return try DKIMSigningKey(text: text)
    } catch {
        print("dkim-bench: \(path): \(error)")
        exit(2)
    }
}

let rsaKey = loadKey("2048_testkey.key", in: dataDirectory)
let ed25519Key = loadKey("ed25519test.key", in: dataDirectory)
guard rsaKey.keyType == .rsa, rsaKey.privateKey.bits == 2048, ed25519Key.keyType == .ed25519 else {
    print("dkim-bench: expected an RSA-2048 key and an Ed25519 key, got \(rsaKey.keyType) \(rsaKey.privateKey.bits) "
          + "and \(ed25519Key.keyType)")
    exit(2)
}

// MARK: The message

let domain = "example.com"
let rsaSelector = "rsa2048"
let ed25519Selector = "ed25519"

/// One header field as the milter delivers it: name, and value without the
/// leading space, continuation lines ending in LF.
struct MilterField {
    var name: [UInt8]
    var value: [UInt8]

    init(_ name: String, _ value: String) {
        self.name = Array(name.utf8)
        self.value = Array(value.utf8)
    }
}

var fields: [MilterField] = [
    MilterField("Received", "from mail.sender.example (mail.sender.example [192.0.2.25])\n\tby mx.example.net (Postfix) with ESMTPS id 4Xyz1234AbCd\n\tfor <bob@example.net>; Wed, 25 Nov 2026 14:00:00 +0000 (UTC)"),
    MilterField("From", "Alice Example <alice@example.com>"),
    MilterField("To", "Bob Example <bob@example.net>"),
    MilterField("Cc", "carol@example.org"),
    MilterField("Subject", "Quarterly figures, draft 3 (please review before Friday)"),
    MilterField("Date", "Wed, 25 Nov 2026 14:00:00 +0000"),
    MilterField("Message-ID", "<20261125140000.4711@mail.sender.example>"),
    MilterField("MIME-Version", "1.0"),
    MilterField("Content-Type", "text/plain; charset=utf-8"),
    MilterField("Content-Transfer-Encoding", "8bit"),
]

func headerSize(_ fields: [MilterField]) -> Int {
    // "Name: value\r\n", with each LF in the value becoming CRLF on the wire.
    fields.reduce(2) { $0 + $1.name.count + 2 + $1.value.count + $1.value.filter { $0 == 0x0A }.count + 2 }
}

/// Body lines (CRLF, as the MTA sends it) until the unsigned message is
/// exactly `total` bytes.
func makeBody(total: Int, headerBytes: Int) -> [UInt8] {
    let words = ["the", "quarterly", "figures", "are", "attached", "below", "revenue", "grew", "by", "four",
                 "percent", "while", "costs", "stayed", "flat", "see", "table", "and", "notes", "for", "details"]
    var body: [UInt8] = []
    var line: [UInt8] = []
    var index = 0
    let target = total - headerBytes
    while body.count < target {
        let word = Array(words[(index * 7 + index / 5) % words.count].utf8)
        index += 1
        if line.count + word.count + 1 > 72 {
            body += line + [0x0D, 0x0A]
            line = []
            if index % 23 == 0 { body += [0x0D, 0x0A] }  // paragraphs
        }
        if !line.isEmpty { line.append(0x20) }
        line += word
    }
    body.removeLast(body.count - target)
    if target >= 2 {
        body[target - 2] = 0x0D
        body[target - 1] = 0x0A
    }
    return body
}

let messageSize = 10 * 1024
let body = makeBody(total: messageSize, headerBytes: headerSize(fields))

func sign(_ key: DKIMSigningKey, domain: String, selector: String, fields: [MilterField],
          body: [UInt8]) -> DKIMSignatureOutput {
    do {
        let signer = try DKIMSigner(key: key, options: DKIMSignerOptions(domain: domain, selector: selector))
        for field in fields { signer.header(name: field.name, value: field.value) }
        signer.endOfHeaders()
        signer.body(body)
        return try signer.finish()
    } catch {
        print("dkim-bench: signing with \(selector) failed: \(error)")
        exit(1)
    }
}

// Both sign the unsigned message; the milter inserts each at the top.
let rsaSignature = sign(rsaKey, domain: domain, selector: rsaSelector, fields: fields, body: body)
let ed25519Signature = sign(ed25519Key, domain: domain, selector: ed25519Selector, fields: fields, body: body)
let unsignedSize = headerSize(fields) + body.count
fields.insert(MilterField(DKIMSignatureOutput.name, rsaSignature.value(lineEnding: "\n")), at: 0)
fields.insert(MilterField(DKIMSignatureOutput.name, ed25519Signature.value(lineEnding: "\n")), at: 0)
let signedSize = headerSize(fields) + body.count

// MARK: The zone

/// A key record as one TXT record of strings of at most 255 bytes.
func txtRecord(_ text: String) -> DNSRecord {
    let bytes = Array(text.utf8)
    return .txt(stride(from: 0, to: bytes.count, by: 255).map { Array(bytes[$0..<min($0 + 255, bytes.count)]) })
}

var zone = InMemoryDNSResolver()
do {
    zone.add("\(rsaSelector)._domainkey.\(domain)", txtRecord(try rsaKey.keyRecord()))
    zone.add("\(ed25519Selector)._domainkey.\(domain)", txtRecord(try ed25519Key.keyRecord()))
} catch {
    print("dkim-bench: cannot export a public key: \(error)")
    exit(1)
}

// MARK: Verifying

/// One message through a fresh verifier, as the DKIM handler runs it.
/// Returns nil when both signatures pass, else what went wrong.
func verifyOnce(fields: [MilterField], body: [UInt8], resolver: InMemoryDNSResolver) -> String? {
    let verifier = DKIMVerifier(resolver: resolver)
    for field in fields { verifier.header(name: field.name, value: field.value) }
    verifier.endOfHeaders()
    if verifier.needsBody {
        var offset = 0
        while offset < body.count {
            let end = min(offset + 65536, body.count)
            verifier.body(body[offset..<end])
            offset = end
        }
    }
    let results = verifier.finish()
    if results.count == 2 && results.allSatisfy({ $0.result == .pass }) { return nil }
    return "\(results.count) results: " + results.map { "\($0.selector ?? "?"): \($0.detail)" }.joined(separator: ", ")
}

func elapsedSeconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

if let problem = verifyOnce(fields: fields, body: body, resolver: zone) {
    print("dkim-bench: verification did not pass: \(problem)")
    exit(1)
}

/// Messages verified per second for `seconds`; exits on any result other
/// than two passes.
func measure(seconds: Double, fields: [MilterField], body: [UInt8], resolver: InMemoryDNSResolver)
    -> (rate: Double, messages: Int, elapsed: Double) {
    let clock = ContinuousClock()
    let budget = Duration.milliseconds(Int64(seconds * 1000))
    var messages = 0
    let start = clock.now
    while clock.now - start < budget {
        for _ in 0..<16 {
            if let problem = verifyOnce(fields: fields, body: body, resolver: resolver) {
                print("dkim-bench: verification \(messages + 1) did not pass: \(problem)")
                exit(1)
            }
            messages += 1
        }
    }
    let elapsed = elapsedSeconds(clock.now - start)
    return (Double(messages) / elapsed, messages, elapsed)
}

func fixed(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}

// A short warm-up (page faults, OpenSSL's lazy provider loading, caches).
_ = measure(seconds: min(0.2, seconds), fields: fields, body: body, resolver: zone)
let run = measure(seconds: seconds, fields: fields, body: body, resolver: zone)
let microsecondsPerMessage = 1e6 / run.rate
print("dkim-bench: \(unsignedSize)-byte message (\(signedSize) bytes signed), rsa-sha256 (2048) + ed25519-sha256, "
      + "relaxed/relaxed, body in 64 KB chunks")
print("dkim-bench: \(fixed(run.rate, 1)) verifications/s (both signatures pass), \(fixed(microsecondsPerMessage, 2)) µs "
      + "per message (\(run.messages) in \(fixed(run.elapsed, 3)) s)")

// MARK: openssl speed

/// The first executable `name` on PATH.
func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    for directory in path.split(separator: ":") where !directory.isEmpty {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// verify/s for RSA-2048 and Ed25519 from `openssl speed`, or why not.
func opensslSpeed() -> Result<(rsa: Double, ed25519: Double, version: String), OpenSSLSpeedError> {
    guard let openssl = findExecutable("openssl") else { return .failure(OpenSSLSpeedError("openssl not found on PATH")) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: openssl)
    process.arguments = ["speed", "-seconds", "1", "rsa2048", "ed25519"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do {
        try process.run()
    } catch {
        return .failure(OpenSSLSpeedError("cannot run \(openssl): \(error.localizedDescription)"))
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        return .failure(OpenSSLSpeedError("\(openssl) speed exited with status \(process.terminationStatus)"))
    }
    // "rsa 2048 bits 0.000209s 0.000013s   4794.0  79762.0"
    // " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  44685.0  16395.0"
    var rsa: Double? = nil
    var ed25519: Double? = nil
    var version = "openssl"
    for line in text.split(separator: "\n") {
        let columns = line.split(separator: " ")
        if line.hasPrefix("version:") { version = "OpenSSL " + columns.dropFirst().joined(separator: " ") }
        guard let last = columns.last.flatMap({ Double($0) }) else { continue }
        if line.hasPrefix("rsa 2048 bits") { rsa = last }
        if line.contains("(Ed25519)") { ed25519 = last }
    }
    guard let rsa, let ed25519, rsa > 0, ed25519 > 0 else {
        return .failure(OpenSSLSpeedError("no rsa 2048 / Ed25519 verify/s figures in openssl speed's output"))
    }
    return .success((rsa, ed25519, version))
}

struct OpenSSLSpeedError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

switch opensslSpeed() {
case .success(let speed):
    let rsaMicroseconds = 1e6 / speed.rsa
    let ed25519Microseconds = 1e6 / speed.ed25519
    let raw = rsaMicroseconds + ed25519Microseconds
    print("openssl speed (\(speed.version)): rsa 2048 \(fixed(speed.rsa, 1)) verify/s (\(fixed(rsaMicroseconds, 2)) µs), "
          + "ed25519 \(fixed(speed.ed25519, 1)) verify/s (\(fixed(ed25519Microseconds, 2)) µs)")
    print("dkim-bench: \(fixed(run.rate, 1)) messages/s = \(fixed(microsecondsPerMessage, 2)) µs per message, "
          + "of which the two raw verifications take \(fixed(raw, 2)) µs: \(fixed(100 * raw / microsecondsPerMessage, 1))% "
          + "(the rest, \(fixed(microsecondsPerMessage - raw, 2)) µs, is parsing, canonicalization, hashing, key loading)")
case .failure(let error):
    print("openssl speed: not run: \(error.message); only dkim-bench's own figures above")
}
exit(0)
