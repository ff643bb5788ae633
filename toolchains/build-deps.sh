#!/bin/sh
# toolchains/build-deps.sh TARGET [BUILD_DIR]: build the static dependencies for one
# target (toolchains/TARGET.mk) from the sources fetch.sh unpacked. A cross target
# first gets its apt packages (TC_PKGS: cross gcc, qemu-user-static) and its musl
# (TC_MUSL: Debian's musl-dev for that architecture, into BUILD_DIR/deps/TARGET/musl/);
# a target with TC_MUSL = source builds musl from the source fetch.sh unpacked instead.
#   BUILD_DIR/deps/TARGET/lib/libbearssl.a, lib/libcurl.a, include/{bearssl*.h,curl/}
#   BUILD_DIR/deps/TARGET/curl-config.log   curl's configure summary
#   BUILD_DIR/gen/amazon_roots.h            (gen-roots.sh; the same for every target)
# then links toolchains/check-curl.c against them, runs it and checks the result.
# Each step has a stamp holding a hash of everything that shapes its output (the
# target's variables, the compiler, the sources, the exact command lines), so a
# second run does nothing and an edited fragment or curl.configure rebuilds.
set -eu

TC=$(cd "$(dirname "$0")" && pwd)
T=${1:?usage: sh toolchains/build-deps.sh TARGET [BUILD_DIR]}
B=${2:-build}

say() { echo "toolchains: $T: $*"; }
die() { echo "toolchains: $T: error: $*" >&2; exit 1; }
hash() { sha256sum | cut -d' ' -f1; }
# body NAME: the text of this script's function NAME, so a stamp changes with it
body() { sed -n "/^$1() {/,/^}/p" "$TC/build-deps.sh"; }
kb() { echo "$(( ($(wc -c <"$1") + 512) / 1024 )) KB"; }

FRAG=$TC/$T.mk
if [ ! -f "$FRAG" ]; then
    have=; for f in "$TC"/*.mk; do f=${f##*/}; have="$have ${f%.mk}"; done
    die "no toolchains/$T.mk (targets:$have)"
fi
case $B in *[[:space:]]*) die "BUILD_DIR must not contain spaces (make cannot cope)";; esac
[ -f "$B/src/.fetch-stamp" ] || die "sources not fetched: run sh toolchains/fetch.sh $B"
B=$(cd "$B" && pwd)
S=$B/src
P=$B/deps/$T    # install prefix: lib/, include/
W=$P/work       # out-of-tree build directories, logs

# Hermetic: a calling make's flags and the user's compiler settings must not leak
# into configure or the nested makes (a parent's CFLAGS=... override would win).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES CC CFLAGS CPPFLAGS LDFLAGS LIBS CPP AR RANLIB

# The fragment is the single source of truth; make itself expands it, so a value
# like $(shell cc -dumpmachine) means here what it means in the Makefile.
# B= is passed because a cross fragment names files under the build directory.
tc_print() {
    echo "tc-print: ; @\$(foreach v,$1,echo \"\$(v)='\$(\$(v))'\";)" |
        make -s -f "$FRAG" -f - tc-print B="$B" || die "cannot read toolchains/$T.mk"
}
VARS="TC_CC TC_AR TC_STRIP TC_HOST TC_CFLAGS TC_LDFLAGS TC_STATIC_PIE TC_RUN"
vals=$(tc_print "$VARS") || exit 1
eval "$vals"
# Optional, for cross targets; kept out of $vals (and so out of the stamps) because
# TC_PKGS only names what to install and the musl bytes are hashed below.
xvals=$(tc_print "TC_PKGS TC_MUSL TC_MUSL_CFLAGS") || exit 1
eval "$xvals"
case $TC_STATIC_PIE in yes|no) ;; *) die "TC_STATIC_PIE must be yes or no in toolchains/$T.mk";; esac

