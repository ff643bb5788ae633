/*
 * ledger.c -- the per-call usage ledger and its sums (see ledger.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "port_fs.h"
#include "ledger.h"

#define NANO 1000000000
#define CHUNK 65536u

static void msg(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
msg(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || cap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

static int
ledger_path(char *out, size_t cap, const char *state_dir)
{
	size_t n = strlen(state_dir);

	while (n > 0 && state_dir[n - 1] == '/')
		n--;
	return snprintf(out, cap, "%.*s/%s", (int)n, state_dir,
	    BK_LEDGER_FILE) >= (int)cap ? -1 : 0;
}

/* ==================================================================== */
/* Writing                                                              */
/* ==================================================================== */

static void
put_opt(struct bk_buf *b, const char *key, const char *v)
{
	bk_buf_puts(b, ",\"");
	bk_buf_puts(b, key);
	bk_buf_puts(b, "\":");
	if (v == NULL)
		bk_buf_puts(b, "null");
	else
		bk_json_put_str(b, (const uint8_t *)v, strlen(v), NULL);
}

enum bk_err
bk_ledger_line(struct bk_buf *out, const struct bk_ledger_entry *e)
{
	bk_buf_puts(out, "{\"time\":\"");
	bk_put_time_iso(out, e->time);
	bk_buf_putc(out, '"');
	put_opt(out, "model", e->model != NULL ? e->model : "");
	put_opt(out, "region", e->region != NULL ? e->region : "");
	put_opt(out, "profile", e->profile);
	put_opt(out, "request_id", e->request_id);
	bk_buf_puts(out, ",\"input_tokens\":");
	bk_buf_put_u64(out, e->usage.input_tokens);
	bk_buf_puts(out, ",\"output_tokens\":");
	bk_buf_put_u64(out, e->usage.output_tokens);
	bk_buf_puts(out, ",\"cache_creation_input_tokens\":");
	bk_buf_put_u64(out, e->usage.cache_creation_input_tokens);
	bk_buf_puts(out, ",\"cache_read_input_tokens\":");
	bk_buf_put_u64(out, e->usage.cache_read_input_tokens);
	bk_buf_puts(out, ",\"cost_usd\":");
	bk_put_cost_json(out, e->cost_nusd);
	put_opt(out, "session", e->session);
	bk_buf_puts(out, "}\n");
	return bk_buf_err(out);
}

enum bk_err
bk_ledger_append(const char *state_dir, const struct bk_ledger_entry *e,
    char *err, size_t cap)
{
	char line[BK_LEDGER_LINE_MAX + 1], path[BK_SESSION_PATH_MAX];
	struct bk_port_err pe;
	struct bk_buf b;
	enum bk_err r;

	if (ledger_path(path, sizeof(path), state_dir) != 0) {
		msg(err, cap, "state directory path too long");
		return BK_E_LIMIT;
	}
	bk_buf_init(&b, line, sizeof(line));
	if (bk_ledger_line(&b, e) != BK_OK) {
		/* the reader would skip it as corrupt: refuse it here */
		msg(err, cap, "usage not recorded: ledger line longer than %u "
		    "bytes", BK_LEDGER_LINE_MAX);
		return BK_E_LIMIT;
	}
	pe.msg[0] = '\0';
	if ((r = bk_port_mkdir_p(state_dir, 0700, &pe)) != BK_OK ||
	    (r = bk_port_append(path, b.p, b.len, BK_PORT_APPEND_SYNC |
	    BK_PORT_APPEND_LINE, &pe)) != BK_OK) {
		msg(err, cap, "usage not recorded: %s", pe.msg);
		return r;
	}
	return BK_OK;
}

/* ==================================================================== */
/* Summing                                                              */
/* ==================================================================== */

enum bk_err
bk_ledger_by_parse(const char *s, enum bk_ledger_by *by)
{
	if (strcmp(s, "day") == 0)
		*by = BK_LEDGER_BY_DAY;
	else if (strcmp(s, "month") == 0)
		*by = BK_LEDGER_BY_MONTH;
	else if (strcmp(s, "model") == 0)
		*by = BK_LEDGER_BY_MODEL;
	else if (strcmp(s, "none") == 0)
		*by = BK_LEDGER_BY_NONE;
	else
		return BK_E_ARG;
	return BK_OK;
}

