/// Something fed a message's header fields one by one, then its body in
/// chunks (DKIM and ARC signers and verifiers). The milter-form and
/// array conveniences live here once.
public protocol MessageHeaderFieldConsumer: AnyObject {
    /// A header field exactly as it stands in the message.
    func header(_ field: MessageHeaderField)
    /// The next chunk of the body, as the MTA sends it (CRLF lines).
    func body(_ chunk: UnsafeRawBufferPointer)
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

    public func body(_ chunk: [UInt8]) {
        chunk.withUnsafeBytes { body($0) }
    }

    public func body(_ chunk: ArraySlice<UInt8>) {
        chunk.withUnsafeBytes { body($0) }
    }
}
