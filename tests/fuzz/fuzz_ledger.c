/*
 * fuzz_ledger.c -- libFuzzer target for the usage ledger (ledger.c): the
 * push parser that sums ledger.jsonl (bk_ledger_sum_init/push/finish,
 * bk_ledger_sum), the line writer (bk_ledger_line), costs
 * (bk_cost_parse, bk_put_cost_json), --since dates and the three report
 * formats.  Pure: no port.
 *
 * Input: one flags byte, then the text.
 *   flags & 3     group by: none, day, month, model
 *   flags & 4     --since 2025-06-01 (else everything)
 *   flags & 8     4 rows only (BK_E_LIMIT is reachable), else 64
 *   flags & 0x80  the text is not a ledger but entries to write: each
 *                 line is a model ID (any bytes), and the line's hash gives
 *                 the region, times, token counts and cost; the lines the
 *                 writer makes are summed and compared with the entries
 *
 * Checks (abort() on a violation):
 *  - the same sums however the text is split (whole, byte by byte for
 *    texts up to 512 bytes, PRNG-sized pieces each in an exactly sized
 *    block), and from bk_ledger_sum();
 *  - the counts add up: every non-blank line is counted, before --since,
 *    corrupt or the torn last one; the first corrupt line's number is a
 *    line of the text; without BK_E_LIMIT the rows add up to the total;
 *    rows are sorted as documented, keys are NUL-terminated and shaped
 *    (YYYY-MM-DD, YYYY-MM, a model cut at a UTF-8 boundary with "...");
 *  - the JSON report and every written line are valid JSON (a strict
 *    grammar, not jsmn), the table and notes NUL-terminated;
 *  - written entries read back: each model's row has its calls, tokens
 *    and cost (serialize then parse), by day too;
 *  - costs: bk_cost_parse(bk_put_cost_json(n)) == n for every n the
 *    ledger may hold; --since dates are in range.
 *
 * Built with clang -fsanitize=fuzzer (make build/fuzz/fuzz_ledger) and,
 * with -DREPLAY, included by replay.c: every helper is static, prefix fl_.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"
#include "fuzz_port.h"
#include "ledger.h"

#define FL_ROWS 64
#define FL_OUT (64u * 1024u)
#define FL_COST_MAX INT64_C(1000000000000000000)

static struct bk_usage_row fl_rows_a[FL_ROWS], fl_rows_b[FL_ROWS];
static struct bk_ledger_sum fl_sum;
static char fl_out[FL_OUT];
static jsmntok_t fl_tok[8192];

static uint64_t
fl_fnv(const void *p, size_t n, uint64_t h)
{
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t
fl_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

struct fl_result {
	enum bk_err err;
	struct bk_ledger_stats st;
	size_t n;
};

/* Sum text in pieces: 0 whole, 1 byte by byte, else PRNG-sized. */
static void
fl_sum_text(const char *text, size_t len, enum bk_ledger_by by, int64_t since,
    struct bk_usage_row *rows, size_t cap, int how, uint64_t seed,
    struct fl_result *r)
{
	size_t pos = 0;
	uint64_t rng = seed | 1;

	bk_ledger_sum_init(&fl_sum, by, since, rows, cap);
	while (pos < len) {
		size_t n = len - pos;
		char *copy;
		if (how == 1)
			n = 1;
		else if (how == 2)
			n = 1 + (size_t)(fl_rand(&rng) % 300);
		if (n > len - pos)
			n = len - pos;
		if (how != 2) {
			bk_ledger_sum_push(&fl_sum, text + pos, n);
			pos += n;
			continue;
		}
		copy = malloc(n);     /* exactly sized: ASan sees overreads */
		FP_ASSERT(copy != NULL);
		memcpy(copy, text + pos, n);
		bk_ledger_sum_push(&fl_sum, copy, n);
		free(copy);
		pos += n;
	}
	r->err = bk_ledger_sum_finish(&fl_sum);
	FP_ASSERT(fl_sum.err == r->err);
	r->st = fl_sum.st;
	r->n = fl_sum.n;
}

static void
fl_same(const struct fl_result *a, const struct bk_usage_row *ra,
    const struct fl_result *b, const struct bk_usage_row *rb)
{
	FP_ASSERT(a->err == b->err && a->n == b->n);
	FP_ASSERT(memcmp(&a->st, &b->st, sizeof(a->st)) == 0);
	FP_ASSERT(a->n == 0 || memcmp(ra, rb, a->n * sizeof(*ra)) == 0);
}

