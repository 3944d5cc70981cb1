#!/usr/bin/env bash
# Builds the Kafka test peer <repo>/.peers/mockkafka: librdkafka's mock cluster
# run by mockkafka.c. Preferred: librdkafka 2.0.2 from Debian's source package
# with librdkafka-2.0.2-mock-test.patch, linked statically (cross-process
# consumer groups need the patch). Fallback: Debian's stock librdkafka-dev.
# Idempotent; for Debian 12, as root (or with sudo). Only uses the archive apt
# is already configured with; /etc/apt is left untouched.
#   bash tests/peers/kafka/install.sh [--force] [--stock]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
OUT="$REPO/.peers"
BIN="$OUT/mockkafka"
WORK="$OUT/build/librdkafka"
PATCH="$HERE/librdkafka-2.0.2-mock-test.patch"
VERSION=2.0.2
FORCE=0 MODE=patched
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --stock) MODE=stock ;;
    *) echo "usage: $0 [--force] [--stock]" >&2; exit 2 ;;
  esac
done

START=$SECONDS
log() { echo "[kafka-peer] $*"; }
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

if [ "$FORCE" = 0 ] && [ -x "$BIN" ] && [ "$BIN" -nt "$HERE/mockkafka.c" ] && [ "$BIN" -nt "$PATCH" ] \
   && [ "$BIN" -nt "$HERE/install.sh" ] && info=$("$BIN" --version 2>/dev/null); then
  log "up to date: $BIN ($info); --force rebuilds"
  exit 0
fi
mkdir -p "$OUT"
rm -f "$BIN.tmp"

# apt-get install only what is missing; apt-get update only if something is.
need() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} = 0 ] && return 0
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# deb-src lines for the Debian release apt already uses (deb822 *.sources and
# one-line *.list), with their signed-by key, for a private source list.
deb_src_lines() {
  local codename
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      awk -v cn="$codename" '
        function flush() {
          if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " cn " ") && (" " comps " ") ~ / main /)
            for (i = 1; i <= nu; i++) print "deb-src [signed-by=" (key ? key : "/usr/share/keyrings/debian-archive-keyring.gpg") "] " u[i] " " cn " main"
          types = suites = comps = key = ""; nu = 0
        }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        tolower($1) == "types:" { $1 = ""; types = $0 }
        tolower($1) == "uris:" { for (i = 2; i <= NF; i++) u[++nu] = $i }
        tolower($1) == "suites:" { $1 = ""; suites = $0 }
        tolower($1) == "components:" { $1 = ""; comps = $0 }
        tolower($1) == "signed-by:" && $2 ~ /^\// { key = $2 }
        END { flush() }' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do if [ -f "$f" ]; then cat "$f"; fi; done | awk -v cn="$codename" '
      $1 == "deb" {
        opts = ""; i = 2
        if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) { opts = opts " " $i; i++ } opts = opts " " $i; i++ }
        key = "/usr/share/keyrings/debian-archive-keyring.gpg"
        if (match(opts, /signed-by=[^] ]+/)) key = substr(opts, RSTART + 10, RLENGTH - 10)
        uri = $i; suite = $(i + 1)
        main = 0; for (j = i + 2; j <= NF; j++) if ($j == "main") main = 1
        if (suite == cn && main) print "deb-src [signed-by=" key "] " uri " " cn " main"
      }'
  } | awk '!seen[$0]++'
}

