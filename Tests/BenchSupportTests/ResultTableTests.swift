import Testing

@testable import BenchSupport

/// Round results, their medians and the printed tables.
@Suite struct ResultTableTests {
    @Test func lineRoundTrip() throws {
        let round = RoundResult(label: "full", group: "body", param: 1000, numbers: ["rate": 812.5, "cpu.worker": 0.4, "cpu.total": 0.45])
        #expect(round.line == "label=full\tgroup=body\tparam=1000.0\tcpu.total=0.45\tcpu.worker=0.4\trate=812.5")
        #expect(RoundResult(line: round.line) == round)
        #expect(RoundResult(line: "rate=1") == nil, "no label")
        #expect(RoundResult(line: "label=x\trate=fast") == nil)
        #expect(RoundResult.parse(file: "# comment\n\n\(round.line)\n").count == 1)
    }

    @Test func mediansPerLabel() {
        let rounds = [RoundResult(label: "full", numbers: ["rate": 1, "p99": 9]), RoundResult(label: "peers", numbers: ["rate": 10]),
                      RoundResult(label: "full", numbers: ["rate": 3, "p99": 1]), RoundResult(label: "full", numbers: ["rate": 2])]
        let medians = ResultTable.medians(rounds)
        #expect(medians.map(\.label) == ["full", "peers"])
        #expect(medians[0].numbers == ["rate": 2, "p99": 5, "rounds": 3])
        #expect(Statistics.median([]) == nil)
        #expect(Statistics.percentile([1, 2, 3, 4], 0.99) == 3 && Statistics.percentile([1, 2, 3, 4], 1) == 4)
    }

    @Test func configurationTableAndRatio() {
        let rounds = [RoundResult(label: "full", numbers: ["rate": 900, "p50": 4, "p99": 10, "cpu.total": 1.2, "cpu.worker": 1.0,
                                                           "cpu.master": 0.2, "pss.worker": 3072, "side.unbound": 0, "failed": 0, "mismatched": 0]),
                      RoundResult(label: "peers", numbers: ["rate": 1000, "cpu.total": 1.0, "cpu.opendkim": 1.0])]
        let table = ResultTable.configurations(rounds, ratios: [("full", "peers")]).split(separator: "\n").map(String.init)
        #expect(table[2] == "| full | 1 | 900 | 4.00 ms | 10.00 ms | 1.200 | master 0.200, worker 1.000 | unbound 0.000 | worker 3.0 MiB | 0 / 0 |")
        #expect(table.last == "full / peers: CPU per message 1.20× theirs (theirs uses 0.83× ours); messages/s 0.90× theirs")
    }

    @Test func scalingStepsShowLinearGrowth() {
        let rounds = [1000.0, 10000, 100000].map { size in
            RoundResult(label: "body=\(size)", group: "body", param: size, numbers: ["cpu.total": 0.3 + size / 100_000])
        }
        let lines = ResultTable.scaling(rounds).split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[2].hasPrefix("| body size (unit 1 KB) | 1 KB | 0.310 |"))
        #expect(lines[3].contains("| 10 KB | 0.400 |") && lines[3].contains("| 1.29 | 10.0 | 0.0100 |"))
        #expect(lines[4].contains("| 100 KB | 1.300 |") && lines[4].contains("| 3.25 | 10.0 | 0.0100 |"), "constant cost per KB")
    }

    @Test func fixedDecimals() {
        #expect(ResultTable.fixed(1.23456, 3) == "1.235")
        #expect(ResultTable.fixed(0.05, 1) == "0.1")
        #expect(ResultTable.fixed(-0.004, 2) == "0.00")
        #expect(ResultTable.fixed(-2.5, 0) == "-3")
        #expect(ResultTable.fixed(42, 2) == "42.00")
        #expect(ResultTable.fixed(0.007, 3) == "0.007")
    }

    @Test func opensslSpeedAndTheFloor() throws {
        let output = """
                              sign    verify    sign/s verify/s
            rsa 2048 bits 0.000207s 0.000012s   4832.3  80000.0
                                          sign    verify    sign/s verify/s
             253 bits EdDSA (Ed25519)   0.0000s   0.0001s  44763.0  16000.0
            """.split(separator: "\n").map { $0.drop(while: { $0 == " " }) }.joined(separator: "\n")
        let speed = try #require(VerifyFloor.Speed.parse(output))
        #expect(speed == VerifyFloor.Speed(rsa2048VerifyPerSecond: 80000, ed25519VerifyPerSecond: 16000))
        let floor = VerifyFloor(rsa2048Verifications: 280, ed25519Verifications: 70, messages: 140)
        #expect(floor.rsa2048PerMessage == 2 && floor.ed25519PerMessage == 0.5)
        #expect(abs(floor.cpuSecondsPer1000(at: speed) - (1000 * (2.0 / 80000 + 0.5 / 16000))) < 1e-12)
        #expect(VerifyFloor.parse(summary: "messages=140\n" + floor.summaryLines.joined(separator: "\n")) == floor)
        #expect(VerifyFloor.parse(summary: floor.summaryLines.joined(separator: "\n")) == nil, "no message count")
        #expect(VerifyFloor.Speed.parse("nothing here") == nil)
    }
}
