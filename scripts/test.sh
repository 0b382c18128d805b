#!/usr/bin/env bash
# The test command: unit tests, process/sandbox tests (real processes, real
# seccomp filters, a real unbound), then the Postfix end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The vendored conformance data must be the team's, unchanged.
if [ -d ../shared/conformance ]; then
  diff -r ../shared/conformance shared/conformance >/dev/null \
    || { echo "shared/conformance differs from ../shared/conformance: refresh the copy, never edit it" >&2; exit 1; }
fi
swift build
swift test
bash tests/e2e/postfix-e2e.sh
