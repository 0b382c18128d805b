#!/usr/bin/env bash
# End to end for SMTP mode ("protocol": "smtp", issue 15): a real Postfix
# (its own instance, loopback only) in the FILTER_README after-queue
# layout — an inbound smtpd with content_filter=authmilter:[127.0.0.1]:PORT,
# an smtp transport sending XFORWARD, a reinjection smtpd that takes the
# filtered mail back — with our daemon as the filter, a real unbound for
# DNS, mail read back from a Maildir. Asserts our Received and
# Authentication-Results headers, SPF for the XFORWARD address, Postfix
# deferring while the reinjection smtpd is down, 60 messages over reused
# connections with pipeline_limit 50, a 30 MB message intact with worker
# memory bounded, LMTP with 3 recipients, a worker killed in DATA, and a
# handler's reject.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
ROOT=$PWD
# One end-to-end run at a time on a machine (fixed ports, shared users).
exec 9>/tmp/authmilter-e2e-run.lock
flock 9
BIN=$(swift build --show-bin-path)
WORK=$(mktemp -d /tmp/authmilter-smtp-e2e.XXXXXX)
PASSED=0
chmod 755 "$WORK"
IN_PORT=2626
FILTER_PORT=18027
REINJECT_PORT=10027
DNS_PORT=15356
PF=$WORK/postfix
MAILBOX_USER=amsmtp
MAILDIR=/home/$MAILBOX_USER/Maildir
fail() { echo "SMTP E2E FAIL: $*" >&2; dump; exit 1; }
dump() {
  echo "--- milter log"; tail -n 60 "$WORK/milter.err" 2>/dev/null || true
  echo "--- postfix log"; tail -n 40 "$WORK/postfix.log" 2>/dev/null || true
  echo "--- queue"; postqueue -c "$PF/etc" -p 2>/dev/null | tail -n 20 || true
}
AM=("$BIN/authentication_milter" --prefix "$WORK/etc" --pidfile "$WORK/am.pid" --ident smtpe2e)
cleanup() {
  "${AM[@]}" -c stop >/dev/null 2>&1 || true
  postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
  [ -f "$WORK/unbound.pid" ] && kill "$(cat "$WORK/unbound.pid")" 2>/dev/null || true
  finish_work_dir "$WORK" "$PASSED"
}
trap cleanup EXIT

# --- DNS: the sender domains' SPF and DMARC records
{ unbound_server_head "$DNS_PORT" "$WORK"; cat <<CONF
  local-zone: "test." static
  # No root servers: every other name under net. is NXDOMAIN at once (the
  # DMARC tree walk asks _dmarc.net).
  local-zone: "net." static
  local-zone: "e2e.test." static
  # xfwd-e2e.net allows only 127.0.0.2, the address the client connects from
  # (XFORWARD ADDR); the filter's own client, Postfix, is 127.0.0.1.
  local-zone: "xfwd-e2e.net." static
  # An address record: DMARC counts a From domain without one as absent.
  local-data: "xfwd-e2e.net. 300 IN A 198.51.100.1"
  local-data: 'xfwd-e2e.net. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"'
  local-data: '_dmarc.xfwd-e2e.net. 300 IN TXT "v=DMARC1; p=none"'
  local-zone: "reject-e2e.net." static
  local-data: "reject-e2e.net. 300 IN A 198.51.100.1"
  local-data: 'reject-e2e.net. 300 IN TXT "v=spf1 -all"'
  local-data: '_dmarc.reject-e2e.net. 300 IN TXT "v=DMARC1; p=reject"'
CONF
} > "$WORK/unbound.conf"
unbound-checkconf "$WORK/unbound.conf" >/dev/null
unbound -c "$WORK/unbound.conf" &
echo $! > "$WORK/unbound.pid"

