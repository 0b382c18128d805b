#!/usr/bin/env bash
# The test command: unit tests, process/sandbox tests (real processes, real
# seccomp filters, a real unbound), then the Postfix end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build
swift test
bash tests/e2e/postfix-e2e.sh
