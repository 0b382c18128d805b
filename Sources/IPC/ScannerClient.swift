#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import ProcessLog
import SystemIO

/// The worker's side of its channel to the scanner process
/// (`ChildDescriptor.scanner`): hands a message to the scanner, naming the
/// content scanner that is to see it (spamd for SpamAssassin, rspamd for
/// RSpamD, clamd for ClamAV), and waits for the verdict. Like
/// `DNSHelperClient` it runs inside the worker's jail on the caller's thread
/// with send/recv (MSG_DONTWAIT), poll and clock_gettime only: the worker
/// itself never opens a socket.
///
/// Every scan ends by its deadline (`timeoutSeconds` for spamd,
/// `rspamdTimeoutSeconds`, `clamdTimeoutSeconds`): a scanner that is slow,
/// stuck or gone gives `.timeout`/`.unavailable`, never a hang. A result
/// that comes after its scan gave up is recognised by its id and dropped.
public final class ScannerClient: SpamdScanning, RspamdScanning, ClamdScanning {
    public let fd: Int32
    public var timeoutSeconds: Double
    public var rspamdTimeoutSeconds: Double
    public var clamdTimeoutSeconds: Double
    public private(set) var isBroken = false
    private var nextID: UInt32 = 1
    private var inbox = IPCInbox(receiving: ScannerToWorker.self)
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// `fd`: the worker's end of its channel to the scanner (not owned).
    public init(fd: Int32, timeoutSeconds: Double, rspamdTimeoutSeconds: Double? = nil, clamdTimeoutSeconds: Double? = nil) {
        self.fd = fd
        self.timeoutSeconds = timeoutSeconds
        self.rspamdTimeoutSeconds = rspamdTimeoutSeconds ?? timeoutSeconds
        self.clamdTimeoutSeconds = clamdTimeoutSeconds ?? timeoutSeconds
    }

    public func scan(message: [UInt8], user: String) -> SpamdScanOutcome {
        switch exchange({ .scan(id: $0, user: user, message: message) }, timeoutSeconds: timeoutSeconds) {
        case .failure(let failure): return .failed(failure)
        case .success(.result(_, let outcome)): return outcome
        case .success: return .failed(broken("a result of the wrong kind from the scanner"))
        }
    }

    public func scan(message: [UInt8], fields: RspamdRequestFields) -> RspamdScanOutcome {
        switch exchange({ .rspamdScan(id: $0, fields: fields, message: message) }, timeoutSeconds: rspamdTimeoutSeconds) {
        case .failure(let failure): return .failed(failure)
        case .success(.rspamdResult(_, let outcome)): return outcome
        case .success: return .failed(broken("a result of the wrong kind from the scanner"))
        }
    }

    public func scan(message: [UInt8]) -> ClamdScanOutcome {
        switch exchange({ .clamdScan(id: $0, message: message) }, timeoutSeconds: clamdTimeoutSeconds) {
        case .failure(let failure): return .failed(failure)
        case .success(.clamdResult(_, let outcome)): return outcome
        case .success: return .failed(broken("a result of the wrong kind from the scanner"))
        }
    }

    /// Sends the request `make` builds with a fresh id and waits for the
    /// result with that id, until `timeoutSeconds` have passed.
    private func exchange(_ make: (UInt32) -> ScanIPCMessage, timeoutSeconds: Double) -> Result<ScanIPCMessage, ScanFailure> {
        guard !isBroken else { return .failure(.unavailable("the channel to the scanner is closed")) }
        let id = nextID
        nextID = nextID == UInt32.max ? 1 : nextID + 1
        let end = monotonicSeconds() + timeoutSeconds
        do {
            try SystemCall.sendAll(socket: fd, bytes: make(id).frame.encoded(),
                                   flags: Int32(MSG_DONTWAIT), whenFull: .wait(until: end))
        } catch where error == .deadlinePassed {
            return .failure(.timeout("the scanner did not take the message within \(timeoutSeconds)s"))
        } catch {
            return .failure(broken("the channel to the scanner failed (\(error.reason))"))
        }
        while true {
            if let result = nextResult(waitingFor: id) { return .success(result) }
            if isBroken { return .failure(.unavailable("the channel to the scanner is closed")) }
            let left = end - monotonicSeconds()
            guard left > 0 else {
                return .failure(.timeout("no result from the scanner within \(timeoutSeconds)s"))
            }
            var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            guard let ready = try? SystemCall.poll(&p, timeoutMilliseconds: max(1, SystemCall.milliseconds(left))), ready > 0 else {
                continue
            }
            receive()
        }
    }

    /// The result for `id` if it is in; late results are dropped.
    private func nextResult(waitingFor id: UInt32) -> ScanIPCMessage? {
        while !isBroken {
            let message: IPCMessage<ScannerToWorker>?
            do {
                message = try inbox.next(ScannerToWorker.self)
            } catch {
                _ = broken("broken message from the scanner (\(error))")
                return nil
            }
            guard let message else { return nil }
            guard let result = try? ScanIPCMessage(frame: IPCFrame(message.kind, payload: message.payload)) else {
                _ = broken("undecodable result from the scanner")
                return nil
            }
            if result.id == id { return result }
        }
        return nil
    }

    private func receive() {
        if case .finished(let why) = inbox.receive(from: fd, using: &chunk, peer: "the scanner") { _ = broken(why) }
    }

    private func broken(_ reason: String) -> ScanFailure {
        if !isBroken { ChildLog.error("\(reason): content scans fail from now on") }
        isBroken = true
        return .unavailable(reason)
    }
}
