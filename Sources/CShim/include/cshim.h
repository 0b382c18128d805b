#ifndef AUTHMILTER_CSHIM_H
#define AUTHMILTER_CSHIM_H
#include <sys/types.h>
#include <stdint.h>
#include <poll.h>
#include <stddef.h>

/* Send `len` bytes plus (optionally) one file descriptor over a unix socket.
 * fd < 0 sends no descriptor. Returns bytes sent or -1 (errno set). */
ssize_t am_send_with_fd(int sock, const void *buf, size_t len, int fd);
/* Receive up to `len` bytes and at most one descriptor (*fd = -1 if none).
 * Returns bytes read, 0 on EOF, -1 on error. */
ssize_t am_recv_with_fd(int sock, void *buf, size_t len, int *fd);

int am_pipe_cloexec(int fds[2]);
int am_setresuid(uid_t r, uid_t e, uid_t s);
int am_setresgid(gid_t r, gid_t e, gid_t s);
int am_accept4_cloexec(int sock);
/// ppoll(2) with a relative timeout of `seconds` + `nanoseconds` and no
/// signal mask change: a poll finer than poll(2)'s milliseconds.
int am_ppoll(struct pollfd *fds, unsigned long count, long seconds, long nanoseconds);

/* Block SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE(ignored) and return a
 * signalfd reading the first four. */
int am_signalfd_setup(void);
/* Read one signal from a signalfd; returns signo, or -1. Fills pid/status
 * of the sender when known. */
int am_signalfd_read(int fd);

int am_set_no_new_privs(void);

/* openat(dirfd, name, O_PATH|O_NOFOLLOW|O_CLOEXEC): the entry itself, a
 * link stays a link, and nothing (a device, a FIFO) is opened for I/O.
 * (O_PATH and AT_EMPTY_PATH are not visible to Swift's Glibc module.) */
int am_open_entry_nofollow(int dirfd, const char *name);
/* Changes the owner of the file an O_PATH descriptor names
 * (fchownat(fd, "", ..., AT_EMPTY_PATH)). */
int am_fchown_entry(int fd, uid_t uid, gid_t gid);
/* Rename the calling thread (what /proc/<pid>/comm and ps show). */
int am_set_process_name(const char *name);
int am_set_nonblocking(int fd, int on);

/* posix_spawn `path` with argv/envp; child fds 3.. are `fds[0..nfds)` in
 * order, every other descriptor above 2 is closed. Returns pid or -errno. */
pid_t am_spawn(const char *path, char *const argv[], char *const envp[],
               const int *fds, int nfds, int stderr_fd);

/* Status decoding (macros in C). */
int am_wifexited(int status);
int am_wexitstatus(int status);
int am_wifsignaled(int status);
int am_wtermsig(int status);

/* Detach as a daemon: fork, setsid, fork; stdin/stdout to /dev/null and
 * every descriptor above 2 closed except the `nkeep` in `keep` (the bound
 * listeners), so nothing of the starting shell or supervisor stays open.
 * Returns 0 in the grandchild, -1 on error. The starting process waits
 * until the daemon calls am_daemon_ready(*ready_fd) (then exits 0) or dies
 * first (exits 1), so `-c start` returns only once the daemon is really
 * running. Must run before any thread exists. */
int am_daemonize_wait(const int *keep, int nkeep, int *ready_fd);
void am_daemon_ready(int ready_fd);

/* Raw syscall numbers used by tests to provoke a seccomp kill. */
long am_forbidden_syscall_probe(void);
/* SIGSYS from a seccomp trap: write "seccomp: forbidden system call <nr>"
 * to stderr (the master's log pipe), then die of SIGSYS. Installed with
 * SA_RESETHAND|SA_NODEFER just before the filter is loaded. */
int am_install_sigsys_reporter(void);
/* The worker's hard stage deadline. install: the SIGALRM handler (before
 * the seccomp filter). arm: copies the prepared reply for `fd` (the MTA
 * connection) and the log line, and starts a one-shot ITIMER_REAL of
 * `microseconds`; when it fires the handler sends the reply, writes the
 * line to stderr and exits the worker (status 0: the master replaces it).
 * Reply and line are cut at 1024 and 512 bytes. disarm: stops the timer. */
int am_stage_alarm_install(void);
int am_stage_alarm_arm(int fd, const void *reply, size_t reply_len, const char *line, size_t line_len,
                       long long microseconds);
int am_stage_alarm_disarm(void);
/* Arms again with the reply, line and socket of the last am_stage_alarm_arm. */
int am_stage_alarm_arm_again(long long microseconds);
/* A frame the alarm sends on `fd` (the spool channel) after the reply and
 * before the worker exits: the error report of the stage. len 0 or fd < 0
 * clears it; a frame over 40 KiB is refused (-1). Set only while the alarm
 * is inactive (between stages). */
int am_stage_alarm_set_report(int fd, const void *frame, size_t len);
/* syslog(3) is variadic; this logs one preformatted line. */
void am_openlog(const char *ident, int facility);
void am_syslog(int priority, const char *line);
#endif
