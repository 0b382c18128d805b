#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import SystemIO

/// The spool's write-ahead file for report rows
/// (`<spool_dir>/dmarc_reports.journal`): every row a worker sends is
/// appended and flushed to disk (fdatasync) before the spool tries the
/// store; the file is emptied only after the store committed every row in
/// it. A crash or a store that is down therefore loses nothing: at start
/// the spool reads the journal back and stores what it holds (the store
/// ignores rows it already has, so a replay after a crash between commit
/// and truncation is harmless).
///
/// One row per line, as `DMARCReportRow.jsonText` (JSON escapes every
/// control character, so a row never spans lines). A last line without
/// its newline is a write cut short by a crash: it is skipped, as is any
/// line that does not decode, and both are counted for the log.
public final class ReportJournal {
    public let path: String
    private let fd: Int32

    /// What `readAll` found.
    public struct Contents {
        public var rows: [DMARCReportRow]
        /// Lines that did not decode (corrupt), and a torn last line.
        public var skippedLines: Int
        public var tornTail: Bool
    }

    public static let fileName = "dmarc_reports.journal"
    /// Where the spool sets aside rows a working store refused.
    public static let rejectedFileName = "dmarc_reports.rejected"
    /// The spool refuses new rows beyond this (a store down for a long
    /// time: about 400,000 rows).
    public static let maximumBytes = 256 << 20

    /// Opens (creating, mode 0600) the journal in `directory`.
    public init(directory: String, fileName: String = ReportJournal.fileName) throws(ReportError) {
        path = (directory.hasSuffix("/") ? String(directory.dropLast()) : directory) + "/" + fileName
        // The spool may still be root here (before its privilege drop) in
        // a directory runas can write: a link or a hard link planted there
        // is refused, never followed (O_NOFOLLOW, one link only).
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : SystemIOError.text(for: errno)
            throw ReportError(.journal, "cannot open \(path): \(reason)")
        }
        var opened = stat()
        guard fstat(fd, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG, opened.st_nlink == 1 else {
            close(fd)
            throw ReportError(.journal, "cannot open \(path): not a plain file with a single link")
        }
        // A write cut short by a crash left a line without its newline:
        // end it, so the next row starts a line of its own (the torn line
        // is then skipped as undecodable, the new one is kept).
        var info = stat()
        if fstat(fd, &info) == 0, info.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, info.st_size - 1) == 1, last != 0x0A {
                var newline: UInt8 = 0x0A
                _ = write(fd, &newline, 1)
            }
        }
    }

    deinit { close(fd) }

    /// Appends rows and waits until they are on disk.
    public func append(_ rows: [DMARCReportRow]) throws(ReportError) {
        guard !rows.isEmpty else { return }
        var bytes: [UInt8] = []
        for row in rows {
            bytes.append(contentsOf: row.jsonText.utf8)
            bytes.append(0x0A)
        }
        let sizeBefore = off_t(size)
        do {
            try SystemCall.writeAll(fd: fd, bytes: bytes)
        } catch {
            // A part written (disk full) would join the next row's
            // line: cut the file back to where this append started.
            _ = ftruncate(fd, sizeBefore)
            throw ReportError(.journal, "cannot write \(path): \(error.reason)")
        }
        guard fdatasync(fd) == 0 else { throw ReportError(.journal, "cannot flush \(path): \(SystemIOError.text(for: errno))") }
    }

    /// Everything the journal holds.
    public func readAll() throws(ReportError) -> Contents {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var position: off_t = 0
        while true {
            let count: Int
            do {
                count = try SystemCall.retryingOnInterrupt("pread") { chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, position) } }
            } catch {
                throw ReportError(.journal, "cannot read \(path): \(error.reason)")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            position += off_t(count)
        }
        var contents = Contents(rows: [], skippedLines: 0, tornTail: false)
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if let last = lines.last {
            if !last.isEmpty { contents.tornTail = true }
            lines.removeLast()
        }
        // A torn line that `init` closed with a newline decodes as nothing
        // and is counted below.
        for line in lines where !line.isEmpty {
            if let row = try? DMARCReportRow(jsonText: String(decoding: line, as: UTF8.self)) {
                contents.rows.append(row)
            } else {
                contents.skippedLines += 1
            }
        }
        return contents
    }

    /// Empties the journal once the store holds everything in it.
    public func clear() throws(ReportError) {
        guard ftruncate(fd, 0) == 0, fdatasync(fd) == 0 else {
            throw ReportError(.journal, "cannot empty \(path): \(SystemIOError.text(for: errno))")
        }
    }

    /// Bytes in the journal now (for the log when the store is down).
    public var size: Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }
}
