#if canImport(Glibc)
import Glibc
#endif
import CShim

/// The one way the root master opens, creates, re-owns and removes files,
/// in the manner of OpenSSH's `safe_path`: every directory from `/` down is
/// opened by descriptor with `O_NOFOLLOW` and must belong to root or
/// `trustedUID` (runas) and be writable by nobody else (a sticky folder such
/// as /tmp may be passed through: what we use in it must then be ours);
/// files are created with `O_EXCL`, changed through their descriptor
/// (`fchown`, `fchmod`), never followed through a link. A path someone else
/// could swap under us is refused with a `SystemIOError` naming it.
public struct SafePath: Sendable {
    /// Besides root, the one account that may own the directories on the
    /// way: runas, or the user we run as when not root.
    public let trustedUID: uid_t

    public init(trustedUID: uid_t) { self.trustedUID = trustedUID }

    func isTrusted(_ uid: uid_t) -> Bool { uid == 0 || uid == trustedUID }

    /// An open directory on the walk and whether only root and
    /// `trustedUID` can change what is in it (no sticky exemption).
    private struct Step {
        var fd: Int32
        var path: String
        var strict: Bool
    }

    // MARK: - Directories

    /// Creates `path` (and missing parents, 0755) or checks the one there,
    /// then gives it to `owner` through its descriptor. A directory made
    /// now gets mode 0750. `files` are names in it the milter's processes
    /// create (the report store, the journal): each one present is given to
    /// `owner` too, through its descriptor, when it is a plain file with no
    /// other link; a link there is refused. This is how a change of runas
    /// between runs takes effect without following anything.
    public func prepareDirectory(_ path: String, owner: (uid: uid_t, gid: gid_t)?, files: [String] = []) throws(SystemIOError) {
        let (step, parentStrict, created) = try walkToDirectory(path)
        defer { close(step.fd) }
        let info = try status(step.fd, step.path)
        if !created {
            // Everyone may write in it: no place for the milter's files.
            if info.st_mode & 0o002 != 0 { throw .writableByOthers(path: step.path, mode: info.st_mode) }
            // Made by another user in a folder where anyone may create
            // entries (the sample configuration's /tmp): theirs, not ours.
            // In a folder only root or runas can write, it is what the
            // administrator put there (a former runas): re-owned below.
            if !isTrusted(info.st_uid) && !parentStrict { throw .foreignOwner(path: step.path, uid: info.st_uid) }
        }
        if created, fchmod(step.fd, 0o750) != 0 { throw .system(call: "fchmod", path: step.path, errno: errno) }
        guard let owner else { return }
        if created || info.st_uid != owner.uid || info.st_gid != owner.gid {
            guard fchown(step.fd, owner.uid, owner.gid) == 0 else { throw .system(call: "fchown", path: step.path, errno: errno) }
        }
        for name in files {
            try reown(directory: step, name: name, owner: owner)
        }
    }

