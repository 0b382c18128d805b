#if canImport(Glibc)
import Glibc
#endif
import Config
import IPC

extension MasterServer {
    /// SMTP mode: a busy worker asks for a connection to the downstream
    /// MTA of the listener it names (`RelaySocket`). An idle worker has no
    /// reason to ask: it is answered `relayUnavailable` and logged.
    func answerRelayRequest(_ payload: [UInt8], from slot: ChildSlot) {
        let listener = String(decoding: payload, as: UTF8.self)
        guard slot.state == .busy, configuration.serverProtocol == .smtp else {
            log.warning("worker \(slot.pid) asked for a relay connection while not serving SMTP; refused")
            _ = slot.channel.send(MasterToWorker.relayUnavailable, payload: Array("not serving an SMTP connection".utf8))
            return
        }
        let settings = (try? ConnectionSpec(parsing: listener)).map { configuration.smtp.settings(for: $0) } ?? configuration.smtp.defaults
        let opened = RelaySocket.address(settings).flatMap { RelaySocket.open($0) }
        switch opened {
        case .success(let fd):
            _ = slot.channel.send(MasterToWorker.relayConnection, descriptor: fd)
            close(fd)
        case .failure(let unavailable):
            log.warning("no relay connection for \(listener): \(unavailable.reason)")
            _ = slot.channel.send(MasterToWorker.relayUnavailable, payload: Array(unavailable.reason.utf8.prefix(1024)))
        }
    }
}
