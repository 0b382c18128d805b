/// The ARC Set `ARCSealer` made: three field values, as signed (no leading
/// space, folded with CRLF + TAB).
public struct ARCSealOutput: Sendable, Hashable {
    /// The new set's instance (`i=`).
    public let instance: Int
    /// `cv=` of the new ARC-Seal.
    public let chainStatus: ARCChainStatus
    public let authenticationResults: String
    public let messageSignature: String
    public let seal: String

    public init(instance: Int, chainStatus: ARCChainStatus, authenticationResults: String,
                messageSignature: String, seal: String) {
        self.instance = instance
        self.chainStatus = chainStatus
        self.authenticationResults = authenticationResults
        self.messageSignature = messageSignature
        self.seal = seal
    }

    /// The three fields in the order they go on top of the message:
    /// ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results.
    public var fields: [MessageHeaderField] {
        [(ARCHeaderKind.seal, seal), (.messageSignature, messageSignature), (.authenticationResults, authenticationResults)]
            .map { MessageHeaderField(name: $0.0.fieldName, value: " " + $0.1) }
    }

    /// (name, value) pairs in the same order with another line end (a
    /// milter passes `"\n"`; the MTA writes CRLF, which is what was signed).
    public func values(lineEnding: String) -> [(name: String, value: String)] {
        [(ARCHeaderKind.seal, seal), (.messageSignature, messageSignature), (.authenticationResults, authenticationResults)]
            .map { kind, value in
                let converted = lineEnding == "\r\n" ? value
                    : value.split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: lineEnding)
                return (kind.fieldName, converted)
            }
    }

    /// The three fields with their CRLFs, to put before a message.
    public var headerBytes: [UInt8] {
        fields.flatMap { $0.raw + [0x0D, 0x0A] }
    }
}
