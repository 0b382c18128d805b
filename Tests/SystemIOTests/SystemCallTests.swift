#if canImport(Glibc)
import Glibc
#endif
import IPC
import SystemIO
import Testing

/// The one syscall wrapper: EINTR retried, partial writes completed, a
/// full non-blocking socket handled as the caller asks, errors carrying
/// the call's name and errno. The retry logic is driven through the
/// injectable closures; the rest over real pipes and socketpairs.
@Suite struct SystemCallTests {
    // MARK: The error

    @Test func errorCarriesCallAndErrnoAndDescribesItself() {
        let error = SystemIOError(call: "write", errno: EPIPE)
        #expect(error.call == "write")
        #expect(error.errno == EPIPE)
        #expect(error.reason == "Broken pipe")
        #expect(error.description == "write failed: Broken pipe")
        #expect("\(error)" == "write failed: Broken pipe")
        #expect(SystemIOError(call: "recv", errno: EAGAIN).wouldBlock)
        #expect(!error.wouldBlock)
    }

    @Test func lastTakesTheThreadsErrno() {
        errno = ENOENT
        #expect(SystemIOError.last("open") == SystemIOError(call: "open", errno: ENOENT))
    }

    @Test func textForAnUnknownCodeStillSaysSomething() {
        #expect(!SystemIOError.text(for: 99_999).isEmpty)
    }

    // MARK: retryingOnInterrupt

    @Test func interruptedCallsAreRetried() throws {
        var calls = 0
        let result = try SystemCall.retryingOnInterrupt("read") { () -> Int in
            calls += 1
            if calls < 3 { errno = EINTR; return -1 }
            return 7
        }
        #expect(result == 7)
        #expect(calls == 3)
    }

