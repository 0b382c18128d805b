import MailAuth

/// Bodies fetched lately, by kind and URL, so a sender's logo is not
/// fetched for each of its messages: Mail::BIMI caches for an hour
/// (`cache_valid_for`). Bounded in entries and bytes: the oldest entry
/// goes first. Only `200` bodies are kept; a failure is asked again.
struct FetchCache {
    var maximumEntries = 256
    var maximumBytes = 8 << 20
    var lifetimeSeconds = 3600.0

    private struct Entry {
        var body: [UInt8]
        var expires: Double
    }

    private var entries: [String: Entry] = [:]
    /// Keys, oldest first (an entry replaced moves to the end).
    private var order: [String] = []
    private(set) var bytes = 0

    static func key(_ kind: BIMIFetchKind, _ url: String) -> String { "\(kind.rawValue) \(url)" }

    mutating func body(for key: String, now: Double) -> [UInt8]? {
        guard let entry = entries[key] else { return nil }
        guard entry.expires > now else {
            remove(key)
            return nil
        }
        return entry.body
    }

    mutating func store(_ body: [UInt8], for key: String, now: Double) {
        guard body.count <= maximumBytes / 4 else { return }
        remove(key)
        while !order.isEmpty && (order.count >= maximumEntries || bytes + body.count > maximumBytes) {
            remove(order[0])
        }
        entries[key] = Entry(body: body, expires: now + lifetimeSeconds)
        order.append(key)
        bytes += body.count
    }

    private mutating func remove(_ key: String) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        bytes -= entry.body.count
        if let index = order.firstIndex(of: key) { order.remove(at: index) }
    }

    var count: Int { entries.count }
}
