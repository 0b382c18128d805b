#!/usr/bin/env bash
# The Debian package end to end (issue 14): builds it (scripts/build-deb.sh),
# installs it with apt-get on this machine, checks what it installed (the
# account, the state directories, the packaged configuration, the systemd
# units with `systemd-analyze verify`), then starts the packaged daemon
# and has a private Postfix send it mail through a unix socket given to
# Postfix's group (`socket_group`), as a chrooted Postfix needs. Run as
# root on Debian 12; it leaves the package installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/e2e/lib.sh
exec 9>/tmp/authmilter-e2e-run.lock
flock 9
WORK=$(mktemp -d /tmp/authmilter-deb-e2e.XXXXXX)
PASSED=0
chmod 755 "$WORK"
SMTP_PORT=2627
PF=$WORK/postfix
MAILDIR=/home/amdeb/Maildir
AM=(/usr/sbin/authentication_milter --prefix "$WORK/etc" --pidfile "$WORK/am.pid" --ident debe2e)
fail() { echo "DEB E2E FAIL: $*" >&2; tail -n 40 "$WORK/milter.err" "$WORK/postfix.log" 2>/dev/null >&2 || true; exit 1; }
cleanup() {
  "${AM[@]}" -c stop >/dev/null 2>&1 || true
  postfix -c "$PF/etc" stop >/dev/null 2>&1 || true
  finish_work_dir "$WORK" "$PASSED"
}
trap cleanup EXIT

# --- build and install
DEB=$(BUILD_LOCK=${BUILD_LOCK:-/tmp/authmilter-build.lock} bash scripts/build-deb.sh "$WORK/deb" | tail -n 1)
[ -f "$DEB" ] || fail "no package built"
dpkg-deb --info "$DEB" | grep >/dev/null "Depends: libc6" || fail "the package has no Depends"
# Nothing of the Swift toolchain may be needed: every library is Debian's.
dpkg-deb --info "$DEB" | grep "Depends:" | grep -i >/dev/null swift && fail "the package depends on Swift"
DEBIAN_FRONTEND=noninteractive apt-get install -y --allow-downgrades "$DEB" >"$WORK/apt.log" 2>&1 \
  || { cat "$WORK/apt.log"; fail "apt-get install of the package"; }
dpkg -s authmilter-swift | grep >/dev/null "^Status: install ok installed" || fail "the package is not installed"
for f in /usr/sbin/authentication_milter /usr/bin/authentication_milter_client /usr/bin/authentication_milter_log \
         /usr/bin/authentication_milter_blocker /usr/bin/dmarc_send_reports /usr/lib/authmilter-swift/authmilter-worker; do
  [ -x "$f" ] || fail "$f is not installed"
done
# The binaries run without the toolchain's libraries.
if ldd /usr/lib/authmilter-swift/authmilter-worker | grep >/dev/null "libswift"; then fail "the worker links the Swift runtime dynamically"; fi
id authmilter >/dev/null || fail "no authmilter account"
for d in /var/lib/authentication_milter /var/spool/authentication_milter /var/cache/authentication_milter; do
  [ "$(stat -c %U "$d")" = authmilter ] || fail "$d is not the account's"
done
/usr/sbin/authentication_milter --prefix /etc -c check >"$WORK/check.log" 2>&1 || { cat "$WORK/check.log"; fail "the packaged configuration does not check"; }
grep -q '"runas": "authmilter"' /etc/authentication_milter.json || fail "the packaged configuration does not run as authmilter"
for unit in authentication_milter.service dmarc_send_reports.service dmarc_send_reports.timer; do
  [ -f "/lib/systemd/system/$unit" ] || fail "$unit is not installed"
  grep -q "/usr/local/bin" "/lib/systemd/system/$unit" && fail "$unit still names /usr/local/bin"
done
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /lib/systemd/system/authentication_milter.service /lib/systemd/system/dmarc_send_reports.timer \
    >"$WORK/verify.log" 2>&1 || { cat "$WORK/verify.log"; fail "systemd-analyze verify"; }
fi

# --- the packaged daemon behind Postfix, through a unix socket of Postfix's group
mkdir -p "$WORK/etc/authentication_milter.d" "$WORK/sock"
chmod 755 "$WORK/sock"
cat > "$WORK/etc/authentication_milter.json" <<CONF
{
  "logtoerr": 1,
  "error_log": "$WORK/milter.err",
  "connection": "unix:$WORK/sock/milter.sock",
  "umask": "0007",
  "socket_group": "postfix",
  "runas": "authmilter",
  "rungroup": "authmilter",
  "min_children": 1,
  "max_children": 2,
  "min_spare_children": 1,
  "max_spare_children": 1,
  "spool_dir": "$WORK/spool",
  "cache_dir": "$WORK/cache",
  "lib_dir": "$WORK/lib",
  "authserv_id": "deb.e2e.test",
  "handlers": { "AddID": {} }
}
CONF
"${AM[@]}" -c start || fail "the packaged daemon did not start"
for i in $(seq 1 50); do [ -S "$WORK/sock/milter.sock" ] && break; sleep 0.1; done
[ "$(stat -c '%G %a' "$WORK/sock/milter.sock")" = "postfix 770" ] || fail "socket is $(stat -c '%G %a' "$WORK/sock/milter.sock"), not postfix 770"

mkdir -p "$PF/etc" "$PF/queue" "$PF/data"
chown postfix "$PF/data"
cp /etc/postfix/master.cf "$PF/etc/master.cf" 2>/dev/null || cp /usr/share/postfix/master.cf.dist "$PF/etc/master.cf"
sed -i "s/^smtp      inet  n       -       y       -       -       smtpd/$SMTP_PORT      inet  n       -       n       -       -       smtpd/" "$PF/etc/master.cf"
id amdeb >/dev/null 2>&1 || useradd -m amdeb
{ postfix_main_cf_base "$PF" "$WORK" mx.deb.e2e.test deb.e2e.test; cat <<CONF
smtpd_milters = unix:$WORK/sock/milter.sock
milter_default_action = tempfail
CONF
} > "$PF/etc/main.cf"
start_postfix "$PF" "$SMTP_PORT"
rm -rf "$MAILDIR"
swaks --server 127.0.0.1:$SMTP_PORT --from sender@example.org --to amdeb@deb.e2e.test --header "Subject: debpackage" \
      --body "through the packaged daemon" >"$WORK/swaks.log" 2>&1 || { cat "$WORK/swaks.log"; fail "swaks"; }
m=""
for i in $(seq 1 100); do m=$(grep -l "^Subject: debpackage$" "$MAILDIR"/new/* 2>/dev/null | sed -n 1p || true); [ -n "$m" ] && break; sleep 0.2; done
[ -n "$m" ] || fail "the message was not delivered"
grep -q "^X-Authentication-Milter: Header added by Authentication Milter" "$m" || fail "the packaged daemon added no AddID header"
grep -q "^Authentication-Results: deb.e2e.test" "$m" || fail "no Authentication-Results from the packaged daemon"
PASSED=1
echo "DEB E2E OK"
