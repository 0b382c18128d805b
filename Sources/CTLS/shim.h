#ifndef AUTHMILTER_CTLS_H
#define AUTHMILTER_CTLS_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
/* Macros Swift cannot call. */
static inline int am_ssl_set_server_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}
static inline int am_ssl_ctx_set_min_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}
/* A server that closes without close_notify ends the answer (the body's
   framing, not the TLS alert, says whether it is whole). */
static inline void am_ssl_ctx_ignore_unexpected_eof(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
}
#endif
