/// The handlers built for one worker, as a handler that reads another's
/// findings sees them (DMARC reads SPF, DKIM and ARC; ARC and ReturnOK
/// ask which are loaded). Looked up by type: `peers.first(DKIMHandler.self)`.
public struct HandlerPeers {
    let handlers: [any Handler]

    public init(_ handlers: [any Handler]) {
        self.handlers = handlers
    }

    /// The loaded handler of type `type`, if any.
    public func first<Peer: Handler>(_ type: Peer.Type) -> Peer? {
        for handler in handlers {
            if let peer = handler as? Peer { return peer }
        }
        return nil
    }

    /// Whether a handler of type `type` is loaded (Perl's `is_handler_loaded`).
    public func contains<Peer: Handler>(_ type: Peer.Type) -> Bool {
        first(type) != nil
    }
}

/// A handler that reads other handlers' findings. Whoever builds the
/// handler list calls `attach(peers:)` with the whole list once, before
/// the first connection; calling it again with the same list is harmless.
public protocol PeerAwareHandler: Handler {
    func attach(peers: HandlerPeers)
}

extension Array where Element == any Handler {
    /// Gives every `PeerAwareHandler` in the list the list.
    public func attachingPeers() -> [any Handler] {
        let peers = HandlerPeers(self)
        for handler in self { (handler as? any PeerAwareHandler)?.attach(peers: peers) }
        return self
    }
}
