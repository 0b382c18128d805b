/// Message kinds on the socketpair between the master and each child
/// (fd 3 in the child). Payloads use IPCWriter/IPCReader.
public enum MasterIPC {
    // master -> worker
    /// Serialized configuration; the first frame a worker reads.
    public static let configuration: UInt8 = 1
    /// A connection to serve: the socket travels as SCM_RIGHTS; the payload
    /// is the listener's connection string (for per-listener settings).
    public static let connection: UInt8 = 2
    /// Finish the connection in hand (if any), then exit.
    public static let shutdown: UInt8 = 3

    // worker -> master
    /// Jailed and waiting for connections.
    public static let ready: UInt8 = 10
    /// The connection handed over is finished; the worker is idle again.
    public static let done: UInt8 = 11
    /// Reached max_requests_per_child: exiting after this message.
    public static let retiring: UInt8 = 12

    // master -> DNS helper / spool (the spool's first frame is
    // `configuration`, like a worker's)
    /// A new worker's channel: the fd travels as SCM_RIGHTS.
    public static let newChannel: UInt8 = 1
    /// The configuration again, after a reload (SIGHUP); kind 1 is taken
    /// by `newChannel` on these channels.
    public static let reloadedConfiguration: UInt8 = 2
}

/// Message kinds on a worker's channel to the spool (fd 5 in a worker).
/// The channel is a SOCK_SEQPACKET socketpair: every frame is one message,
/// read whole or not at all, so a spool killed in the middle of a read
/// leaves the next spool at a frame boundary. The master keeps a copy of
/// the spool's end and hands it to each new spool: what a worker sent and
/// the dead spool had not read yet is still there.
public enum SpoolIPC {
    /// worker -> spool: one DMARC aggregate report row, as
    /// `DMARCReportRow.jsonText`.
    public static let reportRow: UInt8 = 1
    /// spool -> worker: the rows with these ids are on disk (journal
    /// appended and fdatasync'd, or in the store): the worker forgets
    /// them. Payload: `SpoolAcknowledgement`.
    public static let acknowledged: UInt8 = 2
    /// spool -> worker: a new spool reads this channel (the first frame a
    /// spool sends on each channel it is given): the worker sends again
    /// every row not acknowledged, since the spool before may have read
    /// rows it never wrote down.
    public static let resendUnacknowledged: UInt8 = 3
    /// The largest row a spool accepts; a real row is well under 8 KiB.
    /// A frame is one message, and a message must fit one 64 KiB read.
    public static let maximumRowBytes = 60 * 1024
    /// The read size on both ends: every frame fits in one.
    public static let maximumMessageBytes = 64 * 1024
}
