import MailAuth
import SystemIO

/// Reads the public suffix list for the DMARC handler, once, when the
/// handler is built (before the worker's sandbox: a jailed worker cannot
/// open files), and for the report commands (organizational domains of
/// rua destinations).
public enum DMARCPublicSuffixFile {
    /// The list is about 300 KB; anything this large is the wrong file.
    static let maximumSize = 16 * 1024 * 1024

    /// The list at the path of `key` (absent: Debian's path); a missing,
    /// unreadable or empty file is an error naming the key.
    public static func load(_ config: ConfigNode, key: String) throws(ConfigurationError) -> PublicSuffixList {
        let path = try config.nonEmptyString(key) ?? PublicSuffixList.debianPath
        let node = config.child(key) ?? config
        let bytes: [UInt8]
        do {
            bytes = try BoundedFileReader.read(path, maximumSize: maximumSize)
        } catch {
            let reason = error.code == .tooLarge ? "larger than 16 MiB, not a public suffix list" : error.reason
            throw node.error(.fileUnreadable, "cannot read the public suffix list \(path) (\"\(key)\"): \(reason)")
        }
        let list = PublicSuffixList(bytes: bytes)
        if list.isEmpty {
            throw node.error("the public suffix list \(path) (\"\(key)\") holds no rules")
        }
        return list
    }
}
