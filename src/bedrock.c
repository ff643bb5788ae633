/*
 * bedrock.c -- the portable core of bedrock-claude.  See bedrock.h for the
 * contract of every public function; comments here say why.
 *
 * Only <stddef.h>, <stdint.h>, <string.h>, BearSSL's hash/HMAC and jsmn:
 * no malloc, no stdio, no clock, no environment.
 */
#include <string.h>

/* jsmn compiled here, strict and private to this file. */
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

#include <bearssl_hash.h>
#include <bearssl_hmac.h>

#include "bedrock.h"

#define COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/* ==================================================================== */
/* 1. Errors                                                            */
/* ==================================================================== */

const char *
bk_strerror(enum bk_err e)
{
#define BK_ERR_STR_(name, num, text) case name: return text;
	switch (e) {
	BK_ERRORS(BK_ERR_STR_)
	case BK_E_END_:
		break;
	}
#undef BK_ERR_STR_
	return "unknown error";
}

const char *
bk_errname(enum bk_err e)
{
#define BK_ERR_NAME_(name, num, text) case name: return #name;
	switch (e) {
	BK_ERRORS(BK_ERR_NAME_)
	case BK_E_END_:
		break;
	}
#undef BK_ERR_NAME_
	return "BK_E_UNKNOWN";
}

/* ==================================================================== */
/* 1. Buffers and encodings                                             */
/* ==================================================================== */

void
bk_buf_init(struct bk_buf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap > 0 ? cap - 1 : 0;
	b->overflow = (mem == NULL || cap == 0);
	if (cap > 0 && mem != NULL)
		mem[0] = '\0';
}

void
bk_buf_put(struct bk_buf *b, const void *s, size_t n)
{
	if (b->overflow)
		return;
	if (n > b->cap - b->len) {
		b->overflow = 1;
		return;
	}
	if (n > 0)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
bk_buf_puts(struct bk_buf *b, const char *s)
{
	bk_buf_put(b, s, strlen(s));
}

void
bk_buf_putc(struct bk_buf *b, char c)
{
	if (b->overflow)
		return;
	if (b->len >= b->cap) {
		b->overflow = 1;
		return;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

void
bk_buf_put_u64(struct bk_buf *b, uint64_t v)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + (int)(v % 10u));
		v /= 10u;
	} while (v != 0);
	bk_buf_put(b, tmp + i, sizeof(tmp) - i);
}

void
bk_buf_put_i64(struct bk_buf *b, int64_t v)
{
	if (v < 0) {
		bk_buf_putc(b, '-');
		/* negate in unsigned arithmetic: INT64_MIN has no positive twin */
		bk_buf_put_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		bk_buf_put_u64(b, (uint64_t)v);
	}
}

static const char hexdig[] = "0123456789abcdef";

void
bk_buf_put_hex(struct bk_buf *b, const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		bk_buf_putc(b, hexdig[s[i] >> 4]);
		bk_buf_putc(b, hexdig[s[i] & 15]);
	}
}

enum bk_err
bk_buf_err(const struct bk_buf *b)
{
	return b->overflow ? BK_E_BUFSZ : BK_OK;
}

void
bk_hex(char *out, const uint8_t *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdig[in[i] >> 4];
		out[2 * i + 1] = hexdig[in[i] & 15];
	}
}

/* --- base64 --------------------------------------------------------- */

static const char b64enc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0..63 for the alphabet, 64 for '=', 255 for anything else. */
static const uint8_t b64dec[256] = {
#define I 255
	I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I, I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,
	I,I,I,I,I,I,I,I,I,I,I,62,I,I,I,63,
	52,53,54,55,56,57,58,59,60,61,I,I,I,64,I,I,
	I,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,
	15,16,17,18,19,20,21,22,23,24,25,I,I,I,I,I,
	I,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,
	41,42,43,44,45,46,47,48,49,50,51,I,I,I,I,I,
	I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I, I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,
	I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I, I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,
	I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I, I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,
	I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I, I,I,I,I,I,I,I,I,I,I,I,I,I,I,I,I
#undef I
};

enum bk_err
bk_base64_decode(const char *in, size_t n, uint8_t *out, size_t cap,
    size_t *out_len)
{
	const uint8_t *s = (const uint8_t *)in;
	size_t i, o = 0, pad = 0;

	*out_len = 0;
	if (n % 4 != 0)
		return BK_E_BASE64;
	if (n >= 1 && s[n - 1] == '=')
		pad++;
	if (n >= 2 && s[n - 2] == '=')
		pad++;
	if (BK_BASE64_DECODED_MAX(n) - pad > cap)
		return BK_E_BUFSZ;
	/*
	 * Whole quads first, without padding checks in the loop: this is on
	 * the per-chunk path of every streamed answer.  Writing o <= i keeps
	 * in-place decoding safe.
	 */
	for (i = 0; i + 4 < n || (i + 4 == n && pad == 0); i += 4) {
		uint32_t a = b64dec[s[i]], b = b64dec[s[i + 1]],
		    c = b64dec[s[i + 2]], d = b64dec[s[i + 3]];
		if ((a | b | c | d) >= 64)
			return BK_E_BASE64;
		a = (a << 18) | (b << 12) | (c << 6) | d;
		out[o++] = (uint8_t)(a >> 16);
		out[o++] = (uint8_t)(a >> 8);
		out[o++] = (uint8_t)a;
	}
	if (i < n) {
		/* last quad with one or two '=' */
		uint32_t a = b64dec[s[i]], b = b64dec[s[i + 1]],
		    c = b64dec[s[i + 2]];
		if (a >= 64 || b >= 64)
			return BK_E_BASE64;
		if (pad == 2) {
			if ((b & 15) != 0)
				return BK_E_BASE64; /* non-canonical bits */
			out[o++] = (uint8_t)((a << 2) | (b >> 4));
		} else {
			if (c >= 64 || (c & 3) != 0)
				return BK_E_BASE64;
			a = (a << 18) | (b << 12) | (c << 6);
			out[o++] = (uint8_t)(a >> 16);
			out[o++] = (uint8_t)(a >> 8);
		}
	}
	*out_len = o;
	return BK_OK;
}

enum bk_err
bk_base64_encode(const uint8_t *in, size_t n, char *out, size_t cap,
    size_t *out_len)
{
	size_t i, o = 0;

	*out_len = 0;
	if (n > (SIZE_MAX / 4u) * 3u - 2u || BK_BASE64_ENCODED_LEN(n) > cap)
		return BK_E_BUFSZ;
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = ((uint32_t)in[i] << 16) |
		    ((uint32_t)in[i + 1] << 8) | in[i + 2];
		out[o++] = b64enc[v >> 18];
		out[o++] = b64enc[(v >> 12) & 63];
		out[o++] = b64enc[(v >> 6) & 63];
		out[o++] = b64enc[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = b64enc[v >> 18];
		out[o++] = b64enc[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);
		out[o++] = b64enc[v >> 18];
		out[o++] = b64enc[(v >> 12) & 63];
		out[o++] = b64enc[(v >> 6) & 63];
		out[o++] = '=';
	}
	*out_len = o;
	return BK_OK;
}

/* --- URI encoding ----------------------------------------------------- */

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

void
bk_uri_encode(struct bk_buf *b, const char *s, size_t n, int keep_slash)
{
	static const char up[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (is_unreserved(c) || (keep_slash && c == '/')) {
			bk_buf_putc(b, (char)c);
		} else {
			char e[3];
			e[0] = '%';
			e[1] = up[c >> 4];
			e[2] = up[c & 15];
			bk_buf_put(b, e, 3);
		}
	}
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
bk_uri_decode(struct bk_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int h, l;
		if (s[i] == '%' && n - i >= 3 &&
		    (h = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)s[i + 2])) >= 0) {
			bk_buf_putc(b, (char)(h * 16 + l));
			i += 2;
		} else {
			bk_buf_putc(b, s[i]);
		}
	}
}

/* --- time ------------------------------------------------------------ */

/*
 * Civil date from a day count (Howard Hinnant's algorithm): exact for the
 * proleptic Gregorian calendar, no tables, no libc.
 */
static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static void
put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

enum bk_err
bk_time_amz(int64_t t, char out[17])
{
	int64_t days, y;
	unsigned m, d, sec;

	/* 1970-01-01 .. 9999-12-31: four-digit years only */
	if (t < 0 || t > INT64_C(253402300799)) {
		out[0] = '\0';
		return BK_E_ARG;
	}
	days = t / 86400;
	sec = (unsigned)(t % 86400);
	civil_from_days(days, &y, &m, &d);
	put_digits(out, (unsigned)y, 4);
	put_digits(out + 4, m, 2);
	put_digits(out + 6, d, 2);
	out[8] = 'T';
	put_digits(out + 9, sec / 3600, 2);
	put_digits(out + 11, sec / 60 % 60, 2);
	put_digits(out + 13, sec % 60, 2);
	out[15] = 'Z';
	out[16] = '\0';
	return BK_OK;
}

static int
digits(const char *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static enum bk_err
civil_to_epoch(int y, int mo, int d, int h, int mi, int se, int64_t *t)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };

	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
		return BK_E_ARG;
	*t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se;
	return BK_OK;
}

enum bk_err
bk_time_parse_iso8601(const char *s, size_t n, int64_t *t)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0;
	size_t i;
	enum bk_err e;

	/* YYYY-MM-DDTHH:MM:SS */
	if (n < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
	    s[16] != ':' || digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) || digits(s + 17, 2, &se))
		return BK_E_ARG;
	i = 19;
	if (i < n && s[i] == '.') {       /* fractions are dropped */
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if ((e = civil_to_epoch(y, mo, d, h, mi, se, t)) != BK_OK)
		return e;
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 <= n && (s[i] == '+' || s[i] == '-') &&
	    s[i + 3] == ':' && digits(s + i + 1, 2, &oh) == 0 &&
	    digits(s + i + 4, 2, &om) == 0) {
		int64_t off = oh * 3600 + om * 60;
		*t += s[i] == '+' ? -off : off;
		i += 6;
	} else {
		return BK_E_ARG;
	}
	return i == n ? BK_OK : BK_E_ARG;
}

enum bk_err
bk_time_parse_http(const char *s, size_t n, int64_t *t)
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int d, y, h, mi, se, mo;

	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
	if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
	    s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
	    memcmp(s + 25, " GMT", 4) != 0 || digits(s + 5, 2, &d) ||
	    digits(s + 12, 4, &y) || digits(s + 17, 2, &h) ||
	    digits(s + 20, 2, &mi) || digits(s + 23, 2, &se))
		return BK_E_ARG;
	for (mo = 0; mo < 12; mo++)
		if (memcmp(s + 8, mon + 3 * mo, 3) == 0)
			break;
	if (mo == 12)
		return BK_E_ARG;
	return civil_to_epoch(y, mo + 1, d, h, mi, se, t);
}

/* --- constant time, wiping ------------------------------------------- */

int
bk_ct_equal(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= (uint8_t)(x[i] ^ y[i]);
	return acc == 0;
}

void
bk_wipe(void *p, size_t n)
{
	/* memset, then an empty asm that claims to read the memory, so the
	 * store cannot be removed as dead (as musl's explicit_bzero does). */
	if (p == NULL || n == 0)
		return;
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

size_t
bk_redact(char *s, const char *secret)
{
	static const char mark[] = "[redacted]";
	size_t n = strlen(s), m, i, hits = 0;

	/* short strings would match innocent text: real secrets are long */
	if (secret == NULL || (m = strlen(secret)) < 8)
		return 0;
	for (i = 0; m <= n && i <= n - m;) {
		if (memcmp(s + i, secret, m) != 0) {
			i++;
			continue;
		}
		/* the string never grows: short secrets become asterisks */
		if (m >= sizeof(mark) - 1) {
			memcpy(s + i, mark, sizeof(mark) - 1);
			memmove(s + i + sizeof(mark) - 1, s + i + m, n - i - m + 1);
			n -= m - (sizeof(mark) - 1);
			i += sizeof(mark) - 1;
		} else {
			memset(s + i, '*', m);
			i += m;
		}
		hits++;
	}
	return hits;
}

/* ==================================================================== */
/* 2. JSON                                                              */
/* ==================================================================== */

enum bk_err
bk_json_parse(struct bk_json *j, const char *js, size_t len,
    jsmntok_t *toks, unsigned ntoks)
{
	jsmn_parser p;
	int r;

	j->js = js;
	j->len = len;
	j->t = toks;
	j->n = 0;
	j->err_pos = 0;
	if (len > BK_JSON_MAX_TEXT)
		return BK_E_LIMIT;
	jsmn_init(&p);
	r = jsmn_parse(&p, js, len, toks, ntoks);
	j->err_pos = p.pos;
	if (r == JSMN_ERROR_NOMEM)
		return BK_E_JSON_TOKENS;
	if (r < 1)
		return BK_E_JSON;
	/*
	 * jsmn stops at the end of the first value; anything after it other
	 * than whitespace means the text was not one JSON document.
	 */
	{
		size_t i = (size_t)toks[0].end;
		/* a string token ends before its closing quote */
		if (toks[0].type == JSMN_STRING)
			i++;
		for (; i < len; i++) {
			char c = js[i];
			if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
				j->err_pos = i;
				return BK_E_JSON;
			}
		}
	}
	j->n = r;
	return BK_OK;
}

void
bk_text_linecol(const char *text, size_t len, size_t pos, unsigned *line,
    unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	if (pos > len)
		pos = len;
	for (i = 0; i < pos; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++;   /* columns count characters, not bytes */
		}
	}
}

int
bk_json_skip(const struct bk_json *j, int i)
{
	/* `pending` counts tokens still to visit in this subtree.  jsmn gives
	 * an object the number of its keys as size, and each key string a
	 * size of 1 (its value). */
	int pending = 1;

	while (pending > 0 && i < j->n) {
		const jsmntok_t *t = &j->t[i];
		pending--;
		if (t->size > 0)
			pending += t->size;
		i++;
	}
	return i;
}

static int
tok_eq(const struct bk_json *j, int i, const char *s, size_t n)
{
	const jsmntok_t *t = &j->t[i];
	return t->type == JSMN_STRING && (size_t)(t->end - t->start) == n &&
	    memcmp(j->js + t->start, s, n) == 0;
}

int
bk_json_is(const struct bk_json *j, int i, const char *s)
{
	if (i < 0 || i >= j->n)
		return 0;
	return tok_eq(j, i, s, strlen(s));
}

int
bk_json_get(const struct bk_json *j, int obj, const char *key)
{
	size_t kl = strlen(key);
	int i, k, nkeys;

	if (obj < 0 || obj >= j->n || j->t[obj].type != JSMN_OBJECT)
		return -1;
	nkeys = j->t[obj].size;
	i = obj + 1;
	for (k = 0; k < nkeys && i + 1 < j->n; k++) {
		if (tok_eq(j, i, key, kl))
			return i + 1;
		i = bk_json_skip(j, i + 1);
	}
	return -1;
}

/* Append code point cp as UTF-8 at out[*o]; the caller checked room. */
static size_t
utf8_put(uint8_t *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xC0 | (cp >> 6));
		out[1] = (uint8_t)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xE0 | (cp >> 12));
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (uint8_t)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (uint8_t)(0xF0 | (cp >> 18));
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (uint8_t)(0x80 | (cp & 0x3F));
	return 4;
}

static int
hex4(const char *s, uint32_t *v)
{
	int i, h;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if ((h = hexval((unsigned char)s[i])) < 0)
			return -1;
		*v = (*v << 4) | (uint32_t)h;
	}
	return 0;
}

/*
 * Unescape s[0..n) into out (which may equal s: every escape is at least
 * as long as what it decodes to, \uXXXX (6) -> <= 3 bytes, a surrogate
 * pair (12) -> 4 bytes).
 */
static enum bk_err
json_unescape(const char *s, size_t n, char *out, size_t cap, size_t *out_len)
{
	size_t i = 0, o = 0;

	while (i < n) {
		const char *bs = memchr(s + i, '\\', n - i);
		size_t run = bs ? (size_t)(bs - (s + i)) : n - i;
		if (run > cap - o)
			return BK_E_BUFSZ;
		if (out + o != s + i)
			memmove(out + o, s + i, run);
		o += run;
		i += run;
		if (i >= n)
			break;
		/* at a backslash */
		if (n - i < 2)
			return BK_E_JSON;
		{
			char c = s[i + 1], r;
			uint32_t cp;
			switch (c) {
			case '"': r = '"'; break;
			case '\\': r = '\\'; break;
			case '/': r = '/'; break;
			case 'b': r = '\b'; break;
			case 'f': r = '\f'; break;
			case 'n': r = '\n'; break;
			case 'r': r = '\r'; break;
			case 't': r = '\t'; break;
			case 'u':
				if (n - i < 6 || hex4(s + i + 2, &cp) != 0)
					return BK_E_JSON;
				i += 6;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					uint32_t lo;
					if (n - i < 6 || s[i] != '\\' ||
					    s[i + 1] != 'u' ||
					    hex4(s + i + 2, &lo) != 0 ||
					    lo < 0xDC00 || lo > 0xDFFF)
						return BK_E_JSON;
					i += 6;
					cp = 0x10000 + ((cp - 0xD800) << 10) +
					    (lo - 0xDC00);
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					return BK_E_JSON;
				}
				if (cap - o < (size_t)(cp < 0x80 ? 1 :
				    cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4))
					return BK_E_BUFSZ;
				o += utf8_put((uint8_t *)out + o, cp);
				continue;
			default:
				return BK_E_JSON;
			}
			if (o >= cap)
				return BK_E_BUFSZ;
			out[o++] = r;
			i += 2;
		}
	}
	*out_len = o;
	return BK_OK;
}

enum bk_err
bk_json_str(const struct bk_json *j, int i, char *out, size_t cap,
    size_t *out_len)
{
	const jsmntok_t *t;
	enum bk_err e;
	size_t n;

	*out_len = 0;
	if (i < 0 || i >= j->n || j->t[i].type != JSMN_STRING)
		return BK_E_JSON_SHAPE;
	t = &j->t[i];
	if (cap == 0)
		return BK_E_BUFSZ;
	/* one byte kept for a NUL so callers may use the result as a C
	 * string */
	e = json_unescape(j->js + t->start, (size_t)(t->end - t->start), out,
	    cap - 1, &n);
	if (e != BK_OK)
		return e;
	out[n] = '\0';
	*out_len = n;
	return BK_OK;
}

enum bk_err
bk_json_unescape_inplace(char *s, size_t n, size_t *out_len)
{
	return json_unescape(s, n, s, n, out_len);
}

enum bk_err
bk_json_u64(const struct bk_json *j, int i, uint64_t *v)
{
	const jsmntok_t *t;
	uint64_t r = 0;
	int k;

	*v = 0;
	if (i < 0 || i >= j->n || j->t[i].type != JSMN_PRIMITIVE)
		return BK_E_JSON_SHAPE;
	t = &j->t[i];
	if (t->end <= t->start || t->end - t->start > 19)
		return BK_E_JSON_SHAPE;
	for (k = t->start; k < t->end; k++) {
		char c = j->js[k];
		if (c < '0' || c > '9')
			return BK_E_JSON_SHAPE;
		r = r * 10u + (uint64_t)(c - '0');
	}
	*v = r;
	return BK_OK;
}

enum bk_err
bk_json_get_str(const struct bk_json *j, int obj, const char *key, char *out,
    size_t cap)
{
	size_t n;
	int k = bk_json_get(j, obj, key);
	enum bk_err e;

	if (cap > 0)
		out[0] = '\0';
	if (k < 0)
		return BK_E_NOT_FOUND;
	e = bk_json_str(j, k, out, cap, &n);
	/* a value that does not fit or unescape leaves "", never a
	 * half-unescaped text without its NUL: creds.c keeps or prints the
	 * buffer whatever the result (found by tests/fuzz/fuzz_credjson.c) */
	if (e != BK_OK && cap > 0)
		out[0] = '\0';
	return e;
}

/* --- XML: just enough for AWS query-protocol replies ------------------ */

