import IPC
import Testing

/// The typed decoders of every channel direction, as pure values: every
/// kind decodes, every limit and descriptor rule is enforced with its own
/// error, and the buffer never holds more than the largest frame.
@Suite struct IPCInboxTests {
    /// Every message of `Kind` with a payload of its full limit (and a
    /// descriptor where it carries one) decodes to itself.
    func everyKindDecodes<Kind: IPCMessageKind>(_ type: Kind.Type) throws {
        for kind in Kind.allKinds {
            var inbox = IPCInbox(receiving: Kind.self)
            let payload = [UInt8](repeating: 0x61, count: min(kind.maximumPayload, 70_000))
            let bytes = IPCFrame(kind, payload: payload).encoded()
            var offset = 0
            var descriptor: Int32 = kind.carriesDescriptor ? 42 : -1
            while offset < bytes.count {
                let n = min(inbox.readCapacity, 65536, bytes.count - offset)
                try inbox.append(bytes[offset..<(offset + n)], descriptor: descriptor)
                descriptor = -1
                offset += n
            }
            let message = try #require(try inbox.next(Kind.self), "\(kind.name)")
            #expect(message == IPCMessage(kind: kind, payload: payload, descriptor: kind.carriesDescriptor ? 42 : -1))
            #expect(inbox.bufferedBytes == 0)
            #expect(try inbox.next(Kind.self) == nil)
        }
    }

    @Test func everyKindOfEveryDirectionDecodes() throws {
        try everyKindDecodes(MasterToWorker.self)
        try everyKindDecodes(WorkerToMaster.self)
        try everyKindDecodes(MasterToHelper.self)
        try everyKindDecodes(WorkerToSpool.self)
        try everyKindDecodes(SpoolToWorker.self)
        try everyKindDecodes(WorkerToDNSHelper.self)
        try everyKindDecodes(DNSHelperToWorker.self)
        try everyKindDecodes(WorkerToScanner.self)
        try everyKindDecodes(ScannerToWorker.self)
    }

    /// Kind codes are unique across all channels: a frame sent on the
    /// wrong channel is an unknown kind there.
    @Test func kindCodesAreUniqueAcrossChannels() {
        var codes: [UInt8] = []
        codes += MasterToWorker.allKinds.map(\.code)
        codes += WorkerToMaster.allKinds.map(\.code)
        codes += MasterToHelper.allKinds.map(\.code)
        codes += HelperToMaster.allKinds.map(\.code)
        codes += WorkerToSpool.allKinds.map(\.code)
        codes += SpoolToWorker.allKinds.map(\.code)
        codes += WorkerToDNSHelper.allKinds.map(\.code)
        codes += DNSHelperToWorker.allKinds.map(\.code)
        codes += WorkerToScanner.allKinds.map(\.code)
        codes += ScannerToWorker.allKinds.map(\.code)
        codes += ConfigurationCheckToMaster.allKinds.map(\.code)
        #expect(Set(codes).count == codes.count)
    }

