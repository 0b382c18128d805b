/// Record selection for the `pra` scope (RFC 4406 section 4.4), as
/// Mail::SPF does it for a Sender ID request (versions `[2]`):
///
/// - every TXT record with a Sender ID version section is parsed, in the
///   order DNS gave them, whichever scopes it covers, so a syntax error in
///   any of them is a permerror (as is a scope not in lower case);
/// - of those, the one covering `pra` is evaluated; none is "none", more
///   than one is a permerror ("Redundant applicable 'spf2.0' sender
///   policies found");
/// - `v=spf1` records are not used, unless
///   `SPFOptions.senderIDFallsBackToVersion1` is on and no record starts
///   with `spf2.0`: then the one `v=spf1` record stands for
///   `spf2.0/mfrom,pra` (RFC 4406 section 3.4).
///
/// Includes and redirects select their records the same way, since they
/// keep the request's scope (an include of a domain with only `v=spf1`
/// is a permerror without the fallback, as in Mail::SPF).
extension SPFCheck {
    func selectSenderIDRecord(_ records: [DNSRecord], _ context: Context) throws(Stop) -> SPFRecord? {
        let texts = records.compactMap(\.joinedText)
        var selected: SPFRecord? = nil
        var redundant = false
        for text in texts {
            guard let tag = SenderIDVersionTag(text) else { continue }
            if let scope = tag.invalidScope {
                throw context.stop(.permerror, "Invalid scope '\(SPFText.sanitized(scope))' for spf2.0 record")
            }
            let record = try parse(tag.version1Form, context, renaming: tag.text)
            guard tag.covers(request.scope) else { continue }
            if selected != nil { redundant = true }
            selected = record
        }
        if redundant {
            throw context.stop(.permerror, "Redundant applicable 'spf2.0' sender policies found")
        }
        if let selected { return selected }

        guard options.senderIDFallsBackToVersion1, !texts.contains(where: SenderIDVersionTag.isVersion2) else { return nil }
        let version1 = texts.filter { SPFRecord.isVersion1($0) }
        guard let only = version1.first else { return nil }
        guard version1.count == 1 else {
            throw context.stop(.permerror, "Redundant applicable 'v=spf1' sender policies found")
        }
        return try parse(only, context, renaming: nil)
    }

    /// Parses through the record cache when there is one; a syntax error
    /// is a permerror, worded with the record's own version section.
    private func parse(_ text: [UInt8], _ context: Context, renaming tag: String?) throws(Stop) -> SPFRecord {
        let parsed: Result<SPFRecord, SPFSyntaxError>
        if let recordCache {
            parsed = recordCache.record(text)
        } else {
            do { parsed = .success(try SPFRecord(parsing: text)) } catch { parsed = .failure(error) }
        }
        switch parsed {
        case .success(let record):
            return record
        case .failure(let error):
            var message = error.message
            if let tag { message = message.substituting("in 'v=spf1' record", with: "in '\(tag)' record") }
            throw context.stop(.permerror, message)
        }
    }
}
