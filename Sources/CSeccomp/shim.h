#ifndef AUTHMILTER_CSECCOMP_H
#define AUTHMILTER_CSECCOMP_H
#include <seccomp.h>
#include <errno.h>

/* Swift cannot import SCMP_ACT_* function-like macros or the variadic
 * seccomp_rule_add; these wrappers expose what the policies need. */
static inline uint32_t am_scmp_act_kill_process(void) { return SCMP_ACT_KILL_PROCESS; }
static inline uint32_t am_scmp_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t am_scmp_act_errno(int e) { return SCMP_ACT_ERRNO(e); }

static inline int am_seccomp_allow(scmp_filter_ctx ctx, const char *name) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return -1;
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
}
/* Allow a syscall only when argument `arg` equals `value`. */
static inline int am_seccomp_allow_arg_eq(scmp_filter_ctx ctx, const char *name, unsigned int arg, uint64_t value) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return -1;
    return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_CMP(arg, SCMP_CMP_EQ, value));
}
/* Refuse a syscall with an errno instead of killing (used for calls that
 * libraries probe and handle gracefully). */
static inline int am_seccomp_errno(scmp_filter_ctx ctx, const char *name, int e) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return -1;
    return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(e), nr, 0);
}
#endif
