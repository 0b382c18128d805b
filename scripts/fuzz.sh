#!/usr/bin/env bash
# Fuzzing with libFuzzer (like the benchmarks, not a test): builds ONE fuzz
# binary with swiftc -sanitize=fuzzer,address from the module sources, then
# runs each target for the given time on a temporary corpus seeded from
# Fuzz/Corpus, the strings of the unit tests and, when present, the shared
# conformance suites (read, never copied into the repository).
#
#   scripts/fuzz.sh [--seconds N | --minutes N] [--build-only] [target...]
#
# Without targets every target runs. Exits non-zero when a target crashes;
# the crashing input is kept under .build/fuzz/crashes/<target>/ and printed.
# Run it under the team's lock: flock /tmp/authmilter-build.lock scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

seconds=120
build_only=0
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=$2; shift 2 ;;
        --minutes) seconds=$(($2 * 60)); shift 2 ;;
        --build-only) build_only=1; shift ;;
        -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done

OUT=$ROOT/.build/fuzz
OBJ=$OUT/obj
MODULES=$OUT/modules
BIN=$OUT/authmilter-fuzz
mkdir -p "$OBJ" "$MODULES"

SWIFTC=${SWIFTC:-swiftc}
CLANG=${CLANG:-clang}
# Release-ish code with the fuzzer's coverage and AddressSanitizer, line
# tables for readable stacks, internal symbols visible to @testable import.
SANITIZE=(-sanitize=fuzzer,address)
COMMON=(-O -gline-tables-only -enable-testing -parse-as-library -wmo
        -I "$MODULES" -I Sources/COpenSSL -I Sources/CZlib -I Sources/CLDNS -I Sources/CSeccomp -I Sources/CCap
        -I "$OUT/cshim")

# ld.gold's "Cannot export local symbol '__asan_...'" warnings are harmless.
quiet() { "$@" 2> >(grep -v "Cannot export local symbol" >&2); }

# Rebuilds module $1 from the files after it when any of them, or an
# earlier module, is newer than its object.
stamp=""
module() {
    local name=$1; shift
    local object=$OBJ/$name.o
    local stale=0
    if [ ! -f "$object" ] || [ "$SCRIPT_STAMP" -nt "$object" ]; then stale=1; fi
    if [ $stale = 0 ]; then
        for f in "$@" $stamp; do [ "$f" -nt "$object" ] && { stale=1; break; }; done
    fi
    if [ $stale = 1 ]; then
        echo "fuzz.sh: compiling $name" >&2
        quiet "$SWIFTC" "${COMMON[@]}" "${SANITIZE[@]}" "${EXTRA[@]}" -module-name "$name" \
            -emit-module -emit-module-path "$MODULES/$name.swiftmodule" \
            -emit-object -o "$object" "$@"
        # swiftc leaves an unchanged object's time alone.
        touch "$object"
    fi
    stamp="$stamp $object"
}
SCRIPT_STAMP=$ROOT/scripts/fuzz.sh

