/*
 * session.c -- conversations as JSON lines on disk (see session.h for the
 * format and the contracts; comments here say why).
 *
 * Program code, not core: it allocates (texts can be megabytes) and goes
 * through the port for every file operation (port_fs.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "port_fs.h"
#include "session.h"

/* Tokens per line: the largest record (an answer) has about 30; a record
 * type from a later version may have more, so the loader grows its array
 * up to MAX_TOKENS before calling a line corrupt. */
#define LOAD_TOKENS 128
#define HEAD_TOKENS 256
#define MAX_TOKENS (1u << 20)
/* A header is read in two steps: most fit the first. */
#define HEAD_SMALL 4096u
#define HEAD_MAX (BK_SESSION_PATH_MAX * 6u + 4096u)

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
	/* paths and IDs in it may hold any byte (a directory named with an
	 * escape sequence): one clean line for the terminal, cut at a
	 * character boundary (found by tests/fuzz/fuzz_session.c) */
	bk_copy_clean(err, cap, err, strlen(err));
}

/* Append "; "-separated news to a warning buffer. */
static void warn_add(char *w, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
warn_add(char *w, size_t cap, const char *fmt, ...)
{
	size_t n = strlen(w);
	va_list ap;

	if (n + 3 >= cap)
		return;
	if (n > 0) {
		memcpy(w + n, "; ", 2);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(w + n, cap - n, fmt, ap);
	va_end(ap);
}

static int
copy_str(char *out, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (cap == 0 || n >= cap)
		return -1;
	if (n > 0)
		memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* ==================================================================== */
/* Shared: times, costs, text                                           */
/* ==================================================================== */

void
bk_put_time_iso(struct bk_buf *b, int64_t t)
{
	char a[17], o[20];

	if (bk_time_amz(t, a) != BK_OK)
		(void)bk_time_amz(0, a);
	/* YYYYMMDDTHHMMSSZ -> YYYY-MM-DDTHH:MM:SSZ */
	memcpy(o, a, 4);
	o[4] = '-';
	memcpy(o + 5, a + 4, 2);
	o[7] = '-';
	memcpy(o + 8, a + 6, 2);
	o[10] = 'T';
	memcpy(o + 11, a + 9, 2);
	o[13] = ':';
	memcpy(o + 14, a + 11, 2);
	o[16] = ':';
	memcpy(o + 17, a + 13, 2);
	o[19] = 'Z';
	bk_buf_put(b, o, sizeof(o));
}

#define NANO 1000000000
#define COST_LIMIT INT64_C(1000000000000000000) /* 10^9 USD in nano-USD */

void
bk_put_cost_json(struct bk_buf *b, int64_t nusd)
{
	char frac[9];
	uint64_t f;
	int k, n = 9;

	if (nusd < 0) {
		bk_buf_puts(b, "null");
		return;
	}
	bk_buf_put_u64(b, (uint64_t)(nusd / NANO));
	f = (uint64_t)(nusd % NANO);
	if (f == 0)
		return;
	for (k = 8; k >= 0; k--) {
		frac[k] = (char)('0' + f % 10u);
		f /= 10u;
	}
	while (n > 0 && frac[n - 1] == '0')
		n--;
	bk_buf_putc(b, '.');
	bk_buf_put(b, frac, (size_t)n);
}

enum bk_err
bk_cost_parse(const char *s, size_t n, int64_t *nusd)
{
	uint64_t m = 0;
	long exp10 = 0;
	size_t i = 0, digits = 0;
	int neg = 0;
	long p;

	*nusd = BK_COST_UNKNOWN;
	if (n == 4 && memcmp(s, "null", 4) == 0)
		return BK_OK;
	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	/* mantissa: 19 significant digits, enough for every cost up to
	 * COST_LIMIT to read back exactly as bk_put_cost_json wrote it (17
	 * lost the last digits of costs from $10^8 on; found by
	 * tests/fuzz/fuzz_ledger.c); later ones only move the exponent */
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (m < UINT64_C(1000000000000000000))
			m = m * 10u + (uint64_t)(s[i] - '0');
		else
			exp10++;
	}
	if (i < n && s[i] == '.') {
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
			if (m < UINT64_C(1000000000000000000)) {
				m = m * 10u + (uint64_t)(s[i] - '0');
				exp10--;
			}
		}
	}
	if (digits == 0)
		return BK_E_JSON_SHAPE;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		long e = 0, sign = 1;
		size_t ed = 0;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			sign = s[i++] == '-' ? -1 : 1;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, ed++)
			if (e < 100000)
				e = e * 10 + (s[i] - '0');
		if (ed == 0)
			return BK_E_JSON_SHAPE;
		exp10 += sign * e;
	}
	if (i != n)
		return BK_E_JSON_SHAPE;
	if (neg)
		return BK_OK;           /* -1: the writer had no price */
	/* nano-USD = m * 10^(exp10 + 9), rounded half up */
	p = exp10 + 9;
	if (m == 0) {
		*nusd = 0;
		return BK_OK;
	}
	for (; p > 0; p--) {
		if (m > (uint64_t)COST_LIMIT / 10u)
			return BK_E_LIMIT;
		m *= 10u;
	}
	if (p < 0) {
		uint64_t div = 1, r;
		if (p < -19) {
			m = 0;
		} else {
			for (; p < 0; p++)
				div *= 10u;
			r = m % div;
			m /= div;
			if (r >= div - r)
				m++;
		}
	}
	if (m > (uint64_t)COST_LIMIT)
		return BK_E_LIMIT;
	*nusd = (int64_t)m;
	return BK_OK;
}

/*
 * bk_json_put_str writes NUL as \u0000; text here is NUL-free, so turn
 * those escapes (in the JSON just written) into \uFFFD, in place: same
 * length.  Escaped backslashes are skipped, so a literal "\u0000" typed
 * by the user (written "\\u0000") stays.  Returns how many.
 */
static size_t
nul_escapes(char *p, size_t n)
{
	size_t i = 0, hits = 0;

	while (i < n) {
		if (p[i] != '\\') {
			i++;
			continue;
		}
		if (n - i >= 6 && memcmp(p + i + 1, "u0000", 5) == 0) {
			memcpy(p + i + 1, "uFFFD", 5);
			hits++;
			i += 6;
		} else {
			i += 2;
		}
	}
	return hits;
}

/* A JSON string of text, NUL and invalid UTF-8 replaced (counted). */
static void
put_text(struct bk_buf *b, const void *s, size_t n, size_t *replaced)
{
	size_t start = b->len, bad = 0;

	bk_json_put_str(b, s, n, &bad);
	if (!b->overflow)
		bad += nul_escapes(b->p + start, b->len - start);
	if (replaced != NULL)
		*replaced += bad;
}

/*
 * Make *p (malloc'd, *n bytes plus a NUL) valid UTF-8 without NUL.  The
 * rare repair reuses the core: escape with the replacements, then
 * unescape.
 */
