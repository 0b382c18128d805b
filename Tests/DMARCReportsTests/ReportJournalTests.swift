import DMARCReports
import MailAuth
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReportJournalTests {
    func scratchDirectory() -> String {
        var template = Array((NSTemporaryDirectory() + "authmilter-journal-XXXXXX").utf8CString)
        let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        return path
    }

    func cleanUp(_ dir: String) {
        unlink(dir + "/" + ReportJournal.fileName)
        rmdir(dir)
    }

    @Test func rowsAppendedAreReadBackInOrderAfterReopening() throws {
        let dir = scratchDirectory()
        defer { cleanUp(dir) }
        let rows = (1...5).map { ReportRowSamples.row($0) }
        do {
            let journal = try ReportJournal(directory: dir)
            try journal.append(Array(rows.prefix(2)))
            try journal.append(Array(rows.suffix(3)))
        }
        let reopened = try ReportJournal(directory: dir)
        let contents = try reopened.readAll()
        #expect(contents.rows == rows)
        #expect(contents.skippedLines == 0)
        #expect(!contents.tornTail)
    }

    @Test func clearEmptiesTheFile() throws {
        let dir = scratchDirectory()
        defer { cleanUp(dir) }
        let journal = try ReportJournal(directory: dir)
        try journal.append([ReportRowSamples.row(1)])
        #expect(journal.size > 0)
        try journal.clear()
        #expect(journal.size == 0)
        #expect(try journal.readAll().rows.isEmpty)
    }

    /// A crash in the middle of a write leaves half a line: that row is
    /// lost (it was never on disk whole) but every row before it is kept,
    /// and rows appended after a restart are kept too.
    @Test func aTornLastLineIsSkippedAndLaterRowsSurvive() throws {
        let dir = scratchDirectory()
        defer { cleanUp(dir) }
        let path = dir + "/" + ReportJournal.fileName
        let whole = ReportRowSamples.row(1).jsonText + "\n"
        let torn = String(ReportRowSamples.row(2).jsonText.prefix(40))
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        let text = Array((whole + torn).utf8)
        #expect(write(fd, text, text.count) == text.count)
        close(fd)

        let journal = try ReportJournal(directory: dir)
        try journal.append([ReportRowSamples.row(3)])
        let contents = try journal.readAll()
        #expect(contents.rows.map(\.id) == [ReportRowSamples.row(1).id, ReportRowSamples.row(3).id])
        #expect(contents.skippedLines == 1)
    }

    @Test func garbageLinesAreCountedNotFatal() throws {
        let dir = scratchDirectory()
        defer { cleanUp(dir) }
        let path = dir + "/" + ReportJournal.fileName
        let text = Array(("{\"id\":1}\n\u{0}\u{1}binary\n" + ReportRowSamples.row(7).jsonText + "\n").utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(write(fd, text, text.count) == text.count)
        close(fd)
        let contents = try ReportJournal(directory: dir).readAll()
        #expect(contents.rows.map(\.id) == [ReportRowSamples.row(7).id])
        #expect(contents.skippedLines == 2)
    }

    @Test func anUnwritableDirectoryIsAClearError() {
        expectReportError(.journal) { _ = try ReportJournal(directory: "/nonexistent-authmilter-dir") }
    }

    /// The spool opens the journal before its privilege drop: a link
    /// planted in spool_dir must not make it open (and append a newline
    /// to) another file.
    @Test func aPlantedLinkIsRefused() throws {
        let dir = scratchDirectory()
        let victim = dir + "/victim"
        defer { unlink(victim); cleanUp(dir) }
        let fd = open(victim, O_WRONLY | O_CREAT, 0o600)
        _ = write(fd, "precious", 8)
        close(fd)
        symlink(victim, dir + "/" + ReportJournal.fileName)
        expectReportError(.journal) { _ = try ReportJournal(directory: dir) }
        unlink(dir + "/" + ReportJournal.fileName)
        link(victim, dir + "/" + ReportJournal.fileName)
        expectReportError(.journal) { _ = try ReportJournal(directory: dir) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let reader = open(victim, O_RDONLY)
        let n = read(reader, &buffer, buffer.count)
        close(reader)
        #expect(n == 8, "the victim was changed through the journal")
    }
}
