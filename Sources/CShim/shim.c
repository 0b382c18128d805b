#define _GNU_SOURCE
#include "cshim.h"
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <errno.h>
#include <stdlib.h>
#include <linux/seccomp.h>
#include <syslog.h>
#include <sys/time.h>

static char am_ident_buf[256];
void am_openlog(const char *ident, int facility) {
    /* openlog keeps the pointer: copy the ident somewhere that lives on. */
    strncpy(am_ident_buf, ident, sizeof am_ident_buf - 1);
    openlog(am_ident_buf, LOG_PID | LOG_NDELAY, facility);
}
void am_syslog(int priority, const char *line) { syslog(priority, "%s", line); }

ssize_t am_send_with_fd(int sock, const void *buf, size_t len, int fd) {
    struct msghdr msg;
    struct iovec iov;
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    memset(&msg, 0, sizeof msg);
    iov.iov_base = (void *)buf;
    iov.iov_len = len;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (fd >= 0) {
        memset(&u, 0, sizeof u);
        msg.msg_control = u.buf;
        msg.msg_controllen = sizeof u.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    /* One sendmsg: the caller (SystemCall.writeAll) retries EINTR and
     * continues partial sends. */
    return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

ssize_t am_recv_with_fd(int sock, void *buf, size_t len, int *fd) {
    struct msghdr msg;
    struct iovec iov;
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
    memset(&msg, 0, sizeof msg);
    iov.iov_base = buf;
    iov.iov_len = len;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.buf;
    msg.msg_controllen = sizeof u.buf;
    *fd = -1;
    /* One recvmsg: the caller (SystemCall.retryingOnInterrupt) retries EINTR. */
    ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) return n;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int got = -1;
            memcpy(&got, CMSG_DATA(c), sizeof(int));
            if (*fd < 0) *fd = got; else close(got);
        }
    }
    return n;
}

int am_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
int am_setresuid(uid_t r, uid_t e, uid_t s) { return setresuid(r, e, s); }
int am_setresgid(gid_t r, gid_t e, gid_t s) { return setresgid(r, e, s); }
int am_accept4_cloexec(int sock) { return accept4(sock, NULL, NULL, SOCK_CLOEXEC); }

int am_ppoll(struct pollfd *fds, unsigned long count, long seconds, long nanoseconds) {
    struct timespec timeout = { .tv_sec = seconds, .tv_nsec = nanoseconds };
    return ppoll(fds, (nfds_t)count, &timeout, NULL);
}

int am_signalfd_setup(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    signal(SIGPIPE, SIG_IGN);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int am_signalfd_read(int fd) {
    struct signalfd_siginfo si;
    ssize_t n = read(fd, &si, sizeof si);
    if (n != (ssize_t)sizeof si) return -1;
    return (int)si.ssi_signo;
}

int am_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
int am_set_process_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

int am_set_nonblocking(int fd, int on) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return -1;
    fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
    return fcntl(fd, F_SETFL, fl);
}

pid_t am_spawn(const char *path, char *const argv[], char *const envp[],
               const int *fds, int nfds, int stderr_fd) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sigset_t empty, deflt;
    int rc;
    /* Move the wanted fds out of the way first so dup2 into 3.. cannot
     * clobber one not yet moved. */
    int tmp[64];
    if (nfds > 60) return -EINVAL;
    for (int i = 0; i < nfds; i++) {
        tmp[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 100);
        if (tmp[i] < 0) { for (int j = 0; j < i; j++) close(tmp[j]); return -errno; }
    }
    posix_spawn_file_actions_init(&fa);
    if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stderr_fd, 2);
    for (int i = 0; i < nfds; i++) posix_spawn_file_actions_adddup2(&fa, tmp[i], 3 + i);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3 + nfds);
    posix_spawnattr_init(&attr);
    sigemptyset(&empty);
    sigemptyset(&deflt);
    sigaddset(&deflt, SIGCHLD); sigaddset(&deflt, SIGTERM); sigaddset(&deflt, SIGINT);
    sigaddset(&deflt, SIGHUP); sigaddset(&deflt, SIGPIPE);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &deflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = 0;
    rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    for (int i = 0; i < nfds; i++) close(tmp[i]);
    if (rc != 0) return -rc;
    return pid;
}

int am_wifexited(int status) { return WIFEXITED(status); }
int am_wexitstatus(int status) { return WEXITSTATUS(status); }
int am_wifsignaled(int status) { return WIFSIGNALED(status); }
int am_wtermsig(int status) { return WTERMSIG(status); }

