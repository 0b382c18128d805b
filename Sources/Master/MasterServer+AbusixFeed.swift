#if canImport(Glibc)
import Glibc
#endif
import Handlers
import MailAuth
import MasterSupport
import Config

/// AbusixDataFeed's datagrams leave from the spool, whose UDP sockets and
/// resolved destinations are made before its seccomp filter. A reload that
/// enables the handler, disables it or changes `feed_dest` therefore
/// replaces the spool: it is stopped (SIGTERM; what it had not stored is
/// sent again by the workers to the next one, as after any spool death)
/// and `ensureHelpers` starts a new one with the new configuration. Name,
/// key and port changes reach the running spool with the reload.
extension MasterServer {
    /// The destinations a spool started now would send to (nil: handler off).
    static func abusixDestinations(_ configuration: Configuration) -> [AbusixFeedDestination]? {
        (try? AbusixFeedSettings.enabled(in: configuration)).flatMap { $0?.destinations }
    }

    func replaceSpoolIfAbusixDestinationsChanged(_ loaded: Configuration) {
        let wanted = MasterServer.abusixDestinations(loaded)
        guard wanted != spoolAbusixDestinations, let slot = spool else { return }
        log.info("reload: AbusixDataFeed destinations changed; replacing the spool \(slot.pid)")
        replacedSpool = slot.pid
        kill(slot.pid, SIGTERM)
    }
}
