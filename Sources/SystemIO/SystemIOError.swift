#if canImport(Glibc)
import Glibc
#endif

/// The one error of the SystemIO module: a failed system call (its name and
/// errno, in the manner of swift-nio's `IOError`), a file that is not what
/// a bounded read takes, or a path the root master refuses to touch
/// (`SafePath`, in the manner of OpenSSH's `safe_path`).
///
/// `code` is what a program or a test matches; `reason` is the
/// explanation (strerror's text for a failed call, the sentence for a
/// refusal); `description` is the log line:
/// - a failed call: `<call> failed: <strerror text>`, or
///   `<call> <path>: <strerror text>` when it was about a path;
/// - anything else: `reason`.
///
/// The strerror text comes from `strerror`, which the sandbox warms up
/// before the seccomp filter is loaded (`Sandbox.enter`): it makes no
/// system call of its own afterwards.
public struct SystemIOError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        /// A system call failed: `call` and `errno` say which and why.
        case systemCall = "system-call"
        /// Not a regular file where one is needed (a FIFO, a device, a folder).
        case notRegularFile = "not-regular-file"
        /// A bounded read passed its cap.
        case tooLarge = "too-large"
        /// A symbolic link where the milter needs the file or directory
        /// itself (or a link on the way that someone else could have placed).
        case symlink
        /// Owned by a user who is neither root nor the milter's own (runas).
        case foreignOwner = "foreign-owner"
        /// Writable by group or others without the sticky bit that would
        /// stop them from replacing what is in it.
        case writableByOthers = "writable-by-others"
        case notADirectory = "not-a-directory"
        case notASocket = "not-a-socket"
        /// A file with other hard links: changing it changes them too.
        case hardLinked = "hard-linked"
    }

    public let code: Code
    public let reason: String
    /// The system call that failed ("write", "openat", ...), for `.systemCall`.
    public let call: String?
    /// The path it was about, where there was one.
    public let path: String?
    /// errno of the failed call; 0 when no call failed.
    public let errno: Int32

    public init(_ code: Code, _ reason: String, call: String? = nil, path: String? = nil, errno: Int32 = 0) {
        self.code = code
        self.reason = reason
        self.call = call
        self.path = path
        self.errno = errno
    }

    /// `call` failed with `errno` (about `path`, when given).
    public init(call: String, path: String? = nil, errno: Int32) {
        self.init(.systemCall, Self.text(for: errno), call: call, path: path, errno: errno)
    }

    public var description: String {
        guard code == .systemCall else { return reason }
        if let path { return "\(call ?? "?") \(path): \(reason)" }
        return "\(call ?? "?") failed: \(reason)"
    }

    /// The error of `call` that just returned -1 (the thread's errno now).
    public static func last(_ call: String) -> SystemIOError {
        SystemIOError(call: call, errno: Glibc.errno)
    }

    /// A non-blocking descriptor had nothing to give or no room to take.
    public var wouldBlock: Bool { code == .systemCall && (errno == EAGAIN || errno == EWOULDBLOCK) }

    /// `SystemCall.writeAll` waited for room until its deadline (poll
    /// itself never fails with ETIMEDOUT).
    public static let deadlinePassed = SystemIOError(call: "poll", errno: ETIMEDOUT)

    /// A refusal of `SafePath` (the path is unsafe), not a call that merely
    /// failed (a missing directory, no permission).
    public var isRefusal: Bool { code != .systemCall }

    /// strerror's text for `code`, or "errno N" when it has none.
    public static func text(for code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    // MARK: SafePath's refusals, with the words the log has always had.

    public static func symlink(path: String) -> SystemIOError {
        SystemIOError(.symlink, "\(path) is a symbolic link; refusing to follow it as root (remove it)", path: path)
    }

    public static func foreignOwner(path: String, uid: UInt32) -> SystemIOError {
        SystemIOError(.foreignOwner, "\(path) is owned by uid \(uid), neither root nor the runas user; refusing to use it as root",
                      path: path)
    }

    public static func writableByOthers(path: String, mode: UInt32) -> SystemIOError {
        SystemIOError(.writableByOthers,
                      "\(path) is writable by group or others (mode \(String(mode & 0o7777, radix: 8))) without the sticky bit; refusing to use it as root",
                      path: path)
    }

    public static func notADirectory(path: String) -> SystemIOError {
        SystemIOError(.notADirectory, "\(path) is not a directory", path: path)
    }

    public static func notARegularFile(path: String) -> SystemIOError {
        SystemIOError(.notRegularFile, "\(path) is not a regular file; refusing to use it as root", path: path)
    }

    public static func notASocket(path: String) -> SystemIOError {
        SystemIOError(.notASocket, "\(path) exists and is not a socket; refusing to remove it", path: path)
    }

    public static func hardLinked(path: String, links: UInt64) -> SystemIOError {
        SystemIOError(.hardLinked, "\(path) has \(links) hard links; refusing to use it as root", path: path)
    }

    public static func system(call: String, path: String, errno: Int32) -> SystemIOError {
        SystemIOError(call: call, path: path, errno: errno)
    }
}