enum bk_err
bk_xml_text(const char *xml, size_t n, const char *tag, char *out, size_t cap)
{
	size_t tl = strlen(tag), i, o = 0, start = 0, end = 0;
	int found = 0;

	if (cap == 0)
		return BK_E_BUFSZ;
	out[0] = '\0';
	/* "<tag>" (or "<tag attr...>"), then text up to "</tag>" */
	for (i = 0; i + tl + 2 <= n; i++) {
		if (xml[i] != '<' || memcmp(xml + i + 1, tag, tl) != 0 ||
		    (xml[i + 1 + tl] != '>' && xml[i + 1 + tl] != ' '))
			continue;
		start = i + 1 + tl;
		while (start < n && xml[start] != '>')
			start++;
		if (start >= n || xml[start - 1] == '/')
			return BK_E_JSON_SHAPE;   /* <tag/> or cut off */
		start++;
		for (end = start; end + tl + 3 <= n; end++)
			if (xml[end] == '<' && xml[end + 1] == '/' &&
			    memcmp(xml + end + 2, tag, tl) == 0 &&
			    xml[end + 2 + tl] == '>') {
				found = 1;
				break;
			}
		break;
	}
	if (!found)
		return BK_E_NOT_FOUND;
	for (i = start; i < end;) {
		char c = xml[i];
		if (c == '&') {
			static const struct { const char *e; char c; } ent[] = {
				{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
				{ "&quot;", '"' }, { "&apos;", '\'' } };
			size_t k, el = 0;
			for (k = 0; k < COUNTOF(ent); k++) {
				el = strlen(ent[k].e);
				if (end - i >= el &&
				    memcmp(xml + i, ent[k].e, el) == 0) {
					c = ent[k].c;
					break;
				}
			}
			if (k == COUNTOF(ent)) {
				/* numeric: &#NN; or &#xHH; */
				uint32_t cp = 0;
				size_t j = i + 2;
				int hex = 0, ok = 0;
				if (j < end && xml[i + 1] == '#') {
					if (xml[j] == 'x' || xml[j] == 'X') {
						hex = 1;
						j++;
					}
					for (; j < end && xml[j] != ';' &&
					    cp < 0x110000; j++) {
						int dv = hex ? hexval((unsigned char)
						    xml[j]) : (xml[j] >= '0' &&
						    xml[j] <= '9' ? xml[j] - '0' : -1);
						if (dv < 0)
							break;
						cp = cp * (hex ? 16u : 10u) +
						    (uint32_t)dv;
						ok = 1;
					}
				}
				if (!ok || j >= end || xml[j] != ';' ||
				    cp == 0 || cp >= 0x110000 ||
				    (cp >= 0xD800 && cp <= 0xDFFF)) {
					out[0] = '\0';
					return BK_E_JSON_SHAPE;
				}
				/* room for this code point's bytes and the NUL,
				 * no more: a text that fits, fits exactly */
				if (cap - o <= (size_t)(cp < 0x80 ? 1 : cp < 0x800 ?
				    2 : cp < 0x10000 ? 3 : 4)) {
					out[0] = '\0';
					return BK_E_BUFSZ;
				}
				o += utf8_put((uint8_t *)out + o, cp);
				i = j + 1;
				continue;
			}
			i += el;
		} else {
			i++;
		}
		if (o + 1 >= cap) {
			/* never a half-decoded text without its NUL: callers
			 * (creds.c, doctor.c) print the buffer whatever the
			 * result (found by tests/fuzz/fuzz_xml.c) */
			out[0] = '\0';
			return BK_E_BUFSZ;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return BK_OK;
}

/*
 * Length of the valid UTF-8 sequence at s[0..n), or 0 if invalid
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
 */
static size_t
utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		if (n >= 2 && (s[1] & 0xC0) == 0x80)
			return 2;
		return 0;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xF4 && s[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

/*
 * Bytes to replace with one U+FFFD at an invalid sequence: its "maximal
 * subpart" (Unicode 15, 3.9): the lead byte and the continuation bytes that
 * could still have begun a valid sequence.  "\xe6\x97" is one error, not
 * two.
 */
static size_t
utf8_bad_len(const uint8_t *s, size_t n)
{
	uint8_t c = s[0], lo = 0x80, hi = 0xBF;
	size_t want, k;

	if (c >= 0xC2 && c <= 0xDF)
		want = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		want = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		want = 4;
	else
		return 1;
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	for (k = 1; k < want && k < n; k++) {
		if (s[k] < lo || s[k] > hi)
			break;
		lo = 0x80;
		hi = 0xBF;
	}
	return k;
}

size_t
bk_utf8_invalid(const uint8_t *s, size_t n)
{
	size_t i = 0, bad = 0;

	while (i < n) {
		size_t k;
		if (s[i] < 0x80) {      /* ASCII without a call: header names
		                           of every event-stream message */
			i++;
			continue;
		}
		k = utf8_seq(s + i, n - i);
		if (k == 0) {
			bad++;
			k = utf8_bad_len(s + i, n - i);
		}
		i += k;
	}
	return bad;
}

void
bk_json_put_str(struct bk_buf *b, const uint8_t *s, size_t n,
    size_t *replaced)
{
	size_t i = 0, run = 0, bad = 0;

	bk_buf_putc(b, '"');
	while (i < n) {
		uint8_t c = s[i];
		size_t k;
		/* copy runs of plain printable ASCII in one go */
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			run++;
			i++;
			continue;
		}
		bk_buf_put(b, s + i - run, run);
		run = 0;
		if (c < 0x80) {
			char e[6];
			switch (c) {
			case '"': bk_buf_put(b, "\\\"", 2); break;
			case '\\': bk_buf_put(b, "\\\\", 2); break;
			case '\n': bk_buf_put(b, "\\n", 2); break;
			case '\r': bk_buf_put(b, "\\r", 2); break;
			case '\t': bk_buf_put(b, "\\t", 2); break;
			case '\b': bk_buf_put(b, "\\b", 2); break;
			case '\f': bk_buf_put(b, "\\f", 2); break;
			default:
				e[0] = '\\'; e[1] = 'u'; e[2] = '0'; e[3] = '0';
				e[4] = hexdig[c >> 4];
				e[5] = hexdig[c & 15];
				bk_buf_put(b, e, 6);
				break;
			}
			i++;
			continue;
		}
		k = utf8_seq(s + i, n - i);
		if (k == 0) {
			bk_buf_put(b, "\xEF\xBF\xBD", 3); /* U+FFFD */
			bad++;
			i += utf8_bad_len(s + i, n - i);
		} else {
			bk_buf_put(b, s + i, k);
			i += k;
		}
	}
	bk_buf_put(b, s + i - run, run);
	bk_buf_putc(b, '"');
	if (replaced != NULL)
		*replaced += bad;
}

/* ==================================================================== */
/* 3. SigV4                                                             */
/* ==================================================================== */

void
bk_sha256(const void *data, size_t n, uint8_t out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, data, n);
	br_sha256_out(&c, out);
	bk_wipe(&c, sizeof(c));
}

void
bk_sha256_hex(const void *data, size_t n, char out[65])
{
	uint8_t h[32];

	bk_sha256(data, n, h);
	bk_hex(out, h, 32);
	out[64] = '\0';
}

void
bk_hmac_sha256(const void *key, size_t klen, const void *data, size_t n,
    uint8_t out[32])
{
	br_hmac_key_context kc;
	br_hmac_context hc;

	br_hmac_key_init(&kc, &br_sha256_vtable, key, klen);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, data, n);
	br_hmac_out(&hc, out);
	/* both contexts hold the key's inner and outer pads */
	bk_wipe(&kc, sizeof(kc));
	bk_wipe(&hc, sizeof(hc));
}

void
bk_sha1_hex(const void *data, size_t n, char out[41])
{
	br_sha1_context c;
	uint8_t h[20];

	br_sha1_init(&c);
	br_sha1_update(&c, data, n);
	br_sha1_out(&c, h);
	bk_hex(out, h, 20);
	out[40] = '\0';
}

static unsigned char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

struct sv_hdr {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
};

static int
name_cmp(const struct sv_hdr *a, const struct sv_hdr *b)
{
	size_t i, n = a->nlen < b->nlen ? a->nlen : b->nlen;

	for (i = 0; i < n; i++) {
		unsigned char x = lower((unsigned char)a->name[i]);
		unsigned char y = lower((unsigned char)b->name[i]);
		if (x != y)
			return x < y ? -1 : 1;
	}
	return a->nlen < b->nlen ? -1 : a->nlen > b->nlen ? 1 : 0;
}

/* Header value, trimmed, with runs of whitespace folded to one space. */
static void
put_trimmed(struct bk_buf *b, const char *v, size_t n)
{
	size_t i = 0;
	int space = 0;

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' ||
	    v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	while (i < n && (v[i] == ' ' || v[i] == '\t'))
		i++;
	for (; i < n; i++) {
		char c = v[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			space = 1;
			continue;
		}
		if (space)
			bk_buf_putc(b, ' ');
		space = 0;
		bk_buf_putc(b, c);
	}
}

/*
 * RFC 3986 remove_dot_segments plus collapsing of empty segments, as the
 * SigV4 suite's "normalize" asks: "//a/./b/../c/" -> "/a/c/".
 */
static enum bk_err
normalize_path(const char *p, size_t n, char *out, size_t cap, size_t *olen)
{
	size_t i = 0, o = 0;
	int trailing = 0;

	while (i < n) {
		size_t j = i, sl;
		while (j < n && p[j] != '/')
			j++;
		sl = j - i;
		if (sl == 0) {
			/* empty segment: collapsed */
		} else if (sl == 1 && p[i] == '.') {
			trailing = 1;
		} else if (sl == 2 && p[i] == '.' && p[i + 1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* the '/' before the popped segment */
			trailing = 1;
		} else {
			if (sl + 1 > cap - o)
				return BK_E_LIMIT;
			out[o++] = '/';
			memcpy(out + o, p + i, sl);
			o += sl;
			trailing = 0;
		}
		i = j + 1;
	}
	if (n > 0 && p[n - 1] == '/')
		trailing = 1;
	if (o == 0 || trailing) {
		if (o >= cap)
			return BK_E_LIMIT;
		out[o++] = '/';
	}
	*olen = o;
	return BK_OK;
}

struct sv_param {
	size_t k, kl, v, vl;   /* offsets into the scratch area */
};

/* Encode s (decoding %XX first unless `raw`) into the scratch area. */
static void
put_query_part(struct bk_buf *b, const char *s, size_t n, int raw)
{
	size_t i;

	if (raw) {
		bk_uri_encode(b, s, n, 0);
		return;
	}
	for (i = 0; i < n; i++) {
		int h, l;
		char c = s[i];
		if (c == '%' && n - i >= 3 &&
		    (h = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)s[i + 2])) >= 0) {
			c = (char)(h * 16 + l);
			i += 2;
		}
		bk_uri_encode(b, &c, 1, 0);
	}
}

static enum bk_err
add_param(struct bk_buf *sb, struct sv_param *pv, size_t *np,
    const char *k, size_t kl, const char *v, size_t vl, int raw)
{
	struct sv_param *p;

	if (*np >= BK_SIGV4_MAX_PARAMS + 8)
		return BK_E_LIMIT;
	p = &pv[(*np)++];
	p->k = sb->len;
	put_query_part(sb, k, kl, raw);
	p->kl = sb->len - p->k;
	p->v = sb->len;
	put_query_part(sb, v, vl, raw);
	p->vl = sb->len - p->v;
	return sb->overflow ? BK_E_LIMIT : BK_OK;
}

static int
param_cmp(const char *base, const struct sv_param *a, const struct sv_param *b)
{
	size_t n = a->kl < b->kl ? a->kl : b->kl;
	int c = memcmp(base + a->k, base + b->k, n);

	if (c != 0)
		return c;
	if (a->kl != b->kl)
		return a->kl < b->kl ? -1 : 1;
	n = a->vl < b->vl ? a->vl : b->vl;
	c = memcmp(base + a->v, base + b->v, n);
	if (c != 0)
		return c;
	return a->vl < b->vl ? -1 : a->vl > b->vl ? 1 : 0;
}

static int
valid_scope_part(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= 64)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!(is_unreserved(c)))
			return 0;
	}
	return 1;
}

/* The four-HMAC key derivation, cached per secret/date/region/service. */
static void
signing_key(struct bk_sigv4_cache *cache, const struct bk_creds *cr,
    const char *date, const char *region, const char *service,
    uint8_t key[32])
{
	uint8_t id[32], k1[32], k2[32], k3[32];
	char ksecret[4 + 256];
	size_t sl = strlen(cr->secret);

	bk_sha256(cr->secret, sl, id);
	if (cache != NULL && cache->valid && memcmp(cache->date, date, 9) == 0 &&
	    strcmp(cache->region, region) == 0 &&
	    strcmp(cache->service, service) == 0 &&
	    bk_ct_equal(cache->secret_id, id, 32)) {
		memcpy(key, cache->key, 32);
		bk_wipe(id, sizeof(id));
		return;
	}
	memcpy(ksecret, "AWS4", 4);
	if (sl > sizeof(ksecret) - 4)
		sl = sizeof(ksecret) - 4; /* caller checked; never reached */
	memcpy(ksecret + 4, cr->secret, sl);
	bk_hmac_sha256(ksecret, 4 + sl, date, 8, k1);
	bk_hmac_sha256(k1, 32, region, strlen(region), k2);
	bk_hmac_sha256(k2, 32, service, strlen(service), k3);
	bk_hmac_sha256(k3, 32, "aws4_request", 12, key);
	if (cache != NULL) {
		cache->valid = 1;
		memcpy(cache->date, date, 9);
		memcpy(cache->region, region, strlen(region) + 1);
		memcpy(cache->service, service, strlen(service) + 1);
		memcpy(cache->secret_id, id, 32);
		memcpy(cache->key, key, 32);
	}
	bk_wipe(ksecret, sizeof(ksecret));
	bk_wipe(k1, sizeof(k1));
	bk_wipe(k2, sizeof(k2));
	bk_wipe(k3, sizeof(k3));
	bk_wipe(id, sizeof(id));
}

enum bk_err
bk_sigv4_sign(struct bk_sigv4 *s, struct bk_sigv4_cache *cache,
    const struct bk_sigv4_request *req, const struct bk_creds *cr,
    const struct bk_sigv4_params *p)
{
	struct sv_hdr h[BK_SIGV4_MAX_HEADERS + 3];
	struct sv_param pv[BK_SIGV4_MAX_PARAMS + 8];
	size_t nh = 0, np = 0, i, j;
	struct bk_buf b, sb, qb;
	char date[9], hash[65], credential[512];
	uint8_t key[32], sig[32];
	int query_mode = (p->mode == BK_SIGV4_QUERY);
	int sign_token = (cr->token != NULL && cr->token[0] != '\0' &&
	    !p->omit_token);
	enum bk_err e = BK_OK;

	s->canonical[0] = s->string_to_sign[0] = s->signature[0] = '\0';
	s->authorization[0] = s->query[0] = s->signed_headers[0] = '\0';
	s->canonical_len = s->string_to_sign_len = 0;

	if (req->method == NULL || req->path == NULL || cr->akid == NULL ||
	    cr->secret == NULL || p->region == NULL || p->service == NULL)
		return BK_E_ARG;
	if (!valid_scope_part(p->region) || !valid_scope_part(p->service))
		return BK_E_ARG;
	if (cr->akid[0] == '\0' || strlen(cr->akid) > 128 ||
	    strlen(cr->secret) > 256 || cr->secret[0] == '\0')
		return BK_E_ARG;
	if (req->nheaders > BK_SIGV4_MAX_HEADERS)
		return BK_E_LIMIT;
	if ((e = bk_time_amz(p->now, s->amz_date)) != BK_OK)
		return e;
	memcpy(date, s->amz_date, 8);
	date[8] = '\0';

	/* payload hash */
	if (p->payload_hash != NULL) {
		if (strlen(p->payload_hash) != 64)
			return BK_E_ARG;
		memcpy(s->payload_hash, p->payload_hash, 65);
	} else {
		bk_sha256_hex(req->body, req->body_len, s->payload_hash);
	}

	/* headers: the caller's, plus the ones signing adds */
	for (i = 0; i < req->nheaders; i++) {
		const struct bk_header *x = &req->headers[i];
		if (x->name_len == 0)
			return BK_E_ARG;
		h[nh].name = x->name;
		h[nh].nlen = x->name_len;
		h[nh].val = x->value;
		h[nh].vlen = x->value_len;
		nh++;
	}
	if (!query_mode) {
		h[nh].name = "x-amz-date";
		h[nh].nlen = 10;
		h[nh].val = s->amz_date;
		h[nh].vlen = 16;
		nh++;
		if (sign_token) {
			h[nh].name = "x-amz-security-token";
			h[nh].nlen = 20;
			h[nh].val = cr->token;
			h[nh].vlen = strlen(cr->token);
			nh++;
		}
		if (p->content_sha256) {
			h[nh].name = "x-amz-content-sha256";
			h[nh].nlen = 20;
			h[nh].val = s->payload_hash;
			h[nh].vlen = 64;
			nh++;
		}
	}
	/* stable insertion sort: repeated headers keep their order */
	for (i = 1; i < nh; i++) {
		struct sv_hdr t = h[i];
		for (j = i; j > 0 && name_cmp(&h[j - 1], &t) > 0; j--)
			h[j] = h[j - 1];
		h[j] = t;
	}
	bk_buf_init(&b, s->signed_headers, sizeof(s->signed_headers));
	for (i = 0; i < nh; i++) {
		if (i > 0 && name_cmp(&h[i - 1], &h[i]) == 0)
			continue;
		if (i > 0)
			bk_buf_putc(&b, ';');
		for (j = 0; j < h[i].nlen; j++)
			bk_buf_putc(&b, (char)lower((unsigned char)h[i].name[j]));
	}
	if (bk_buf_err(&b) != BK_OK)
		return BK_E_LIMIT;

	/* credential scope */
	bk_buf_init(&b, credential, sizeof(credential));
	bk_buf_puts(&b, cr->akid);
	bk_buf_putc(&b, '/');
	bk_buf_puts(&b, date);
	bk_buf_putc(&b, '/');
	bk_buf_puts(&b, p->region);
	bk_buf_putc(&b, '/');
	bk_buf_puts(&b, p->service);
	bk_buf_puts(&b, "/aws4_request");
	if (bk_buf_err(&b) != BK_OK)
		return BK_E_ARG;

	/* query parameters, each decoded then encoded the SigV4 way */
	bk_buf_init(&sb, s->scratch, sizeof(s->scratch));
	if (req->query != NULL) {
		const char *q = req->query, *end = req->query + req->query_len;
		while (q < end) {
			const char *amp = memchr(q, '&', (size_t)(end - q));
			const char *pe = amp ? amp : end, *eq;
			if (pe > q) {
				eq = memchr(q, '=', (size_t)(pe - q));
				if (eq == NULL)
					e = add_param(&sb, pv, &np, q,
					    (size_t)(pe - q), "", 0, 0);
				else
					e = add_param(&sb, pv, &np, q,
					    (size_t)(eq - q), eq + 1,
					    (size_t)(pe - eq - 1), 0);
				if (e != BK_OK)
					return e;
			}
			q = pe + 1;
		}
	}
	if (query_mode) {
		char exp[24];
		struct bk_buf eb;
		bk_buf_init(&eb, exp, sizeof(exp));
		bk_buf_put_u64(&eb, p->expires);
#define ADD(k, v) do { e = add_param(&sb, pv, &np, k, strlen(k), v, \
		strlen(v), 1); if (e != BK_OK) return e; } while (0)
		ADD("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
		ADD("X-Amz-Credential", credential);
		ADD("X-Amz-Date", s->amz_date);
		ADD("X-Amz-Expires", exp);
		ADD("X-Amz-SignedHeaders", s->signed_headers);
		if (sign_token)
			ADD("X-Amz-Security-Token", cr->token);
#undef ADD
	}
	for (i = 1; i < np; i++) {
		struct sv_param t = pv[i];
		for (j = i; j > 0 && param_cmp(s->scratch, &pv[j - 1], &t) > 0;
		    j--)
			pv[j] = pv[j - 1];
		pv[j] = t;
	}

	/* the canonical request */
	bk_buf_init(&b, s->canonical, sizeof(s->canonical));
	bk_buf_puts(&b, req->method);
	bk_buf_putc(&b, '\n');
	{
		const char *path = req->path;
		size_t plen = req->path_len;
		if (p->normalize_path) {
			e = normalize_path(req->path, req->path_len, s->path,
			    sizeof(s->path), &plen);
			if (e != BK_OK)
				return e;
			path = s->path;
		}
		if (plen == 0)
			bk_buf_putc(&b, '/');
		else if (p->double_encode)
			bk_uri_encode(&b, path, plen, 1);
		else
			bk_buf_put(&b, path, plen);
	}
	bk_buf_putc(&b, '\n');
	/* the canonical query is also the presigned URL's query */
	bk_buf_init(&qb, s->query, sizeof(s->query));
	for (i = 0; i < np; i++) {
		if (i > 0)
			bk_buf_putc(&qb, '&');
		bk_buf_put(&qb, s->scratch + pv[i].k, pv[i].kl);
		bk_buf_putc(&qb, '=');
		bk_buf_put(&qb, s->scratch + pv[i].v, pv[i].vl);
	}
	if (bk_buf_err(&qb) != BK_OK)
		return BK_E_LIMIT;
	bk_buf_put(&b, s->query, qb.len);
	bk_buf_putc(&b, '\n');
	for (i = 0; i < nh; i++) {
		if (i > 0 && name_cmp(&h[i - 1], &h[i]) == 0) {
			bk_buf_putc(&b, ',');
		} else {
			if (i > 0)
				bk_buf_putc(&b, '\n');
			for (j = 0; j < h[i].nlen; j++)
				bk_buf_putc(&b,
				    (char)lower((unsigned char)h[i].name[j]));
			bk_buf_putc(&b, ':');
		}
		put_trimmed(&b, h[i].val, h[i].vlen);
	}
	if (nh > 0)
		bk_buf_putc(&b, '\n');
	bk_buf_putc(&b, '\n');
	bk_buf_puts(&b, s->signed_headers);
	bk_buf_putc(&b, '\n');
	bk_buf_put(&b, s->payload_hash, 64);
	if (bk_buf_err(&b) != BK_OK)
		return BK_E_LIMIT;
	s->canonical_len = b.len;

	/* string to sign */
	bk_sha256_hex(s->canonical, s->canonical_len, hash);
	bk_buf_init(&b, s->string_to_sign, sizeof(s->string_to_sign));
	bk_buf_puts(&b, "AWS4-HMAC-SHA256\n");
	bk_buf_puts(&b, s->amz_date);
	bk_buf_putc(&b, '\n');
	bk_buf_puts(&b, date);
	bk_buf_putc(&b, '/');
	bk_buf_puts(&b, p->region);
	bk_buf_putc(&b, '/');
	bk_buf_puts(&b, p->service);
	bk_buf_puts(&b, "/aws4_request\n");
	bk_buf_puts(&b, hash);
	if (bk_buf_err(&b) != BK_OK)
		return BK_E_LIMIT;
	s->string_to_sign_len = b.len;

	/* signature */
	signing_key(cache, cr, date, p->region, p->service, key);
	bk_hmac_sha256(key, 32, s->string_to_sign, s->string_to_sign_len, sig);
	bk_hex(s->signature, sig, 32);
	s->signature[64] = '\0';
	bk_wipe(key, sizeof(key));
	bk_wipe(sig, sizeof(sig));

	if (query_mode) {
		bk_buf_puts(&qb, qb.len > 0 ? "&X-Amz-Signature=" :
		    "X-Amz-Signature=");
		bk_buf_puts(&qb, s->signature);
		if (cr->token != NULL && cr->token[0] != '\0' && !sign_token) {
			bk_buf_puts(&qb, "&X-Amz-Security-Token=");
			bk_uri_encode(&qb, cr->token, strlen(cr->token), 0);
		}
		return bk_buf_err(&qb) != BK_OK ? BK_E_LIMIT : BK_OK;
	}
	bk_buf_init(&b, s->authorization, sizeof(s->authorization));
	bk_buf_puts(&b, "AWS4-HMAC-SHA256 Credential=");
	bk_buf_puts(&b, credential);
	bk_buf_puts(&b, ", SignedHeaders=");
	bk_buf_puts(&b, s->signed_headers);
	bk_buf_puts(&b, ", Signature=");
	bk_buf_puts(&b, s->signature);
	return bk_buf_err(&b) != BK_OK ? BK_E_LIMIT : BK_OK;
}

void
bk_sigv4_wipe(struct bk_sigv4 *s)
{
	/* the canonical request can hold the session token */
	bk_wipe(s, sizeof(*s));
}

