import Config

/// The content-scanning handlers (SpamAssassin, RSpamD, ClamAV) as the
/// master sees them: whether the scanner process is needed, and its
/// command line, which names each enabled handler's scanner, its address
/// and its time budget. A reload that changes the command line replaces
/// the scanner.
public enum ContentScanners {
    /// nil when none of the handlers is enabled.
    public static func scannerArguments(in configuration: Configuration) -> [String]? {
        var arguments: [String] = []
        if let spamAssassin = SpamAssassinSettings.enabled(in: configuration) { arguments += spamAssassin.scannerArguments }
        if let rspamd = RSpamDSettings.enabled(in: configuration) { arguments += rspamd.scannerArguments }
        if let clamAV = ClamAVSettings.enabled(in: configuration) { arguments += clamAV.scannerArguments }
        return arguments.isEmpty ? nil : arguments
    }
}
