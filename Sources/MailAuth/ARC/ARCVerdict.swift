/// ARC's own reasons for refusing a signature field, in the DKIM
/// verdict's form (Mail::DKIM's words: `invalid (...)`, a permanent error).
extension DKIMVerdict {
    static func arcInvalid(_ reason: String) -> DKIMVerdict {
        DKIMVerdict(result: .permerror, perlResult: "invalid", reason: reason)
    }
}