enum bk_err
bk_ledger_parse_date(const char *s, int64_t *t)
{
	char iso[32];
	size_t n = strlen(s);

	*t = 0;
	if (n == 7 || n == 10) {
		/* YYYY-MM[-DD]: digits checked by the ISO parser */
		memcpy(iso, s, n);
		if (n == 7)
			memcpy(iso + 7, "-01", 3);
		memcpy(iso + 10, "T00:00:00Z", 11);
		return bk_time_parse_iso8601(iso, 20, t) == BK_OK ? BK_OK :
		    BK_E_ARG;
	}
	return bk_time_parse_iso8601(s, n, t) == BK_OK ? BK_OK : BK_E_ARG;
}

void
bk_ledger_sum_init(struct bk_ledger_sum *s, enum bk_ledger_by by,
    int64_t since, struct bk_usage_row *rows, size_t cap)
{
	memset(s, 0, offsetof(struct bk_ledger_sum, line));
	s->rows = rows;
	s->cap = rows != NULL ? cap : 0;
	s->st.by = by;
	s->st.since = since;
}

static void
add_u64(uint64_t *acc, uint64_t v)
{
	*acc = v > UINT64_MAX - *acc ? UINT64_MAX : *acc + v;
}

static void
row_add(struct bk_usage_row *r, const struct bk_usage *u, int64_t cost)
{
	add_u64(&r->calls, 1);
	add_u64(&r->tokens.input_tokens, u->input_tokens);
	add_u64(&r->tokens.output_tokens, u->output_tokens);
	add_u64(&r->tokens.cache_creation_input_tokens,
	    u->cache_creation_input_tokens);
	add_u64(&r->tokens.cache_read_input_tokens,
	    u->cache_read_input_tokens);
	if (cost < 0)
		add_u64(&r->unknown_cost, 1);
	else
		r->cost_nusd = cost > INT64_MAX - r->cost_nusd ? INT64_MAX :
		    r->cost_nusd + cost;
}

/* Cut a key at a UTF-8 boundary, marking the cut. */
static void
set_key(char *key, const char *s, size_t n)
{
	if (n >= BK_USAGE_KEY_MAX) {
		n = BK_USAGE_KEY_MAX - 4;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
		memcpy(key, s, n);
		memcpy(key + n, "...", 4);
		return;
	}
	memcpy(key, s, n);
	key[n] = '\0';
}

static struct bk_usage_row *
find_row(struct bk_ledger_sum *s, const char *key)
{
	size_t i;

	/* the ledger is in time order: mostly the same key as before */
	if (s->last < s->n && strcmp(s->rows[s->last].key, key) == 0)
		return &s->rows[s->last];
	for (i = 0; i < s->n; i++)
		if (strcmp(s->rows[i].key, key) == 0) {
			s->last = i;
			return &s->rows[i];
		}
	if (s->n == s->cap) {
		s->err = BK_E_LIMIT;
		return NULL;
	}
	memset(&s->rows[s->n], 0, sizeof(s->rows[s->n]));
	memcpy(s->rows[s->n].key, key, strlen(key) + 1);
	s->last = s->n;
	return &s->rows[s->n++];
}