# --- packages ----------------------------------------------------------------------
# TC_PKGS: what this target needs on the build machine (cross gcc, qemu), installed
# like fetch.sh installs the host packages: as root, only what is missing.
pkgs_install() {
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        $missing >"$B/apt/install-$T.log" 2>&1
}
missing=
for p in $TC_PKGS; do
    s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) || s=
    [ "$s" = "install ok installed" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
    [ "$(id -u)" -eq 0 ] ||
        die "missing packages; run: sudo apt-get install -y --no-install-recommends$missing"
    say "installing packages:$missing"
    mkdir -p "$B/apt"
    if ! pkgs_install; then
        # a fresh container has empty package lists: refresh the system's lists once
        set -- /var/lib/apt/lists/*_Packages*
        [ -e "$1" ] && die "apt-get install failed (log: $B/apt/install-$T.log)"
        say "system package lists are empty: running apt-get update once"
        apt-get update -q >"$B/apt/update-system.log" 2>&1 ||
            die "apt-get update failed (log: $B/apt/update-system.log)"
        pkgs_install || die "apt-get install failed (log: $B/apt/install-$T.log)"
    fi
fi
command -v "${TC_CC%% *}" >/dev/null 2>&1 || die "compiler '$TC_CC' not found: run sh toolchains/fetch.sh"
J=$(nproc 2>/dev/null || echo 2)

sh "$TC/gen-roots.sh" "$B/gen/amazon_roots.h"

mkdir -p "$P/lib" "$P/include" "$W"

# --- musl for a cross target ---------------------------------------------------------
# TC_MUSL names a Debian architecture; its musl-dev .deb (made for cross use: headers,
# libc.a, crt*.o and a specs file for the gnu cross gcc) is pinned by name and SHA-256
# in toolchains/musl.sha256, downloaded through a private apt configuration for that
# architecture alone (no dpkg --add-architecture; system files are never written),
# unpacked with dpkg-deb -x into P/musl/{include,lib} and its specs file rewritten to
# point there. Only the binary-ARCH indexes are fetched; an index that fails to
# download (a mirror's size check) is ignored: the .deb's SHA-256 is what counts.
musl_unpack() {
    rm -rf "$P/musl" "$W/musl"
    dpkg-deb -x "$deb" "$W/musl" || return 1
    spec=$(find "$W/musl/usr/lib" -name musl-gcc.specs | head -n 1)
    [ -n "$spec" ] || return 1
    lib=$(dirname "$spec"); triple=$(basename "$lib")
    mkdir -p "$P/musl" &&
    mv "$lib" "$P/musl/lib" &&
    mv "$W/musl/usr/include/$triple" "$P/musl/include" &&
    sed -e "s|/usr/include/$triple|$P/musl/include|g" -e "s|/usr/lib/$triple|$P/musl/lib|g" \
        "$P/musl/lib/musl-gcc.specs" >"$P/musl/musl-gcc.specs" || return 1
    # every path in the specs file must now be ours
    ! grep -q "/usr/" "$P/musl/musl-gcc.specs"
}
# --- musl from source (TC_MUSL = source) ---------------------------------------------
# Debian's musl source (pinned and unpacked by fetch.sh; the version the cross targets
# unpack), built with the bare compiler of TC_CC (its first word; the -specs option
# names the file this step writes) and TC_MUSL_CFLAGS, static only, installed into
# P/musl/{include,lib}; musl's own install writes lib/musl-gcc.specs for that prefix,
# copied to P/musl/musl-gcc.specs where TC_CC expects it, as for a cross target.
# musl's configure adds -ffunction-sections -fdata-sections and no unwind tables, and
# keeps the stack protector off the files that run before it is set up.
musl_build() {
    rm -rf "$P/musl" "$W/musl"
    mkdir -p "$W/musl" &&
    (cd "$W/musl" &&
     CC="${TC_CC%% *}" AR="$TC_AR" RANLIB="${TC_AR%ar}ranlib" CFLAGS="$TC_MUSL_CFLAGS" \
        "$S/musl/configure" --prefix="$P/musl" --disable-shared --enable-wrapper=gcc &&
     make -j"$J" && make install) &&
    cp "$P/musl/lib/musl-gcc.specs" "$P/musl/musl-gcc.specs"
}
musl_key=
if [ "$TC_MUSL" = source ]; then
    [ -x "$S/musl/configure" ] || die "no musl source in $S/musl: run sh toolchains/fetch.sh $B"
    musl_key=$( { echo "$P $TC_CC $TC_AR $TC_MUSL_CFLAGS"; ${TC_CC%% *} --version | head -n 1
                  cat "$S/.fetch-stamp"; body musl_build; } | hash)
    if [ "$(cat "$P/.musl-stamp" 2>/dev/null)" != "$musl_key" ]; then
        say "building musl from source with ${TC_CC%% *} $TC_MUSL_CFLAGS"
        t0=$(date +%s)
        rm -f "$P/.musl-stamp"
        musl_build >"$W/musl.log" 2>&1 || die "musl build failed (log: $W/musl.log)"
        echo "$musl_key" >"$P/.musl-stamp"
        say "musl done in $(( $(date +%s) - t0 )) s: libc.a $(kb "$P/musl/lib/libc.a")"
    fi
elif [ -n "$TC_MUSL" ]; then
    MM=$TC/musl.sha256
    line=$(grep -E "^[0-9a-f]{64}  musl-dev_[^_]+_$TC_MUSL\.deb\$" "$MM") ||
        die "no musl-dev_*_$TC_MUSL.deb pinned in toolchains/musl.sha256"
    sum=${line%% *}; name=${line##* }
    ver=${name#musl-dev_}; ver=${ver%_*}
    deb=$S/$name
    if [ ! -f "$deb" ] || [ "$(sha256sum <"$deb" | cut -d' ' -f1)" != "$sum" ]; then
        A=$B/apt/$TC_MUSL
        rm -rf "$A/sources.list.d" "$deb"
        mkdir -p "$A/sources.list.d" "$A/lists/partial" "$A/cache/archives/partial"
        # the system's own sources (read at run time, as fetch.sh does), binary only
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] || continue
            sed 's/^[Tt]ypes:.*/Types: deb/' "$f" >"$A/sources.list.d/${f##*/}"
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] || continue
            awk '$1 == "deb"' "$f" >"$A/sources.list.d/${f##*/}"
        done
        AO="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$A/sources.list.d
 -o Dir::State::Lists=$A/lists -o Dir::Cache=$A/cache
 -o APT::Architecture=$TC_MUSL -o APT::Architectures::=$TC_MUSL"
        say "downloading musl-dev:$TC_MUSL=$ver (private apt lists in $A)"
        # shellcheck disable=SC2086
        apt-get $AO update >"$A/update.log" 2>&1 || true
        # shellcheck disable=SC2086
        (cd "$S" && apt-get $AO download "musl-dev:$TC_MUSL=$ver") >"$A/download.log" 2>&1 ||
            die "musl-dev:$TC_MUSL=$ver download failed (logs: $A/update.log, $A/download.log)"
        [ -f "$deb" ] || die "$deb was not downloaded (log: $A/download.log)"
        got=$(sha256sum <"$deb" | cut -d' ' -f1)
        [ "$got" = "$sum" ] ||
            die "SHA-256 mismatch for $deb (got $got): delete it and re-run, or fix toolchains/musl.sha256"
    fi
    musl_key=$( { echo "$sum $P"; body musl_unpack; } | hash)
    if [ "$(cat "$P/.musl-stamp" 2>/dev/null)" != "$musl_key" ]; then
        rm -f "$P/.musl-stamp"
        musl_unpack || die "could not unpack $deb into $P/musl"
        echo "$musl_key" >"$P/.musl-stamp"
        say "musl $ver ($TC_MUSL, $name) in $P/musl"
    fi
