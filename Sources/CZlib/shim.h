#ifndef AUTHMILTER_CZLIB_H
#define AUTHMILTER_CZLIB_H
#include <zlib.h>
/* deflateInit2 is a macro (it passes the version and struct size). */
static inline int am_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
static inline int am_inflate_init_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}
#endif
