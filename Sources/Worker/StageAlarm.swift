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

    /// What a stage's arming is made of; the reply and log line built for
    /// each are kept, so a stage after another (connect, HELO, MAIL, RCPT,
    /// header, end of headers, body, end of message: eight switches a
    /// message) copies prepared bytes instead of formatting them again
    /// (issue 12: 3.4% of an AddID-only worker). When the next stage has
    /// the same terms as the last (header after header), the C side still
    /// holds them and only the timer is looked at.
    struct Terms: Equatable {
        var socket: Int32
        var stage: String
        var seconds: Double
        var action: String
        var listener: String
    }

    struct Prepared {
        var reply: [UInt8]
        var line: [CChar]
    }

    nonisolated(unsafe) static var lastTerms: Terms?
    /// Looked through in order: a handful of entries whose stage and
    /// action are small strings and whose listener is the same string
    /// object each time compare faster than they hash.
    nonisolated(unsafe) static var prepared: [(terms: Terms, ready: Prepared)] = []
    /// More terms than stages times actions means the socket or listener
    /// changed many times: start again rather than grow.
    static let preparedLimit = 32

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
        let terms = Terms(socket: socket, stage: stage, seconds: seconds, action: action, listener: listener)
        let rc: Int32
        if terms == lastTerms {
            rc = am_stage_alarm_arm_again(microseconds)
        } else {
            let ready: Prepared
            if let known = prepared.first(where: { $0.terms == terms }) {
                ready = known.ready
            } else {
                let line = "error \(stage) callbacks timed out after \(seconds)s on \(listener): \(action), worker exits\n"
                ready = Prepared(reply: reply(), line: line.utf8.map { CChar(bitPattern: $0) })
                if prepared.count >= preparedLimit { prepared.removeAll() }
                prepared.append((terms, ready))
            }
            rc = ready.reply.withUnsafeBytes { raw in
                ready.line.withUnsafeBufferPointer { text in
                    am_stage_alarm_arm(socket, raw.baseAddress, raw.count, text.baseAddress, text.count, microseconds)
                }
            }
            lastTerms = terms
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
