@testable import IPC
@testable import MailAuth

/// Bytes from a socketpair between our processes, read by each direction's
/// typed inbox (`IPCInbox`) as the receiving process reads them: a message
/// that is accepted re-encodes to a frame that decodes to the same
/// message; inside them, a DNS message, a scan message or a report row
/// re-encodes to one that decodes the same. A refused frame (unknown kind, over the limit) is
/// fine; a trap is a finding.
enum IPCFrameTarget {
    static let target = FuzzTarget(name: "ipc-frame", run: run)

    static func run(_ input: [UInt8]) {
        read(input, as: WorkerToMaster.self)
        read(input, as: MasterToWorker.self)
        read(input, as: MasterToHelper.self)
        read(input, as: WorkerToDNSHelper.self)
        read(input, as: DNSHelperToWorker.self)
        read(input, as: WorkerToSpool.self)
        read(input, as: SpoolToWorker.self)
        read(input, as: WorkerToScanner.self)
        read(input, as: ScannerToWorker.self)
    }

    static func read<Kind: IPCMessageKind>(_ input: [UInt8], as kind: Kind.Type) {
        var inbox = IPCInbox(receiving: kind)
        var offset = 0
        while true {
            // As the channel reads: never more than the inbox has room for.
            let room = inbox.readCapacity
            if offset < input.count && room > 0 {
                let end = min(input.count, offset + room)
                do { try inbox.append(input[offset..<end]) } catch { return }
                offset = end
            }
            let message: IPCMessage<Kind>?
            do { message = try inbox.next(kind) } catch { return }
            guard let message else {
                if offset >= input.count || inbox.readCapacity == 0 { return }
                continue
            }
            fuzzCheck(inbox.bufferedBytes <= Kind.maximumFrameBytes, "inbox holds more than one frame of \(Kind.direction)")
            roundTrip(message)
            inner(IPCFrame(kind: message.kind.code, payload: message.payload))
        }
    }

    static func roundTrip<Kind: IPCMessageKind>(_ message: IPCMessage<Kind>) {
        var again = IPCInbox(receiving: Kind.self)
        let bytes = IPCFrame(kind: message.kind.code, payload: message.payload).encoded()
        do {
            try again.append(bytes[...])
            let decoded = try again.next(Kind.self)
            fuzzCheck(decoded?.kind == message.kind && decoded?.payload == message.payload,
                      "\(Kind.direction): \(message.kind.name) does not re-decode")
        } catch {
            fuzzCheck(false, "\(Kind.direction): \(message.kind.name) re-encoded is refused: \(error)")
        }
    }

    static func inner(_ frame: IPCFrame) {
        if let message = try? DNSIPCMessage(frame: frame) {
            let again = try? DNSIPCMessage(frame: message.frame)
            fuzzCheck(again == message, "DNS message \(message) re-decodes as \(String(describing: again))")
        }
        if let message = try? ScanIPCMessage(frame: frame) {
            // Compared as frames: a score may be NaN, which is not equal to itself.
            let again = try? ScanIPCMessage(frame: message.frame)
            fuzzCheck(again?.frame == message.frame, "scan message \(message) re-decodes as \(String(describing: again))")
        }
        if frame.kind == WorkerToSpool.reportRow.code {
            let text = String(decoding: frame.payload, as: UTF8.self)
            if let row = try? DMARCReportRow(jsonText: text) {
                let again = try? DMARCReportRow(jsonText: row.jsonText)
                fuzzCheck(again == row, "report row \(row.jsonText) re-decodes differently")
            }
        }
    }
}
