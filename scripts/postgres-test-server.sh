#!/usr/bin/env bash
# A private, throwaway PostgreSQL server for the tests.
#
#   scripts/postgres-test-server.sh start DIR [PORT]   prints the libpq conninfo
#   scripts/postgres-test-server.sh stop DIR
#
# start creates a fresh cluster in DIR/data (trust authentication, UTF-8, C
# locale, durability off for speed) that listens only on a unix socket in DIR
# and on 127.0.0.1:PORT (default: the first free port from 15432), starts it,
# creates the database authmilter_test and prints the conninfo to use, e.g.
#   host=/tmp/amtest-pg port=15432 dbname=authmilter_test user=postgres
# on stdout; everything else goes to stderr. A server left running in DIR by
# an earlier run is stopped and DIR is wiped first, but only if this script
# made DIR (it leaves a marker file there): it never deletes anything else.
# stop stops the server and keeps DIR (the log is DIR/server.log).
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# `postgres` system user (created by Debian's postgresql package) and the
# server tools run through runuser; the database user is then postgres.
# Otherwise the cluster belongs to the calling user, whose name is the
# database user. The system cluster Debian may have started on 5432 is never
# touched.
set -euo pipefail

die() { echo "postgres-test-server: $*" >&2; exit 1; }
note() { echo "postgres-test-server: $*" >&2; }

usage="usage: $0 start DIR [PORT] | stop DIR | restart DIR"
[ $# -ge 2 ] || die "$usage"
command=$1
[ -n "$2" ] || die "$usage"
case $2 in
  /*) dir=$2 ;;
  *) dir=$PWD/$2 ;;
esac
dir=${dir%/}
[ -n "$dir" ] || die "refusing to use / as DIR"
requested_port=${3:-}
marker="$dir/.authmilter-postgres-test"
data="$dir/data"
log="$dir/server.log"

# The server binaries: the newest installed Debian version, else PATH.
bindir=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ]; then bindir=$candidate; break; fi
done
if [ -z "$bindir" ] && command -v pg_config >/dev/null 2>&1; then
  candidate=$(pg_config --bindir)
  if [ -x "$candidate/pg_ctl" ] && [ -x "$candidate/initdb" ]; then bindir=$candidate; fi
fi
[ -n "$bindir" ] || die "no PostgreSQL server binaries (initdb, pg_ctl) found under /usr/lib/postgresql/*/bin: install them with 'apt-get install postgresql'"

command -v ps >/dev/null 2>&1 || die "ps (Debian package procps) is needed to check for a running server"

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 \
    || die "running as root but there is no 'postgres' system user to own the cluster (PostgreSQL will not run as root): install Debian's postgresql package or run as an ordinary user"
  command -v runuser >/dev/null 2>&1 || die "running as root but runuser (util-linux) is missing"
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi
# The tools must not start in a directory the owner cannot enter (/root).
cd /
# The server must not inherit our descriptors beyond stdio (a caller's
# lock file, a test's pipes): it would hold them for its whole life.
for fd in $(ls /proc/$$/fd); do
  [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null || true
done

# Whether the postmaster named in DIR's pid file is alive. Checked here rather
# than by pg_ctl alone: after a crash or kill -9 the pid file stays, and
# pg_ctl would take a dead (zombie) or reused pid for the server, wait a
# minute for it to stop, or signal a process that is not PostgreSQL.
server_running() {
  [ -f "$data/postmaster.pid" ] || return 1
  local pid state name
  pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null) || return 1
  case $pid in ''|*[!0-9]*) return 1 ;; esac
  state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  name=$(ps -o comm= -p "$pid" 2>/dev/null) || return 1
  case $state in Z*) return 1 ;; esac
  case $name in postgres*|postmaster*) ;; *) return 1 ;; esac
  as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1
}

stop_server() {
  if server_running; then
    note "stopping the server in $dir"
    as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >&2 \
      || die "could not stop the server in $dir (see $log)"
  else
    note "no server running in $dir"
  fi
}

