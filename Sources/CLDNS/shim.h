#ifndef AUTHMILTER_CLDNS_H
#define AUTHMILTER_CLDNS_H
#include <ldns/ldns.h>
#endif
