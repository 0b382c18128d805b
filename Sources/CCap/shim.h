#ifndef AUTHMILTER_CCAP_H
#define AUTHMILTER_CCAP_H
#include <sys/capability.h>
#include <sys/prctl.h>
#endif
