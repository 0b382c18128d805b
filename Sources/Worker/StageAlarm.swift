#if canImport(Glibc)
import Glibc
#endif
import CShim
import Shared
import Handlers
import Milter

/// The hard deadline of a milter stage. The dispatcher only notices an
/// overrun after its handlers return, which a handler spinning on a
/// hostile header or waiting on lookups never does. Before each stage the
/// worker arms a one-shot timer with the reply already prepared; if the
/// stage is still running when it fires, the signal handler sends that
/// reply to the MTA, logs the line and exits the worker, and the master
/// starts a fresh one. A single-threaded jailed process cannot abandon a
/// running handler any other way (the Perl program dies out of an alarm).
/// Stages that fit in the running timer share it and `disarm` only marks
/// the alarm inactive (am_stage_alarm_arm in CShim; docs/security.md).
enum StageAlarm {
    /// Once, before the seccomp filter (rt_sigaction is allowed for SIGABRT
    /// only afterwards).
    static func install() -> Bool {
        am_stage_alarm_install() == 0
    }

    /// Arms the deadline for `stage` on `socket`.
    static func arm(socket: Int32, stage: String, seconds: Double, replies: [MilterResponse], listener: String) {
        var bytes: [UInt8] = []
        for reply in replies { bytes.append(contentsOf: reply.encoded()) }
        let action = replies.contains(.accept) ? "accepted" : "tempfailed"
        let line = "error \(stage) callbacks timed out after \(seconds)s on \(listener): \(action), worker exits\n"
        let microseconds = Int64((seconds * 1_000_000).rounded(.up))
        let rc = bytes.withUnsafeBytes { reply in
            line.withCString { text in
                am_stage_alarm_arm(socket, reply.baseAddress, reply.count, text, strlen(text), microseconds)
            }
        }
        if rc != 0 { ChildLog.warning("stage deadline not armed: \(SystemCallError.text(for: errno))") }
    }

    static func disarm() {
        _ = am_stage_alarm_disarm()
    }
}
