#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need. Safe to run
# again. Postfix is installed without starting the system instance: the
# end-to-end test runs its own instance on loopback ports.
set -euo pipefail
packages=(libssl-dev libldns-dev libseccomp-dev libcap-dev libsqlite3-dev libpq-dev zlib1g-dev postgresql pkg-config
          postfix swaks unbound procps python3 python3-dkim libmail-dkim-perl publicsuffix
          python3-authres libxml2-utils libmail-spf-perl libnet-dns-resolver-programmable-perl libemail-address-xs-perl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep >/dev/null "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
# Content scanners for the end-to-end tests of the SpamAssassin, RSpamD
# and ClamAV handlers: spamd (Debian 12 splits it from spamassassin),
# rspamd, clamd (clamav-daemon). The tests start their own daemons on
# loopback ports with their own configuration; the system's services are
# not started (a policy-rc.d that refuses service starts, for the length of
# the install, where none exists), and no virus database is downloaded (the
# ClamAV test writes its own signature). prometheus: its promtool checks
# the metrics endpoint's text (the server itself is not started).
scanners=()
for package in spamassassin spamd rspamd clamav-daemon prometheus; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep >/dev/null "install ok installed" || scanners+=("$package")
done
if [ ${#scanners[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
  fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${scanners[@]}" \
    || { if [ -n "$policy" ]; then $SUDO rm -f "$policy"; fi; exit 1; }
  if [ -n "$policy" ]; then $SUDO rm -f "$policy"; fi
fi