    @Test func otherFailuresAreThrownWithTheCallsName() {
        var calls = 0
        #expect(throws: SystemIOError(call: "read", errno: EBADF)) {
            try SystemCall.retryingOnInterrupt("read") { () -> Int32 in
                calls += 1
                errno = EBADF
                return -1
            }
        }
        #expect(calls == 1)
    }

    @Test func aRealFailureCarriesErrno() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        close(fds[1])
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(throws: SystemIOError(call: "read", errno: EBADF)) {
            try SystemCall.readSome(fd: fds[0], into: &buffer)
        }
    }

    // MARK: writeAll

    @Test func partialAndInterruptedWritesAreCompleted() throws {
        let bytes = Array(0..<100).map { UInt8($0) }
        var written: [UInt8] = []
        var calls = 0
        let count = try SystemCall.writeAll("write", fd: -1, bytes: bytes, from: 0) { rest in
            calls += 1
            // Every third call is interrupted; the others take 7 bytes.
            if calls % 3 == 0 { errno = EINTR; return -1 }
            let n = min(7, rest.count)
            written.append(contentsOf: rest.prefix(n))
            return n
        }
        #expect(count == 100)
        #expect(written == bytes)
    }

    @Test func writeAllStartsAtTheOffset() throws {
        var written: [UInt8] = []
        let count = try SystemCall.writeAll("write", fd: -1, bytes: [1, 2, 3, 4, 5], from: 2) { rest in
            written.append(contentsOf: rest)
            return rest.count
        }
        #expect(count == 3)
        #expect(written == [3, 4, 5])
    }

    @Test func aWriteOfNothingIsABrokenPipe() {
        #expect(throws: SystemIOError(call: "send", errno: EPIPE)) {
            try SystemCall.writeAll("send", fd: -1, bytes: [1, 2, 3], from: 0) { _ in 0 }
        }
    }

    @Test func fullBufferHandledAsAsked() throws {
        var calls = 0
        let full: (UnsafeRawBufferPointer) -> Int = { rest in
            calls += 1
            if calls == 1 { return min(2, rest.count) }
            errno = EAGAIN
            return -1
        }
        #expect(try SystemCall.writeAll("send", fd: -1, bytes: [1, 2, 3, 4], from: 0, whenFull: .stop, using: full) == 2)
        calls = 0
        #expect(throws: SystemIOError(call: "send", errno: EAGAIN)) {
            try SystemCall.writeAll("send", fd: -1, bytes: [1, 2, 3, 4], from: 0, whenFull: .fail, using: full)
        }
        calls = 0
        #expect(throws: SystemIOError.deadlinePassed) {
            try SystemCall.writeAll("send", fd: -1, bytes: [1, 2, 3, 4], from: 0, whenFull: .wait(until: monotonicSeconds() - 1), using: full)
        }
    }

    @Test func pipeRoundTrip() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let message = Array("one line\n".utf8)
        #expect(try SystemCall.writeAll(fd: fds[1], bytes: message) == message.count)
        close(fds[1])
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = try SystemCall.readSome(fd: fds[0], into: &buffer, limit: 4)
        #expect(n == 4)
        #expect(Array(buffer[0..<4]) == Array(message[0..<4]))
        let rest = try SystemCall.readSome(fd: fds[0], into: &buffer)
        #expect(Array(buffer[0..<rest]) == Array(message[4...]))
        #expect(try SystemCall.readSome(fd: fds[0], into: &buffer) == 0)
    }

    /// A non-blocking socketpair nobody reads: `.stop` returns what fit,
    /// a wait with a deadline gives up at it, `recv` says would-block.
    @Test func fullSocketStopsOrTimesOut() throws {
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let big = [UInt8](repeating: 0x61, count: 8 << 20)
        let sent = try SystemCall.sendAll(socket: fds[0], bytes: big, whenFull: .stop)
        #expect(sent > 0 && sent < big.count)
        let start = monotonicSeconds()
        #expect(throws: SystemIOError.deadlinePassed) {
            try SystemCall.sendAll(socket: fds[0], bytes: big, whenFull: .wait(until: monotonicSeconds() + 0.2))
        }
        #expect(monotonicSeconds() - start >= 0.15)
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(throws: SystemIOError(call: "recv", errno: EAGAIN)) {
            try SystemCall.receiveSome(socket: fds[0], into: &buffer)
        }
    }

    @Test func sendToAClosedPeerIsAnErrorNotASignal() {
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        close(fds[1])
        defer { close(fds[0]) }
        #expect(throws: SystemIOError(call: "send", errno: EPIPE)) {
            try SystemCall.sendAll(socket: fds[0], bytes: [1, 2, 3])
        }
    }

    // MARK: poll

    @Test func pollWithADeadline() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var polled = [pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)]
        // Nothing to read: 0 once the deadline has passed (a past one polls once).
        #expect(try SystemCall.poll(&polled, deadline: monotonicSeconds() + 0.05) == 0)
        #expect(try SystemCall.poll(&polled, deadline: monotonicSeconds() - 1) == 0)
        _ = try SystemCall.writeAll(fd: fds[1], bytes: [1])
        #expect(try SystemCall.poll(&polled, deadline: monotonicSeconds() - 1) == 1)
        #expect(try SystemCall.poll(&polled, timeoutMilliseconds: 0) == 1)
        #expect(SystemCall.milliseconds(0) == 0)
        #expect(SystemCall.milliseconds(0.0001) == 1)
    }

    @Test func pollWithATimeoutFinerThanAMillisecond() throws {
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        var polled = [pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)]
        // Nothing to read: 0 after the whole timeout, fractions included.
        let start = monotonicSeconds()
        #expect(try SystemCall.poll(&polled, timeoutSeconds: 0.0003) == 0)
        #expect(try SystemCall.poll(&polled, timeoutSeconds: 1.004) == 0)
        #expect(monotonicSeconds() - start >= 1.0043)
        #expect(try SystemCall.poll(&polled, timeoutSeconds: -5) == 0)
        _ = try SystemCall.writeAll(fd: fds[1], bytes: [1])
        #expect(try SystemCall.poll(&polled, timeoutSeconds: 10) == 1)
        #expect(polled[0].revents & Int16(POLLIN) != 0)
    }
}
