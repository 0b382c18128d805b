/// The log lines of one connection, kept for the error mail (Perl's
/// exception mail carries the connection's `dbgout` lines, debug ones
/// included). Bounded: the newest `maximumLines` lines, each at most
/// `maximumLineBytes`; `generation` changes with every line, so the worker
/// rebuilds the report its stage alarm holds only when there is news.
public struct ConnectionTrace: Sendable, Equatable {
    public static let maximumLines = 200
    public static let maximumLineBytes = 1024

    public private(set) var lines: [String] = []
    public private(set) var generation = 0

    public init() {}

    /// `seconds` since the epoch, then the line as logged.
    public mutating func append(_ line: String, at seconds: Int) {
        var text = "\(seconds) \(line)"
        if text.utf8.count > Self.maximumLineBytes {
            text = String(decoding: Array(text.utf8.prefix(Self.maximumLineBytes)), as: UTF8.self)
        }
        if lines.count == Self.maximumLines { lines.removeFirst() }
        lines.append(text)
        generation += 1
    }

    public mutating func removeAll() {
        guard !lines.isEmpty else { return }
        lines.removeAll(keepingCapacity: true)
        generation += 1
    }
}
