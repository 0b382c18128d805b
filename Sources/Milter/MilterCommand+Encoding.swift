extension MilterCommand {
    /// The largest body chunk libmilter and Postfix send in one `B` packet
    /// (`MILTER_CHUNK_SIZE`); a client should split bodies at this size.
    public static let maximumBodyChunkSize = 65535

    /// The command as one complete packet, as an MTA would send it (for the
    /// load generator and tests). NUL characters inside string fields are
    /// left out, since they would end the field early.
    public func encoded() -> [UInt8] {
        switch self {
        case .optionNegotiation(let version, let actions, let steps):
            return MilterPacketWriter.negotiation(code: code, version: version, actions: actions, steps: steps)

        case .defineMacros(let command, let macros):
            var writer = MilterPacketWriter(code: code)
            writer.appendByte(command)
            for macro in macros {
                writer.appendCString(macro.name)
                writer.appendCString(macro.value)
            }
            return writer.finish()

        case .connect(let hostname, let family, let port, let address):
            var writer = MilterPacketWriter(code: code)
            writer.appendCString(hostname)
            writer.appendByte(family.code)
            if family != .unknown {
                writer.appendUInt16(port)
                writer.appendCString(address)
            }
            return writer.finish()

        case .helo(let text), .unknown(let text):
            var writer = MilterPacketWriter(code: code)
            writer.appendCString(text)
            return writer.finish()

        case .mailFrom(let arguments), .rcptTo(let arguments):
            var writer = MilterPacketWriter(code: code)
            for argument in arguments {
                writer.appendCString(argument)
            }
            return writer.finish()

        case .header(let name, let value):
            return MilterPacketWriter.headerField(code: code, name: name, value: value)

        case .body(let bytes), .endOfMessage(let bytes):
            var writer = MilterPacketWriter(code: code, dataCapacity: bytes.count)
            writer.appendBytes(bytes)
            return writer.finish()

        case .data, .endOfHeaders, .abort, .quit, .quitNewConnection:
            return MilterPacketWriter(code: code).finish()
        }
    }

    /// A body as the `B` commands an MTA would send for it, each at most
    /// `maximumBodyChunkSize` bytes. An empty body gives no commands.
    public static func bodyChunks(of body: [UInt8]) -> [MilterCommand] {
        stride(from: 0, to: body.count, by: maximumBodyChunkSize).map { start in
            .body(Array(body[start..<min(start + maximumBodyChunkSize, body.count)]))
        }
    }
}
