#!/bin/sh
# tests/run.sh OBJDIR [--unit-only]: run every test suite and add up their
# "NAME: N passed, M failed" lines into the closing "N passed, M failed".
#
# Suites: unit tests, conformance vectors, fuzz corpus replay (all C, from
# OBJDIR), the simulator's self-test and the end-to-end tests of
# ./bedrock-claude against the simulator (python3).  A suite that crashes or
# prints no summary counts as one failure, so a test that cannot run cannot
# pass quietly.
#
# BK_RUN, if set, is the command the suites run under: tests/cross.sh sets it
# to qemu-aarch64-static or qemu-arm-static, with --unit-only.
set -u
OBJ=${1:?usage: sh tests/run.sh OBJDIR [--unit-only]}
MODE=${2:-all}
# the program the end-to-end suites run (make asan: the ASan build)
PROG=${BK_PROG:-./bedrock-claude}
RUN=${BK_RUN:-}
cd "$(dirname "$0")/.." || exit 1

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT INT TERM
total_pass=0
total_fail=0

# suite NAME CMD...: run, echo its output, add its summary lines up
suite() {
    name=$1; shift
    # shellcheck disable=SC2086
    $RUN "$@" >"$LOG" 2>&1
    rc=$?
    cat "$LOG"
    p=0; f=0; n=0
    # shellcheck disable=SC2046
    for pair in $(sed -n 's/.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1:\2/p' "$LOG"); do
        p=$((p + ${pair%%:*}))
        f=$((f + ${pair##*:}))
        n=$((n + 1))
    done
    if [ "$n" -eq 0 ] || { [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; }; then
        echo "$name: exited with status $rc without reporting a failure: counted as 1 failed"
        f=$((f + 1))
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
}

suite unit "$OBJ/unit"
suite vectors "$OBJ/vectors" tests/vectors
suite endpoints "$OBJ/endpoints" tests/vectors
suite creds_vectors "$OBJ/creds_vectors" tests/vectors
suite catalog "$OBJ/catalog_test"
suite settings "$OBJ/settings_test"
suite session "$OBJ/session_test"
suite replay "$OBJ/replay" tests/fuzz/corpus
suite retry "$OBJ/retry_test"
if [ "$MODE" != --unit-only ]; then
    suite sim python3 tests/sim/bedrock_sim.py --selftest
    suite e2e python3 tests/e2e.py --bin "$PROG"
    suite e2e-creds python3 tests/e2e_creds.py --bin "$PROG"
    suite e2e-doctor python3 tests/e2e_doctor.py --bin "$PROG"
    suite e2e-product python3 tests/e2e_product.py --bin "$PROG"
    suite e2e-faults python3 tests/e2e_faults.py --bin "$PROG"
    # the empty-root and strace tests are about the static product
    [ "$MODE" = --asan ] || suite e2e-env python3 tests/e2e_env.py --bin "$PROG"
    suite lineedit python3 tests/lineedit_test.py --demo "$OBJ/lineedit_demo"
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
