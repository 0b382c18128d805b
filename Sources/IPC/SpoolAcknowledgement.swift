/// The payload of a `SpoolToWorker.acknowledged` message: row ids (32 lowercase
/// hex digits each, as `DMARCReportRow` checks them) one after another,
/// no separator. Pure value code: no I/O here.
public enum SpoolAcknowledgement {
    public static let idLength = 32
    /// 32 KiB of ids per frame: well inside one channel message.
    public static let maximumIDsPerFrame = 1024

    public struct DecodeError: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The frames that acknowledge `ids`, in order. An id that is not 32
    /// characters cannot be a row the spool decoded; it is left out.
    public static func frames(for ids: [String]) -> [IPCFrame] {
        var frames: [IPCFrame] = []
        var payload: [UInt8] = []
        var inPayload = 0
        for id in ids where id.utf8.count == idLength {
            payload += id.utf8
            inPayload += 1
            if inPayload == maximumIDsPerFrame {
                frames.append(IPCFrame(SpoolToWorker.acknowledged, payload: payload))
                payload = []
                inPayload = 0
            }
        }
        if inPayload > 0 { frames.append(IPCFrame(SpoolToWorker.acknowledged, payload: payload)) }
        return frames
    }

    public static func ids(in payload: [UInt8]) throws(DecodeError) -> [String] {
        guard payload.count % idLength == 0 else {
            throw DecodeError(description: "acknowledgement of \(payload.count) bytes is not a whole number of ids")
        }
        return stride(from: 0, to: payload.count, by: idLength).map {
            String(decoding: payload[$0..<($0 + idLength)], as: UTF8.self)
        }
    }
}