build_patched() {
  need gcc make libc6-dev zlib1g-dev patch pkg-config
  mkdir -p "$WORK"
  local sum
  sum=$(sha256sum "$PATCH" | cut -d' ' -f1)
  if [ -f "$WORK/lib/librdkafka.a" ] && [ "$(cat "$WORK/lib/patch.sha256" 2>/dev/null)" = "$sum" ]; then
    log "reusing patched librdkafka.a from $WORK/lib"
  else
    if [ ! -f "$WORK/librdkafka_$VERSION.orig.tar.gz" ]; then
      deb_src_lines > "$WORK/src.list"
      [ -s "$WORK/src.list" ] || { log "no Debian archive found in /etc/apt"; return 1; }
      log "apt-get source librdkafka via a private deb-src list: $(head -n1 "$WORK/src.list")"
      local apto=(-o Dir::Etc::SourceList="$WORK/src.list" -o Dir::Etc::SourceParts=/dev/null
                  -o Dir::State::Lists="$WORK/lists" -o Dir::Cache="$WORK/cache")
      mkdir -p "$WORK/lists/partial" "$WORK/cache/archives/partial"
      $SUDO apt-get "${apto[@]}" update -qq
      # As root apt warns that the _apt user cannot write $WORK; harmless.
      # Any Debian revision of 2.0.2 will do: only the upstream tarball is used.
      (cd "$WORK" && $SUDO apt-get "${apto[@]}" source --download-only -qq librdkafka 2>/dev/null)
      [ -f "$WORK/librdkafka_$VERSION.orig.tar.gz" ] \
        || { log "the archive's librdkafka is not $VERSION, which the patch is for: $(cd "$WORK" && ls ./*.dsc)"; return 1; }
      rm -rf "$WORK/lists" "$WORK/cache"   # ~40 MB of indexes, not needed once the tarball is here
    fi
    log "compiling librdkafka $VERSION with the mock patch (about 25 s on 2 idle cores)"
    rm -rf "$WORK/librdkafka-$VERSION" "$WORK/lib"
    tar xzf "$WORK/librdkafka_$VERSION.orig.tar.gz" -C "$WORK"
    (cd "$WORK" && patch -p0 --quiet < "$PATCH")
    # -O1 (CFLAGS come after configure's -O2): half the compile time of -O2, and the mock is not
    # what limits a test's throughput. (--disable-optimization would tag the version "-O0".)
    (cd "$WORK/librdkafka-$VERSION" \
      && ./configure --disable-ssl --disable-gssapi --disable-zstd --disable-curl --disable-lz4-ext --enable-static \
           --disable-debug-symbols --CFLAGS=-O1 >"$WORK/configure.log" 2>&1 \
      && make -j"$(nproc)" -C src librdkafka.a >"$WORK/make.log" 2>&1) \
      || { log "librdkafka build failed, see $WORK/configure.log and $WORK/make.log"; return 1; }
    mkdir -p "$WORK/lib/include/librdkafka"
    cp "$WORK/librdkafka-$VERSION/src/librdkafka.a" "$WORK/lib/"
    cp "$WORK/librdkafka-$VERSION/src/rdkafka.h" "$WORK/librdkafka-$VERSION/src/rdkafka_mock.h" "$WORK/lib/include/librdkafka/"
    echo "$sum" > "$WORK/lib/patch.sha256"
    rm -rf "$WORK/librdkafka-$VERSION"   # keeps the tarball and the library, drops ~60 MB of objects
  fi
  log "linking $BIN (static librdkafka)"
  cc -O2 -Wall -I"$WORK/lib/include" -o "$BIN.tmp" "$HERE/mockkafka.c" "$WORK/lib/librdkafka.a" -lpthread -lz -lm -ldl
}

build_stock() {
  need gcc libc6-dev librdkafka-dev pkg-config
  log "linking $BIN against Debian's librdkafka-dev"
  # shellcheck disable=SC2046
  cc -O2 -Wall -o "$BIN.tmp" "$HERE/mockkafka.c" $(pkg-config --cflags --libs rdkafka)
}

built=
if [ "$MODE" = patched ]; then
  # Not inside `if`: there bash would ignore set -e in the subshell too.
  set +e
  (set -eE; trap 'log "failed: $BASH_COMMAND" >&2' ERR; build_patched); rc=$?
  set -e
  if [ "$rc" = 0 ]; then built=patched
  else log "patched build failed; falling back to Debian's stock librdkafka (no cross-process consumer groups)"
  fi
fi
if [ -z "$built" ]; then build_stock; built=stock; fi
info=$("$BIN.tmp" --version) || { log "the built binary does not run"; exit 1; }
mv -f "$BIN.tmp" "$BIN"
log "built $built: $BIN ($info) in $((SECONDS - START)) s"