/* A record: 0 counted or filtered, -1 invalid. */
static int
sum_record(struct bk_ledger_sum *s, const char *p, size_t n)
{
	static const char *const keys[] = { "input_tokens", "output_tokens",
		"cache_creation_input_tokens", "cache_read_input_tokens" };
	struct bk_json j;
	struct bk_usage u;
	uint64_t *acc[4];
	int64_t t, cost = BK_COST_UNKNOWN;
	char key[BK_USAGE_KEY_MAX], iso[24];
	struct bk_usage_row *r;
	struct bk_buf kb;
	size_t k;
	int i;

	if (bk_json_parse(&j, p, n, s->tok, BK_LEDGER_TOKENS) != BK_OK ||
	    s->tok[0].type != JSMN_OBJECT)
		return -1;
	i = bk_json_get(&j, 0, "time");
	if (i < 0 || j.t[i].type != JSMN_STRING ||
	    bk_time_parse_iso8601(p + j.t[i].start,
	    (size_t)(j.t[i].end - j.t[i].start), &t) != BK_OK)
		return -1;
	memset(&u, 0, sizeof(u));
	acc[0] = &u.input_tokens;
	acc[1] = &u.output_tokens;
	acc[2] = &u.cache_creation_input_tokens;
	acc[3] = &u.cache_read_input_tokens;
	for (k = 0; k < 4; k++)
		if ((i = bk_json_get(&j, 0, keys[k])) >= 0 &&
		    bk_json_u64(&j, i, acc[k]) != BK_OK)
			return -1;
	i = bk_json_get(&j, 0, "cost_usd");
	if (i >= 0 && (j.t[i].type != JSMN_PRIMITIVE ||
	    bk_cost_parse(p + j.t[i].start,
	    (size_t)(j.t[i].end - j.t[i].start), &cost) != BK_OK))
		return -1;
	key[0] = '\0';
	if (s->st.by == BK_LEDGER_BY_MODEL) {
		char m[BK_LEDGER_LINE_MAX];
		size_t ml = 0;
		i = bk_json_get(&j, 0, "model");
		if (i >= 0 && j.t[i].type == JSMN_STRING) {
			if (bk_json_str(&j, i, m, sizeof(m), &ml) != BK_OK)
				return -1;
		} else if (i >= 0 && !(j.t[i].type == JSMN_PRIMITIVE &&
		    p[j.t[i].start] == 'n')) {
			return -1;
		}
		if (ml == 0)
			set_key(key, "(unknown)", 9);
		else
			set_key(key, m, ml);
	} else if (s->st.by != BK_LEDGER_BY_NONE) {
		/* from the parsed time: an offset or fraction normalises */
		bk_buf_init(&kb, iso, sizeof(iso));
		bk_put_time_iso(&kb, t);
		set_key(key, iso, s->st.by == BK_LEDGER_BY_DAY ? 10 : 7);
	}
	if (s->st.since != 0 && t < s->st.since) {
		s->st.before_since++;
		return 0;
	}
	s->st.counted++;
	row_add(&s->st.total, &u, cost);
	if (s->st.by != BK_LEDGER_BY_NONE && (r = find_row(s, key)) != NULL)
		row_add(r, &u, cost);
	return 0;
}

static void
sum_line(struct bk_ledger_sum *s, const char *p, size_t n, int terminated)
{
	size_t i;

	s->lineno++;
	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			break;
	if (i == n)
		return;             /* blank: an ended torn line leaves one */
	s->st.lines++;
	if (sum_record(s, p, n) == 0)
		return;
	if (!terminated) {
		s->st.torn = 1;
		return;
	}
	if (s->st.corrupt++ == 0)
		s->st.first_corrupt = s->lineno;
}

void
bk_ledger_sum_push(struct bk_ledger_sum *s, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl ? (size_t)(nl - p) : n;
		if (s->overlong) {
			/* skip to the end of a line too long to be ours */
		} else if (s->have == 0 && nl != NULL &&
		    k <= sizeof(s->line)) {
			/* whole: no copy.  A line past LINE_MAX is corrupt
			 * however the pushes cut it, so it never comes this
			 * way (found by tests/fuzz/fuzz_ledger.c) */
			sum_line(s, p, k, 1);
		} else if (k > sizeof(s->line) - s->have) {
			s->overlong = 1;
		} else {
			memcpy(s->line + s->have, p, k);
			s->have += k;
			if (nl != NULL)
				sum_line(s, s->line, s->have, 1);
		}
		if (nl == NULL)
			return;
		if (s->overlong) {
			s->lineno++;
			s->st.lines++;
			if (s->st.corrupt++ == 0)
				s->st.first_corrupt = s->lineno;
		}
		s->have = 0;
		s->overlong = 0;
		p += k + 1;
		n -= k + 1;
	}
}

