/// The file a mix is kept in (`<mix>/messages`): a first line
/// `authmilter-bench mix 1`, then per message a few `key value` lines and
/// the message itself, counted in bytes:
///
///     message rsa-direct
///     client 198.51.100.10 mail.rsa-reject.example
///     helo mail.rsa-reject.example
///     mail-from <alice@rsa-reject.example>
///     rcpt <bob@rcpt.example>
///     expect dkim=pass dmarc=pass spf=pass
///     data 10342
///     <10342 bytes: the message with CRLF line ends>
///
/// (a newline follows the bytes). The count makes any byte possible in a
/// message; everything else is one line of text.
public enum MixFile {
    public static let header = "authmilter-bench mix 1"

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public static func encode(_ messages: [MixMessage]) -> [UInt8] {
        var out = Array((header + "\n").utf8)
        for message in messages {
            var text = "message \(message.kind)\n"
            text += "client \(message.clientAddress) \(message.clientHostname)\n"
            text += "helo \(message.helo)\n"
            text += "mail-from \(message.mailFrom)\n"
            for recipient in message.recipients { text += "rcpt \(recipient)\n" }
            text += "expect \(message.expected)\n"
            text += "data \(message.raw.count)\n"
            out += Array(text.utf8)
            out += message.raw
            out.append(0x0A)
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(Failure) -> [MixMessage] {
        var position = 0
        var lineNumber = 0
        func line() -> String? {
            guard position < bytes.count else { return nil }
            let end = bytes[position...].firstIndex(of: 0x0A) ?? bytes.count
            defer { position = end + 1 }
            lineNumber += 1
            return String(decoding: bytes[position..<end], as: UTF8.self)
        }
        guard line() == header else { throw Failure("not a mix file (the first line is not '\(header)')") }
        var messages: [MixMessage] = []
        var current: MixMessage?
        while let text = line() {
            if text.isEmpty && current == nil { continue }
            let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
            let key = parts.first ?? ""
            let value = parts.count > 1 ? parts[1] : ""
            if key == "message" {
                guard current == nil else { throw Failure("line \(lineNumber): message before the data of the previous one") }
                current = MixMessage(kind: value, clientAddress: "", clientHostname: "", helo: "", mailFrom: "",
                                     recipients: [], expected: MixExpectation(), raw: [])
                continue
            }
            guard var message = current else { throw Failure("line \(lineNumber): '\(key)' outside a message") }
            switch key {
            case "client":
                let words = value.split(separator: " ", maxSplits: 1).map(String.init)
                guard words.count == 2 else { throw Failure("line \(lineNumber): client needs an address and a name") }
                (message.clientAddress, message.clientHostname) = (words[0], words[1])
            case "helo": message.helo = value
            case "mail-from": message.mailFrom = value
            case "rcpt": message.recipients.append(value)
            case "expect":
                guard let expected = MixExpectation.parse(value) else { throw Failure("line \(lineNumber): bad expect '\(value)'") }
                message.expected = expected
            case "data":
                guard let count = Int(value), count >= 0, position + count <= bytes.count else {
                    throw Failure("line \(lineNumber): bad data count '\(value)'")
                }
                message.raw = Array(bytes[position..<position + count])
                position += count
                guard position >= bytes.count || bytes[position] == 0x0A else {
                    throw Failure("line \(lineNumber): the message data is not followed by a newline")
                }
                position += 1
                guard !message.clientAddress.isEmpty, !message.mailFrom.isEmpty, !message.recipients.isEmpty else {
                    throw Failure("line \(lineNumber): message '\(message.kind)' lacks client, mail-from or rcpt")
                }
                messages.append(message)
                current = nil
                continue
            default:
                throw Failure("line \(lineNumber): unknown key '\(key)'")
            }
            current = message
        }
        guard current == nil else { throw Failure("the last message has no data") }
        return messages
    }
}