void
bk_sigv4_cache_wipe(struct bk_sigv4_cache *c)
{
	bk_wipe(c, sizeof(*c));
}

/* ==================================================================== */
/* 4. Event stream                                                      */
/* ==================================================================== */

/*
 * CRC-32 by slicing-by-8: eight bytes per step through eight tables.  The
 * decoder checks two CRCs over every byte of every streamed answer, and a
 * byte-at-a-time loop would cap decoding near 400 MB/s.  Tables generated
 * with the reflected polynomial 0xEDB88320.
 */
static const uint32_t crc_tab[8][256] = {
{
0x00000000,0x77073096,0xee0e612c,0x990951ba,0x076dc419,0x706af48f,
0xe963a535,0x9e6495a3,0x0edb8832,0x79dcb8a4,0xe0d5e91e,0x97d2d988,
0x09b64c2b,0x7eb17cbd,0xe7b82d07,0x90bf1d91,0x1db71064,0x6ab020f2,
0xf3b97148,0x84be41de,0x1adad47d,0x6ddde4eb,0xf4d4b551,0x83d385c7,
0x136c9856,0x646ba8c0,0xfd62f97a,0x8a65c9ec,0x14015c4f,0x63066cd9,
0xfa0f3d63,0x8d080df5,0x3b6e20c8,0x4c69105e,0xd56041e4,0xa2677172,
0x3c03e4d1,0x4b04d447,0xd20d85fd,0xa50ab56b,0x35b5a8fa,0x42b2986c,
0xdbbbc9d6,0xacbcf940,0x32d86ce3,0x45df5c75,0xdcd60dcf,0xabd13d59,
0x26d930ac,0x51de003a,0xc8d75180,0xbfd06116,0x21b4f4b5,0x56b3c423,
0xcfba9599,0xb8bda50f,0x2802b89e,0x5f058808,0xc60cd9b2,0xb10be924,
0x2f6f7c87,0x58684c11,0xc1611dab,0xb6662d3d,0x76dc4190,0x01db7106,
0x98d220bc,0xefd5102a,0x71b18589,0x06b6b51f,0x9fbfe4a5,0xe8b8d433,
0x7807c9a2,0x0f00f934,0x9609a88e,0xe10e9818,0x7f6a0dbb,0x086d3d2d,
0x91646c97,0xe6635c01,0x6b6b51f4,0x1c6c6162,0x856530d8,0xf262004e,
0x6c0695ed,0x1b01a57b,0x8208f4c1,0xf50fc457,0x65b0d9c6,0x12b7e950,
0x8bbeb8ea,0xfcb9887c,0x62dd1ddf,0x15da2d49,0x8cd37cf3,0xfbd44c65,
0x4db26158,0x3ab551ce,0xa3bc0074,0xd4bb30e2,0x4adfa541,0x3dd895d7,
0xa4d1c46d,0xd3d6f4fb,0x4369e96a,0x346ed9fc,0xad678846,0xda60b8d0,
0x44042d73,0x33031de5,0xaa0a4c5f,0xdd0d7cc9,0x5005713c,0x270241aa,
0xbe0b1010,0xc90c2086,0x5768b525,0x206f85b3,0xb966d409,0xce61e49f,
0x5edef90e,0x29d9c998,0xb0d09822,0xc7d7a8b4,0x59b33d17,0x2eb40d81,
0xb7bd5c3b,0xc0ba6cad,0xedb88320,0x9abfb3b6,0x03b6e20c,0x74b1d29a,
0xead54739,0x9dd277af,0x04db2615,0x73dc1683,0xe3630b12,0x94643b84,
0x0d6d6a3e,0x7a6a5aa8,0xe40ecf0b,0x9309ff9d,0x0a00ae27,0x7d079eb1,
0xf00f9344,0x8708a3d2,0x1e01f268,0x6906c2fe,0xf762575d,0x806567cb,
0x196c3671,0x6e6b06e7,0xfed41b76,0x89d32be0,0x10da7a5a,0x67dd4acc,
0xf9b9df6f,0x8ebeeff9,0x17b7be43,0x60b08ed5,0xd6d6a3e8,0xa1d1937e,
0x38d8c2c4,0x4fdff252,0xd1bb67f1,0xa6bc5767,0x3fb506dd,0x48b2364b,
0xd80d2bda,0xaf0a1b4c,0x36034af6,0x41047a60,0xdf60efc3,0xa867df55,
0x316e8eef,0x4669be79,0xcb61b38c,0xbc66831a,0x256fd2a0,0x5268e236,
0xcc0c7795,0xbb0b4703,0x220216b9,0x5505262f,0xc5ba3bbe,0xb2bd0b28,
0x2bb45a92,0x5cb36a04,0xc2d7ffa7,0xb5d0cf31,0x2cd99e8b,0x5bdeae1d,
0x9b64c2b0,0xec63f226,0x756aa39c,0x026d930a,0x9c0906a9,0xeb0e363f,
0x72076785,0x05005713,0x95bf4a82,0xe2b87a14,0x7bb12bae,0x0cb61b38,
0x92d28e9b,0xe5d5be0d,0x7cdcefb7,0x0bdbdf21,0x86d3d2d4,0xf1d4e242,
0x68ddb3f8,0x1fda836e,0x81be16cd,0xf6b9265b,0x6fb077e1,0x18b74777,
0x88085ae6,0xff0f6a70,0x66063bca,0x11010b5c,0x8f659eff,0xf862ae69,
0x616bffd3,0x166ccf45,0xa00ae278,0xd70dd2ee,0x4e048354,0x3903b3c2,
0xa7672661,0xd06016f7,0x4969474d,0x3e6e77db,0xaed16a4a,0xd9d65adc,
0x40df0b66,0x37d83bf0,0xa9bcae53,0xdebb9ec5,0x47b2cf7f,0x30b5ffe9,
0xbdbdf21c,0xcabac28a,0x53b39330,0x24b4a3a6,0xbad03605,0xcdd70693,
0x54de5729,0x23d967bf,0xb3667a2e,0xc4614ab8,0x5d681b02,0x2a6f2b94,
0xb40bbe37,0xc30c8ea1,0x5a05df1b,0x2d02ef8d,
},
{
0x00000000,0x191b3141,0x32366282,0x2b2d53c3,0x646cc504,0x7d77f445,
0x565aa786,0x4f4196c7,0xc8d98a08,0xd1c2bb49,0xfaefe88a,0xe3f4d9cb,
0xacb54f0c,0xb5ae7e4d,0x9e832d8e,0x87981ccf,0x4ac21251,0x53d92310,
0x78f470d3,0x61ef4192,0x2eaed755,0x37b5e614,0x1c98b5d7,0x05838496,
0x821b9859,0x9b00a918,0xb02dfadb,0xa936cb9a,0xe6775d5d,0xff6c6c1c,
0xd4413fdf,0xcd5a0e9e,0x958424a2,0x8c9f15e3,0xa7b24620,0xbea97761,
0xf1e8e1a6,0xe8f3d0e7,0xc3de8324,0xdac5b265,0x5d5daeaa,0x44469feb,
0x6f6bcc28,0x7670fd69,0x39316bae,0x202a5aef,0x0b07092c,0x121c386d,
0xdf4636f3,0xc65d07b2,0xed705471,0xf46b6530,0xbb2af3f7,0xa231c2b6,
0x891c9175,0x9007a034,0x179fbcfb,0x0e848dba,0x25a9de79,0x3cb2ef38,
0x73f379ff,0x6ae848be,0x41c51b7d,0x58de2a3c,0xf0794f05,0xe9627e44,
0xc24f2d87,0xdb541cc6,0x94158a01,0x8d0ebb40,0xa623e883,0xbf38d9c2,
0x38a0c50d,0x21bbf44c,0x0a96a78f,0x138d96ce,0x5ccc0009,0x45d73148,
0x6efa628b,0x77e153ca,0xbabb5d54,0xa3a06c15,0x888d3fd6,0x91960e97,
0xded79850,0xc7cca911,0xece1fad2,0xf5facb93,0x7262d75c,0x6b79e61d,
0x4054b5de,0x594f849f,0x160e1258,0x0f152319,0x243870da,0x3d23419b,
0x65fd6ba7,0x7ce65ae6,0x57cb0925,0x4ed03864,0x0191aea3,0x188a9fe2,
0x33a7cc21,0x2abcfd60,0xad24e1af,0xb43fd0ee,0x9f12832d,0x8609b26c,
0xc94824ab,0xd05315ea,0xfb7e4629,0xe2657768,0x2f3f79f6,0x362448b7,
0x1d091b74,0x04122a35,0x4b53bcf2,0x52488db3,0x7965de70,0x607eef31,
0xe7e6f3fe,0xfefdc2bf,0xd5d0917c,0xcccba03d,0x838a36fa,0x9a9107bb,
0xb1bc5478,0xa8a76539,0x3b83984b,0x2298a90a,0x09b5fac9,0x10aecb88,
0x5fef5d4f,0x46f46c0e,0x6dd93fcd,0x74c20e8c,0xf35a1243,0xea412302,
0xc16c70c1,0xd8774180,0x9736d747,0x8e2de606,0xa500b5c5,0xbc1b8484,
0x71418a1a,0x685abb5b,0x4377e898,0x5a6cd9d9,0x152d4f1e,0x0c367e5f,
0x271b2d9c,0x3e001cdd,0xb9980012,0xa0833153,0x8bae6290,0x92b553d1,
0xddf4c516,0xc4eff457,0xefc2a794,0xf6d996d5,0xae07bce9,0xb71c8da8,
0x9c31de6b,0x852aef2a,0xca6b79ed,0xd37048ac,0xf85d1b6f,0xe1462a2e,
0x66de36e1,0x7fc507a0,0x54e85463,0x4df36522,0x02b2f3e5,0x1ba9c2a4,
0x30849167,0x299fa026,0xe4c5aeb8,0xfdde9ff9,0xd6f3cc3a,0xcfe8fd7b,
0x80a96bbc,0x99b25afd,0xb29f093e,0xab84387f,0x2c1c24b0,0x350715f1,
0x1e2a4632,0x07317773,0x4870e1b4,0x516bd0f5,0x7a468336,0x635db277,
0xcbfad74e,0xd2e1e60f,0xf9ccb5cc,0xe0d7848d,0xaf96124a,0xb68d230b,
0x9da070c8,0x84bb4189,0x03235d46,0x1a386c07,0x31153fc4,0x280e0e85,
0x674f9842,0x7e54a903,0x5579fac0,0x4c62cb81,0x8138c51f,0x9823f45e,
0xb30ea79d,0xaa1596dc,0xe554001b,0xfc4f315a,0xd7626299,0xce7953d8,
0x49e14f17,0x50fa7e56,0x7bd72d95,0x62cc1cd4,0x2d8d8a13,0x3496bb52,
0x1fbbe891,0x06a0d9d0,0x5e7ef3ec,0x4765c2ad,0x6c48916e,0x7553a02f,
0x3a1236e8,0x230907a9,0x0824546a,0x113f652b,0x96a779e4,0x8fbc48a5,
0xa4911b66,0xbd8a2a27,0xf2cbbce0,0xebd08da1,0xc0fdde62,0xd9e6ef23,
0x14bce1bd,0x0da7d0fc,0x268a833f,0x3f91b27e,0x70d024b9,0x69cb15f8,
0x42e6463b,0x5bfd777a,0xdc656bb5,0xc57e5af4,0xee530937,0xf7483876,
0xb809aeb1,0xa1129ff0,0x8a3fcc33,0x9324fd72,
},
{
0x00000000,0x01c26a37,0x0384d46e,0x0246be59,0x0709a8dc,0x06cbc2eb,
0x048d7cb2,0x054f1685,0x0e1351b8,0x0fd13b8f,0x0d9785d6,0x0c55efe1,
0x091af964,0x08d89353,0x0a9e2d0a,0x0b5c473d,0x1c26a370,0x1de4c947,
0x1fa2771e,0x1e601d29,0x1b2f0bac,0x1aed619b,0x18abdfc2,0x1969b5f5,
0x1235f2c8,0x13f798ff,0x11b126a6,0x10734c91,0x153c5a14,0x14fe3023,
0x16b88e7a,0x177ae44d,0x384d46e0,0x398f2cd7,0x3bc9928e,0x3a0bf8b9,
0x3f44ee3c,0x3e86840b,0x3cc03a52,0x3d025065,0x365e1758,0x379c7d6f,
0x35dac336,0x3418a901,0x3157bf84,0x3095d5b3,0x32d36bea,0x331101dd,
0x246be590,0x25a98fa7,0x27ef31fe,0x262d5bc9,0x23624d4c,0x22a0277b,
0x20e69922,0x2124f315,0x2a78b428,0x2bbade1f,0x29fc6046,0x283e0a71,
0x2d711cf4,0x2cb376c3,0x2ef5c89a,0x2f37a2ad,0x709a8dc0,0x7158e7f7,
0x731e59ae,0x72dc3399,0x7793251c,0x76514f2b,0x7417f172,0x75d59b45,
0x7e89dc78,0x7f4bb64f,0x7d0d0816,0x7ccf6221,0x798074a4,0x78421e93,
0x7a04a0ca,0x7bc6cafd,0x6cbc2eb0,0x6d7e4487,0x6f38fade,0x6efa90e9,
0x6bb5866c,0x6a77ec5b,0x68315202,0x69f33835,0x62af7f08,0x636d153f,
0x612bab66,0x60e9c151,0x65a6d7d4,0x6464bde3,0x662203ba,0x67e0698d,
0x48d7cb20,0x4915a117,0x4b531f4e,0x4a917579,0x4fde63fc,0x4e1c09cb,
0x4c5ab792,0x4d98dda5,0x46c49a98,0x4706f0af,0x45404ef6,0x448224c1,
0x41cd3244,0x400f5873,0x4249e62a,0x438b8c1d,0x54f16850,0x55330267,
0x5775bc3e,0x56b7d609,0x53f8c08c,0x523aaabb,0x507c14e2,0x51be7ed5,
0x5ae239e8,0x5b2053df,0x5966ed86,0x58a487b1,0x5deb9134,0x5c29fb03,
0x5e6f455a,0x5fad2f6d,0xe1351b80,0xe0f771b7,0xe2b1cfee,0xe373a5d9,
0xe63cb35c,0xe7fed96b,0xe5b86732,0xe47a0d05,0xef264a38,0xeee4200f,
0xeca29e56,0xed60f461,0xe82fe2e4,0xe9ed88d3,0xebab368a,0xea695cbd,
0xfd13b8f0,0xfcd1d2c7,0xfe976c9e,0xff5506a9,0xfa1a102c,0xfbd87a1b,
0xf99ec442,0xf85cae75,0xf300e948,0xf2c2837f,0xf0843d26,0xf1465711,
0xf4094194,0xf5cb2ba3,0xf78d95fa,0xf64fffcd,0xd9785d60,0xd8ba3757,
0xdafc890e,0xdb3ee339,0xde71f5bc,0xdfb39f8b,0xddf521d2,0xdc374be5,
0xd76b0cd8,0xd6a966ef,0xd4efd8b6,0xd52db281,0xd062a404,0xd1a0ce33,
0xd3e6706a,0xd2241a5d,0xc55efe10,0xc49c9427,0xc6da2a7e,0xc7184049,
0xc25756cc,0xc3953cfb,0xc1d382a2,0xc011e895,0xcb4dafa8,0xca8fc59f,
0xc8c97bc6,0xc90b11f1,0xcc440774,0xcd866d43,0xcfc0d31a,0xce02b92d,
0x91af9640,0x906dfc77,0x922b422e,0x93e92819,0x96a63e9c,0x976454ab,
0x9522eaf2,0x94e080c5,0x9fbcc7f8,0x9e7eadcf,0x9c381396,0x9dfa79a1,
0x98b56f24,0x99770513,0x9b31bb4a,0x9af3d17d,0x8d893530,0x8c4b5f07,
0x8e0de15e,0x8fcf8b69,0x8a809dec,0x8b42f7db,0x89044982,0x88c623b5,
0x839a6488,0x82580ebf,0x801eb0e6,0x81dcdad1,0x8493cc54,0x8551a663,
0x8717183a,0x86d5720d,0xa9e2d0a0,0xa820ba97,0xaa6604ce,0xaba46ef9,
0xaeeb787c,0xaf29124b,0xad6fac12,0xacadc625,0xa7f18118,0xa633eb2f,
0xa4755576,0xa5b73f41,0xa0f829c4,0xa13a43f3,0xa37cfdaa,0xa2be979d,
0xb5c473d0,0xb40619e7,0xb640a7be,0xb782cd89,0xb2cddb0c,0xb30fb13b,
0xb1490f62,0xb08b6555,0xbbd72268,0xba15485f,0xb853f606,0xb9919c31,
0xbcde8ab4,0xbd1ce083,0xbf5a5eda,0xbe9834ed,
},
{
0x00000000,0xb8bc6765,0xaa09c88b,0x12b5afee,0x8f629757,0x37def032,
0x256b5fdc,0x9dd738b9,0xc5b428ef,0x7d084f8a,0x6fbde064,0xd7018701,
0x4ad6bfb8,0xf26ad8dd,0xe0df7733,0x58631056,0x5019579f,0xe8a530fa,
0xfa109f14,0x42acf871,0xdf7bc0c8,0x67c7a7ad,0x75720843,0xcdce6f26,
0x95ad7f70,0x2d111815,0x3fa4b7fb,0x8718d09e,0x1acfe827,0xa2738f42,
0xb0c620ac,0x087a47c9,0xa032af3e,0x188ec85b,0x0a3b67b5,0xb28700d0,
0x2f503869,0x97ec5f0c,0x8559f0e2,0x3de59787,0x658687d1,0xdd3ae0b4,
0xcf8f4f5a,0x7733283f,0xeae41086,0x525877e3,0x40edd80d,0xf851bf68,
0xf02bf8a1,0x48979fc4,0x5a22302a,0xe29e574f,0x7f496ff6,0xc7f50893,
0xd540a77d,0x6dfcc018,0x359fd04e,0x8d23b72b,0x9f9618c5,0x272a7fa0,
0xbafd4719,0x0241207c,0x10f48f92,0xa848e8f7,0x9b14583d,0x23a83f58,
0x311d90b6,0x89a1f7d3,0x1476cf6a,0xaccaa80f,0xbe7f07e1,0x06c36084,
0x5ea070d2,0xe61c17b7,0xf4a9b859,0x4c15df3c,0xd1c2e785,0x697e80e0,
0x7bcb2f0e,0xc377486b,0xcb0d0fa2,0x73b168c7,0x6104c729,0xd9b8a04c,
0x446f98f5,0xfcd3ff90,0xee66507e,0x56da371b,0x0eb9274d,0xb6054028,
0xa4b0efc6,0x1c0c88a3,0x81dbb01a,0x3967d77f,0x2bd27891,0x936e1ff4,
0x3b26f703,0x839a9066,0x912f3f88,0x299358ed,0xb4446054,0x0cf80731,
0x1e4da8df,0xa6f1cfba,0xfe92dfec,0x462eb889,0x549b1767,0xec277002,
0x71f048bb,0xc94c2fde,0xdbf98030,0x6345e755,0x6b3fa09c,0xd383c7f9,
0xc1366817,0x798a0f72,0xe45d37cb,0x5ce150ae,0x4e54ff40,0xf6e89825,
0xae8b8873,0x1637ef16,0x048240f8,0xbc3e279d,0x21e91f24,0x99557841,
0x8be0d7af,0x335cb0ca,0xed59b63b,0x55e5d15e,0x47507eb0,0xffec19d5,
0x623b216c,0xda874609,0xc832e9e7,0x708e8e82,0x28ed9ed4,0x9051f9b1,
0x82e4565f,0x3a58313a,0xa78f0983,0x1f336ee6,0x0d86c108,0xb53aa66d,
0xbd40e1a4,0x05fc86c1,0x1749292f,0xaff54e4a,0x322276f3,0x8a9e1196,
0x982bbe78,0x2097d91d,0x78f4c94b,0xc048ae2e,0xd2fd01c0,0x6a4166a5,
0xf7965e1c,0x4f2a3979,0x5d9f9697,0xe523f1f2,0x4d6b1905,0xf5d77e60,
0xe762d18e,0x5fdeb6eb,0xc2098e52,0x7ab5e937,0x680046d9,0xd0bc21bc,
0x88df31ea,0x3063568f,0x22d6f961,0x9a6a9e04,0x07bda6bd,0xbf01c1d8,
0xadb46e36,0x15080953,0x1d724e9a,0xa5ce29ff,0xb77b8611,0x0fc7e174,
0x9210d9cd,0x2aacbea8,0x38191146,0x80a57623,0xd8c66675,0x607a0110,
0x72cfaefe,0xca73c99b,0x57a4f122,0xef189647,0xfdad39a9,0x45115ecc,
0x764dee06,0xcef18963,0xdc44268d,0x64f841e8,0xf92f7951,0x41931e34,
0x5326b1da,0xeb9ad6bf,0xb3f9c6e9,0x0b45a18c,0x19f00e62,0xa14c6907,
0x3c9b51be,0x842736db,0x96929935,0x2e2efe50,0x2654b999,0x9ee8defc,
0x8c5d7112,0x34e11677,0xa9362ece,0x118a49ab,0x033fe645,0xbb838120,
0xe3e09176,0x5b5cf613,0x49e959fd,0xf1553e98,0x6c820621,0xd43e6144,
0xc68bceaa,0x7e37a9cf,0xd67f4138,0x6ec3265d,0x7c7689b3,0xc4caeed6,
0x591dd66f,0xe1a1b10a,0xf3141ee4,0x4ba87981,0x13cb69d7,0xab770eb2,
0xb9c2a15c,0x017ec639,0x9ca9fe80,0x241599e5,0x36a0360b,0x8e1c516e,
0x866616a7,0x3eda71c2,0x2c6fde2c,0x94d3b949,0x090481f0,0xb1b8e695,
0xa30d497b,0x1bb12e1e,0x43d23e48,0xfb6e592d,0xe9dbf6c3,0x516791a6,
0xccb0a91f,0x740cce7a,0x66b96194,0xde0506f1,
},
{
0x00000000,0x3d6029b0,0x7ac05360,0x47a07ad0,0xf580a6c0,0xc8e08f70,
0x8f40f5a0,0xb220dc10,0x30704bc1,0x0d106271,0x4ab018a1,0x77d03111,
0xc5f0ed01,0xf890c4b1,0xbf30be61,0x825097d1,0x60e09782,0x5d80be32,
0x1a20c4e2,0x2740ed52,0x95603142,0xa80018f2,0xefa06222,0xd2c04b92,
0x5090dc43,0x6df0f5f3,0x2a508f23,0x1730a693,0xa5107a83,0x98705333,
0xdfd029e3,0xe2b00053,0xc1c12f04,0xfca106b4,0xbb017c64,0x866155d4,
0x344189c4,0x0921a074,0x4e81daa4,0x73e1f314,0xf1b164c5,0xccd14d75,
0x8b7137a5,0xb6111e15,0x0431c205,0x3951ebb5,0x7ef19165,0x4391b8d5,
0xa121b886,0x9c419136,0xdbe1ebe6,0xe681c256,0x54a11e46,0x69c137f6,
0x2e614d26,0x13016496,0x9151f347,0xac31daf7,0xeb91a027,0xd6f18997,
0x64d15587,0x59b17c37,0x1e1106e7,0x23712f57,0x58f35849,0x659371f9,
0x22330b29,0x1f532299,0xad73fe89,0x9013d739,0xd7b3ade9,0xead38459,
0x68831388,0x55e33a38,0x124340e8,0x2f236958,0x9d03b548,0xa0639cf8,
0xe7c3e628,0xdaa3cf98,0x3813cfcb,0x0573e67b,0x42d39cab,0x7fb3b51b,
0xcd93690b,0xf0f340bb,0xb7533a6b,0x8a3313db,0x0863840a,0x3503adba,
0x72a3d76a,0x4fc3feda,0xfde322ca,0xc0830b7a,0x872371aa,0xba43581a,
0x9932774d,0xa4525efd,0xe3f2242d,0xde920d9d,0x6cb2d18d,0x51d2f83d,
0x167282ed,0x2b12ab5d,0xa9423c8c,0x9422153c,0xd3826fec,0xeee2465c,
0x5cc29a4c,0x61a2b3fc,0x2602c92c,0x1b62e09c,0xf9d2e0cf,0xc4b2c97f,
0x8312b3af,0xbe729a1f,0x0c52460f,0x31326fbf,0x7692156f,0x4bf23cdf,
0xc9a2ab0e,0xf4c282be,0xb362f86e,0x8e02d1de,0x3c220dce,0x0142247e,
0x46e25eae,0x7b82771e,0xb1e6b092,0x8c869922,0xcb26e3f2,0xf646ca42,
0x44661652,0x79063fe2,0x3ea64532,0x03c66c82,0x8196fb53,0xbcf6d2e3,
0xfb56a833,0xc6368183,0x74165d93,0x49767423,0x0ed60ef3,0x33b62743,
0xd1062710,0xec660ea0,0xabc67470,0x96a65dc0,0x248681d0,0x19e6a860,
0x5e46d2b0,0x6326fb00,0xe1766cd1,0xdc164561,0x9bb63fb1,0xa6d61601,
0x14f6ca11,0x2996e3a1,0x6e369971,0x5356b0c1,0x70279f96,0x4d47b626,
0x0ae7ccf6,0x3787e546,0x85a73956,0xb8c710e6,0xff676a36,0xc2074386,
0x4057d457,0x7d37fde7,0x3a978737,0x07f7ae87,0xb5d77297,0x88b75b27,
0xcf1721f7,0xf2770847,0x10c70814,0x2da721a4,0x6a075b74,0x576772c4,
0xe547aed4,0xd8278764,0x9f87fdb4,0xa2e7d404,0x20b743d5,0x1dd76a65,
0x5a7710b5,0x67173905,0xd537e515,0xe857cca5,0xaff7b675,0x92979fc5,
0xe915e8db,0xd475c16b,0x93d5bbbb,0xaeb5920b,0x1c954e1b,0x21f567ab,
0x66551d7b,0x5b3534cb,0xd965a31a,0xe4058aaa,0xa3a5f07a,0x9ec5d9ca,
0x2ce505da,0x11852c6a,0x562556ba,0x6b457f0a,0x89f57f59,0xb49556e9,
0xf3352c39,0xce550589,0x7c75d999,0x4115f029,0x06b58af9,0x3bd5a349,
0xb9853498,0x84e51d28,0xc34567f8,0xfe254e48,0x4c059258,0x7165bbe8,
0x36c5c138,0x0ba5e888,0x28d4c7df,0x15b4ee6f,0x521494bf,0x6f74bd0f,
0xdd54611f,0xe03448af,0xa794327f,0x9af41bcf,0x18a48c1e,0x25c4a5ae,
0x6264df7e,0x5f04f6ce,0xed242ade,0xd044036e,0x97e479be,0xaa84500e,
0x4834505d,0x755479ed,0x32f4033d,0x0f942a8d,0xbdb4f69d,0x80d4df2d,
0xc774a5fd,0xfa148c4d,0x78441b9c,0x4524322c,0x028448fc,0x3fe4614c,
0x8dc4bd5c,0xb0a494ec,0xf704ee3c,0xca64c78c,
},
{
0x00000000,0xcb5cd3a5,0x4dc8a10b,0x869472ae,0x9b914216,0x50cd91b3,
0xd659e31d,0x1d0530b8,0xec53826d,0x270f51c8,0xa19b2366,0x6ac7f0c3,
0x77c2c07b,0xbc9e13de,0x3a0a6170,0xf156b2d5,0x03d6029b,0xc88ad13e,
0x4e1ea390,0x85427035,0x9847408d,0x531b9328,0xd58fe186,0x1ed33223,
0xef8580f6,0x24d95353,0xa24d21fd,0x6911f258,0x7414c2e0,0xbf481145,
0x39dc63eb,0xf280b04e,0x07ac0536,0xccf0d693,0x4a64a43d,0x81387798,
0x9c3d4720,0x57619485,0xd1f5e62b,0x1aa9358e,0xebff875b,0x20a354fe,
0xa6372650,0x6d6bf5f5,0x706ec54d,0xbb3216e8,0x3da66446,0xf6fab7e3,
0x047a07ad,0xcf26d408,0x49b2a6a6,0x82ee7503,0x9feb45bb,0x54b7961e,
0xd223e4b0,0x197f3715,0xe82985c0,0x23755665,0xa5e124cb,0x6ebdf76e,
0x73b8c7d6,0xb8e41473,0x3e7066dd,0xf52cb578,0x0f580a6c,0xc404d9c9,
0x4290ab67,0x89cc78c2,0x94c9487a,0x5f959bdf,0xd901e971,0x125d3ad4,
0xe30b8801,0x28575ba4,0xaec3290a,0x659ffaaf,0x789aca17,0xb3c619b2,
0x35526b1c,0xfe0eb8b9,0x0c8e08f7,0xc7d2db52,0x4146a9fc,0x8a1a7a59,
0x971f4ae1,0x5c439944,0xdad7ebea,0x118b384f,0xe0dd8a9a,0x2b81593f,
0xad152b91,0x6649f834,0x7b4cc88c,0xb0101b29,0x36846987,0xfdd8ba22,
0x08f40f5a,0xc3a8dcff,0x453cae51,0x8e607df4,0x93654d4c,0x58399ee9,
0xdeadec47,0x15f13fe2,0xe4a78d37,0x2ffb5e92,0xa96f2c3c,0x6233ff99,
0x7f36cf21,0xb46a1c84,0x32fe6e2a,0xf9a2bd8f,0x0b220dc1,0xc07ede64,
0x46eaacca,0x8db67f6f,0x90b34fd7,0x5bef9c72,0xdd7beedc,0x16273d79,
0xe7718fac,0x2c2d5c09,0xaab92ea7,0x61e5fd02,0x7ce0cdba,0xb7bc1e1f,
0x31286cb1,0xfa74bf14,0x1eb014d8,0xd5ecc77d,0x5378b5d3,0x98246676,
0x852156ce,0x4e7d856b,0xc8e9f7c5,0x03b52460,0xf2e396b5,0x39bf4510,
0xbf2b37be,0x7477e41b,0x6972d4a3,0xa22e0706,0x24ba75a8,0xefe6a60d,
0x1d661643,0xd63ac5e6,0x50aeb748,0x9bf264ed,0x86f75455,0x4dab87f0,
0xcb3ff55e,0x006326fb,0xf135942e,0x3a69478b,0xbcfd3525,0x77a1e680,
0x6aa4d638,0xa1f8059d,0x276c7733,0xec30a496,0x191c11ee,0xd240c24b,
0x54d4b0e5,0x9f886340,0x828d53f8,0x49d1805d,0xcf45f2f3,0x04192156,
0xf54f9383,0x3e134026,0xb8873288,0x73dbe12d,0x6eded195,0xa5820230,
0x2316709e,0xe84aa33b,0x1aca1375,0xd196c0d0,0x5702b27e,0x9c5e61db,
0x815b5163,0x4a0782c6,0xcc93f068,0x07cf23cd,0xf6999118,0x3dc542bd,
0xbb513013,0x700de3b6,0x6d08d30e,0xa65400ab,0x20c07205,0xeb9ca1a0,
0x11e81eb4,0xdab4cd11,0x5c20bfbf,0x977c6c1a,0x8a795ca2,0x41258f07,
0xc7b1fda9,0x0ced2e0c,0xfdbb9cd9,0x36e74f7c,0xb0733dd2,0x7b2fee77,
0x662adecf,0xad760d6a,0x2be27fc4,0xe0beac61,0x123e1c2f,0xd962cf8a,
0x5ff6bd24,0x94aa6e81,0x89af5e39,0x42f38d9c,0xc467ff32,0x0f3b2c97,
0xfe6d9e42,0x35314de7,0xb3a53f49,0x78f9ecec,0x65fcdc54,0xaea00ff1,
0x28347d5f,0xe368aefa,0x16441b82,0xdd18c827,0x5b8cba89,0x90d0692c,
0x8dd55994,0x46898a31,0xc01df89f,0x0b412b3a,0xfa1799ef,0x314b4a4a,
0xb7df38e4,0x7c83eb41,0x6186dbf9,0xaada085c,0x2c4e7af2,0xe712a957,
0x15921919,0xdececabc,0x585ab812,0x93066bb7,0x8e035b0f,0x455f88aa,
0xc3cbfa04,0x089729a1,0xf9c19b74,0x329d48d1,0xb4093a7f,0x7f55e9da,
0x6250d962,0xa90c0ac7,0x2f987869,0xe4c4abcc,
},
{
0x00000000,0xa6770bb4,0x979f1129,0x31e81a9d,0xf44f2413,0x52382fa7,
0x63d0353a,0xc5a73e8e,0x33ef4e67,0x959845d3,0xa4705f4e,0x020754fa,
0xc7a06a74,0x61d761c0,0x503f7b5d,0xf64870e9,0x67de9cce,0xc1a9977a,
0xf0418de7,0x56368653,0x9391b8dd,0x35e6b369,0x040ea9f4,0xa279a240,
0x5431d2a9,0xf246d91d,0xc3aec380,0x65d9c834,0xa07ef6ba,0x0609fd0e,
0x37e1e793,0x9196ec27,0xcfbd399c,0x69ca3228,0x582228b5,0xfe552301,
0x3bf21d8f,0x9d85163b,0xac6d0ca6,0x0a1a0712,0xfc5277fb,0x5a257c4f,
0x6bcd66d2,0xcdba6d66,0x081d53e8,0xae6a585c,0x9f8242c1,0x39f54975,
0xa863a552,0x0e14aee6,0x3ffcb47b,0x998bbfcf,0x5c2c8141,0xfa5b8af5,
0xcbb39068,0x6dc49bdc,0x9b8ceb35,0x3dfbe081,0x0c13fa1c,0xaa64f1a8,
0x6fc3cf26,0xc9b4c492,0xf85cde0f,0x5e2bd5bb,0x440b7579,0xe27c7ecd,
0xd3946450,0x75e36fe4,0xb044516a,0x16335ade,0x27db4043,0x81ac4bf7,
0x77e43b1e,0xd19330aa,0xe07b2a37,0x460c2183,0x83ab1f0d,0x25dc14b9,
0x14340e24,0xb2430590,0x23d5e9b7,0x85a2e203,0xb44af89e,0x123df32a,
0xd79acda4,0x71edc610,0x4005dc8d,0xe672d739,0x103aa7d0,0xb64dac64,
0x87a5b6f9,0x21d2bd4d,0xe47583c3,0x42028877,0x73ea92ea,0xd59d995e,
0x8bb64ce5,0x2dc14751,0x1c295dcc,0xba5e5678,0x7ff968f6,0xd98e6342,
0xe86679df,0x4e11726b,0xb8590282,0x1e2e0936,0x2fc613ab,0x89b1181f,
0x4c162691,0xea612d25,0xdb8937b8,0x7dfe3c0c,0xec68d02b,0x4a1fdb9f,
0x7bf7c102,0xdd80cab6,0x1827f438,0xbe50ff8c,0x8fb8e511,0x29cfeea5,
0xdf879e4c,0x79f095f8,0x48188f65,0xee6f84d1,0x2bc8ba5f,0x8dbfb1eb,
0xbc57ab76,0x1a20a0c2,0x8816eaf2,0x2e61e146,0x1f89fbdb,0xb9fef06f,
0x7c59cee1,0xda2ec555,0xebc6dfc8,0x4db1d47c,0xbbf9a495,0x1d8eaf21,
0x2c66b5bc,0x8a11be08,0x4fb68086,0xe9c18b32,0xd82991af,0x7e5e9a1b,
0xefc8763c,0x49bf7d88,0x78576715,0xde206ca1,0x1b87522f,0xbdf0599b,
0x8c184306,0x2a6f48b2,0xdc27385b,0x7a5033ef,0x4bb82972,0xedcf22c6,
0x28681c48,0x8e1f17fc,0xbff70d61,0x198006d5,0x47abd36e,0xe1dcd8da,
0xd034c247,0x7643c9f3,0xb3e4f77d,0x1593fcc9,0x247be654,0x820cede0,
0x74449d09,0xd23396bd,0xe3db8c20,0x45ac8794,0x800bb91a,0x267cb2ae,
0x1794a833,0xb1e3a387,0x20754fa0,0x86024414,0xb7ea5e89,0x119d553d,
0xd43a6bb3,0x724d6007,0x43a57a9a,0xe5d2712e,0x139a01c7,0xb5ed0a73,
0x840510ee,0x22721b5a,0xe7d525d4,0x41a22e60,0x704a34fd,0xd63d3f49,
0xcc1d9f8b,0x6a6a943f,0x5b828ea2,0xfdf58516,0x3852bb98,0x9e25b02c,
0xafcdaab1,0x09baa105,0xfff2d1ec,0x5985da58,0x686dc0c5,0xce1acb71,
0x0bbdf5ff,0xadcafe4b,0x9c22e4d6,0x3a55ef62,0xabc30345,0x0db408f1,
0x3c5c126c,0x9a2b19d8,0x5f8c2756,0xf9fb2ce2,0xc813367f,0x6e643dcb,
0x982c4d22,0x3e5b4696,0x0fb35c0b,0xa9c457bf,0x6c636931,0xca146285,
0xfbfc7818,0x5d8b73ac,0x03a0a617,0xa5d7ada3,0x943fb73e,0x3248bc8a,
0xf7ef8204,0x519889b0,0x6070932d,0xc6079899,0x304fe870,0x9638e3c4,
0xa7d0f959,0x01a7f2ed,0xc400cc63,0x6277c7d7,0x539fdd4a,0xf5e8d6fe,
0x647e3ad9,0xc209316d,0xf3e12bf0,0x55962044,0x90311eca,0x3646157e,
0x07ae0fe3,0xa1d90457,0x579174be,0xf1e67f0a,0xc00e6597,0x66796e23,
0xa3de50ad,0x05a95b19,0x34414184,0x92364a30,
},
{
0x00000000,0xccaa009e,0x4225077d,0x8e8f07e3,0x844a0efa,0x48e00e64,
0xc66f0987,0x0ac50919,0xd3e51bb5,0x1f4f1b2b,0x91c01cc8,0x5d6a1c56,
0x57af154f,0x9b0515d1,0x158a1232,0xd92012ac,0x7cbb312b,0xb01131b5,
0x3e9e3656,0xf23436c8,0xf8f13fd1,0x345b3f4f,0xbad438ac,0x767e3832,
0xaf5e2a9e,0x63f42a00,0xed7b2de3,0x21d12d7d,0x2b142464,0xe7be24fa,
0x69312319,0xa59b2387,0xf9766256,0x35dc62c8,0xbb53652b,0x77f965b5,
0x7d3c6cac,0xb1966c32,0x3f196bd1,0xf3b36b4f,0x2a9379e3,0xe639797d,
0x68b67e9e,0xa41c7e00,0xaed97719,0x62737787,0xecfc7064,0x205670fa,
0x85cd537d,0x496753e3,0xc7e85400,0x0b42549e,0x01875d87,0xcd2d5d19,
0x43a25afa,0x8f085a64,0x562848c8,0x9a824856,0x140d4fb5,0xd8a74f2b,
0xd2624632,0x1ec846ac,0x9047414f,0x5ced41d1,0x299dc2ed,0xe537c273,
0x6bb8c590,0xa712c50e,0xadd7cc17,0x617dcc89,0xeff2cb6a,0x2358cbf4,
0xfa78d958,0x36d2d9c6,0xb85dde25,0x74f7debb,0x7e32d7a2,0xb298d73c,
0x3c17d0df,0xf0bdd041,0x5526f3c6,0x998cf358,0x1703f4bb,0xdba9f425,
0xd16cfd3c,0x1dc6fda2,0x9349fa41,0x5fe3fadf,0x86c3e873,0x4a69e8ed,
0xc4e6ef0e,0x084cef90,0x0289e689,0xce23e617,0x40ace1f4,0x8c06e16a,
0xd0eba0bb,0x1c41a025,0x92cea7c6,0x5e64a758,0x54a1ae41,0x980baedf,
0x1684a93c,0xda2ea9a2,0x030ebb0e,0xcfa4bb90,0x412bbc73,0x8d81bced,
0x8744b5f4,0x4beeb56a,0xc561b289,0x09cbb217,0xac509190,0x60fa910e,
0xee7596ed,0x22df9673,0x281a9f6a,0xe4b09ff4,0x6a3f9817,0xa6959889,
0x7fb58a25,0xb31f8abb,0x3d908d58,0xf13a8dc6,0xfbff84df,0x37558441,
0xb9da83a2,0x7570833c,0x533b85da,0x9f918544,0x111e82a7,0xddb48239,
0xd7718b20,0x1bdb8bbe,0x95548c5d,0x59fe8cc3,0x80de9e6f,0x4c749ef1,
0xc2fb9912,0x0e51998c,0x04949095,0xc83e900b,0x46b197e8,0x8a1b9776,
0x2f80b4f1,0xe32ab46f,0x6da5b38c,0xa10fb312,0xabcaba0b,0x6760ba95,
0xe9efbd76,0x2545bde8,0xfc65af44,0x30cfafda,0xbe40a839,0x72eaa8a7,
0x782fa1be,0xb485a120,0x3a0aa6c3,0xf6a0a65d,0xaa4de78c,0x66e7e712,
0xe868e0f1,0x24c2e06f,0x2e07e976,0xe2ade9e8,0x6c22ee0b,0xa088ee95,
0x79a8fc39,0xb502fca7,0x3b8dfb44,0xf727fbda,0xfde2f2c3,0x3148f25d,
0xbfc7f5be,0x736df520,0xd6f6d6a7,0x1a5cd639,0x94d3d1da,0x5879d144,
0x52bcd85d,0x9e16d8c3,0x1099df20,0xdc33dfbe,0x0513cd12,0xc9b9cd8c,
0x4736ca6f,0x8b9ccaf1,0x8159c3e8,0x4df3c376,0xc37cc495,0x0fd6c40b,
0x7aa64737,0xb60c47a9,0x3883404a,0xf42940d4,0xfeec49cd,0x32464953,
0xbcc94eb0,0x70634e2e,0xa9435c82,0x65e95c1c,0xeb665bff,0x27cc5b61,
0x2d095278,0xe1a352e6,0x6f2c5505,0xa386559b,0x061d761c,0xcab77682,
0x44387161,0x889271ff,0x825778e6,0x4efd7878,0xc0727f9b,0x0cd87f05,
0xd5f86da9,0x19526d37,0x97dd6ad4,0x5b776a4a,0x51b26353,0x9d1863cd,
0x1397642e,0xdf3d64b0,0x83d02561,0x4f7a25ff,0xc1f5221c,0x0d5f2282,
0x079a2b9b,0xcb302b05,0x45bf2ce6,0x89152c78,0x50353ed4,0x9c9f3e4a,
0x121039a9,0xdeba3937,0xd47f302e,0x18d530b0,0x965a3753,0x5af037cd,
0xff6b144a,0x33c114d4,0xbd4e1337,0x71e413a9,0x7b211ab0,0xb78b1a2e,
0x39041dcd,0xf5ae1d53,0x2c8e0fff,0xe0240f61,0x6eab0882,0xa201081c,
0xa8c40105,0x646e019b,0xeae10678,0x264b06e6,
},
};