static enum bk_err
sanitize(char **p, size_t *n, size_t *replaced)
{
	struct bk_buf b;
	size_t need, len, bad = 0;
	char *q;

	if (memchr(*p, 0, *n) == NULL &&
	    bk_utf8_invalid((const uint8_t *)*p, *n) == 0)
		return BK_OK;
	if (*n > (SIZE_MAX - 8) / 6)
		return BK_E_NOMEM;
	need = *n * 6 + 8;
	if ((q = malloc(need)) == NULL)
		return BK_E_NOMEM;
	bk_buf_init(&b, q, need);
	bk_json_put_str(&b, (const uint8_t *)*p, *n, &bad);
	bad += nul_escapes(b.p, b.len);
	/* drop the quotes, decode what bk_json_put_str escaped */
	memmove(q, q + 1, b.len - 2);
	if (bk_json_unescape_inplace(q, b.len - 2, &len) != BK_OK) {
		free(q);
		return BK_E_JSON;
	}
	q[len] = '\0';
	free(*p);
	*p = q;
	*n = len;
	*replaced += bad;
	return BK_OK;
}

/* ==================================================================== */
/* State directory                                                      */
/* ==================================================================== */

static int
join_path(char *out, size_t cap, const char *base, const char *rest)
{
	size_t n = strlen(base), r = strlen(rest);

	/* "a//b" is harmless but ugly in messages; "/" + "/x" is "/x" */
	while (n > 0 && base[n - 1] == '/')
		n--;
	if (cap == 0 || n >= cap || r > cap - n - 1)
		return -1;
	memcpy(out, base, n);
	memcpy(out + n, rest, r + 1);
	return 0;
}

enum bk_err
bk_state_dir(const char *xdg, const char *home, char *out, size_t cap,
    char *err, size_t ecap)
{
	if (cap > 0)
		out[0] = '\0';
	if (xdg != NULL && xdg[0] == '/') {
		if (join_path(out, cap, xdg, "/bedrock-claude") != 0)
			goto toolong;
		return BK_OK;
	}
	if (home != NULL && home[0] == '/') {
		if (join_path(out, cap, home, "/.local/state/bedrock-claude")
		    != 0)
			goto toolong;
		return BK_OK;
	}
	msg(err, ecap, "no state directory: neither XDG_STATE_HOME nor HOME "
	    "is set to an absolute path, so sessions and the usage ledger "
	    "are not kept (they go to $XDG_STATE_HOME/bedrock-claude, else "
	    "$HOME/.local/state/bedrock-claude)");
	return BK_E_NOT_FOUND;
toolong:
	if (cap > 0)
		out[0] = '\0';
	msg(err, ecap, "state directory path too long");
	return BK_E_LIMIT;
}

enum bk_err
bk_state_mkdir(const char *dir, char *warn, size_t wcap, char *err,
    size_t ecap)
{
	struct bk_port_err pe;
	struct bk_port_stat st;
	enum bk_err e;

	if (warn != NULL && wcap > 0)
		warn[0] = '\0';
	pe.msg[0] = '\0';
	if ((e = bk_port_mkdir_p(dir, 0700, &pe)) != BK_OK) {
		msg(err, ecap, "%s", pe.msg);
		return e;
	}
	if ((e = bk_port_stat(dir, &st, &pe)) != BK_OK) {
		msg(err, ecap, "%s", pe.msg);
		return e == BK_E_NOT_FOUND ? BK_E_IO : e;
	}
	if ((st.mode & 077u) == 0)
		return BK_OK;
	/* conversations are private: close a directory others can enter */
	if (bk_port_chmod(dir, st.mode & ~077u, &pe) == BK_OK)
		msg(warn, wcap, "%s was open to other users (mode %04o); "
		    "changed to %04o", dir, st.mode, st.mode & ~077u);
	else
		msg(warn, wcap, "%s is open to other users (mode %04o) and "
		    "could not be restricted: %s", dir, st.mode, pe.msg);
	return BK_OK;
}

/* ==================================================================== */
/* Session IDs and paths                                                */
/* ==================================================================== */

static int
is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
dash_at(size_t i)
{
	return i == 8 || i == 13 || i == 18 || i == 23;
}

enum bk_err
bk_session_id_parse(const char *s, char out[BK_SESSION_ID_LEN + 1])
{
	size_t i;

	out[0] = '\0';
	if (s == NULL || strlen(s) != BK_SESSION_ID_LEN)
		return BK_E_ARG;
	for (i = 0; i < BK_SESSION_ID_LEN; i++) {
		char c = s[i];
		if (dash_at(i) ? c != '-' : !is_hex(c)) {
			out[0] = '\0';
			return BK_E_ARG;
		}
		out[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
	}
	out[BK_SESSION_ID_LEN] = '\0';
	return BK_OK;
}

enum bk_err
bk_session_id_new(char out[BK_SESSION_ID_LEN + 1])
{
	static const char hx[] = "0123456789abcdef";
	uint8_t r[16];
	size_t i, k = 0;

	out[0] = '\0';
	if (bk_port_random(r, sizeof(r)) != BK_OK)
		return BK_E_IO;
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);   /* version 4 */
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
	for (i = 0; i < BK_SESSION_ID_LEN; i++) {
		if (dash_at(i)) {
			out[i] = '-';
			continue;
		}
		out[i] = hx[(k & 1) ? r[k / 2] & 15 : r[k / 2] >> 4];
		k++;
	}
	out[BK_SESSION_ID_LEN] = '\0';
	return BK_OK;
}

enum bk_err
bk_session_path(const char *state_dir, const char *id, char *out, size_t cap)
{
	char rest[BK_SESSION_ID_LEN + 32];

	if (strlen(id) > BK_SESSION_ID_LEN)
		return BK_E_ARG;
	snprintf(rest, sizeof(rest), "/sessions/%s.jsonl", id);
	if (join_path(out, cap, state_dir, rest) != 0) {
		if (cap > 0)
			out[0] = '\0';
		return BK_E_LIMIT;
	}
	return BK_OK;
}

/* "<uuid>.jsonl" as written (lowercase): the ID, else -1. */
static int
id_file(const char *name, char id[BK_SESSION_ID_LEN + 1])
{
	char tmp[BK_SESSION_ID_LEN + 1];

	if (strlen(name) != BK_SESSION_ID_LEN + 6 ||
	    strcmp(name + BK_SESSION_ID_LEN, ".jsonl") != 0)
		return -1;
	memcpy(tmp, name, BK_SESSION_ID_LEN);
	tmp[BK_SESSION_ID_LEN] = '\0';
	if (bk_session_id_parse(tmp, id) != BK_OK || strcmp(tmp, id) != 0)
		return -1;
	return 0;
}

/* ==================================================================== */
/* Writing                                                              */
/* ==================================================================== */

void
bk_session_off(struct bk_session *s)
{
	memset(s, 0, sizeof(*s));
	s->off = 1;
}

void
bk_session_free(struct bk_session *s)
{
	free(s->pending_system);
	s->pending_system = NULL;
	s->pending_system_len = 0;
}