static int
row_cmp_key(const void *a, const void *b)
{
	const struct bk_usage_row *x = a, *y = b;

	return strcmp(x->key, y->key);
}

static int
row_cmp_cost(const void *a, const void *b)
{
	const struct bk_usage_row *x = a, *y = b;

	if (x->cost_nusd != y->cost_nusd)
		return x->cost_nusd > y->cost_nusd ? -1 : 1;
	return strcmp(x->key, y->key);
}

enum bk_err
bk_ledger_sum_finish(struct bk_ledger_sum *s)
{
	if (s->overlong) {
		s->lineno++;
		s->st.lines++;
		s->st.torn = 1;
	} else if (s->have > 0) {
		sum_line(s, s->line, s->have, 0);
	}
	s->have = 0;
	s->overlong = 0;
	if (s->n > 1)
		qsort(s->rows, s->n, sizeof(s->rows[0]),
		    s->st.by == BK_LEDGER_BY_MODEL ? row_cmp_cost :
		    row_cmp_key);
	return s->err;
}

enum bk_err
bk_ledger_sum(const char *text, size_t len, int64_t since,
    enum bk_ledger_by by, struct bk_usage_row *rows, size_t cap, size_t *n,
    struct bk_ledger_stats *st)
{
	struct bk_ledger_sum *s = malloc(sizeof(*s));
	enum bk_err e;

	*n = 0;
	memset(st, 0, sizeof(*st));
	if (s == NULL)
		return BK_E_NOMEM;
	bk_ledger_sum_init(s, by, since, rows, cap);
	bk_ledger_sum_push(s, text, len);
	e = bk_ledger_sum_finish(s);
	*n = s->n;
	*st = s->st;
	free(s);
	return e;
}

enum bk_err
bk_ledger_sum_file(const char *state_dir, struct bk_ledger_sum *s, char *err,
    size_t cap)
{
	char path[BK_SESSION_PATH_MAX];
	struct bk_port_err pe;
	uint64_t off = 0;
	char *buf;
	size_t len;
	enum bk_err e;

	if (ledger_path(path, sizeof(path), state_dir) != 0) {
		msg(err, cap, "state directory path too long");
		return BK_E_LIMIT;
	}
	if ((buf = malloc(CHUNK)) == NULL) {
		msg(err, cap, "out of memory");
		return BK_E_NOMEM;
	}
	pe.msg[0] = '\0';
	for (;;) {
		e = bk_port_read_at(path, off, buf, CHUNK, &len, &pe);
		if (e != BK_OK) {
			free(buf);
			if (e == BK_E_NOT_FOUND && off == 0)
				msg(err, cap, "no usage recorded yet (%s does "
				    "not exist)", path);
			else
				msg(err, cap, "%s", pe.msg);
			return e;
		}
		bk_ledger_sum_push(s, buf, len);
		off += len;
		if (len < CHUNK)
			break;
	}
	free(buf);
	if ((e = bk_ledger_sum_finish(s)) == BK_E_LIMIT)
		msg(err, cap, "more distinct keys than %zu rows: the rows "
		    "shown are incomplete, the total is not", s->cap);
	return e;
}

/* ==================================================================== */
/* Output                                                               */
/* ==================================================================== */

void
bk_put_cost_usd(struct bk_buf *b, int64_t nusd)
{
	uint64_t v, frac;
	char d[4];
	int k;

	if (nusd < 0) {
		bk_buf_puts(b, "unknown");
		return;
	}
	/* to 1/10000 USD, half up */
	v = ((uint64_t)nusd + 50000u) / 100000u;
	frac = v % 10000u;
	bk_buf_putc(b, '$');
	bk_buf_put_u64(b, v / 10000u);
	for (k = 3; k >= 0; k--) {
		d[k] = (char)('0' + frac % 10u);
		frac /= 10u;
	}
	bk_buf_putc(b, '.');
	bk_buf_put(b, d, 4);
}

