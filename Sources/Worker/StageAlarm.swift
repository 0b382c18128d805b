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
    struct Prepared: Equatable {
        var stage: String
        var seconds: Double
        var replies: [MilterResponse]
        var listener: String
        var bytes: [UInt8] = []
        var line: [CChar] = []

        static func == (a: Prepared, b: Prepared) -> Bool {
            a.stage == b.stage && a.seconds == b.seconds && a.replies == b.replies && a.listener == b.listener
        }
    }

    /// The worker is single-threaded; the last arming is reused when the
    /// next stage has the same terms.
    nonisolated(unsafe) static var last: Prepared?

    /// Arms the deadline for `stage` on `socket`.
    static func arm(socket: Int32, stage: String, seconds: Double, replies: [MilterResponse], listener: String) {
        var wanted = Prepared(stage: stage, seconds: seconds, replies: replies, listener: listener)
        if let last, last == wanted {
            wanted = last
        } else {
            for reply in replies { wanted.bytes.append(contentsOf: reply.encoded()) }
            let action = replies.contains(.accept) ? "accepted" : "tempfailed"
            wanted.line = Array("error \(stage) callbacks timed out after \(seconds)s on \(listener): \(action), worker exits\n".utf8CString)
            last = wanted
        }
        let microseconds = Int64((seconds * 1_000_000).rounded(.up))
        let rc = wanted.bytes.withUnsafeBytes { reply in
            wanted.line.withUnsafeBufferPointer { text in
                am_stage_alarm_arm(socket, reply.baseAddress, reply.count, text.baseAddress, text.count - 1, microseconds)
            }
        }
        if rc != 0 { ChildLog.warning("stage deadline not armed: \(SystemCallError.text(for: errno))") }
    }

    static func disarm() {
        _ = am_stage_alarm_disarm()
    }
}