port_in_use() {
  # A TCP connect that succeeds means something listens there.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

case $command in
stop)
  if [ ! -d "$dir" ]; then
    note "$dir does not exist: nothing to stop"
    exit 0
  fi
  stop_server
  exit 0
  ;;
restart)
  # Same cluster, same port: what a server restart looks like to clients
  # (their sessions are cut; they must reconnect).
  [ -f "$marker" ] || die "$dir was not made by this script: nothing to restart"
  as_owner "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 restart -l "$dir/server.log" >&2 \
    || die "restart failed; the end of $dir/server.log: $(tail -n 5 "$dir/server.log" 2>/dev/null)"
  exit 0
  ;;
start) ;;
*) die "$usage" ;;
esac

# The conninfo printed below is not quoted, and the socket path has a length
# limit (107 bytes for DIR/.s.PGSQL.PORT).
case $dir in
  *[[:space:]\'\"\\]*) die "DIR must not contain spaces, quotes or backslashes: $dir" ;;
esac
[ ${#dir} -le 90 ] || die "DIR is too long for a unix socket path (at most 90 characters): $dir"

# Start from nothing: stop what an earlier run left, then wipe DIR, which
# this script made (the marker says so); an unknown non-empty DIR is an error.
if [ -e "$dir" ]; then
  [ -d "$dir" ] || die "$dir exists and is not a directory"
  if [ -f "$marker" ]; then
    stop_server
    rm -rf "$dir"
  elif [ -n "$(ls -A "$dir")" ]; then
    die "$dir exists, is not empty and was not made by this script: choose another DIR or remove it"
  else
    rmdir "$dir"
  fi
fi

mkdir -p "$dir"
touch "$marker"
if [ "$owner" != "$(id -un)" ]; then
  chown "$owner:" "$dir"
  as_owner test -w "$dir" \
    || die "user $owner cannot write to $dir (a parent directory is closed to it): choose a DIR under /tmp"
fi

if [ -n "$requested_port" ]; then
  case $requested_port in
    ''|*[!0-9]*) die "PORT must be a number: $requested_port" ;;
  esac
  port=$requested_port
  ! port_in_use "$port" || die "port $port on 127.0.0.1 is already in use"
else
  port=""
  for candidate in $(seq 15432 15531); do
    if ! port_in_use "$candidate"; then port=$candidate; break; fi
  done
  [ -n "$port" ] || die "no free port in 15432-15531 on 127.0.0.1"
fi

note "creating a PostgreSQL $("$bindir/pg_ctl" --version | grep -oE '[0-9]+(\.[0-9]+)*' | sed -n 1p) cluster in $data (owner $owner)"
as_owner "$bindir/initdb" -D "$data" -U "$owner" -A trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; die "initdb failed (log above, also in $dir/initdb.log)"; }

# Loopback and the private socket only; no durability (a test database).
as_owner tee -a "$data/postgresql.conf" >/dev/null <<EOF

# Set by scripts/postgres-test-server.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 40
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

note "starting it on $dir and 127.0.0.1:$port"
if ! as_owner "$bindir/pg_ctl" -D "$data" -l "$log" -w -t 60 start >&2; then
  echo "--- $log:" >&2
  tail -n 30 "$log" >&2 || true
  die "the server did not start (log above)"
fi

as_owner "$bindir/psql" -X -q -h "$dir" -p "$port" -U "$owner" -d postgres -v ON_ERROR_STOP=1 \
  -c "CREATE DATABASE authmilter_test" >&2 \
  || die "could not create the database authmilter_test (see $log)"
conninfo="host=$dir port=$port dbname=authmilter_test user=$owner"
# What the tests will do: connect as the calling user with the conninfo.
[ "$("$bindir/psql" -X -A -t -d "$conninfo" -c "SELECT 1")" = "1" ] \
  || die "the server runs but '$conninfo' does not answer"
echo "$conninfo"
