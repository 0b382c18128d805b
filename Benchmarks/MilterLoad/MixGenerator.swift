import BenchSupport
import Foundation
import MailAuth

/// `--generate-mix DIR`: makes the keys, the messages and the zone of a mix
/// and writes them to DIR:
///
/// - `messages`: the mix (`MixFile`);
/// - `unbound-zone.conf`: `server:` lines for unbound (the static zones,
///   their SOAs, DKIM keys, SPF, DMARC, A, MX and PTR records);
/// - `keys/`: the private keys (PEM);
/// - `summary`: the message count, the kinds, and the signature
///   verifications a message needs on average (`VerifyFloor`).
///
/// Each message is checked as it is made: its DKIM signatures and ARC
/// chain, verified against the mix's own keys, give what the mix says
/// they give, so a mismatch the milters report later is theirs.
struct MixGenerator {
    let options: BenchOptions

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Every message alike (`--dkim-signatures`/`--arc-hops` given).
    var uniform: Bool { options.dkimSignatures != nil || options.arcHops != nil }

    func write(to directory: String) throws {
        let keys = directory + "/keys"
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        let world = MixWorld(keyDirectory: keys)
        let recipes: [MixRecipe] = uniform
            ? try UniformMix(world: world, bodyBytes: options.bodyBytes, signatures: options.dkimSignatures ?? 1,
                             hops: options.arcHops ?? 0).recipes
            : try DefaultMix(world: world, bodyBytes: options.bodyBytes).recipes()
        var messages: [MixMessage] = []
        var rsaVerifies = 0
        var edVerifies = 0
        for (n, recipe) in MixRecipe.schedule(recipes, count: options.mixSize).enumerated() {
            let message = try recipe.make(n)
            let (rsa, ed) = try check(message, resolver: world.resolver)
            rsaVerifies += rsa
            edVerifies += ed
            messages.append(message)
        }
        let floor = VerifyFloor(rsa2048Verifications: rsaVerifies, ed25519Verifications: edVerifies, messages: messages.count)
        try Data(MixFile.encode(messages)).write(to: URL(fileURLWithPath: directory + "/messages"))
        let zone = try world.unboundLines().map { "    " + $0 }.joined(separator: "\n") + "\n"
        try zone.write(toFile: directory + "/unbound-zone.conf", atomically: true, encoding: .utf8)
        var counts: [String: Int] = [:]
        for message in messages { counts[message.kind, default: 0] += 1 }
        let kinds = recipes.map(\.kind).filter { counts[$0] != nil }.map { "\($0):\(counts[$0]!)" }
        let bytes = messages.reduce(0) { $0 + $1.raw.count } / messages.count
        let summary = ["messages=\(messages.count)", "average_bytes=\(bytes)", "kinds=\(kinds.joined(separator: ","))"]
            + floor.summaryLines
        try (summary.joined(separator: "\n") + "\n").write(toFile: directory + "/summary", atomically: true, encoding: .utf8)
        print("mix: \(messages.count) messages of \(bytes) bytes on average in \(directory)/messages")
        print("kinds: \(kinds.joined(separator: ", "))")
        print("zone: \(world.records.count) records in \(directory)/unbound-zone.conf")
        print("verifications per message: \(ResultTable.fixed(floor.rsa2048PerMessage, 2)) RSA-2048, "
              + "\(ResultTable.fixed(floor.ed25519PerMessage, 2)) Ed25519")
    }

    /// Verifies `message` against the mix's keys: its DKIM results and ARC
    /// chain must be what it expects. Returns the RSA and Ed25519
    /// verifications a verifier has to do (a signature over an altered
    /// body fails on the body hash, with no public-key operation; an ARC
    /// chain of n sets takes n seals and the newest message signature).
    func check(_ message: MixMessage, resolver: InMemoryDNSResolver) throws -> (rsa: Int, ed25519: Int) {
        let dkim = DKIMVerifier.verify(message: message.raw, resolver: resolver)
        let got = dkim.isEmpty ? ["none"] : dkim.map(\.result.rawValue).sorted()
        guard got == message.expected["dkim"] ?? ["none"] else {
            throw Failure(description: "\(message.kind): DKIM gives \(got), the mix means \(message.expected["dkim"] ?? [])")
        }
        let arc = ARCVerifier.verify(message: message.raw, resolver: resolver)
        guard arc.status.rawValue == message.expected["arc"]?.first ?? "none" else {
            throw Failure(description: "\(message.kind): ARC gives \(arc.status) \(arc.reason ?? ""), the mix means \(message.expected["arc"] ?? [])")
        }
        let passed = dkim.filter { $0.result == .pass }
        let rsa = passed.filter { $0.keyType == "rsa" }.count + (arc.status == .pass ? arc.instanceCount + 1 : 0)
        return (rsa, passed.filter { $0.keyType == "ed25519" }.count)
    }
}
