/// When a worker stops waiting for the MTA (docs/security.md "Slow
/// peers"). Two limits, both over the whole wait rather than per read, so
/// a peer that trickles a byte now and then gains nothing by it:
///
/// - `idleSeconds` from the connection start or the previous complete
///   command until the next one has fully arrived (the MTA may be waiting
///   for its SMTP client, so this stays long);
/// - `packetSeconds` from the first byte of a packet until its last: an
///   MTA writes a packet at once, so one that has started and does not
///   finish promptly is a stalled or hostile peer.
///
/// Pure (times are passed in) so it is tested without sockets.
public struct MilterReadDeadline: Equatable, Sendable {
    public let idleSeconds: Double
    public let packetSeconds: Double
    private var idleSince: Double
    private var packetSince: Double?

    public enum Expiry: Equatable, Sendable {
        /// No complete command within `idleSeconds`.
        case idle
        /// A packet begun and not finished within `packetSeconds`.
        case packet
    }

    public init(idleSeconds: Double, packetSeconds: Double, now: Double) {
        self.idleSeconds = idleSeconds
        self.packetSeconds = packetSeconds
        idleSince = now
    }

    /// The packet limit from the configuration: `command_timeout` (the time
    /// the operator allows a command's processing; Postfix's own
    /// `milter_command_timeout`, 30 s, when unset), kept within 2...30 s. A
    /// whole packet is at most about 1 MiB, which a local or LAN MTA
    /// delivers in milliseconds.
    public static func packetSeconds(commandTimeout: Double?) -> Double {
        min(max(commandTimeout ?? 30, 2), 30)
    }

    /// The idle limit: longer than any stage may take and than Postfix
    /// waits for an SMTP client (`smtpd_timeout`, 300 s), as the MTA is
    /// silent while its client is.
    public static func idleSeconds(connectTimeout: Double?, commandTimeout: Double?, contentTimeout: Double?) -> Double {
        max(contentTimeout ?? 0, commandTimeout ?? 0, connectTimeout ?? 0, 300) + 30
    }

    /// A complete command was read and handled (its reply, if it has one,
    /// written): the next one may take the whole idle limit again.
    public mutating func commandCompleted(now: Double) {
        idleSince = now
        packetSince = nil
    }

    /// After a read, once every complete packet has been taken (each one
    /// reported through `commandCompleted`): `bufferedBytes` of an
    /// unfinished packet remain, which started arriving no later than now.
    public mutating func received(bufferedBytes: Int, now: Double) {
        if bufferedBytes == 0 {
            packetSince = nil
        } else if packetSince == nil {
            packetSince = now
        }
    }

    /// The moment the worker gives up unless a command completes first.
    public var deadline: Double {
        let idle = idleSince + idleSeconds
        guard let packetSince else { return idle }
        return min(idle, packetSince + packetSeconds)
    }

    /// Which limit has run out at `now`, if any.
    public func expired(now: Double) -> Expiry? {
        guard now >= deadline else { return nil }
        if let packetSince, packetSince + packetSeconds <= idleSince + idleSeconds { return .packet }
        return .idle
    }

    /// The receive timeout (SO_RCVTIMEO) the master puts on every MTA
    /// connection before handing it over: the worker then reads without a
    /// poll(2) first (one system call a round trip instead of two) while
    /// the deadline is further away than this, and a silent peer still
    /// hands control back within it to look at the deadline.
    public static let receiveTimeoutSeconds = 1

    /// Whether a blocking read (bounded by `receiveTimeoutSeconds`) cannot
    /// overrun the deadline; when it could, poll(2) until the deadline.
    public func blockingReadFits(now: Double) -> Bool {
        deadline - now > Double(Self.receiveTimeoutSeconds) + 0.1
    }

    /// Milliseconds for poll(2) until the deadline (0 once it has passed).
    public func pollMilliseconds(now: Double) -> Int32 {
        let remaining = max(0, deadline - now)
        return Int32(min(Double(Int32.max), (remaining * 1000).rounded(.up)))
    }
}
