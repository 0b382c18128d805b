/// The fetch helper's reading of an HTTP/1.x answer, fed as it arrives
/// (`append`) and told when the server closed (`finish`): the status line,
/// the header fields (at most `maximumHeaderBytes`), then the body by
/// `Content-Length`, by `Transfer-Encoding: chunked`, or up to the close.
/// Every byte is the server's, and the server is whoever the record names:
/// each step looks only at bytes it has not seen (no re-scan, so feeding
/// one byte at a time costs what one read does) and the body may not pass
/// `maximumBodyBytes` (Mail::BIMI's `*_max_fetch_size`, HTTP::Tiny's
/// `max_size`: too big is a failure, not a truncation).
public struct BIMIHTTPResponse: Sendable {
    public enum State: Sendable, Equatable {
        case incomplete
        /// The whole answer: its status code and body.
        case complete(status: Int, body: [UInt8])
        case failed(String)
    }

    public static let maximumHeaderBytes = 16 * 1024

    public let maximumBodyBytes: Int
    public private(set) var state: State = .incomplete

    private enum Framing { case length(Int), chunked, close }
    private enum ChunkStep { case size, data(Int), dataEnd, trailer }

    private var head: [UInt8] = []
    private var status = 0
    private var framing: Framing?
    private var body: [UInt8] = []
    private var chunkStep = ChunkStep.size
    private var line: [UInt8] = []

    public init(maximumBodyBytes: Int) {
        self.maximumBodyBytes = maximumBodyBytes
    }

    /// Adds bytes as read; the state says whether the answer is over.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        guard state == .incomplete else { return }
        var index = bytes.startIndex
        while index != bytes.endIndex, state == .incomplete {
            if framing == nil {
                head.append(bytes[index])
                index = bytes.index(after: index)
                if head.count > Self.maximumHeaderBytes { return fail("header section too long") }
                if head.count >= 4, head[head.count - 4..<head.count].elementsEqual([13, 10, 13, 10]) {
                    parseHead()
                }
                continue
            }
            switch framing! {
            case .length(let length):
                let take = min(length - body.count, bytes.distance(from: index, to: bytes.endIndex))
                let end = bytes.index(index, offsetBy: take)
                body.append(contentsOf: bytes[index..<end])
                index = end
                if body.count == length { state = .complete(status: status, body: body) }
            case .close:
                let available = bytes.distance(from: index, to: bytes.endIndex)
                guard body.count + available <= maximumBodyBytes else { return fail("body larger than \(maximumBodyBytes) bytes") }
                body.append(contentsOf: bytes[index...])
                index = bytes.endIndex
            case .chunked:
                index = chunked(bytes, from: index)
            }
        }
    }

    /// The server closed the connection: an answer framed by the close is
    /// over now; any other that is not is cut short.
    public mutating func finish() {
        guard state == .incomplete else { return }
        if case .close = framing {
            state = .complete(status: status, body: body)
        } else {
            fail("connection closed before the end of the answer")
        }
    }

    private mutating func fail(_ reason: String) {
        state = .failed(reason)
        head = []
        body = []
    }

    private mutating func parseHead() {
        let text = head.dropLast(4)
        var lines = text.split(separator: 10, omittingEmptySubsequences: false).map { $0.last == 13 ? $0.dropLast() : $0 }
        guard !lines.isEmpty else { return fail("empty answer") }
        let statusLine = lines.removeFirst()
        // "HTTP/1.x NNN reason"
        guard statusLine.count >= 12, statusLine.starts(with: Array("HTTP/1.".utf8)), statusLine[statusLine.startIndex + 8] == 32 else {
            return fail("not an HTTP/1.x status line")
        }
        let codeBytes = statusLine[statusLine.startIndex + 9..<statusLine.startIndex + 12]
        guard codeBytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let code = Int(String(decoding: codeBytes, as: UTF8.self)),
              code >= 100 else {
            return fail("bad status code")
        }
        status = code
        var length: Int?
        var chunked = false
        for field in lines {
            guard let colon = field.firstIndex(of: 58) else { return fail("header line without a colon") }
            let name = String(decoding: field[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: field[field.index(after: colon)...], as: UTF8.self)
                .trimmingASCIISpaces().lowercased()
            if name == "content-length" {
                guard !value.isEmpty, value.count <= 10, value.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(value),
                      length == nil || length == number else {
                    return fail("bad Content-Length")
                }
                length = number
            } else if name == "transfer-encoding" {
                guard value == "chunked" else { return fail("unsupported Transfer-Encoding \(value.prefix(40))") }
                chunked = true
            }
        }
        head = []
        if chunked {
            framing = .chunked
        } else if let length {
            guard length <= maximumBodyBytes else { return fail("body larger than \(maximumBodyBytes) bytes") }
            framing = .length(length)
            if length == 0 { state = .complete(status: status, body: []) }
        } else {
            framing = .close
        }
    }

    /// One step of a chunked body from `index`; returns where it stopped.
    private mutating func chunked<C: Collection<UInt8>>(_ bytes: C, from start: C.Index) -> C.Index {
        var index = start
        while index != bytes.endIndex, state == .incomplete {
            switch chunkStep {
            case .size, .dataEnd, .trailer:
                let byte = bytes[index]
                index = bytes.index(after: index)
                guard byte == 10 else {
                    line.append(byte)
                    if line.count > 256 { fail("chunk line too long") }
                    continue
                }
                if line.last == 13 { line.removeLast() }
                let text = line
                line = []
                switch chunkStep {
                case .size:
                    let digits = text.prefix { $0 != 59 && $0 != 32 && $0 != 9 }
                    // Hex digits only: Int(_:radix:) would also take a sign (found by the fuzzer).
                    guard !digits.isEmpty, digits.count <= 8, digits.allSatisfy({ UInt8(ascii: "0") <= $0 && $0 <= UInt8(ascii: "9") || (0x61...0x66).contains($0 | 0x20) }),
                          let size = Int(String(decoding: digits, as: UTF8.self), radix: 16) else {
                        fail("bad chunk size")
                        return index
                    }
                    if size == 0 {
                        chunkStep = .trailer
                    } else {
                        guard body.count + size <= maximumBodyBytes else {
                            fail("body larger than \(maximumBodyBytes) bytes")
                            return index
                        }
                        chunkStep = .data(size)
                    }
                case .dataEnd:
                    guard text.isEmpty else {
                        fail("chunk not followed by CRLF")
                        return index
                    }
                    chunkStep = .size
                default:
                    // Trailer fields are ignored; the empty line ends the body.
                    if text.isEmpty { state = .complete(status: status, body: body) }
                }
            case .data(let left):
                let take = min(left, bytes.distance(from: index, to: bytes.endIndex))
                let end = bytes.index(index, offsetBy: take)
                body.append(contentsOf: bytes[index..<end])
                index = end
                chunkStep = left - take == 0 ? .dataEnd : .data(left - take)
            }
        }
        return index
    }
}

extension String {
    /// Without the spaces and tabs at either end.
    func trimmingASCIISpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
