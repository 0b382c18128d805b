/// What the master sends the DNS helper and the spool on their control
/// channel (fd 3). The spool's first message is `configuration`; the DNS
/// helper is configured by its arguments and takes only `newChannel`.
public enum MasterToHelper: UInt8, IPCMessageKind, CaseIterable {
    /// The spool's configuration (report store settings), its first message.
    case configuration = 20
    /// A new worker's channel: the descriptor travels as SCM_RIGHTS.
    case newChannel = 21
    /// The configuration again, after a reload (SIGHUP).
    case reloadedConfiguration = 22
    /// The master's own error report (a role that keeps dying), as
    /// `ErrorReport.encoded()`, for the spool to mail to `errors_to`.
    /// Codes 80-89 are the error mail's (issue 14).
    case errorReport = 80

    public static let direction = "master to helper"

    public var name: String {
        switch self {
        case .configuration: "configuration"
        case .newChannel: "new channel"
        case .reloadedConfiguration: "reloaded configuration"
        case .errorReport: "error report"
        }
    }

    public var maximumPayload: Int {
        switch self {
        case .configuration, .reloadedConfiguration: MasterToWorker.maximumConfigurationBytes
        case .newChannel: 0
        case .errorReport: ErrorReport.maximumEncodedBytes
        }
    }

    public var carriesDescriptor: Bool { self == .newChannel }
}
