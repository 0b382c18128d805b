/// What rspamd said of a message (`/checkv2`'s top-level members).
public struct RspamdVerdict: Sendable, Equatable {
    /// `action`: `no action`, `greylist`, `add header`, `rewrite subject`,
    /// `soft reject`, `reject` (or a custom action's name).
    public var action: String
    public var score: Double
    public var requiredScore: Double
    public var isSkipped: Bool
    /// `subject`: the rewritten subject, with `rewrite subject` only.
    public var subject: String?

    public init(action: String, score: Double, requiredScore: Double, isSkipped: Bool = false, subject: String? = nil) {
        (self.action, self.score, self.requiredScore, self.isSkipped, self.subject) = (action, score, requiredScore, isSkipped, subject)
    }

    /// Perl's handler reads `is_spam` from the legacy `/check` reply;
    /// `/checkv2` has no such member, so it is derived as rspamd's legacy
    /// reply derives it: every action but `no action` is spam (Debian's
    /// rspamd 3.4 answers `is_spam: true` for `greylist` too).
    public var isSpam: Bool { action != "no action" }
}
