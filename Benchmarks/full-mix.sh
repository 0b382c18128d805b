#!/usr/bin/env bash
# The full-mix benchmark (issue 12): our milter with the full handler set
# and with AddID only, optionally Debian's opendkim + opendmarc, on one
# realistic mix of messages whose keys and zone are made at run time.
#
#   bash Benchmarks/full-mix.sh [--quick] [--rounds 10] [--messages 3000]
#        [--concurrency 4] [--peers] [--scaling] [--only-scaling] [--keep]
#        [--perf LABEL]
#
# Run as root from the repository root on Debian 12. What it does:
#  1. builds the release binaries as the package does (swift build -c
#     release --static-swift-stdlib, in .build/bench-static or
#     $AUTHMILTER_BENCH_BUILD_PATH; set BUILD_LOCK to a file to build under
#     flock, for machines that share their cores);
#  2. generates the mix (authmilter-bench --generate-mix: RSA-2048 and
#     Ed25519 keys, 140 messages of 10 KB, the zone) in a temporary
#     directory;
#  3. starts unbound on 127.0.77.1 port 53 serving the zone (static zones
#     `example.` and the reverse zones of the documentation networks; all
#     of 127/8 is loopback, nothing is configured on the machine);
#  4. starts two daemons on unix sockets: "full" (SPF, DKIM, DMARC without
#     reports, ARC verifying without sealing, IPRev, AddID) and
#     "addid-only"; with --peers, opendkim (Mode v) and opendmarc (SPF
#     self-validation), each in a private mount namespace where
#     /etc/resolv.conf is a bind mount of a file naming 127.0.77.1;
#  5. warms each up with the whole mix (DNS and key caches filled; the
#     first messages' headers kept in the work directory, the results
#     compared with the mix's), then runs the rounds interleaved: round r
#     runs every configuration once, --messages messages at --concurrency;
#  6. prints the table (medians over the rounds), `openssl speed` for
#     RSA-2048 and Ed25519 and the mix's public-key floor; with --scaling
#     the CPU per message against body size, DKIM signatures and ARC hops.
#
# CPU is counted from /proc/<pid>/stat of every process of each milter
# (children that exit during a round through their parent's cutime/cstime;
# the daemons run a fixed pool of 8 workers with max_requests_per_child
# 1000000, so no worker is retired as a spare or recycled in the middle of
# a round). unbound's and the load client's CPU are shown beside the
# total, not in it. Everything
# started here is stopped on exit; the machine's /etc/resolv.conf is never
# touched. --keep leaves the work directory (mix, configurations, logs,
# each configuration's headers for the whole mix in warmup-*.txt).
# --perf LABEL (full, addid-only or full-smtp) profiles that configuration
# after the rounds: one more run under `perf record -a -g` (not in the
# table), then prints the top self-time symbols of its workers and master
# (perf.data and the reports are in the work directory; add --keep).
set -euo pipefail

ROUNDS=10
MESSAGES=3000
CONCURRENCY=4
PEERS=0
SCALING=0
ONLY_SCALING=0
KEEP=0
PERF_LABEL=
QUICK=0
SCALING_ROUNDS=3
SCALING_MESSAGES=1000
SCALING_MESSAGES_1MB=300
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; ROUNDS=3; MESSAGES=600; SCALING_ROUNDS=1; SCALING_MESSAGES=300; SCALING_MESSAGES_1MB=40 ;;
    --rounds) ROUNDS=$2; shift ;;
    --messages) MESSAGES=$2; shift ;;
    --concurrency) CONCURRENCY=$2; shift ;;
    --peers) PEERS=1 ;;
    --scaling) SCALING=1 ;;
    --only-scaling) SCALING=1; ONLY_SCALING=1 ;;
    --keep) KEEP=1 ;;
    --perf) PERF_LABEL=$2; shift ;;
    -h|--help) sed -n '2,46p' "$0"; exit 0 ;;
    *) echo "full-mix.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$(id -u)" = 0 ] || { echo "full-mix.sh: run as root (the daemon binds as root, the peers need a mount namespace)" >&2; exit 2; }
cd "$(dirname "$0")/.."

DNS_IP=127.0.77.1
START=$(date +%s)
log() { echo "[$(( $(date +%s) - START ))s] $*" >&2; }

