#if canImport(Glibc)
import Glibc
#endif

/// `cache_dir`, `lib_dir` and `spool_dir`, and where they go when unset.
public enum ConfigDirectory: String, Sendable, CaseIterable {
    case cache, lib, spool
}

extension Configuration {
    public func configuredDirectory(_ kind: ConfigDirectory) -> String? {
        switch kind {
        case .cache: return cacheDir
        case .lib: return libDir
        case .spool: return spoolDir
        }
    }

    /// Where the Perl milter (Config::setup_config) puts an unset directory:
    /// as root, when `/var/<kind>` exists and is writable,
    /// `/var/<kind>/authentication_milter/<ident>`; otherwise
    /// `/tmp/authentication_milter_<kind>_<euid>_<ident>`. The caller checks
    /// `/var/<kind>` and creates the directory; a configured directory must
    /// already exist and be writable (Perl dies otherwise).
    public static func fallbackDirectory(_ kind: ConfigDirectory, ident: String, effectiveUID: UInt32,
                                         systemDirectoryUsable: Bool) -> String {
        let safe = safeIdent(ident)
        if effectiveUID == 0 && systemDirectoryUsable {
            return "/var/\(kind.rawValue)/authentication_milter/\(safe)"
        }
        return "/tmp/authentication_milter_\(kind.rawValue)_\(effectiveUID)_\(safe)"
    }

    /// Gives every unset directory its fallback location (see
    /// `fallbackDirectory`); the master and the report commands agree
    /// this way on where `lib_dir` is.
    public mutating func resolveUnsetDirectories(ident: String) {
        for kind in ConfigDirectory.allCases where configuredDirectory(kind) == nil {
            let usable = access("/var/\(kind.rawValue)", W_OK) == 0
            let path = Configuration.fallbackDirectory(kind, ident: ident, effectiveUID: geteuid(), systemDirectoryUsable: usable)
            switch kind {
            case .cache: cacheDir = path
            case .lib: libDir = path
            case .spool: spoolDir = path
            }
        }
    }

    /// The ident with everything but lower-case letters and digits replaced
    /// by `_`, as Perl's `s/[^a-z0-9]/_/g` does.
    public static func safeIdent(_ ident: String) -> String {
        String(decoding: ident.utf8.map { byte in
            (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) ? byte : UInt8(ascii: "_")
        }, as: UTF8.self)
    }
}