static int
fl_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void
fl_check(const char *text, size_t len, const struct fl_result *r,
    const struct bk_usage_row *rows, size_t cap, enum bk_ledger_by by)
{
	const struct bk_ledger_stats *st = &r->st;
	size_t i, lines = 1;
	struct bk_buf b;
	struct bk_json j;
	uint64_t calls = 0, in = 0, unknown = 0;
	int sat = 0;

	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			lines++;
	FP_ASSERT(r->err == BK_OK || r->err == BK_E_LIMIT);
	FP_ASSERT(r->n <= cap);
	if (r->err == BK_E_LIMIT)
		FP_ASSERT(r->n == cap && by != BK_LEDGER_BY_NONE);
	FP_ASSERT(st->lines == st->counted + st->before_since + st->corrupt +
	    (size_t)st->torn);
	FP_ASSERT(st->lines <= lines);
	FP_ASSERT(st->torn == 0 || st->torn == 1);
	FP_ASSERT((st->corrupt > 0) == (st->first_corrupt > 0));
	FP_ASSERT(st->first_corrupt <= lines);
	FP_ASSERT(st->total.calls == st->counted);
	if (by == BK_LEDGER_BY_NONE)
		FP_ASSERT(r->n == 0);
	for (i = 0; i < r->n; i++) {
		const struct bk_usage_row *w = &rows[i];
		size_t kl;
		FP_ASSERT(fp_terminated(w->key, sizeof(w->key)));
		kl = strlen(w->key);
		if (by == BK_LEDGER_BY_DAY)
			FP_ASSERT(kl == 10 && fl_digits(w->key, 4) &&
			    w->key[4] == '-' && w->key[7] == '-');
		if (by == BK_LEDGER_BY_MONTH)
			FP_ASSERT(kl == 7 && fl_digits(w->key, 4) &&
			    w->key[4] == '-');
		FP_ASSERT(w->calls > 0);
		if (i > 0) {
			const struct bk_usage_row *p = &rows[i - 1];
			if (by == BK_LEDGER_BY_MODEL)
				FP_ASSERT(p->cost_nusd > w->cost_nusd ||
				    (p->cost_nusd == w->cost_nusd &&
				    strcmp(p->key, w->key) < 0));
			else
				FP_ASSERT(strcmp(p->key, w->key) < 0);
		}
		if (w->tokens.input_tokens == UINT64_MAX ||
		    w->cost_nusd == INT64_MAX)
			sat = 1;
		calls += w->calls;
		in += w->tokens.input_tokens;
		unknown += w->unknown_cost;
	}
	if (r->err == BK_OK && by != BK_LEDGER_BY_NONE && !sat &&
	    st->total.tokens.input_tokens != UINT64_MAX) {
		FP_ASSERT(calls == st->total.calls);
		FP_ASSERT(in == st->total.tokens.input_tokens);
		FP_ASSERT(unknown == st->total.unknown_cost);
	}
	/* the three outputs */
	bk_buf_init(&b, fl_out, sizeof(fl_out));
	bk_ledger_format_json(&b, rows, r->n, st);
	FP_ASSERT(bk_buf_err(&b) == BK_OK);
	FP_ASSERT(fp_json_valid(fl_out, b.len));
	FP_ASSERT(bk_json_parse(&j, fl_out, b.len, fl_tok,
	    sizeof(fl_tok) / sizeof(fl_tok[0])) == BK_OK);
	bk_buf_init(&b, fl_out, sizeof(fl_out));
	bk_ledger_format_table(&b, rows, r->n, st);
	FP_ASSERT(bk_buf_err(&b) == BK_OK && fl_out[b.len] == '\0');
	bk_buf_init(&b, fl_out, sizeof(fl_out));
	bk_ledger_format_notes(&b, "/state/ledger.jsonl", st);
	FP_ASSERT(bk_buf_err(&b) == BK_OK && fp_clean(fl_out, 1));
}

