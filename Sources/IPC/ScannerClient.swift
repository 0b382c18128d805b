#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import ProcessLog
import SystemIO

/// The worker's `SpamdScanning`: hands the message to the scanner process
/// over the worker's socketpair (`ChildDescriptor.scanner`) and waits for
/// the verdict. Like `DNSHelperClient` it runs inside the worker's jail on
/// the caller's thread with send/recv (MSG_DONTWAIT), poll and
/// clock_gettime only: the worker itself never opens a socket.
///
/// Every scan ends by `timeoutSeconds`: a scanner that is slow, stuck or
/// gone gives `.timeout`/`.unavailable`, never a hang. A result that
/// comes after its scan gave up is recognised by its id and dropped.
public final class ScannerClient: SpamdScanning {
    public let fd: Int32
    public var timeoutSeconds: Double
    public private(set) var isBroken = false
    private var nextID: UInt32 = 1
    private var inbox = IPCInbox(receiving: ScannerToWorker.self)
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// `fd`: the worker's end of its channel to the scanner (not owned).
    public init(fd: Int32, timeoutSeconds: Double) {
        self.fd = fd
        self.timeoutSeconds = timeoutSeconds
    }

    public func scan(message: [UInt8], user: String) -> SpamdScanOutcome {
        guard !isBroken else { return .failed(.unavailable("the channel to the scanner is closed")) }
        let id = nextID
        nextID = nextID == UInt32.max ? 1 : nextID + 1
        let end = monotonicSeconds() + timeoutSeconds
        do {
            try SystemCall.sendAll(socket: fd, bytes: ScanIPCMessage.scan(id: id, user: user, message: message).frame.encoded(),
                                   flags: Int32(MSG_DONTWAIT), whenFull: .wait(until: end))
        } catch where error == .deadlinePassed {
            return .failed(.timeout("the scanner did not take the message within \(timeoutSeconds)s"))
        } catch {
            return fail("the channel to the scanner failed (\(error.reason))")
        }
        while true {
            while let outcome = nextResult(waitingFor: id) {
                return outcome
            }
            if isBroken { return .failed(.unavailable("the channel to the scanner is closed")) }
            let left = end - monotonicSeconds()
            guard left > 0 else {
                return .failed(.timeout("no result from the scanner within \(timeoutSeconds)s"))
            }
            var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            guard let ready = try? SystemCall.poll(&p, timeoutMilliseconds: max(1, SystemCall.milliseconds(left))), ready > 0 else {
                continue
            }
            receive()
        }
    }

    /// The outcome for `id` if it is in; late results are dropped.
    private func nextResult(waitingFor id: UInt32) -> SpamdScanOutcome? {
        while !isBroken {
            let message: IPCMessage<ScannerToWorker>?
            do {
                message = try inbox.next(ScannerToWorker.self)
            } catch {
                _ = fail("broken message from the scanner (\(error))")
                return nil
            }
            guard let message else { return nil }
            guard case .result(let resultID, let outcome)? = try? ScanIPCMessage(frame: IPCFrame(message.kind, payload: message.payload)) else {
                _ = fail("undecodable result from the scanner")
                return nil
            }
            if resultID == id { return outcome }
        }
        return nil
    }

    private func receive() {
        if case .finished(let why) = inbox.receive(from: fd, using: &chunk, peer: "the scanner") { _ = fail(why) }
    }

    private func fail(_ reason: String) -> SpamdScanOutcome {
        if !isBroken { ChildLog.error("\(reason): SpamAssassin scans fail from now on") }
        isBroken = true
        return .failed(.unavailable(reason))
    }
}
