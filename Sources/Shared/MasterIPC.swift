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
public enum SpoolIPC {
    /// worker -> spool: one DMARC aggregate report row, as
    /// `DMARCReportRow.jsonText`.
    public static let reportRow: UInt8 = 1
    /// The largest row a spool accepts; a real row is well under 8 KiB.
    public static let maximumRowBytes = 256 * 1024
}
