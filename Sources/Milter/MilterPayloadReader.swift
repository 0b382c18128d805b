/// Reads the fields of one packet's data in order, turning every way the data
/// can fall short into a `MilterProtocolError` instead of a trap.
struct MilterPayloadReader {
    /// The packet's command byte, for error messages.
    let code: UInt8
    private let payload: ArraySlice<UInt8>
    private var position: Int

    init(code: UInt8, payload: ArraySlice<UInt8>) {
        self.code = code
        self.payload = payload
        self.position = payload.startIndex
    }

    var isAtEnd: Bool { position >= payload.endIndex }

    var remainingCount: Int { payload.endIndex - position }

    /// The bytes of a NUL-terminated field, without the NUL.
    mutating func readCString(field: String) throws(MilterProtocolError) -> ArraySlice<UInt8> {
        guard !isAtEnd else { throw .truncatedField(code: code, field: field) }
        guard let terminator = payload[position...].firstIndex(of: 0) else {
            throw .missingNULTerminator(code: code, field: field)
        }
        let bytes = payload[position..<terminator]
        position = terminator + 1
        return bytes
    }

    /// A NUL-terminated field as text. Bytes that are not UTF-8 become U+FFFD:
    /// callers that need the exact bytes read the field with `readCString`.
    mutating func readString(field: String) throws(MilterProtocolError) -> String {
        String(decoding: try readCString(field: field), as: UTF8.self)
    }

    mutating func readByte(field: String) throws(MilterProtocolError) -> UInt8 {
        guard !isAtEnd else { throw .truncatedField(code: code, field: field) }
        defer { position += 1 }
        return payload[position]
    }

    mutating func readUInt16(field: String) throws(MilterProtocolError) -> UInt16 {
        guard remainingCount >= 2 else { throw .truncatedField(code: code, field: field) }
        defer { position += 2 }
        return UInt16(payload[position]) << 8 | UInt16(payload[position + 1])
    }

    mutating func readUInt32(field: String) throws(MilterProtocolError) -> UInt32 {
        guard remainingCount >= 4 else { throw .truncatedField(code: code, field: field) }
        defer { position += 4 }
        return UInt32(payload[position]) << 24 | UInt32(payload[position + 1]) << 16
            | UInt32(payload[position + 2]) << 8 | UInt32(payload[position + 3])
    }

    /// Everything not read yet (raw data such as a body chunk).
    mutating func readRemaining() -> ArraySlice<UInt8> {
        defer { position = payload.endIndex }
        return payload[position...]
    }

    /// Refuses data after the last field: no MTA sends any, so extra bytes
    /// mean the packet is not what its command byte says.
    func expectEnd() throws(MilterProtocolError) {
        guard isAtEnd else { throw .unexpectedTrailingBytes(code: code, count: remainingCount) }
    }

    /// The three words of an option negotiation (both directions).
    mutating func readNegotiation() throws(MilterProtocolError) -> (version: UInt32, actions: MilterActions, steps: MilterProtocolSteps) {
        let version = try readUInt32(field: "version")
        let actions = try readUInt32(field: "actions")
        let steps = try readUInt32(field: "protocol options")
        return (version, MilterActions(rawValue: actions), MilterProtocolSteps(rawValue: steps))
    }
}
