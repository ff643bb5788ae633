#!/bin/sh
# bench.sh OBJDIR -- the budget table of `make bench`.
#
#   size      stripped ./bedrock-claude: <= 768 KiB (hard), 512 KiB (aim)
#   run       ./bedrock-claude -p hello against the simulator
#             (tests/sim/bedrock_sim.py), 5 runs: median wall time and
#             median peak RSS, <= 3 MiB
#   decode    OBJDIR/bench: event stream + base64 + JSON -> text,
#             >= 500 MB/s of stream bytes; also SigV4 signs/s and CRC32
#
# Wall time and peak RSS come from `OBJDIR/bench exec` (fork + wait4 from a
# small static process).  ru_maxrss survives execve(), so a child forked
# from python reports python's ~14 MiB, not the program's; GNU time(1)
# would do, but is not on a fresh Debian.  python3 (os.wait4) is only the
# fallback when OBJDIR/bench is missing, and says so.
#
# Budgets are reported, never failed: a miss prints a "MISS:" line and the
# exit status stays 0.
set -u

# --- internal: --measure OBJDIR BIN RUNS TMP ---------------------------------
# Run BIN -p hello RUNS times (the environment is the caller's); print the
# median wall ms, the median peak RSS KiB, the failed runs, the tool.
if [ "${1:-}" = --measure ]; then
	obj=$2 bin=$3 runs=$4 tmp=$5
	if [ -x "$obj/bench" ]; then
		: >"$tmp/m"
		i=0
		while [ $i -lt "$runs" ]; do
			"$obj/bench" exec "$bin" -p hello </dev/null \
				>"$tmp/out" 2>"$tmp/err"
			# last stderr line: bench: exec WALL_MS RSS_KIB STATUS
			set -- $(tail -n 1 "$tmp/err")
			bad=1
			hello="Hello from the Bedrock simulator"
			if [ "${5:-1}" = 0 ] && grep -q "$hello" "$tmp/out"
			then
				bad=0
			fi
			echo "${3:-0} ${4:-0} $bad" >>"$tmp/m"
			i=$((i + 1))
		done
		mid=$(( (runs + 1) / 2 ))
		wall=$(cut -d' ' -f1 "$tmp/m" | sort -n | sed -n "${mid}p")
		rss=$(cut -d' ' -f2 "$tmp/m" | sort -n | sed -n "${mid}p")
		bad=$(awk '{ s += $3 } END { print s + 0 }' "$tmp/m")
		echo "$wall $rss $bad bench-exec"
		exit 0
	fi
	exec python3 - "$bin" "$runs" <<'PY'
import os, subprocess, sys, time
binary, runs = sys.argv[1], int(sys.argv[2])
walls, rss, bad = [], [], 0
for _ in range(runs):
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "-p", "hello"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)    # this child's rusage
    walls.append((time.monotonic() - t0) * 1000.0)
    p.returncode = 0
    p.stdout.close()
    rss.append(ru.ru_maxrss)              # KiB; includes python's memory
    if status != 0 or b"Hello from the Bedrock simulator" not in out:
        bad += 1
