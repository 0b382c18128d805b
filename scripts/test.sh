#!/usr/bin/env bash
# The test command: unit tests, process/sandbox tests (real processes, real
# seccomp filters, a real unbound), then the Postfix end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The third-party conformance suites are read from the team's
# ../shared/conformance (never committed here); without it those tests are
# reported as skipped.
[ -d ../shared/conformance ] || echo "note: ../shared/conformance is absent: the conformance suite tests will be skipped" >&2
# A private PostgreSQL for the report store tests (unit and end to end).
PG_DIR=/tmp/authmilter-test-pg
export AUTHMILTER_TEST_POSTGRES AUTHMILTER_TEST_POSTGRES_DIR=$PG_DIR
AUTHMILTER_TEST_POSTGRES=$(bash scripts/postgres-test-server.sh start "$PG_DIR")
trap 'bash scripts/postgres-test-server.sh stop "$PG_DIR" >/dev/null 2>&1 || true' EXIT
# parsedmarc (PyPI), an independent reader of our aggregate reports.
bash scripts/install-parsedmarc.sh /tmp/authmilter-parsedmarc
export AUTHMILTER_PARSEDMARC_PYTHON=/tmp/authmilter-parsedmarc/bin/python
# RFC 9990's report schema, extracted at test time (never committed): the
# unit tests and the end-to-end test validate our reports with xmllint
# against it; without a copy those checks are reported as skipped.
if schema=$(bash scripts/extract-dmarc-schema.sh /tmp/authmilter-dmarc-schema "$AUTHMILTER_PARSEDMARC_PYTHON"); then
  export AUTHMILTER_DMARC_XSD=$schema
else
  echo "note: no copy of the RFC 9990 schema could be had: report schema validation will be skipped" >&2
fi
swift build
# The tests make their scratch files under a private TMPDIR, and a test
# cleans up after itself: anything of ours left there fails the run
# (SwiftPM's TemporaryDirectory.*, lock files and the compiler's
# swift-generated-sources are not ours).
TEST_TMP=$(mktemp -d /tmp/amt.XXXXXX)
chmod 755 "$TEST_TMP" # children running as nobody reach their files
TMPDIR=$TEST_TMP swift test
left=$(ls -A "$TEST_TMP" | grep -v -E '^(TemporaryDirectory\..*|swift-generated-sources|.*\.lock)$' || true)
rm -rf "$TEST_TMP"
if [ -n "$left" ]; then
  echo "test.sh: the tests left behind in their TMPDIR: $(echo $left)" >&2
  exit 1
fi
# Every fuzz target for 3 seconds (builds the libFuzzer binary first); a
# crash or a failed invariant fails the run. Longer runs: scripts/fuzz.sh.
bash scripts/fuzz.sh --seconds 3
# A passed end-to-end run removes its work directory (tests/e2e/lib.sh,
# finish_work_dir): one left behind by these runs fails the check below.
e2e_dirs() { ls -d /tmp/authmilter-e2e.* /tmp/authmilter-smtp-e2e.* /tmp/authmilter-deb-e2e.* 2>/dev/null | sort || true; }
e2e_before=$(e2e_dirs)
bash tests/e2e/postfix-e2e.sh
bash tests/e2e/postfix-smtp-e2e.sh
# The Debian package: built (release, static Swift runtime), installed with
# apt-get, its daemon behind Postfix through a unix socket.
bash tests/e2e/deb-e2e.sh
left=$(comm -13 <(echo "$e2e_before") <(e2e_dirs))
if [ -n "$left" ]; then
  echo "test.sh: passed end-to-end runs left their work directories behind: $left" >&2
  exit 1
fi