build() {
  if [ -n "${BUILD_LOCK:-}" ]; then flock "$BUILD_LOCK" "$@"; else "$@"; fi
}
# Built as the package is built (scripts/build-deb.sh): release, the Swift
# runtime linked statically, product by product (the test support target
# has no static build). The figures are those of the binaries users run.
BUILD_PATH=${AUTHMILTER_BENCH_BUILD_PATH:-.build/bench-static}
log "building (release, static Swift runtime, in $BUILD_PATH)"
for product in authentication_milter authmilter-worker authmilter-dns authmilter-spool authmilter-bench; do
  build timeout 3000 swift build -c release --static-swift-stdlib --build-path "$BUILD_PATH" --product "$product" 2>&1 | tail -1 >&2
done
B=$(swift build -c release --static-swift-stdlib --build-path "$BUILD_PATH" --show-bin-path)
BENCH=$B/authmilter-bench

W=$(mktemp -d /tmp/authmilter-fullmix.XXXXXX)
chmod 755 "$W"
UNBOUND_PID=""
PEER_PIDS=""
DAEMONS=""
SINK_PID=""

cleanup() {
  set +e
  for d in $DAEMONS; do
    timeout 30 "$B/authentication_milter" --prefix "$d" --pidfile "$d/am.pid" -c stop >/dev/null 2>&1
  done
  for pid in $PEER_PIDS $UNBOUND_PID $SINK_PID; do
    kill "$pid" 2>/dev/null
  done
  for pid in $PEER_PIDS $UNBOUND_PID $SINK_PID; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  if [ "$KEEP" = 1 ]; then echo "work directory kept: $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits up to $2 seconds for the command $1 to succeed.
wait_for() {
  local what=$1 seconds=$2 i
  for i in $(seq $((seconds * 10))); do
    if eval "$what"; then return 0; fi
    sleep 0.1
  done
  echo "full-mix.sh: gave up after ${seconds}s waiting for: $what" >&2
  return 1
}

start_unbound() { # MIXDIR
  stop_unbound
  # Another server already on the address (a resolver left from an earlier
  # --keep run) would answer with another mix's keys, and unbound may still
  # start beside it (SO_REUSEPORT): every DKIM result would be a lottery.
  if timeout 1 bash -c ">/dev/tcp/$DNS_IP/53" 2>/dev/null; then
    echo "full-mix.sh: something already answers on $DNS_IP port 53 (an unbound left from an earlier run?); stop it first" >&2
    exit 1
  fi
  cat > "$W/unbound.conf" <<EOF
server:
    interface: $DNS_IP
    port: 53
    do-ip6: no
    do-daemonize: no
    chroot: ""
    username: ""
    directory: "$W"
    pidfile: ""
    use-syslog: no
    logfile: ""
    verbosity: 0
    num-threads: 1
    access-control: 127.0.0.0/8 allow
    # No root servers here: everything outside the mix's zones is NXDOMAIN.
    local-zone: "." static
    include: "$1/unbound-zone.conf"
remote-control:
    control-enable: no
EOF
  /usr/sbin/unbound -d -c "$W/unbound.conf" >"$W/unbound.log" 2>&1 &
  UNBOUND_PID=$!
  wait_for "timeout 1 bash -c '>/dev/tcp/$DNS_IP/53' 2>/dev/null" 10 || { cat "$W/unbound.log" >&2; exit 1; }
}

stop_unbound() {
  if [ -n "$UNBOUND_PID" ]; then
    kill "$UNBOUND_PID" 2>/dev/null || true
    wait "$UNBOUND_PID" 2>/dev/null || true
    UNBOUND_PID=""
  fi
}

# A daemon configuration in $1 with the handler block $2.
write_config() {
  mkdir -p "$1"
  cat > "$1/authentication_milter.json" <<EOF
{
    "debug": 0,
    "dryrun": 0,
    "logtoerr": 1,
    "error_log": "$1/error.log",
    "connection": "unix:$1/milter.sock",
    "umask": "0007",
    "listen_backlog": 128,
    "min_children": 8,
    "max_children": 8,
    "min_spare_children": 1,
    "max_spare_children": 8,
    "max_requests_per_child": 1000000,
    "cache_dir": "$1/cache",
    "spool_dir": "$1/spool",
    "lib_dir": "$1/lib",
    "protocol": "milter",
    "connect_timeout": 30,
    "command_timeout": 30,
    "content_timeout": 300,
    "dns_resolvers": ["$DNS_IP"],
    "dns_timeout": 10,
    "dns_retry": 2,
    "authserv_id": "mx.bench.example",
    "hide_none": 0,
    "header_indent_style": "entry",
    "header_indent_by": 4,
    "tempfail_on_error": 1,
    "tempfail_on_error_authenticated": 0,
    "tempfail_on_error_local": 0,
    "tempfail_on_error_trusted": 0,
    "handlers": $2
}
EOF
}

# The mix's names are under the reserved TLD `example` (RFC 2606), which
# the public suffix list does not hold; Mail::DMARC, and our DMARC handler
# after it, refuse an envelope domain whose TLD the list does not know
# ("dmarc=permerror (envelope from invalid)"), so both DMARC milters get a
# copy of Debian's list with `example` added.
PSL=$W/public_suffix_list.dat
{ cat /usr/share/publicsuffix/public_suffix_list.dat; printf '\n// authmilter-bench: the TLD of the mix (RFC 2606)\nexample\n'; } > "$PSL"
FULL_HANDLERS='{
        "SPF": { "hide_none": 0 },
        "DKIM": { "hide_none": 0, "check_adsp": 1 },
        "DMARC": { "hide_none": 0, "hard_reject": 0, "no_report": 1, "use_arc": 1, "detect_list_id": 1, "no_list_reject": 1,
                   "public_suffix_list": "'"$PSL"'" },
        "ARC": { "hide_none": 0 },
        "IPRev": {},
        "AddID": {}
    }'