int am_daemonize_wait(const int *keep, int nkeep, int *ready_fd) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    pid_t p = fork();
    if (p < 0) return -1;
    if (p > 0) {
        /* The starting process: wait for the daemon's word. */
        close(fds[1]);
        char byte = 0;
        ssize_t n;
        /* Between fork and _exit: plain C, no Swift runtime. */
        do { n = read(fds[0], &byte, 1); } while (n < 0 && errno == EINTR);
        _exit(n == 1 ? 0 : 1);
    }
    close(fds[0]);
    int keep2[64];
    if (nkeep > 62) return -1;
    for (int i = 0; i < nkeep; i++) keep2[i] = keep[i];
    keep2[nkeep] = fds[1];
    if (setsid() < 0) return -1;
    p = fork();
    if (p < 0) return -1;
    if (p > 0) _exit(0);
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        if (fd > 2) close(fd);
    }
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int d = 3; d < max; d++) {
        int kept = 0;
        for (int i = 0; i <= nkeep; i++) if (keep2[i] == d) { kept = 1; break; }
        if (!kept) close(d);
    }
    *ready_fd = fds[1];
    return 0;
}

void am_daemon_ready(int ready_fd) {
    if (ready_fd < 0) return;
    char byte = 1;
    ssize_t n;
    /* The other end of am_daemonize_wait's pipe, kept in C beside it. */
    do { n = write(ready_fd, &byte, 1); } while (n < 0 && errno == EINTR);
    close(ready_fd);
}

long am_forbidden_syscall_probe(void) {
    /* mkdir is never in a worker's policy: a jailed process dies here. */
    return syscall(SYS_mkdir, "/tmp/authmilter-seccomp-probe", 0700);
}

/* Async-signal-safe: only write, getpid, gettid, tgkill and exit_group,
 * all in every role's filter. */
static void am_sigsys_report(int sig, siginfo_t *info, void *context) {
    (void)context;
    char line[80];
    const char *prefix = "error seccomp: forbidden system call ";
    size_t n = 0;
    while (prefix[n] != 0) { line[n] = prefix[n]; n++; }
    int nr = info->si_syscall;
    char digits[16];
    size_t d = 0;
    unsigned int value = nr < 0 ? 0u : (unsigned int)nr;
    do { digits[d++] = (char)('0' + value % 10); value /= 10; } while (value != 0 && d < sizeof digits);
    while (d > 0) line[n++] = digits[--d];
    line[n++] = '\n';
    ssize_t ignored = write(2, line, n);
    (void)ignored;
    /* SA_RESETHAND made SIGSYS default again and SA_NODEFER leaves it
     * unblocked: this kills the process with SIGSYS, as the kill-default
     * filter would have. */
    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), sig);
    _exit(128 + sig);
}

int am_install_sigsys_reporter(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = am_sigsys_report;
    action.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGSYS, &action, NULL);
}

/* The stage alarm's prepared state: written only while it is inactive,
 * read only by the handler while it is active.
 *
 * One ITIMER_REAL serves every stage (issue 12). A stage records its own
 * deadline; arming costs a setitimer only when the running timer would
 * fire after that deadline (or is not running, or is about to fire), and
 * ending a stage costs nothing: it marks the alarm inactive. A timer that
 * fires while no stage runs is forgotten; one that fires for a stage
 * before the stage's deadline (it was armed for an earlier, shorter one)
 * is set again for what is left. So a stage is cut at exactly its
 * deadline, and a worker makes about one setitimer per shortest limit
 * (30 s by default) instead of two or three per milter packet. */
static volatile sig_atomic_t am_alarm_active = 0;
static volatile sig_atomic_t am_alarm_fd = -1;
static unsigned char am_alarm_reply[1024];
static size_t am_alarm_reply_len;
static char am_alarm_line[512];
static size_t am_alarm_line_len;
/* CLOCK_MONOTONIC microseconds: the active stage's deadline, and when the
 * running timer fires (0: no timer running). */
static volatile long long am_alarm_deadline_us = 0;
/* The error report frame for errors_to (am_stage_alarm_set_report). */
static unsigned char am_alarm_report[40 * 1024];
static volatile size_t am_alarm_report_len = 0;
static volatile sig_atomic_t am_alarm_report_fd = -1;
static volatile long long am_alarm_expiry_us = 0;

