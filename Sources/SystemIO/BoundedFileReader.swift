#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole small file at start-up (configuration, key files, the
/// public suffix list) with a size cap, so naming the wrong file (a log, a
/// device) is an error instead of an unbounded read.
public enum BoundedFileReader {
    public struct Failure: Error, Equatable {
        public enum Stage: Sendable, Equatable {
            case open, read, notRegularFile, tooLarge
        }
        public let stage: Stage
        /// strerror's text ("No such file or directory", ...), or what was
        /// wrong for `notRegularFile` / `tooLarge`.
        public let reason: String
    }

    public static func read(_ path: String, maximumSize: Int, requireRegularFile: Bool = true) throws(Failure) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
        // writer for ever (a configuration file that is a FIFO hung
        // `-c start`); a regular file reads the same either way.
        let fd = open(path, O_RDONLY | O_CLOEXEC | (requireRegularFile ? O_NONBLOCK : 0))
        guard fd >= 0 else { throw Failure(stage: .open, reason: reason(errno)) }
        defer { close(fd) }
        if requireRegularFile {
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw Failure(stage: .open, reason: reason(errno)) }
            guard info.st_mode & S_IFMT == S_IFREG else { throw Failure(stage: .notRegularFile, reason: "not a regular file") }
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count: Int
            do {
                count = try SystemCall.readSome(fd: fd, into: &chunk)
            } catch {
                throw Failure(stage: .read, reason: error.reason)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize { throw Failure(stage: .tooLarge, reason: "larger than \(maximumSize / 1024 / 1024) MiB") }
        }
    }

    public static func reason(_ code: Int32) -> String {
        SystemCallError.text(for: code)
    }
}