uint32_t
bk_crc32(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;

	crc = ~crc;
	while (n >= 8) {
		uint32_t a = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
		uint32_t b = (uint32_t)p[4] | (uint32_t)p[5] << 8 |
		    (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
		crc = crc_tab[7][a & 0xff] ^ crc_tab[6][(a >> 8) & 0xff] ^
		    crc_tab[5][(a >> 16) & 0xff] ^ crc_tab[4][a >> 24] ^
		    crc_tab[3][b & 0xff] ^ crc_tab[2][(b >> 8) & 0xff] ^
		    crc_tab[1][(b >> 16) & 0xff] ^ crc_tab[0][b >> 24];
		p += 8;
		n -= 8;
	}
	while (n-- > 0)
		crc = crc_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t
dec32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t
dec64be(const uint8_t *p)
{
	return (uint64_t)dec32be(p) << 32 | dec32be(p + 4);
}

static void
enc32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
bk_evs_init(struct bk_evs *d, uint8_t *buf, size_t cap)
{
	memset(d, 0, sizeof(*d));
	d->buf = buf;
	d->cap = cap;
}

static size_t
evs_limit(const struct bk_evs *d)
{
	return d->cap < BK_EVS_MSG_MAX ? d->cap : BK_EVS_MSG_MAX;
}

static enum bk_evs_status
evs_fail(struct bk_evs *d, enum bk_err e, uint32_t a, uint32_t b)
{
	d->err = e;
	d->err_a = a;
	d->err_b = b;
	return BK_EVS_ERROR;
}

/* Check a 12-byte prelude: its CRC before anything else, then lengths. */
static enum bk_evs_status
evs_prelude(struct bk_evs *d, const uint8_t *p, uint32_t *crc_state)
{
	uint32_t total = dec32be(p), hl = dec32be(p + 4);
	uint32_t want = dec32be(p + 8), got = bk_crc32(0, p, 8);

	if (got != want)
		return evs_fail(d, BK_E_EVS_PRELUDE_CRC, got, want);
	if (total < BK_EVS_MIN_LEN)
		return evs_fail(d, BK_E_EVS_TOO_SMALL, total, 0);
	if (total > evs_limit(d))
		return evs_fail(d, BK_E_EVS_TOO_LARGE, total,
		    (uint32_t)evs_limit(d));
	if (hl > total - BK_EVS_MIN_LEN)
		return evs_fail(d, BK_E_EVS_HEADERS_LEN, hl, total);
	/* the message CRC covers the prelude too: continue from here */
	*crc_state = bk_crc32(got, p + 8, 4);
	return BK_EVS_NEED_MORE;
}

/* Verify the message CRC of a complete message m, then parse it. */
static enum bk_evs_status
evs_message(struct bk_evs *d, const uint8_t *m, uint32_t crc_state)
{
	struct bk_evs_message *msg = &d->msg;
	uint32_t total = dec32be(m), hl = dec32be(m + 4);
	uint32_t want = dec32be(m + total - 4);
	uint32_t got = bk_crc32(crc_state, m + 12, total - 16);
	size_t pos = 12, end = 12 + (size_t)hl;

	if (got != want)
		return evs_fail(d, BK_E_EVS_MESSAGE_CRC, got, want);
	msg->total_len = total;
	msg->headers_len = hl;
	msg->prelude_crc = dec32be(m + 8);
	msg->message_crc = want;
	msg->nh = 0;
	while (pos < end) {
		struct bk_evs_header *h;
		size_t nl = m[pos++], need;
		if (nl == 0 || nl > end - pos)
			return evs_fail(d, BK_E_EVS_HEADER_NAME,
			    (uint32_t)(pos - 1), (uint32_t)nl);
		if (msg->nh >= BK_EVS_MAX_HEADERS)
			return evs_fail(d, BK_E_EVS_TOO_MANY_HEADERS,
			    BK_EVS_MAX_HEADERS, 0);
		if (bk_utf8_invalid(m + pos, nl) != 0)
			return evs_fail(d, BK_E_EVS_HEADER_NAME,
			    (uint32_t)(pos - 1), (uint32_t)nl);
		h = &msg->h[msg->nh];
		h->name = (const char *)(m + pos);
		h->name_len = nl;
		pos += nl;
		if (pos >= end)
			return evs_fail(d, BK_E_EVS_HEADER_VALUE,
			    (uint32_t)pos, 0);
		h->type = (enum bk_evs_type)m[pos++];
		h->i = 0;
		h->v = NULL;
		h->v_len = 0;
		switch (m[pos - 1]) {
		case BK_EVS_BOOL_TRUE: h->i = 1; need = 0; break;
		case BK_EVS_BOOL_FALSE: need = 0; break;
		case BK_EVS_BYTE: need = 1; break;
		case BK_EVS_INT16: need = 2; break;
		case BK_EVS_INT32: need = 4; break;
		case BK_EVS_INT64:
		case BK_EVS_TIMESTAMP: need = 8; break;
		case BK_EVS_UUID: need = 16; break;
		case BK_EVS_BYTES:
		case BK_EVS_STRING:
			if (end - pos < 2)
				return evs_fail(d, BK_E_EVS_HEADER_VALUE,
				    (uint32_t)pos, 2);
			need = (size_t)m[pos] << 8 | m[pos + 1];
			pos += 2;
			/* the format's limit; the encoder keeps it too */
			if (need > 32767)
				return evs_fail(d, BK_E_EVS_HEADER_VALUE,
				    (uint32_t)pos, (uint32_t)need);
			break;
		default:
			return evs_fail(d, BK_E_EVS_HEADER_TYPE,
			    m[pos - 1], (uint32_t)(pos - 1));
		}
		if (need > end - pos)
			return evs_fail(d, BK_E_EVS_HEADER_VALUE,
			    (uint32_t)pos, (uint32_t)need);
		switch (h->type) {
		case BK_EVS_BYTE:
			h->i = (int8_t)m[pos];
			break;
		case BK_EVS_INT16:
			h->i = (int16_t)(uint16_t)((unsigned)m[pos] << 8 |
			    m[pos + 1]);
			break;
		case BK_EVS_INT32:
			h->i = (int32_t)dec32be(m + pos);
			break;
		case BK_EVS_INT64:
		case BK_EVS_TIMESTAMP:
			h->i = (int64_t)dec64be(m + pos);
			break;
		case BK_EVS_BYTES:
		case BK_EVS_STRING:
		case BK_EVS_UUID:
			h->v = m + pos;
			h->v_len = need;
			break;
		case BK_EVS_BOOL_TRUE:
		case BK_EVS_BOOL_FALSE:
			break;
		}
		pos += need;
		msg->nh++;
	}
	msg->payload = m + end;
	msg->payload_len = total - BK_EVS_MIN_LEN - hl;
	d->offset += total;
	d->messages++;
	return BK_EVS_MESSAGE;
}

enum bk_evs_status
bk_evs_push(struct bk_evs *d, const uint8_t *in, size_t len, size_t *used)
{
	uint32_t crc;
	size_t take;

	*used = 0;
	if (d->err != BK_OK)
		return BK_EVS_ERROR;
	/* a buffer that cannot hold the smallest message fails the same way
	 * however the input is split */
	if (d->cap < BK_EVS_MIN_LEN)
		return evs_fail(d, BK_E_EVS_TOO_LARGE, 0, (uint32_t)d->cap);

	/* whole message in the input and nothing buffered: no copy */
	if (d->have == 0 && len >= BK_EVS_PRELUDE_LEN) {
		if (evs_prelude(d, in, &crc) == BK_EVS_ERROR)
			return BK_EVS_ERROR;
		if (dec32be(in) <= len) {
			*used = dec32be(in);
			return evs_message(d, in, crc);
		}
	}
	if (d->have < BK_EVS_PRELUDE_LEN) {
		if (d->cap < BK_EVS_MIN_LEN)
			return evs_fail(d, BK_E_EVS_TOO_LARGE, 0,
			    (uint32_t)d->cap);
		take = BK_EVS_PRELUDE_LEN - d->have;
		if (take > len)
			take = len;
		memcpy(d->buf + d->have, in, take);
		d->have += take;
		*used += take;
		if (d->have < BK_EVS_PRELUDE_LEN)
			return BK_EVS_NEED_MORE;
		if (evs_prelude(d, d->buf, &crc) == BK_EVS_ERROR)
			return BK_EVS_ERROR;
		d->total = dec32be(d->buf);
	}
	take = d->total - d->have;
	if (take > len - *used)
		take = len - *used;
	memcpy(d->buf + d->have, in + *used, take);
	d->have += take;
	*used += take;
	if (d->have < d->total)
		return BK_EVS_NEED_MORE;
	d->have = 0;
	/* the prelude was checked when it arrived; restart its CRC here */
	crc = bk_crc32(0, d->buf, BK_EVS_PRELUDE_LEN);
	return evs_message(d, d->buf, crc);
}

enum bk_err
bk_evs_finish(struct bk_evs *d)
{
	if (d->err != BK_OK)
		return d->err;
	if (d->have > 0) {
		d->err = BK_E_EVS_TRUNCATED;
		d->err_a = (uint32_t)d->have;
		d->err_b = d->have >= BK_EVS_PRELUDE_LEN ? d->total : 0;
	}
	return d->err;
}

static void
put_hex32(struct bk_buf *b, uint32_t v)
{
	uint8_t x[4];

	enc32be(x, v);
	bk_buf_puts(b, "0x");
	bk_buf_put_hex(b, x, 4);
}

void
bk_evs_describe(const struct bk_evs *d, struct bk_buf *out)
{
	bk_buf_puts(out, bk_strerror(d->err));
	switch ((int)d->err) {
	case BK_E_EVS_PRELUDE_CRC:
	case BK_E_EVS_MESSAGE_CRC:
		bk_buf_puts(out, " (computed ");
		put_hex32(out, d->err_a);
		bk_buf_puts(out, ", received ");
		put_hex32(out, d->err_b);
		bk_buf_putc(out, ')');
		break;
	case BK_E_EVS_TOO_LARGE:
		bk_buf_puts(out, ": message of ");
		bk_buf_put_u64(out, d->err_a);
		bk_buf_puts(out, " bytes, limit ");
		bk_buf_put_u64(out, d->err_b);
		break;
	case BK_E_EVS_TOO_SMALL:
		bk_buf_puts(out, ": total length ");
		bk_buf_put_u64(out, d->err_a);
		break;
	case BK_E_EVS_HEADERS_LEN:
		bk_buf_puts(out, ": headers length ");
		bk_buf_put_u64(out, d->err_a);
		bk_buf_puts(out, " in a message of ");
		bk_buf_put_u64(out, d->err_b);
		bk_buf_puts(out, " bytes");
		break;
	case BK_E_EVS_TRUNCATED:
		bk_buf_puts(out, ": ");
		bk_buf_put_u64(out, d->err_a);
		if (d->err_b > 0) {
			bk_buf_puts(out, " of ");
			bk_buf_put_u64(out, d->err_b);
		}
		bk_buf_puts(out, " bytes received");
		break;
	case BK_E_EVS_HEADER_TYPE:
		bk_buf_puts(out, ": type ");
		bk_buf_put_u64(out, d->err_a);
		break;
	default:
		break;
	}
	bk_buf_puts(out, " at stream offset ");
	bk_buf_put_u64(out, d->offset);
}

const struct bk_evs_header *
bk_evs_find(const struct bk_evs_message *m, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < m->nh; i++) {
		const struct bk_evs_header *h = &m->h[i];
		if (h->name_len == n && memcmp(h->name, name, n) == 0)
			return h;
	}
	return NULL;
}

enum bk_err
bk_evs_encode(const struct bk_evs_header *h, size_t nh,
    const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
    size_t *out_len)
{
	size_t i, hl = 0, total, pos;

	*out_len = 0;
	for (i = 0; i < nh; i++) {
		size_t vl;
		if (h[i].name_len == 0 || h[i].name_len > 255)
			return BK_E_ARG;
		switch (h[i].type) {
		case BK_EVS_BOOL_TRUE: case BK_EVS_BOOL_FALSE: vl = 0; break;
		case BK_EVS_BYTE: vl = 1; break;
		case BK_EVS_INT16: vl = 2; break;
		case BK_EVS_INT32: vl = 4; break;
		case BK_EVS_INT64: case BK_EVS_TIMESTAMP: vl = 8; break;
		case BK_EVS_UUID:
			if (h[i].v_len != 16)
				return BK_E_ARG;
			vl = 16;
			break;
		case BK_EVS_BYTES: case BK_EVS_STRING:
			if (h[i].v_len > 32767)
				return BK_E_ARG;
			vl = 2 + h[i].v_len;
			break;
		default:
			return BK_E_ARG;
		}
		hl += 2 + h[i].name_len + vl;
		if (hl > BK_EVS_MSG_MAX)
			return BK_E_LIMIT;
	}
	if (payload_len > BK_EVS_MSG_MAX - BK_EVS_MIN_LEN - hl)
		return BK_E_LIMIT;
	total = BK_EVS_MIN_LEN + hl + payload_len;
	if (total > cap)
		return BK_E_BUFSZ;
	enc32be(out, (uint32_t)total);
	enc32be(out + 4, (uint32_t)hl);
	enc32be(out + 8, bk_crc32(0, out, 8));
	pos = 12;
	for (i = 0; i < nh; i++) {
		uint64_t v = (uint64_t)h[i].i;
		out[pos++] = (uint8_t)h[i].name_len;
		memcpy(out + pos, h[i].name, h[i].name_len);
		pos += h[i].name_len;
		out[pos++] = (uint8_t)h[i].type;
		switch (h[i].type) {
		case BK_EVS_BOOL_TRUE: case BK_EVS_BOOL_FALSE: break;
		case BK_EVS_BYTE: out[pos++] = (uint8_t)v; break;
		case BK_EVS_INT16:
			out[pos++] = (uint8_t)(v >> 8);
			out[pos++] = (uint8_t)v;
			break;
		case BK_EVS_INT32: enc32be(out + pos, (uint32_t)v); pos += 4;
			break;
		case BK_EVS_INT64: case BK_EVS_TIMESTAMP:
			enc32be(out + pos, (uint32_t)(v >> 32));
			enc32be(out + pos + 4, (uint32_t)v);
			pos += 8;
			break;
		case BK_EVS_UUID:
			memcpy(out + pos, h[i].v, 16);
			pos += 16;
			break;
		case BK_EVS_BYTES: case BK_EVS_STRING:
			out[pos++] = (uint8_t)(h[i].v_len >> 8);
			out[pos++] = (uint8_t)h[i].v_len;
			if (h[i].v_len > 0)
				memcpy(out + pos, h[i].v, h[i].v_len);
			pos += h[i].v_len;
			break;
		}
	}
	if (payload_len > 0)
		memcpy(out + pos, payload, payload_len);
	pos += payload_len;
	enc32be(out + pos, bk_crc32(0, out, pos));
	*out_len = total;
	return BK_OK;
}

/* ==================================================================== */
/* 5. Bedrock                                                           */
/* ==================================================================== */

/* --- request body ---------------------------------------------------- */

static void
put_milli(struct bk_buf *b, int milli)
{
	/* 700 -> "0.7", 1000 -> "1", 25 -> "0.025": JSON numbers without
	 * floating point, so the same input always gives the same bytes */
	char frac[4];
	int i, n = 3;

	bk_buf_put_u64(b, (uint64_t)(milli / 1000));
	frac[0] = (char)('0' + milli / 100 % 10);
	frac[1] = (char)('0' + milli / 10 % 10);
	frac[2] = (char)('0' + milli % 10);
	while (n > 0 && frac[n - 1] == '0')
		n--;
	if (n > 0) {
		bk_buf_putc(b, '.');
		for (i = 0; i < n; i++)
			bk_buf_putc(b, frac[i]);
	}
}

enum bk_err
bk_body_messages(struct bk_buf *out, const struct bk_body *b,
    size_t *replaced)
{
	size_t i, bad = 0;

	if (b->nmessages == 0 || b->messages[0].role != BK_ROLE_USER)
		return BK_E_ARG;
	if (b->max_tokens == 0 || b->temperature_milli > 1000)
		return BK_E_ARG;
	for (i = 1; i < b->nmessages; i++)
		if (b->messages[i].role == b->messages[i - 1].role)
			return BK_E_ARG;

	bk_buf_puts(out, "{\"anthropic_version\":\"bedrock-2023-05-31\","
	    "\"max_tokens\":");
	bk_buf_put_u64(out, b->max_tokens);
	if (b->system != NULL && b->system_len > 0) {
		bk_buf_puts(out, ",\"system\":");
		bk_json_put_str(out, b->system, b->system_len, &bad);
	}
	if (b->temperature_milli >= 0) {
		bk_buf_puts(out, ",\"temperature\":");
		put_milli(out, b->temperature_milli);
	}
	bk_buf_puts(out, ",\"messages\":[");
	for (i = 0; i < b->nmessages; i++) {
		const struct bk_message *m = &b->messages[i];
		if (i > 0)
			bk_buf_putc(out, ',');
		bk_buf_puts(out, m->role == BK_ROLE_USER ?
		    "{\"role\":\"user\",\"content\":" :
		    "{\"role\":\"assistant\",\"content\":");
		bk_json_put_str(out, m->text, m->len, &bad);
		bk_buf_putc(out, '}');
	}
	bk_buf_puts(out, "]}");
	if (replaced != NULL)
		*replaced = bad;
	return bk_buf_err(out);
}

/* --- stream events --------------------------------------------------- */

void
bk_stream_init(struct bk_stream *s, uint8_t *scratch, size_t cap)
{
	memset(s, 0, sizeof(*s));
	s->scratch = scratch;
	s->cap = cap;
}

/*
 * Copy service text into dst as a C string fit for a terminal: C0 and C1
 * control characters and DEL become spaces (a hostile reply must not move
 * the cursor or retitle the window), invalid UTF-8 becomes '?', and the
 * text is cut at a character boundary.
 */
void
bk_copy_clean(char *dst, size_t cap, const char *src, size_t n)
{
	const uint8_t *s = (const uint8_t *)src;
	size_t i = 0, o = 0;

	if (cap == 0)
		return;
	while (i < n) {
		size_t k = utf8_seq(s + i, n - i);
		if (k == 0) {
			if (o + 1 >= cap)
				break;
			dst[o++] = '?';
			i += utf8_bad_len(s + i, n - i);
			continue;
		}
		if (o + k >= cap)
			break;
		if ((k == 1 && (s[i] < 0x20 || s[i] == 0x7f)) ||
		    (k == 2 && s[i] == 0xC2 && s[i + 1] < 0xA0)) {
			dst[o++] = ' ';     /* U+0080..U+009F are C1 controls */
		} else {
			/* memmove: callers may clean a string in place */
			memmove(dst + o, s + i, k);
			o += k;
		}
		i += k;
	}
	dst[o] = '\0';
}

static enum bk_err
stream_fail(struct bk_stream *s, struct bk_stream_event *ev, enum bk_err e,
    const char *type, size_t tl, const char *msg, size_t ml)
{
	s->err = e;
	bk_copy_clean(s->err_type, sizeof(s->err_type), type, tl);
	bk_copy_clean(s->err_msg, sizeof(s->err_msg), msg, ml);
	ev->kind = BK_SEV_ERROR;
	return e;
}

/* Map an AWS error type (either case of its first letter) to a code. */
static enum bk_err
svc_code(const char *t, size_t n)
{
	static const struct { const char *name; enum bk_err code; } map[] = {
		{ "accessDeniedException", BK_E_SVC_ACCESS_DENIED },
		{ "validationException", BK_E_SVC_VALIDATION },
		{ "resourceNotFoundException", BK_E_SVC_NOT_FOUND },
		{ "unrecognizedClientException", BK_E_SVC_UNRECOGNIZED_CLIENT },
		{ "invalidSignatureException", BK_E_SVC_INVALID_SIGNATURE },
		{ "incompleteSignatureException", BK_E_SVC_INVALID_SIGNATURE },
		{ "signatureDoesNotMatch", BK_E_SVC_INVALID_SIGNATURE },
		{ "missingAuthenticationTokenException",
		    BK_E_SVC_UNRECOGNIZED_CLIENT },
		{ "expiredTokenException", BK_E_SVC_EXPIRED_TOKEN },
		{ "expiredToken", BK_E_SVC_EXPIRED_TOKEN },
		{ "throttlingException", BK_E_SVC_THROTTLING },
		{ "tooManyRequestsException", BK_E_SVC_THROTTLING },
		{ "serviceQuotaExceededException", BK_E_SVC_QUOTA },
		{ "internalServerException", BK_E_SVC_INTERNAL },
		{ "internalFailure", BK_E_SVC_INTERNAL },
		{ "serviceUnavailableException", BK_E_SVC_UNAVAILABLE },
		{ "serviceUnavailable", BK_E_SVC_UNAVAILABLE },
		{ "modelTimeoutException", BK_E_SVC_MODEL_TIMEOUT },
		{ "modelStreamErrorException", BK_E_SVC_MODEL_STREAM },
		{ "modelNotReadyException", BK_E_SVC_MODEL_NOT_READY },
		{ "modelErrorException", BK_E_SVC_MODEL_ERROR },
	};
	size_t i;

	if (n == 0)
		return BK_E_SVC_OTHER;
	for (i = 0; i < COUNTOF(map); i++) {
		const char *m = map[i].name;
		if (strlen(m) == n && lower((unsigned char)t[0]) == m[0] &&
		    memcmp(t + 1, m + 1, n - 1) == 0)
			return map[i].code;
	}
	return BK_E_SVC_OTHER;
}

static int
contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle), h = strlen(hay), i;

	for (i = 0; i + n <= h; i++)
		if (memcmp(hay + i, needle, n) == 0)
			return 1;
	return 0;
}

