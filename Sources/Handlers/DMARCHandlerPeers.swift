/// A handler that reads other handlers' findings (DMARC reads SPF, DKIM
/// and ARC). Whoever builds the handler list calls `attach(peers:)` with
/// the whole list once, before the first connection; calling it again
/// with the same list is harmless.
public protocol PeerAwareHandler: Handler {
    func attach(peers: [any Handler])
}

extension Array where Element == any Handler {
    /// Gives every `PeerAwareHandler` in the list the list.
    public func attachingPeers() -> [any Handler] {
        for handler in self { (handler as? any PeerAwareHandler)?.attach(peers: self) }
        return self
    }
}
