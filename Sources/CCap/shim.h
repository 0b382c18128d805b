#ifndef AUTHMILTER_CCAP_H
#define AUTHMILTER_CCAP_H
#include <sys/capability.h>
#include <sys/prctl.h>
#include <linux/prctl.h>

/* prctl is variadic: Swift cannot call it, so each use gets a wrapper. */
static inline int am_cap_bounding_drop(int cap) { return prctl(PR_CAPBSET_DROP, cap, 0, 0, 0); }
static inline int am_cap_ambient_raise(int cap) { return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0); }
static inline int am_cap_ambient_clear_all(void) { return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); }
static inline int am_set_keepcaps(int on) { return prctl(PR_SET_KEEPCAPS, on, 0, 0, 0); }
static inline int am_cap_last(void) { return (int)cap_max_bits() - 1; }

/* Set permitted/effective/inheritable to exactly the listed capabilities
 * (n may be 0: clear everything). */
static inline int am_cap_set_exactly(const cap_value_t *caps, int n, int effective) {
    cap_t c = cap_init();
    if (!c) return -1;
    int rc = 0;
    if (n > 0) {
        rc |= cap_set_flag(c, CAP_PERMITTED, n, caps, CAP_SET);
        rc |= cap_set_flag(c, CAP_INHERITABLE, n, caps, CAP_SET);
        if (effective) rc |= cap_set_flag(c, CAP_EFFECTIVE, n, caps, CAP_SET);
    }
    if (rc == 0) rc = cap_set_proc(c);
    cap_free(c);
    return rc;
}
#endif
