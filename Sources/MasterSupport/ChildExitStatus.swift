#if canImport(Glibc)
import Glibc
#endif
import CShim

/// Why a child ended, in words for the log.
public func describeExit(status: Int32) -> String {
    if am_wifexited(status) != 0 { return "exited with status \(am_wexitstatus(status))" }
    if am_wifsignaled(status) != 0 {
        let sig = am_wtermsig(status)
        if sig == SIGSYS { return "killed by SIGSYS (seccomp violation: a forbidden system call)" }
        let name = String(cString: strsignal(sig))
        return "killed by signal \(sig) (\(name))"
    }
    return "ended with status \(status)"
}

public func exitWasClean(status: Int32) -> Bool {
    am_wifexited(status) != 0 && am_wexitstatus(status) == 0
}
