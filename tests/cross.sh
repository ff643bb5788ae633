#!/bin/sh
# tests/cross.sh TARGET OBJDIR BIN [RUNNER...]: the tests of one cross target
# (make TARGET=aarch64 test-cross).
#
#   1. the C suites of tests/run.sh (unit, vectors, endpoints, creds_vectors,
#      catalog, settings, session, fuzz replay) from OBJDIR, each under RUNNER
#      (qemu-aarch64-static / qemu-arm-static: binfmt is not registered);
#   2. "binary": BIN is a static ELF (no program interpreter);
#   3. "e2e-hello": BIN -p hello, under RUNNER, against the bundled simulator
#      (tests/sim/bedrock_sim.py) over TLS, as tests/bench.sh runs it;
#   4. "empty-root": the same from a root holding only BIN, the CA and RUNNER
#      (no /etc, /dev, /tmp or HOME), as tests/e2e_env.py does for x86_64.
#
# Every suite line is printed prefixed with TARGET ("aarch64 unit: N passed,
# M failed"); the last line is this run's "N passed, M failed", so .ci/run can
# add it to make test's.  With no RUNNER the programs run natively.
set -u
T=${1:?usage: sh tests/cross.sh TARGET OBJDIR BIN [RUNNER...]}
OBJ=${2:?usage: sh tests/cross.sh TARGET OBJDIR BIN [RUNNER...]}
BIN=${3:?usage: sh tests/cross.sh TARGET OBJDIR BIN [RUNNER...]}
shift 3
RUN="$*"
cd "$(dirname "$0")/.." || exit 1

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bk-cross.XXXXXX") || exit 1
simpid=
cleanup() {
    if [ -n "$simpid" ]; then
        kill "$simpid" 2>/dev/null
        wait "$simpid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pass=0
fail=0
# result SUITE OK(1|0) [WHY]: one suite line of one check
result() {
    if [ "$2" = 1 ]; then
        pass=$((pass + 1)); echo "$T $1: 1 passed, 0 failed"
    else
        fail=$((fail + 1)); echo "$T $1: FAIL: $3"; echo "$T $1: 0 passed, 1 failed"
    fi
}

# --- 1. C suites --------------------------------------------------------------
if [ -n "$RUN" ] && ! command -v "${RUN%% *}" >/dev/null 2>&1; then
    echo "$T: $RUN not found (apt-get install qemu-user-static)"
fi
BK_RUN=$RUN sh tests/run.sh "$OBJ" --unit-only >"$tmp/run.out" 2>&1
sed '$d' "$tmp/run.out" | sed "s/^/$T /"
last=$(tail -n 1 "$tmp/run.out")
case $last in
*" passed, "*" failed")
    # shellcheck disable=SC2086
    set -- $last
    pass=$((pass + $1)); fail=$((fail + $3)) ;;
*)
    echo "$T $last"
    result run.sh 0 "tests/run.sh printed no total" ;;
esac

# --- 2. the binary --------------------------------------------------------------
desc=$(file -b "$BIN" 2>&1)
case $desc in
*"statically linked"*) result binary 1 ;;
*) result binary 0 "$BIN: $desc" ;;
esac
echo "$T binary: $BIN, $(wc -c <"$BIN" | tr -d ' ') bytes: $desc"

# --- 3. one call against the simulator ------------------------------------------
python3 tests/sim/bedrock_sim.py --dir "$tmp/sim" --port 0 \
    >"$tmp/ready" 2>"$tmp/sim.log" &
simpid=$!
i=0
while [ $i -lt 600 ] && ! grep -q '^READY' "$tmp/ready" 2>/dev/null; do
    kill -0 "$simpid" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
port=$(sed -n 's/^READY port=\([0-9]*\).*/\1/p' "$tmp/ready")
ca=$(sed -n 's/^READY .*ca=\([^ ]*\).*$/\1/p' "$tmp/ready")
if [ -z "$port" ]; then
    result e2e-hello 0 "the simulator did not start: $(tail -n 1 "$tmp/sim.log")"
else
    mkdir -p "$tmp/home"
    # shellcheck disable=SC2086
    env -i PATH="$PATH" HOME="$tmp/home" \
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME="https://localhost:$port" \
        AWS_CA_BUNDLE="$ca" AWS_REGION=us-east-1 \
        AWS_ACCESS_KEY_ID=AKIDSIMULATOR \
        AWS_SECRET_ACCESS_KEY=simulator/secret/key+EXAMPLE \
        timeout 120 $RUN "$BIN" -p hello </dev/null >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 0 ] && grep -q 'Hello from the Bedrock simulator' "$tmp/out"; then
        result e2e-hello 1
    else
        result e2e-hello 0 "exit $rc: $(head -c 300 "$tmp/out") $(tail -n 3 "$tmp/err")"
    fi
fi

# --- 4. the same call from an empty root -------------------------------------------
# Only BIN, the CA file and the emulator (qemu-user-static is static) in a new
# root: no /etc, no /dev (so no /dev/urandom: BearSSL must be seeded through
# getentropy, toolchains/patches/bearssl-sysrng-getentropy.patch), no /tmp, no
# HOME.  chroot as root, else in a user namespace (unshare -r).  The network
# namespace is shared: the simulator is still https://localhost:PORT.
if [ -n "$port" ]; then
    r=$tmp/root
    mkdir -p "$r"
    cp "$BIN" "$r/bedrock-claude" && cp "$ca" "$r/ca.pem"
    inner=/bedrock-claude
    why=
    if [ -n "$RUN" ]; then
        q=$(command -v "${RUN%% *}") || why="${RUN%% *} not found"
        [ -n "$why" ] || cp "$q" "$r/${q##*/}"
        inner="/${q##*/} /bedrock-claude"
    fi
    ch=$(command -v chroot || echo /usr/sbin/chroot)
    [ "$(id -u)" -eq 0 ] || ch="$(command -v unshare) --user --map-root-user $ch"
    if [ -z "$why" ]; then
        # shellcheck disable=SC2086
        env -i AWS_ENDPOINT_URL_BEDROCK_RUNTIME="https://localhost:$port" \
            AWS_CA_BUNDLE=/ca.pem AWS_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 \
            AWS_ACCESS_KEY_ID=AKIDSIMULATOR \
            AWS_SECRET_ACCESS_KEY=simulator/secret/key+EXAMPLE \
            "$(command -v timeout)" 120 $ch "$r" $inner -p hello \
            </dev/null >"$tmp/rout" 2>"$tmp/rerr"
        rc=$?
        if [ $rc -eq 0 ] && grep -q 'Hello from the Bedrock simulator' "$tmp/rout" &&
           grep -q '^bedrock-claude: note: no state directory' "$tmp/rerr"; then
            result empty-root 1
        else
            why="exit $rc: $(head -c 300 "$tmp/rout") $(tail -n 3 "$tmp/rerr")"
        fi
    fi
    [ -z "$why" ] || result empty-root 0 "$why"
else
    result empty-root 0 "the simulator did not start"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
