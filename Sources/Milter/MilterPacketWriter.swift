import Framing

/// Builds one packet: reserves the length field, appends the fields, then
/// fills the length in, so a packet is assembled in a single array.
struct MilterPacketWriter {
    private var bytes: [UInt8]

    init(code: UInt8, dataCapacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(5 + max(dataCapacity, 0))
        bytes.append(contentsOf: [0, 0, 0, 0, code])
    }

    /// A string field. A NUL cannot be carried inside a NUL-terminated field
    /// (the peer would split the field there and misread the rest), so NUL
    /// characters are left out.
    mutating func appendCString(_ text: String) {
        if text.utf8.contains(0) {
            bytes.append(contentsOf: text.utf8.lazy.filter { $0 != 0 })
        } else {
            bytes.append(contentsOf: text.utf8)
        }
        bytes.append(0)
    }

    mutating func appendByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func appendUInt16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendUInt32(_ value: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    mutating func appendBytes(_ data: some Collection<UInt8>) {
        bytes.append(contentsOf: data)
    }

    /// The finished packet with its length field set.
    consuming func finish() -> [UInt8] {
        bytes.replaceSubrange(0..<4, with: FrameHeader.lengthField(bytes.count - 4))
        return bytes
    }

    /// An option negotiation packet (both directions): three words.
    static func negotiation(code: UInt8, version: UInt32, actions: MilterActions, steps: MilterProtocolSteps) -> [UInt8] {
        var writer = MilterPacketWriter(code: code, dataCapacity: 12)
        writer.appendUInt32(version)
        writer.appendUInt32(actions.rawValue)
        writer.appendUInt32(steps.rawValue)
        return writer.finish()
    }

    /// A header field's name and value, each NUL-terminated (the MTA's
    /// header command, the milter's add-header reply).
    static func headerField(code: UInt8, name: String, value: String) -> [UInt8] {
        var writer = MilterPacketWriter(code: code, dataCapacity: name.utf8.count + value.utf8.count + 2)
        writer.appendCString(name)
        writer.appendCString(value)
        return writer.finish()
    }
}
