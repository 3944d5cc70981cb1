#!/usr/bin/env bash
# Installs the Blender test peer: Debian's blender package, with --no-install-recommends (about
# 650 MB, ~30 s; research/ai-and-rendering.md §3). A fast no-op when `blender` already runs.
# For Debian 12, as root (or with sudo); uses only the archive apt is already configured with.
#   bash tests/peers/blender/install.sh [--force]
set -euo pipefail
FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done
log() { echo "[blender-peer] $*"; }

if [ "$FORCE" = 0 ] && command -v blender >/dev/null 2>&1 && info=$(blender --version 2>/dev/null | head -n 1) && [ -n "$info" ]; then
  log "present: $(command -v blender) ($info); --force reinstalls"
  exit 0
fi

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
START=$SECONDS
# apt-get update only when the package lists do not know blender yet.
if ! apt-cache show blender >/dev/null 2>&1; then
  log "apt-get update"
  $SUDO apt-get update -q
fi
log "apt-get install --no-install-recommends blender"
$SUDO apt-get install -y -q --no-install-recommends blender
log "installed: $(blender --version 2>/dev/null | head -n 1) in $((SECONDS - START)) s"
