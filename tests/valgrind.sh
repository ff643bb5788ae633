#!/bin/sh
# tests/valgrind.sh BIN: a few end-to-end runs of BIN (a glibc build, see
# `make valgrind`) under valgrind memcheck.  Any memory error or definite or
# indirect leak makes valgrind exit 99 and print on stderr, which fails the
# test that ran it.  Ends with "valgrind: N passed, M failed".
set -u
BIN=${1:?usage: sh tests/valgrind.sh BIN}
cd "$(dirname "$0")/.." || exit 1
command -v valgrind >/dev/null 2>&1 || {
    echo "valgrind: not installed (apt-get install valgrind)"
    echo "valgrind: 0 passed, 1 failed"
    exit 1
}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# the e2e harness runs --bin with a clean environment: bake the command in
cat >"$W/bedrock-claude" <<EOS
#!/bin/sh
exec valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
    "$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")" "\$@"
EOS
chmod +x "$W/bedrock-claude"
p=0 f=0
# suite FILE PATTERN...: each pattern one -k run of that e2e suite
for spec in \
    "e2e.py happy_path" "e2e.py stream_cut_after_3" "e2e.py aws_error_capital" \
    "e2e.py unicode_output_from" "e2e.py creds_session_ok" "e2e.py stdin_and_argument" \
    "e2e_faults.py cut_stream_continues" "e2e_faults.py unavailable_503" \
    "e2e_faults.py continuation_refused" "e2e_product.py session_continue_and_resume" \
    "e2e_product.py output_stream_json" "e2e_product.py chat_basic"; do
    set -- $spec
    out=$(python3 "tests/$1" --bin "$W/bedrock-claude" -k "$2" 2>&1)
    if echo "$out" | grep -q "^[a-z0-9-]*: [1-9][0-9]* passed, 0 failed$"; then
        p=$((p + 1))
    else
        f=$((f + 1))
        echo "valgrind: FAIL $1 -k $2"
        echo "$out" | tail -n 20
    fi
done
echo "valgrind: $p passed, $f failed"
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
