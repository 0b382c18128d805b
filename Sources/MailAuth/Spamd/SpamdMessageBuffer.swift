/// The message as the SpamAssassin handler hands it to spamd, rebuilt
/// from the milter callbacks as Perl's handler rebuilds it: each header
/// field `Name: value` + CRLF, an empty line, the body chunks as the MTA
/// sent them. At most `limit` bytes are kept (spamc's `--max-size` is 500
/// KiB by default; Perl keeps everything): past it, whole header fields
/// are left out from the first one that does not fit, and the body is cut
/// at the last line end that fits. The empty line after the header is
/// always there, so what spamd gets is a message (its first `limit` bytes
/// or so), never a header cut in the middle.
public struct SpamdMessageBuffer: Sendable {
    public let limit: Int
    public private(set) var bytes: [UInt8] = []
    /// Something was left out.
    public private(set) var isTruncated = false
    /// Every byte offered, kept or not (the message's size as rebuilt).
    public private(set) var offeredBytes = 0
    private var headerEnded = false

    public init(limit: Int) {
        self.limit = max(0, limit)
    }

    public mutating func appendHeader(name: some Collection<UInt8>, value: some Collection<UInt8>) {
        let size = name.count + 2 + value.count + 2
        offeredBytes += size
        guard !isTruncated, !headerEnded, bytes.count + size <= limit else {
            isTruncated = true
            return
        }
        bytes.append(contentsOf: name)
        bytes.append(contentsOf: [58, 32])
        bytes.append(contentsOf: value)
        bytes.append(contentsOf: [13, 10])
    }

    /// The empty line between header and body (once).
    public mutating func endHeader() {
        guard !headerEnded else { return }
        headerEnded = true
        offeredBytes += 2
        bytes.append(contentsOf: [13, 10])
    }

    public mutating func appendBody(_ chunk: some BidirectionalCollection<UInt8>) {
        offeredBytes += chunk.count
        if !headerEnded { endHeader() }
        guard !isTruncated else { return }
        let room = limit - bytes.count
        if chunk.count <= room {
            bytes.append(contentsOf: chunk)
            return
        }
        isTruncated = true
        guard room > 0 else { return }
        let fits = chunk.prefix(room)
        // Up to the last line end that fits; nothing when there is none.
        if let newline = fits.lastIndex(of: 10) {
            bytes.append(contentsOf: fits[...newline])
        }
    }
}
