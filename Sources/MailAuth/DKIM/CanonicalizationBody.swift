/// Body canonicalization (RFC 6376 sections 3.4.3 and 3.4.4), streamed:
/// chunks go in as the MTA sends them and canonical bytes come out, with
/// only a handful of bytes of state in between (a pending CR, a count of
/// empty lines that may turn out to be trailing, a pending space).
///
/// Line ends are taken as the Perl milter normalises them: CRLF or a bare
/// LF end a line; a CR not followed by LF is an ordinary byte.
///
/// An `l=` limit cuts the output after that many canonical bytes; the
/// total canonical length is still counted, so a verifier can tell how
/// much of the body a signature leaves unsigned.
public struct CanonicalizationBody: Sendable {
    public let algorithm: Canonicalization
    /// Canonical bytes to hand on, at most (`l=`); nil for all.
    public let limit: UInt64?

    /// Canonical bytes produced so far, before the limit is applied.
    public private(set) var canonicalLength: UInt64 = 0

    private var pendingCR = false
    private var pendingEmptyLines = 0
    private var lineHasContent = false
    private var pendingSpace = false
    private var finished = false

    public init(_ algorithm: Canonicalization, limit: UInt64? = nil) {
        self.algorithm = algorithm
        self.limit = limit
    }

    /// Canonicalizes `chunk`, calling `emit` with the bytes to hash (in
    /// order, possibly several times, never with more than the limit
    /// allows).
    public mutating func update(_ chunk: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) -> Void) {
        guard !finished, !chunk.isEmpty else { return }
        var output: [UInt8] = []
        output.reserveCapacity(chunk.count + 16)
        let relaxed = algorithm == .relaxed
        var index = 0
        let count = chunk.count
        while index < count {
            let byte = chunk[index]
            // Inside a line with nothing held back, a run of ordinary bytes
            // is copied as it is: what the state machine below would do
            // byte by byte (issue 12: body canonicalization was a per-byte
            // loop over every body).
            if !pendingCR && lineHasContent && !pendingSpace && Self.isPlain(byte, relaxed: relaxed) {
                var end = index + 1
                while end < count {
                    if Self.isPlain(chunk[end], relaxed: relaxed) {
                        end += 1
                    } else if relaxed && chunk[end] == 0x20 && end + 1 < count && Self.isPlain(chunk[end + 1], relaxed: true) {
                        // One space between words stays one space: as
                        // it is (runs of text rarely go 6 bytes without).
                        end += 2
                    } else {
                        break
                    }
                }
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[index..<end]))
                index = end
                continue
            }
            index += 1
            if pendingCR {
                pendingCR = false
                if byte == 0x0A {
                    endLine(into: &output)
                    continue
                }
                content(0x0D, into: &output)
            }
            switch byte {
            case 0x0D:
                pendingCR = true
            case 0x0A:
                endLine(into: &output)
            default:
                content(byte, into: &output)
            }
        }
        deliver(output, emit)
    }

    public mutating func update(_ chunk: [UInt8], emit: (UnsafeRawBufferPointer) -> Void) {
        chunk.withUnsafeBytes { update($0, emit: emit) }
    }

    /// Ends the body: completes a last line without line end, drops
    /// trailing empty lines, and for simple canonicalization turns an empty
    /// body into a single CRLF.
    public mutating func finish(emit: (UnsafeRawBufferPointer) -> Void) {
        guard !finished else { return }
        var output: [UInt8] = []
        if pendingCR {
            pendingCR = false
            content(0x0D, into: &output)
        }
        if lineHasContent {
            output.append(contentsOf: [0x0D, 0x0A])
            lineHasContent = false
        }
        pendingSpace = false
        pendingEmptyLines = 0
        if algorithm == .simple && canonicalLength == 0 && output.isEmpty {
            output = [0x0D, 0x0A]
        }
        deliver(output, emit)
        finished = true
    }

    /// A byte that is line content and, in relaxed, not white space.
    @inline(__always)
    private static func isPlain(_ byte: UInt8, relaxed: Bool) -> Bool {
        byte != 0x0D && byte != 0x0A && !(relaxed && (byte == 0x20 || byte == 0x09))
    }

    // MARK: Line state machine

    /// A byte inside a line. Relaxed holds back whitespace until it knows
    /// whether more content follows on the line (trailing whitespace is
    /// removed, inner runs become one space).
    private mutating func content(_ byte: UInt8, into output: inout [UInt8]) {
        if algorithm == .relaxed && (byte == 0x20 || byte == 0x09) {
            pendingSpace = true
            return
        }
        startContent(into: &output)
        if pendingSpace {
            output.append(0x20)
            pendingSpace = false
        }
        output.append(byte)
    }

    /// The first content of a line proves the empty lines before it were
    /// not trailing: they are written out now.
    private mutating func startContent(into output: inout [UInt8]) {
        guard !lineHasContent else { return }
        lineHasContent = true
        while pendingEmptyLines > 0 {
            output.append(contentsOf: [0x0D, 0x0A])
            pendingEmptyLines -= 1
        }
    }

    private mutating func endLine(into output: inout [UInt8]) {
        pendingSpace = false
        if lineHasContent {
            output.append(contentsOf: [0x0D, 0x0A])
            lineHasContent = false
        } else {
            pendingEmptyLines += 1
        }
    }

    private mutating func deliver(_ output: [UInt8], _ emit: (UnsafeRawBufferPointer) -> Void) {
        guard !output.isEmpty else { return }
        let before = canonicalLength
        canonicalLength += UInt64(output.count)
        var allowed = output.count
        if let limit {
            guard before < limit else { return }
            allowed = Int(min(UInt64(output.count), limit - before))
        }
        output.withUnsafeBytes { emit(UnsafeRawBufferPointer(rebasing: $0.prefix(allowed))) }
    }
}
