#!/bin/sh
# toolchains/need.sh PKG...: make sure these Debian packages are installed.
# As root, installs the missing ones with apt-get (refreshing the system's
# package lists once if a fresh container has none); otherwise prints the
# command to run and fails.  Used by fetch.sh (the build) and by the
# Makefile's asan, valgrind and fuzz targets (clang, valgrind).
set -u
say() { echo "toolchains: $*"; }
die() { echo "toolchains: error: $*" >&2; exit 1; }

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this needs Debian 12 (bookworm)"
missing=
for p in "$@"; do
    s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || s=
    [ "$s" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    die "missing packages; run: sudo apt-get install -y --no-install-recommends$missing"
fi
say "installing:$missing"
# shellcheck disable=SC2086
if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing; then
    # A fresh container has empty package lists: refresh the system's lists once.
    set -- /var/lib/apt/lists/*_Packages*
    [ -e "$1" ] && die "apt-get install failed (see above)"
    say "system package lists are empty: running apt-get update once"
    apt-get update -q || die "apt-get update failed (see above): check the network/proxy"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing ||
        die "apt-get install failed (see above)"
fi
