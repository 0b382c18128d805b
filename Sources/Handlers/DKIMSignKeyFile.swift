#if canImport(Glibc)
import Glibc
#endif

/// Reads a DKIM private key file, once, when the DKIMSign handler is built
/// (before the worker's sandbox: a jailed worker cannot open files).
enum DKIMSignKeyFile {
    /// Key files are small; a large file is the wrong file.
    static let maximumSize = 1024 * 1024

    struct Failure: Error, Equatable {
        /// "No such file or directory", "Permission denied", ...
        let reason: String
    }

    static func read(_ path: String) throws(Failure) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Failure(reason: reason(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure(reason: reason(errno)) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw Failure(reason: "not a regular file") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(reason: reason(errno))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize { throw Failure(reason: "larger than 1 MiB, not a key file") }
        }
    }

    private static func reason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
