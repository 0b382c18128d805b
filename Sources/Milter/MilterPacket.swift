/// One command from the MTA together with the data bytes it was decoded from.
public struct MilterPacket: Sendable, Equatable {
    /// The command byte.
    public let code: UInt8
    /// The data after the command byte, exactly as received.
    public let payload: [UInt8]
    /// The decoded command.
    public let command: MilterCommand

    /// Decodes a packet's data; throws for the same reasons `MilterDecoder` does.
    public init(code: UInt8, payload: [UInt8]) throws(MilterProtocolError) {
        guard MilterCommandCode.isKnown(code) else { throw .unknownCommand(code) }
        self.code = code
        self.payload = payload
        self.command = try MilterCommand.decode(code: code, payload: payload[...])
    }

    /// For a header (`L`) packet, the field's name and value as raw bytes;
    /// nil for other commands.
    public var rawHeaderField: MilterRawHeaderField? {
        guard code == MilterCommandCode.header else { return nil }
        var reader = MilterPayloadReader(code: code, payload: payload[...])
        // Cannot fail: `init` already decoded this packet as a header.
        guard let name = try? reader.readCString(field: "header name"),
            let value = try? reader.readCString(field: "header value")
        else { return nil }
        return MilterRawHeaderField(name: Array(name), value: Array(value))
    }
}

/// A header field's name and value as the MTA sent them, before any UTF-8
/// decoding.
public struct MilterRawHeaderField: Sendable, Equatable {
    public let name: [UInt8]
    public let value: [UInt8]

    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }
}
