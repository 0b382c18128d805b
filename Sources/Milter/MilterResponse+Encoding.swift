extension MilterResponse {
    /// The response as one complete packet: 4-byte big-endian length (command
    /// byte + data), the response byte, the data. NUL characters inside
    /// string fields are left out, since they would end the field early and
    /// the MTA would refuse the packet.
    public func encoded() -> [UInt8] {
        switch self {
        case .optionNegotiation(let version, let actions, let steps):
            return MilterPacketWriter.negotiation(code: code, version: version, actions: actions, steps: steps)

        case .replyCode(let text):
            var writer = MilterPacketWriter(code: code)
            writer.appendCString(text)
            return writer.finish()

        case .quarantine(let reason):
            var writer = MilterPacketWriter(code: code)
            writer.appendCString(reason)
            return writer.finish()

        case .addHeader(let name, let value):
            return MilterPacketWriter.headerField(code: code, name: name, value: value)

        case .insertHeader(let index, let name, let value), .changeHeader(let index, let name, let value):
            var writer = MilterPacketWriter(code: code, dataCapacity: name.utf8.count + value.utf8.count + 6)
            writer.appendUInt32(index)
            writer.appendCString(name)
            writer.appendCString(value)
            return writer.finish()

        case .continue, .accept, .reject, .tempfail, .discard, .skip, .progress:
            return MilterPacketWriter(code: code).finish()
        }
    }
}