/* The model key bk_ledger_sum makes of a model name (see set_key). */
static void
fl_key_of(const char *model, char key[BK_USAGE_KEY_MAX])
{
	static char esc[8192 * 6 + 8];
	struct bk_buf b;
	size_t n, o = 0, i;

	if (model[0] == '\0') {
		memcpy(key, "(unknown)", 10);
		return;
	}
	/* what bk_json_put_str writes, unescaped: invalid UTF-8 as U+FFFD */
	bk_buf_init(&b, esc, sizeof(esc));
	bk_json_put_str(&b, (const uint8_t *)model, strlen(model), NULL);
	FP_ASSERT(bk_buf_err(&b) == BK_OK);
	FP_ASSERT(bk_json_unescape_inplace(esc + 1, b.len - 2, &n) == BK_OK);
	for (i = 0; i < n && esc[1 + i] != '\0'; i++)
		o++;
	if (o >= BK_USAGE_KEY_MAX) {
		o = BK_USAGE_KEY_MAX - 4;
		while (o > 0 && ((unsigned char)esc[1 + o] & 0xC0) == 0x80)
			o--;
		memcpy(key, esc + 1, o);
		memcpy(key + o, "...", 4);
		return;
	}
	memcpy(key, esc + 1, o);
	key[o] = '\0';
}

/* Entries from the text's lines, written, summed, compared. */
static void
fl_entries(const char *text, size_t len)
{
	static char ledger[256 * 1024], models[64][1024];
	static char keys[64][BK_USAGE_KEY_MAX];
	static struct bk_ledger_entry e[64];
	struct bk_ledger_stats st;
	size_t ne = 0, pos = 0, off = 0, i, n;
	enum bk_err r;

	while (pos <= len && ne < 64) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - text) - pos : len - pos, k;
		uint64_t h = fl_fnv(text + pos, l, 14695981039346656037ull);
		struct bk_buf b;
		/* the model: a C string (a NUL ends it) */
		for (k = 0; k < l && k < sizeof(models[0]) - 1 &&
		    text[pos + k] != '\0'; k++)
			models[ne][k] = text[pos + k];
		models[ne][k] = '\0';
		memset(&e[ne], 0, sizeof(e[ne]));
		e[ne].time = (int64_t)(h % INT64_C(253402300800));
		e[ne].model = models[ne];
		e[ne].region = (h & 1) ? "us-east-1" : NULL;
		e[ne].profile = (h & 2) ? "work" : NULL;
		e[ne].request_id = (h & 4) ? models[ne] : NULL;
		e[ne].session = (h & 8) ? "0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70" :
		    NULL;
		e[ne].usage.input_tokens = h >> 40;
		e[ne].usage.output_tokens = (h >> 20) & 0xfffff;
		e[ne].usage.cache_read_input_tokens = h & 0xff;
		e[ne].cost_nusd = (h & 16) ? BK_COST_UNKNOWN :
		    (int64_t)((h >> 3) % (uint64_t)(FL_COST_MAX + 1));
		bk_buf_init(&b, ledger + off, sizeof(ledger) - off);
		r = bk_ledger_line(&b, &e[ne]);
		pos += l + 1;
		/* a line the writer refuses (bk_ledger_append: longer than
		 * BK_LEDGER_LINE_MAX) is not in the ledger */
		if (r != BK_OK || b.len > BK_LEDGER_LINE_MAX)
			continue;
		FP_ASSERT(ledger[off + b.len - 1] == '\n');
		FP_ASSERT(fp_json_valid(ledger + off, b.len - 1));
		off += b.len;
		fl_key_of(models[ne], keys[ne]);
		ne++;
	}
	/* by model: each entry in its row */
	r = bk_ledger_sum(ledger, off, 0, BK_LEDGER_BY_MODEL, fl_rows_a,
	    FL_ROWS, &n, &st);
	FP_ASSERT(r == BK_OK && st.counted == ne && st.corrupt == 0 &&
	    st.torn == 0);
	for (i = 0; i < ne; i++) {
		const char *key = keys[i];
		size_t k, x;
		uint64_t calls = 0, in = 0;
		int64_t cost = 0;
		for (k = 0; k < n && strcmp(fl_rows_a[k].key, key) != 0; k++)
			;
		FP_ASSERT(k < n);
		for (x = 0; x < ne; x++) {
			if (strcmp(keys[x], key) != 0)
				continue;
			calls++;
			in += e[x].usage.input_tokens;
			if (e[x].cost_nusd >= 0)
				cost = e[x].cost_nusd > INT64_MAX - cost ?
				    INT64_MAX : cost + e[x].cost_nusd;
		}
		FP_ASSERT(fl_rows_a[k].calls == calls);
		FP_ASSERT(fl_rows_a[k].tokens.input_tokens == in);
		FP_ASSERT(fl_rows_a[k].cost_nusd == cost);
	}
	/* by day: the days of the entries */
	r = bk_ledger_sum(ledger, off, 0, BK_LEDGER_BY_DAY, fl_rows_b, FL_ROWS,
	    &n, &st);
	FP_ASSERT(r == BK_OK && st.counted == ne);
	for (i = 0; i < ne; i++) {
		char iso[24];
		struct bk_buf b;
		size_t k;
		bk_buf_init(&b, iso, sizeof(iso));
		bk_put_time_iso(&b, e[i].time);
		for (k = 0; k < n && strncmp(fl_rows_b[k].key, iso, 10) != 0;
		    k++)
			;
		FP_ASSERT(k < n && strlen(fl_rows_b[k].key) == 10);
	}
}

