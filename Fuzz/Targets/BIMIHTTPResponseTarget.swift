@testable import MailAuth

/// The fetch helper's HTTP answer parser (`BIMIHTTPResponse`), fed whole
/// and in two pieces: the same state either way, and a body never larger
/// than the limit.
enum BIMIHTTPResponseTarget {
    static let target = FuzzTarget(name: "bimi-http-response", run: run)

    static func run(_ input: [UInt8]) {
        guard input.count <= 1 << 17 else { return }
        var whole = BIMIHTTPResponse(maximumBodyBytes: 4096)
        whole.append(input)
        whole.finish()
        var split = BIMIHTTPResponse(maximumBodyBytes: 4096)
        let cut = input.isEmpty ? 0 : Int(input[0]) % (input.count + 1)
        split.append(input[..<cut])
        split.append(input[cut...])
        split.finish()
        fuzzCheck(whole.state == split.state, "feeding in two pieces changed the outcome")
        if case .complete(_, let body) = whole.state { fuzzCheck(body.count <= 4096, "a body over the limit") }
    }
}
