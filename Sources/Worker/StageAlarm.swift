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

    /// What a stage's alarm sends and logs, built once per distinct stage,
    /// limit, reply and listener rather than for every header (issue 12).
    struct Prepared {
        var stage: String
        var seconds: Double
        var tempfail: Bool
        var listener: String
        var bytes: [UInt8] = []
        var line: [CChar] = []

        func isFor(stage: String, seconds: Double, tempfail: Bool, listener: String) -> Bool {
            self.seconds == seconds && self.tempfail == tempfail && self.stage == stage && self.listener == listener
        }
    }

    /// The worker is single-threaded; the last arming is reused when the
    /// next stage has the same terms.
    nonisolated(unsafe) static var last: Prepared?

    /// Arms the deadline for `stage` on `socket`: when it fires, the MTA
    /// gets a tempfail (`tempfail`) or an accept.
    static func arm(socket: Int32, stage: String, seconds: Double, tempfail: Bool, listener: String) {
        if last?.isFor(stage: stage, seconds: seconds, tempfail: tempfail, listener: listener) != true {
            var prepared = Prepared(stage: stage, seconds: seconds, tempfail: tempfail, listener: listener)
            prepared.bytes = (tempfail ? MilterResponse.tempfail : MilterResponse.accept).encoded()
            let action = tempfail ? "tempfailed" : "accepted"
            prepared.line = Array("error \(stage) callbacks timed out after \(seconds)s on \(listener): \(action), worker exits\n".utf8CString)
            last = prepared
        }
        guard let prepared = last else { return }
        let microseconds = Int64((seconds * 1_000_000).rounded(.up))
        let rc = prepared.bytes.withUnsafeBytes { reply in
            prepared.line.withUnsafeBufferPointer { text in
                am_stage_alarm_arm(socket, reply.baseAddress, reply.count, text.baseAddress, text.count - 1, microseconds)
            }
        }
        if rc != 0 { ChildLog.warning("stage deadline not armed: \(SystemCallError.text(for: errno))") }
    }

    static func disarm() {
        _ = am_stage_alarm_disarm()
    }
}
