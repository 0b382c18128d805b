#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import Shared

/// Reads the public suffix list for the DMARC handler, once, when the
/// handler is built (before the worker's sandbox: a jailed worker cannot
/// open files).
enum DMARCPublicSuffixFile {
    /// The list is about 300 KB; anything this large is the wrong file.
    static let maximumSize = 16 * 1024 * 1024

    /// The list at the path of `key` (absent: Debian's path); a missing,
    /// unreadable or empty file is an error naming the key.
    static func load(_ config: ConfigNode, key: String) throws(ConfigurationError) -> PublicSuffixList {
        let path = try config.nonEmptyString(key) ?? PublicSuffixList.debianPath
        let node = config.child(key) ?? config
        let bytes: [UInt8]
        switch read(path) {
        case .success(let data): bytes = data
        case .failure(let failure):
            throw node.error("cannot read the public suffix list \(path) (\"\(key)\"): \(failure.reason)")
        }
        let list = PublicSuffixList(bytes: bytes)
        if list.isEmpty {
            throw node.error("the public suffix list \(path) (\"\(key)\") holds no rules")
        }
        return list
    }

    struct Failure: Error {
        let reason: String
    }

    static func read(_ path: String) -> Result<[UInt8], Failure> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Failure(reason: reason(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(Failure(reason: reason(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { return .failure(Failure(reason: "not a regular file")) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(reason: reason(errno)))
            }
            if count == 0 { return .success(bytes) }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > maximumSize { return .failure(Failure(reason: "larger than 16 MiB, not a public suffix list")) }
        }
    }

    private static func reason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
