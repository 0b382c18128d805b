#if canImport(Glibc)
import Glibc
#endif
import CShim
import Handlers
import Milter
import ProcessLog
import SystemIO

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

    /// The terms of the last arming: when the next stage has the same
    /// (the usual case, header after header), the C side still holds its
    /// reply and log line and only the timer is looked at (issue 12).
    nonisolated(unsafe) static var lastStage = ""
    nonisolated(unsafe) static var lastSeconds = -1.0
    nonisolated(unsafe) static var lastAction = ""
    nonisolated(unsafe) static var lastSocket: Int32 = -1
    nonisolated(unsafe) static var lastListener = ""

    /// Arms the deadline for a milter `stage` on `socket`: when it fires,
    /// the MTA gets a tempfail (`tempfail`) or an accept.
    static func arm(socket: Int32, stage: String, seconds: Double, tempfail: Bool, listener: String) {
        arm(socket: socket, stage: stage, seconds: seconds,
            reply: (tempfail ? MilterResponse.tempfail : MilterResponse.accept).encoded(),
            action: tempfail ? "tempfailed" : "accepted", listener: listener)
    }

    /// Arms the deadline for `stage`: when it fires, `reply` (a milter
    /// packet, or an SMTP line in SMTP mode) goes to `socket` and the log
    /// line says `action`.
    static func arm(socket: Int32, stage: String, seconds: Double, reply: @autoclosure () -> [UInt8], action: String, listener: String) {
        let microseconds = Int64((seconds * 1_000_000).rounded(.up))
        let rc: Int32
        if seconds == lastSeconds && action == lastAction && socket == lastSocket && stage == lastStage && listener == lastListener {
            rc = am_stage_alarm_arm_again(microseconds)
        } else {
            let bytes = reply()
            let line = "error \(stage) callbacks timed out after \(seconds)s on \(listener): \(action), worker exits\n"
            rc = bytes.withUnsafeBytes { raw in
                line.withCString { text in
                    am_stage_alarm_arm(socket, raw.baseAddress, raw.count, text, strlen(text), microseconds)
                }
            }
            (lastStage, lastSeconds, lastAction, lastSocket, lastListener) = (stage, seconds, action, socket, listener)
        }
        if rc != 0 { ChildLog.warning("stage deadline not armed: \(SystemIOError.text(for: errno))") }
    }

    /// The error report frame the alarm sends the spool before the worker
    /// exits (`errors_to`), prepared here because a signal handler cannot
    /// build one. Rebuilt only when the stage or the trace changed, so a
    /// message costs a copy per stage with news, none without `errors_to`.
    nonisolated(unsafe) static var reportKey = ""

    static func prepareReport(key: String, spool: Int32, frame: () -> [UInt8]) {
        guard key != reportKey else { return }
        let bytes = frame()
        let rc = bytes.withUnsafeBytes { am_stage_alarm_set_report(spool, $0.baseAddress, $0.count) }
        reportKey = rc == 0 ? key : ""
    }

    static func disarm() {
        _ = am_stage_alarm_disarm()
    }
}
