#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole small file at start-up (configuration, key files, the
/// public suffix list) with a size cap, so naming the wrong file (a log, a
/// device) is an error instead of an unbounded read.
public enum BoundedFileReader {
    public static func read(_ path: String, maximumSize: Int, requireRegularFile: Bool = true) throws(SystemIOError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
        // writer for ever (a configuration file that is a FIFO hung
        // `-c start`); a regular file reads the same either way.
        let fd = open(path, O_RDONLY | O_CLOEXEC | (requireRegularFile ? O_NONBLOCK : 0))
        guard fd >= 0 else { throw SystemIOError(call: "open", path: path, errno: errno) }
        defer { close(fd) }
        if requireRegularFile {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw SystemIOError(call: "fstat", path: path, errno: errno) }
            guard info.st_mode & S_IFMT == S_IFREG else { throw SystemIOError(.notRegularFile, "not a regular file", path: path) }
        }
        return try readAll(fd: fd, path: path, maximumSize: maximumSize) {
            SystemIOError(.tooLarge, "larger than \(maximumSize / 1024 / 1024) MiB", path: path)
        }
    }

    /// Reads `fd` to its end, at most `maximumSize` bytes: past them it
    /// throws `tooLarge()`. A failed read names `path`.
    public static func readAll(fd: Int32, path: String, maximumSize: Int,
                               tooLarge: () -> SystemIOError) throws(SystemIOError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count: Int
            do {
                count = try SystemCall.readSome(fd: fd, into: &chunk)
            } catch {
                throw SystemIOError(call: "read", path: path, errno: error.errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize { throw tooLarge() }
        }
    }

    public static func reason(_ code: Int32) -> String {
        SystemIOError.text(for: code)
    }
}
