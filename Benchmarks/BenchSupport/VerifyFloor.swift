/// The public-key floor of a mix: the signature verifications its messages
/// need on average, priced at what `openssl speed` measured in the same
/// run. No milter can verify the mix for less CPU than this.
public struct VerifyFloor: Sendable, Hashable {
    /// Verifications in the whole mix, and its size.
    public let rsa2048Verifications: Int
    public let ed25519Verifications: Int
    public let messages: Int

    public init(rsa2048Verifications: Int, ed25519Verifications: Int, messages: Int) {
        (self.rsa2048Verifications, self.ed25519Verifications, self.messages) = (rsa2048Verifications, ed25519Verifications, max(1, messages))
    }

    public var rsa2048PerMessage: Double { Double(rsa2048Verifications) / Double(messages) }
    public var ed25519PerMessage: Double { Double(ed25519Verifications) / Double(messages) }

    /// `openssl speed` figures: verifications a second per key type.
    public struct Speed: Sendable, Hashable {
        public let rsa2048VerifyPerSecond: Double
        public let ed25519VerifyPerSecond: Double

        /// From the output of `openssl speed rsa2048 ed25519`: the last
        /// number (verify/s) of the `rsa 2048 bits` and `(Ed25519)` lines.
        public static func parse(_ output: String) -> Speed? {
            var rsa: Double?
            var ed: Double?
            for line in output.split(separator: "\n") {
                let last = line.split(separator: " ").last.flatMap { Double($0) }
                if line.hasPrefix("rsa 2048 bits") { rsa = last }
                if line.contains("(Ed25519)") { ed = last }
            }
            guard let rsa, let ed, rsa > 0, ed > 0 else { return nil }
            return Speed(rsa2048VerifyPerSecond: rsa, ed25519VerifyPerSecond: ed)
        }
    }

    /// CPU seconds per 1,000 messages spent in verification alone.
    public func cpuSecondsPer1000(at speed: Speed) -> Double {
        1000 * (rsa2048PerMessage / speed.rsa2048VerifyPerSecond + ed25519PerMessage / speed.ed25519VerifyPerSecond)
    }

    /// The lines of `<mix>/summary` that hold the counts.
    public var summaryLines: [String] {
        ["rsa2048_verifications=\(rsa2048Verifications)", "ed25519_verifications=\(ed25519Verifications)",
         "rsa2048_verifications_per_message=\(rsa2048PerMessage)", "ed25519_verifications_per_message=\(ed25519PerMessage)"]
    }

    /// From `<mix>/summary` (the counts and `messages=`).
    public static func parse(summary text: String) -> VerifyFloor? {
        var values: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let pair = line.split(separator: "=", maxSplits: 1)
            if pair.count == 2, let value = Int(pair[1]) { values[String(pair[0])] = value }
        }
        guard let rsa = values["rsa2048_verifications"], let ed = values["ed25519_verifications"], let messages = values["messages"] else {
            return nil
        }
        return VerifyFloor(rsa2048Verifications: rsa, ed25519Verifications: ed, messages: messages)
    }
}
