#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// The roots a VMC must chain to (`bimi_options.ssl_root_cert`, Mail::BIMI's
/// option; the system bundle when unset), read once when the handler is
/// built, before the worker's jail: verification then needs no file.
public final class BIMIVMCTrustStore: @unchecked Sendable {
    /// The system bundle Debian's ca-certificates writes.
    public static let systemBundle = "/etc/ssl/certs/ca-certificates.crt"

    let store: OpaquePointer

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads every certificate of a PEM file.
    public init(file: String) throws(LoadError) {
        guard let store = X509_STORE_new() else { throw LoadError(description: "X509_STORE_new failed") }
        guard X509_STORE_load_locations(store, file, nil) == 1 else {
            X509_STORE_free(store)
            ERR_clear_error()
            throw LoadError(description: "cannot read the certificates of \(file)")
        }
        self.store = store
        // Verification checks certificate times through glibc's
        // localtime, which reads /etc/localtime on first use: now, before
        // the worker's jail.
        tzset()
    }

    deinit { X509_STORE_free(store) }
}
