import DMARCReports
import MailAuth
import Foundation
import TestSupport
import Testing

/// Deterministic pseudo-random bytes (xorshift64*), so failures repeat.
private func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    return (0..<count).map { _ in
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return UInt8(truncatingIfNeeded: (state &* 0x2545_F491_4F6C_DD1D) >> 56)
    }
}

/// Runs a program; returns its exit status and standard output.
private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: Data) {
    let run = try ExternalCommand.run([executable] + arguments, separateErrors: true)
    return (run.status, run.outputBytes)
}

/// A fresh file path under the temporary directory; the caller removes it.
private func temporaryPath(_ suffix: String) -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("authmilter-gzip-\(getpid())-\(UInt32.random(in: 0...UInt32.max))\(suffix)").path
}

@Suite struct GzipTests {
    /// Inputs by name, so a failure names the case rather than printing bytes.
    static let inputs: [String: [UInt8]] = [
        "empty": [],
        "tiny": Array("<feedback/>".utf8),
        "repetitive": Array(String(repeating: "<record><count>1</count></record>\n", count: 5000).utf8),
        "random": pseudoRandomBytes(count: 300_000, seed: 42),
    ]

    @Test(arguments: ["empty", "tiny", "repetitive", "random"])
    func roundTrips(name: String) throws {
        let input = try #require(Self.inputs[name])
        let compressed = Gzip.compress(input)
        // RFC 1952 member header: ID1 ID2, CM = 8 (deflate).
        #expect(Array(compressed.prefix(3)) == [0x1F, 0x8B, 0x08])
        #expect(try Gzip.decompress(compressed, limit: input.count) == input)
    }

    @Test func compressesRepetitiveText() {
        let input = Array(String(repeating: "<record><count>1</count></record>\n", count: 5000).utf8)
        #expect(Gzip.compress(input).count < input.count / 20)
    }

    @Test func gzipToolAcceptsOurOutputAndWeReadItsOutput() throws {
        let input = Array(String(repeating: "report ", count: 10_000).utf8) + pseudoRandomBytes(count: 10_000, seed: 7)
        let path = temporaryPath(".gz")
        defer { unlink(path) }
        try Data(Gzip.compress(input)).write(to: URL(fileURLWithPath: path))

        #expect(try run("/bin/gzip", ["-t", path]).status == 0, "gzip -t must accept our stream")
        let decompressed = try run("/bin/gzip", ["-dc", path])
        #expect(decompressed.status == 0)
        #expect(Array(decompressed.output) == input)

        // And the other way: what the gzip tool writes, we read.
        let plainPath = temporaryPath(".txt")
        defer { unlink(plainPath) }
        try Data(input).write(to: URL(fileURLWithPath: plainPath))
        let theirs = try run("/bin/gzip", ["-9cn", plainPath])
        #expect(theirs.status == 0)
        #expect(try Gzip.decompress(Array(theirs.output), limit: 1 << 20) == input)
    }

    @Test func concatenatedMembersDecompressToTheConcatenation() throws {
        let first = Array("first member\n".utf8)
        let second = Array("second member\n".utf8)
        let joined = Gzip.compress(first) + Gzip.compress(second)
        #expect(try Gzip.decompress(joined, limit: 100) == first + second)
    }

    @Test func outputOverTheLimitIsRefused() throws {
        let input = [UInt8](repeating: 0x41, count: 1_000_000)
        let compressed = Gzip.compress(input)
        #expect(try Gzip.decompress(compressed, limit: input.count) == input)
        #expect(throws: Gzip.Error.self) { try Gzip.decompress(compressed, limit: input.count - 1) }
        #expect(throws: Gzip.Error.self) { try Gzip.decompress(compressed, limit: 0) }
    }

    @Test func damagedInputIsRefused() {
        let input = Array(String(repeating: "aggregate report data ", count: 200).utf8)
        let compressed = Gzip.compress(input)

        var corrupted = compressed
        corrupted[corrupted.count / 2] ^= 0xFF
        var badCRC = compressed
        badCRC[badCRC.count - 6] ^= 0x01
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("not gzip", Array("<?xml version=\"1.0\"?><feedback/>".utf8)),
            ("truncated", Array(compressed.dropLast(10))),
            ("header only", Array(compressed.prefix(10))),
            ("corrupted body", corrupted),
            ("bad CRC", badCRC),
            ("trailing garbage", compressed + Array("garbage".utf8)),
        ]
        for (name, bytes) in cases {
            #expect(throws: Gzip.Error.self, "\(name) must be refused") { try Gzip.decompress(bytes, limit: 1 << 20) }
        }
    }
}
