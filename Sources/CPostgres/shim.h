#ifndef AUTHMILTER_CPOSTGRES_H
#define AUTHMILTER_CPOSTGRES_H
#include <libpq-fe.h>
#endif
