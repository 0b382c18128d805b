@testable import IPC
import Testing

@Suite struct SpoolAcknowledgementTests {
    static func id(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 32 - hex.count) + hex
    }

    @Test func idsRoundTripThroughOneFrame() throws {
        let ids = (1...3).map(Self.id)
        let frames = SpoolAcknowledgement.frames(for: ids)
        #expect(frames.count == 1)
        #expect(frames[0].kind == SpoolToWorker.acknowledged.code)
        #expect(frames[0].payload.count == 3 * 32)
        #expect(try SpoolAcknowledgement.ids(in: frames[0].payload) == ids)
    }

    @Test func manyIdsAreSplitSoEachFrameFitsOneMessage() throws {
        let ids = (0..<2500).map(Self.id)
        let frames = SpoolAcknowledgement.frames(for: ids)
        #expect(frames.count == 3)
        #expect(frames.allSatisfy { $0.encoded().count <= SpoolToWorker.maximumFrameBytes })
        #expect(frames.allSatisfy { $0.encoded().count <= 64 * 1024 })
        #expect(try frames.flatMap { try SpoolAcknowledgement.ids(in: $0.payload) } == ids)
    }

    @Test func nothingToAcknowledgeIsNoFrame() {
        #expect(SpoolAcknowledgement.frames(for: []).isEmpty)
        // Not a row id: never acknowledged.
        #expect(SpoolAcknowledgement.frames(for: ["short"]).isEmpty)
    }

    @Test func aTruncatedPayloadIsRefused() {
        #expect(throws: SpoolAcknowledgement.DecodeError.self) {
            try SpoolAcknowledgement.ids(in: Array(Self.id(1).utf8.dropLast()))
        }
    }

    @Test func aRowFrameFitsOneMessage() {
        let frame = IPCFrame(WorkerToSpool.reportRow, payload: [UInt8](repeating: 0x20, count: WorkerToSpool.maximumRowBytes))
        #expect(frame.encoded().count <= WorkerToSpool.maximumFrameBytes)
        #expect(frame.encoded().count <= 64 * 1024)
    }
}
