#if canImport(Glibc)
import Glibc
#endif
import Testing
import Shared
import CShim

/// IPCChannel over a real socketpair, playing a hostile worker that
/// passes descriptors to the master: each is closed as it arrives, so the
/// receiving process's descriptor table does not grow.
@Suite(.serialized) struct IPCChannelDescriptorTests {
    static func openDescriptors() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return -1 }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return count
    }

    @Test func descriptorsFromAWorkerAreClosedAtOnce() throws {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
        defer { close(fds[1]) }
        let master = IPCChannel(fd: fds[0], receiving: WorkerToMaster.self)
        let before = Self.openDescriptors()
        // 200 `done` messages, each with a descriptor (a dup of stdin).
        var sent = 0
        for _ in 0..<200 {
            let passed = dup(0)
            let frame = IPCFrame(WorkerToMaster.done).encoded()
            if frame.withUnsafeBytes({ am_send_with_fd(fds[1], $0.baseAddress, $0.count, passed) }) == frame.count { sent += 1 }
            close(passed)
        }
        #expect(sent == 200)
        var messages = 0
        while master.fill() {
            while master.nextMessage(WorkerToMaster.self) != nil { messages += 1 }
        }
        #expect(messages == 0)
        #expect(master.violation == .unexpectedDescriptor(kind: nil))
        #expect(master.isClosed)
        // The first descriptor was closed on arrival; the rest are still in
        // the socket, not in this process.
        #expect(Self.openDescriptors() == before)
        close(fds[0])
    }

    /// A master-to-worker channel takes a connection with its socket, and
    /// refuses a descriptor sent with a shutdown message (closing it).
    @Test func aDescriptorGoesWithItsMessageOrIsClosed() throws {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        let worker = IPCChannel(fd: fds[1], receiving: MasterToWorker.self)
        let master = IPCChannel(fd: fds[0], receiving: WorkerToMaster.self)
        let before = Self.openDescriptors()
        let passed = dup(0)
        #expect(master.send(MasterToWorker.connection, payload: Array("inet:25@h".utf8), descriptor: passed))
        close(passed)
        let message = try #require(worker.receive(MasterToWorker.self, timeoutMilliseconds: 1000))
        #expect(message.kind == .connection)
        #expect(message.descriptor >= 0)
        close(message.descriptor)
        let stray = dup(0)
        #expect(master.send(MasterToWorker.shutdown, descriptor: stray))
        close(stray)
        #expect(worker.receive(MasterToWorker.self, timeoutMilliseconds: 1000) == nil)
        #expect(worker.violation == .unexpectedDescriptor(kind: "shutdown"))
        #expect(Self.openDescriptors() == before)
        close(fds[1])
    }
}