    @Test func theLimitsAreThoseDocumented() {
        #expect(WorkerToMaster.maximumFrameBytes == 5 + 65_536)
        #expect(WorkerToMaster.done.maximumPayload == 0)
        #expect(!WorkerToMaster.carriesDescriptors)
        #expect(HelperToMaster.maximumFrameBytes == 5 + 256)
        #expect(MasterToHelper.errorReport.maximumPayload == 32 * 1024)
        #expect(WorkerToSpool.errorReport.maximumPayload == 32 * 1024)
        #expect(MasterToWorker.connection.maximumPayload == 4096)
        #expect(MasterToWorker.configuration.maximumPayload == 64 << 20)
        #expect(MasterToHelper.newChannel.maximumPayload == 0)
        #expect(WorkerToSpool.maximumFrameBytes == 5 + 60 * 1024)
        #expect(SpoolToWorker.maximumFrameBytes == 5 + 32 * 1024)
        #expect(SpoolToWorker.resendUnacknowledged.maximumPayload == 0)
        #expect(!SpoolToWorker.carriesDescriptors)
        #expect(WorkerToDNSHelper.maximumFrameBytes == 5 + 1034)
        #expect(DNSHelperToWorker.maximumFrameBytes == 5 + (16 << 20))
        #expect(WorkerToScanner.maximumFrameBytes == 5 + 4 + (25 << 20))
        #expect(WorkerToScanner.scan.maximumPayload == 4 + 4 + 255 + (4 << 20))
        #expect(WorkerToScanner.rspamdScan.maximumPayload == 4 + 6 * 1028 + 4 + 1000 * 1028 + (4 << 20))
        #expect(ScannerToWorker.rspamdResult.maximumPayload == 4 + 1 + 4 + 64 + 16 + 1 + 4 + 1024)
        #expect(ScannerToWorker.clamdResult.maximumPayload == 4 + 1 + 1 + 4 + 1024)
        #expect(ScannerToWorker.maximumFrameBytes == 5 + 4 + 1 + 4 + 64 + 16 + 4 + 65536)
        #expect(!WorkerToScanner.carriesDescriptors && !ScannerToWorker.carriesDescriptors)
    }