static long long am_monotonic_us(void) {
    struct timespec now;
    if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0;
    return (long long)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

static int am_set_timer_us(long long microseconds) {
    if (microseconds < 1) microseconds = 1;
    struct itimerval timer;
    memset(&timer, 0, sizeof timer);
    timer.it_value.tv_sec = (time_t)(microseconds / 1000000);
    timer.it_value.tv_usec = (suseconds_t)(microseconds % 1000000);
    return setitimer(ITIMER_REAL, &timer, NULL);
}

/* Async-signal-safe: clock_gettime, setitimer, send (sendto), write and
 * exit_group only. */
static void am_stage_alarm_fired(int sig) {
    (void)sig;
    int saved_errno = errno;
    if (!am_alarm_active) {
        /* A timer left from a stage that has ended. */
        am_alarm_expiry_us = 0;
        errno = saved_errno;
        return;
    }
    long long now = am_monotonic_us();
    if (now != 0 && now < am_alarm_deadline_us) {
        /* Armed for an earlier, shorter stage: wait for the rest. */
        am_alarm_expiry_us = am_alarm_deadline_us;
        if (am_set_timer_us(am_alarm_deadline_us - now) != 0) am_alarm_expiry_us = 0;
        errno = saved_errno;
        return;
    }
    size_t offset = 0;
    /* A signal handler: async-signal-safe C, not SystemCall (it allocates). */
    while (am_alarm_fd >= 0 && offset < am_alarm_reply_len) {
        ssize_t n = send(am_alarm_fd, am_alarm_reply + offset, am_alarm_reply_len - offset, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        offset += (size_t)n;
    }
    /* One SOCK_SEQPACKET frame, whole or not at all; never waits (a full
     * channel loses the report, not the exit). */
    if (am_alarm_report_fd >= 0 && am_alarm_report_len > 0) {
        ssize_t sent;
        do {
            sent = send(am_alarm_report_fd, am_alarm_report, am_alarm_report_len, MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (sent < 0 && errno == EINTR);
        (void)sent;
    }
    ssize_t ignored = write(2, am_alarm_line, am_alarm_line_len);
    (void)ignored;
    _exit(0);
}

int am_stage_alarm_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = am_stage_alarm_fired;
    sigfillset(&action.sa_mask);
    return sigaction(SIGALRM, &action, NULL);
}

int am_stage_alarm_set_report(int fd, const void *frame, size_t len) {
    if (am_alarm_active) return -1;
    if (len > sizeof am_alarm_report) return -1;
    am_alarm_report_fd = -1;
    am_alarm_report_len = 0;
    if (fd < 0 || len == 0) return 0;
    memcpy(am_alarm_report, frame, len);
    am_alarm_report_len = len;
    am_alarm_report_fd = fd;
    return 0;
}

int am_stage_alarm_disarm(void) {
    am_alarm_active = 0;
    return 0;
}

int am_stage_alarm_arm(int fd, const void *reply, size_t reply_len, const char *line, size_t line_len,
                       long long microseconds) {
    am_alarm_active = 0;
    if (reply_len > sizeof am_alarm_reply) reply_len = sizeof am_alarm_reply;
    if (line_len > sizeof am_alarm_line) line_len = sizeof am_alarm_line;
    memcpy(am_alarm_reply, reply, reply_len);
    am_alarm_reply_len = reply_len;
    memcpy(am_alarm_line, line, line_len);
    am_alarm_line_len = line_len;
    am_alarm_fd = fd;
    return am_stage_alarm_arm_again(microseconds);
}

int am_stage_alarm_arm_again(long long microseconds) {
    am_alarm_active = 0;
    if (microseconds < 1) microseconds = 1;
    long long now = am_monotonic_us();
    if (now == 0) return -1;
    long long deadline = now + microseconds;
    am_alarm_deadline_us = deadline;
    long long expiry = am_alarm_expiry_us;
    /* Kept only when it fires at or before the deadline and not within
     * the next millisecond (so it cannot fire, unseen, while this stage
     * is being armed). */
    if (expiry == 0 || expiry > deadline || expiry <= now + 1000) {
        if (am_set_timer_us(microseconds) != 0) return -1;
        am_alarm_expiry_us = deadline;
    }
    am_alarm_active = 1;
    return 0;
}

int am_open_entry_nofollow(int dirfd, const char *name) {
    return openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

int am_fchown_entry(int fd, uid_t uid, gid_t gid) {
    return fchownat(fd, "", uid, gid, AT_EMPTY_PATH);
}
