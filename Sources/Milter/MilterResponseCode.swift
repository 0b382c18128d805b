/// The command bytes of milter-to-MTA packets (libmilter's `SMFIR_*`), for the
/// responses this package models.
enum MilterResponseCode {
    static let optionNegotiation = UInt8(ascii: "O")
    static let accept = UInt8(ascii: "a")
    static let `continue` = UInt8(ascii: "c")
    static let discard = UInt8(ascii: "d")
    static let addHeader = UInt8(ascii: "h")
    static let insertHeader = UInt8(ascii: "i")
    static let changeHeader = UInt8(ascii: "m")
    static let progress = UInt8(ascii: "p")
    static let quarantine = UInt8(ascii: "q")
    static let reject = UInt8(ascii: "r")
    static let skip = UInt8(ascii: "s")
    static let tempfail = UInt8(ascii: "t")
    static let replyCode = UInt8(ascii: "y")

    static func isKnown(_ code: UInt8) -> Bool {
        switch code {
        case optionNegotiation, accept, `continue`, discard, addHeader, insertHeader, changeHeader,
            progress, quarantine, reject, skip, tempfail, replyCode:
            true
        default:
            false
        }
    }
}