fi

# Everything below also depends on these: target variables, compiler, sources (and
# the target's musl, if it brings its own).
base=$(printf '%s\n' "$vals" "$($TC_CC --version 2>&1 | head -n 1)" "$(cat "$S/.fetch-stamp")" ${musl_key:+"$musl_key"} | hash)

# --- BearSSL -----------------------------------------------------------------------
# Its own Makefile, driven out of tree (BUILD=) so targets never share objects;
# only the static library (no .so, tools or tests).
bearssl_make() {
    make -C "$S/bearssl" -j"$J" BUILD="$W/bearssl" CC="$TC_CC" AR="$TC_AR" \
        CFLAGS="$TC_CFLAGS" lib
}
key=$( { echo "$base"; body bearssl_make; } | hash)
if [ "$(cat "$P/.bearssl-stamp" 2>/dev/null)" != "$key" ]; then
    say "building BearSSL with $TC_CC $TC_CFLAGS"
    t0=$(date +%s)
    rm -rf "$W/bearssl" "$P/.bearssl-stamp" "$P/.curl-stamp"
    bearssl_make >"$W/bearssl.log" 2>&1 || die "BearSSL build failed (log: $W/bearssl.log)"
    cp "$W/bearssl/libbearssl.a" "$P/lib/"
    cp "$S/bearssl/inc/"*.h "$P/include/"
    echo "$key" >"$P/.bearssl-stamp"
    say "BearSSL done in $(( $(date +%s) - t0 )) s: libbearssl.a $(kb "$P/lib/libbearssl.a")"
fi
bearssl_key=$key