enum bk_err
bk_session_new(struct bk_session *s, const struct bk_session_start *o,
    char *err, size_t cap)
{
	char dir[BK_SESSION_PATH_MAX], w[sizeof(s->warn)];
	struct bk_port_stat st;
	enum bk_err e;
	int tries;

	memset(s, 0, sizeof(*s));
	if (o->state_dir == NULL || o->cwd == NULL) {
		msg(err, cap, "no state directory or working directory");
		return BK_E_ARG;
	}
	if (o->id != NULL && bk_session_id_parse(o->id, s->id) != BK_OK) {
		msg(err, cap, "invalid session ID \"%s\": it must be a UUID "
		    "such as 0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70", o->id);
		return BK_E_ARG;
	}
	if (copy_str(s->cwd, sizeof(s->cwd), o->cwd) != 0 ||
	    copy_str(s->model, sizeof(s->model), o->model) != 0 ||
	    copy_str(s->region, sizeof(s->region), o->region) != 0) {
		msg(err, cap, "working directory, model or region name too "
		    "long for a session");
		return BK_E_LIMIT;
	}
	s->created = o->now;
	/* the state directory, then sessions/ in it, both private */
	if ((e = bk_state_mkdir(o->state_dir, s->warn, sizeof(s->warn), err,
	    cap)) != BK_OK)
		return e;
	if (join_path(dir, sizeof(dir), o->state_dir, "/sessions") != 0) {
		msg(err, cap, "state directory path too long");
		return BK_E_LIMIT;
	}
	if ((e = bk_state_mkdir(dir, w, sizeof(w), err, cap)) != BK_OK)
		return e;
	if (w[0] != '\0')
		warn_add(s->warn, sizeof(s->warn), "%s", w);
	for (tries = 0; tries < 4; tries++) {
		if (o->id == NULL && (e = bk_session_id_new(s->id)) != BK_OK) {
			msg(err, cap, "no entropy for a session ID");
			return e;
		}
		if (bk_session_path(o->state_dir, s->id, s->path,
		    sizeof(s->path)) != BK_OK) {
			msg(err, cap, "session path too long");
			return BK_E_LIMIT;
		}
		e = bk_port_stat(s->path, &st, NULL);
		if (e == BK_E_NOT_FOUND)
			return BK_OK;
		if (e != BK_OK) {
			msg(err, cap, "cannot check %s", s->path);
			return BK_E_IO;
		}
		if (o->id != NULL) {
			msg(err, cap, "session ID %s is already in use; "
			    "continue it with --resume %s", s->id, s->id);
			return BK_E_USAGE;
		}
		/* a random ID that exists: 2^-122; draw again */
	}
	msg(err, cap, "cannot pick a new session ID");
	return BK_E_IO;
}

/* size of the JSON for a string of n bytes, worst case (\u00XX each) */
static int
need_str(size_t *need, size_t n)
{
	if (n > (SIZE_MAX - *need - 64) / 6)
		return -1;
	*need += n * 6 + 8;
	return 0;
}

