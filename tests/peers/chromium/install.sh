#!/usr/bin/env bash
# Installs the browser test peer: Debian's chromium (/usr/bin/chromium), which the display's
# browser tests drive with playwright-core (tests/helpers/browser.ts). playwright's own browser
# download does not work on these machines (closed network), so the distribution's build is used.
# Idempotent and a fast no-op when chromium already runs; for Debian 12, as root (or with sudo).
#   bash tests/peers/chromium/install.sh
set -euo pipefail
log() { echo "[chromium-peer] $*"; }
BIN=${EVENTYARD_CHROMIUM:-/usr/bin/chromium}

if [ -x "$BIN" ] && version=$("$BIN" --version 2>/dev/null); then
  log "present: $version"
  exit 0
fi
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when apt does not know the package yet.
if ! apt-cache show chromium >/dev/null 2>&1; then
  log "apt-get update"
  $SUDO apt-get update -qq
fi
log "installing chromium (--no-install-recommends)"
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
version=$("$BIN" --version)
log "installed: $version"
