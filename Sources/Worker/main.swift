#if canImport(Glibc)
import Glibc
#endif
import IPC
import ProcessLog

// The worker: the only process that reads untrusted mail. Started by the
// master with its channels to the master, the DNS helper and the spool
// (ChildDescriptor). It loads the configuration the master sends, builds its
// handlers, jails itself (chroot, no capabilities, NO_NEW_PRIVS, seccomp),
// then serves one connection at a time, single-threaded.

if CommandLine.arguments.dropFirst().contains(ConfigurationCheck.flag) { ConfigurationCheck.run() }
ChildStartup.requireDescriptors([.dnsHelper, .spool], role: "worker")
let (master, serializedConfiguration) = ChildStartup.receiveConfiguration(role: "worker", receiving: MasterToWorker.self,
                                                                          configuration: .configuration)
let worker: WorkerProcess
do {
    worker = try WorkerProcess(serializedConfiguration: serializedConfiguration, master: master)
} catch {
    ChildLog.critical("cannot start: \(error)")
    exit(1)
}
worker.run()