static size_t
slen(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/* A record being built: the header (and pending system line) first when
 * the file is new, all written with one write. */
struct rec {
	char *mem;
	struct bk_buf b;
};

static void
put_header(struct bk_session *s, struct bk_buf *b)
{
	bk_buf_puts(b, "{\"type\":\"session\",\"id\":\"");
	bk_buf_puts(b, s->id);
	bk_buf_puts(b, "\",\"cwd\":");
	put_text(b, s->cwd, strlen(s->cwd), &s->replaced);
	bk_buf_puts(b, ",\"created\":\"");
	bk_put_time_iso(b, s->created);
	bk_buf_puts(b, "\",\"model\":");
	put_text(b, s->model, strlen(s->model), &s->replaced);
	bk_buf_puts(b, ",\"region\":");
	put_text(b, s->region, strlen(s->region), &s->replaced);
	bk_buf_puts(b, ",\"version\":");
	bk_buf_put_u64(b, BK_SESSION_VERSION);
	bk_buf_puts(b, "}\n");
}

static void
put_system(struct bk_session *s, struct bk_buf *b, int64_t now,
    const void *text, size_t len)
{
	bk_buf_puts(b, "{\"type\":\"system\",\"time\":\"");
	bk_put_time_iso(b, now);
	bk_buf_puts(b, "\",\"text\":");
	put_text(b, text, len, &s->replaced);
	bk_buf_puts(b, "}\n");
}

static enum bk_err
rec_begin(struct bk_session *s, struct rec *r, size_t need, char *err,
    size_t cap)
{
	need += 256;
	if (!s->exists) {
		if (need_str(&need, strlen(s->cwd)) != 0 ||
		    need_str(&need, strlen(s->model)) != 0 ||
		    need_str(&need, strlen(s->region)) != 0 ||
		    need_str(&need, s->pending_system_len) != 0 ||
		    need > SIZE_MAX - 512)
			goto toolarge;
		need += 512;
	}
	if ((r->mem = malloc(need)) == NULL) {
		msg(err, cap, "out of memory for a session record");
		return BK_E_NOMEM;
	}
	bk_buf_init(&r->b, r->mem, need);
	if (!s->exists) {
		put_header(s, &r->b);
		if (s->pending_system != NULL)
			put_system(s, &r->b, s->pending_system_time,
			    s->pending_system, s->pending_system_len);
	}
	return BK_OK;
toolarge:
	msg(err, cap, "session record too large");
	return BK_E_LIMIT;
}

static enum bk_err
rec_write(struct bk_session *s, struct rec *r, char *err, size_t cap)
{
	struct bk_port_err pe;
	unsigned flags = BK_PORT_APPEND_SYNC | BK_PORT_APPEND_LINE;
	enum bk_err e;

	if (bk_buf_err(&r->b) != BK_OK) {
		/* cannot happen: the buffer is sized for the worst case */
		free(r->mem);
		msg(err, cap, "session record too large");
		return BK_E_LIMIT;
	}
	flags |= s->exists ? BK_PORT_APPEND_NOCREATE : BK_PORT_APPEND_EXCL;
	pe.msg[0] = '\0';
	e = bk_port_append(s->path, r->b.p, r->b.len, flags, &pe);
	free(r->mem);
	if (e != BK_OK) {
		msg(err, cap, "session not saved: %s", pe.msg);
		return e;
	}
	if (!s->exists) {
		s->exists = 1;
		bk_session_free(s);
	}
	return BK_OK;
}

enum bk_err
bk_session_append_user(struct bk_session *s, int64_t now,
    const uint8_t *text, size_t len, char *err, size_t cap)
{
	struct rec r;
	size_t need = 0;
	enum bk_err e;

	if (s->off)
		return BK_OK;
	if (need_str(&need, len) != 0) {
		msg(err, cap, "message too large for the session");
		return BK_E_LIMIT;
	}
	if ((e = rec_begin(s, &r, need, err, cap)) != BK_OK)
		return e;
	bk_buf_puts(&r.b, "{\"type\":\"user\",\"time\":\"");
	bk_put_time_iso(&r.b, now);
	bk_buf_puts(&r.b, "\",\"text\":");
	put_text(&r.b, text, len, &s->replaced);
	bk_buf_puts(&r.b, "}\n");
	return rec_write(s, &r, err, cap);
}

static void
put_opt_str(struct bk_session *s, struct bk_buf *b, const char *key,
    const char *v)
{
	if (v == NULL)
		return;
	bk_buf_puts(b, ",\"");
	bk_buf_puts(b, key);
	bk_buf_puts(b, "\":");
	put_text(b, v, strlen(v), &s->replaced);
}

enum bk_err
bk_session_append_assistant(struct bk_session *s, const struct bk_answer *a,
    char *err, size_t cap)
{
	struct rec r;
	size_t need = 0;
	enum bk_err e;

	if (s->off)
		return BK_OK;
	if (!s->exists) {
		msg(err, cap, "an answer before any user message");
		return BK_E_ARG;
	}
	if (need_str(&need, a->len) != 0 ||
	    need_str(&need, slen(a->model)) != 0 ||
	    need_str(&need, slen(a->stop_reason)) != 0 ||
	    need_str(&need, slen(a->request_id)) != 0 ||
	    need_str(&need, slen(a->error)) != 0 || need > SIZE_MAX - 512) {
		msg(err, cap, "answer too large for the session");
		return BK_E_LIMIT;
	}
	need += 512;   /* usage and cost */
	if ((e = rec_begin(s, &r, need, err, cap)) != BK_OK)
		return e;
	bk_buf_puts(&r.b, "{\"type\":\"assistant\",\"time\":\"");
	bk_put_time_iso(&r.b, a->time);
	bk_buf_puts(&r.b, "\",\"text\":");
	put_text(&r.b, a->text, a->len, &s->replaced);
	put_opt_str(s, &r.b, "model", a->model);
	put_opt_str(s, &r.b, "stop_reason", a->stop_reason);
	if (a->usage != NULL) {
		bk_buf_puts(&r.b, ",\"usage\":{\"input_tokens\":");
		bk_buf_put_u64(&r.b, a->usage->input_tokens);
		bk_buf_puts(&r.b, ",\"output_tokens\":");
		bk_buf_put_u64(&r.b, a->usage->output_tokens);
		bk_buf_puts(&r.b, ",\"cache_creation_input_tokens\":");
		bk_buf_put_u64(&r.b, a->usage->cache_creation_input_tokens);
		bk_buf_puts(&r.b, ",\"cache_read_input_tokens\":");
		bk_buf_put_u64(&r.b, a->usage->cache_read_input_tokens);
		bk_buf_putc(&r.b, '}');
	}
	bk_buf_puts(&r.b, ",\"cost_usd\":");
	bk_put_cost_json(&r.b, a->cost_nusd);
	put_opt_str(s, &r.b, "request_id", a->request_id);
	if (a->interrupted)
		bk_buf_puts(&r.b, ",\"interrupted\":true");
	put_opt_str(s, &r.b, "error", a->error);
	bk_buf_puts(&r.b, "}\n");
	return rec_write(s, &r, err, cap);
}

enum bk_err
bk_session_append_system(struct bk_session *s, int64_t now,
    const uint8_t *text, size_t len, char *err, size_t cap)
{
	struct rec r;
	size_t need = 0;
	enum bk_err e;

	if (s->off)
		return BK_OK;
	if (!s->exists) {
		/* no file before the first prompt: keep it for then */
		char *p = malloc(len + 1);
		if (p == NULL) {
			msg(err, cap, "out of memory for the system prompt");
			return BK_E_NOMEM;
		}
		if (len > 0)
			memcpy(p, text, len);
		p[len] = '\0';
		bk_session_free(s);
		s->pending_system = p;
		s->pending_system_len = len;
		s->pending_system_time = now;
		return BK_OK;
	}
	if (need_str(&need, len) != 0) {
		msg(err, cap, "system prompt too large for the session");
		return BK_E_LIMIT;
	}
	if ((e = rec_begin(s, &r, need, err, cap)) != BK_OK)
		return e;
	put_system(s, &r.b, now, text, len);
	return rec_write(s, &r, err, cap);
}

enum bk_err
bk_session_append_model(struct bk_session *s, int64_t now, const char *model,
    char *err, size_t cap)
{
	struct rec r;
	size_t need = 0;
	enum bk_err e;

	if (s->off)
		return BK_OK;
	if (copy_str(s->model, sizeof(s->model), model) != 0) {
		msg(err, cap, "model name too long");
		return BK_E_LIMIT;
	}
	if (!s->exists)
		return BK_OK;   /* the header will name it */
	(void)need_str(&need, strlen(model));
	if ((e = rec_begin(s, &r, need, err, cap)) != BK_OK)
		return e;
	bk_buf_puts(&r.b, "{\"type\":\"model\",\"time\":\"");
	bk_put_time_iso(&r.b, now);
	bk_buf_puts(&r.b, "\",\"model\":");
	put_text(&r.b, model, strlen(model), &s->replaced);
	bk_buf_puts(&r.b, "}\n");
	return rec_write(s, &r, err, cap);
}

/* ==================================================================== */
/* Transcripts                                                          */
/* ==================================================================== */

void
bk_transcript_init(struct bk_transcript *t)
{
	memset(t, 0, sizeof(*t));
}

void
bk_transcript_free(struct bk_transcript *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->turn[i].text);
	free(t->turn);
	free(t->system);
	free(t->msg);
	free(t->joined);
	bk_transcript_init(t);
}

/* Take ownership of p (malloc'd, NUL-terminated, sanitised). */
static enum bk_err
add_owned(struct bk_transcript *t, enum bk_role role, char *p, size_t len,
    int64_t time, unsigned flags)
{
	if (t->n >= BK_SESSION_MAX_MESSAGES) {
		free(p);
		return BK_E_LIMIT;
	}
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		struct bk_turn *nt;
		if (nc > BK_SESSION_MAX_MESSAGES)
			nc = BK_SESSION_MAX_MESSAGES;
		nt = realloc(t->turn, nc * sizeof(*nt));
		if (nt == NULL) {
			free(p);
			return BK_E_NOMEM;
		}
		t->turn = nt;
		t->cap = nc;
	}
	t->turn[t->n].role = role;
	t->turn[t->n].text = p;
	t->turn[t->n].len = len;
	t->turn[t->n].time = time;
	t->turn[t->n].flags = flags;
	t->n++;
	return BK_OK;
}

