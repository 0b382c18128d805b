import MailAuth
import Milter

/// The last check on every header change the dispatcher hands to the MTA.
///
/// Values are built from hostile text (HELO, MAIL FROM, header fields, DKIM
/// tags) by many handlers; each cleans its own values by the rules of its
/// header (RFC 8601, RFC 7208), but one missed path would let a LF start a
/// new header field, or a NUL cut the value short in the milter packet. So
/// whatever a handler produced, a value leaves here with no control
/// character except the milter's folding: a LF directly followed by a space
/// or tab, and the white space that starts the continuation line. The MTA
/// turns that LF into CRLF.
///
/// Anything else is replaced by a space (the rule the Authentication-Results
/// values follow): a CR right before such a folding LF is dropped, since
/// incoming fields may be folded with CRLF. A header whose name is not
/// RFC 5322 `ftext` is not sent at all. Either is logged, because it means a
/// handler let raw input through.
enum MilterHeaderGuard {
    /// `responses` with every header value made safe; what it changed is
    /// described in `log`.
    static func guarded(_ responses: [MilterResponse], log: inout [String]) -> [MilterResponse] {
        var out: [MilterResponse] = []
        for response in responses {
            switch response {
            case .insertHeader(let index, let name, let value):
                if let value = checked(name: name, value: value, log: &log) {
                    out.append(.insertHeader(index: index, name: name, value: value))
                }
            case .addHeader(let name, let value):
                if let value = checked(name: name, value: value, log: &log) {
                    out.append(.addHeader(name: name, value: value))
                }
            case .changeHeader(let index, let name, let value):
                if let value = checked(name: name, value: value, log: &log) {
                    out.append(.changeHeader(index: index, name: name, value: value))
                }
            case .quarantine(let reason):
                // The reason is one line in the MTA's queue file: no folding.
                let cleaned = ControlCharacters.replacing(in: reason, with: " ")
                if cleaned != reason { log.append("quarantine reason: control characters replaced by spaces") }
                out.append(.quarantine(reason: cleaned))
            default:
                out.append(response)
            }
        }
        return out
    }

    /// The value to send, or nil when the header must not be sent.
    static func checked(name: String, value: String, log: inout [String]) -> String? {
        guard isFieldName(name) else {
            log.append("header \(name.debugDescription) not added: not a valid field name")
            return nil
        }
        // The usual case, checked in one pass over the bytes.
        if isAlreadySafe(value) { return value }
        let cleaned = safeValue(value)
        // A CRLF fold becoming a LF fold is no news; anything else is.
        if cleaned != value.substituting("\r\n", with: "\n") {
            log.append("header \(name): control characters in the value replaced by spaces")
        }
        return cleaned
    }

    /// RFC 5322 field name: one or more printable ASCII characters but `:`.
    static func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }
    }

    /// Whether `safeValue` would return `value` unchanged: no control
    /// character but a LF followed by a space or tab, and tabs only in the
    /// white space that starts a continuation line (C1 controls are two
    /// bytes in UTF-8, 0xC2 then 0x80...0x9F).
    static func isAlreadySafe(_ value: String) -> Bool {
        var atLineStart = false
        var previous: UInt8 = 0
        var iterator = value.utf8.makeIterator()
        var next = iterator.next()
        while let byte = next {
            let following = iterator.next()
            switch byte {
            case 0x0A:
                guard following == 0x20 || following == 0x09 else { return false }
                atLineStart = true
            case 0x09:
                guard atLineStart else { return false }
            case 0x20:
                break
            case 0..<0x20, 0x7F:
                return false
            default:
                if previous == 0xC2 && (0x80...0x9F).contains(byte) { return false }
                atLineStart = false
            }
            previous = byte
            next = following
        }
        return true
    }

    /// `value` with only the milter's folding left among its controls.
    static func safeValue(_ value: String) -> String {
        let scalars = Array(value.unicodeScalars)
        var out = String.UnicodeScalarView()
        // True after a folding LF, until the first non-blank character.
        var atLineStart = false
        func foldsAt(_ index: Int) -> Bool {
            index + 1 < scalars.count && scalars[index] == "\n" && (scalars[index + 1] == " " || scalars[index + 1] == "\t")
        }
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\r" && foldsAt(index + 1) {
                continue
            }
            if foldsAt(index) {
                out.append(scalar)
                atLineStart = true
                continue
            }
            if scalar == "\t" && atLineStart {
                out.append(scalar)
                continue
            }
            out.append(ControlCharacters.isControl(scalar) ? " " : scalar)
            atLineStart = atLineStart && scalar == " "
        }
        return String(out)
    }
}