walls.sort(); rss.sort()
print("%.1f %d %d python-wait4(inflated)" %
      (walls[runs // 2], rss[runs // 2], bad))
PY
fi

obj=${1:?usage: bench.sh OBJDIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=$root/bedrock-claude
runs=5
misses=
nmiss=0
npass=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bk-bench.XXXXXX") || exit 1
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

# row FIGURE VALUE BUDGET VERDICT
row() { printf '%-36s %-24s %-14s %s\n' "$1" "$2" "$3" "$4"; }
# verdict OK(1|0) TEXT: sets v to PASS or MISS, and records a miss
verdict() {
	if [ "$1" = 1 ]; then
		npass=$((npass + 1))
		v=PASS
	else
		nmiss=$((nmiss + 1))
		misses="$misses
MISS: $2"
		v=MISS
	fi
}
# decimal comparisons: print 1 or 0
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? 1 : 0 }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 >= b + 0) ? 1 : 0 }'; }

echo "bench: $(date -u +%Y-%m-%dT%H:%MZ), $(uname -m)," \
	"$(nproc 2>/dev/null || echo ?) CPUs," \
	"load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
row FIGURE VALUE BUDGET VERDICT
row ------ ----- ------ -------

# --- size --------------------------------------------------------------------
if [ -f "$bin" ]; then
	size=$(wc -c < "$bin" | tr -d ' ')
	kib=$(( (size + 1023) / 1024 ))
	verdict "$(le "$size" 786432)" \
		"stripped size $kib KiB > 768 KiB (hard limit)"
	row "size, stripped (hard limit)" "$size B ($kib KiB)" "<= 768 KiB" \
		"$v"
	verdict "$(le "$size" 524288)" "stripped size $kib KiB > 512 KiB (aim)"
	row "size, stripped (aim)" "$kib KiB" "<= 512 KiB" "$v"
else
	row "size, stripped" "no ./bedrock-claude" "<= 768 KiB" "SKIP"
fi

# --- one call against the simulator ------------------------------------------
run_line=
if ! command -v python3 >/dev/null 2>&1; then
	row "run -p hello" "no python3 (simulator)" "<= 3 MiB" "SKIP"
elif [ ! -x "$bin" ]; then
	row "run -p hello" "no ./bedrock-claude" "<= 3 MiB" "SKIP"
else
	python3 "$root/tests/sim/bedrock_sim.py" --dir "$tmp/sim" --port 0 \
		>"$tmp/ready" 2>"$tmp/sim.log" &
	simpid=$!
	i=0
	while [ $i -lt 600 ] && ! grep -q '^READY' "$tmp/ready" 2>/dev/null
	do
		kill -0 "$simpid" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	port=$(sed -n 's/^READY port=\([0-9]*\).*/\1/p' "$tmp/ready")
	ca=$(sed -n 's/^READY .*ca=\(.*\)$/\1/p' "$tmp/ready")
	if [ -z "$port" ]; then
		row "run -p hello" "simulator did not start" "<= 3 MiB" "SKIP"
	else
		mkdir -p "$tmp/home"
		url="https://localhost:$port"
		run_line=$(env -i PATH="$PATH" HOME="$tmp/home" \
			AWS_ENDPOINT_URL_BEDROCK_RUNTIME="$url" \
			AWS_CA_BUNDLE="$ca" AWS_REGION=us-east-1 \
			AWS_ACCESS_KEY_ID=AKIDSIMULATOR \
			AWS_SECRET_ACCESS_KEY=simulator/secret/key+EXAMPLE \
			sh "$here/bench.sh" --measure "$obj" "$bin" "$runs" \
			"$tmp")
	fi
fi
if [ -n "$run_line" ]; then
	set -- $run_line
	wall=$1 rss=$2 bad=$3 tool=$4
	rss_mib=$(awk -v k="$rss" 'BEGIN { printf "%.2f", k / 1024 }')
	row "run -p hello, wall (median of $runs)" "$wall ms" "-" "-"
	verdict "$(le "$rss" 3072)" "peak RSS $rss_mib MiB > 3 MiB ($tool)"
	row "run -p hello, peak RSS (median)" "$rss KiB ($rss_mib MiB)" \
		"<= 3 MiB" "$v"
	[ "$tool" = bench-exec ] || row "  (RSS measured by $tool)" "" "" ""
	if [ "$bad" != 0 ]; then
		verdict 0 "$bad of $runs runs of -p hello failed"
		row "run -p hello, failed runs" "$bad of $runs" "0" "$v"
	fi
fi

# --- throughput --------------------------------------------------------------
if [ -x "$obj/bench" ]; then
	"$obj/bench" >"$tmp/bench.out" 2>&1
	rc=$?
	get() {
		awk -v k="$1" '$1 == "bench:" && $2 == k { print $3 }' \
			"$tmp/bench.out"
	}
	if [ $rc -ne 0 ]; then
		verdict 0 "bench failed: $(tail -n 1 "$tmp/bench.out")"
		row "decode" "bench failed (exit $rc)" ">= 500 MB/s" "$v"
	else
		d=$(get decode_MBps)
		verdict "$(ge "$d" 500)" "decode $d MB/s < 500 MB/s"
		row "decode, 16 KiB pushes" "$d MB/s" ">= 500 MB/s" "$v"
		row "  text out, same run" "$(get decode_text_MBps) MB/s" \
			"-" "-"
		row "  one push (in place)" "$(get decode_whole_MBps) MB/s" \
			"-" "-"
		row "  messages" "$(get msgs_per_s) /s" "-" "-"
		row "SigV4 sign, cached key" "$(get sigv4_per_s) /s" "-" "-"
		row "SigV4 sign, key derived" "$(get sigv4_nocache_per_s) /s" \
			"-" "-"
		row "CRC32" "$(get crc32_MBps) MB/s" "-" "-"
		sed -n 's/^bench: stream /stream: /p' "$tmp/bench.out"
	fi
else
	row "decode" "no $obj/bench" ">= 500 MB/s" "SKIP"
fi

[ -n "$misses" ] && printf '%s\n' "$misses"
echo "bench: $npass budgets met, $nmiss missed"
exit 0