enum bk_err
bk_transcript_add(struct bk_transcript *t, enum bk_role role,
    const uint8_t *text, size_t len, int64_t time, unsigned flags)
{
	char *p;
	enum bk_err e;

	if (t->n >= BK_SESSION_MAX_MESSAGES)
		return BK_E_LIMIT;
	if (len == SIZE_MAX || (p = malloc(len + 1)) == NULL)
		return BK_E_NOMEM;
	if (len > 0)
		memcpy(p, text, len);
	p[len] = '\0';
	if (!(flags & BK_TURN_RAW) &&
	    (e = sanitize(&p, &len, &t->replaced)) != BK_OK) {
		free(p);
		return e;
	}
	return add_owned(t, role, p, len, time, flags & ~(unsigned)BK_TURN_RAW);
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' &&
		    s[i] != '\r')
			return 0;
	return 1;
}

/* A turn that takes part in the API conversation (see the header). */
static int
usable(const struct bk_turn *u, int have_user)
{
	if (blank(u->text, u->len))
		return 0;
	return have_user || u->role == BK_ROLE_USER;
}

enum bk_err
bk_transcript_messages(struct bk_transcript *t,
    const struct bk_message **out, size_t *n)
{
	size_t i, ng = 0, arena = 0, glen = 0, gcount = 0, jpos = 0, g = 0;
	int in_arena = 0;
	enum bk_role cur = BK_ROLE_USER;

	free(t->msg);
	free(t->joined);
	t->msg = NULL;
	t->joined = NULL;
	t->nmsg = 0;
	*out = NULL;
	*n = 0;
	/* pass 1: how many messages, and arena bytes for the joined ones */
	for (i = 0; i < t->n; i++) {
		const struct bk_turn *u = &t->turn[i];
		if (!usable(u, ng > 0))
			continue;
		if (ng > 0 && u->role == cur) {
			glen += 2 + u->len;
			gcount++;
			continue;
		}
		if (gcount > 1)
			arena += glen + 1;
		ng++;
		cur = u->role;
		glen = u->len;
		gcount = 1;
	}
	if (gcount > 1)
		arena += glen + 1;
	if (ng == 0)
		return BK_OK;
	t->msg = malloc(ng * sizeof(*t->msg));
	if (arena > 0)
		t->joined = malloc(arena);
	if (t->msg == NULL || (arena > 0 && t->joined == NULL)) {
		free(t->joined);
		t->joined = NULL;
		free(t->msg);
		t->msg = NULL;
		return BK_E_NOMEM;
	}
	/* pass 2: fill; a group's first text moves to the arena when a
	 * second one joins it */
	for (i = 0; i < t->n; i++) {
		const struct bk_turn *u = &t->turn[i];
		if (!usable(u, g > 0))
			continue;
		if (g > 0 && u->role == t->msg[g - 1].role) {
			struct bk_message *m = &t->msg[g - 1];
			if (!in_arena) {
				memcpy(t->joined + jpos, m->text, m->len);
				m->text = (const uint8_t *)(t->joined + jpos);
				jpos += m->len;
				in_arena = 1;
			}
			memcpy(t->joined + jpos, "\n\n", 2);
			memcpy(t->joined + jpos + 2, u->text, u->len);
			jpos += 2 + u->len;
			m->len += 2 + u->len;
			continue;
		}
		if (in_arena)
			t->joined[jpos++] = '\0';
		in_arena = 0;
		t->msg[g].role = u->role;
		t->msg[g].text = (const uint8_t *)u->text;
		t->msg[g].len = u->len;
		g++;
	}
	if (in_arena)
		t->joined[jpos++] = '\0';
	t->nmsg = ng;
	*out = t->msg;
	*n = ng;
	return BK_OK;
}

/* ==================================================================== */
/* Loading                                                              */
/* ==================================================================== */

struct loader {
	const char *path;
	struct bk_transcript *t;
	int have_header;
	size_t nmsg;
	char what[160];           /* why a line is corrupt */
	struct bk_json j;
	jsmntok_t *tok;           /* malloc'd, grown on demand */
	unsigned ntok;
};

static enum bk_err
bad(struct loader *ld, const char *what)
{
	snprintf(ld->what, sizeof(ld->what), "%s", what);
	return BK_E_JSON;
}

static int
tok_is_true(const struct bk_json *j, int i)
{
	return i >= 0 && i < j->n && j->t[i].type == JSMN_PRIMITIVE &&
	    j->t[i].end - j->t[i].start == 4 &&
	    memcmp(j->js + j->t[i].start, "true", 4) == 0;
}

/* String token i, unescaped into a malloc'd, sanitised copy. */
static enum bk_err
tok_text(struct loader *ld, int i, char **out, size_t *len)
{
	const jsmntok_t *k;
	size_t raw;
	char *p;
	enum bk_err e;

	*out = NULL;
	if (i < 0 || ld->j.t[i].type != JSMN_STRING)
		return BK_E_JSON_SHAPE;
	k = &ld->j.t[i];
	raw = (size_t)(k->end - k->start);
	if ((p = malloc(raw + 1)) == NULL)
		return BK_E_NOMEM;
	if (bk_json_str(&ld->j, i, p, raw + 1, len) != BK_OK) {
		free(p);
		return BK_E_JSON;
	}
	if ((e = sanitize(&p, len, &ld->t->replaced)) != BK_OK) {
		free(p);
		return e;
	}
	*out = p;
	return BK_OK;
}

/* An optional string field into a fixed buffer (left alone if absent). */
static enum bk_err
opt_str(struct loader *ld, const char *key, char *out, size_t cap)
{
	int i = bk_json_get(&ld->j, 0, key);
	size_t n;
	enum bk_err e;

	if (i < 0)
		return BK_OK;
	if (ld->j.t[i].type != JSMN_STRING) {
		snprintf(ld->what, sizeof(ld->what), "\"%s\" is not a string",
		    key);
		return BK_E_JSON;
	}
	e = bk_json_str(&ld->j, i, out, cap, &n);
	if (e == BK_E_BUFSZ) {
		/*
		 * cwd, model and region are labels: one too long for its
		 * buffer is dropped (resuming then uses the configured model
		 * and region), not a reason to refuse the turns.  We write
		 * values longer than we read: an ID with invalid UTF-8 grows
		 * by a U+FFFD per bad byte (found by tests/fuzz/fuzz_session.c).
		 */
		out[0] = '\0';
		return BK_OK;
	}
	if (e != BK_OK) {
		out[0] = '\0';
		snprintf(ld->what, sizeof(ld->what), "\"%s\" has a bad escape",
		    key);
		return BK_E_JSON;
	}
	return BK_OK;
}

static int64_t
opt_time(struct loader *ld)
{
	int i = bk_json_get(&ld->j, 0, "time");
	int64_t t = 0;

	/* times are informative: a bad one is not worth refusing a file */
	if (i >= 0 && ld->j.t[i].type == JSMN_STRING &&
	    bk_time_parse_iso8601(ld->j.js + ld->j.t[i].start,
	    (size_t)(ld->j.t[i].end - ld->j.t[i].start), &t) == BK_OK)
		return t;
	return 0;
}

