#!/bin/sh
# toolchains/fetch.sh [BUILD_DIR]: fetch the pinned dependency sources through apt.
#
# 1. installs the host packages the build needs (as root; else prints the command);
# 2. builds a private apt configuration under BUILD_DIR/apt/ that adds deb-src to the
#    system's own sources (system files are read, never written: no host name is kept
#    in this repository);
# 3. downloads the pinned sources of bearssl, curl and musl and the libjsmn-dev .deb
#    into BUILD_DIR/src/, checks each file against toolchains/sources.sha256;
# 4. unpacks them with Debian's patches into BUILD_DIR/src/{bearssl,curl,musl} and
#    puts jsmn.h into BUILD_DIR/deps/include/.
# A stamp makes a second run instant; delete BUILD_DIR/src/.fetch-stamp to redo 4.
set -eu

TC=$(cd "$(dirname "$0")" && pwd)
B=${1:-build}

# Pinned versions. Changing one means updating toolchains/sources.sha256 too.
BEARSSL=0.6+dfsg.1-3
CURL=7.88.1-10+deb12u15
# musl: built from source by build-deps.sh for a target with TC_MUSL = source
# (x86_64: -Os instead of the -O2 of Debian's libc.a); the same version as the
# musl-dev the cross targets unpack (toolchains/musl.sha256)
MUSL=1.2.3-1
JSMN=1.1.0-2

# Host packages for a fresh minimal Debian 12: compilers and musl, the tools apt and
# dpkg-source need to unpack, and for make test: python3 + openssl (simulator,
# certificates), git (the seed's CI review step), strace (the air-gap test).
HOST_PKGS="musl-tools make gcc libc6-dev binutils dpkg-dev xz-utils patch file
ca-certificates python3 openssl git strace"

say() { echo "toolchains: $*"; }
die() { echo "toolchains: error: $*" >&2; exit 1; }

# run LOG CMD...: run quietly into LOG; on failure show apt's/dpkg's error lines.
run() {
    log=$1; shift
    if ! "$@" >"$log" 2>&1; then
        grep -E '^(E|W): |error' "$log" | grep -v unsandboxed | tail -n 5 >&2 || true
        return 1
    fi
}

command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this needs Debian 12 (bookworm)"

# --- 1. host packages --------------------------------------------------------------
sh "$(dirname "$0")/need.sh" $HOST_PKGS || exit 1

mkdir -p "$B"
B=$(cd "$B" && pwd)
S=$B/src
MANIFEST=$TC/sources.sha256
STAMP=$S/.fetch-stamp
[ -f "$MANIFEST" ] || die "$MANIFEST is missing"

