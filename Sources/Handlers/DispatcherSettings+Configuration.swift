#if canImport(Glibc)
import Glibc
#endif
import Config
import MailAuth

extension DispatcherSettings {
    /// The dispatcher's settings from the configuration; the system
    /// hostname read here (before a sandbox: uname is not allowed after).
    public init(_ c: Configuration) {
        self.init()
        authservID = c.authservID
        var name = [UInt8](repeating: 0, count: 256)
        if name.withUnsafeMutableBufferPointer({ $0.withMemoryRebound(to: CChar.self) { gethostname($0.baseAddress!, 255) } }) == 0 {
            hostname = String(decoding: name.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        hideNone = c.hideNone
        indentStyle = AuthResultsIndentStyle(rawValue: c.headerIndentStyle.rawValue) ?? .entry
        indentBy = c.headerIndentBy
        foldAt = c.headerFoldAt ?? 0
        dryrun = c.dryrun
        milterQuarantine = c.milterQuarantine
        tempfailOnError = c.tempfailOnError
        tempfailOnErrorAuthenticated = c.tempfailOnErrorAuthenticated
        tempfailOnErrorLocal = c.tempfailOnErrorLocal
        tempfailOnErrorTrusted = c.tempfailOnErrorTrusted
        connectTimeout = c.connectTimeout ?? 0
        commandTimeout = c.commandTimeout ?? 0
        contentTimeout = c.contentTimeout ?? 0
        remap = ConnectionRemap(c.ipMap)
        // Perl's default_config has extended_log 1: on unless turned off.
        extendedLog = c.extendedLog ?? true
        legacyLog = c.legacyLog ?? false
        // Checked when the handlers were built.
        authHeaderNames = (try? AuthResultsHeaderName.all(c)) ?? [:]
    }
}