static enum bk_err
load_header(struct loader *ld)
{
	struct bk_transcript *t = ld->t;
	char id[64];
	int i;
	uint64_t v = 0;
	enum bk_err e;

	if (ld->have_header)
		return bad(ld, "a second session header");
	i = bk_json_get(&ld->j, 0, "id");
	if (i < 0 || bk_json_str(&ld->j, i, id, sizeof(id), &(size_t){0}) !=
	    BK_OK || bk_session_id_parse(id, t->id) != BK_OK)
		return bad(ld, "the header has no valid \"id\"");
	i = bk_json_get(&ld->j, 0, "cwd");
	if (i < 0)
		return bad(ld, "the header has no \"cwd\"");
	if ((e = opt_str(ld, "cwd", t->cwd, sizeof(t->cwd))) != BK_OK ||
	    (e = opt_str(ld, "model", t->model, sizeof(t->model))) !=
	    BK_OK ||
	    (e = opt_str(ld, "region", t->region, sizeof(t->region))) !=
	    BK_OK)
		return e;
	i = bk_json_get(&ld->j, 0, "created");
	if (i >= 0 && ld->j.t[i].type == JSMN_STRING)
		(void)bk_time_parse_iso8601(ld->j.js + ld->j.t[i].start,
		    (size_t)(ld->j.t[i].end - ld->j.t[i].start), &t->created);
	i = bk_json_get(&ld->j, 0, "version");
	if (i < 0 || bk_json_u64(&ld->j, i, &v) != BK_OK || v == 0)
		return bad(ld, "the header has no valid \"version\"");
	if (v > BK_SESSION_VERSION) {
		snprintf(ld->what, sizeof(ld->what), "format version %lu is "
		    "newer than this program's (%d): upgrade bedrock-claude",
		    (unsigned long)v, BK_SESSION_VERSION);
		return BK_E_JSON;
	}
	ld->have_header = 1;
	return BK_OK;
}

static void
add_u64(uint64_t *acc, uint64_t v)
{
	*acc = v > UINT64_MAX - *acc ? UINT64_MAX : *acc + v;
}

static enum bk_err
load_usage(struct loader *ld, struct bk_usage *u)
{
	static const char *const keys[] = { "input_tokens", "output_tokens",
		"cache_creation_input_tokens", "cache_read_input_tokens" };
	uint64_t *acc[4];
	int obj = bk_json_get(&ld->j, 0, "usage"), i;
	size_t k;

	acc[0] = &u->input_tokens;
	acc[1] = &u->output_tokens;
	acc[2] = &u->cache_creation_input_tokens;
	acc[3] = &u->cache_read_input_tokens;
	if (obj < 0)
		return BK_OK;
	if (ld->j.t[obj].type != JSMN_OBJECT)
		return bad(ld, "\"usage\" is not an object");
	for (k = 0; k < 4; k++) {
		uint64_t v;
		if ((i = bk_json_get(&ld->j, obj, keys[k])) < 0)
			continue;
		if (bk_json_u64(&ld->j, i, &v) != BK_OK)
			return bad(ld, "a token count is not a whole number");
		add_u64(acc[k], v);
	}
	return BK_OK;
}

static enum bk_err
load_message(struct loader *ld, enum bk_role role)
{
	struct bk_transcript *t = ld->t;
	unsigned flags = 0;
	char *text;
	size_t len;
	int i;
	enum bk_err e;

	if (ld->nmsg >= BK_SESSION_MAX_MESSAGES)
		return BK_E_LIMIT;
	i = bk_json_get(&ld->j, 0, "text");
	if ((e = tok_text(ld, i, &text, &len)) != BK_OK)
		return e == BK_E_NOMEM ? e :
		    bad(ld, i < 0 ? "no \"text\"" : "bad \"text\"");
	if (role == BK_ROLE_ASSISTANT) {
		int64_t cost = BK_COST_UNKNOWN;
		struct bk_usage u;
		char model[sizeof(t->model)];
		/*
		 * Read aside, kept only once the whole line is good: a line
		 * refused as torn must not leave its model or half its usage
		 * behind (found by tests/fuzz/fuzz_session.c: resuming named
		 * the model of the line it cut off).
		 */
		memset(&u, 0, sizeof(u));
		memcpy(model, t->model, sizeof(model));
		if ((e = opt_str(ld, "model", model, sizeof(model))) !=
		    BK_OK || (e = load_usage(ld, &u)) != BK_OK)
			goto fail;
		if (tok_is_true(&ld->j, bk_json_get(&ld->j, 0, "interrupted")))
			flags |= BK_TURN_INTERRUPTED;
		if (bk_json_get(&ld->j, 0, "error") >= 0)
			flags |= BK_TURN_ERROR;
		i = bk_json_get(&ld->j, 0, "cost_usd");
		if (i >= 0 && (ld->j.t[i].type != JSMN_PRIMITIVE ||
		    bk_cost_parse(ld->j.js + ld->j.t[i].start,
		    (size_t)(ld->j.t[i].end - ld->j.t[i].start), &cost) !=
		    BK_OK)) {
			e = bad(ld, "\"cost_usd\" is not a number");
			goto fail;
		}
		memcpy(t->model, model, sizeof(model));
		add_u64(&t->usage.input_tokens, u.input_tokens);
		add_u64(&t->usage.output_tokens, u.output_tokens);
		add_u64(&t->usage.cache_creation_input_tokens,
		    u.cache_creation_input_tokens);
		add_u64(&t->usage.cache_read_input_tokens,
		    u.cache_read_input_tokens);
		if (cost < 0)
			t->unknown_cost++;
		else
			t->cost_nusd = cost > INT64_MAX - t->cost_nusd ?
			    INT64_MAX : t->cost_nusd + cost;
	}
	ld->nmsg++;
	return add_owned(t, role, text, len, opt_time(ld), flags);
fail:
	free(text);
	return e;
}

/* One line (without its '\n'): BK_OK, BK_E_JSON (ld->what says why) or a
 * resource error. */