static void
put_grouped(struct bk_buf *b, uint64_t v)
{
	char t[32];
	size_t n = 0, i;

	do {
		if (n > 0 && n % 4 == 3)
			t[n++] = ',';
		t[n++] = (char)('0' + v % 10u);
		v /= 10u;
	} while (v > 0);
	for (i = 0; i < n; i++)
		bk_buf_putc(b, t[n - 1 - i]);
}

#define NCOLS 7

/* The cells of one row, as text (UTF-8: width counts code points). */
struct cells {
	char c[NCOLS][BK_USAGE_KEY_MAX + 8];
};

static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void
cell_u64(char *out, size_t cap, uint64_t v)
{
	struct bk_buf b;

	bk_buf_init(&b, out, cap);
	put_grouped(&b, v);
}

static void
row_cells(struct cells *c, const char *key, const struct bk_usage_row *r)
{
	struct bk_buf b;

	snprintf(c->c[0], sizeof(c->c[0]), "%s", key);
	cell_u64(c->c[1], sizeof(c->c[1]), r->calls);
	cell_u64(c->c[2], sizeof(c->c[2]), r->tokens.input_tokens);
	cell_u64(c->c[3], sizeof(c->c[3]), r->tokens.output_tokens);
	cell_u64(c->c[4], sizeof(c->c[4]),
	    r->tokens.cache_creation_input_tokens);
	cell_u64(c->c[5], sizeof(c->c[5]), r->tokens.cache_read_input_tokens);
	bk_buf_init(&b, c->c[6], sizeof(c->c[6]));
	bk_put_cost_usd(&b, r->cost_nusd);
	/* a reserved column for the mark keeps the digits aligned */
	bk_buf_putc(&b, r->unknown_cost > 0 ? '*' : ' ');
}

static void
put_cells(struct bk_buf *out, const struct cells *c, const size_t *w)
{
	size_t k, pad;

	for (k = 0; k < NCOLS; k++) {
		size_t cw = width(c->c[k]);
		pad = w[k] > cw ? w[k] - cw : 0;
		if (k > 0)
			bk_buf_puts(out, "  ");
		if (k == 0) {
			bk_buf_puts(out, c->c[k]);
			if (k + 1 < NCOLS)
				while (pad-- > 0)
					bk_buf_putc(out, ' ');
		} else {
			while (pad-- > 0)
				bk_buf_putc(out, ' ');
			bk_buf_puts(out, c->c[k]);
		}
	}
	/* no trailing blanks: the cost column's reserved mark may be one */
	while (out->len > 0 && out->p[out->len - 1] == ' ' && !out->overflow)
		out->p[--out->len] = '\0';
	bk_buf_putc(out, '\n');
}

void
bk_ledger_format_table(struct bk_buf *out, const struct bk_usage_row *rows,
    size_t n, const struct bk_ledger_stats *st)
{
	static const char *const heads[NCOLS] = { "", "Calls", "Input",
		"Output", "Cache write", "Cache read", "Cost" };
	struct cells *c = malloc(sizeof(*c));
	size_t w[NCOLS], i, k;
	const char *first = "";

	if (c == NULL) {
		out->overflow = 1;
		return;
	}
	switch (st->by) {
	case BK_LEDGER_BY_DAY: first = "Day"; break;
	case BK_LEDGER_BY_MONTH: first = "Month"; break;
	case BK_LEDGER_BY_MODEL: first = "Model"; break;
	case BK_LEDGER_BY_NONE: break;
	}
	/* widths: headers, every row, the total (two passes over the rows:
	 * cheaper than keeping every cell) */
	for (k = 0; k < NCOLS; k++)
		w[k] = width(k == 0 ? first : heads[k]);
	for (i = 0; i <= n; i++) {
		row_cells(c, i < n ? rows[i].key : "Total",
		    i < n ? &rows[i] : &st->total);
		for (k = 0; k < NCOLS; k++)
			if (width(c->c[k]) > w[k])
				w[k] = width(c->c[k]);
	}
	for (k = 0; k < NCOLS; k++)
		snprintf(c->c[k], sizeof(c->c[k]), "%s",
		    k == 0 ? first : heads[k]);
	/* "Cost" over the digits, not over the mark column */
	snprintf(c->c[6], sizeof(c->c[6]), "Cost ");
	put_cells(out, c, w);
	for (i = 0; i <= n; i++) {
		row_cells(c, i < n ? rows[i].key : "Total",
		    i < n ? &rows[i] : &st->total);
		put_cells(out, c, w);
	}
	if (st->total.unknown_cost > 0) {
		bk_buf_puts(out, "* not counted: ");
		bk_buf_put_u64(out, st->total.unknown_cost);
		bk_buf_puts(out, st->total.unknown_cost == 1 ?
		    " call to a model with no known price\n" :
		    " calls to models with no known price\n");
	}
	free(c);
}

