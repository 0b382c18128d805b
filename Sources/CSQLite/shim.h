#ifndef AUTHMILTER_CSQLITE_H
#define AUTHMILTER_CSQLITE_H
#include <sqlite3.h>
/* SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which
   Swift cannot import: tell SQLite to copy bound text. */
static inline void am_sqlite3_bind_text_copy(sqlite3_stmt *statement, int index, const char *text, int length) {
    sqlite3_bind_text(statement, index, text, length, SQLITE_TRANSIENT);
}
#endif
