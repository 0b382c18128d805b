#if canImport(Glibc)
import Glibc
#endif
import Shared

// The spool process: the only one allowed to write spool_dir, cache_dir and
// lib_dir. Started by the master with fd 3 = control channel; the master
// passes it one channel per worker. Workers send it deferred work (DMARC
// report rows, error reports: issue 4); today it accepts the channels,
// acknowledges nothing and keeps its jail, so the process tree and the
// privilege model are in place from the start.

var arguments = SpoolArguments()
do {
    arguments = try SpoolArguments.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    ChildLog.critical("\(error)")
    exit(2)
}
ChildLog.debugEnabled = arguments.debug
do {
    let notes = try Sandbox.enter(role: .spool, privileges: PrivilegeSettings(user: arguments.runas, group: arguments.rungroup))
    for note in notes { ChildLog.info(note) }
} catch {
    ChildLog.critical("cannot enter the sandbox: \(error)")
    exit(1)
}
SpoolLoop(master: IPCChannel(fd: 3)).run()
