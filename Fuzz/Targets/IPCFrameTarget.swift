@testable import MailAuth
@testable import Shared

/// Bytes from a socketpair between our processes: frames, then the DNS
/// helper's messages and the spool's report rows inside them. A decoded
/// frame re-encodes to exactly the bytes it came from; a decoded DNS
/// message or report row re-encodes to one that decodes the same.
enum IPCFrameTarget {
    static let target = FuzzTarget(name: "ipc-frame", run: run)

    static func run(_ input: [UInt8]) {
        var buffer = input
        var consumed = 0
        while true {
            let before = buffer.count
            let frame: IPCFrame?
            do {
                frame = try IPCFrame.decode(from: &buffer)
            } catch {
                return
            }
            guard let frame else { return }
            let used = before - buffer.count
            fuzzCheck(Array(input[consumed..<(consumed + used)]) == frame.encoded(), "frame does not re-encode to its bytes")
            consumed += used
            message(frame)
        }
    }

    static func message(_ frame: IPCFrame) {
        if let message = try? DNSIPCMessage(frame: frame) {
            let again = try? DNSIPCMessage(frame: message.frame)
            fuzzCheck(again == message, "DNS message \(message) re-decodes as \(String(describing: again))")
        }
        if frame.kind == SpoolIPC.reportRow {
            let text = String(decoding: frame.payload, as: UTF8.self)
            if let row = try? DMARCReportRow(jsonText: text) {
                let again = try? DMARCReportRow(jsonText: row.jsonText)
                fuzzCheck(again == row, "report row \(row.jsonText) re-decodes differently")
            }
        }
    }
}
