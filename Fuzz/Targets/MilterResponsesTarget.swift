@testable import Milter

/// The milter's answers as the MTA side (and the load tool) decodes them:
/// every response decoded re-encodes to one that decodes the same.
enum MilterResponsesTarget {
    static let target = FuzzTarget(name: "milter-responses", run: run)

    static func run(_ input: [UInt8]) {
        var decoder = MilterResponseDecoder(maximumPacketSize: 4096)
        decoder.append(input)
        var responses: [MilterResponse] = []
        while true {
            do {
                guard let response = try decoder.next() else { break }
                responses.append(response)
            } catch {
                break
            }
        }
        for response in responses {
            var again = MilterResponseDecoder(maximumPacketSize: 1 << 20)
            again.append(response.encoded())
            let decoded = try? again.next()
            fuzzCheck(decoded == response, "round trip \(response) -> \(String(describing: decoded))")
        }
    }
}
