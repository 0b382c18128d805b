import Foundation
import MailAuth

// arc-bench: ARC verify + seal per second for a message that arrives with a
// 3-hop chain (three ARC sets by three forwarders), as our ARC handler
// handles it: verify the chain (3 AS + the newest AMS), then add set 4.
//
//   arc-bench [--seconds 3] [--data ../shared/conformance/dkim]
//
// Keys: the RSA-2048 test key of the dkimpy vectors for every hop, published
// in an in-memory zone under three domains.

var seconds = 3.0
var dataDirectory = "../shared/conformance/dkim"
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    if argument == "--seconds", let value = arguments.first.flatMap(Double.init), value > 0 {
        seconds = value
        arguments.removeFirst()
    } else if argument == "--data", let value = arguments.first {
        dataDirectory = value
        arguments.removeFirst()
    } else {
        print("usage: arc-bench [--seconds N] [--data DIR]")
        exit(2)
    }
}

let keyPath = (dataDirectory as NSString).appendingPathComponent("2048_testkey.key")
guard let keyText = try? String(contentsOfFile: keyPath, encoding: .utf8), let key = try? DKIMSigningKey(text: keyText) else {
    print("arc-bench: cannot load \(keyPath) (use --data DIR)")
    exit(2)
}
guard let record = try? key.keyRecord() else {
    print("arc-bench: cannot build the key record")
    exit(2)
}

let hops = ["hop1.example", "hop2.example", "hop3.example"]
let zone: InMemoryDNSResolver = {
    var zone = InMemoryDNSResolver()
    for domain in hops + ["us.example"] { zone.add("arc._domainkey.\(domain)", .txt(record)) }
    return zone
}()

// A 10 KB message, then three hops each verifying and sealing.
var body = ""
while body.utf8.count < 10_000 { body += "A line of the forwarded message body, long enough to be realistic.\r\n" }
var message = Array(("From: Alice <alice@origin.example>\r\nTo: list@hop1.example\r\nSubject: forwarded three times\r\n"
    + "Date: Wed, 25 Nov 2026 14:00:00 +0000\r\nMessage-ID: <arc-bench@origin.example>\r\n\r\n" + body).utf8)

func sealOnce(_ message: [UInt8], domain: String) -> [UInt8]? {
    let verification = ARCVerifier.verify(message: message, resolver: zone)
    let options = ARCSealerOptions(domain: domain, selector: "arc")
    guard let output = try? ARCSealer.seal(message: message, key: key, options: options, verification: verification,
                                           authservID: "mx.\(domain)", results: "spf=pass smtp.mailfrom=origin.example") else {
        return nil
    }
    return output.headerBytes + message
}

for hop in hops {
    guard let sealed = sealOnce(message, domain: hop) else {
        print("arc-bench: sealing hop \(hop) failed")
        exit(1)
    }
    message = sealed
}
let arrived = ARCVerifier.verify(message: message, resolver: zone)
guard arrived.status == .pass, arrived.instanceCount == 3 else {
    print("arc-bench: the 3-hop chain does not verify: \(arrived.status) \(arrived.reason ?? "")")
    exit(1)
}

// Warm up, then measure verify + seal of hop 4.
let warmUpEnd = Date().addingTimeInterval(0.2)
while Date() < warmUpEnd { _ = sealOnce(message, domain: "us.example") }
var count = 0
let start = Date()
let end = start.addingTimeInterval(seconds)
while Date() < end {
    guard let sealed = sealOnce(message, domain: "us.example") else {
        print("arc-bench: sealing failed during the run")
        exit(1)
    }
    count += 1
    if count == 1 {
        let check = ARCVerifier.verify(message: sealed, resolver: zone)
        guard check.status == .pass, check.instanceCount == 4 else {
            print("arc-bench: our seal does not verify: \(check.status)")
            exit(1)
        }
    }
}
let elapsed = Date().timeIntervalSince(start)
let rate = Double(count) / elapsed
print("arc-bench: \(message.count)-byte message with a 3-hop ARC chain (rsa-sha256, 2048-bit keys)")
print(String(format: "arc-bench: %.1f verify+seal/s (%.1f µs each, %d in %.3f s); every result checked",
             rate, 1e6 / rate, count, elapsed))
