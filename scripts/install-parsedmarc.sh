#!/usr/bin/env bash
# parsedmarc from PyPI in its own virtual environment (DIR, default
# /tmp/authmilter-parsedmarc): the tests hand it our aggregate reports.
set -euo pipefail
VENV=${1:-/tmp/authmilter-parsedmarc}
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import parsedmarc" 2>/dev/null; then
  exit 0
fi
rm -rf "$VENV"
if ! python3 -m venv "$VENV" 2>/dev/null; then
  # Debian's python3 needs python3-venv for this.
  SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends python3-venv >/dev/null
  rm -rf "$VENV"
  /usr/bin/python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check parsedmarc
"$VENV/bin/python" -c "import parsedmarc" || { echo "parsedmarc did not install into $VENV" >&2; exit 1; }
