import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A scripted spamd for the unit and process tests, never the end-to-end
/// test (which runs Debian's real spamd): it listens on 127.0.0.1 (a free
/// port) or on a unix socket, on its own thread, reads each request as
/// spamd does (a header up to the empty line, then `Content-length`
/// bytes), records it, and answers with what `answer` says for it. It
/// serves connections one after the other until it is stopped.
public final class ScriptedSpamd: @unchecked Sendable {
    public enum Answer: Sendable {
        /// These bytes, then close.
        case reply([UInt8])
        /// These bytes after a delay, then close.
        case delayed(seconds: Double, [UInt8])
        /// Read the request, answer nothing, keep the connection until
        /// the server stops.
        case silence
        /// Close without reading or answering.
        case hangUp
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public let port: UInt16
    public let socketPath: String?
    private let listener: Int32
    private let answer: @Sendable ([UInt8]) -> Answer
    private let lock = NSLock()
    private var requestList: [[UInt8]] = []
    private var stopping = false
    private var held: [Int32] = []
    private let finished = DispatchSemaphore(value: 0)

    /// The usual spamd replies, as Debian's spamd 4.0.1 writes them.
    public static func symbolsReply(flag: String, score: String, threshold: String = "5.0", symbols: String) -> [UInt8] {
        Array("SPAMD/1.1 0 EX_OK\r\nContent-length: \(symbols.utf8.count)\r\nSpam: \(flag) ; \(score) / \(threshold)\r\n\r\n\(symbols)".utf8)
    }

    /// `unixSocket`: listen there instead of on TCP.
    public init(unixSocket: String? = nil, answer: @escaping @Sendable ([UInt8]) -> Answer) throws {
        self.answer = answer
        socketPath = unixSocket
        var boundPort: UInt16 = 0
        let fd: Int32
        if let unixSocket {
            unlink(unixSocket)
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(unixSocket.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
            }
            guard fd >= 0, bound, listen(fd, 16) == 0 else {
                close(fd)
                throw Failure("cannot listen on \(unixSocket)")
            }
            chmod(unixSocket, 0o666)
        } else {
            (fd, boundPort) = try Loopback.listenTCP()
        }
        listener = fd
        port = boundPort
        let thread = Thread { [self] in
            self.serve()
            self.finished.signal()
        }
        thread.start()
    }

    deinit { stop() }

    /// Every request received so far, whole.
    public var requests: [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return requestList
    }

    /// Stops serving and closes every connection held (waits at most 5 s
    /// for the thread).
    public func stop() {
        lock.lock()
        let already = stopping
        stopping = true
        let connections = held
        held = []
        lock.unlock()
        guard !already else { return }
        for connection in connections { shutdown(connection, Int32(SHUT_RDWR)) }
        shutdown(listener, Int32(SHUT_RDWR))
        _ = finished.wait(timeout: .now() + 5)
        for connection in connections { close(connection) }
        close(listener)
        if let socketPath { unlink(socketPath) }
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func serve() {
        while !isStopping {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { return }
            guard poller.revents != 0, !isStopping else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            var keep = false
            defer { if !keep { close(connection) } }
            let request = readRequest(connection)
            lock.lock()
            requestList.append(request)
            lock.unlock()
            switch answer(request) {
            case .reply(let bytes):
                write(bytes, to: connection)
            case .delayed(let seconds, let bytes):
                let end = Date().addingTimeInterval(seconds)
                while Date() < end && !isStopping { usleep(10_000) }
                write(bytes, to: connection)
            case .silence:
                lock.lock()
                held.append(connection)
                lock.unlock()
                keep = true
            case .hangUp:
                break
            }
        }
    }

    /// The header up to the empty line, then Content-length bytes (at most
    /// 8 MiB, 10 s); or, for clamd's `zINSTREAM`, the chunks up to the
    /// zero-length one.
    private func readRequest(_ connection: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let end = Date().addingTimeInterval(10)
        var wanted: Int?
        while Date() < end && bytes.count < 8 << 20 {
            if bytes.starts(with: Array("zINSTREAM\0".utf8)), Self.instreamEnds(bytes) { break }
            if wanted == nil, !bytes.starts(with: Array("zINSTREAM".utf8)), let headerEnd = Self.find([13, 10, 13, 10], in: bytes) {
                let header = String(decoding: bytes[..<headerEnd], as: UTF8.self)
                let length = header.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
                wanted = headerEnd + 4 + length
            }
            if let wanted, bytes.count >= wanted { break }
            var poller = pollfd(fd: connection, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { break }
            if poller.revents == 0 { continue }
            let n = recv(connection, &chunk, chunk.count, 0)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// Whether a `zINSTREAM` request has its zero-length chunk.
    static func instreamEnds(_ bytes: [UInt8]) -> Bool {
        var offset = 10
        while bytes.count >= offset + 4 {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            if length == 0 { return true }
            offset += 4 + length
        }
        return false
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for start in 0...(bytes.count - needle.count) where bytes[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }

    private func write(_ bytes: [UInt8], to connection: Int32) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            offset += n
        }
    }
}
