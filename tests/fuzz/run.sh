#!/bin/sh
# run.sh FUZZDIR [SECONDS] -- run every built libFuzzer target FUZZDIR/fuzz_*
# for SECONDS (default 60) each, one after the other (one core each), against
# its corpus tests/fuzz/corpus/<name>/, then merge the new inputs that add
# coverage back into that corpus.  `make fuzz FUZZ_TIME=600` runs it.
#
#   FUZZ_MINIMIZE=1   afterwards re-minimise each corpus: the named seeds
#                     (from gen_corpus.py), then the inputs that add
#                     coverage edges to them (libFuzzer -merge=1)
#
# Prints one line per target with its executions; a crash, a leak, a
# timeout (-timeout=20 s per input) or an out-of-memory stops that target,
# keeps the input under FUZZDIR/artifacts/<name>/ and makes the exit status
# 1.  Full logs: FUZZDIR/fuzz_<name>.log.  A reproducer worth keeping goes
# to tests/fuzz/crashes/<name>/, which `make test` replays.
set -u

dir=${1:?usage: run.sh FUZZDIR [SECONDS]}
secs=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
maxlen=70000     # above the 64 KiB decoder buffer of the targets
status=0
found=0

kib() {
	find "$1" -type f -exec cat {} + | wc -c |
		awk '{ printf "%d", ($1 + 1023) / 1024 }'
}
count() { find "$1" -type f | wc -l | tr -d ' '; }
stat_of() { sed -n "s/^stat::$1: *//p" "$2" | tail -n 1; }

for bin in "$dir"/fuzz_*; do
	[ -x "$bin" ] && [ -f "$bin" ] || continue
	case $bin in *.log) continue ;; esac
	found=1
	name=$(basename "$bin")
	t=${name#fuzz_}
	corpus=$here/corpus/$t
	art=$dir/artifacts/$t
	log=$dir/$name.log
	mkdir -p "$corpus" "$art"
	work=$(mktemp -d "${TMPDIR:-/tmp}/bk-fuzz-$t.XXXXXX") || exit 1
	set --
	[ -f "$here/$t.dict" ] && set -- "-dict=$here/$t.dict"
	before=$(count "$corpus")

	# new inputs land in $work (the first directory); the corpus is read
	"$bin" -max_total_time="$secs" -max_len=$maxlen -timeout=20 \
		-print_final_stats=1 -artifact_prefix="$art/" "$@" \
		"$work" "$corpus" >"$log" 2>&1
	rc=$?
	# Keep what reaches new code (edges, not hit counts: the committed
	# corpus stays small, the next session regrows the rest in seconds).
	# A merge restarts past crashing inputs; keep those with the others.
	"$bin" -merge=1 -use_counters=0 -max_len=$maxlen \
		-artifact_prefix="$art/" "$corpus" "$work" >>"$log" 2>&1
	if [ "${FUZZ_MINIMIZE:-0}" = 1 ]; then
		# the named seeds (gen_corpus.py) first, then whatever adds
		# edges to them
		min=$(mktemp -d "${TMPDIR:-/tmp}/bk-fuzz-min-$t.XXXXXX")
		for f in "$corpus"/*; do
			[ -f "$f" ] || continue
			expr "${f##*/}" : '[0-9a-f]\{40\}$' >/dev/null ||
				cp "$f" "$min"/
		done
		if "$bin" -merge=1 -use_counters=0 -max_len=$maxlen \
			-artifact_prefix="$art/" "$min" "$corpus" \
			>>"$log" 2>&1; then
			rm -f "$corpus"/*
			cp "$min"/* "$corpus"/ 2>/dev/null
		fi
		rm -rf "$min"
	fi
	rm -rf "$work"

	execs=$(stat_of number_of_executed_units "$log")
	rate=$(stat_of average_exec_per_sec "$log")
	printf '%s: %s execs in %s s (%s/s), corpus %s -> %s files, %s KiB\n' \
		"$name" "${execs:-?}" "$secs" "${rate:-?}" "$before" \
		"$(count "$corpus")" "$(kib "$corpus")"
	if [ $rc -ne 0 ]; then
		status=1
		echo "$name: FAILED (exit $rc), input kept in $art/; log $log"
		grep -m 5 -e 'check failed' -e 'ERROR:' -e 'SUMMARY:' \
			-e 'Test unit written' "$log"
	fi
done
if [ $found = 0 ]; then
	echo "run.sh: no fuzz_* binaries in $dir" >&2
	exit 1
fi
exit $status
