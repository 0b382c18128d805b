import MailAuth

/// The `arc=` entries the ARC handler writes, in the Perl handler's layout:
///
///     arc=none (no signatures found)
///     arc=pass (as.2.b.example=pass, ams.2.b.example=pass, as.1.a.example=pass,
///         ams.1.a.example=pass) smtp.remote-ip=192.0.2.1
///     arc=fail (as.1.a.example=pass, ams.1.a.example=fail (body has been altered))
///         smtp.remote-ip=192.0.2.1
///
/// The comment lists every seal and message signature, newest first, as
/// `<as|ams>.<instance>.<d=>=<detail>`; a chain whose structure is broken
/// (nothing verified) gives the reason instead. The Perl handler writes no
/// `header.oldest-pass`; neither do we (the value is on
/// `ARCHandler.verification`).
enum ARCResultEntry {
    static func entry(for result: ARCVerifierResult, remoteIP: String) -> AuthResultsEntry {
        var items = result.signatures.map(\.summary)
        if items.isEmpty, let reason = result.reason { items = [reason] }
        return AuthResultsEntry(method: "arc", result: result.status.rawValue,
                                comment: items.isEmpty ? nil : AuthResultsComment(items.joined(separator: ", ")),
                                properties: [AuthResultsProperty(type: "smtp", name: "remote-ip", value: remoteIP)])
    }

    /// `arc=none (no signatures found)`.
    static let none = AuthResultsEntry(method: "arc", result: "none", comment: AuthResultsComment("no signatures found"))
}
