#if canImport(Glibc)
import Glibc
#endif
import Config
import Handlers
import IPC

/// `authmilter-worker --check-configuration`: the master's configuration
/// check, run in a child. It reads the configuration from the control
/// channel, builds every enabled handler exactly as a worker does before
/// its jail (keys loaded and test-signed, lists read), answers with one
/// verdict and exits. The root master only parses.
enum ConfigurationCheck {
    static let flag = ConfigurationCheckToMaster.commandLineFlag

    static func run() -> Never {
        let (master, serialized) = ChildStartup.receiveConfiguration(role: "configuration check", receiving: MasterToWorker.self,
                                                                     configuration: .configuration)
        let verdict: ConfigurationCheckVerdict
        do {
            let configuration = try Configuration(fromSerialized: serialized)
            _ = try HandlerRegistry.build(configuration)
            verdict = .accepted
        } catch let error as HandlerError where error.configuration != nil {
            let refusal = error.configuration!
            verdict = .refused(text: refusal.description, keyPath: refusal.keyPath, message: refusal.message)
        } catch {
            verdict = .refused(text: "\(error)", keyPath: nil, message: nil)
        }
        _ = master.send(ConfigurationCheckToMaster.verdict, payload: verdict.encoded)
        exit(0)
    }
}