# --- libcurl -----------------------------------------------------------------------
# Options from toolchains/curl.configure (comments dropped) plus the per-target part.
opts=$(sed 's/#.*//' "$TC/curl.configure" | tr -s ' \t\n' ' ')
host_opt=${TC_HOST:+--host=$TC_HOST}
curl_configure() {
    # shellcheck disable=SC2086
    CC="$TC_CC" AR="$TC_AR" CFLAGS="$TC_CFLAGS" LDFLAGS="$TC_LDFLAGS" \
        "$S/curl/configure" $host_opt --with-bearssl="$P" $opts
}
key=$( { echo "$bearssl_key"; echo "$host_opt $opts"; body curl_configure; } | hash)
if [ "$(cat "$P/.curl-stamp" 2>/dev/null)" != "$key" ]; then
    say "configuring libcurl ($host_opt${host_opt:+ }LDFLAGS=$TC_LDFLAGS)"
    t0=$(date +%s)
    rm -rf "$W/curl" "$P/include/curl" "$P/.curl-stamp" "$P/.check-stamp"
    mkdir -p "$W/curl"
    (cd "$W/curl" && curl_configure) >"$W/curl-configure.log" 2>&1 ||
        die "curl configure failed (log: $W/curl-configure.log, details: $W/curl/config.log)"
    # configure only warns about an option it does not know: make that fatal
    if grep -q 'unrecognized options' "$W/curl-configure.log"; then
        die "curl $(grep -m 1 'unrecognized options' "$W/curl-configure.log" | sed 's/.*WARNING: //') (fix toolchains/curl.configure)"
    fi
    {
        echo "# $S/curl/configure $host_opt --with-bearssl=$P $opts"
        echo "# CC='$TC_CC' AR='$TC_AR' CFLAGS='$TC_CFLAGS' LDFLAGS='$TC_LDFLAGS'"
        sed -n '/Configured to build curl/,$p' "$W/curl-configure.log"
    } >"$P/curl-config.log"
    grep -q 'SSL:.*enabled (BearSSL)' "$P/curl-config.log" ||
        die "configure did not select BearSSL (see $P/curl-config.log)"
    grep -Eq 'Protocols: +HTTP HTTPS *$' "$P/curl-config.log" ||
        die "configure enabled other protocols than HTTP HTTPS (see $P/curl-config.log)"
    t1=$(date +%s)
    say "building libcurl (configure took $(( t1 - t0 )) s)"
    make -C "$W/curl/lib" -j"$J" >"$W/curl-build.log" 2>&1 ||
        die "libcurl build failed (log: $W/curl-build.log)"
    cp "$W/curl/lib/.libs/libcurl.a" "$P/lib/"
    mkdir -p "$P/include/curl"
    cp "$S/curl/include/curl/"*.h "$P/include/curl/"
    echo "$key" >"$P/.curl-stamp"
    say "libcurl done in $(( $(date +%s) - t0 )) s (make $(( $(date +%s) - t1 )) s): libcurl.a $(kb "$P/lib/libcurl.a")"
fi
curl_key=$key

# --- check -------------------------------------------------------------------------
# Link a tiny client exactly as the program will be linked and ask libcurl what it is.
check_link() {
    # shellcheck disable=SC2086
    $TC_CC $TC_CFLAGS -I"$P/include" -o "$W/check-curl" "$TC/check-curl.c" \
        $TC_LDFLAGS -Wl,--gc-sections -L"$P/lib" -lcurl -lbearssl
}
# no PT_INTERP program header = no dynamic loader needed
has_interp() { readelf -lW "$1" 2>/dev/null | grep -q 'INTERP'; }

key=$( { echo "$curl_key"; cat "$TC/check-curl.c"; body check_link; } | hash)
if [ "$(cat "$P/.check-stamp" 2>/dev/null)" != "$key" ]; then
    check_link >"$W/check.log" 2>&1 || die "check-curl does not link (log: $W/check.log)"
    case " $TC_LDFLAGS " in *" -static "*)
        has_interp "$W/check-curl" && die "TC_LDFLAGS has -static but check-curl wants a dynamic loader";;
    esac
    if [ "$TC_STATIC_PIE" = yes ]; then
        # musl-gcc can silently turn -static-pie into a dynamic PIE: verify the claim
        echo 'int main(void) { return 0; }' >"$W/pie.c"
        # shellcheck disable=SC2086
        if ! $TC_CC $TC_CFLAGS -fPIE -static-pie -o "$W/pie" "$W/pie.c" >>"$W/check.log" 2>&1 ||
           has_interp "$W/pie" || ! $TC_RUN "$W/pie"; then
            die "TC_STATIC_PIE=yes but -static-pie gives no working static PIE; set it to no"
        fi
    fi
    $TC_STRIP -o "$W/check-curl.stripped" "$W/check-curl"
    $TC_RUN "$W/check-curl" >"$P/check-curl.txt" 2>&1 ||
        die "check-curl failed to run: $(head -n 1 "$P/check-curl.txt")"
    grep -qx 'protocols: http https' "$P/check-curl.txt" ||
        die "libcurl protocols are not exactly 'http https': $(grep protocols "$P/check-curl.txt")"
    grep -q '^ssl: BearSSL' "$P/check-curl.txt" ||
        die "libcurl's TLS backend is not BearSSL: $(grep ssl "$P/check-curl.txt")"
    grep -q '^features:.* AsynchDNS' "$P/check-curl.txt" ||
        die "libcurl lacks the threaded resolver (AsynchDNS)"
    sed 's/^/  /' "$P/check-curl.txt"
    say "check-curl: $(kb "$W/check-curl.stripped") stripped: $(file -b "$W/check-curl.stripped")"
    echo "$key" >"$P/.check-stamp"
fi
say "deps ready in $P"