# --- the filter: our daemon in SMTP mode
mkdir -p "$WORK/etc/authentication_milter.d" "$WORK/tmp"
chmod 1777 "$WORK/tmp"
cat > "$WORK/etc/authentication_milter.json" <<CONF
{
  "logtoerr": 1,
  "debug": 1,
  "error_log": "$WORK/milter.err",
  "protocol": "smtp",
  "connection": "inet:$FILTER_PORT@127.0.0.1",
  "min_children": 2,
  "max_children": 4,
  "min_spare_children": 1,
  "max_spare_children": 3,
  "max_requests_per_child": 1000,
  "spool_dir": "$WORK/spool",
  "cache_dir": "$WORK/cache",
  "lib_dir": "$WORK/lib",
  "dns_resolvers": ["127.0.0.1:$DNS_PORT"],
  "dns_timeout": 5,
  "authserv_id": "filter.e2e.test",
  "smtp": { "server_name": "filter.e2e.test", "sock_type": "inet", "sock_host": "127.0.0.1", "sock_port": $REINJECT_PORT,
            "timeout_in": 30, "timeout_out": 30, "pipeline_limit": 50, "queue_type": "after",
            "temp_dir": "$WORK/tmp" },
  "handlers": { "AddID": {}, "SPF": {}, "DKIM": {}, "DMARC": { "hard_reject": 1 }, "Sanitize": {} }
}
CONF
"${AM[@]}" -c start || fail "milter did not start"
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$FILTER_PORT) 2>/dev/null && break; sleep 0.1; done
MASTER=$(cat "$WORK/am.pid")
sleep 0.5
wpid=$(ps -o pid=,comm= --ppid "$MASTER" | awk '/authmilter-work/ && !found {print $1; found=1}')
[ -n "$wpid" ] || fail "no worker"
grep -q "^Seccomp:[[:space:]]*2" /proc/$wpid/status || fail "SMTP worker not under seccomp"
grep -q "^CapEff:[[:space:]]*0000000000000000" /proc/$wpid/status || fail "SMTP worker has capabilities"
# The body spool has no name: O_TMPFILE leaves nothing in temp_dir.
[ -z "$(ls -A "$WORK/tmp")" ] || fail "the body spool left a file in temp_dir: $(ls -A "$WORK/tmp")"
ls -l /proc/$wpid/fd 2>/dev/null | grep >/dev/null "$WORK/tmp/#" || fail "the worker has no unnamed body spool file in temp_dir"

# --- Postfix: inbound smtpd, the filter transport, the reinjection smtpd
mkdir -p "$PF/etc" "$PF/queue" "$PF/data"
chown postfix "$PF/data"
cp /etc/postfix/master.cf "$PF/etc/master.cf" 2>/dev/null || cp /usr/share/postfix/master.cf.dist "$PF/etc/master.cf"
sed -i "s/^smtp      inet  n       -       y       -       -       smtpd/$IN_PORT      inet  n       -       n       -       -       smtpd/" "$PF/etc/master.cf"
grep -q "^$IN_PORT " "$PF/etc/master.cf" || fail "could not set the smtpd port in master.cf"
cat >> "$PF/etc/master.cf" <<CONF
authmilter unix  -       -       n       -       1       smtp
  -o smtp_send_xforward_command=yes
  -o disable_dns_lookups=yes
127.0.0.1:$REINJECT_PORT inet n  -       n       -       -       smtpd
  -o content_filter=
  -o smtpd_authorized_xforward_hosts=127.0.0.0/8
  -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks
  -o smtpd_milters=
  -o mynetworks=127.0.0.0/8
CONF
id $MAILBOX_USER >/dev/null 2>&1 || useradd -m $MAILBOX_USER
{ postfix_main_cf_base "$PF" "$WORK" mx.e2e.test e2e.test; cat <<CONF
recipient_delimiter = +
content_filter = authmilter:[127.0.0.1]:$FILTER_PORT
message_size_limit = 52428800
mailbox_size_limit = 0
minimal_backoff_time = 2s
maximal_backoff_time = 4s
queue_run_delay = 2s
smtp_host_lookup = native
CONF
} > "$PF/etc/main.cf"
start_postfix "$PF" "$IN_PORT"
rm -rf "$MAILDIR"

