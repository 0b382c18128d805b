/// The command bytes of MTA-to-milter packets (libmilter's `SMFIC_*`).
enum MilterCommandCode {
    static let abort = UInt8(ascii: "A")
    static let body = UInt8(ascii: "B")
    static let connect = UInt8(ascii: "C")
    static let defineMacros = UInt8(ascii: "D")
    static let endOfMessage = UInt8(ascii: "E")
    static let helo = UInt8(ascii: "H")
    static let quitNewConnection = UInt8(ascii: "K")
    static let header = UInt8(ascii: "L")
    static let mailFrom = UInt8(ascii: "M")
    static let endOfHeaders = UInt8(ascii: "N")
    static let optionNegotiation = UInt8(ascii: "O")
    static let quit = UInt8(ascii: "Q")
    static let rcptTo = UInt8(ascii: "R")
    static let data = UInt8(ascii: "T")
    static let unknown = UInt8(ascii: "U")

    static func isKnown(_ code: UInt8) -> Bool {
        switch code {
        case abort, body, connect, defineMacros, endOfMessage, helo, quitNewConnection, header,
            mailFrom, endOfHeaders, optionNegotiation, quit, rcptTo, data, unknown:
            true
        default:
            false
        }
    }
}