# The stamp names exactly what was unpacked: the manifest, the pins, our patches.
want=$( { cat "$MANIFEST"; echo "$BEARSSL $CURL $MUSL $JSMN"; cat "$TC"/patches/*.patch; } |
        sha256sum | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] &&
   [ -d "$S/bearssl" ] && [ -d "$S/curl" ] && [ -d "$S/musl" ] &&
   [ -f "$B/deps/include/jsmn.h" ]; then
    say "sources up to date in $S"
    exit 0
fi
mkdir -p "$S"

# --- 2. private apt configuration --------------------------------------------------
A=$B/apt
APT_OPTS="-o Dir::Etc::SourceList=/dev/null
 -o Dir::Etc::SourceParts=$A/sources.list.d
 -o Dir::State::Lists=$A/lists
 -o Dir::Cache=$A/cache"
# Dir::Cache keeps pkgcache.bin and archives/ out of /var/cache/apt too.

gen_sources() {
    rm -rf "$A/sources.list.d"
    mkdir -p "$A/sources.list.d" "$A/lists/partial" "$A/cache/archives/partial"
    # deb822 files: the same stanzas, each also for source packages.
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        sed 's/^[Tt]ypes:.*/Types: deb deb-src/' "$f" >"$A/sources.list.d/$(basename "$f")"
    done
    # One-line files: every "deb [opts] URI SUITE COMP..." also as "deb-src ...";
    # existing deb-src lines are dropped so none is listed twice.
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" { print; sub(/^[ \t]*deb/, "deb-src"); print }' "$f" \
            >"$A/sources.list.d/$(basename "$f")"
    done
    set -- "$A/sources.list.d"/*
    [ -e "$1" ] || die "no apt sources found in /etc/apt: configure apt first"
}

# --- 3. download and verify ---------------------------------------------------------
have_all=yes
while read -r sum name; do
    [ -f "$S/$name" ] || have_all=no
done <"$MANIFEST"

if [ "$have_all" = no ]; then
    gen_sources
    say "apt-get update (private lists in $A)"
    # shellcheck disable=SC2086
    run "$A/update.log" apt-get $APT_OPTS update ||
        die "apt-get update failed (log: $A/update.log): check the system's apt sources and network"
    say "downloading bearssl=$BEARSSL curl=$CURL musl=$MUSL libjsmn-dev=$JSMN"
    # apt-get source and download write into the current directory.
    # shellcheck disable=SC2086
    (cd "$S" && run "$A/download.log" apt-get $APT_OPTS source --download-only \
        "bearssl=$BEARSSL" "curl=$CURL" "musl=$MUSL" &&
     run "$A/download.log" apt-get $APT_OPTS download "libjsmn-dev=$JSMN") ||
        die "download failed (log: $A/download.log): if Debian moved on, update the pins in toolchains/fetch.sh and toolchains/sources.sha256"
fi

while read -r sum name; do
    [ -f "$S/$name" ] || die "$S/$name was not downloaded: is the pin in toolchains/fetch.sh right?"
    got=$(sha256sum "$S/$name" | cut -d' ' -f1)
    [ "$got" = "$sum" ] ||
        die "SHA-256 mismatch for $S/$name (got $got): delete it and re-run, or fix toolchains/sources.sha256"
done <"$MANIFEST"
say "all $(wc -l <"$MANIFEST") files match toolchains/sources.sha256"

# --- 4. unpack ----------------------------------------------------------------------
# dpkg-source applies Debian's patches (curl: security fixes). Its "cannot verify
# signature" warning is expected: the .dsc itself is pinned by SHA-256 above.
rm -rf "$S/bearssl" "$S/curl" "$S/musl" "$STAMP"
run "$S/bearssl.unpack.log" dpkg-source -x "$S/bearssl_$BEARSSL.dsc" "$S/bearssl" ||
    die "dpkg-source failed for bearssl (log: $S/bearssl.unpack.log)"
run "$S/curl.unpack.log" dpkg-source -x "$S/curl_$CURL.dsc" "$S/curl" ||
    die "dpkg-source failed for curl (log: $S/curl.unpack.log)"
run "$S/musl.unpack.log" dpkg-source -x "$S/musl_$MUSL.dsc" "$S/musl" ||
    die "dpkg-source failed for musl (log: $S/musl.unpack.log)"
n=$(grep -c 'applying' "$S/curl.unpack.log") || n=0
# Debian's last two patches only rename the library (libcurl-gnutls/-nss) in the
# Makefile.am files; undo them. configure runs without maintainer mode, so the newer
# .am files never trigger automake.
for p in 99_nss.patch 90_gnutls.patch; do
    (cd "$S/curl" && patch -R -p1 -s <debian/patches/$p) || die "could not revert curl's $p"
done
say "unpacked bearssl $BEARSSL; musl $MUSL; curl $CURL with $n Debian patches (90_gnutls, 99_nss reverted)"

# Our own fixes on top, each explained in its header (toolchains/patches/):
# bearssl-*.patch to BearSSL, curl-*.patch to curl.
for p in "$TC"/patches/bearssl-*.patch; do
    [ -f "$p" ] || continue
    (cd "$S/bearssl" && patch -p1 -s --no-backup-if-mismatch <"$p") ||
        die "could not apply $(basename "$p") to bearssl $BEARSSL"
    say "applied $(basename "$p")"
done
for p in "$TC"/patches/curl-*.patch; do
    [ -f "$p" ] || continue
    (cd "$S/curl" && patch -p1 -s --no-backup-if-mismatch <"$p") ||
        die "could not apply $(basename "$p") to curl $CURL"
    say "applied $(basename "$p")"
done

rm -rf "$S/jsmn"
dpkg-deb -x "$S/libjsmn-dev_${JSMN}_all.deb" "$S/jsmn" || die "dpkg-deb failed for libjsmn-dev"
mkdir -p "$B/deps/include"
cp "$S/jsmn/usr/include/jsmn.h" "$B/deps/include/jsmn.h"
say "jsmn $JSMN header in $B/deps/include/jsmn.h"

echo "$want" >"$STAMP"
