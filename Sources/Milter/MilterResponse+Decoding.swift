extension MilterResponse {
    /// Parses the data of one packet a milter sent (client side).
    public static func decode(code: UInt8, payload: ArraySlice<UInt8>) throws(MilterProtocolError) -> MilterResponse {
        var reader = MilterPayloadReader(code: code, payload: payload)
        switch code {
        case MilterResponseCode.optionNegotiation:
            // A milter that asked for `setMacroList` appends its macro lists
            // after the three words; they are not modelled, so skip them.
            guard payload.count >= 12 else { throw .badNegotiationLength(payload.count) }
            let words = try reader.readNegotiation()
            return .optionNegotiation(version: words.version, actions: words.actions, steps: words.steps)

        case MilterResponseCode.replyCode:
            let text = try reader.readString(field: "reply text")
            try reader.expectEnd()
            return .replyCode(text)

        case MilterResponseCode.quarantine:
            let reason = try reader.readString(field: "quarantine reason")
            try reader.expectEnd()
            return .quarantine(reason: reason)

        case MilterResponseCode.addHeader:
            let name = try reader.readString(field: "header name")
            let value = try reader.readString(field: "header value")
            try reader.expectEnd()
            return .addHeader(name: name, value: value)

        case MilterResponseCode.insertHeader, MilterResponseCode.changeHeader:
            let index = try reader.readUInt32(field: "header index")
            let name = try reader.readString(field: "header name")
            let value = try reader.readString(field: "header value")
            try reader.expectEnd()
            return code == MilterResponseCode.insertHeader
                ? .insertHeader(index: index, name: name, value: value)
                : .changeHeader(index: index, name: name, value: value)

        default:
            guard let response = withoutPayload[code] else { throw .unknownResponse(code) }
            try reader.expectEnd()
            return response
        }
    }

    /// Replies that carry no data: one byte each, nothing after it.
    private static let withoutPayload: [UInt8: MilterResponse] = [
        MilterResponseCode.continue: .continue,
        MilterResponseCode.accept: .accept,
        MilterResponseCode.reject: .reject,
        MilterResponseCode.tempfail: .tempfail,
        MilterResponseCode.discard: .discard,
        MilterResponseCode.skip: .skip,
        MilterResponseCode.progress: .progress,
    ]
}
