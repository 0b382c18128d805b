#if canImport(Glibc)
import Glibc
#endif
import ProcessLog

/// How every child begins, before anything of its own: its descriptors are
/// there, and (worker, spool) the first frame from the master is the
/// configuration. A child that finds otherwise logs why and exits 1, the
/// same way in every role, so the master's restart back-off sees one kind
/// of failure.
public enum ChildStartup {
    /// Exits unless every one of `descriptors` is open.
    public static func requireDescriptors(_ descriptors: [ChildDescriptor], role: String) {
        for descriptor in descriptors where !descriptor.isOpen {
            ChildLog.critical("\(role): \(descriptor) is not open")
            exit(1)
        }
    }

    /// The control channel, and the configuration the master sends first on
    /// it; exits when the descriptor is missing or the first frame is not
    /// the configuration.
    public static func receiveConfiguration<Kind: IPCMessageKind>(role: String, receiving: Kind.Type,
                                                                  configuration: Kind) -> (IPCChannel, [UInt8]) {
        requireDescriptors([.master], role: role)
        let channel = IPCChannel(fd: ChildDescriptor.master.fd, receiving: Kind.self)
        guard let first = channel.receive(Kind.self), first.kind == configuration else {
            ChildLog.critical("\(role): no configuration from the master; exiting")
            exit(1)
        }
        return (channel, first.payload)
    }
}
