
/// Reads a DKIM private key file, once, when the DKIMSign handler is built
/// (before the worker's sandbox: a jailed worker cannot open files).
import SystemIO

enum DKIMSignKeyFile {
    /// Key files are small; a large file is the wrong file.
    static let maximumSize = 1024 * 1024

    static func read(_ path: String) throws(SystemIOError) -> [UInt8] {
        do {
            return try BoundedFileReader.read(path, maximumSize: maximumSize)
        } catch {
            guard error.code == .tooLarge else { throw error }
            throw SystemIOError(.tooLarge, "larger than 1 MiB, not a key file", path: path)
        }
    }
}
