#if canImport(Glibc)
import Glibc
#endif
import MailAuth
import ProcessLog
import SystemIO

/// The worker's side of its channel to the BIMI fetch helper
/// (`ChildDescriptor.bimiFetcher`): sends one fetch and waits for its
/// answer, at most the request's budget plus `marginSeconds` (the helper
/// keeps to the budget; the margin covers the round trip). Like
/// `ScannerClient` it runs in the worker's jail with send/recv
/// (MSG_DONTWAIT), poll and clock_gettime only: the worker opens no socket.
public final class BIMIFetcherClient: BIMIFetching {
    public let fd: Int32
    public var marginSeconds: Double
    public private(set) var isBroken = false
    private var nextID: UInt32 = 1
    private var inbox = IPCInbox(receiving: BIMIFetcherToWorker.self)
    private var chunk = [UInt8](repeating: 0, count: 65536)

    /// `fd`: the worker's end of its channel to the fetch helper (not owned).
    public init(fd: Int32, marginSeconds: Double = 1) {
        self.fd = fd
        self.marginSeconds = marginSeconds
    }

    public func fetch(_ request: BIMIFetchRequest) -> BIMIFetchOutcome {
        guard !isBroken else { return .failed("the channel to the fetch helper is closed") }
        let id = nextID
        nextID = nextID == UInt32.max ? 1 : nextID + 1
        let end = monotonicSeconds() + Double(request.budgetMilliseconds) / 1000 + marginSeconds
        do {
            try SystemCall.sendAll(socket: fd, bytes: BIMIFetchIPCMessage.fetch(id: id, request: request).frame.encoded(),
                                   flags: Int32(MSG_DONTWAIT), whenFull: .wait(until: end))
        } catch where error == .deadlinePassed {
            return .failed("the fetch helper did not take the request in time")
        } catch {
            return broken("the channel to the fetch helper failed (\(error.reason))")
        }
        while true {
            while !isBroken {
                let message: IPCMessage<BIMIFetcherToWorker>?
                do {
                    message = try inbox.next(BIMIFetcherToWorker.self)
                } catch {
                    return broken("broken message from the fetch helper (\(error))")
                }
                guard let message else { break }
                guard case .fetched(let answered, let outcome)? = try? BIMIFetchIPCMessage(frame: IPCFrame(message.kind, payload: message.payload))
                else { return broken("undecodable answer from the fetch helper") }
                if answered == id { return outcome }
            }
            if isBroken { return .failed("the channel to the fetch helper is closed") }
            let left = end - monotonicSeconds()
            guard left > 0 else { return .failed("no answer from the fetch helper in time") }
            var p = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            guard let ready = try? SystemCall.poll(&p, timeoutMilliseconds: max(1, SystemCall.milliseconds(left))), ready > 0 else {
                continue
            }
            if case .finished(let why) = inbox.receive(from: fd, using: &chunk, peer: "the BIMI fetch helper") {
                return broken(why)
            }
        }
    }

    private func broken(_ reason: String) -> BIMIFetchOutcome {
        if !isBroken { ChildLog.error("\(reason): BIMI fetches fail from now on") }
        isBroken = true
        return .failed(reason)
    }
}