static void
json_row(struct bk_buf *out, const struct bk_usage_row *r, const char *key)
{
	bk_buf_putc(out, '{');
	if (key != NULL) {
		bk_buf_puts(out, "\"key\":");
		bk_json_put_str(out, (const uint8_t *)key, strlen(key), NULL);
		bk_buf_putc(out, ',');
	}
	bk_buf_puts(out, "\"calls\":");
	bk_buf_put_u64(out, r->calls);
	bk_buf_puts(out, ",\"input_tokens\":");
	bk_buf_put_u64(out, r->tokens.input_tokens);
	bk_buf_puts(out, ",\"output_tokens\":");
	bk_buf_put_u64(out, r->tokens.output_tokens);
	bk_buf_puts(out, ",\"cache_creation_input_tokens\":");
	bk_buf_put_u64(out, r->tokens.cache_creation_input_tokens);
	bk_buf_puts(out, ",\"cache_read_input_tokens\":");
	bk_buf_put_u64(out, r->tokens.cache_read_input_tokens);
	bk_buf_puts(out, ",\"cost_usd\":");
	bk_put_cost_json(out, r->cost_nusd);
	bk_buf_puts(out, ",\"unknown_cost_calls\":");
	bk_buf_put_u64(out, r->unknown_cost);
	bk_buf_putc(out, '}');
}

void
bk_ledger_format_json(struct bk_buf *out, const struct bk_usage_row *rows,
    size_t n, const struct bk_ledger_stats *st)
{
	static const char *const names[] = { "none", "day", "month", "model" };
	size_t i;

	bk_buf_puts(out, "{\"by\":\"");
	bk_buf_puts(out, (unsigned)st->by < 4 ? names[st->by] : "none");
	bk_buf_puts(out, "\",\"since\":");
	if (st->since != 0) {
		bk_buf_putc(out, '"');
		bk_put_time_iso(out, st->since);
		bk_buf_putc(out, '"');
	} else {
		bk_buf_puts(out, "null");
	}
	bk_buf_puts(out, ",\"rows\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			bk_buf_putc(out, ',');
		json_row(out, &rows[i], rows[i].key);
	}
	bk_buf_puts(out, "],\"total\":");
	json_row(out, &st->total, NULL);
	bk_buf_puts(out, ",\"skipped_lines\":");
	bk_buf_put_u64(out, st->corrupt);
	bk_buf_puts(out, ",\"torn_last_line\":");
	bk_buf_puts(out, st->torn ? "true" : "false");
	bk_buf_puts(out, "}\n");
}

void
bk_ledger_format_notes(struct bk_buf *out, const char *path,
    const struct bk_ledger_stats *st)
{
	if (st->corrupt > 0) {
		bk_buf_puts(out, path);
		bk_buf_puts(out, ": skipped ");
		bk_buf_put_u64(out, st->corrupt);
		bk_buf_puts(out, st->corrupt == 1 ? " corrupt line (line " :
		    " corrupt lines (first: line ");
		bk_buf_put_u64(out, st->first_corrupt);
		bk_buf_puts(out, ")\n");
	}
	if (st->torn) {
		bk_buf_puts(out, path);
		bk_buf_puts(out, ": ignored a torn last line (a write was "
		    "interrupted)\n");
	}
}