    /// The bytes of a length header and a kind byte.
    static func header(length: Int, kind: UInt8) -> [UInt8] {
        [UInt8(truncatingIfNeeded: length >> 24), UInt8(truncatingIfNeeded: length >> 16),
         UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length), kind]
    }

    func violation<Kind: IPCMessageKind>(_ type: Kind.Type, _ reads: [([UInt8], Int32)]) -> IPCError? {
        var inbox = IPCInbox(receiving: Kind.self)
        do {
            for (bytes, descriptor) in reads {
                try inbox.append(bytes[...], descriptor: descriptor)
                while try inbox.next(Kind.self) != nil {}
            }
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownKindsAreRefused() {
        #expect(violation(WorkerToMaster.self, [(Self.header(length: 1, kind: 99), -1)]) == .unknownKind(99))
        // A master-to-worker kind sent back by a worker.
        #expect(violation(WorkerToMaster.self, [(Self.header(length: 1, kind: MasterToWorker.shutdown.code), -1)]) == .unknownKind(3))
        // Helpers send the master nothing at all.
        #expect(violation(HelperToMaster.self, [(Self.header(length: 1, kind: WorkerToMaster.ready.code), -1)]) == .unknownKind(10))
        #expect(violation(WorkerToSpool.self, [(Self.header(length: 4, kind: 1), -1)]) == .unknownKind(1))
        #expect(violation(WorkerToMaster.self, [([0, 0, 0, 0], -1)]) == .emptyFrame)
    }

    /// The length header alone is enough: nothing of the payload has to
    /// arrive for the refusal.
    @Test func oversizedMessagesAreRefusedFromTheirHeader() {
        #expect(violation(WorkerToMaster.self, [(Self.header(length: (64 << 20) + 1, kind: WorkerToMaster.done.code), -1)])
                == .tooLarge(kind: "done", payload: 64 << 20, limit: 0))
        #expect(violation(WorkerToMaster.self, [(Self.header(length: 2, kind: WorkerToMaster.ready.code), -1)])
                == .tooLarge(kind: "ready", payload: 1, limit: 0))
        #expect(violation(MasterToWorker.self, [(Self.header(length: 4098, kind: MasterToWorker.connection.code), 7)])
                == .tooLarge(kind: "connection", payload: 4097, limit: 4096))
        #expect(violation(MasterToHelper.self, [(Self.header(length: 2, kind: MasterToHelper.newChannel.code), 7)])
                == .tooLarge(kind: "new channel", payload: 1, limit: 0))
        #expect(violation(WorkerToSpool.self, [(Self.header(length: 60 * 1024 + 2, kind: WorkerToSpool.reportRow.code), -1)])
                == .tooLarge(kind: "report row", payload: 60 * 1024 + 1, limit: 60 * 1024))
        #expect(violation(WorkerToDNSHelper.self, [(Self.header(length: 1036, kind: WorkerToDNSHelper.query.code), -1)])
                == .tooLarge(kind: "query", payload: 1035, limit: 1034))
        #expect(violation(DNSHelperToWorker.self, [(Self.header(length: (16 << 20) + 2, kind: DNSHelperToWorker.answer.code), -1)])
                == .tooLarge(kind: "answer", payload: (16 << 20) + 1, limit: 16 << 20))
        // Exactly at the limit is fine.
        #expect(violation(WorkerToDNSHelper.self, [(Self.header(length: 1035, kind: WorkerToDNSHelper.query.code), -1)]) == nil)
    }

    @Test func descriptorsWhereNoneBelongAreRefused() {
        // A direction without descriptors refuses one on arrival, with or
        // without bytes that would make a valid message.
        #expect(violation(WorkerToMaster.self, [(IPCFrame(WorkerToMaster.done).encoded(), 9)]) == .unexpectedDescriptor(kind: nil))
        #expect(violation(WorkerToSpool.self, [(Self.header(length: 1, kind: 40), 9)]) == .unexpectedDescriptor(kind: nil))
        // On a direction with descriptors, a message that carries none.
        #expect(violation(MasterToWorker.self, [(IPCFrame(MasterToWorker.shutdown).encoded(), 9)])
                == .unexpectedDescriptor(kind: "shutdown"))
        #expect(violation(MasterToHelper.self, [(IPCFrame(MasterToHelper.reloadedConfiguration, payload: [1]).encoded(), 9)])
                == .unexpectedDescriptor(kind: "reloaded configuration"))
        // A descriptor that arrived in the middle of a frame belongs to no
        // frame: refused when the next frame is taken.
        let shutdown = IPCFrame(MasterToWorker.shutdown).encoded()
        #expect(violation(MasterToWorker.self, [(Array(shutdown[0..<3]), -1), (Array(shutdown[3...]), 6), (shutdown, -1)])
                == .unexpectedDescriptor(kind: "shutdown"))
    }

    @Test func missingDescriptorsAreRefused() {
        #expect(violation(MasterToWorker.self, [(IPCFrame(MasterToWorker.connection, payload: [0x61]).encoded(), -1)])
                == .missingDescriptor(kind: "connection"))
        #expect(violation(MasterToHelper.self, [(IPCFrame(MasterToHelper.newChannel).encoded(), -1)])
                == .missingDescriptor(kind: "new channel"))
    }

    /// A descriptor goes to the frame it was sent with, even when frames
    /// without one arrive in the same read before it.
    @Test func descriptorsGoToTheirOwnFrame() throws {
        var inbox = IPCInbox(receiving: MasterToWorker.self)
        let read = IPCFrame(MasterToWorker.configuration, payload: [1, 2]).encoded()
            + IPCFrame(MasterToWorker.connection, payload: Array("unix:/s".utf8)).encoded()
        try inbox.append(read[...], descriptor: 11)
        #expect(try inbox.next(MasterToWorker.self) == IPCMessage(kind: .configuration, payload: [1, 2]))
        #expect(try inbox.next(MasterToWorker.self) == IPCMessage(kind: .connection, payload: Array("unix:/s".utf8), descriptor: 11))
        // The next connection's descriptor arrives with its first bytes only.
        let next = IPCFrame(MasterToWorker.connection, payload: Array("inet:25@x".utf8)).encoded()
        try inbox.append(next[0..<6], descriptor: 12)
        #expect(try inbox.next(MasterToWorker.self) == nil)
        try inbox.append(next[6...])
        #expect(try inbox.next(MasterToWorker.self) == IPCMessage(kind: .connection, payload: Array("inet:25@x".utf8), descriptor: 12))
        #expect(inbox.takeUnclaimedDescriptors() == [])
    }

    /// After a violation the owner closes what was received and not handed
    /// out.
    @Test func unclaimedDescriptorsAreHandedBackForClosing() {
        var inbox = IPCInbox(receiving: MasterToWorker.self)
        #expect(throws: IPCError.tooLarge(kind: "connection", payload: 9999, limit: 4096)) {
            try inbox.append(Self.header(length: 10000, kind: MasterToWorker.connection.code)[...], descriptor: 13)
        }
        #expect(inbox.takeUnclaimedDescriptors() == [13])
    }

    /// The buffer holds at most the largest frame of the direction: a
    /// worker can make the master hold one metrics delta (64 KiB + 5),
    /// never 64 MiB.
    @Test func theBufferNeverExceedsTheLargestFrame() throws {
        let largest = 5 + WorkerToMaster.metricsMaximumPayload
        var inbox = IPCInbox(receiving: WorkerToMaster.self)
        #expect(inbox.readCapacity == largest)
        try inbox.append(IPCFrame(WorkerToMaster.ready).encoded()[0..<3])
        #expect(inbox.readCapacity == largest - 3)
        try inbox.append(IPCFrame(WorkerToMaster.ready).encoded()[3...])
        #expect(inbox.readCapacity == largest - 5)
        #expect(try inbox.next(WorkerToMaster.self)?.kind == .ready)
        #expect(inbox.readCapacity == largest)
        var spool = IPCInbox(receiving: WorkerToSpool.self)
        #expect(spool.readCapacity == 5 + 60 * 1024)
        try spool.append(IPCFrame(WorkerToSpool.reportRow, payload: [1]).encoded()[...])
        #expect(spool.readCapacity == 5 + 60 * 1024 - 6)
    }

    /// SOCK_SEQPACKET (the worker–spool channel): each read is one whole
    /// packet, which must be whole frames; the header rules still apply.
    @Test func packetsMustBeWholeFrames() throws {
        var inbox = IPCInbox(receiving: WorkerToSpool.self)
        let row = IPCFrame(WorkerToSpool.reportRow, payload: Array("{}".utf8)).encoded()
        try inbox.appendPacket((row + row)[...])
        #expect(try inbox.next(WorkerToSpool.self)?.payload == Array("{}".utf8))
        #expect(try inbox.next(WorkerToSpool.self)?.payload == Array("{}".utf8))
        #expect(try inbox.next(WorkerToSpool.self) == nil)

        func refused(_ packet: [UInt8]) -> IPCError? {
            var inbox = IPCInbox(receiving: WorkerToSpool.self)
            do { try inbox.appendPacket(packet[...]); return nil } catch { return error }
        }
        // A frame cut across packets, a packet with a stray tail.
        #expect(refused(Array(row.dropLast())) == .notWholeFrames(bytes: row.count - 1))
        #expect(refused(row + [0, 0]) == .notWholeFrames(bytes: row.count + 2))
        // A packet the kernel cut at the read size (largest frame + 1):
        // a full row and the start of another.
        let full = IPCFrame(WorkerToSpool.reportRow, payload: [UInt8](repeating: 0x20, count: WorkerToSpool.maximumRowBytes)).encoded()
        #expect(refused(full + [0]) == .notWholeFrames(bytes: full.count + 1))
        // A row over the limit sent whole, cut to the read size: its header
        // says why.
        let over = IPCFrame(WorkerToSpool.reportRow, payload: [UInt8](repeating: 0x20, count: WorkerToSpool.maximumRowBytes + 1)).encoded()
        #expect(refused(over) == .tooLarge(kind: "report row", payload: WorkerToSpool.maximumRowBytes + 1, limit: WorkerToSpool.maximumRowBytes))
        // Unknown kinds and oversized headers as on a stream.
        #expect(refused(IPCFrame(SpoolToWorker.acknowledged).encoded()) == .unknownKind(41))
        #expect(refused(Self.header(length: 60 * 1024 + 2, kind: 40)) == .tooLarge(kind: "report row", payload: 60 * 1024 + 1, limit: 60 * 1024))
        #expect(refused(Self.header(length: 0, kind: 40)) == .emptyFrame)
    }
}
