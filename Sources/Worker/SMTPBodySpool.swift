#if canImport(Glibc)
import Glibc
#endif
import SystemIO

/// SMTP mode: where a message's body waits between DATA and the relay,
/// so a worker never holds more than `smtp.chunk_limit` of a body in
/// memory (a 30 MB message costs at most that and a 64 KiB buffer). A
/// body up to `memoryLimit` stays in memory (most mail: no file system
/// call at all); a longer one goes to one file per worker, opened before
/// the seccomp filter with O_TMPFILE in `smtp.temp_dir` (no name exists,
/// nothing is left behind when the worker dies), emptied after every
/// message.
final class SMTPBodySpool {
    let fd: Int32
    /// Bytes of the current message's body, in memory or in the file.
    private(set) var length = 0
    /// The body while it fits in `memoryLimit`.
    private var memory: [UInt8] = []
    /// The body is in the file (it outgrew `memoryLimit`).
    private var inFile = false
    var memoryLimit = 1 << 20

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit { close(fd) }

    /// O_TMPFILE | O_DIRECTORY, which Swift's Glibc module does not export.
    static let openTemporaryFile: Int32 = 0o20_200_000

    /// Opens the spool in `directory` (in the chroot, as the run user).
    /// Where the file system has no O_TMPFILE, a named file is made and
    /// unlinked at once.
    static func open(directory: String) -> Result<SMTPBodySpool, SystemIOError> {
        let fd = Glibc.open(directory, openTemporaryFile | O_RDWR | O_CLOEXEC, mode_t(0o600))
        if fd >= 0 { return .success(SMTPBodySpool(fd: fd)) }
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast()) + Array("authmilter-body.XXXXXX".utf8CString)
        let named = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard named >= 0 else { return .failure(SystemIOError(call: "open \(directory)", errno: errno)) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return .success(SMTPBodySpool(fd: named))
    }

    /// Empties the spool for the next message.
    func reset() {
        if inFile {
            _ = ftruncate(fd, 0)
            _ = lseek(fd, 0, SEEK_SET)
            inFile = false
        }
        memory.removeAll(keepingCapacity: memory.capacity <= memoryLimit)
        length = 0
    }

    func append(_ bytes: [UInt8]) throws(SystemIOError) {
        guard !bytes.isEmpty else { return }
        if !inFile && memory.count + bytes.count <= memoryLimit {
            memory.append(contentsOf: bytes)
        } else {
            if !inFile {
                // Past the limit: what is in memory goes to the file first.
                try SystemCall.writeAll(fd: fd, bytes: memory)
                memory.removeAll(keepingCapacity: true)
                inFile = true
            }
            try SystemCall.writeAll(fd: fd, bytes: bytes)
        }
        length += bytes.count
    }

    /// Calls `body` with the stored body, a buffer at a time.
    func readBack(_ body: (ArraySlice<UInt8>) throws -> Void) throws {
        guard inFile else {
            if !memory.isEmpty { try body(memory[...]) }
            return
        }
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw SystemIOError(call: "lseek", errno: errno) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        var left = length
        while left > 0 {
            let n = try SystemCall.readSome(fd: fd, into: &buffer, limit: min(left, buffer.count))
            guard n > 0 else { throw SystemIOError(call: "read", errno: EIO) }
            try body(buffer[..<n])
            left -= n
        }
    }
}
