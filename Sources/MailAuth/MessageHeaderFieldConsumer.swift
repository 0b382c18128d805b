/// Something fed a message's header fields one by one (DKIM and ARC
/// signers and verifiers). The milter-form conveniences live here once.
public protocol MessageHeaderFieldConsumer: AnyObject {
    /// A header field exactly as it stands in the message.
    func header(_ field: MessageHeaderField)
}

extension MessageHeaderFieldConsumer {
    /// A field as the milter delivers it (see
    /// `MessageHeaderField.milter(name:value:)`).
    public func header(name: String, value: String) {
        header(MessageHeaderField.milter(name: name, value: value))
    }

    /// The same from the exact bytes the MTA sent.
    public func header(name: [UInt8], value: [UInt8]) {
        header(MessageHeaderField.milter(name: name, value: value))
    }
}
