/*
 * bench.c -- throughput of the hot paths of the core, static like the
 * product (`make bench` builds it with -O2 and tests/bench.sh runs it).
 *
 *   bench [MIB [decode]]   stream size in MiB (default 64); "decode"
 *                          runs only the decode loop (for perf record)
 *   bench exec PROG ARGS   run PROG once; then print to stderr
 *                          "bench: exec WALL_MS MAXRSS_KIB STATUS CPU_MS"
 *                          (CPU_MS: the child's user + system time)
 *   bench pipe FILE PROG ARGS   the same, with PROG's stdout read through
 *                          a pipe: copied to stdout, and every read
 *                          logged to FILE as "MONOTONIC_S TOTAL_BYTES"
 *                          (stream pass-through, see bench.sh)
 *   bench sign N [nocache] [hello]   sign the SigV4 request below N times
 *                          (hello: with the 107-byte body of -p hello)
 *                          (bench.sh counts its instructions with
 *                          callgrind: N=1001 minus N=1)
 *
 * `exec` is how bench.sh measures the program's peak RSS: ru_maxrss
 * survives execve(), so a child forked from a big launcher (python: about
 * 14 MiB) reports the launcher's resident anonymous memory, not the
 * program's.  Forked from this small static process, the figure is the
 * program's own.
 *
 * 1. Decode: a realistic InvokeModelWithResponseStream body is built in
 *    memory: message_start, then `chunk` events of content_block_delta
 *    text_delta with 20..200 bytes of text each (mostly ASCII words, some
 *    UTF-8 and JSON escapes), each wrapped as Bedrock does it
 *    ({"bytes":"<base64>","p":"<padding>"}, three string headers), up to
 *    MIB MiB; then message_stop.  It is decoded with bk_evs_push() +
 *    bk_stream_message() into a sink that only counts the text, the way
 *    src/client.c drives them: in 16 KiB pushes (curl's largest write
 *    callback, so messages straddle pushes and take the copy path), and
 *    once more in a single push (every message decoded in place).  Best
 *    of 5, in MB/s (10^6 bytes) of stream bytes and of text bytes.
 * 2. SigV4: signing a typical streaming request (3 headers, a 1.5 KB
 *    body), with the derived key cached (as a chat does) and without.
 * 3. CRC32 over the stream.
 *
 * Output: one line per figure, "bench: NAME VALUE UNIT (note)", which
 * bench.sh reads by NAME.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bedrock.h"

#define PUSH 16384u
#define RUNS 5

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ull) >> 33) % n;
}

static void
die(const char *what, enum bk_err e)
{
	fprintf(stderr, "bench: %s: %s\n", what, bk_errname(e));
	exit(1);
}

/* ---- building the stream -------------------------------------------- */

struct gen {
	uint8_t *p;
	size_t len, cap;
	uint64_t text;          /* text bytes as decoded */
	uint64_t messages;
};

/* Append one chunk event whose inner JSON is `inner`. */
static void
put_chunk(struct gen *g, const char *inner, size_t n)
{
	static char payload[8192];
	static const char pad[] =
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	struct bk_evs_header h[3];
	struct bk_buf b;
	size_t bl, len;
	char *b64 = payload + 10;
	enum bk_err e;

	memset(h, 0, sizeof(h));
	h[0].name = ":event-type"; h[0].name_len = 11;
	h[0].type = BK_EVS_STRING;
	h[0].v = (const uint8_t *)"chunk"; h[0].v_len = 5;
	h[1].name = ":content-type"; h[1].name_len = 13;
	h[1].type = BK_EVS_STRING;
	h[1].v = (const uint8_t *)"application/json"; h[1].v_len = 16;
	h[2].name = ":message-type"; h[2].name_len = 13;
	h[2].type = BK_EVS_STRING;
	h[2].v = (const uint8_t *)"event"; h[2].v_len = 5;

	memcpy(payload, "{\"bytes\":\"", 10);
	e = bk_base64_encode((const uint8_t *)inner, n, b64,
	    sizeof(payload) - 100, &bl);
	if (e != BK_OK)
		die("base64", e);
	bk_buf_init(&b, b64 + bl, sizeof(payload) - 10 - bl);
	bk_buf_puts(&b, "\",\"p\":\"");
	bk_buf_put(&b, pad, 1 + rnd(sizeof(pad) - 5));
	bk_buf_puts(&b, "\"}");
	if (bk_buf_err(&b) != BK_OK)
		die("payload", BK_E_BUFSZ);
	e = bk_evs_encode(h, 3, (const uint8_t *)payload, 10 + bl + b.len,
	    g->p + g->len, g->cap - g->len, &len);
	if (e != BK_OK)
		die("encode", e);
	g->len += len;
	g->messages++;
}