/* Refine a code using the message where AWS overloads one type. */
static enum bk_err
svc_refine(enum bk_err code, const char *msg)
{
	if (code == BK_E_SVC_VALIDATION) {
		if (contains(msg, "on-demand throughput"))
			return BK_E_SVC_ON_DEMAND;
		if (contains(msg, "model identifier is invalid"))
			return BK_E_SVC_INVALID_MODEL;
	}
	if (code == BK_E_SVC_INVALID_SIGNATURE &&
	    (contains(msg, "Signature expired") ||
	    contains(msg, "Signature not yet current")))
		return BK_E_SVC_SIGNATURE_EXPIRED;
	if (code == BK_E_SVC_THROTTLING || code == BK_E_SVC_QUOTA)
		return code;
	if (code == BK_E_SVC_UNRECOGNIZED_CLIENT &&
	    contains(msg, "security token included in the request is expired"))
		return BK_E_SVC_EXPIRED_TOKEN;
	return code;
}

static enum bk_err
stream_exception(struct bk_stream *s, const struct bk_evs_message *m,
    struct bk_stream_event *ev, int is_error_type)
{
	const struct bk_evs_header *t, *em;
	struct bk_json j;
	const char *type = "", *msg = "";
	size_t tl = 0, ml = 0;
	enum bk_err code;

