/// The one error of the Milter module: why a byte stream is not a valid
/// milter conversation. After any of these
/// the stream cannot be trusted any more: the connection should be closed.
public enum MilterProtocolError: Error, Equatable, CustomStringConvertible {
    /// The length field was 0: a packet must at least hold its command byte.
    case zeroLengthPacket
    /// The length field (command byte + data) exceeds the decoder's limit.
    case oversizedPacket(size: UInt32, maximum: Int)
    /// The MTA sent a command byte that is not in the protocol.
    case unknownCommand(UInt8)
    /// The milter sent a response byte this package does not model.
    case unknownResponse(UInt8)
    /// A string field runs to the end of the packet without its NUL.
    case missingNULTerminator(code: UInt8, field: String)
    /// The packet ends before a fixed-size or required field.
    case truncatedField(code: UInt8, field: String)
    /// The packet has bytes after its last field.
    case unexpectedTrailingBytes(code: UInt8, count: Int)
    /// A connect command names an address family other than U, L, 4 or 6.
    case unknownAddressFamily(UInt8)
    /// An option negotiation packet whose data is not 12 bytes (3 × u32).
    case badNegotiationLength(Int)
    /// A `D` packet without the byte naming the command its macros are for.
    case missingMacroCommand
    /// A `D` packet whose last macro name has no value.
    case unpairedMacroName(String)
    /// The MTA offered a milter protocol version older than we speak.
    case unsupportedVersion(offered: UInt32, oldestSupported: UInt32)

    public var description: String {
        switch self {
        case .zeroLengthPacket:
            "milter packet with length 0 (no command byte)"
        case .oversizedPacket(let size, let maximum):
            "milter packet of \(size) bytes exceeds the limit of \(maximum)"
        case .unknownCommand(let code):
            "unknown milter command \(Self.describe(code))"
        case .unknownResponse(let code):
            "unknown milter response \(Self.describe(code))"
        case .missingNULTerminator(let code, let field):
            "milter \(Self.describe(code)) packet: \(field) is not NUL-terminated"
        case .truncatedField(let code, let field):
            "milter \(Self.describe(code)) packet ends before its \(field)"
        case .unexpectedTrailingBytes(let code, let count):
            "milter \(Self.describe(code)) packet has \(count) unexpected trailing bytes"
        case .unknownAddressFamily(let family):
            "milter connect packet has unknown address family \(Self.describe(family))"
        case .badNegotiationLength(let length):
            "milter option negotiation has \(length) data bytes, expected 12"
        case .missingMacroCommand:
            "milter macro packet does not name the command its macros belong to"
        case .unpairedMacroName(let name):
            "milter macro packet: macro \"\(name)\" has no value"
        case .unsupportedVersion(let offered, let oldest):
            "MTA offers milter protocol version \(offered); at least \(oldest) is required"
        }
    }

    /// What a program or a test matches, without the bytes and numbers.
    public enum Code: String, Hashable, Sendable {
        case zeroLengthPacket = "zero-length-packet"
        case oversizedPacket = "oversized-packet"
        case unknownCommand = "unknown-command"
        case unknownResponse = "unknown-response"
        case missingNULTerminator = "missing-nul-terminator"
        case truncatedField = "truncated-field"
        case unexpectedTrailingBytes = "unexpected-trailing-bytes"
        case unknownAddressFamily = "unknown-address-family"
        case badNegotiationLength = "bad-negotiation-length"
        case missingMacroCommand = "missing-macro-command"
        case unpairedMacroName = "unpaired-macro-name"
        case unsupportedVersion = "unsupported-version"
    }

    public var code: Code {
        switch self {
        case .zeroLengthPacket: .zeroLengthPacket
        case .oversizedPacket: .oversizedPacket
        case .unknownCommand: .unknownCommand
        case .unknownResponse: .unknownResponse
        case .missingNULTerminator: .missingNULTerminator
        case .truncatedField: .truncatedField
        case .unexpectedTrailingBytes: .unexpectedTrailingBytes
        case .unknownAddressFamily: .unknownAddressFamily
        case .badNegotiationLength: .badNegotiationLength
        case .missingMacroCommand: .missingMacroCommand
        case .unpairedMacroName: .unpairedMacroName
        case .unsupportedVersion: .unsupportedVersion
        }
    }

    /// The reason in words (the same as `description`).
    public var reason: String { description }

    /// A byte as the character the protocol names it by, with its hex value,
    /// so a log line shows both `'L' (0x4C)` and unprintable garbage (`0x05`).
    static func describe(_ code: UInt8) -> String {
        let hex = "0x" + (code < 0x10 ? "0" : "") + String(code, radix: 16, uppercase: true)
        guard (0x21...0x7E).contains(code) else { return hex }
        return "'\(Character(Unicode.Scalar(code)))' (\(hex))"
    }
}
