import Foundation
import MailAuth

/// A message being made: its header block (CRLF line ends, newest field
/// on top) and body, changed the way senders and forwarders change mail.
struct MixDraft {
    private(set) var header: [UInt8]
    private(set) var body: [UInt8]

    /// A plain message of about `bodyBytes` of text, different for each
    /// `seed`.
    init(from: String, to: String, subject: String, messageID: String, bodyBytes: Int, seed: Int) {
        let fields = [
            "From: \(from)", "To: \(to)", "Subject: \(subject)", "Date: Tue, 02 Dec 2025 10:00:00 +0000",
            "Message-ID: \(messageID)", "MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 7bit",
        ]
        header = Array(fields.map { $0 + "\r\n" }.joined().utf8)
        body = Self.text(bytes: bodyBytes, seed: seed)
    }

    var raw: [UInt8] { header + [0x0D, 0x0A] + body }

    mutating func prepend(_ fieldBytes: [UInt8]) {
        header = fieldBytes + header
    }

    mutating func prepend(field name: String, _ value: String) {
        prepend(Array("\(name): \(value)\r\n".utf8))
    }

    /// What a mailing list does: a tag in the Subject, a footer, a List-Id.
    mutating func listRewrite(list: String) {
        let text = String(decoding: header, as: UTF8.self)
        header = Array(text.replacingFirst("\r\nSubject: ", with: "\r\nSubject: [\(list)] ").utf8)
        prepend(field: "List-Id", "<\(list)>")
        appendToBody("-- \r\nYou are subscribed to \(list). To leave, write to leave@\(list).\r\n")
    }

    mutating func appendToBody(_ text: String) {
        body += Array(text.utf8)
    }

    /// A DKIM-Signature by `signer` (relaxed/relaxed, the signer's default
    /// header list), on top.
    mutating func sign(_ signer: MixSigner) throws {
        let output = try DKIMSigner.sign(message: raw, key: signer.key,
                                         options: DKIMSignerOptions(domain: signer.domain, selector: signer.selector))
        prepend(output.headerBytes)
    }

    /// A forwarder's hop: its Received field, then an ARC Set over the
    /// chain as it validates now (against `resolver`, as the forwarder
    /// would through DNS).
    mutating func seal(by signer: MixSigner, receivedFrom previous: (host: String, address: String), results: String,
                       resolver: InMemoryDNSResolver, id: Int) throws -> ARCChainStatus {
        prepend(field: "Received", "from \(previous.host) (\(previous.host) [\(previous.address)])\r\n"
                + "\tby mx.\(signer.domain) with ESMTPS id \(String(id, radix: 16)); Tue, 02 Dec 2025 10:0\(id % 10):00 +0000")
        let verification = ARCVerifier.verify(message: raw, resolver: resolver)
        let output = try ARCSealer.seal(message: raw, key: signer.key,
                                        options: ARCSealerOptions(domain: signer.domain, selector: signer.selector),
                                        verification: verification, authservID: "mx.\(signer.domain)", results: results)
        prepend(output.headerBytes)
        return output.chainStatus
    }

    /// Lines of words, about `bytes` long in all, CRLF ends.
    static func text(bytes: Int, seed: Int) -> [UInt8] {
        let words = ["the", "quarterly", "report", "attached", "meeting", "agenda", "please", "review", "numbers",
                     "before", "Thursday", "invoice", "shipment", "delayed", "customer", "feedback", "thanks",
                     "regards", "schedule", "update", "project", "budget", "approved", "draft", "final"]
        var state = UInt64(truncatingIfNeeded: seed) &* 6364136223846793005 &+ 1442695040888963407
        var out: [UInt8] = []
        out.reserveCapacity(bytes + 80)
        var line: [UInt8] = []
        while out.count < bytes {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let word = words[Int(state >> 33) % words.count]
            if line.count + word.utf8.count + 1 > 72 {
                out += line + [0x0D, 0x0A]
                line = []
            }
            if !line.isEmpty { line.append(0x20) }
            line += Array(word.utf8)
        }
        if !line.isEmpty { out += line + [0x0D, 0x0A] }
        return out
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