build() {
    # CShim: a C target without a module map of its own (SwiftPM makes one).
    mkdir -p "$OUT/cshim"
    if [ ! -f "$OUT/cshim/module.modulemap" ]; then
        printf 'module CShim {\n    header "%s/Sources/CShim/include/cshim.h"\n    export *\n}\n' "$ROOT" \
            > "$OUT/cshim/module.modulemap"
    fi
    if [ ! -f "$OBJ/cshim.o" ] || [ Sources/CShim/shim.c -nt "$OBJ/cshim.o" ]; then
        "$CLANG" -O1 -c -fPIC -I Sources/CShim/include Sources/CShim/shim.c -o "$OBJ/cshim.o"
    fi
    EXTRA=(-swift-version 6)
    module Framing Sources/Framing/*.swift
    module Milter Sources/Milter/*.swift
    module SMTP Sources/SMTP/*.swift
    module MailAuth $(find Sources/MailAuth -name '*.swift' | sort)
    module SystemIO Sources/SystemIO/*.swift
    module JSON Sources/JSON/*.swift
    module ProcessLog Sources/ProcessLog/*.swift
    module Config Sources/Config/*.swift
    module IPC Sources/IPC/*.swift
    module BlockerRules Sources/BlockerRules/*.swift
    module Metrics Sources/Metrics/*.swift
    module MessageLog Sources/MessageLog/*.swift
    module LDNSRecords Sources/LDNSRecords/*.swift
    module Handlers Sources/Handlers/*.swift
    # The DNS helper is an executable; its wire parser is one file.
    module DNSHelperPacket Sources/DNSHelper/LDNSPacket.swift
    module FuzzTargets Fuzz/main.swift Fuzz/Targets/*.swift
    local newest=0
    for f in $stamp "$OBJ/cshim.o"; do [ "$f" -nt "$BIN" ] && newest=1; done
    if [ ! -f "$BIN" ] || [ $newest = 1 ]; then
        echo "fuzz.sh: linking $BIN" >&2
        quiet "$SWIFTC" "${SANITIZE[@]}" $stamp "$OBJ/cshim.o" -o "$BIN" \
            -lcrypto -lz -lldns -lseccomp -lcap
    fi
}

build
[ $build_only = 1 ] && exit 0

if [ ${#targets[@]} = 0 ]; then
    mapfile -t targets < <(AUTHMILTER_FUZZ_TARGET=list "$BIN" -runs=0 2>/dev/null)
fi

status=0
# An interrupted run (Ctrl-C, a timeout) leaves no work directory behind.
work=
trap 'rm -rf "$work"' EXIT
for target in "${targets[@]}"; do
    work=$(mktemp -d /tmp/authmilter-fuzz.XXXXXX)
    corpus=$work/corpus
    mkdir -p "$corpus"
    # Seeds: the committed ones, then what the seed script finds in the
    # tests and the shared conformance data (temporary, never committed).
    [ -d "Fuzz/Corpus/$target" ] && cp -r "Fuzz/Corpus/$target/." "$corpus/"
    python3 Fuzz/seed.py "$target" "$corpus"
    [ -d "$OUT/corpus/$target" ] && cp -r "$OUT/corpus/$target/." "$corpus/"
    crashes=$OUT/crashes/$target
    mkdir -p "$crashes"
    echo "fuzz.sh: $target for ${seconds}s ($(ls "$corpus" | wc -l) seeds)" >&2
    log=$work/log
    touch "$work/started"
    set +e
    # The Swift runtime's backtracer and ASan trip over each other.
    SWIFT_BACKTRACE=enable=no AUTHMILTER_FUZZ_TARGET=$target "$BIN" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1
    rc=$?
    set -e
    # One line per target: executions, time, coverage, corpus.
    last=$(grep -E "^#[0-9]+[[:space:]].*cov: " "$log" | tail -1 | sed -E 's/^#[0-9]+[[:space:]]+[A-Z]+[[:space:]]+//; s/ (lim|exec\/s|rss|L|MS):.*//' || true)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz.sh: $target: ${runs:-?} executions in ${seconds}s; ${last:-no coverage line}" >&2
    if [ $rc != 0 ]; then
        status=1
        echo "fuzz.sh: $target FAILED (exit $rc); log:" >&2
        tail -60 "$log" >&2
        for input in "$crashes"/*; do
            # Only what this run wrote (earlier findings stay in the directory).
            [ -f "$input" ] && [ "$input" -nt "$work/started" ] || continue
            case "$input" in */log.txt) continue ;; esac
            echo "fuzz.sh: crashing input $input:" >&2
            od -c "$input" | head -40 >&2 || true
        done
        cp "$log" "$crashes/log.txt"
    fi
    # The grown corpus seeds the next run (kept under .build, never committed).
    mkdir -p "$OUT/corpus/$target"
    cp -r "$corpus/." "$OUT/corpus/$target/" 2>/dev/null || true
    rm -rf "$work"
done
exit $status
