#if canImport(Glibc)
import Glibc
#endif
import SystemIO

/// The few file-system operations the loader needs, with errno reasons in
/// the messages ("Permission denied") that Foundation's errors lack.
enum ConfigurationFiles {
    /// Configuration files are small; anything larger is a mistake.
    static let maximumSize = 16 * 1024 * 1024

    enum Kind { case missing, file, directory, other }

    static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    static func read(_ path: String) throws(ConfigurationError) -> [UInt8] {
        do {
            // A regular file only: a FIFO would hang start-up, a device never ends.
            return try BoundedFileReader.read(path, maximumSize: maximumSize)
        } catch {
            switch error.code {
            case .tooLarge:
                throw ConfigurationError(.fileUnreadable, file: path, message: "larger than \(maximumSize / 1024 / 1024) MiB; not a configuration file")
            case .systemCall where error.call == "read":
                throw ConfigurationError(.fileUnreadable, file: path, message: "could not read: \(error.reason)")
            default: throw ConfigurationError(.fileUnreadable, file: path, message: "could not open: \(error.reason)")
            }
        }
    }

    /// Entry names, without `.` and `..`.
    static func list(_ path: String) throws(ConfigurationError) -> [String] {
        guard let dir = opendir(path) else {
            throw ConfigurationError(.fileUnreadable, file: path, message: "could not read directory: \(reason(errno))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func reason(_ code: Int32) -> String { BoundedFileReader.reason(code) }
}
