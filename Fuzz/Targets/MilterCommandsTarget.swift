@testable import Milter

/// The MTA side of the milter protocol: bytes from the socket, fed to the
/// decoder in pieces (sizes from the first input byte) as a socket would
/// deliver them. Every command decoded must re-encode to bytes that decode
/// to the same command, and the same stream fed in one piece must give the
/// same commands.
enum MilterCommandsTarget {
    static let target = FuzzTarget(name: "milter-commands", run: run)

    static func run(_ input: [UInt8]) {
        guard let first = input.first else { return }
        let stream = Array(input.dropFirst())
        let piece = Int(first % 16) + 1
        let split = decodeAll(stream, pieceSize: piece)
        let whole = decodeAll(stream, pieceSize: max(stream.count, 1))
        fuzzCheck(split == whole, "piecewise decoding differs from whole: \(split) vs \(whole)")
        for command in split.commands {
            // Lossy UTF-8 (U+FFFD for a bad byte) may make the packet longer.
            var decoder = MilterDecoder(maximumPacketSize: 1 << 20)
            decoder.append(command.encoded())
            let again: MilterCommand?
            do {
                again = try decoder.next()
            } catch {
                fuzzCheck(false, "re-encoded \(command) does not decode: \(error)")
                return
            }
            fuzzCheck(again == command, "round trip \(command) -> \(String(describing: again))")
            fuzzCheck(decoder.bufferedByteCount == 0, "re-encoded \(command) left bytes behind")
        }
    }

    static let maximumPacketSize = 4096

    struct Decoded: Equatable {
        var commands: [MilterCommand] = []
        var error: MilterProtocolError?
    }

    static func decodeAll(_ stream: [UInt8], pieceSize: Int) -> Decoded {
        var decoder = MilterDecoder(maximumPacketSize: maximumPacketSize)
        var decoded = Decoded()
        var offset = 0
        while offset < stream.count {
            let end = min(offset + pieceSize, stream.count)
            decoder.append(stream[offset..<end])
            offset = end
            do {
                while let command = try decoder.next() { decoded.commands.append(command) }
            } catch {
                decoded.error = error
                return decoded
            }
        }
        return decoded
    }
}
