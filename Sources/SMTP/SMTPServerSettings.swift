/// What the SMTP side of a connection needs from the `smtp` settings of
/// its listener (`Config.SMTPSettings`), as plain values so the state
/// machine stays free of the configuration module.
public struct SMTPServerSettings: Sendable, Equatable {
    public var serverName: String
    /// After-queue mode: XFORWARD IDENT is offered and taken.
    public var acceptsUpstreamIdent: Bool
    /// Transactions per connection before `421 4.3.2`; nil is no limit.
    public var pipelineLimit: Int?
    /// The SIZE we announce and enforce (header section and body).
    public var maximumMessageBytes: Int

    public init(serverName: String, acceptsUpstreamIdent: Bool, pipelineLimit: Int?, maximumMessageBytes: Int) {
        self.serverName = serverName
        self.acceptsUpstreamIdent = acceptsUpstreamIdent
        self.pipelineLimit = pipelineLimit
        self.maximumMessageBytes = maximumMessageBytes
    }
}