	if (is_error_type) {
		/* generic ":message-type error" with code and message headers */
		t = bk_evs_find(m, ":error-code");
		em = bk_evs_find(m, ":error-message");
		if (t != NULL && t->type == BK_EVS_STRING) {
			type = (const char *)t->v;
			tl = t->v_len;
		}
		if (em != NULL && em->type == BK_EVS_STRING) {
			msg = (const char *)em->v;
			ml = em->v_len;
		}
	} else {
		t = bk_evs_find(m, ":exception-type");
		if (t != NULL && t->type == BK_EVS_STRING) {
			type = (const char *)t->v;
			tl = t->v_len;
		}
		/* the payload is {"message":"..."}; decode the message if we
		 * can, otherwise show the payload as it came */
		if (m->payload_len > 0 && m->payload_len <= s->cap &&
		    bk_json_parse(&j, (const char *)m->payload, m->payload_len,
		    s->tok, BK_STREAM_TOKENS) == BK_OK) {
			int k = bk_json_get(&j, 0, "message");
			size_t n;
			if (k < 0)
				k = bk_json_get(&j, 0, "Message");
			if (k >= 0 && bk_json_str(&j, k, (char *)s->scratch,
			    s->cap, &n) == BK_OK) {
				msg = (const char *)s->scratch;
				ml = n;
			}
		} else {
			msg = (const char *)m->payload;
			ml = m->payload_len;
		}
	}
	code = svc_code(type, tl);
	if (code == BK_E_SVC_OTHER && tl == 0)
		code = BK_E_STREAM_EVENT;
	stream_fail(s, ev, code, type, tl, msg, ml);
	s->err = svc_refine(code, s->err_msg);
	return s->err;
}

/* Copy JSON string token k (raw, no escapes expected) into dst. */
static void
tok_copy(const struct bk_json *j, int k, char *dst, size_t cap)
{
	size_t n;

	/* ids and reasons are shown with -v: clean like any service text */
	if (k < 0 || bk_json_str(j, k, dst, cap, &n) != BK_OK)
		dst[0] = '\0';
	else
		bk_copy_clean(dst, cap, dst, n);
}

static void
tok_u64(const struct bk_json *j, int obj, const char *key, uint64_t *v)
{
	int k = bk_json_get(j, obj, key);
	uint64_t x;

	/* absent or null keeps the previous value */
	if (k >= 0 && bk_json_u64(j, k, &x) == BK_OK)
		*v = x;
}

/*
 * Fast paths.  Nearly every message of an answer is a chunk carrying one
 * text delta, and Bedrock writes both layers in one fixed shape:
 *
 *   {"bytes":"<base64>","p":"<letters and digits>"}
 *   {"type":"content_block_delta","index":N,"delta":{"type":"text_delta",
 *   "text":"..."}}
 *
 * Tokenising both with jsmn took over a third of the decode time
 * (tests/bench.c), so these exact shapes are matched by hand; anything
 * else, down to one space or another key order, goes to jsmn.  A fast
 * path accepts only what the jsmn path accepts and gives the same result;
 * tests/unit.c and tests/fuzz/fuzz_stream.c compare the two
 * (bk_stream.slow_only).
 */

/* memcmp(s, lit, n) == 0, eight bytes at a time: musl's memcmp goes byte
 * by byte, and the fast paths compare some 90 bytes of fixed JSON per
 * message. */
static int
lit_eq(const char *s, const char *lit, size_t n)
{
	uint64_t a, b;

	for (; n >= 8; n -= 8, s += 8, lit += 8) {
		memcpy(&a, s, 8);
		memcpy(&b, lit, 8);
		if (a != b)
			return 0;
	}
	while (n-- > 0)
		if (*s++ != *lit++)
			return 0;
	return 1;
}

/*
 * The base64 of a chunk payload of the usual shape ("p" may be absent):
 * [*b64, *b64 + *bl).  0 for any other shape.  Read from the end, so the
 * base64 is scanned once, by its decoder: that span is then exactly the
 * "bytes" string, because the decoder refuses '"', '\\' and NUL (where
 * jsmn would end or unescape the string).
 */
static int
fast_wrapper(const char *p, size_t n, const char **b64, size_t *bl)
{
	static const char pre[] = "{\"bytes\":\"", tail[] = "\",\"p\":\"";
	const size_t pl = sizeof(pre) - 1, tl = sizeof(tail) - 1;
	size_t e;

	if (n < pl + 2 || !lit_eq(p, pre, pl) || p[n - 1] != '}' ||
	    p[n - 2] != '"')
		return 0;
	/* back over the letters and digits of "p" (valid in a JSON string
	 * as they are) to its opening quote */
	for (e = n - 2; e > pl; e--) {
		unsigned c = (unsigned char)p[e - 1];
		if ((c | 0x20) - 'a' >= 26 && c - '0' >= 10)
			break;
	}
	if (e >= pl + tl && lit_eq(p + e - tl, tail, tl))
		e -= tl;
	else
		e = n - 2;              /* {"bytes":"..."} */
	*b64 = p + pl;
	*bl = e - pl;
	return 1;
}

/*
 * A content_block_delta text_delta of the usual shape: *idx its index (as
 * tok_u64 reads it, capped), js[*t0, *t0 + *tl) its text, still escaped.
 * 0 for any other shape.  The text's escapes are left for the caller's
 * unescaping to validate (it checks what jsmn's strict mode checks, and
 * surrogates too); a NUL is refused here because jsmn stops at one.
 */
static int
fast_text_delta(const char *js, size_t n, int *idx, size_t *t0, size_t *tl)
{
	static const char pre[] =
	    "{\"type\":\"content_block_delta\",\"index\":";
	static const char mid[] =
	    ",\"delta\":{\"type\":\"text_delta\",\"text\":\"";
	size_t i = sizeof(pre) - 1, k, start, b;
	uint32_t v = 0;
	const char *q;

	if (n < i || !lit_eq(js, pre, i))
		return 0;
	/* 1..7 digits (leading zeros too, as bk_json_u64 takes them) */
	for (k = i; k < n && k - i < 8 && js[k] >= '0' && js[k] <= '9'; k++)
		v = v * 10u + (uint32_t)(js[k] - '0');
	if (k == i || k - i > 7 || n - k < sizeof(mid) - 1 ||
	    !lit_eq(js + k, mid, sizeof(mid) - 1))
		return 0;
	start = i = k + sizeof(mid) - 1;
	/* the closing quote: the first one after an even run of '\\' */
	for (;;) {
		if ((q = memchr(js + i, '"', n - i)) == NULL)
			return 0;
		i = (size_t)(q - js);
		for (b = 0; i - b > start && js[i - b - 1] == '\\'; b++)
			;
		if (b % 2 == 0)
			break;
		i++;
	}
	if (n - i != 3 || !lit_eq(js + i, "\"}}", 3) ||
	    memchr(js + start, '\0', i - start) != NULL)
		return 0;
	*idx = v > 1000000 ? 1000000 : (int)v;
	*t0 = start;
	*tl = i - start;
	return 1;
}

enum bk_err
bk_stream_message(struct bk_stream *s, const struct bk_evs_message *m,
    struct bk_stream_event *ev)
{
	const struct bk_evs_header *mt, *et;
	struct bk_json j;
	const char *type;
	size_t n, dlen;
	enum bk_err e;
	int k, root;

	ev->kind = BK_SEV_NONE;
	ev->text = NULL;
	ev->text_len = 0;
	ev->index = 0;
	ev->raw = NULL;
	ev->raw_len = 0;
	if (s->err != BK_OK)
		return s->err;

	mt = bk_evs_find(m, ":message-type");
	if (mt != NULL && mt->type == BK_EVS_STRING) {
		if (mt->v_len == 9 && memcmp(mt->v, "exception", 9) == 0)
			return stream_exception(s, m, ev, 0);
		if (mt->v_len == 5 && memcmp(mt->v, "error", 5) == 0)
			return stream_exception(s, m, ev, 1);
		if (!(mt->v_len == 5 && memcmp(mt->v, "event", 5) == 0))
			return BK_OK; /* unknown message types are skipped */
	}
	et = bk_evs_find(m, ":event-type");
	if (et == NULL || et->type != BK_EVS_STRING || et->v_len != 5 ||
	    memcmp(et->v, "chunk", 5) != 0)
		return BK_OK; /* other event types: none defined today */

	/* {"bytes":"<base64>","p":"..."} */
	{
		const char *b64;
		size_t bl;
		if (!s->slow_only && fast_wrapper((const char *)m->payload,
		    m->payload_len, &b64, &bl) && bk_base64_decode(b64, bl,
		    s->scratch, s->cap, &n) == BK_OK) {
			s->fast_wrap++;
			goto event;
		}
	}
	e = bk_json_parse(&j, (const char *)m->payload, m->payload_len,
	    s->tok, BK_STREAM_TOKENS);
	if (e != BK_OK)
		return stream_fail(s, ev, e, "chunk", 5,
		    "chunk payload is not JSON", 25);
	k = bk_json_get(&j, 0, "bytes");
	if (k < 0 || j.t[k].type != JSMN_STRING)
		return stream_fail(s, ev, BK_E_JSON_SHAPE, "chunk", 5,
		    "chunk payload has no \"bytes\"", 28);
	{
		const char *b64 = j.js + j.t[k].start;
		size_t bl = (size_t)(j.t[k].end - j.t[k].start);
		if (memchr(b64, '\\', bl) != NULL) {
			/* an escaped '/' ("\/") is legal JSON: unescape into
			 * scratch first, then decode there in place */
			if (bk_json_str(&j, k, (char *)s->scratch, s->cap, &bl)
			    != BK_OK)
				return stream_fail(s, ev, BK_E_JSON, "chunk", 5,
				    "bad escape in \"bytes\"", 21);
			b64 = (const char *)s->scratch;
		}
		e = bk_base64_decode(b64, bl, s->scratch, s->cap, &n);
		if (e != BK_OK)
			return stream_fail(s, ev, e == BK_E_BUFSZ ? BK_E_LIMIT :
			    e, "chunk", 5, "chunk \"bytes\" is not base64", 27);
	}

event:
	/* the Anthropic stream event; a text delta of the usual shape is
	 * unescaped as below, but only beside the event (in place, a failed
	 * unescaping would leave the jsmn path a changed event to read) */
	{
		size_t t0, el, tl;
		int idx;
		char *p = (char *)s->scratch + n;
		if (!s->slow_only && s->started && !s->stopped &&
		    fast_text_delta((const char *)s->scratch, n, &idx, &t0,
		    &el) && el <= s->cap - n) {
			memcpy(p, s->scratch + t0, el);
			if (bk_json_unescape_inplace(p, el, &tl) == BK_OK) {
				s->fast_text++;
				ev->kind = BK_SEV_TEXT;
				ev->text = p;
				ev->text_len = tl;
				ev->index = idx;
				ev->raw = (const char *)s->scratch;
				ev->raw_len = n;
				return BK_OK;
			}
		}
	}
	e = bk_json_parse(&j, (const char *)s->scratch, n, s->tok,
	    BK_STREAM_TOKENS);
	if (e != BK_OK)
		return stream_fail(s, ev, e, "chunk", 5,
		    "stream event is not JSON", 24);
	ev->raw = (const char *)s->scratch;
	ev->raw_len = dlen = n;
	root = 0;
	k = bk_json_get(&j, root, "type");
	if (k < 0 || j.t[k].type != JSMN_STRING)
		return stream_fail(s, ev, BK_E_JSON_SHAPE, "chunk", 5,
		    "stream event has no \"type\"", 26);
	type = j.js + j.t[k].start;
	n = (size_t)(j.t[k].end - j.t[k].start);
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(type, lit, n) == 0)
	if (s->stopped)
		return stream_fail(s, ev, BK_E_STREAM_EVENT, "chunk", 5,
		    "event after message_stop", 24);
	if (IS("content_block_delta")) {
		int d = bk_json_get(&j, root, "delta"), t, x;
		uint64_t idx = 0;
		if (!s->started)
			goto order;
		tok_u64(&j, root, "index", &idx);
		ev->index = (int)(idx > 1000000 ? 1000000 : idx);
		t = bk_json_get(&j, d, "type");
		if (!bk_json_is(&j, t, "text_delta"))
			return BK_OK; /* tool input, thinking: later */
		x = bk_json_get(&j, d, "text");
		if (x < 0 || j.t[x].type != JSMN_STRING)
			return stream_fail(s, ev, BK_E_JSON_SHAPE, "chunk", 5,
			    "text_delta without text", 23);
		/*
		 * Unescape into the scratch space after the event, so the raw
		 * event stays intact for stream-json; escapes never grow, so
		 * the text needs at most its escaped length.  Without room
		 * (a caller that lent a tight buffer), in place.
		 */
		{
			size_t el = (size_t)(j.t[x].end - j.t[x].start), tl;
			char *src = (char *)s->scratch + j.t[x].start, *p = src;
			if (el <= s->cap - dlen) {
				p = (char *)s->scratch + dlen;
				memcpy(p, src, el);
			} else {
				ev->raw = NULL;
				ev->raw_len = 0;
			}
			e = bk_json_unescape_inplace(p, el, &tl);
			if (e != BK_OK)
				return stream_fail(s, ev, e, "chunk", 5,
				    "bad escape in text_delta", 24);
			ev->kind = BK_SEV_TEXT;
			ev->text = p;
			ev->text_len = tl;
		}
		return BK_OK;
	}
	if (IS("message_start")) {
		int msg = bk_json_get(&j, root, "message");
		int u = bk_json_get(&j, msg, "usage");
		if (s->started)
			goto order;
		s->started = 1;
		tok_copy(&j, bk_json_get(&j, msg, "id"), s->message_id,
		    sizeof(s->message_id));
		tok_copy(&j, bk_json_get(&j, msg, "model"), s->model,
		    sizeof(s->model));
		tok_u64(&j, u, "input_tokens", &s->usage.input_tokens);
		tok_u64(&j, u, "output_tokens", &s->usage.output_tokens);
		tok_u64(&j, u, "cache_creation_input_tokens",
		    &s->usage.cache_creation_input_tokens);
		tok_u64(&j, u, "cache_read_input_tokens",
		    &s->usage.cache_read_input_tokens);
		ev->kind = BK_SEV_MESSAGE_START;
		return BK_OK;
	}
	if (IS("content_block_start")) {
		uint64_t idx = 0;
		if (!s->started)
			goto order;
		tok_u64(&j, root, "index", &idx);
		ev->index = (int)(idx > 1000000 ? 1000000 : idx);
		s->block_open = 1;
		return BK_OK;
	}
	if (IS("content_block_stop")) {
		uint64_t idx = 0;
		if (!s->started)
			goto order;
		tok_u64(&j, root, "index", &idx);
		ev->index = (int)(idx > 1000000 ? 1000000 : idx);
		s->block_open = 0;
		ev->kind = BK_SEV_BLOCK_STOP;
		return BK_OK;
	}
	if (IS("message_delta")) {
		int d = bk_json_get(&j, root, "delta");
		int u = bk_json_get(&j, root, "usage");
		int sr = bk_json_get(&j, d, "stop_reason");
		if (!s->started)
			goto order;
		if (sr >= 0 && j.t[sr].type == JSMN_STRING)
			tok_copy(&j, sr, s->stop_reason, sizeof(s->stop_reason));
		/* message_delta usage is cumulative: it replaces */
		tok_u64(&j, u, "output_tokens", &s->usage.output_tokens);
		tok_u64(&j, u, "input_tokens", &s->usage.input_tokens);
		tok_u64(&j, u, "cache_creation_input_tokens",
		    &s->usage.cache_creation_input_tokens);
		tok_u64(&j, u, "cache_read_input_tokens",
		    &s->usage.cache_read_input_tokens);
		ev->kind = BK_SEV_MESSAGE_DELTA;
		return BK_OK;
	}
	if (IS("message_stop")) {
		int mx = bk_json_get(&j, root, "amazon-bedrock-invocationMetrics");
		if (!s->started)
			goto order;
		s->stopped = 1;
		if (mx >= 0) {
			s->have_metrics = 1;
			tok_u64(&j, mx, "inputTokenCount", &s->metric_input);
			tok_u64(&j, mx, "outputTokenCount", &s->metric_output);
			tok_u64(&j, mx, "invocationLatency",
			    &s->metric_latency_ms);
			tok_u64(&j, mx, "firstByteLatency",
			    &s->metric_first_byte_ms);
		}
		ev->kind = BK_SEV_MESSAGE_STOP;
		return BK_OK;
	}
	if (IS("error")) {
		int er = bk_json_get(&j, root, "error");
		int et2 = bk_json_get(&j, er, "type");
		int em = bk_json_get(&j, er, "message");
		const char *ts = "error", *ms = "";
		size_t tl = 5, ml = 0;
		if (et2 >= 0 && j.t[et2].type == JSMN_STRING) {
			ts = j.js + j.t[et2].start;
			tl = (size_t)(j.t[et2].end - j.t[et2].start);
		}
		if (em >= 0 && j.t[em].type == JSMN_STRING) {
			ms = j.js + j.t[em].start;
			ml = (size_t)(j.t[em].end - j.t[em].start);
		}
		return stream_fail(s, ev, BK_E_STREAM_ERROR_EVENT, ts, tl, ms,
		    ml);
	}
#undef IS
	return BK_OK; /* ping and event types added after this was written */
order:
	return stream_fail(s, ev, BK_E_STREAM_EVENT, "chunk", 5,
	    "event before message_start", 26);
}

enum bk_err
bk_stream_finish(struct bk_stream *s)
{
	if (s->err != BK_OK)
		return s->err;
	if (!s->stopped)
		s->err = BK_E_STREAM_INCOMPLETE;
	return s->err;
}

/* --- service errors --------------------------------------------------- */

int
bk_err_retryable(enum bk_err e)
{
	switch ((int)e) {
	case BK_E_SVC_THROTTLING:
	case BK_E_SVC_INTERNAL:
	case BK_E_SVC_UNAVAILABLE:
	case BK_E_SVC_MODEL_NOT_READY:
	case BK_E_SVC_MODEL_STREAM:
	case BK_E_SVC_MODEL_TIMEOUT:
	case BK_E_NET:
	case BK_E_TIMEOUT:
		return 1;
	default:
		return 0;
	}
}

static void
svc_hint(struct bk_svc_error *e, const struct bk_svc_context *c)
{
	struct bk_buf b;
	const char *model = (c && c->model) ? c->model : "MODEL";
	const char *region = (c && c->region) ? c->region : "REGION";

	bk_buf_init(&b, e->hint, sizeof(e->hint));
	switch ((int)e->code) {
	case BK_E_SVC_ACCESS_DENIED:
		bk_buf_puts(&b, "allow bedrock:InvokeModel and "
		    "bedrock:InvokeModelWithResponseStream on "
		    "arn:aws:bedrock:*::foundation-model/* and "
		    "arn:aws:bedrock:*:*:inference-profile/* for this identity, "
		    "and enable access to ");
		bk_buf_puts(&b, model);
		bk_buf_puts(&b, " in the Bedrock console (Model access) in ");
		bk_buf_puts(&b, region);
		break;
	case BK_E_SVC_ON_DEMAND:
		bk_buf_puts(&b, "use a cross-region inference profile ID: --model ");
		bk_buf_puts(&b, bk_region_profile_prefix(region));
		bk_buf_putc(&b, '.');
		bk_buf_puts(&b, model);
		bk_buf_puts(&b, " (or us./eu./apac./global. as your region "
		    "allows)");
		break;
	case BK_E_SVC_INVALID_MODEL:
		bk_buf_puts(&b, "check the model ID (e.g. ");
		bk_buf_puts(&b, bk_region_profile_prefix(region));
		bk_buf_puts(&b, "." BK_DEFAULT_MODEL_BASE "); list the IDs "
		    "with: aws bedrock list-inference-profiles --region ");
		bk_buf_puts(&b, region);
		break;
	case BK_E_SVC_VALIDATION:
		bk_buf_puts(&b, "the request was refused as sent; check --model, "
		    "--max-tokens and the prompt against the message above");
		break;
	case BK_E_SVC_NOT_FOUND:
		bk_buf_puts(&b, "the model or profile does not exist in ");
		bk_buf_puts(&b, region);
		bk_buf_puts(&b, "; check the model ID and the region "
		    "(AWS_REGION)");
		break;
	case BK_E_SVC_UNRECOGNIZED_CLIENT:
		bk_buf_puts(&b, "the access key is not valid here: check "
		    "AWS_ACCESS_KEY_ID, and set AWS_SESSION_TOKEN for temporary "
		    "credentials");
		break;
	case BK_E_SVC_INVALID_SIGNATURE:
		bk_buf_puts(&b, "check AWS_SECRET_ACCESS_KEY (it must belong to "
		    "the access key ID)");
		break;
	case BK_E_SVC_SIGNATURE_EXPIRED:
		bk_buf_puts(&b, "this machine's clock is off; sync it (e.g. "
		    "timedatectl set-ntp true) and retry");
		break;
	case BK_E_SVC_EXPIRED_TOKEN:
		bk_buf_puts(&b, "the temporary credentials have expired; "
		    "refresh them (aws sso login, or assume the role again)");
		break;
	case BK_E_SVC_THROTTLING:
		bk_buf_puts(&b, "too many requests or tokens per minute; retry "
		    "later, use a cross-region profile, or request a quota "
		    "increase in Service Quotas");
		break;
	case BK_E_SVC_QUOTA:
		bk_buf_puts(&b, "a Bedrock quota is exhausted; see it with "
		    "aws service-quotas list-service-quotas --service-code "
		    "bedrock --region ");
		bk_buf_puts(&b, region);
		bk_buf_puts(&b, " and ask for more with aws service-quotas "
		    "request-service-quota-increase (or the Service Quotas "
		    "console)");
		break;
	case BK_E_SVC_INTERNAL:
	case BK_E_SVC_UNAVAILABLE:
	case BK_E_SVC_MODEL_NOT_READY:
	case BK_E_SVC_MODEL_STREAM:
	case BK_E_SVC_MODEL_TIMEOUT:
		bk_buf_puts(&b, "a temporary service-side failure; retry in a "
		    "moment");
		break;
	case BK_E_SVC_MODEL_ERROR:
		bk_buf_puts(&b, "the model failed on this input; retry, or "
		    "change the prompt");
		break;
	default:
		bk_buf_puts(&b, "see the service's message above");
		break;
	}
}

/* End s before the first occurrence of marker, trimming what precedes. */
static void
cut_at(char *s, const char *marker)
{
	size_t n = strlen(s), m = strlen(marker), i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (memcmp(s + i, marker, m) == 0) {
			while (i > 0 && s[i - 1] == ' ')
				i--;
			s[i] = '\0';
			return;
		}
}

static enum bk_err
code_from_status(int status)
{
	if (status == 429)
		return BK_E_SVC_THROTTLING;
	if (status == 403)
		return BK_E_SVC_ACCESS_DENIED;
	if (status == 404)
		return BK_E_SVC_NOT_FOUND;
	if (status == 408)
		return BK_E_SVC_MODEL_TIMEOUT;
	if (status == 500)
		return BK_E_SVC_INTERNAL;
	if (status == 502 || status == 503 || status == 504)
		return BK_E_SVC_UNAVAILABLE;
	if (status == 400)
		return BK_E_SVC_VALIDATION;
	return BK_E_SVC_OTHER;
}

