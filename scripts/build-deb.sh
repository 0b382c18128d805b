#!/usr/bin/env bash
# Builds a Debian package of the daemon, its helpers and tools (issue 14):
#
#   bash scripts/build-deb.sh [OUTPUT_DIR]      # default: .build/deb
#
# prints the path of authmilter-swift_<version>_<arch>.deb. The Swift
# runtime is linked statically (--static-swift-stdlib), so the package
# depends only on Debian packages: the C libraries the binaries link
# (found with dpkg -S on what ldd lists) and Postfix-free basics. Install
# with `apt-get install ./authmilter-swift_*.deb`.
#
# Layout:
#   /usr/lib/authmilter-swift/   every executable (the master starts its
#                                children from its own directory)
#   /usr/sbin/authentication_milter and /usr/bin/<tools> -> links there
#   /etc/authentication_milter.json, /etc/authentication_milter.d/ (conffiles: the sample)
#   /lib/systemd/system/authentication_milter.service, dmarc_send_reports.{service,timer}
#   /usr/share/doc/authmilter-swift/ README.md and docs/
# postinst makes the system user `authmilter` (the units' and the sample's
# account) and the state directories; it starts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${1:-$ROOT/.build/deb}
BUILD=${AUTHMILTER_DEB_BUILD_PATH:-$ROOT/.build/deb-build}
VERSION=${AUTHMILTER_DEB_VERSION:-0.$(git log -1 --format=%cd --date=format:%Y%m%d%H%M 2>/dev/null || date +%Y%m%d%H%M)}
ARCH=$(dpkg --print-architecture)
LOCK=${BUILD_LOCK:-/dev/null}

# The daemon and the processes it starts, then the tools. Built product by
# product: the test support target imports Testing, which has no static
# build.
DAEMON=(authentication_milter authmilter-worker authmilter-dns authmilter-spool authmilter-scan authmilter-bimi-fetch)
TOOLS=(authentication_milter_client authentication_milter_log authentication_milter_blocker dmarc_send_reports dmarc_view_reports)
for name in "${DAEMON[@]}" "${TOOLS[@]}"; do
  flock "$LOCK" swift build -c release --static-swift-stdlib --build-path "$BUILD" --product "$name" >&2
done
BIN=$(swift build -c release --static-swift-stdlib --build-path "$BUILD" --show-bin-path)

STAGE=$(mktemp -d /tmp/authmilter-deb.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
PKG=$STAGE/authmilter-swift
LIB=$PKG/usr/lib/authmilter-swift
mkdir -p "$LIB" "$PKG/usr/sbin" "$PKG/usr/bin" "$PKG/etc/authentication_milter.d" "$PKG/lib/systemd/system" \
         "$PKG/usr/share/doc/authmilter-swift" "$PKG/DEBIAN"

for name in "${DAEMON[@]}" "${TOOLS[@]}"; do
  [ -x "$BIN/$name" ] || { echo "build-deb: $BIN/$name is missing" >&2; exit 1; }
  install -m 755 -s "$BIN/$name" "$LIB/$name"
done
ln -s ../lib/authmilter-swift/authentication_milter "$PKG/usr/sbin/authentication_milter"
for name in "${TOOLS[@]}"; do ln -s ../lib/authmilter-swift/"$name" "$PKG/usr/bin/$name"; done

# The sample configuration (it does the main job; README) as conffiles.
# The package's copy keeps its state under /var (the sample's /tmp paths
# are for trying it out; the unit has PrivateTmp) and runs the children as
# the package's account.
sed -e 's#"/tmp/authentication_milter/cache"#"/var/cache/authentication_milter"#' \
    -e 's#"/tmp/authentication_milter/spool"#"/var/spool/authentication_milter"#' \
    -e 's#"/tmp/authentication_milter/lib"#"/var/lib/authentication_milter"#' \
    -e 's#^\(    "logtoerr": 1,\)$#\1\n    "runas": "authmilter",\n    "rungroup": "authmilter",#' \
    etc/authentication_milter.json > "$PKG/etc/authentication_milter.json"
grep -q '"runas": "authmilter"' "$PKG/etc/authentication_milter.json" && ! grep -q '/tmp/' "$PKG/etc/authentication_milter.json" \
  || { echo "build-deb: the sample configuration changed shape; adjust the paths above" >&2; exit 1; }
for f in etc/authentication_milter.d/*.json; do
  [ -e "$f" ] && install -m 644 "$f" "$PKG/etc/authentication_milter.d/"
done
# The units, with the packaged paths.
for unit in etc/systemd/*.service etc/systemd/*.timer; do
  sed -e 's#/usr/local/bin/authentication_milter#/usr/sbin/authentication_milter#g' \
      -e 's#/usr/local/bin/#/usr/bin/#g' "$unit" > "$PKG/lib/systemd/system/$(basename "$unit")"
done
install -m 644 README.md "$PKG/usr/share/doc/authmilter-swift/"
cp -r docs "$PKG/usr/share/doc/authmilter-swift/"

# Depends: the Debian packages that hold the shared libraries the binaries
# load (the Swift runtime is inside them).
libs=$(for f in "$LIB"/*; do ldd "$f"; done | awk '/=> \// {print $3}' | sort -u)
depends=$(for l in $libs; do dpkg -S "$(readlink -f "$l")" 2>/dev/null || dpkg -S "$l" 2>/dev/null; done \
          | cut -d: -f1 | sort -u | grep -v '^libc6$' | paste -sd, | sed 's/,/, /g')
depends="libc6${depends:+, $depends}, adduser, publicsuffix"
installed=$(du -sk "$PKG" | cut -f1)

cat > "$PKG/DEBIAN/control" <<EOF
Package: authmilter-swift
Version: $VERSION
Architecture: $ARCH
Maintainer: authmilter-swift developers <root@localhost>
Installed-Size: $installed
Depends: $depends
Recommends: postfix, unbound
Section: mail
Priority: optional
Description: mail authentication milter (SPF, DKIM, DMARC, ARC, BIMI)
 A drop-in replacement, in Swift, for the Perl authentication_milter:
 the same command line, configuration and Authentication-Results output,
 as a privilege-separated daemon with seccomp-jailed workers. Milter mode
 (Postfix smtpd_milters) and SMTP mode (an after-queue content filter).
EOF
( cd "$PKG" && find etc -type f | sed 's#^#/#' ) > "$PKG/DEBIAN/conffiles"
cat > "$PKG/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd authmilter >/dev/null; then
    adduser --system --group --home /var/lib/authentication_milter --no-create-home authmilter >/dev/null
  fi
  for d in /var/lib/authentication_milter /var/spool/authentication_milter /var/cache/authentication_milter; do
    install -d -m 750 -o authmilter -g authmilter "$d"
  done
  if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi
fi
exit 0
EOF
chmod 755 "$PKG/DEBIAN/postinst"

mkdir -p "$OUT"
DEB=$OUT/authmilter-swift_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group --build "$PKG" "$DEB" >&2
echo "$DEB"
