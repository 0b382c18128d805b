#if canImport(Glibc)
import Glibc
#endif
import Handlers
import MasterSupport
import Config
import IPC
import SystemIO

/// The Blocker rules: read here, sent to each worker before a connection
/// when they changed since it last heard (docs/architecture.md, "Blocker
/// rules").
extension MasterServer {
    /// The rule source for `configuration`, nil without the Blocker handler.
    static func blockerRuleSource(_ configuration: Configuration) -> BlockerRuleSource? {
        guard let entry = configuration.enabledHandlers.first(where: { $0.name == BlockerHandler.name }),
              let files = try? BlockerHandler.files(entry.node) else { return nil }
        // The account besides root that may own what is on the way: runas.
        let runas = (try? MasterPrivileges.childIDs(configuration)).flatMap { $0?.uid }
        return BlockerRuleSource(files: files, safePath: SafePath(trustedUID: runas ?? geteuid()))
    }

    /// Before a connection goes to `slot`: the files are checked for
    /// changes, and the worker gets the current rules if it has older ones.
    func sendBlockerRulesIfStale(to slot: ChildSlot) {
        guard let source = blockerRules else { return }
        for note in source.refresh() {
            switch note.level {
            case .info: log.info("\(note.text)")
            case .warning: log.warning("\(note.text)")
            case .error: log.error("\(note.text)")
            }
        }
        guard slot.blockerGeneration != source.generation else { return }
        if slot.channel.send(MasterToWorker.blockerRules, payload: source.payload, timeoutSeconds: 2) {
            slot.blockerGeneration = source.generation
        } else {
            log.warning("worker \(slot.pid) did not take the Blocker rules")
        }
    }
}