void
bk_svc_error_http(struct bk_svc_error *e, int status, const char *error_type,
    size_t type_len, const char *body, size_t body_len,
    const struct bk_svc_context *ctx)
{
	jsmntok_t tok[64];
	struct bk_json j;
	const char *t = error_type;
	size_t tl = type_len, i;
	int have_json;

	memset(e, 0, sizeof(*e));
	e->status = status;
	have_json = body != NULL && body_len > 0 && body_len < 65536 &&
	    bk_json_parse(&j, body, body_len, tok, COUNTOF(tok)) == BK_OK &&
	    j.t[0].type == JSMN_OBJECT;
	/* x-amzn-ErrorType: "ValidationException:http://internal..." */
	if (t != NULL)
		for (i = 0; i < tl; i++)
			if (t[i] == ':') {
				tl = i;
				break;
			}
	if ((t == NULL || tl == 0) && have_json) {
		/* {"__type":"com.amazon.coral.service#UnrecognizedClient..."} */
		int k = bk_json_get(&j, 0, "__type");
		if (k < 0)
			k = bk_json_get(&j, 0, "code");
		if (k >= 0 && j.t[k].type == JSMN_STRING) {
			t = j.js + j.t[k].start;
			tl = (size_t)(j.t[k].end - j.t[k].start);
			for (i = tl; i > 0; i--)
				if (t[i - 1] == '#') {
					t += i;
					tl -= i;
					break;
				}
		}
	}
	if (t != NULL && tl > 0)
		bk_copy_clean(e->type, sizeof(e->type), t, tl);
	if (have_json) {
		int k = bk_json_get(&j, 0, "message");
		size_t n;
		if (k < 0)
			k = bk_json_get(&j, 0, "Message");
		/*
		 * Unescape, then clean: the text goes to a terminal.  If it
		 * does not unescape (too long, a lone surrogate), clean the
		 * escaped text instead; never keep a half-unescaped buffer.
		 */
		if (k >= 0 && bk_json_str(&j, k, e->message,
		    sizeof(e->message), &n) == BK_OK)
			bk_copy_clean(e->message, sizeof(e->message), e->message, n);
		else if (k >= 0 && j.t[k].type == JSMN_STRING)
			bk_copy_clean(e->message, sizeof(e->message),
			    j.js + j.t[k].start,
			    (size_t)(j.t[k].end - j.t[k].start));
		/*
		 * A signature mismatch echoes the canonical request and string
		 * to sign the server expected: long, useless to a user, and the
		 * canonical request holds the session token.  Keep the sentence
		 * before it.
		 */
		cut_at(e->message, "The Canonical String for this request");
		cut_at(e->message, "The String-to-Sign should have been");
	} else if (body != NULL && body_len > 0) {
		bk_copy_clean(e->message, sizeof(e->message), body, body_len);
	}
	e->code = svc_code(e->type, strlen(e->type));
	if (e->code == BK_E_SVC_OTHER)
		e->code = code_from_status(status);
	e->code = svc_refine(e->code, e->message);
	if (e->type[0] == '\0') {
		struct bk_buf b;
		bk_buf_init(&b, e->type, sizeof(e->type));
		bk_buf_puts(&b, "HTTP ");
		bk_buf_put_u64(&b, (uint64_t)(status < 0 ? 0 : status));
	}
	svc_hint(e, ctx);
}

void
bk_svc_error_stream(struct bk_svc_error *e, enum bk_err code,
    const char *type, const char *message, const struct bk_svc_context *ctx)
{
	memset(e, 0, sizeof(*e));
	e->code = code;
	bk_copy_clean(e->type, sizeof(e->type), type, strlen(type));
	bk_copy_clean(e->message, sizeof(e->message), message, strlen(message));
	svc_hint(e, ctx);
}

/* ==================================================================== */
/* 6. Shared config and credentials files                               */
/* ==================================================================== */

void
bk_ini_init(struct bk_ini *it, enum bk_ini_file file, const char *text,
    size_t len)
{
	memset(it, 0, sizeof(*it));
	it->p = text;
	it->n = text != NULL ? len : 0;
	it->file = file;
	it->kind = BK_INI_IGNORED;
}

static int
ini_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Profile, section and property names: letters, digits and -_/.%@:+ */
static int
ini_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '/' ||
		    c == '.' || c == '%' || c == '@' || c == ':' || c == '+'))
			return 0;
	}
	return 1;
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && ini_ws(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && ini_ws((*s)[*n - 1]))
		(*n)--;
}

/* The line at it->pos (without CR/LF); advances past it. */
static const char *
ini_line(struct bk_ini *it, size_t *len)
{
	const char *l = it->p + it->pos, *nl;
	size_t rest = it->n - it->pos, n;

	nl = memchr(l, '\n', rest);
	n = nl ? (size_t)(nl - l) : rest;
	it->pos += n + (nl ? 1 : 0);
	if (n > 0 && l[n - 1] == '\r')
		n--;
	it->line++;
	*len = n;
	return l;
}

static int
ini_blank(const char *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ini_ws(l[i]))
			return 0;
	return 1;
}

/* Does the line after it->pos continue the current property? */
static int
ini_next_is_continuation(const struct bk_ini *it, int *blank)
{
	const char *l = it->p + it->pos, *nl;
	size_t n = it->n - it->pos;

	*blank = 0;
	if (it->pos >= it->n)
		return 0;
	nl = memchr(l, '\n', n);
	if (nl != NULL)
		n = (size_t)(nl - l);
	if (n > 0 && l[n - 1] == '\r')
		n--;
	if (ini_blank(l, n)) {
		*blank = 1;
		return 0;
	}
	return ini_ws(l[0]);
}

static enum bk_ini_item
ini_fail(struct bk_ini *it, const char *msg)
{
	it->error = msg;
	it->pos = it->n; /* stop: the rest of the file is not trusted */
	return BK_INI_ERROR;
}

/* "[...]" at l: set the current section. */
static enum bk_ini_item
ini_section(struct bk_ini *it, const char *l, size_t n)
{
	const char *close = memchr(l, ']', n), *s, *rest;
	size_t sl, rl;

	if (close == NULL)
		return ini_fail(it, "Profile definition must end with ']'");
	/* after ']' only blanks or a comment */
	rest = close + 1;
	rl = n - (size_t)(rest - l);
	trim(&rest, &rl);
	if (rl > 0 && rest[0] != '#' && rest[0] != ';')
		return ini_fail(it, "Profile definition must end with ']'");
	s = l + 1;
	sl = (size_t)(close - s);
	trim(&s, &sl);
	it->have_section = 1;
	it->kind = BK_INI_IGNORED;
	it->profile_prefix = 0;
	it->name = s;
	it->name_len = sl;
	if (it->file == BK_INI_CREDENTIALS) {
		if (ini_name_ok(s, sl))
			it->kind = BK_INI_PROFILE;
		return BK_INI_SECTION;
	}
	if (sl == 7 && memcmp(s, "default", 7) == 0) {
		it->kind = BK_INI_PROFILE;
	} else {
		static const struct { const char *w; enum bk_ini_kind k; } pre[] = {
			{ "profile", BK_INI_PROFILE },
			{ "sso-session", BK_INI_SSO_SESSION },
			{ "services", BK_INI_SERVICES },
		};
		size_t i;
		for (i = 0; i < COUNTOF(pre); i++) {
			size_t wl = strlen(pre[i].w);
			const char *nm;
			size_t nml;
			/* the word, then at least one blank, then the name */
			if (sl <= wl || memcmp(s, pre[i].w, wl) != 0 ||
			    !ini_ws(s[wl]))
				continue;
			nm = s + wl;
			nml = sl - wl;
			trim(&nm, &nml);
			it->name = nm;
			it->name_len = nml;
			if (ini_name_ok(nm, nml)) {
				it->kind = pre[i].k;
				it->profile_prefix = (pre[i].k == BK_INI_PROFILE);
			}
			break;
		}
	}
	return BK_INI_SECTION;
}

/* Append "\n" + s to the value being built. */
static int
ini_append(struct bk_ini *it, char *val, size_t cap, const char *s, size_t n)
{
	if (cap == 0 || n + 1 > cap - 1 - it->value_len)
		return -1;
	val[it->value_len++] = '\n';
	memcpy(val + it->value_len, s, n);
	it->value_len += n;
	val[it->value_len] = '\0';
	return 0;
}

enum bk_ini_item
bk_ini_next(struct bk_ini *it, char *val, size_t cap)
{
	for (;;) {
		const char *l, *eq, *k, *v;
		size_t n, kl, vl, i;
		int sub, blank;

		it->key = NULL;
		it->key_len = 0;
		it->value = val;
		it->value_len = 0;
		if (cap > 0)
			val[0] = '\0';
		if (it->pos >= it->n)
			return BK_INI_END;
		l = ini_line(it, &n);
		if (ini_blank(l, n) || l[0] == '#' || l[0] == ';')
			continue;
		if (l[0] == '[')
			return ini_section(it, l, n);
		if (!it->have_section)
			return ini_fail(it, "Expected a profile definition");
		if (ini_ws(l[0]))
			return ini_fail(it, "Expected a property definition, "
			    "found continuation");
		eq = memchr(l, '=', n);
		if (eq == NULL)
			return ini_fail(it, "Expected an '=' sign defining a "
			    "property");
		k = l;
		kl = (size_t)(eq - l);
		trim(&k, &kl);
		if (kl == 0)
			return ini_fail(it, "Property did not have a name");
		v = eq + 1;
		vl = n - (size_t)(v - l);
		trim(&v, &vl);
		/* a comment starts at '#' or ';' after a blank */
		for (i = 1; i < vl; i++)
			if ((v[i] == '#' || v[i] == ';') && ini_ws(v[i - 1])) {
				vl = i;
				trim(&v, &vl);
				break;
			}
		if (vl + 1 > cap)
			return ini_fail(it, "Property value too long");
		memcpy(val, v, vl);
		val[vl] = '\0';
		it->value_len = vl;
		it->key = k;
		it->key_len = kl;
		/* an empty value opens a sub-property block */
		sub = (vl == 0);
		for (;;) {
			const char *c, *ceq, *ck;
			size_t cl, ckl;
			if (!ini_next_is_continuation(it, &blank)) {
				if (blank && sub) {
					/* blank lines inside a block are skipped */
					ini_line(it, &cl);
					continue;
				}
				break;
			}
			c = ini_line(it, &cl);
			trim(&c, &cl);
			if (sub) {
				ceq = memchr(c, '=', cl);
				if (ceq == NULL)
					return ini_fail(it, "Expected an '=' sign "
					    "defining a sub-property");
				ck = c;
				ckl = (size_t)(ceq - c);
				trim(&ck, &ckl);
				if (ckl == 0)
					return ini_fail(it, "Sub-property did not "
					    "have a name");
			}
			if (ini_append(it, val, cap, c, cl) != 0)
				return ini_fail(it, "Property value too long");
		}
		if (it->kind == BK_INI_IGNORED || !ini_name_ok(k, kl))
			continue; /* consumed, not reported */
		return BK_INI_PROPERTY;
	}
}

static int
name_is(const char *a, size_t an, const char *b)
{
	return strlen(b) == an && memcmp(a, b, an) == 0;
}