start_daemon() { # DIR
  rm -f "$1/milter.sock"
  "$B/authentication_milter" --prefix "$1" --pidfile "$1/am.pid" -c start >"$1/start.log" 2>&1 || { cat "$1/start.log" >&2; exit 1; }
  DAEMONS="$DAEMONS $1"
  wait_for "[ -S '$1/milter.sock' ] && [ -s '$1/am.pid' ]" 30 || { cat "$1/error.log" >&2; exit 1; }
}

stop_daemon() { # DIR
  timeout 30 "$B/authentication_milter" --prefix "$1" --pidfile "$1/am.pid" -c stop >/dev/null 2>&1 || true
  wait_for "[ ! -S '$1/milter.sock' ] || ! [ -s '$1/am.pid' ] || ! kill -0 \$(cat '$1/am.pid') 2>/dev/null" 30 || true
  DAEMONS=$(echo "$DAEMONS" | sed "s# $1\\b##")
}

start_peers() {
  if ! command -v opendkim >/dev/null || ! command -v opendmarc >/dev/null; then
    log "installing opendkim and opendmarc"
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y opendkim opendmarc >"$W/apt.log" 2>&1 || { tail "$W/apt.log" >&2; exit 1; }
  fi
  local P=$W/peers
  mkdir -p "$P"
  echo "nameserver $DNS_IP" > "$P/resolv.conf"
  cat > "$P/opendkim.conf" <<EOF
Syslog                  no
Mode                    v
Socket                  local:$P/opendkim.sock
UMask                   007
AuthservID              mx.bench.example
AlwaysAddARHeader       yes
Nameservers             $DNS_IP
DNSTimeout              5
EOF
  cat > "$P/opendmarc.conf" <<EOF
Syslog                  false
Socket                  local:$P/opendmarc.sock
UMask                   007
AuthservID              mx.bench.example
TrustedAuthservIDs      mx.bench.example
SPFSelfValidate         true
SPFIgnoreResults        true
IgnoreAuthenticatedClients true
RejectFailures          false
FailureReports          false
RequiredHeaders         false
PublicSuffixList        $PSL
EOF
  # unshare execs the shell, the shell execs the milter: $! is the
  # milter's pid. -f keeps it in the foreground.
  unshare -m sh -c "mount --bind '$P/resolv.conf' /etc/resolv.conf && exec /usr/sbin/opendkim -f -x '$P/opendkim.conf'" \
    >"$P/opendkim.log" 2>&1 &
  local dkim=$!
  unshare -m sh -c "mount --bind '$P/resolv.conf' /etc/resolv.conf && exec /usr/sbin/opendmarc -f -c '$P/opendmarc.conf'" \
    >"$P/opendmarc.log" 2>&1 &
  local dmarc=$!
  PEER_PIDS="$dkim $dmarc"
  wait_for "[ -S '$P/opendkim.sock' ] && [ -S '$P/opendmarc.sock' ]" 20 || { cat "$P"/*.log >&2; exit 1; }
  PEERS_PIDLIST="$dkim,$dmarc"
}

# One run: LABEL then authmilter-bench arguments. Appends to the results,
# prints one line.
run() {
  local label=$1
  shift
  timeout 900 "$BENCH" --label "$label" --concurrency "$CONCURRENCY" --side-pids "$UNBOUND_PID" --results "$W/results.tsv" "$@" \
    >"$W/last-run.txt" 2>&1 || { log "run $label failed:"; cat "$W/last-run.txt" >&2; }
  log "$label: $(grep -E '^(throughput|latency|CPU s)' "$W/last-run.txt" | tr '\n' ' ')$(grep -E '^(results not|last failure)' "$W/last-run.txt" | tr '\n' ' ')"
}

# One more run of a configuration under perf (--perf); the top of the
# self-time profile of its workers and its master go to stderr.
profile() { # LABEL
  local label=$1 args=()
  case "$label" in
    full) args=("${FULL_ARGS[@]}") ;;
    addid-only) args=("${ADDID_ARGS[@]}") ;;
    full-smtp) args=("${SMTP_ARGS[@]}") ;;
    *) log "--perf: no configuration $label"; return ;;
  esac
  command -v perf >/dev/null || { log "--perf: perf is not installed (apt-get install linux-perf)"; return; }
  perf record -q -a -g -o "$W/perf-$label.data" -- timeout 900 "$BENCH" --label "$label" --concurrency "$CONCURRENCY" \
    --messages "$MESSAGES" "${args[@]}" >"$W/perf-run.txt" 2>&1 || { log "perf run of $label failed"; cat "$W/perf-run.txt" >&2; return; }
  for comm in authmilter-work authmilter-main; do
    perf report -i "$W/perf-$label.data" --comm "$comm" --no-children --percentage relative --sort symbol --stdio 2>/dev/null \
      | grep -E '^ +[0-9]' | cut -c1-160 >"$W/perf-$label-$comm.txt" || true
    log "perf $label, $comm (self time, top 25 of $W/perf-$label-$comm.txt):"
    sed -n 1,25p "$W/perf-$label-$comm.txt" >&2
  done
}

FULL_ARGS=()
ADDID_ARGS=()
PEER_ARGS=()

# Warm-up: the whole mix once, each message's added headers kept.
warm_up() { # LABEL MIXDIR ARGS...
  local label=$1 mix=$2
  shift 2
  timeout 900 "$BENCH" --mix "$mix" --messages "$(grep -E '^messages=' "$mix/summary" | cut -d= -f2)" \
    --concurrency "$CONCURRENCY" --show-headers 100000 "$@" >"$W/warmup-$label.txt" 2>&1 || true
  log "warm-up $label: $(grep -E '^(messages:|results not|last failure)' "$W/warmup-$label.txt" | tr '\n' ' ')"
  grep -E '^  message' "$W/warmup-$label.txt" | head -5 >&2 || true
}

MIX=$W/mix
if [ "$ONLY_SCALING" = 0 ]; then
  log "generating the mix"
  "$BENCH" --generate-mix "$MIX" >&2
  start_unbound "$MIX"
  write_config "$W/full" "$FULL_HANDLERS"
  write_config "$W/addid" '{ "AddID": {} }'
  start_daemon "$W/full"
  start_daemon "$W/addid"
  # SMTP mode (issue 15): the full handler set behind SMTP, relaying to
  # Postfix's smtp-sink on a unix socket (its CPU is not counted).
  write_config "$W/smtp" "$FULL_HANDLERS"
  python3 - "$W/smtp/authentication_milter.json" "$W/sink.sock" "$W/smtp/tmp" <<'PY'
import json, os, sys
conf = json.load(open(sys.argv[1]))
conf["protocol"] = "smtp"
conf["smtp"] = {"server_name": "filter.bench.example", "sock_type": "unix", "sock_path": sys.argv[2],
                "queue_type": "before", "temp_dir": sys.argv[3]}
os.makedirs(sys.argv[3], exist_ok=True)
os.chmod(sys.argv[3], 0o1777)
json.dump(conf, open(sys.argv[1], "w"), indent=2)
PY
  smtp-sink -u nobody "unix:$W/sink.sock" 256 &
  SINK_PID=$!
  wait_for "[ -S '$W/sink.sock' ]" 10 || { log "smtp-sink did not start"; exit 1; }
  start_daemon "$W/smtp"
  SMTP_ARGS=(--smtp --mix "$MIX" --socket "$W/smtp/milter.sock" --pidfile "$W/smtp/am.pid")
  FULL_ARGS=(--mix "$MIX" --socket "$W/full/milter.sock" --pidfile "$W/full/am.pid" --check spf,dkim,dmarc,arc,iprev)
  ADDID_ARGS=(--mix "$MIX" --socket "$W/addid/milter.sock" --pidfile "$W/addid/am.pid")
  if [ "$PEERS" = 1 ]; then
    start_peers
    PEER_ARGS=(--mix "$MIX" --chain "$W/peers/opendkim.sock,$W/peers/opendmarc.sock" --pids "$PEERS_PIDLIST" --check spf,dkim,dmarc)
  fi
  warm_up full "$MIX" "${FULL_ARGS[@]}"
  warm_up addid-only "$MIX" "${ADDID_ARGS[@]}"
  warm_up full-smtp "$MIX" "${SMTP_ARGS[@]}"
  if [ "$PEERS" = 1 ]; then warm_up opendkim+opendmarc "$MIX" "${PEER_ARGS[@]}"; fi
  for r in $(seq "$ROUNDS"); do
    log "round $r of $ROUNDS"
    run full --messages "$MESSAGES" "${FULL_ARGS[@]}"
    run addid-only --messages "$MESSAGES" "${ADDID_ARGS[@]}"
    run full-smtp --messages "$MESSAGES" "${SMTP_ARGS[@]}"
    if [ "$PEERS" = 1 ]; then run opendkim+opendmarc --messages "$MESSAGES" "${PEER_ARGS[@]}"; fi
  done
  if [ -n "$PERF_LABEL" ]; then profile "$PERF_LABEL"; fi
  openssl speed -seconds 1 rsa2048 ed25519 >"$W/speed.txt" 2>/dev/null
  echo
  echo "## Full mix: $(grep -E '^messages=' "$MIX/summary" | cut -d= -f2) messages, $(grep -E '^average_bytes=' "$MIX/summary" | cut -d= -f2) bytes on average; $ROUNDS rounds of $MESSAGES messages at concurrency $CONCURRENCY, medians"
  echo
  "$BENCH" --table "$W/results.tsv" --ratio full:opendkim+opendmarc
  echo
  "$BENCH" --floor "$MIX" --speed "$W/speed.txt"
  stop_daemon "$W/addid"
  stop_daemon "$W/smtp"
  kill "$SINK_PID" 2>/dev/null || true
fi

if [ "$SCALING" = 1 ]; then
  # Uniform mixes: one parameter varied, the others at 10 KB, 1 RSA-2048
  # signature, 0 ARC hops. Each gets its own keys, zone and a fresh daemon.
  write_config "$W/scale" "$FULL_HANDLERS"
  : > "$W/scaling.tsv"
  scale() { # GROUP VALUE BODY SIGNATURES HOPS
    local dir=$W/scale-$1-$2 messages=$SCALING_MESSAGES size=70
    if [ "$3" -ge 1000000 ]; then messages=$SCALING_MESSAGES_1MB; size=20; fi
    "$BENCH" --generate-mix "$dir" --mix-size "$size" --body-bytes "$3" --dkim-signatures "$4" --arc-hops "$5" >/dev/null
    start_unbound "$dir"
    start_daemon "$W/scale"
    warm_up "scale-$1-$2" "$dir" --mix "$dir" --socket "$W/scale/milter.sock" --check spf,dkim,dmarc,arc,iprev
    for r in $(seq "$SCALING_ROUNDS"); do
      run "$1=$2" --messages "$messages" --mix "$dir" --socket "$W/scale/milter.sock" --pidfile "$W/scale/am.pid" \
        --check spf,dkim,dmarc,arc,iprev --group "$1" --param "$2" --results "$W/scaling.tsv"
    done
    stop_daemon "$W/scale"
    rm -rf "$dir"
  }
  # The rest of the full run's daemons stay idle.
  for size in 1000 10000 100000 1000000; do scale body "$size" "$size" 1 0; done
  for n in 0 1 2 5 10; do scale dkim "$n" 10000 "$n" 0; done
  for n in 0 1 3 5; do scale arc "$n" 10000 1 "$n"; done
  echo
  echo "## Scaling: uniform mixes, $SCALING_ROUNDS round(s) each, full handler set, medians"
  echo
  "$BENCH" --scaling-table "$W/scaling.tsv"
fi
log "done in $(( $(date +%s) - START )) s"