    private func reown(directory: Step, name: String, owner: (uid: uid_t, gid: gid_t)) throws(SystemIOError) {
        let path = directory.path + "/" + name
        // O_PATH|O_NOFOLLOW names the entry itself (a link stays a link,
        // a device or FIFO is not opened), so what is checked is what is
        // changed.
        let fd = am_open_entry_nofollow(directory.fd, name)
        if fd < 0 {
            if errno == ENOENT { return }
            throw .system(call: "open", path: path, errno: errno)
        }
        defer { close(fd) }
        let info = try status(fd, path)
        if info.st_mode & S_IFMT == S_IFLNK { throw .symlink(path: path) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
        guard info.st_nlink == 1 else { throw .hardLinked(path: path, links: UInt64(info.st_nlink)) }
        if info.st_uid != owner.uid || info.st_gid != owner.gid {
            // fchown does not take an O_PATH descriptor; fchownat with an
            // empty name and AT_EMPTY_PATH changes the descriptor's file.
            guard am_fchown_entry(fd, owner.uid, owner.gid) == 0 else {
                throw .system(call: "fchownat", path: path, errno: errno)
            }
        }
    }

    // MARK: - Files

    /// Replaces the file `path` with `contents`: written to `<path>.tmp`
    /// made with O_EXCL|O_NOFOLLOW (a leftover plain file of ours is
    /// removed first; a link or someone else's file there is refused), then
    /// renamed over `path`, which must be absent or a plain file.
    public func writeFile(_ path: String, contents: [UInt8], mode: mode_t = 0o644) throws(SystemIOError) {
        let (parent, name) = try walkToParent(path)
        defer { close(parent.fd) }
        let target = parent.path + "/" + name
        try requireAbsentOrRegular(parent, name)
        let temporaryName = name + ".tmp"
        let temporary = parent.path + "/" + temporaryName
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var fd = openat(parent.fd, temporaryName, flags, mode)
        if fd < 0 && errno == EEXIST {
            // A crash between create and rename leaves our own file; a
            // link or another user's file there is an attack.
            var info = stat()
            guard fstatat(parent.fd, temporaryName, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw .system(call: "lstat", path: temporary, errno: errno)
            }
            if info.st_mode & S_IFMT == S_IFLNK { throw .symlink(path: temporary) }
            guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: temporary) }
            guard info.st_uid == geteuid() else { throw .foreignOwner(path: temporary, uid: info.st_uid) }
            guard unlinkat(parent.fd, temporaryName, 0) == 0 else { throw .system(call: "unlink", path: temporary, errno: errno) }
            fd = openat(parent.fd, temporaryName, flags, mode)
        }
        guard fd >= 0 else { throw .system(call: "open", path: temporary, errno: errno) }
        do {
            try SystemCall.writeAll(fd: fd, bytes: contents)
        } catch {
            close(fd)
            unlinkat(parent.fd, temporaryName, 0)
            throw .system(call: error.call ?? "write", path: temporary, errno: error.errno)
        }
        close(fd)
        // rename replaces a name, never follows one.
        guard renameat(parent.fd, temporaryName, parent.fd, name) == 0 else {
            let error = errno
            unlinkat(parent.fd, temporaryName, 0)
            throw .system(call: "rename", path: target, errno: error)
        }
    }

    /// Reads the whole of the plain file `path`, at most `maximumSize`
    /// bytes, without following a link at `path` or on the way (the walk
    /// above). In a directory others may write (sticky, such as /tmp) the
    /// file must be root's or `trustedUID`'s: anyone could have put it
    /// there. Past `maximumSize` it is `.tooLarge`.
    public func readFile(_ path: String, maximumSize: Int) throws(SystemIOError) -> [UInt8] {
        let (parent, name) = try walkToParent(path)
        defer { close(parent.fd) }
        let target = parent.path + "/" + name
        let fd = openat(parent.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ELOOP { throw .symlink(path: target) }
            throw .system(call: "open", path: target, errno: errno)
        }
        defer { close(fd) }
        let info = try status(fd, target)
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: target) }
        if !parent.strict && !isTrusted(info.st_uid) { throw .foreignOwner(path: target, uid: info.st_uid) }
        return try BoundedFileReader.readAll(fd: fd, path: target, maximumSize: maximumSize) {
            SystemIOError(.tooLarge, "\(target) is larger than \(maximumSize) bytes", path: target)
        }
    }

    /// Opens `path` for appending, creating it with `mode` (O_NOFOLLOW):
    /// it must be a plain file with no other link. The caller closes it.
    public func openForAppend(_ path: String, mode: mode_t = 0o640) throws(SystemIOError) -> Int32 {
        let (parent, name) = try walkToParent(path)
        defer { close(parent.fd) }
        let target = parent.path + "/" + name
        let fd = openat(parent.fd, name, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, mode)
        guard fd >= 0 else {
            if errno == ELOOP { throw .symlink(path: target) }
            throw .system(call: "open", path: target, errno: errno)
        }
        let info: stat
        do { info = try status(fd, target) } catch { close(fd); throw error }
        guard info.st_mode & S_IFMT == S_IFREG else { close(fd); throw .notARegularFile(path: target) }
        guard info.st_nlink == 1 else { close(fd); throw .hardLinked(path: target, links: UInt64(info.st_nlink)) }
        return fd
    }

    /// Removes the name `path` (a file, a link or a socket; never a
    /// directory); absent is fine. The directories on the way are checked,
    /// so no swapped parent makes this remove something elsewhere.
    public func remove(_ path: String) throws(SystemIOError) {
        let (parent, name) = try walkToParent(path)
        defer { close(parent.fd) }
        if unlinkat(parent.fd, name, 0) != 0 && errno != ENOENT {
            throw .system(call: "unlink", path: parent.path + "/" + name, errno: errno)
        }
    }

    /// Before binding a unix socket: the directories on the way are
    /// checked, and what is at `path` is removed only when it is a socket
    /// (a file left by an earlier run); anything else is refused.
    public func removeStaleSocket(_ path: String) throws(SystemIOError) {
        let (parent, name) = try walkToParent(path)
        defer { close(parent.fd) }
        let target = parent.path + "/" + name
        var info = stat()
        guard fstatat(parent.fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw .system(call: "lstat", path: target, errno: errno)
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path: target) }
        guard unlinkat(parent.fd, name, 0) == 0 || errno == ENOENT else {
            throw .system(call: "unlink", path: target, errno: errno)
        }
    }

    /// Checks the directories above `path` only (nothing is opened at
    /// `path` itself).
    public func checkParents(_ path: String) throws(SystemIOError) {
        let (parent, _) = try walkToParent(path)
        close(parent.fd)
    }

    private func requireAbsentOrRegular(_ parent: Step, _ name: String) throws(SystemIOError) {
        var info = stat()
        let path = parent.path + "/" + name
        guard fstatat(parent.fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            if errno == ENOENT { return }
            throw .system(call: "lstat", path: path, errno: errno)
        }
        if info.st_mode & S_IFMT == S_IFLNK { throw .symlink(path: path) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
    }

    // MARK: - The walk

    /// The directory holding `path`'s last component, checked like every
    /// directory above it, and that component's name.
    private func walkToParent(_ path: String) throws(SystemIOError) -> (Step, String) {
        var parts = try Self.components(path)
        guard let name = parts.popLast(), name != "..", name != "." else {
            throw .notARegularFile(path: path)
        }
        let (step, _, _) = try walk(parts, create: false, lastIsTarget: false)
        return (step, name)
    }

    private func walkToDirectory(_ path: String, create: Bool = true) throws(SystemIOError) -> (Step, Bool, Bool) {
        try walk(try Self.components(path), create: create, lastIsTarget: true)
    }

    /// Walks `parts` from `/`, one `openat(O_NOFOLLOW|O_DIRECTORY)` at a
    /// time. Every directory passed through is checked (`checkWayThrough`).
    /// A link on the way is followed only when it sits in a strict
    /// directory (only root or runas could have made it); the link target
    /// is walked the same way. With `lastIsTarget` the last component is
    /// returned unchecked (the caller checks it: it may be about to be
    /// re-owned) and must not be a link. Returns the last step, whether
    /// its parent is strict, and whether the last directory was made now.
    private func walk(_ parts: [String], create: Bool, lastIsTarget: Bool) throws(SystemIOError) -> (Step, Bool, Bool) {
        let rootFD = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootFD >= 0 else { throw .system(call: "open", path: "/", errno: errno) }
        var stack: [Step] = []
        // On any error every descriptor still open is closed.
        var keep: Int32 = -1
        defer { for step in stack where step.fd != keep { close(step.fd) } }
        stack.append(Step(fd: rootFD, path: "", strict: false))
        stack[0].strict = try checkWayThrough(rootFD, "/")
        var pending = parts[...]
        var links = 0
        var created = false
        while let name = pending.first {
            pending = pending.dropFirst()
            let isLast = pending.isEmpty
            let here = stack.last!
            if name == "." { continue }
            if name == ".." {
                // The stack holds the real directories walked so far, so
                // ".." is the one before (at / it stays /).
                if stack.count > 1 { close(stack.removeLast().fd) }
                continue
            }
            let path = here.path + "/" + name
            var fd = openat(here.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            var madeNow = false
            if fd < 0 && errno == ENOENT && create {
                // mkdir fails on anything already there, a link included.
                if mkdirat(here.fd, name, isLast ? 0o700 : 0o755) == 0 {
                    madeNow = true
                    created = isLast
                } else if errno != EEXIST {
                    throw .system(call: "mkdir", path: path, errno: errno)
                }
                fd = openat(here.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if fd < 0 {
                let error = errno
                var info = stat()
                let isLink = (error == ELOOP || error == ENOTDIR)
                    && fstatat(here.fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & S_IFMT == S_IFLNK
                guard isLink else {
                    if error == ENOTDIR { throw .notADirectory(path: path) }
                    throw .system(call: "open", path: path, errno: error)
                }
                // The target itself must not be a link; a link on the way
                // only from a directory nobody else could have put it in
                // (e.g. /var/run -> /run).
                guard !(isLast && lastIsTarget), here.strict, links < 40 else { throw .symlink(path: path) }
                links += 1
                let target = try readLink(here.fd, name, path)
                if target.hasPrefix("/") {
                    while stack.count > 1 { close(stack.removeLast().fd) }
                }
                pending = (try Self.components(target, relative: true))[...] + pending
                continue
            }
            stack.append(Step(fd: fd, path: path, strict: false))
            if isLast && lastIsTarget { break }
            // A parent made now must let runas through whatever the umask.
            if madeNow && fchmod(fd, 0o755) != 0 { throw .system(call: "fchmod", path: path, errno: errno) }
            stack[stack.count - 1].strict = try checkWayThrough(fd, path)
        }
        let last = stack.last!
        let parentStrict = stack.count > 1 ? stack[stack.count - 2].strict : last.strict
        keep = last.fd
        return (last, parentStrict, created)
    }

    /// A directory passed through: root's or runas's, and writable by
    /// nobody else, unless sticky (then what we use in it is checked to be
    /// root's or runas's in turn). Returns whether it is strict.
    private func checkWayThrough(_ fd: Int32, _ path: String) throws(SystemIOError) -> Bool {
        let info = try status(fd, path)
        guard isTrusted(info.st_uid) else { throw .foreignOwner(path: path, uid: info.st_uid) }
        let writable = info.st_mode & 0o022 != 0
        if writable && info.st_mode & S_ISVTX == 0 { throw .writableByOthers(path: path, mode: info.st_mode) }
        return !writable
    }

    private func status(_ fd: Int32, _ path: String) throws(SystemIOError) -> stat {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(call: "fstat", path: path, errno: errno) }
        return info
    }

    private func readLink(_ dirFD: Int32, _ name: String, _ path: String) throws(SystemIOError) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlinkat(dirFD, name, &buffer, buffer.count - 1)
        guard n > 0 else { throw .system(call: "readlink", path: path, errno: errno) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The components of `path` made absolute against the working
    /// directory (a link target stays relative to its directory).
    static func components(_ path: String, relative: Bool = false) throws(SystemIOError) -> [String] {
        var full = path
        if !relative && !path.hasPrefix("/") {
            var buffer = [UInt8](repeating: 0, count: 4097)
            let ok = buffer.withUnsafeMutableBufferPointer { raw in
                raw.withMemoryRebound(to: CChar.self) { getcwd($0.baseAddress, $0.count) != nil }
            }
            guard ok else { throw .system(call: "getcwd", path: path, errno: errno) }
            full = String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self) + "/" + path
        }
        return full.split(separator: "/").map(String.init)
    }
}