static int
key_is(const char *a, size_t an, const char *b)
{
	size_t i;

	if (strlen(b) != an)
		return 0;
	for (i = 0; i < an; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/*
 * Move to the next line that starts with '['.  Only for a file that
 * passed bk_profile_check(): there, such a line is a section header
 * (continuation lines start with a blank) and every other line belongs
 * to the section above it, so the lines skipped are properties of a
 * section the scan does not want.  A credential lookup makes dozens of
 * scans; an organisation's config of a few hundred SSO profiles made
 * each of them parse every line.
 */
static void
ini_skip_section(struct bk_ini *it)
{
	while (it->pos < it->n && it->p[it->pos] != '[') {
		const char *nl = memchr(it->p + it->pos, '\n',
		    it->n - it->pos);
		it->line++;
		if (nl == NULL) {
			it->pos = it->n;
			break;
		}
		it->pos = (size_t)(nl - it->p) + 1;
	}
}

/*
 * One pass over one file: the last value of key in (kind, name).  With
 * skip_plain_default, "[default]" sections are skipped (the config file
 * had a "[profile default]").  *has_prefixed_default reports whether this
 * file has one.
 */
static enum bk_err
ini_scan(enum bk_ini_file file, const char *text, size_t len, int checked,
    enum bk_ini_kind kind, const char *name, const char *key, char *out,
    size_t cap, int skip_plain_default, int *found, int *has_section,
    int *has_prefixed_default, struct bk_ini_error *err)
{
	char val[BK_INI_VALUE_MAX];
	struct bk_ini it;
	enum bk_ini_item r;
	size_t used = 0;        /* bytes of val that held a value */
	int in = 0;

	bk_ini_init(&it, file, text, len);
	for (;;) {
		if (checked && (!in || key == NULL))
			ini_skip_section(&it);
		if ((r = bk_ini_next(&it, val, sizeof(val))) == BK_INI_END)
			break;
		if (r == BK_INI_ERROR) {
			if (err != NULL) {
				err->file = file;
				err->line = it.line;
				err->msg = it.error;
			}
			bk_wipe(val, sizeof(val)); /* a long value may be part-built */
			return BK_E_CONFIG;
		}
		if (r == BK_INI_SECTION) {
			in = it.kind == kind && name_is(it.name, it.name_len,
			    name);
			if (in && it.profile_prefix && kind == BK_INI_PROFILE &&
			    strcmp(name, "default") == 0)
				*has_prefixed_default = 1;
			if (in && skip_plain_default && !it.profile_prefix &&
			    kind == BK_INI_PROFILE)
				in = 0;
			if (in)
				*has_section = 1;
			continue;
		}
		if (it.value_len + 1 > used)
			used = it.value_len + 1;
		if (!in || key == NULL || !key_is(it.key, it.key_len, key))
			continue;
		if (it.value_len + 1 > cap) {
			bk_wipe(val, used);
			return BK_E_BUFSZ;
		}
		memcpy(out, val, it.value_len + 1);
		*found = 1;
	}
	/* values can be secrets: the stack copy goes (what held one; the
	 * whole 8 KiB every scan was most of a lookup's time) */
	bk_wipe(val, used);
	return BK_OK;
}

static enum bk_err
profile_lookup(const struct bk_profile_files *f, enum bk_ini_kind kind,
    const char *name, const char *key, char *out, size_t cap, int *found,
    int *exists, struct bk_ini_error *err)
{
	int prefixed = 0, dummy = 0;
	enum bk_err e;

	*found = *exists = 0;
	if (cap > 0 && out != NULL)
		out[0] = '\0';
	/* first pass only learns whether "[profile default]" exists */
	if (kind == BK_INI_PROFILE && strcmp(name, "default") == 0) {
		e = ini_scan(BK_INI_CONFIG, f->config, f->config_len,
		    f->checked, kind, name, NULL, NULL, 0, 0, &dummy, &dummy,
		    &prefixed, err);
		if (e != BK_OK)
			return e;
	}
	e = ini_scan(BK_INI_CONFIG, f->config, f->config_len, f->checked, kind,
	    name, key, out, cap, prefixed, found, exists, &dummy, err);
	if (e != BK_OK)
		return e;
	if (kind != BK_INI_PROFILE)
		return BK_OK; /* sso-session and services live in config only */
	return ini_scan(BK_INI_CREDENTIALS, f->credentials, f->credentials_len,
	    f->checked, kind, name, key, out, cap, 0, found, exists, &dummy,
	    err);
}

enum bk_err
bk_profile_get(const struct bk_profile_files *f, enum bk_ini_kind kind,
    const char *name, const char *key, char *out, size_t cap,
    struct bk_ini_error *err)
{
	int found, exists;
	enum bk_err e = profile_lookup(f, kind, name, key, out, cap, &found,
	    &exists, err);

	if (e != BK_OK)
		return e;
	return found ? BK_OK : BK_E_NOT_FOUND;
}

int
bk_profile_exists(const struct bk_profile_files *f, enum bk_ini_kind kind,
    const char *name)
{
	int found, exists;

	return profile_lookup(f, kind, name, NULL, NULL, 0, &found, &exists,
	    NULL) == BK_OK && exists;
}

enum bk_err
bk_profile_check(struct bk_profile_files *f, struct bk_ini_error *err)
{
	int a = 0, b = 0, c = 0;
	enum bk_err e;

	f->checked = 0;
	e = ini_scan(BK_INI_CONFIG, f->config, f->config_len, 0,
	    BK_INI_PROFILE, "", NULL, NULL, 0, 0, &a, &b, &c, err);
	if (e == BK_OK)
		e = ini_scan(BK_INI_CREDENTIALS, f->credentials,
		    f->credentials_len, 0, BK_INI_PROFILE, "", NULL, NULL, 0, 0,
		    &a, &b, &c, err);
	f->checked = (e == BK_OK);
	return e;
}

enum bk_err
bk_ini_subprop(const char *block, const char *key, char *out, size_t cap)
{
	const char *l = block;

	/* block is "\nname = value\nname2 = value2" as bk_ini_next built it */
	while (l != NULL && *l != '\0') {
		const char *nl, *eq, *k, *v;
		size_t n, kl, vl;
		if (*l == '\n')
			l++;
		nl = strchr(l, '\n');
		n = nl ? (size_t)(nl - l) : strlen(l);
		eq = memchr(l, '=', n);
		if (eq != NULL) {
			k = l;
			kl = (size_t)(eq - l);
			trim(&k, &kl);
			v = eq + 1;
			vl = n - (size_t)(v - l);
			trim(&v, &vl);
			if (key_is(k, kl, key)) {
				if (vl + 1 > cap)
					return BK_E_BUFSZ;
				memcpy(out, v, vl);
				out[vl] = '\0';
				return BK_OK;
			}
		}
		l = nl;
	}
	return BK_E_NOT_FOUND;
}

/* --- credential plans --------------------------------------------------- */

/* Profile key into a fixed field; 1 if set. */
static int
pget(const struct bk_profile_files *f, enum bk_ini_kind kind,
    const char *name, const char *key, char *out, size_t cap)
{
	if (bk_profile_get(f, kind, name, key, out, cap, NULL) == BK_OK)
		return 1;
	if (cap > 0)
		out[0] = '\0';
	return 0;
}

static int
has(const struct bk_profile_files *f, const char *name, const char *key)
{
	char tmp[8];
	enum bk_err e = bk_profile_get(f, BK_INI_PROFILE, name, key, tmp,
	    sizeof(tmp), NULL);

	/* BUFSZ: set, and longer than tmp */
	return e == BK_OK || e == BK_E_BUFSZ;
}

static enum bk_err
plan_fail(struct bk_plan *p, const char *a, const char *b, const char *c)
{
	struct bk_buf m;

	bk_buf_init(&m, p->error, sizeof(p->error));
	bk_buf_puts(&m, a);
	if (b != NULL)
		bk_buf_puts(&m, b);
	if (c != NULL)
		bk_buf_puts(&m, c);
	/* the names in it are the files' values (a source_profile may hold
	 * an escape sequence, a sub-property block a newline) and the
	 * message is printed: one clean line (found by tests/fuzz/fuzz_ini.c) */
	bk_copy_clean(p->error, sizeof(p->error), p->error, m.len);
	return BK_E_CONFIG;
}

/* The base of a profile that has no role_arn (or is a chain's end). */
static enum bk_err
plan_base(const struct bk_profile_files *f, const char *name,
    struct bk_plan *p)
{
	int akid = has(f, name, "aws_access_key_id");
	int sec = has(f, name, "aws_secret_access_key");
	int sso_acct = has(f, name, "sso_account_id");
	int sso_role = has(f, name, "sso_role_name");

	memcpy(p->base_profile, name, strlen(name) + 1);
	if (pget(f, BK_INI_PROFILE, name, "sso_session", p->sso_session,
	    sizeof(p->sso_session))) {
		if (has(f, name, "sso_region"))
			return plan_fail(p, "`sso_region` can only be specified "
			    "in the [sso-session] config when a session name is "
			    "given", NULL, NULL);
		if (!bk_profile_exists(f, BK_INI_SSO_SESSION, p->sso_session))
			return plan_fail(p, "sso-session named `", p->sso_session,
			    "` was not found");
		pget(f, BK_INI_SSO_SESSION, p->sso_session, "sso_region",
		    p->sso_region, sizeof(p->sso_region));
		pget(f, BK_INI_SSO_SESSION, p->sso_session, "sso_start_url",
		    p->sso_start_url, sizeof(p->sso_start_url));
		pget(f, BK_INI_PROFILE, name, "sso_account_id",
		    p->sso_account_id, sizeof(p->sso_account_id));
		pget(f, BK_INI_PROFILE, name, "sso_role_name", p->sso_role_name,
		    sizeof(p->sso_role_name));
		p->base = BK_BASE_SSO;
		return BK_OK;
	}
	if (sso_acct || sso_role || has(f, name, "sso_start_url")) {
		if (sso_role && !sso_acct)
			return plan_fail(p, "if `sso_role_name` is set, then "
			    "`sso_account_id` must also be set", NULL, NULL);
		if (sso_acct && !sso_role)
			return plan_fail(p, "if `sso_account_id` is set, then "
			    "`sso_role_name` must also be set", NULL, NULL);
		pget(f, BK_INI_PROFILE, name, "sso_start_url", p->sso_start_url,
		    sizeof(p->sso_start_url));
		pget(f, BK_INI_PROFILE, name, "sso_region", p->sso_region,
		    sizeof(p->sso_region));
		pget(f, BK_INI_PROFILE, name, "sso_account_id",
		    p->sso_account_id, sizeof(p->sso_account_id));
		pget(f, BK_INI_PROFILE, name, "sso_role_name", p->sso_role_name,
		    sizeof(p->sso_role_name));
		if (!p->sso_start_url[0] || !p->sso_region[0] || !sso_acct)
			return plan_fail(p, "profile `", name, "` has an "
			    "incomplete SSO configuration (sso_start_url, "
			    "sso_region, sso_account_id and sso_role_name are "
			    "all required)");
		p->base = BK_BASE_SSO;
		return BK_OK;
	}
	if (has(f, name, "web_identity_token_file"))
		return plan_fail(p, "`role_arn` was missing for the "
		    "web_identity_token_file of profile `", name, "`");
	if (pget(f, BK_INI_PROFILE, name, "credential_process", p->process,
	    sizeof(p->process))) {
		p->base = BK_BASE_PROCESS;
		return BK_OK;
	}
	if (akid && sec) {
		p->base = BK_BASE_STATIC;
		return BK_OK;
	}
	if (akid)
		return plan_fail(p, "profile `", name,
		    "` is missing aws_secret_access_key");
	if (sec)
		return plan_fail(p, "profile `", name,
		    "` is missing aws_access_key_id");
	p->no_credentials = 1;
	plan_fail(p, "profile `", name, "` did not contain credential "
	    "information");
	return BK_E_NOT_FOUND;
}

enum bk_err
bk_profile_plan(const struct bk_profile_files *f, const char *profile,
    struct bk_plan *p)
{
	char visited[BK_PLAN_MAX_LINKS + 1][128];
	char cur[128], src[128];
	size_t nv = 0, i;
	enum bk_err e;

	memset(p, 0, sizeof(*p));
	/* cur and src are copied whole into the plan (link[].profile,
	 * base_profile): zeroed first, so no stale stack bytes ride along
	 * after their NULs (found by tests/fuzz/fuzz_ini.c) */
	memset(cur, 0, sizeof(cur));
	memset(src, 0, sizeof(src));
	if (strlen(profile) >= sizeof(cur))
		return plan_fail(p, "profile name too long", NULL, NULL);
	memcpy(cur, profile, strlen(profile) + 1);
	if (!bk_profile_exists(f, BK_INI_PROFILE, profile)) {
		p->no_credentials = 1;
		plan_fail(p, "profile `", profile, "` is not defined");
		return BK_E_NOT_FOUND;
	}
	for (;;) {
		struct bk_plan_link *l;
		int has_src, has_cs;

		for (i = 0; i < nv; i++)
			if (strcmp(visited[i], cur) == 0)
				return plan_fail(p, "profile formed an infinite "
				    "loop at `", cur, "`");
		if (nv > BK_PLAN_MAX_LINKS)
			return plan_fail(p, "role chain longer than 32 links",
			    NULL, NULL);
		memcpy(visited[nv++], cur, sizeof(cur));
		if (!bk_profile_exists(f, BK_INI_PROFILE, cur))
			return plan_fail(p, "could not find source profile `",
			    cur, "`");
		/* a source profile with static keys ends the chain there */
		if (nv > 1 && has(f, cur, "aws_access_key_id")) {
			e = plan_base(f, cur, p);
			break;
		}
		if (!has(f, cur, "role_arn")) {
			e = plan_base(f, cur, p);
			if (e == BK_E_NOT_FOUND && nv > 1)
				e = BK_E_CONFIG; /* a named source must work */
			break;
		}
		if (p->nlinks >= BK_PLAN_MAX_LINKS)
			return plan_fail(p, "role chain longer than 32 links",
			    NULL, NULL);
		l = &p->link[p->nlinks];
		memcpy(l->profile, cur, sizeof(cur));
		pget(f, BK_INI_PROFILE, cur, "role_arn", l->role_arn,
		    sizeof(l->role_arn));
		pget(f, BK_INI_PROFILE, cur, "external_id", l->external_id,
		    sizeof(l->external_id));
		pget(f, BK_INI_PROFILE, cur, "role_session_name",
		    l->session_name, sizeof(l->session_name));
		pget(f, BK_INI_PROFILE, cur, "mfa_serial", l->mfa_serial,
		    sizeof(l->mfa_serial));
		pget(f, BK_INI_PROFILE, cur, "duration_seconds", l->duration,
		    sizeof(l->duration));
		if (pget(f, BK_INI_PROFILE, cur, "web_identity_token_file",
		    p->web_token_file, sizeof(p->web_token_file))) {
			/* the role is the web identity call's, not a link */
			memcpy(p->web_role_arn, l->role_arn, sizeof(l->role_arn));
			memcpy(p->web_session_name, l->session_name,
			    sizeof(l->session_name));
			memcpy(p->base_profile, cur, sizeof(cur));
			p->base = BK_BASE_WEB_IDENTITY;
			e = BK_OK;
			break;
		}
		p->nlinks++;
		has_src = pget(f, BK_INI_PROFILE, cur, "source_profile", src,
		    sizeof(src));
		has_cs = pget(f, BK_INI_PROFILE, cur, "credential_source",
		    p->named_source, sizeof(p->named_source));
		if (has_src && has_cs)
			return plan_fail(p, "profile `", cur, "` contained both "
			    "source_profile and credential_source");
		if (has_cs) {
			if (strcmp(p->named_source, "Environment") != 0 &&
			    strcmp(p->named_source, "Ec2InstanceMetadata") != 0 &&
			    strcmp(p->named_source, "EcsContainer") != 0)
				return plan_fail(p, "unknown credential_source `",
				    p->named_source, "` (use Environment, "
				    "Ec2InstanceMetadata or EcsContainer)");
			memcpy(p->base_profile, cur, sizeof(cur));
			p->base = BK_BASE_NAMED;
			e = BK_OK;
			break;
		}
		if (!has_src)
			return plan_fail(p, "profile `", cur, "` must contain "
			    "`source_profile` or `credential_source` with its "
			    "role_arn");
		if (strcmp(src, cur) == 0) {
			/* self reference: this profile's own keys are the base */
			if (!has(f, cur, "aws_access_key_id"))
				return plan_fail(p, "profile `", cur, "` is its "
				    "own source_profile but has no "
				    "aws_access_key_id");
			e = plan_base(f, cur, p);
			break;
		}
		memcpy(cur, src, sizeof(src));
	}
	if (e != BK_OK)
		return e;
	/* links were found outermost first; the program runs innermost first */
	for (i = 0; i < p->nlinks / 2; i++) {
		struct bk_plan_link t = p->link[i];
		p->link[i] = p->link[p->nlinks - 1 - i];
		p->link[p->nlinks - 1 - i] = t;
	}
	return BK_OK;
}

enum bk_err
bk_aws_file_path(const char *override, const char *home,
    const char *default_name, struct bk_buf *out)
{
	if (override != NULL && override[0] != '\0') {
		if (override[0] == '~' && (override[1] == '/' ||
		    override[1] == '\0')) {
			if (home == NULL || home[0] == '\0')
				return BK_E_NOT_FOUND;
			bk_buf_puts(out, home);
			bk_buf_puts(out, override + 1);
		} else {
			bk_buf_puts(out, override);
		}
		return bk_buf_err(out);
	}
	if (home == NULL || home[0] == '\0')
		return BK_E_NOT_FOUND;
	bk_buf_puts(out, home);
	if (home[strlen(home) - 1] != '/')
		bk_buf_putc(out, '/');
	bk_buf_puts(out, ".aws/");
	bk_buf_puts(out, default_name);
	return bk_buf_err(out);
}

/* ==================================================================== */
/* 7. Endpoints                                                         */
/* ==================================================================== */

/*
 * botocore's rule set for bedrock-runtime, flattened:
 *
 *   Endpoint set:  UseFIPS -> error; UseDualStack -> error; else Endpoint
 *   Region unset:  error "Invalid Configuration: Missing Region"
 *   else, with P = aws.partition(Region):
 *     FIPS+DualStack  https://bedrock-runtime-fips.{Region}.{P.dualStack}
 *     FIPS            https://bedrock-runtime-fips.{Region}.{P.dnsSuffix}
 *     DualStack       https://bedrock-runtime.{Region}.{P.dualStack}
 *     neither         https://bedrock-runtime.{Region}.{P.dnsSuffix}
 *   each variant failing with its error when P lacks FIPS or DualStack.
 *
 * No generic rules engine: the tree is six branches, and a table of
 * eight partitions replaces partitions.json.
 */
/*
 * partitions.json, in file order: aws.partition() takes the partition
 * that lists the region by name, else the first whose regionRegex
 * matches, else "aws".  Every regionRegex has the shape
 * ^PREFIX\w+\-\d+$, so `re` holds only the '|'-separated prefixes.
 * `regions` is the explicit list, space-separated.  All eight support
 * FIPS and dual-stack today; the flags keep the rule set's errors
 * reachable when a partition changes.
 */
struct ep_partition {
	const char *dns;        /* dnsSuffix */
	const char *dual;       /* dualStackDnsSuffix */
	const char *re;         /* regionRegex prefixes */
	const char *regions;
	unsigned char fips, dualstack;
};

static const struct ep_partition ep_parts[] = {
	{ "amazonaws.com", "api.aws",  /* aws */
	  "us-|eu-|ap-|sa-|ca-|me-|af-|il-|mx-",
	  "af-south-1 ap-east-1 ap-east-2 ap-northeast-1 ap-northeast-2 "
	  "ap-northeast-3 ap-south-1 ap-south-2 ap-southeast-1 ap-southeast-2 "
	  "ap-southeast-3 ap-southeast-4 ap-southeast-5 ap-southeast-6 "
	  "ap-southeast-7 aws-global ca-central-1 ca-west-1 eu-central-1 "
	  "eu-central-2 eu-north-1 eu-south-1 eu-south-2 eu-west-1 eu-west-2 "
	  "eu-west-3 il-central-1 me-central-1 me-south-1 mx-central-1 "
	  "sa-east-1 us-east-1 us-east-2 us-west-1 us-west-2", 1, 1 },
	{ "amazonaws.com.cn", "api.amazonwebservices.com.cn", "cn-",
	  "aws-cn-global cn-north-1 cn-northwest-1", 1, 1 },
	{ "amazonaws.eu", "api.amazonwebservices.eu", "eusc-de-",
	  "eusc-de-east-1", 1, 1 },
	{ "c2s.ic.gov", "api.aws.ic.gov", "us-iso-",
	  "aws-iso-global us-iso-east-1 us-iso-west-1", 1, 1 },
	{ "sc2s.sgov.gov", "api.aws.scloud", "us-isob-",
	  "aws-iso-b-global us-isob-east-1 us-isob-west-1", 1, 1 },
	{ "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", "eu-isoe-",
	  "aws-iso-e-global eu-isoe-west-1", 1, 1 },
	{ "csp.hci.ic.gov", "api.aws.hci.ic.gov", "us-isof-",
	  "aws-iso-f-global us-isof-east-1 us-isof-south-1", 1, 1 },
	{ "amazonaws.com", "api.aws", "us-gov-",
	  "aws-us-gov-global us-gov-east-1 us-gov-west-1", 1, 1 },
};
#define EP_NPARTS (sizeof(ep_parts) / sizeof(ep_parts[0]))

/*
 * The tail of the regexes, \w+\-\d+$.  The region already passed
 * bk_region_valid() ([a-z0-9-]), and \w cannot match '-', so: one or
 * more non-dashes, one dash, one or more digits, the end.
 */
static int
ep_word_dash_digits(const char *s)
{
	const char *d = strchr(s, '-');
	size_t n;

	if (d == NULL || d == s)
		return 0;
	n = strlen(d + 1);
	return n > 0 && strspn(d + 1, "0123456789") == n;
}

/* 1 if an item of the `sep`-separated list equals s (whole = 1) or is a
 * prefix of s followed by the regex tail (whole = 0). */
static int
ep_list_has(const char *list, char sep, const char *s, int whole)
{
	size_t sl = strlen(s);

	while (*list != '\0') {
		const char *e = strchr(list, sep);
		size_t n = e ? (size_t)(e - list) : strlen(list);
		if (whole ? (n == sl && memcmp(list, s, n) == 0) :
		    (n < sl && memcmp(list, s, n) == 0 &&
		    ep_word_dash_digits(s + n)))
			return 1;
		list += e ? n + 1 : n;
	}
	return 0;
}

static const struct ep_partition *
ep_partition_of(const char *region)
{
	size_t i;

	for (i = 0; i < EP_NPARTS; i++)
		if (ep_list_has(ep_parts[i].regions, ' ', region, 1))
			return &ep_parts[i];
	for (i = 0; i < EP_NPARTS; i++)
		if (ep_list_has(ep_parts[i].re, '|', region, 0))
			return &ep_parts[i];
	return &ep_parts[0];
}

static enum bk_err
ep_fail(struct bk_endpoint *out, enum bk_err e, const char *msg)
{
	struct bk_buf b;

	out->url[0] = out->signing_region[0] = '\0';
	bk_buf_init(&b, out->error, sizeof(out->error));
	bk_buf_puts(&b, msg);
	return e;
}

/* RFC 1123 host name: dot-separated labels of 1..63 letters, digits and
 * inner dashes; no trailing dot (it would not match the certificate). */
static int
ep_host_ok(const char *h, size_t n)
{
	size_t i, lab = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		char c = h[i];
		if (c == '.') {
			if (lab == 0 || h[i - 1] == '-')
				return 0;
			lab = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (c == '-' && lab > 0)) {
			if (++lab > 63)
				return 0;
		} else {
			return 0;
		}
	}
	return h[n - 1] != '.' && h[n - 1] != '-';
}

/*
 * Interface VPC endpoint names (the only custom hosts whose region can
 * be known without the caller):
 *   vpce-<id>[-<az>].<svc>.<region>.vpce.amazonaws.com[.cn]
 * with <svc> bedrock-runtime or bedrock, either maybe with "-fips".
 * Requests through them still sign as "bedrock" in <region>, whatever
 * region the caller configured.  Writes the region, returns 1.
 * `host` passed ep_host_ok(), so every label, the region included, is
 * already a valid host label (what bk_region_valid() checks).
 */
static int
ep_vpce_region(const char *host, char *region, size_t cap)
{
	static const char *const svc[] = { "bedrock-runtime-fips.",
		"bedrock-runtime.", "bedrock-fips.", "bedrock." };
	const char *r, *d = strchr(host, '.');
	size_t i, n;

	if (strncmp(host, "vpce-", 5) != 0 || d == NULL)
		return 0;
	for (i = 0; i < 4; i++)
		if (strncmp(d + 1, svc[i], strlen(svc[i])) == 0)
			break;
	if (i == 4)
		return 0;
	r = d + 1 + strlen(svc[i]);
	d = strchr(r, '.');
	if (d == NULL || (strcmp(d, ".vpce.amazonaws.com") != 0 &&
	    strcmp(d, ".vpce.amazonaws.com.cn") != 0))
		return 0;
	n = (size_t)(d - r);
	if (n >= cap)
		return 0;
	memcpy(region, r, n);
	region[n] = '\0';
	return 1;
}

#define EP_BAD_URL "custom endpoint must look like https://host[:port][/path]"

/*
 * A custom endpoint: validate, lowercase the host, drop trailing '/'.
 * Refused: http:// (it would send the signature and session token in
 * the clear), userinfo, spaces, a query or fragment (the operation path
 * is appended to the URL), an empty host, a port outside 1..65535.
 */
static enum bk_err
ep_custom(const char *ep, const char *region, struct bk_endpoint *out)
{
	const char *s, *path;
	char host[254];
	size_t hl, n, i, sl;

	/*
	 * https, or plain http as the SDKs also accept (LocalStack, a gateway
	 * on loopback): the caller warns when http leaves the machine.
	 */
	if (strncmp(ep, "https://", 8) == 0)
		sl = 8;
	else if (strncmp(ep, "http://", 7) == 0)
		sl = 7;
	else
		return ep_fail(out, BK_E_ENDPOINT,
		    "custom endpoint must start with https:// (or http://)");
	out->insecure = (sl == 7);
	s = ep + sl;
	if (*s == '[')  /* an IPv6 literal, kept as it is */
		s += 1 + strspn(s + 1, "0123456789abcdefABCDEF:.");
	else
		s += strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-.");
	if (*s == ']' && ep[sl] == '[' && s > ep + sl + 1)
		s++;
	hl = (size_t)(s - (ep + sl));
	if (hl >= sizeof(host))
		return ep_fail(out, BK_E_ENDPOINT, EP_BAD_URL);
	for (i = 0; i < hl; i++) {
		char c = ep[sl + i];
		host[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	host[hl] = '\0';
	if (host[0] != '[' ? !ep_host_ok(host, hl) : host[hl - 1] != ']')
		return ep_fail(out, BK_E_ENDPOINT, EP_BAD_URL);
	if (*s == ':') {
		unsigned long port = 0;
		n = strspn(s + 1, "0123456789");
		for (i = 1; i <= n && i <= 5; i++)
			port = port * 10 + (unsigned long)(s[i] - '0');
		if (n == 0 || n > 5 || port == 0 || port > 65535)
			return ep_fail(out, BK_E_ENDPOINT,
			    "custom endpoint has a bad port");
		s += 1 + n;
	}
	if (*s != '\0' && *s != '/')
		return ep_fail(out, BK_E_ENDPOINT, EP_BAD_URL);
	for (path = s; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    *s == '?' || *s == '#' || *s == '\\')
			return ep_fail(out, BK_E_ENDPOINT, EP_BAD_URL);
	n = (size_t)(s - ep);
	while (n > (size_t)(path - ep) && ep[n - 1] == '/')
		n--;
	if (n >= sizeof(out->url))
		return ep_fail(out, BK_E_ENDPOINT,
		    "custom endpoint URL is too long");
	memcpy(out->url, ep, sl);
	memcpy(out->url + sl, host, hl);
	memcpy(out->url + sl + hl, ep + sl + hl, n - sl - hl);
	out->url[n] = '\0';
	out->custom = 1;
	out->vpce = ep_vpce_region(host, out->signing_region,
	    sizeof(out->signing_region));
	if (!out->vpce && region != NULL)
		memcpy(out->signing_region, region, strlen(region) + 1);
	return BK_OK;
}

static int
ep_prefix_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 31 || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))
			return 0;
	return 1;
}

enum bk_err
bk_endpoint_resolve(const struct bk_endpoint_params *p,
    struct bk_endpoint *out)
{
	const struct ep_partition *pt;
	const char *region;
	struct bk_buf b;

	memset(out, 0, sizeof(*out));
	/*
	 * The service is the host prefix: bedrock-runtime and bedrock (both
	 * sign as "bedrock"), and the same pattern serves the calls the
	 * credential chain makes: sts, portal.sso, oidc ("-fips" goes after
	 * the prefix: portal.sso-fips.REGION.api.aws).
	 */
	if (p->service == NULL || !ep_prefix_ok(p->service))
		return ep_fail(out, BK_E_ARG, "invalid service host prefix");
	if (strncmp(p->service, "bedrock", 7) == 0)
		memcpy(out->signing_name, "bedrock", 8);
	else
		memcpy(out->signing_name, p->service, strlen(p->service) + 1);
	/* an empty AWS_REGION means unset, as in the SDKs' env providers */
	region = (p->region != NULL && p->region[0] != '\0') ? p->region :
	    NULL;
	if (p->endpoint != NULL && p->use_fips)
		return ep_fail(out, BK_E_ENDPOINT, "Invalid Configuration: "
		    "FIPS and custom endpoint are not supported");
	if (p->endpoint != NULL && p->use_dualstack)
		return ep_fail(out, BK_E_ENDPOINT, "Invalid Configuration: "
		    "Dualstack and custom endpoint are not supported");
	if (p->endpoint == NULL && region == NULL)
		return ep_fail(out, BK_E_NO_REGION,
		    "Invalid Configuration: Missing Region");
	/*
	 * Not in this rule set (it pastes {Region} into the host as is),
	 * but other AWS rule sets check isValidHostLabel(Region): without
	 * it a region such as "x.evil.com/#" would pick the host.  It also
	 * bounds the region for signing_region.
	 */
	if (region != NULL && !bk_region_valid(region))
		return ep_fail(out, BK_E_ENDPOINT,
		    "Invalid Configuration: Region is not a valid host label");
	if (p->endpoint != NULL)
		return ep_custom(p->endpoint, region, out);

	pt = ep_partition_of(region);
	if (p->use_fips && p->use_dualstack && !(pt->fips && pt->dualstack))
		return ep_fail(out, BK_E_ENDPOINT, "FIPS and DualStack are "
		    "enabled, but this partition does not support one or "
		    "both");
	if (p->use_fips && !pt->fips)
		return ep_fail(out, BK_E_ENDPOINT, "FIPS is enabled but this "
		    "partition does not support FIPS");
	if (p->use_dualstack && !pt->dualstack)
		return ep_fail(out, BK_E_ENDPOINT, "DualStack is enabled but "
		    "this partition does not support DualStack");
	bk_buf_init(&b, out->url, sizeof(out->url));
	bk_buf_puts(&b, "https://");
	bk_buf_puts(&b, p->service);
	bk_buf_puts(&b, p->use_fips ? "-fips." : ".");
	bk_buf_puts(&b, region);
	bk_buf_putc(&b, '.');
	bk_buf_puts(&b, p->use_dualstack ? pt->dual : pt->dns);
	memcpy(out->signing_region, region, strlen(region) + 1);
	return bk_buf_err(&b);  /* BK_OK: a region is at most 63 bytes */
}

/* ==================================================================== */
/* 9. Models and regions                                                */
/* ==================================================================== */

int
bk_region_valid(const char *r)
{
	size_t i, n = strlen(r);

	if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		char c = r[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-'))
			return 0;
	}
	return 1;
}

static int
starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

const char *
bk_region_profile_prefix(const char *region)
{
	if (starts(region, "us-gov-"))
		return "us-gov";
	if (starts(region, "us-"))
		return "us";
	if (starts(region, "eu-"))
		return "eu";
	/* Tokyo and Osaka have their own Japan profiles */
	if (strcmp(region, "ap-northeast-1") == 0 ||
	    strcmp(region, "ap-northeast-3") == 0)
		return "jp";
	if (starts(region, "ap-"))
		return "apac";
	return "global";
}

enum bk_err
bk_model_default(const char *region, struct bk_buf *out)
{
	const char *p = bk_region_profile_prefix(region);

	/*
	 * Sonnet 4.6 has us., eu., jp. and global. profiles; elsewhere the
	 * global profile routes it.  GovCloud keeps its own prefix.
	 */
	if (strcmp(p, "apac") == 0)
		p = "global";
	bk_buf_puts(out, p);
	bk_buf_putc(out, '.');
	bk_buf_puts(out, BK_DEFAULT_MODEL_BASE);
	return bk_buf_err(out);
}

void
bk_model_path(struct bk_buf *out, const char *model, const char *op)
{
	bk_buf_puts(out, "/model/");
	bk_uri_encode(out, model, strlen(model), 0);
	bk_buf_putc(out, '/');
	bk_buf_puts(out, op);
}