/* bk_cost_parse(bk_put_cost_json(n)) == n. */
static void
fl_cost(int64_t nusd)
{
	char s[64];
	struct bk_buf b;
	int64_t back;

	bk_buf_init(&b, s, sizeof(s));
	bk_put_cost_json(&b, nusd);
	FP_ASSERT(bk_buf_err(&b) == BK_OK);
	FP_ASSERT(bk_cost_parse(s, b.len, &back) == BK_OK);
	FP_ASSERT(back == (nusd < 0 ? BK_COST_UNKNOWN : nusd));
	bk_buf_init(&b, s, sizeof(s));
	bk_put_cost_usd(&b, nusd);
	FP_ASSERT(bk_buf_err(&b) == BK_OK && (nusd < 0 || s[0] == '$'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fl_result a, b;
	enum bk_ledger_by by;
	int64_t since = 0, t;
	size_t cap, len, n;
	uint64_t seed;
	char *text;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	len = size - 1;
	text = malloc(len > 0 ? len : 1);
	FP_ASSERT(text != NULL);
	memcpy(text, data + 1, len);
	seed = fl_fnv(data, size, 14695981039346656037ull);
	/* costs: three values the input gives */
	fl_cost((int64_t)(seed % (uint64_t)(FL_COST_MAX + 1)));
	fl_cost((int64_t)((seed >> 7) % 1000000000u));
	fl_cost(-1);
	if (flags & 0x80) {
		fl_entries(text, len);
		free(text);
		return 0;
	}
	by = (enum bk_ledger_by)(flags & 3);
	if (flags & 4)
		FP_ASSERT(bk_ledger_parse_date("2025-06-01", &since) == BK_OK);
	cap = (flags & 8) ? 4 : FL_ROWS;

	fl_sum_text(text, len, by, since, fl_rows_a, cap, 0, 0, &a);
	fl_check(text, len, &a, fl_rows_a, cap, by);
	if (len <= 512) {
		fl_sum_text(text, len, by, since, fl_rows_b, cap, 1, 0, &b);
		fl_same(&a, fl_rows_a, &b, fl_rows_b);
	}
	fl_sum_text(text, len, by, since, fl_rows_b, cap, 2, seed, &b);
	fl_same(&a, fl_rows_a, &b, fl_rows_b);
	{
		struct bk_ledger_stats st;
		enum bk_err e = bk_ledger_sum(text, len, since, by, fl_rows_b,
		    cap, &n, &st);
		FP_ASSERT(e == a.err && n == a.n &&
		    memcmp(&st, &a.st, sizeof(st)) == 0);
		FP_ASSERT(n == 0 || memcmp(fl_rows_a, fl_rows_b,
		    n * sizeof(fl_rows_a[0])) == 0);
	}
	/* --since: the first line as a date */
	{
		char d[48];
		const char *nl = memchr(text, '\n', len);
		size_t l = nl ? (size_t)(nl - text) : len;
		if (l < sizeof(d) && memchr(text, '\0', l) == NULL) {
			memcpy(d, text, l);
			d[l] = '\0';
			if (bk_ledger_parse_date(d, &t) == BK_OK)
				FP_ASSERT(l == 7 || l == 10 || l >= 20);
		}
	}
	free(text);
	return 0;
}
