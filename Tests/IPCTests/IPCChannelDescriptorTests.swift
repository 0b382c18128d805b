#if canImport(Glibc)
import Glibc
#endif
import CShim
import IPC
import Testing

/// IPCChannel over a real socketpair, playing a hostile worker that
/// passes descriptors to the master: each is closed as it arrives, so the
/// receiving process's descriptor table does not grow.
///
/// The descriptors passed are copies of a pipe's write end: once every copy
/// is closed the read end sees end of file, which shows precisely that the
/// receiver kept none (counting /proc/self/fd would race with the other
/// tests of this process).
@Suite(.serialized) struct IPCChannelDescriptorTests {
    /// A pipe: (read end, write end).
    static func pipeEnds() throws -> (Int32, Int32) {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        return (ends[0], ends[1])
    }

    /// Whether every copy of the pipe's write end is closed: its read end
    /// reports end of file (within a second).
    static func allWritersClosed(_ readEnd: Int32) -> Bool {
        var p = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 1000) == 1 else { return false }
        var byte: UInt8 = 0
        return read(readEnd, &byte, 1) == 0
    }

    @Test func descriptorsFromAWorkerAreClosedAtOnce() throws {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
        let master = IPCChannel(fd: fds[0], receiving: WorkerToMaster.self)
        let (readEnd, writeEnd) = try Self.pipeEnds()
        defer { close(readEnd) }
        // 200 `done` messages, each with a descriptor (a copy of the write end).
        var sent = 0
        for _ in 0..<200 {
            let passed = dup(writeEnd)
            let frame = IPCFrame(WorkerToMaster.done).encoded()
            if frame.withUnsafeBytes({ am_send_with_fd(fds[1], $0.baseAddress, $0.count, passed) }) == frame.count { sent += 1 }
            close(passed)
        }
        close(writeEnd)
        #expect(sent == 200)
        var messages = 0
        while master.fill() {
            while master.nextMessage(WorkerToMaster.self) != nil { messages += 1 }
        }
        #expect(messages == 0)
        #expect(master.violation == .unexpectedDescriptor(kind: nil))
        #expect(master.isClosed)
        // The first descriptor was closed on arrival; the rest go with the
        // socket once it is closed. None is left in this process.
        close(fds[0])
        close(fds[1])
        #expect(Self.allWritersClosed(readEnd), "a passed descriptor was kept open")
    }

    /// A master-to-worker channel takes a connection with its socket, and
    /// refuses a descriptor sent with a shutdown message (closing it).
    @Test func aDescriptorGoesWithItsMessageOrIsClosed() throws {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        let worker = IPCChannel(fd: fds[1], receiving: MasterToWorker.self)
        let master = IPCChannel(fd: fds[0], receiving: WorkerToMaster.self)
        let passed = dup(0)
        #expect(master.send(MasterToWorker.connection, payload: Array("inet:25@h".utf8), descriptor: passed))
        close(passed)
        let message = try #require(worker.receive(MasterToWorker.self, timeoutMilliseconds: 1000))
        #expect(message.kind == .connection)
        #expect(message.descriptor >= 0)
        close(message.descriptor)
        let (readEnd, stray) = try Self.pipeEnds()
        defer { close(readEnd) }
        #expect(master.send(MasterToWorker.shutdown, descriptor: stray))
        close(stray)
        #expect(worker.receive(MasterToWorker.self, timeoutMilliseconds: 1000) == nil)
        #expect(worker.violation == .unexpectedDescriptor(kind: "shutdown"))
        // Received and refused: the receiver's copy is already closed.
        #expect(Self.allWritersClosed(readEnd), "the stray descriptor was kept open")
        close(fds[1])
    }
}
