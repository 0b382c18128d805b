import Testing

@testable import Milter

/// Seeded random and mutated input: the decoders must answer every input
/// with a command, a request for more bytes or an error, and never trap.
struct FuzzTests {
    /// Bytes the parsers treat specially, so random data hits their branches.
    private static let interestingBytes: [UInt8] = [0, 0, 0, 0x34, 0x36, 0x4C, 0x55, 0xFF, 0x7B, 0x7D, 0x41]
    private static let commandCodes = Array("ABCDEHKLMNOQRTU".utf8)
    private static let responseCodes = Array("Oacdhimpqrsty".utf8)

    /// Feeds `bytes` in random pieces and drains the decoder after each;
    /// returns what came out so a caller can check it further.
    private static func drainCommands(_ bytes: [UInt8], random: inout SeededRandom) -> [MilterCommand] {
        var decoder = MilterDecoder(maximumPacketSize: 4096)
        var commands: [MilterCommand] = []
        var offset = 0
        while offset < bytes.count {
            let size = min(Int.random(in: 1...64, using: &random), bytes.count - offset)
            decoder.append(bytes[offset..<(offset + size)])
            offset += size
            do {
                while let command = try decoder.next() {
                    commands.append(command)
                }
            } catch {
                return commands
            }
        }
        return commands
    }

    private static func drainResponses(_ bytes: [UInt8]) -> [MilterResponse] {
        var decoder = MilterResponseDecoder(maximumPacketSize: 4096)
        decoder.append(bytes)
        var responses: [MilterResponse] = []
        while let response = try? decoder.next() {
            responses.append(response)
        }
        return responses
    }

    /// Data biased towards NULs and family bytes, of random length.
    private static func randomData(_ random: inout SeededRandom) -> [UInt8] {
        let count = Int.random(in: 0...40, using: &random)
        return (0..<count).map { _ in
            Bool.random(using: &random)
                ? interestingBytes.randomElement(using: &random) ?? 0
                : UInt8.random(in: 0...255, using: &random)
        }
    }

    @Test func pureGarbageNeverTraps() {
        var random = SeededRandom(seed: 0xA11CE)
        for _ in 0..<3000 {
            let garbage = random.bytes(count: Int.random(in: 0...200, using: &random))
            _ = Self.drainCommands(garbage, random: &random)
            _ = Self.drainResponses(garbage)
        }
    }

    @Test func wellFramedRandomCommandsDecodeStably() throws {
        var random = SeededRandom(seed: 0xB0B)
        var decodedCount = 0
        for _ in 0..<20_000 {
            let code = Self.commandCodes.randomElement(using: &random) ?? 0
            let packet = MilterSamples.packet(code, Self.randomData(&random))
            var decoder = MilterDecoder()
            decoder.append(packet)
            guard let command = try? decoder.next() else { continue }
            decodedCount += 1
            // Whatever was accepted must mean the same after re-encoding.
            #expect(MilterSamples.decodeOne(command.encoded()) == .success(command), "\(packet)")
        }
        #expect(decodedCount > 1000)
    }

    @Test func wellFramedRandomResponsesDecodeStably() throws {
        var random = SeededRandom(seed: 0xCAFE)
        var decodedCount = 0
        for _ in 0..<20_000 {
            let code = Self.responseCodes.randomElement(using: &random) ?? 0
            let packet = MilterSamples.packet(code, Self.randomData(&random))
            guard case .success(let response?) = MilterSamples.decodeOneResponse(packet) else { continue }
            decodedCount += 1
            #expect(MilterSamples.decodeOneResponse(response.encoded()) == .success(response), "\(packet)")
        }
        #expect(decodedCount > 1000)
    }

    @Test func mutatedCommandStreamsNeverTrap() {
        var random = SeededRandom(seed: 0xD00D)
        let valid = MilterSamples.commands.flatMap { $0.encoded() }
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                case 1: bytes[index] = Self.interestingBytes.randomElement(using: &random) ?? 0
                case 2: bytes.remove(at: index)
                default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: index)
                }
            }
            _ = Self.drainCommands(bytes, random: &random)
        }
    }

    @Test func mutatedResponseStreamsNeverTrap() {
        var random = SeededRandom(seed: 0xE1F)
        let valid = MilterSamples.responses.flatMap { $0.encoded() }
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                bytes[index] = UInt8.random(in: 0...255, using: &random)
            }
            _ = Self.drainResponses(bytes)
        }
    }

    /// Cuts every sample's data short but keeps the length field consistent,
    /// so each field parser sees every truncation of its input.
    @Test func truncatedDataWithConsistentLengthIsRefusedOrDecoded() {
        for command in MilterSamples.commands {
            let data = Array(command.encoded().dropFirst(5))
            for cut in 0..<data.count {
                let truncated = MilterSamples.packet(command.code, Array(data[..<cut]))
                switch MilterSamples.decodeOne(truncated) {
                case .success(let decoded?):
                    // Only raw-data commands and macro lists may be cut at a
                    // field boundary and still be whole.
                    let code = decoded.code
                    #expect("BEDMR".utf8.contains(code), "\(command) cut at \(cut) gave \(decoded)")
                case .success(nil):
                    Issue.record("complete packet reported as incomplete: \(command) cut at \(cut)")
                case .failure:
                    break
                }
            }
        }
    }

    @Test func truncatedResponsesAreRefusedOrDecoded() {
        for response in MilterSamples.responses {
            let data = Array(response.encoded().dropFirst(5))
            for cut in 0..<data.count {
                let truncated = MilterSamples.packet(response.code, Array(data[..<cut]))
                if case .success(nil) = MilterSamples.decodeOneResponse(truncated) {
                    Issue.record("complete packet reported as incomplete: \(response) cut at \(cut)")
                }
            }
        }
    }

    @Test func randomLengthFieldsAreBounded() {
        var random = SeededRandom(seed: 0xF00)
        for _ in 0..<5000 {
            let length = UInt32.random(in: 0...UInt32.max, using: &random)
            let header: [UInt8] = [
                UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
                UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length),
            ]
            var decoder = MilterDecoder(maximumPacketSize: 1000)
            decoder.append(header + [UInt8(ascii: "B")])
            let result = Result { () throws(MilterProtocolError) in try decoder.next() }
            switch (length, result) {
            case (0, .failure(.zeroLengthPacket)), (1, .success(.body([]))): break
            case (2...1000, .success(nil)): break
            case (1001..., .failure(.oversizedPacket(length, 1000))): break
            default: Issue.record("length \(length) gave \(result)")
            }
        }
    }
}
