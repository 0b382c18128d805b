import MailAuth

/// What a content-scanning handler (SpamAssassin, RSpamD, ClamAV) keeps of
/// the message in flight (see `HandlerState`): the message as its scanner
/// will get it, and how many copies of each field its verdict writes
/// arrived with the message (to remove them at the end, as Perl does).
final class ScannedMessageState: HandlerState {
    var buffer = SpamdMessageBuffer(limit: 0)
    var seen: [String: UInt32] = [:]
    init() {}

    /// `handler`'s state for the message in `session`, its buffer capped at
    /// `limit` bytes (the handler's `*_max_size`).
    static func of(_ handler: some Handler, in session: MailSession, limit: Int) -> ScannedMessageState {
        let state = session.messageState(of: handler, ScannedMessageState.self)
        if state.buffer.limit != limit {
            state.buffer = SpamdMessageBuffer(limit: limit)
        }
        return state
    }

    /// Adds a header field as the scanner gets it: the raw bytes, the
    /// value's leading white space stripped (as Perl's handlers get it).
    func collect(_ session: MailSession, name: String, value: String) {
        let raw = session.currentRawHeader ?? (Array(name.utf8), Array(value.utf8))
        buffer.appendHeader(name: raw.name, value: raw.value.drop(while: PerlHeaderValue.isWhiteSpace))
    }

    /// An incoming copy of one of `fields` (the ones the verdict writes)
    /// from a client that is not trusted: counted, to be removed at the
    /// end, and noted as `X-Received-<field>` unless `mode` is silent.
    /// Nothing when `mode` is `.no`.
    func noteForged(_ session: MailSession, name: String, value: String, fields: [String], mode: SanitizeHandler.Mode) {
        guard !session.isTrustedIP, mode != .no else { return }
        let lowercased = session.lowercasedHeaderName(name)
        for field in fields where field.lowercased() == lowercased {
            seen[field, default: 0] += 1
            if mode != .silent {
                session.appendHeader(name: "X-Received-" + field, value: SanitizeHandler.note(field, session, value))
            }
        }
    }

    /// Removes the copies `noteForged` counted, the last first. Perl
    /// removes them only after a verdict; a forged result must not outlive
    /// a scan that did not happen either (docs/handlers.md).
    func removeForged(_ session: MailSession, fields: [String], mode: SanitizeHandler.Mode) {
        guard mode != .no else { return }
        for field in fields {
            for occurrence in stride(from: seen[field, default: 0], to: 0, by: -1) {
                session.log(.debug, key: "RemoveSpamHeader", "\(field), \(occurrence)")
                session.removeHeader(name: field.lowercased(), occurrence: occurrence)
            }
        }
    }
}

/// A handler that sends the message to a content scanner (SpamAssassin,
/// RSpamD, ClamAV): the callbacks that collect the message and note
/// forged verdict fields are the same for all three, given here.
protocol ContentScanningHandler: Handler {
    /// The fields the verdict writes, whose incoming copies are renamed and
    /// removed (none for ClamAV).
    static var verdictFields: [String] { get }
    /// `remove_headers` (`.no` where the handler has no such key).
    var forgedFieldMode: SanitizeHandler.Mode { get }
    /// `*_max_size`: the bytes of the message the scanner gets at most.
    var maximumMessageBytes: Int { get }
}

extension ContentScanningHandler {
    func scannedMessage(_ session: MailSession) -> ScannedMessageState {
        ScannedMessageState.of(self, in: session, limit: maximumMessageBytes)
    }

    public func envelopeFrom(_ session: MailSession, address: String) throws {
        session.newMessageState(of: self, ScannedMessageState.self)
    }

    public func header(_ session: MailSession, name: String, value: String) throws {
        let state = scannedMessage(session)
        state.collect(session, name: name, value: value)
        state.noteForged(session, name: name, value: value, fields: Self.verdictFields, mode: forgedFieldMode)
    }

    public func endOfHeaders(_ session: MailSession) throws {
        scannedMessage(session).buffer.endHeader()
    }

    public func body(_ session: MailSession, chunk: ArraySlice<UInt8>) throws {
        scannedMessage(session).buffer.appendBody(chunk)
    }
}
