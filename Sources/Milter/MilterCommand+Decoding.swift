extension MilterCommand {
    /// Parses the data of one packet the MTA sent.
    ///
    /// Strict about structure (every string NUL-terminated, no bytes after the
    /// last field, fixed-size fields complete) because no MTA sends anything
    /// else and a lenient parser is how a milter ends up disagreeing with the
    /// MTA about what it was told. Tolerant where real MTAs differ: `D` with no
    /// macros (Postfix), macros for any command byte, bytes after a `U`
    /// (unknown) address family, which libmilter ignores too.
    public static func decode(code: UInt8, payload: ArraySlice<UInt8>) throws(MilterProtocolError) -> MilterCommand {
        var reader = MilterPayloadReader(code: code, payload: payload)
        switch code {
        case MilterCommandCode.optionNegotiation:
            guard payload.count == 12 else { throw .badNegotiationLength(payload.count) }
            let words = try reader.readNegotiation()
            return .optionNegotiation(version: words.version, actions: words.actions, steps: words.steps)

        case MilterCommandCode.defineMacros:
            return try decodeMacros(&reader)

        case MilterCommandCode.connect:
            return try decodeConnect(&reader)

        case MilterCommandCode.helo:
            let hostname = try reader.readString(field: "HELO name")
            try reader.expectEnd()
            return .helo(hostname)

        case MilterCommandCode.mailFrom:
            return .mailFrom(try decodeArguments(&reader, first: "sender"))

        case MilterCommandCode.rcptTo:
            return .rcptTo(try decodeArguments(&reader, first: "recipient"))

        case MilterCommandCode.header:
            let name = try reader.readString(field: "header name")
            let value = try reader.readString(field: "header value")
            try reader.expectEnd()
            return .header(name: name, value: value)

        case MilterCommandCode.body:
            return .body(Array(reader.readRemaining()))

        case MilterCommandCode.endOfMessage:
            return .endOfMessage(Array(reader.readRemaining()))

        case MilterCommandCode.unknown:
            let line = try reader.readString(field: "command line")
            try reader.expectEnd()
            return .unknown(line)

        default:
            guard let command = withoutPayload[code] else { throw .unknownCommand(code) }
            try reader.expectEnd()
            return command
        }
    }

    /// Commands that carry no data: one byte each, nothing after it.
    private static let withoutPayload: [UInt8: MilterCommand] = [
        MilterCommandCode.data: .data,
        MilterCommandCode.endOfHeaders: .endOfHeaders,
        MilterCommandCode.abort: .abort,
        MilterCommandCode.quit: .quit,
        MilterCommandCode.quitNewConnection: .quitNewConnection,
    ]

    /// `D`: the command byte, then name/value string pairs (possibly none).
    private static func decodeMacros(_ reader: inout MilterPayloadReader) throws(MilterProtocolError) -> MilterCommand {
        guard !reader.isAtEnd else { throw .missingMacroCommand }
        let command = try reader.readByte(field: "macro command")
        var macros: [MilterMacro] = []
        while !reader.isAtEnd {
            let name = try reader.readString(field: "macro name")
            guard !reader.isAtEnd else { throw .unpairedMacroName(name) }
            let value = try reader.readString(field: "macro value")
            macros.append(MilterMacro(name: name, value: value))
        }
        return .defineMacros(forCommand: command, macros: macros)
    }

    /// `C`: hostname, family byte, then for L/4/6 a big-endian port (0 for
    /// Unix sockets) and the address. Nothing follows `U`.
    private static func decodeConnect(_ reader: inout MilterPayloadReader) throws(MilterProtocolError) -> MilterCommand {
        let hostname = try reader.readString(field: "hostname")
        let familyCode = try reader.readByte(field: "address family")
        guard let family = MilterAddressFamily(code: familyCode) else {
            throw .unknownAddressFamily(familyCode)
        }
        if family == .unknown {
            return .connect(hostname: hostname, family: .unknown, port: 0, address: "")
        }
        let port = try reader.readUInt16(field: "port")
        let address = try reader.readString(field: "address")
        try reader.expectEnd()
        return .connect(hostname: hostname, family: family, port: port, address: address)
    }

    /// `M` and `R`: at least the address, then any ESMTP parameters, each
    /// NUL-terminated.
    private static func decodeArguments(
        _ reader: inout MilterPayloadReader, first: String
    ) throws(MilterProtocolError) -> [String] {
        var arguments = [try reader.readString(field: first)]
        while !reader.isAtEnd {
            arguments.append(try reader.readString(field: "ESMTP parameter"))
        }
        return arguments
    }
}