static void
gen_stream(struct gen *g, size_t target)
{
	static const char *words[] = { "the", "model", "streams", "text",
	    "in", "small", "deltas", "of", "a", "few", "tokens", "each,",
	    "Bedrock", "wraps", "every", "event", "base64", "JSON", "and",
	    "caf\xc3\xa9", "na\xc3\xafve", "\xe6\x97\xa5\xe6\x9c\xac",
	    "\xf0\x9f\x8e\x89", "line\\n", "\\\"quoted\\\"", "x = 1;" };
	size_t wlen[sizeof(words) / sizeof(words[0])];
	size_t dlen[sizeof(words) / sizeof(words[0])];
	char inner[1024], text[512];
	size_t i, j;
	int n;

	/* JSON length, and decoded length (each escape here is 2 -> 1) */
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		wlen[i] = dlen[i] = strlen(words[i]);
		for (j = 0; j < wlen[i]; j++)
			if (words[i][j] == '\\') {
				dlen[i]--;
				j++;
			}
	}

	n = snprintf(inner, sizeof(inner), "%s",
	    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bdrk_01A"
	    "BCDEFGHIJKLMNOPQRSTUV\",\"type\":\"message\",\"role\":\"assistan"
	    "t\",\"model\":\"claude-sonnet-4-6\",\"content\":[],\"stop_reason"
	    "\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\""
	    "cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
	    "\"output_tokens\":1}}}");
	put_chunk(g, inner, (size_t)n);
	n = snprintf(inner, sizeof(inner), "%s",
	    "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
	    "{\"type\":\"text\",\"text\":\"\"}}");
	put_chunk(g, inner, (size_t)n);
	while (g->len + 4096 < target) {
		size_t want = 20 + rnd(181), tl = 0;
		while (tl < want) {
			uint32_t k = rnd(sizeof(words) / sizeof(words[0]));
			if (tl + wlen[k] + 1 > sizeof(text))
				break;
			if (tl > 0)
				text[tl++] = ' ';
			memcpy(text + tl, words[k], wlen[k]);
			tl += wlen[k];
			/* the text as decoded: escapes are shorter */
			g->text += dlen[k] + (tl > wlen[k] ? 1 : 0);
		}
		n = snprintf(inner, sizeof(inner),
		    "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
		    "{\"type\":\"text_delta\",\"text\":\"%.*s\"}}", (int)tl,
		    text);
		put_chunk(g, inner, (size_t)n);
	}
	n = snprintf(inner, sizeof(inner), "%s",
	    "{\"type\":\"content_block_stop\",\"index\":0}");
	put_chunk(g, inner, (size_t)n);
	n = snprintf(inner, sizeof(inner), "%s",
	    "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_tu"
	    "rn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":999"
	    "9}}");
	put_chunk(g, inner, (size_t)n);
	n = snprintf(inner, sizeof(inner), "%s",
	    "{\"type\":\"message_stop\",\"amazon-bedrock-invocationMetrics\":"
	    "{\"inputTokenCount\":12,\"outputTokenCount\":9999,\"invocationL"
	    "atency\":4321,\"firstByteLatency\":321}}");
	put_chunk(g, inner, (size_t)n);
}

/* ---- decoding ---------------------------------------------------------- */

static uint8_t *evs_buf, *scratch;
#define SCRATCH_CAP BK_BASE64_DECODED_MAX(BK_EVS_MSG_MAX)

