import COpenSSL

/// A failure inside OpenSSL, with the reason OpenSSL queued (the text is
/// for logs and for DKIM's result details, never for decisions).
public struct CryptoError: Error, Sendable, Hashable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// Builds an error from OpenSSL's error queue and empties the queue, so
    /// a stale entry never gets blamed on a later, unrelated call. `context`
    /// is used when OpenSSL queued nothing.
    static func fromOpenSSL(_ context: String) -> CryptoError {
        CryptoError(openSSLReason() ?? context)
    }

    /// The reason of the oldest queued error ("wrong tag", "bad decrypt"),
    /// or nil when the queue is empty. Always clears the queue.
    static func openSSLReason() -> String? {
        defer { ERR_clear_error() }
        let code = ERR_get_error()
        guard code != 0 else { return nil }
        if let reason = ERR_reason_error_string(code) {
            return String(cString: reason)
        }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
