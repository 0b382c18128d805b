/// DATA's content as it arrives: dot-unstuffing (RFC 5321 4.5.2), line
/// endings made CRLF (a bare LF counts as one, as Postfix and the Perl
/// milter take it) and the end found at a line holding only ".". It works
/// on any split of the input, keeps no line in memory and returns the
/// content in pieces the caller streams on.
public struct SMTPDataDecoder: Sendable {
    enum State: Sendable, Equatable {
        case lineStart
        /// A "." at the start of a line: dropped, unless the line ends.
        case dotAtLineStart
        /// ".\r" at the start of a line.
        case dotCR
        case inLine
        /// A CR inside a line, not yet known to end it.
        case carriageReturn
        case finished
    }

    var state = State.lineStart
    public private(set) var isFinished = false

    public init() {}

    /// Decodes `input`; returns the content and how many bytes of `input`
    /// were used (fewer than all only when the end was found: the rest is
    /// the client's next command, pipelined).
    public mutating func decode(_ input: ArraySlice<UInt8>) -> (content: [UInt8], consumed: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(input.count + 16)
        var index = input.startIndex
        while index < input.endIndex && !isFinished {
            if state == .inLine {
                // The middle of a line: copy up to the next CR or LF at once.
                let end = input[index...].firstIndex(where: { $0 == 0x0D || $0 == 0x0A }) ?? input.endIndex
                if end > index {
                    out.append(contentsOf: input[index..<end])
                    index = end
                    continue
                }
            }
            let byte = input[index]
            index += 1
            switch state {
            case .lineStart:
                if byte == 0x2E { state = .dotAtLineStart } else { inLine(byte, &out) }
            case .dotAtLineStart:
                switch byte {
                case 0x0D: state = .dotCR
                case 0x0A: finish()
                default: inLine(byte, &out)
                }
            case .dotCR:
                if byte == 0x0A {
                    finish()
                } else {
                    out.append(0x0D)
                    state = .inLine
                    inLine(byte, &out)
                }
            case .inLine:
                inLine(byte, &out)
            case .carriageReturn:
                switch byte {
                case 0x0A:
                    out.append(0x0D); out.append(0x0A)
                    state = .lineStart
                case 0x0D:
                    out.append(0x0D)
                default:
                    out.append(0x0D)
                    state = .inLine
                    inLine(byte, &out)
                }
            case .finished:
                break
            }
        }
        return (out, index - input.startIndex)
    }

    mutating func inLine(_ byte: UInt8, _ out: inout [UInt8]) {
        switch byte {
        case 0x0D: state = .carriageReturn
        case 0x0A:
            out.append(0x0D); out.append(0x0A)
            state = .lineStart
        default:
            out.append(byte)
            state = .inLine
        }
    }

    mutating func finish() {
        state = .finished
        isFinished = true
    }
}
