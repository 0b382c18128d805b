#ifndef AUTHMILTER_CSECCOMP_H
#define AUTHMILTER_CSECCOMP_H
#include <seccomp.h>
#include <errno.h>

/* Swift cannot import SCMP_ACT_* function-like macros or the variadic
 * seccomp_rule_add; these wrappers expose what the policies need. */
static inline uint32_t am_scmp_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t am_scmp_act_trap(void) { return SCMP_ACT_TRAP; }

/* One rule without an argument condition. */
static inline int am_seccomp_rule0(scmp_filter_ctx ctx, uint32_t action, int nr) {
    return seccomp_rule_add_exact(ctx, action, nr, 0);
}
/* One rule with one argument condition: `op` is an enum scmp_compare
 * (SCMP_CMP_EQ, SCMP_CMP_MASKED_EQ with datum_a = mask, datum_b = value). */
static inline int am_seccomp_rule1(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned int arg, int op,
                                   uint64_t datum_a, uint64_t datum_b) {
    struct scmp_arg_cmp cmp = { arg, (enum scmp_compare)op, datum_a, datum_b };
    return seccomp_rule_add_exact_array(ctx, action, nr, 1, &cmp);
}
static inline int am_scmp_cmp_eq(void) { return SCMP_CMP_EQ; }
static inline int am_scmp_cmp_masked_eq(void) { return SCMP_CMP_MASKED_EQ; }
static inline int am_nr_scmp_error(void) { return __NR_SCMP_ERROR; }
#endif
