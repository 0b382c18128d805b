#if canImport(Glibc)
import Glibc
#endif
import Shared

// The worker: the only process that reads untrusted mail. Started by the
// master with fd 3 = control channel, fd 4 = DNS helper channel, fd 5 =
// spool channel. It loads the configuration the master sends, builds its
// handlers, jails itself (chroot, no capabilities, NO_NEW_PRIVS, seccomp),
// then serves one connection at a time, single-threaded.

let master = IPCChannel(fd: 3, receiving: MasterToWorker.self)
guard let first = master.receive(MasterToWorker.self), first.kind == .configuration else {
    ChildLog.critical("no configuration from the master; exiting")
    exit(1)
}
let worker: WorkerProcess
do {
    worker = try WorkerProcess(serializedConfiguration: first.payload, master: master)
} catch {
    ChildLog.critical("cannot start: \(error)")
    exit(1)
}
worker.run()
