import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A one-connection SMTP server on 127.0.0.1 (a free port), on its own
/// thread, that replays canned replies and records every byte the client
/// sends. It sends `banner` (unless nil), then one reply per command line
/// received; after a reply starting with 354 it reads the message up to
/// the terminating "." line, then sends the next reply. When the replies
/// run out it closes the connection. A test double for the client's
/// protocol logic: the client under test is the real one.
final class ScriptedSMTPServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let banner: String?
    private let replies: [String]
    private let lock = NSLock()
    private var bytes: [UInt8] = []
    private let finished = DispatchSemaphore(value: 0)

    init(banner: String?, replies: [String]) throws {
        self.banner = banner
        self.replies = replies
        (listener, port) = try Loopback.listenTCP(backlog: 4)
        let thread = Thread { [self] in
            self.serve()
            self.finished.signal()
        }
        thread.start()
    }

    deinit { close(listener) }

    /// Everything the client sent, as text.
    var received: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Waits (at most 10 s) until the server has closed its connection.
    func waitUntilDone() {
        _ = finished.wait(timeout: .now() + 10)
    }

    private func serve() {
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 10_000) > 0 else { return }
        let connection = accept(listener, nil, nil)
        guard connection >= 0 else { return }
        defer { close(connection) }
        if let banner { write(banner, to: connection) }
        var pending: [UInt8] = []
        var script = replies[...]
        while let line = readUntil([13, 10], from: connection, pending: &pending) {
            _ = line
            guard let reply = script.popFirst() else { return }
            write(reply, to: connection)
            if reply.hasPrefix("354") {
                guard readMessage(from: connection, pending: &pending) else { return }
                guard let next = script.popFirst() else { return }
                write(next, to: connection)
            }
        }
    }

    private func write(_ reply: String, to fd: Int32) {
        let data = Array((reply + "\r\n").utf8)
        _ = data.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Receives more bytes (recording them); false on EOF or 10 s of silence.
    private func receive(from fd: Int32, into pending: inout [UInt8]) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 10_000) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        pending += chunk[..<n]
        lock.lock()
        bytes += chunk[..<n]
        lock.unlock()
        return true
    }

    private func readUntil(_ terminator: [UInt8], from fd: Int32, pending: inout [UInt8]) -> [UInt8]? {
        while true {
            if let range = find(terminator, in: pending) {
                let line = Array(pending[..<range.lowerBound])
                pending.removeSubrange(..<range.upperBound)
                return line
            }
            guard receive(from: fd, into: &pending) else { return nil }
        }
    }

    /// The message after 354: up to and including the "." line.
    private func readMessage(from fd: Int32, pending: inout [UInt8]) -> Bool {
        while true {
            if pending.starts(with: Array(".\r\n".utf8)) {
                pending.removeFirst(3)
                return true
            }
            if let range = find(Array("\r\n.\r\n".utf8), in: pending) {
                pending.removeSubrange(..<range.upperBound)
                return true
            }
            guard receive(from: fd, into: &pending) else { return false }
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Range<Int>? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start..<(start + needle.count)
        }
        return nil
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