static enum bk_err
load_line(struct loader *ld, const char *line, size_t n)
{
	struct bk_transcript *t = ld->t;
	enum bk_err e;
	int ty;

	if (blank(line, n))
		return BK_OK;
	for (;;) {
		jsmntok_t *nt;
		e = bk_json_parse(&ld->j, line, n, ld->tok, ld->ntok);
		if (e != BK_E_JSON_TOKENS || ld->ntok >= MAX_TOKENS)
			break;
		nt = realloc(ld->tok, 2u * ld->ntok * sizeof(*nt));
		if (nt == NULL)
			return BK_E_NOMEM;
		ld->tok = nt;
		ld->ntok *= 2u;
	}
	if (e == BK_E_JSON_TOKENS)
		return bad(ld, "too many JSON values in one line");
	if (e != BK_OK) {
		unsigned l, c;
		bk_text_linecol(line, n, ld->j.err_pos, &l, &c);
		snprintf(ld->what, sizeof(ld->what), "not valid JSON (column "
		    "%u)", c);
		return BK_E_JSON;
	}
	if (ld->tok[0].type != JSMN_OBJECT)
		return bad(ld, "not a JSON object");
	ty = bk_json_get(&ld->j, 0, "type");
	if (ty < 0 || ld->j.t[ty].type != JSMN_STRING)
		return bad(ld, "no \"type\"");
	if (bk_json_is(&ld->j, ty, "session"))
		return load_header(ld);
	if (!ld->have_header)
		return bad(ld, "not a bedrock-claude session: the first line "
		    "is not a session header");
	if (bk_json_is(&ld->j, ty, "user"))
		return load_message(ld, BK_ROLE_USER);
	if (bk_json_is(&ld->j, ty, "assistant"))
		return load_message(ld, BK_ROLE_ASSISTANT);
	if (bk_json_is(&ld->j, ty, "system")) {
		char *text;
		size_t len;
		int i = bk_json_get(&ld->j, 0, "text");
		if ((e = tok_text(ld, i, &text, &len)) != BK_OK)
			return e == BK_E_NOMEM ? e : bad(ld, "bad \"text\"");
		free(t->system);
		t->system = text;
		t->system_len = len;
		return BK_OK;
	}
	if (bk_json_is(&ld->j, ty, "model")) {
		if (bk_json_get(&ld->j, 0, "model") < 0)
			return bad(ld, "no \"model\"");
		return opt_str(ld, "model", t->model, sizeof(t->model));
	}
	/* a record type from a later version: not ours to judge */
	t->skipped++;
	return BK_OK;
}

enum bk_err
bk_session_load(const char *path, struct bk_transcript *t, char *err,
    size_t cap)
{
	struct loader *ld;
	struct bk_port_stat st;
	struct bk_port_err pe;
	char *buf = NULL;
	size_t len = 0, pos = 0, room;
	unsigned long line = 0;
	enum bk_err e;

	bk_transcript_init(t);
	pe.msg[0] = '\0';
	if ((e = bk_port_stat(path, &st, &pe)) != BK_OK) {
		msg(err, cap, e == BK_E_NOT_FOUND ? "%s: no such session "
		    "file" : "%s", e == BK_E_NOT_FOUND ? path : pe.msg);
		return e;
	}
	if (st.size > BK_SESSION_MAX_FILE) {
		msg(err, cap, "%s: %llu bytes, larger than the %u MiB a "
		    "session may have", path, (unsigned long long)st.size,
		    BK_SESSION_MAX_FILE >> 20);
		return BK_E_LIMIT;
	}
	/* some room for a line appended meanwhile */
	room = (size_t)st.size + 65536;
	if (room > BK_SESSION_MAX_FILE)
		room = BK_SESSION_MAX_FILE;
	ld = calloc(1, sizeof(*ld));
	buf = malloc(room + 1);
	if (ld != NULL) {
		ld->ntok = LOAD_TOKENS;
		ld->tok = malloc(LOAD_TOKENS * sizeof(*ld->tok));
	}
	if (ld == NULL || buf == NULL || ld->tok == NULL) {
		if (ld != NULL)
			free(ld->tok);
		free(ld);
		free(buf);
		msg(err, cap, "%s: out of memory", path);
		return BK_E_NOMEM;
	}
	if ((e = bk_port_read_file(path, (uint8_t *)buf, room, &len, &pe)) !=
	    BK_OK) {
		msg(err, cap, e == BK_E_LIMIT ? "%s: grew past the limit "
		    "while being read" : "%s",
		    e == BK_E_LIMIT ? path : pe.msg);
		goto out;
	}
	buf[len] = '\0';
	ld->path = path;
	ld->t = t;
	while (pos < len) {
		char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		line++;
		e = load_line(ld, buf + pos, end - pos);
		if (e == BK_E_JSON && nl == NULL) {
			/* the last write did not finish: keep what came
			 * before */
			t->torn = end - pos;
			warn_add(t->warn, sizeof(t->warn), "%s:%lu: ignored "
			    "a torn last line (%zu bytes) left by an "
			    "interrupted write", path, line, t->torn);
			e = BK_OK;
			break;
		}
		if (e == BK_E_LIMIT) {
			msg(err, cap, "%s:%lu: more than %u messages", path,
			    line, BK_SESSION_MAX_MESSAGES);
			goto out;
		}
		if (e == BK_E_NOMEM) {
			msg(err, cap, "%s: out of memory", path);
			goto out;
		}
		if (e != BK_OK) {
			msg(err, cap, "%s:%lu: %s", path, line, ld->what);
			goto out;
		}
		pos = nl ? end + 1 : len;
		t->valid_len = pos;
	}
	if (!ld->have_header) {
		msg(err, cap, "%s: no session header (empty or torn file)",
		    path);
		e = BK_E_JSON;
		goto out;
	}
	if (t->replaced > 0)
		warn_add(t->warn, sizeof(t->warn), "%s: %zu invalid UTF-8 "
		    "sequences or NUL bytes replaced with U+FFFD", path,
		    t->replaced);
	if (t->skipped > 0)
		warn_add(t->warn, sizeof(t->warn), "%s: skipped %zu lines of "
		    "unknown type (written by a newer version?)", path,
		    t->skipped);
	e = BK_OK;
out:
	free(buf);
	free(ld->tok);
	free(ld);
	if (e != BK_OK)
		bk_transcript_free(t);
	return e;
}

/* ==================================================================== */
/* Finding sessions                                                     */
/* ==================================================================== */

struct finder {
	const char *dir;          /* <state>/sessions */
	const char *prefix;       /* bk_session_find */
	size_t prefix_len;
	const char *cwd;          /* bk_session_latest_for_cwd */
	size_t matches;
	char id[BK_SESSION_ID_LEN + 1];
	int64_t best_mtime;
	char *head;               /* HEAD_MAX + 1 bytes */
	jsmntok_t tok[HEAD_TOKENS];
};

static int
find_cb(void *ctx, const char *name)
{
	struct finder *f = ctx;
	char id[BK_SESSION_ID_LEN + 1];
	size_t i;

	if (id_file(name, id) != 0)
		return 0;
	for (i = 0; i < f->prefix_len; i++) {
		char c = f->prefix[i];
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (id[i] != c)
			return 0;
	}
	if (f->matches++ == 0 || strcmp(id, f->id) < 0)
		memcpy(f->id, id, sizeof(id));
	return 0;
}