/* Decode the stream in pushes of `push` bytes; returns seconds. */
static struct bk_stream st;    /* the last decode's, for its counters */

static double
decode(const uint8_t *s, size_t n, size_t push, uint64_t *text,
    uint64_t *check)
{
	static struct bk_evs d;
	size_t off = 0;
	double t0;
	enum bk_err e;

	*text = 0;
	*check = 0;
	t0 = now_s();
	bk_evs_init(&d, evs_buf, BK_EVS_MSG_MAX);
	bk_stream_init(&st, scratch, SCRATCH_CAP);
	while (off < n) {
		size_t len = n - off < push ? n - off : push, k = 0;
		while (k < len) {
			struct bk_stream_event ev;
			size_t used;
			enum bk_evs_status r = bk_evs_push(&d, s + off + k,
			    len - k, &used);
			k += used;
			if (r == BK_EVS_NEED_MORE)
				break;
			if (r == BK_EVS_ERROR)
				die("decode", d.err);
			e = bk_stream_message(&st, &d.msg, &ev);
			if (e != BK_OK)
				die("stream", e);
			if (ev.kind == BK_SEV_TEXT && ev.text_len > 0) {
				/* the sink: count, and read the bytes' ends */
				*text += ev.text_len;
				*check += (unsigned char)ev.text[0] +
				    (unsigned char)ev.text[ev.text_len - 1];
			}
		}
		off += len;
	}
	if ((e = bk_evs_finish(&d)) != BK_OK)
		die("finish", e);
	if ((e = bk_stream_finish(&st)) != BK_OK)
		die("stream finish", e);
	return now_s() - t0;
}

/* ---- SigV4 -------------------------------------------------------------- */

/* A typical streaming request: 3 headers, a 1.5 KB body. */
static struct bk_sigv4 sig;
static struct bk_sigv4_cache sig_cache;
static struct bk_header sh[3];
static struct bk_sigv4_request req;
static struct bk_sigv4_params sp;
static struct bk_creds cr;

/* hello = 1: the body `-p hello` sends (107 bytes) instead of 1.5 KB */
static void
sig_setup(int hello)
{
	static char body[1600];
	const char *path = "/model/us.anthropic.claude-sonnet-4-6/"
	    "invoke-with-response-stream";
	size_t i;

	for (i = 0; i + 1 < sizeof(body); i++)
		body[i] = "abcdefgh ijklmnop"[i % 17];
	memcpy(body, "{\"anthropic_version\":\"bedrock-2023-05-31\","
	    "\"max_tokens\":4096,\"messages\":[{\"role\":\"user\","
	    "\"content\":\"", 94);
	memcpy(body + sizeof(body) - 6, "\"}]}\n", 6);
	if (hello)
		memcpy(body + 94, "hello\"}]}", 10);
	sh[0].name = "host"; sh[0].name_len = 4;
	sh[0].value = "bedrock-runtime.us-east-1.amazonaws.com";
	sh[0].value_len = strlen(sh[0].value);
	sh[1].name = "content-type"; sh[1].name_len = 12;
	sh[1].value = "application/json"; sh[1].value_len = 16;
	sh[2].name = "accept"; sh[2].name_len = 6;
	sh[2].value = "application/vnd.amazon.eventstream";
	sh[2].value_len = 34;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = path;
	req.path_len = strlen(path);
	req.headers = sh;
	req.nheaders = 3;
	req.body = (const uint8_t *)body;
	req.body_len = strlen(body);
	memset(&sp, 0, sizeof(sp));
	sp.region = "us-east-1";
	sp.service = "bedrock";
	sp.now = 1767225600;    /* 2026-01-01 */
	sp.mode = BK_SIGV4_HEADER;
	sp.double_encode = 1;
	cr.akid = "AKIDEXAMPLE";
	cr.secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	cr.token = NULL;
	memset(&sig_cache, 0, sizeof(sig_cache));
}

/* Sign the request n times, with the key cached (as a chat signs) or
 * derived each time. */
