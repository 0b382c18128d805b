/// A handler that signs the message as it leaves us (ARC): called at the
/// end of the message once our `Authentication-Results` value is final, it
/// returns header fields to add at the top, in top-down order (for ARC:
/// ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results). They end
/// up above our Authentication-Results. Not called in dryrun or when the
/// message is being rejected or deferred.
public protocol SealingHandler: Handler {
    func seal(_ session: MailSession, authservID: String, authResults: AuthenticationResultsText) -> [(name: String, value: String)]
}

/// What a sealer gets of our own results: the rendered entries (without
/// the authserv-id) as one line, and the authserv-id.
public struct AuthenticationResultsText: Sendable, Equatable {
    /// `spf=pass smtp.mailfrom=...; dkim=pass ...` or `none`.
    public var entries: String
    public var authservID: String
    public init(entries: String, authservID: String) {
        self.entries = entries
        self.authservID = authservID
    }
}