find_mail() { # subject [count] -> the first file; waits until count copies are there
  local want=${2:-1} n
  for i in $(seq 1 150); do
    n=$(grep -l "^Subject: $1\$" "$MAILDIR"/new/* 2>/dev/null | wc -l)
    if [ "$n" -ge "$want" ]; then grep -l "^Subject: $1\$" "$MAILDIR"/new/* | sed -n 1p; return 0; fi
    sleep 0.2
  done
  return 1
}
count_mail() { grep -l "^Subject: $1\$" "$MAILDIR"/new/* 2>/dev/null | wc -l; }

# --- cases: delivery through the filter, SPF for the XFORWARD address
swaks --server 127.0.0.1:$IN_PORT --local-interface 127.0.0.2 --helo client.xfwd-e2e.net \
      --from sender@xfwd-e2e.net --to $MAILBOX_USER@e2e.test \
      --header "Subject: xfwd" --header "From: sender@xfwd-e2e.net" --body "through the filter" >"$WORK/swaks-xfwd.log" 2>&1 \
  || { cat "$WORK/swaks-xfwd.log"; fail "swaks xfwd"; }
m=$(find_mail xfwd) || fail "xfwd not delivered"
python3 - "$m" <<'PY' || fail "xfwd: headers"
import email, re, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"))
received = msg.get_all("Received")
ours = [r for r in received if "(Authentication Milter)" in r]
assert len(ours) == 1, received
r = " ".join(ours[0].split())
# Perl's form: the MTA that handed us the mail, our name, our id with
# Postfix's queue id (XFORWARD IDENT, after-queue mode).
assert re.match(r"from mx\.e2e\.test \(localhost \[127\.0\.0\.1\]\) by filter\.e2e\.test \(Authentication Milter\) with ESMTP id [0-9A-F]{11}\.[0-9A-Za-z]+; \w{3}, \d\d \w{3} \d{4}", r), r
ar = " ".join(msg["Authentication-Results"].split())
assert ar.startswith("filter.e2e.test;"), ar
# SPF was evaluated for 127.0.0.2 (XFORWARD ADDR), which the record allows;
# the filter's own client 127.0.0.1 would fail.
assert "spf=pass smtp.mailfrom=sender@xfwd-e2e.net" in ar, ar
assert "dmarc=pass" in ar and "header.from=xfwd-e2e.net" in ar, ar
# Header order: the reinjection smtpd's Received, ours, then our A-R.
names = [k.lower() for k in msg.keys()]
i = [n for n, (k, v) in enumerate(msg.items()) if k.lower() == "received" and "(Authentication Milter)" in v][0]
assert names[i + 1] == "authentication-results", names
assert names.index("received") < i, names
print("xfwd ok:", r)
PY
grep -q "message [0-9A-F]\{11\}\.[0-9A-Za-z]* relayed: 250" "$WORK/milter.err" || fail "no relay line in the log"

# --- cases: a handler's reject is the client's reply (DMARC p=reject, hard_reject)
swaks --server 127.0.0.1:$FILTER_PORT --helo client.reject-e2e.net --from sender@reject-e2e.net --to $MAILBOX_USER@e2e.test \
      --header "Subject: rejected" --header "From: sender@reject-e2e.net" --body "x" >"$WORK/swaks-reject.log" 2>&1 || true
grep -q "<\*\* *550 5.7.0 DMARC policy violation" "$WORK/swaks-reject.log" || { cat "$WORK/swaks-reject.log"; fail "DMARC reject not passed to the client"; }

# --- cases: protocol errors (Perl's codes, and beyond Perl)
python3 - $FILTER_PORT <<'PY' || fail "protocol errors"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
def cmd(line):
    if line is not None: s.sendall(line)
    reply = []
    while True:
        l = f.readline().decode()
        reply.append(l.strip())
        if l[3:4] != "-": return reply
assert cmd(None)[0] == "220 filter.e2e.test ESMTP AuthenticationMilter"
ehlo = cmd(b"EHLO t\r\n")
assert "250-XFORWARD NAME ADDR HELO IDENT" in ehlo and "250-PIPELINING" in ehlo and "250 SMTPUTF8" in ehlo, ehlo
assert cmd(b"RCPT TO:<a@e2e.test>\r\n") == ["503 5.5.2 Out of Order"]
assert cmd(b"VRFY root\r\n") == ["502 5.5.2 I don't understand"]
assert cmd(b"MAIL FROM:<a\x00b@x>\r\n")[0].startswith("501 5.5.2")
assert cmd(b"MAIL FROM:<a@x> SIZE=999999999999\r\n")[0].startswith("552 5.3.4")
assert cmd(b"NOOP\r\n") == ["250 2.0.0 Ok"]
assert cmd(b"QUIT\r\n") == ["221 2.0.0 Bye"]
print("protocol errors ok")
PY

# --- cases: LMTP with 3 recipients: one reply each
python3 - $FILTER_PORT $MAILBOX_USER <<'PY' || fail "lmtp"
import socket, sys
user = sys.argv[2]
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline().decode()
        lines.append(l.strip())
        if l[3:4] != "-": return lines
reply()
s.sendall(b"LHLO lmtp.test\r\n"); reply()
s.sendall(b"MAIL FROM:<>\r\n"); assert reply() == ["250 2.0.0 Ok"]
for tag in "abc":
    s.sendall(("RCPT TO:<%s+%s@e2e.test>\r\n" % (user, tag)).encode()); assert reply() == ["250 2.0.0 Ok"]
s.sendall(b"DATA\r\n"); assert reply()[0].startswith("354")
s.sendall(b"Subject: lmtp3\r\nFrom: <>\r\n\r\n.leading dot\r\nbody\r\n.\r\n")
replies = [reply()[0] for _ in range(3)]
assert all(r.startswith("250 2.0.0 Queued as ") for r in replies), replies
s.sendall(b"QUIT\r\n")
print("lmtp ok:", replies)
PY
m=$(find_mail lmtp3 3) || fail "lmtp3: 3 copies not delivered ($(count_mail lmtp3))"
grep -q "^leading dot$" "$m" || fail "lmtp3: the dot-stuffed line was not unstuffed once"

# --- cases: a worker killed in DATA: no 250, nothing relayed; the retry is delivered once
python3 - $FILTER_PORT $MAILBOX_USER <<'PY' || fail "killed worker"
import os, signal, socket, subprocess, sys, time
port, user = int(sys.argv[1]), sys.argv[2]
def session():
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    def reply():
        lines = []
        while True:
            l = f.readline().decode()
            if not l: return ["(closed)"]
            lines.append(l.strip())
            if l[3:4] != "-": return lines
    reply()
    for line in [b"EHLO killer.test\r\n", b"MAIL FROM:<>\r\n", ("RCPT TO:<%s@e2e.test>\r\n" % user).encode()]:
        s.sendall(line); assert reply()[-1].startswith("250"), line
    s.sendall(b"DATA\r\n"); assert reply()[0].startswith("354")
    return s, reply
s, reply = session()
s.sendall(b"Subject: killed\r\nFrom: <>\r\n\r\n" + b"half of the body\r\n" * 1000)
time.sleep(0.5)
local = s.getsockname()[1]
out = subprocess.run(["ss", "-Htnp", "state", "established", "( sport = :%d )" % port], capture_output=True, text=True).stdout
pids = [line.split("pid=")[1].split(",")[0] for line in out.splitlines() if ":%d " % local in line + " " and "pid=" in line]
assert pids, out
os.kill(int(pids[0]), signal.SIGKILL)
time.sleep(0.3)
try:
    s.sendall(b"the rest\r\n.\r\n")
    got = reply()
except OSError:
    got = ["(closed)"]
assert not any(r.startswith("250") for r in got), got
# The MTA in front retries: the whole message again.
s, reply = session()
s.sendall(b"Subject: killed\r\nFrom: <>\r\n\r\n" + b"half of the body\r\n" * 1000 + b"the rest\r\n.\r\n")
got = reply()
assert got[0].startswith("250 2.0.0 Queued as"), got
print("killed worker ok:", got)
PY
find_mail killed >/dev/null || fail "killed: the retried message was not delivered"
sleep 2
[ "$(count_mail killed)" = 1 ] || fail "killed: delivered $(count_mail killed) times, not once"

# --- cases: 60 messages over reused connections, pipeline_limit 50
python3 - $IN_PORT $MAILBOX_USER <<'PY' || fail "pipeline: injection"
import smtplib, sys
port, user = int(sys.argv[1]), sys.argv[2]
with smtplib.SMTP("127.0.0.1", port) as s:
    for n in range(1, 61):
        s.sendmail("sender@xfwd-e2e.net", ["%s@e2e.test" % user],
                   ("Subject: pipe%02d\r\nFrom: sender@xfwd-e2e.net\r\n\r\nmessage %d\r\n" % (n, n)).encode())
PY
for n in $(seq -w 1 60); do find_mail "pipe$n" >/dev/null || fail "pipe$n not delivered"; done
# Each SMTP connection's count of transactions is logged when it ends.
counts=$(grep -o "ended after [0-9]* transaction" "$WORK/milter.err" | awk '{print $3}' | sort -n | tr '\n' ' ')
echo "transactions per filter connection: $counts"
max=$(echo $counts | tr ' ' '\n' | sort -n | tail -n 1)
[ "$max" -le 50 ] || fail "a connection carried $max transactions, over pipeline_limit 50"
[ "$max" -ge 2 ] || fail "Postfix never reused a filter connection (max $max transactions per connection)"

# --- cases: a 30 MB message, intact, with the worker's memory bounded
python3 - $IN_PORT $MAILBOX_USER "$WORK/big.sha256" <<'PY' || fail "big: injection"
import hashlib, smtplib, sys
port, user, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lines = []
for n in range(30 * 1024 * 1024 // 78):
    lines.append((".%076d" if n % 97 == 0 else "%077d") % n)
body = "\n".join(lines) + "\n"
open(out, "w").write(hashlib.sha256(body.encode()).hexdigest())
with smtplib.SMTP("127.0.0.1", port) as s:
    s.sendmail("sender@xfwd-e2e.net", ["%s@e2e.test" % user],
               ("Subject: big30\r\nFrom: sender@xfwd-e2e.net\r\n\r\n" + body.replace("\n", "\r\n")).encode())
PY
m=$(find_mail big30) || fail "big30 not delivered"
for i in $(seq 1 50); do grep -q "big30" "$m" && [ "$(stat -c %s "$m")" -gt 31000000 ] && break; sleep 0.2; done
python3 - "$m" "$WORK/big.sha256" <<'PY' || fail "big30: body differs"
import hashlib, sys
data = open(sys.argv[1], "rb").read()
body = data.split(b"\n\n", 1)[1]
assert hashlib.sha256(body).hexdigest() == open(sys.argv[2]).read(), "digest differs"
print("big30 intact:", len(body), "bytes")
PY
peak=0
for p in $(ps -o pid=,comm= --ppid "$MASTER" | awk '/authmilter-work/ {print $1}'); do
  hwm=$(awk '/^VmHWM/ {print $2}' /proc/$p/status)
  [ "$hwm" -gt "$peak" ] && peak=$hwm
done
echo "worker peak RSS after the 30 MB message: ${peak} kB"
[ "$peak" -lt 65536 ] || fail "a worker's peak RSS is ${peak} kB: the 30 MB message was held in memory"

# --- cases: the reinjection smtpd down: Postfix defers, then delivers
cp "$PF/etc/master.cf" "$WORK/master.cf.full"
sed -i "/^127.0.0.1:$REINJECT_PORT /,\$d" "$PF/etc/master.cf"
postfix -c "$PF/etc" reload >/dev/null 2>&1
for i in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/$REINJECT_PORT) 2>/dev/null || break; sleep 0.2; done
swaks --server 127.0.0.1:$IN_PORT --local-interface 127.0.0.2 --helo client.xfwd-e2e.net --from sender@xfwd-e2e.net --to $MAILBOX_USER@e2e.test \
      --header "Subject: downstreamdown" --header "From: sender@xfwd-e2e.net" --body "x" >"$WORK/swaks-down.log" 2>&1 || fail "swaks downstreamdown"
for i in $(seq 1 100); do grep -q "status=deferred.*4.0.4 That's not right" "$WORK/postfix.log" && break; sleep 0.2; done
grep -q "status=deferred.*4.0.4 That's not right" "$WORK/postfix.log" || fail "downstreamdown: Postfix did not defer with our 451"
[ "$(count_mail downstreamdown)" = 0 ] || fail "downstreamdown delivered while the reinjection smtpd was down"
cp "$WORK/master.cf.full" "$PF/etc/master.cf"
postfix -c "$PF/etc" reload >/dev/null 2>&1
sleep 1
postqueue -c "$PF/etc" -f
find_mail downstreamdown >/dev/null || fail "downstreamdown not delivered after the reinjection smtpd came back"

PASSED=1
echo "SMTP E2E OK"