static void
sign_n(int cached, unsigned long n)
{
	unsigned long k;
	enum bk_err e;

	for (k = 0; k < n; k++) {
		e = bk_sigv4_sign(&sig, cached ? &sig_cache : NULL, &req, &cr,
		    &sp);
		if (e != BK_OK)
			die("sigv4", e);
	}
}

static double
bench_sigv4(int cached, unsigned *count)
{
	double t0, t;
	unsigned n = 0;

	sig_setup(0);
	t0 = now_s();
	do {
		sign_n(cached, 200);
		n += 200;
		t = now_s() - t0;
	} while (t < 0.25);
	bk_sigv4_wipe(&sig);
	bk_sigv4_cache_wipe(&sig_cache);
	*count = n;
	return t;
}

/*
 * Fork, exec argv[0..], wait: wall time, the child's peak RSS and CPU
 * time.  With `arrivals` (bench pipe), the child's stdout is a pipe read
 * here: each read is copied to our stdout and logged to `arrivals` as
 * "CLOCK_MONOTONIC-seconds total-bytes-so-far", so bench.sh can match
 * the simulator's frame times (tests/sim --timing-log, the same clock).
 */
static int
exec_measure(char **argv, const char *arrivals)
{
	struct rusage ru;
	double t0 = now_s(), t;
	int status = 0, fd[2] = { -1, -1 };
	FILE *log = NULL;
	pid_t pid;

	if (arrivals != NULL) {
		if ((log = fopen(arrivals, "w")) == NULL || pipe(fd) != 0) {
			perror("bench: pipe");
			return 1;
		}
	}
	pid = fork();
	if (pid < 0) {
		perror("bench: fork");
		return 1;
	}
	if (pid == 0) {
		if (fd[1] >= 0) {
			dup2(fd[1], 1);
			close(fd[0]);
			close(fd[1]);
		}
		execvp(argv[0], argv);
		perror("bench: exec");
		_exit(127);
	}
	if (log != NULL) {
		static char buf[65536];
		unsigned long long total = 0;
		ssize_t r;
		close(fd[1]);
		while ((r = read(fd[0], buf, sizeof(buf))) != 0) {
			if (r < 0)
				break;
			/* the time first: the rest is bookkeeping */
			t = now_s();
			total += (unsigned long long)r;
			fprintf(log, "%.9f %llu\n", t, total);
			fwrite(buf, 1, (size_t)r, stdout);
		}
		close(fd[0]);
		fclose(log);
		fflush(stdout);
	}
	memset(&ru, 0, sizeof(ru));
	while (wait4(pid, &status, 0, &ru) < 0) {
		perror("bench: wait4");
		return 1;
	}
	t = now_s() - t0;
	/* ru_maxrss is in KiB on Linux */
	fprintf(stderr, "bench: exec %.2f %ld %d %.3f\n", t * 1000.0,
	    (long)ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status),
	    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 64;
	int only_decode = argc > 2 && strcmp(argv[2], "decode") == 0;
	struct gen g;
	double best_push = 1e9, best_whole = 1e9, best_crc = 1e9, t;
	double best_sig = 0, best_sig_nc = 0;
	uint64_t text = 0, check = 0, text1, check1;
	uint32_t crc = 0, crc1;
	unsigned n;
	int i;

	if (argc > 2 && strcmp(argv[1], "exec") == 0)
		return exec_measure(argv + 2, NULL);
	if (argc > 3 && strcmp(argv[1], "pipe") == 0)
		return exec_measure(argv + 3, argv[2]);
	if (argc > 2 && strcmp(argv[1], "sign") == 0) {
		/* for callgrind: bench.sh subtracts N=1 from N=1001 */
		int i3;
		int cached = 1, hello = 0;
		for (i3 = 3; i3 < argc; i3++) {
			cached &= strcmp(argv[i3], "nocache") != 0;
			hello |= strcmp(argv[i3], "hello") == 0;
		}
		sig_setup(hello);
		sign_n(cached, strtoul(argv[2], NULL, 10));
		bk_sigv4_wipe(&sig);
		bk_sigv4_cache_wipe(&sig_cache);
		return 0;
	}
	if (mib == 0 || mib > 4096) {
		fprintf(stderr, "usage: bench [MIB [decode]] | exec PROG ARGS | "
		    "pipe ARRIVALS PROG ARGS | sign N [nocache] [hello]\n");
		return 2;
	}
	memset(&g, 0, sizeof(g));
	g.cap = mib * 1024u * 1024u + 65536u;
	g.p = malloc(g.cap);
	evs_buf = malloc(BK_EVS_MSG_MAX);
	scratch = malloc(SCRATCH_CAP);
	if (g.p == NULL || evs_buf == NULL || scratch == NULL) {
		fprintf(stderr, "bench: out of memory\n");
		return 1;
	}
	gen_stream(&g, mib * 1024u * 1024u);
	printf("bench: stream %zu bytes, %llu messages, %llu text bytes "
	    "(%.0f B per message)\n", g.len, (unsigned long long)g.messages,
	    (unsigned long long)g.text, (double)g.len / (double)g.messages);

	for (i = 0; i < RUNS; i++) {
		t = decode(g.p, g.len, PUSH, &text1, &check1);
		if (t < best_push)
			best_push = t;
		if (i > 0 && (text1 != text || check1 != check))
			die("decode is not deterministic", BK_E_ARG);
		text = text1;
		check = check1;
	}
	if (text != g.text) {
		fprintf(stderr, "bench: decoded %llu text bytes, generated "
		    "%llu\n", (unsigned long long)text,
		    (unsigned long long)g.text);
		return 1;
	}
	if (only_decode) {
		/* more runs, so the profile is the decoder's, not the
		 * generator's */
		for (i = 0; i < 4 * RUNS; i++) {
			t = decode(g.p, g.len, PUSH, &text1, &check1);
			if (t < best_push)
				best_push = t;
		}
		printf("bench: decode_MBps %.1f MB/s\n",
		    (double)g.len / best_push / 1e6);
		return 0;
	}
	for (i = 0; i < RUNS; i++) {
		t = decode(g.p, g.len, g.len, &text1, &check1);
		if (t < best_whole)
			best_whole = t;
		if (text1 != text || check1 != check)
			die("whole and pushed decoding differ", BK_E_ARG);
	}
	for (i = 0; i < RUNS; i++) {
		double t0 = now_s();
		crc1 = bk_crc32(0, g.p, g.len);
		t = now_s() - t0;
		if (t < best_crc)
			best_crc = t;
		if (i > 0 && crc1 != crc)
			die("crc", BK_E_ARG);
		crc = crc1;
	}
	for (i = 0; i < RUNS; i++) {
		t = bench_sigv4(1, &n);
		if ((double)n / t > best_sig)
			best_sig = (double)n / t;
		t = bench_sigv4(0, &n);
		if ((double)n / t > best_sig_nc)
			best_sig_nc = (double)n / t;
	}

	printf("bench: decode_MBps %.1f MB/s (stream bytes, %u-byte pushes, "
	    "best of %d)\n", (double)g.len / best_push / 1e6, PUSH, RUNS);
	printf("bench: decode_text_MBps %.1f MB/s (text bytes out, same "
	    "run)\n", (double)text / best_push / 1e6);
	printf("bench: decode_whole_MBps %.1f MB/s (stream bytes, one push: "
	    "in place)\n", (double)g.len / best_whole / 1e6);
	printf("bench: msgs_per_s %.0f /s (messages, %u-byte pushes)\n",
	    (double)g.messages / best_push, PUSH);
	printf("bench: sigv4_per_s %.0f /s (cached signing key)\n", best_sig);
	printf("bench: sigv4_nocache_per_s %.0f /s (key derived each time)\n",
	    best_sig_nc);
	printf("bench: fast_paths %llu wrappers and %llu text deltas of %llu "
	    "messages took the fast paths (bk_stream_message)\n",
	    (unsigned long long)st.fast_wrap, (unsigned long long)st.fast_text,
	    (unsigned long long)g.messages);
	printf("bench: crc32_MBps %.1f MB/s (crc %08lx)\n",
	    (double)g.len / best_crc / 1e6, (unsigned long)crc);
	free(g.p);
	free(evs_buf);
	free(scratch);
	return 0;
}
