# What the end-to-end scripts share (sourced, not run): the top of the
# unbound configuration, the base of a private Postfix's main.cf, and
# starting that Postfix. Each script adds its own zones and settings.

# unbound_server_head PORT WORKDIR: unbound serving loopback only on
# PORT, in the foreground, its pid file and log in WORKDIR. Zones follow.
unbound_server_head() {
  cat <<CONF
server:
  interface: 127.0.0.1
  port: $1
  do-daemonize: no
  chroot: ""
  username: ""
  pidfile: "$2/unbound.pid"
  directory: "$2"
  use-syslog: no
  logfile: "$2/unbound.log"
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
CONF
}

# postfix_main_cf_base PFDIR WORKDIR HOSTNAME DOMAIN: a Postfix instance
# of its own (queue under PFDIR, log in WORKDIR/postfix.log) on
# 127.0.0.1 delivering DOMAIN to Maildirs, never looking up DNS nor
# relaying anywhere real. The script adds its milter or filter lines.
postfix_main_cf_base() {
  cat <<CONF
compatibility_level = 3.6
queue_directory = $1/queue
data_directory = $1/data
myhostname = $3
mydomain = $4
myorigin = \$myhostname
mydestination = $4
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
home_mailbox = Maildir/
alias_maps =
alias_database =
maillog_file_prefixes = /var, /dev/stdout, /tmp
maillog_file = $2/postfix.log
disable_dns_lookups = yes
relayhost = [127.0.0.1]:9
CONF
}

# start_postfix PFDIR PORT: checks and starts the instance, then waits
# (10 s at most) until its smtpd takes connections on PORT.
start_postfix() {
  postfix -c "$1/etc" check 2>&1 | grep -v "warning: group or other writable" || true
  postfix -c "$1/etc" start >/dev/null 2>&1 || fail "postfix did not start"
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/"$2") 2>/dev/null && break; sleep 0.2; done
}

# finish_work_dir WORKDIR PASSED: a passed run's work directory goes (each
# run left 50 MB in /tmp before; AUTHMILTER_E2E_KEEP=1 keeps it); a failed
# run's stays for the post-mortem, and the script says where. Called from
# each script's exit trap after its daemons are stopped.
finish_work_dir() {
  if [ "$2" = 1 ] && [ -z "${AUTHMILTER_E2E_KEEP:-}" ]; then
    # A Postfix process may still be writing its last file: try again once.
    rm -rf "$1" 2>/dev/null || { sleep 1; rm -rf "$1"; } || true
  else
    echo "end-to-end work directory kept: $1" >&2
  fi
}
