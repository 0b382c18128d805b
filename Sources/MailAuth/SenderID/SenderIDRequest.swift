/// A Sender ID check (RFC 4406): the Purported Responsible Address of a
/// message (see `SenderIDPRA`) against the client address, in the `pra`
/// scope, so that `spf2.0/pra` records decide:
///
///     let spf = SPFEvaluator(resolver: dns)
///     let result = spf.evaluate(.pra("user@example.com", ip: client, helo: "mx.example.net"))
///     result.code                                   // .pass
///     result.receivedSPFValue(receiver: "mx.local") // "... identity=pra; pra=..."
extension SPFRequest {
    public static func pra(_ address: String, ip: IPAddress, helo: String?) -> SPFRequest {
        SPFRequest(scope: .pra, identity: address, ip: ip, helo: helo)
    }
}
