#if canImport(Glibc)
import Glibc
#endif
import CShim

/// The one place where system calls are retried on EINTR and written out
/// in full, in the manner of swift-nio's `syscall` and OpenSSH's
/// `atomicio`. It calls nothing but the call it wraps, `poll` (waiting for
/// room) and `clock_gettime` (deadlines), which every sandboxed role
/// already allows (`SyscallPolicy`).
public enum SystemCall {
    /// Calls `body` again while it fails with EINTR; any other failure
    /// (a negative result) is thrown with errno and `call`'s name.
    @discardableResult
    public static func retryingOnInterrupt<Result: BinaryInteger>(_ call: String, _ body: () -> Result) throws(SystemIOError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code != EINTR { throw SystemIOError(call: call, errno: code) }
        }
    }

    /// What `writeAll` does when a non-blocking descriptor is full (EAGAIN).
    public enum WhenFull: Sendable, Equatable {
        /// EAGAIN is an error like any other (a blocking descriptor, a file).
        case fail
        /// Returns what was written so far: the caller queues the rest and
        /// writes again when poll says so.
        case stop
        /// Waits for room with poll, until `deadline` (`monotonicSeconds`;
        /// nil: for ever); past it, `SystemIOError.deadlinePassed`.
        case wait(until: Double?)
        /// Waits for room with poll; each stall without progress may last
        /// `seconds`, then `SystemIOError.deadlinePassed`.
        case waitPerStall(seconds: Double)
    }

    /// Writes all of `bytes` with `write`, which is given what is still
    /// unwritten and returns what one call of the underlying system call
    /// returned (bytes written, or -1 with errno set). Partial writes are
    /// continued, EINTR is retried, EAGAIN is handled as `whenFull` says
    /// (polling `fd`; a deadline passed is `SystemIOError.deadlinePassed`).
    /// A write of nothing (0) is EPIPE, as in atomicio.
    /// Returns the bytes written: all of them but with `.stop`.
    @discardableResult
    public static func writeAll(
        _ call: String,
        fd: Int32,
        bytes: UnsafeRawBufferPointer,
        whenFull: WhenFull = .fail,
        using write: (UnsafeRawBufferPointer) -> Int
    ) throws(SystemIOError) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        var offset = 0
        var lastProgress = whenFull.needsClock ? monotonicSeconds() : 0
        while offset < bytes.count {
            let n = write(UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
            if n > 0 {
                offset += n
                if case .waitPerStall = whenFull { lastProgress = monotonicSeconds() }
                continue
            }
            if n == 0 { throw SystemIOError(call: call, errno: EPIPE) }
            let code = Glibc.errno
            if code == EINTR { continue }
            guard code == EAGAIN || code == EWOULDBLOCK else { throw SystemIOError(call: call, errno: code) }
            switch whenFull {
            case .fail: throw SystemIOError(call: call, errno: code)
            case .stop: return offset
            case .wait(let deadline): try waitForRoom(call, fd: fd, deadline: deadline)
            case .waitPerStall(let seconds): try waitForRoom(call, fd: fd, deadline: lastProgress + seconds)
            }
        }
        return offset
    }

    /// `writeAll` with write(2) of `bytes` from `offset`: a file, a pipe, a
    /// blocking descriptor. Returns the bytes written from `offset`.
    @discardableResult
    public static func writeAll(fd: Int32, bytes: [UInt8], from offset: Int = 0, whenFull: WhenFull = .fail) throws(SystemIOError) -> Int {
        try writeAll("write", fd: fd, bytes: bytes, from: offset, whenFull: whenFull) { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    /// `writeAll` with send(2) and MSG_NOSIGNAL (a vanished peer must not
    /// SIGPIPE us) plus `flags` (MSG_DONTWAIT for a blocking socket that
    /// must not block here), of `bytes` from `offset`.
    @discardableResult
    public static func sendAll(socket: Int32, bytes: [UInt8], from offset: Int = 0, flags: Int32 = 0, whenFull: WhenFull = .fail) throws(SystemIOError) -> Int {
        try writeAll("send", fd: socket, bytes: bytes, from: offset, whenFull: whenFull) {
            Glibc.send(socket, $0.baseAddress, $0.count, flags | Int32(MSG_NOSIGNAL))
        }
    }

    /// `writeAll` of an array from `offset` (the array's bytes are only
    /// borrowed inside a closure, which must not throw: the result is
    /// carried out in a `Result`).
    @discardableResult
    public static func writeAll(
        _ call: String,
        fd: Int32,
        bytes: [UInt8],
        from offset: Int,
        whenFull: WhenFull = .fail,
        using write: (UnsafeRawBufferPointer) -> Int
    ) throws(SystemIOError) -> Int {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SystemIOError) -> Int in
                try writeAll(call, fd: fd, bytes: UnsafeRawBufferPointer(rebasing: raw[offset...]), whenFull: whenFull, using: write)
            }
        }
        return try result.get()
    }

    /// One read(2) into `buffer` (at most `limit` bytes), EINTR retried:
    /// the bytes read, 0 at the end. EAGAIN is thrown
    /// (`SystemIOError.wouldBlock`).
    public static func readSome(fd: Int32, into buffer: inout [UInt8], limit: Int? = nil) throws(SystemIOError) -> Int {
        try retryingOnInterrupt("read") {
            buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, limit ?? $0.count)) }
        }
    }

    /// One recv(2) into `buffer` with `flags`, as `readSome`.
    public static func receiveSome(socket: Int32, into buffer: inout [UInt8], limit: Int? = nil, flags: Int32 = 0) throws(SystemIOError) -> Int {
        try retryingOnInterrupt("recv") {
            buffer.withUnsafeMutableBytes { Glibc.recv(socket, $0.baseAddress, min($0.count, limit ?? $0.count), flags) }
        }
    }

    /// One poll(2). An interruption (EINTR) counts as nothing ready (0):
    /// for loops that look at their own deadline again before waiting more.
    public static func poll(_ fds: inout [pollfd], timeoutMilliseconds: Int32) throws(SystemIOError) -> Int {
        let ready = Glibc.poll(&fds, nfds_t(fds.count), timeoutMilliseconds)
        if ready >= 0 { return Int(ready) }
        let code = Glibc.errno
        if code == EINTR { return 0 }
        throw SystemIOError(call: "poll", errno: code)
    }

    /// poll(2) with a timeout finer than a millisecond (ppoll(2); no
    /// signal mask change). EINTR counts as nothing ready.
    public static func poll(_ fds: inout [pollfd], timeoutSeconds: Double) throws(SystemIOError) -> Int {
        let clamped = max(0, timeoutSeconds)
        let whole = clamped.rounded(.down)
        let ready = am_ppoll(&fds, UInt(fds.count), Int(whole), Int((clamped - whole) * 1e9))
        if ready >= 0 { return Int(ready) }
        let code = Glibc.errno
        if code == EINTR { return 0 }
        throw SystemIOError(call: "ppoll", errno: code)
    }

    /// poll(2) until something is ready or `deadline` (`monotonicSeconds`;
    /// nil: for ever) has passed (then 0); after EINTR it waits for what is
    /// left of the time. A deadline already past polls once without waiting.
    public static func poll(_ fds: inout [pollfd], deadline: Double?) throws(SystemIOError) -> Int {
        while true {
            let timeout = deadline.map { milliseconds($0 - monotonicSeconds()) } ?? -1
            let ready = Glibc.poll(&fds, nfds_t(fds.count), timeout)
            if ready >= 0 { return Int(ready) }
            let code = Glibc.errno
            if code != EINTR { throw SystemIOError(call: "poll", errno: code) }
        }
    }

    /// Seconds as a poll timeout: 0 for none left, else rounded up (never
    /// 0 for time left), at most Int32.max.
    public static func milliseconds(_ seconds: Double) -> Int32 {
        guard seconds > 0 else { return 0 }
        return Int32(max(1, min(Double(Int32.max), (seconds * 1000).rounded(.up))))
    }

    private static func waitForRoom(_ call: String, fd: Int32, deadline: Double?) throws(SystemIOError) {
        var fds = [pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)]
        if let deadline, deadline <= monotonicSeconds() { throw SystemIOError.deadlinePassed }
        _ = try poll(&fds, deadline: deadline)
    }
}

extension SystemCall.WhenFull {
    fileprivate var needsClock: Bool {
        if case .waitPerStall = self { return true }
        return false
    }
}
