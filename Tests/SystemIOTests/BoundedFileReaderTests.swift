#if canImport(Glibc)
import Glibc
#endif
import Foundation
import SystemIO
import Testing

/// The bounded start-up read: every refusal carries the SystemIO code a
/// caller matches (the configuration loader words its message by it).
@Suite struct BoundedFileReaderTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "authmilter-bounded-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func readsASmallFileWhole() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("abc".utf8).write(to: URL(fileURLWithPath: dir + "/f"))
        #expect(try BoundedFileReader.read(dir + "/f", maximumSize: 3) == Array("abc".utf8))
    }

    @Test func aFileOverTheCapIsTooLarge() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(count: 2 * 1024 * 1024 + 1).write(to: URL(fileURLWithPath: dir + "/big"))
        let error = #expect(throws: SystemIOError.self) { _ = try BoundedFileReader.read(dir + "/big", maximumSize: 2 * 1024 * 1024) }
        #expect(error?.code == .tooLarge)
        #expect(error?.reason == "larger than 2 MiB")
    }

    @Test func aMissingFileIsTheFailedOpen() throws {
        let error = #expect(throws: SystemIOError.self) { _ = try BoundedFileReader.read("/nonexistent/authmilter", maximumSize: 10) }
        #expect(error?.code == .systemCall)
        #expect(error?.call == "open" && error?.errno == ENOENT)
        #expect(error?.reason == "No such file or directory")
    }

    @Test func aFIFOIsNotARegularFile() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        let error = #expect(throws: SystemIOError.self) { _ = try BoundedFileReader.read(dir + "/fifo", maximumSize: 10) }
        #expect(error?.code == .notRegularFile)
    }
}