enum bk_err
bk_session_find(const char *state_dir, const char *arg,
    char id[BK_SESSION_ID_LEN + 1], char *err, size_t cap)
{
	char dir[BK_SESSION_PATH_MAX], path[BK_SESSION_PATH_MAX];
	struct finder f;
	struct bk_port_err pe;
	struct bk_port_stat st;
	size_t i, n = strlen(arg);
	enum bk_err e;

	id[0] = '\0';
	if (bk_session_id_parse(arg, id) == BK_OK) {
		if (bk_session_path(state_dir, id, path, sizeof(path)) !=
		    BK_OK) {
			msg(err, cap, "session path too long");
			return BK_E_LIMIT;
		}
		e = bk_port_stat(path, &st, NULL);
		if (e == BK_OK && st.is_reg)
			return BK_OK;
		msg(err, cap, "no session %s (looked for %s)", id, path);
		id[0] = '\0';
		return BK_E_NOT_FOUND;
	}
	for (i = 0; i < n; i++)
		if (i >= BK_SESSION_ID_LEN ||
		    (dash_at(i) ? arg[i] != '-' : !is_hex(arg[i])))
			break;
	if (n < 4 || i < n) {
		msg(err, cap, "\"%s\" is not a session ID (a UUID, or its "
		    "first 4 or more characters)", arg);
		return BK_E_ARG;
	}
	if (join_path(dir, sizeof(dir), state_dir, "/sessions") != 0) {
		msg(err, cap, "state directory path too long");
		return BK_E_LIMIT;
	}
	memset(&f, 0, sizeof(f));
	f.prefix = arg;
	f.prefix_len = n;
	pe.msg[0] = '\0';
	e = bk_port_list_dir(dir, find_cb, &f, &pe);
	if (e != BK_OK && e != BK_E_NOT_FOUND) {
		msg(err, cap, "%s", pe.msg);
		return e;
	}
	if (f.matches == 0) {
		msg(err, cap, "no session starts with %s (in %s)", arg, dir);
		return BK_E_NOT_FOUND;
	}
	if (f.matches > 1) {
		msg(err, cap, "%zu sessions start with %s: give more of the "
		    "ID", f.matches, arg);
		return BK_E_ARG;
	}
	memcpy(id, f.id, sizeof(f.id));
	return BK_OK;
}

/* 1 if the first line of path is a session header naming f->cwd. */
static int
header_cwd_is(struct finder *f, const char *path)
{
	struct bk_json j;
	size_t len, n;
	char *nl, *cwd;
	int i, same;

	if (bk_port_read_at(path, 0, f->head, HEAD_SMALL, &len, NULL) != BK_OK)
		return 0;
	nl = memchr(f->head, '\n', len);
	if (nl == NULL && len == HEAD_SMALL &&
	    bk_port_read_at(path, 0, f->head, HEAD_MAX, &len, NULL) == BK_OK)
		nl = memchr(f->head, '\n', len);
	if (nl == NULL)
		return 0;    /* a torn or oversized header */
	if (bk_json_parse(&j, f->head, (size_t)(nl - f->head), f->tok,
	    HEAD_TOKENS) != BK_OK || f->tok[0].type != JSMN_OBJECT ||
	    !bk_json_is(&j, bk_json_get(&j, 0, "type"), "session"))
		return 0;
	i = bk_json_get(&j, 0, "cwd");
	if (i < 0 || j.t[i].type != JSMN_STRING)
		return 0;
	/* unescape in place: the header is not used again */
	cwd = f->head + j.t[i].start;
	if (bk_json_unescape_inplace(cwd, (size_t)(j.t[i].end - j.t[i].start),
	    &n) != BK_OK)
		return 0;
	same = n == strlen(f->cwd) && memcmp(cwd, f->cwd, n) == 0;
	return same;
}

static int
latest_cb(void *ctx, const char *name)
{
	struct finder *f = ctx;
	char id[BK_SESSION_ID_LEN + 1], path[BK_SESSION_PATH_MAX];
	struct bk_port_stat st;

	if (id_file(name, id) != 0 ||
	    snprintf(path, sizeof(path), "%s/%s", f->dir, name) >=
	    (int)sizeof(path))
		return 0;
	if (bk_port_stat(path, &st, NULL) != BK_OK || !st.is_reg)
		return 0;
	/* the cheap test first: only a newer file needs its header read */
	if (f->matches > 0 && (st.mtime_ns < f->best_mtime ||
	    (st.mtime_ns == f->best_mtime && strcmp(id, f->id) < 0)))
		return 0;
	if (!header_cwd_is(f, path))
		return 0;
	f->matches++;
	f->best_mtime = st.mtime_ns;
	memcpy(f->id, id, sizeof(id));
	return 0;
}

enum bk_err
bk_session_latest_for_cwd(const char *state_dir, const char *cwd,
    char id[BK_SESSION_ID_LEN + 1], char *err, size_t cap)
{
	char dir[BK_SESSION_PATH_MAX];
	struct finder *f;
	struct bk_port_err pe;
	enum bk_err e;

	id[0] = '\0';
	if (join_path(dir, sizeof(dir), state_dir, "/sessions") != 0) {
		msg(err, cap, "state directory path too long");
		return BK_E_LIMIT;
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->head = malloc(HEAD_MAX + 1)) == NULL) {
		free(f);
		msg(err, cap, "out of memory");
		return BK_E_NOMEM;
	}
	f->dir = dir;
	f->cwd = cwd;
	pe.msg[0] = '\0';
	e = bk_port_list_dir(dir, latest_cb, f, &pe);
	if (e != BK_OK && e != BK_E_NOT_FOUND) {
		msg(err, cap, "%s", pe.msg);
	} else if (f->matches == 0) {
		msg(err, cap, "no conversation to continue in %s", cwd);
		e = BK_E_NOT_FOUND;
	} else {
		memcpy(id, f->id, sizeof(f->id));
		e = BK_OK;
	}
	free(f->head);
	free(f);
	return e;
}

enum bk_err
bk_session_resume(struct bk_session *s, const char *state_dir,
    const char *id, struct bk_transcript *t, char *err, size_t cap)
{
	struct bk_port_err pe;
	enum bk_err e;

	memset(s, 0, sizeof(*s));
	bk_transcript_init(t);
	if (bk_session_id_parse(id, s->id) != BK_OK) {
		msg(err, cap, "invalid session ID \"%s\"", id);
		return BK_E_ARG;
	}
	if (bk_session_path(state_dir, s->id, s->path, sizeof(s->path)) !=
	    BK_OK) {
		msg(err, cap, "session path too long");
		return BK_E_LIMIT;
	}
	if ((e = bk_session_load(s->path, t, err, cap)) != BK_OK)
		return e;
	memcpy(s->cwd, t->cwd, sizeof(s->cwd));
	memcpy(s->model, t->model, sizeof(s->model));
	memcpy(s->region, t->region, sizeof(s->region));
	s->created = t->created;
	s->exists = 1;
	if (strcmp(t->id, s->id) != 0)
		warn_add(t->warn, sizeof(t->warn), "%s: its header names "
		    "session %s", s->path, t->id);
	if (t->torn > 0) {
		/* appending after half a line would make it a corrupt line in
		 * the middle: cut it */
		pe.msg[0] = '\0';
		if (bk_port_truncate(s->path, t->valid_len, &pe) != BK_OK) {
			msg(err, cap, "cannot cut the torn last line of %s: "
			    "%s", s->path, pe.msg);
			bk_transcript_free(t);
			return BK_E_IO;
		}
		warn_add(t->warn, sizeof(t->warn), "the torn line was cut "
		    "off");
	}
	memcpy(s->warn, t->warn, sizeof(s->warn));
	return BK_OK;
}
