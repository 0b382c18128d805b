import COpenSSL
import CTLS

/// The fetch helper's one TLS client configuration: TLS 1.2 or newer, the
/// peer's certificate verified against the system bundle and, when given,
/// `--ca-file` (tests use a CA of their own), no renegotiation. Both files
/// are read here, before the jail: OpenSSL looks nothing up on disk later
/// (a CA directory would be read lazily, so none is set).
final class TLSClientContext {
    let context: OpaquePointer

    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    init(systemBundle: String = "/etc/ssl/certs/ca-certificates.crt", extraCAFile: String?) throws(SetupError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw SetupError(description: "SSL_CTX_new failed") }
        self.context = context
        guard am_ssl_ctx_set_min_tls12(context) == 1 else { throw SetupError(description: "cannot require TLS 1.2") }
        am_ssl_ctx_ignore_unexpected_eof(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        var loaded = false
        for file in [systemBundle, extraCAFile].compactMap({ $0 }) {
            if SSL_CTX_load_verify_locations(context, file, nil) == 1 {
                loaded = true
            } else if file == extraCAFile {
                ERR_clear_error()
                throw SetupError(description: "cannot read the certificates of \(file)")
            }
            ERR_clear_error()
        }
        guard loaded else { throw SetupError(description: "no trusted certificate could be read") }
    }

    deinit { SSL_CTX_free(context) }

    /// A new connection object for `host` (SNI and name check for a DNS
    /// name, an address check for a literal).
    func connection(fd: Int32, host: String, isAddress: Bool) -> OpaquePointer? {
        guard let ssl = SSL_new(context) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            return nil
        }
        let checked: Int32
        if isAddress {
            checked = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            checked = am_ssl_set_server_name(ssl, host) == 1 ? SSL_set1_host(ssl, host) : 0
        }
        guard checked == 1 else {
            ERR_clear_error()
            SSL_free(ssl)
            return nil
        }
        SSL_set_connect_state(ssl)
        return ssl
    }
}
