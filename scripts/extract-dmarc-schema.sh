#!/usr/bin/env bash
# Puts a copy of RFC 9990's aggregate report XML schema (appendix A) in DIR
# (default /tmp/authmilter-dmarc-schema) and prints its path; prints
# nothing and exits 1 when no copy can be had. The schema is third-party
# text and is never committed: it is taken at test time from the `dmarc`
# package on PyPI (dmarc/report/schemas/dmarc-2.0.xsd, the RFC's schema),
# downloaded with pip into DIR, or from a copy already there.
# Usage: extract-dmarc-schema.sh [DIR [PYTHON]]; PYTHON needs pip (the
# parsedmarc virtual environment has it).
set -euo pipefail
DIR=${1:-/tmp/authmilter-dmarc-schema}
PYTHON=${2:-/tmp/authmilter-parsedmarc/bin/python}
SCHEMA="$DIR/dmarc-2.0.xsd"
mkdir -p "$DIR"
if [ ! -s "$SCHEMA" ]; then
  "$PYTHON" -m pip download -q --disable-pip-version-check --no-deps "dmarc==1.2.1" -d "$DIR" >/dev/null 2>&1 || exit 1
  wheel=$(ls "$DIR"/dmarc-1.2.1-*.whl 2>/dev/null | sed -n 1p)
  [ -n "$wheel" ] || exit 1
  "$PYTHON" - "$wheel" "$SCHEMA" <<'PY' || exit 1
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    data = wheel.read("dmarc/report/schemas/dmarc-2.0.xsd")
if b'targetNamespace="urn:ietf:params:xml:ns:dmarc-2.0"' not in data:
    sys.exit("not the RFC 9990 schema")
open(sys.argv[2], "wb").write(data)
PY
fi
echo "$SCHEMA"
