/*
 * fuzz_http.c -- libFuzzer target for what our code does with the HTTP
 * response heads and error bodies the transport delivers: client.c's
 * sink (rx_status, rx_header, rx_body) and the service error built from
 * it (bk_svc_error_http), awsreq.c's sink (c_status, c_header, c_body),
 * the Date header (bk_time_parse_http), Retry-After (bk_retry_after_ms)
 * and ISO 8601 times (bk_time_parse_iso8601).
 *
 * Input: one flags byte, then a raw reply, "STATUS\r\nName: value\r\n
 * ...\r\n\r\nBODY".  The head goes through tests/fuzz/fuzz_port.c, which
 * splits it into header calls exactly as port/http_curl.c splits curl's
 * lines (so a value may hold any byte but '\n', NUL included); the body
 * is delivered in pieces.
 *
 *   flags & 3      0, 1: bk_call_stream (a Bedrock call); 2: bk_awsreq_do
 *                  (an STS-style call); 3: every line of the rest through
 *                  the three time parsers
 *   flags >> 2 & 7 body piece size: all, 1, 2, 3, 7, 64, 1000, 4096
 *                  (at least 1/256 of the body)
 *   flags & 0x20   the connection is cut after the body (BK_E_NET)
 *   flags & 0x40   Bedrock API key (no SigV4) / unsigned request
 *   flags & 0x80   the body is repeated to 300 KiB (the 64 KiB error-body
 *                  cap of client.c, the 256 KiB reply cap of awsreq.c)
 *
 * Checks (abort() on a violation):
 *  - every header the code keeps is the LAST one of its name, cut to its
 *    buffer, NUL-terminated: client.c's request ID (printable ASCII only),
 *    Retry-After, error type; awsreq.c's Content-Type, request ID and
 *    error type; the server Date (client.c: the last Date header's value
 *    or 0; awsreq.c: the last one that parsed);
 *  - a non-2xx reply gives exactly the bk_svc_error_http() of that status,
 *    error type and body (cut at BK_ERROR_BODY_MAX), and c->err is its
 *    code; its type and message are clean terminal text, its hint is
 *    NUL-terminated; c->detail is one clean line;
 *  - awsreq.c returns the body byte for byte, NUL-terminated, or
 *    BK_E_LIMIT past BK_AWSREQ_BODY_MAX;
 *  - the secret key never appears in a request header, a URL, the
 *    detail or the service error; nothing depends on anything but the
 *    input (the same reply twice gives the same result);
 *  - times: a parsed IMF-fixdate formats back to the same text (the
 *    weekday aside, which the parser ignores, and a leap second or a
 *    29 February of a common year, which it normalises); a canonical
 *    ISO 8601 time likewise; Retry-After is delay-seconds or a date,
 *    capped at BK_RETRY_AFTER_MAX_MS.
 *
 * Built with clang -fsanitize=fuzzer (make build/fuzz/fuzz_http) and,
 * with -DREPLAY, included by replay.c: every helper is static, prefix fh_.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "awsreq.h"
#include "bedrock.h"
#include "client.h"
#include "fuzz_port.h"
#include "retry.h"

#define FH_AKID "AKIDFUZZEXAMPLE"
#define FH_SECRET "fhSecretKeyMARKER/9b1e4c7d2a"
#define FH_TOKEN "fhSessionTokenMARKER+5e8a3f1c"
#define FH_BEARER "fhBearerMARKER-0c4d7e2b91"
#define FH_BIG (300u * 1024u)
#define FH_NOW 1764072000

static uint8_t fh_big[FH_BIG];

/* What the head should leave behind, computed from the lines. */
struct fh_expect {
	int status;
	/* client.c */
	char request_id[128];
	char errtype[128];
	size_t errtype_len;
	int64_t date_client;
	char retry_after[64];
	int is_evs;
	/* awsreq.c */
	char ctype[96], rid[96], etype[128];
	size_t ctype_len, rid_len, etype_len;
	int64_t date_awsreq;
};

static void
fh_cut(char *dst, size_t cap, size_t *len, const char *v, size_t vl)
{
	size_t n = vl >= cap ? cap - 1 : vl;

	memcpy(dst, v, n);
	dst[n] = '\0';
	*len = n;
}

/* The header calls of a head, replayed into the expectations. */
static void
fh_expect(const uint8_t *head, size_t hl, struct fh_expect *x)
{
	const uint8_t *h = head, *end = head + hl;
	int64_t t;

	memset(x, 0, sizeof(*x));
	while (h < end && *h >= '0' && *h <= '9' && x->status < 100000)
		x->status = x->status * 10 + (*h++ - '0');
	while (h < end && *h != '\n')
		h++;
	if (h < end)
		h++;
	while (h < end) {
		const uint8_t *nlp = memchr(h, '\n', (size_t)(end - h));
		size_t len = nlp ? (size_t)(nlp - h) : (size_t)(end - h), nl,
		    vs, vl, i;
		const char *p = (const char *)h, *v;
		h += len + (nlp ? 1 : 0);
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		for (nl = 0; nl < len && p[nl] != ':'; nl++)
			;
		if (nl == 0 || nl == len)
			continue;
		vs = nl + 1;
		while (vs < len && (p[vs] == ' ' || p[vs] == '\t'))
			vs++;
		v = p + vs;
		vl = len - vs;
		if (nl == 16 && strncasecmp(p, "x-amzn-requestid", 16) == 0) {
			size_t n = vl < 127 ? vl : 127;
			for (i = 0; i < n; i++)
				x->request_id[i] = v[i] > ' ' && v[i] < 0x7f ?
				    v[i] : '?';
			x->request_id[n] = '\0';
			fh_cut(x->rid, sizeof(x->rid), &x->rid_len, v, vl);
		} else if (nl == 16 &&
		    strncasecmp(p, "x-amzn-errortype", 16) == 0) {
			x->errtype_len = vl < 128 ? vl : 128;
			memcpy(x->errtype, v, x->errtype_len);
			fh_cut(x->etype, sizeof(x->etype), &x->etype_len, v, vl);
		} else if (nl == 4 && strncasecmp(p, "date", 4) == 0) {
			x->date_client = bk_time_parse_http(v, vl, &t) ==
			    BK_OK ? t : 0;
			if (bk_time_parse_http(v, vl, &t) == BK_OK)
				x->date_awsreq = t;
		} else if (nl == 11 && strncasecmp(p, "retry-after", 11) == 0) {
			size_t n = vl < 63 ? vl : 63;
			memcpy(x->retry_after, v, n);
			x->retry_after[n] = '\0';
		} else if (nl == 12 && strncasecmp(p, "content-type", 12) ==
		    0) {
			x->is_evs = vl >= 31 && strncasecmp(v,
			    "application/vnd.amazon.eventstream", 31) == 0;
			fh_cut(x->ctype, sizeof(x->ctype), &x->ctype_len, v, vl);
		}
	}
}

static int
fh_on_text(void *ctx, const char *text, size_t n)
{
	uint64_t *count = ctx;

	FP_ASSERT(text != NULL || n == 0);
	*count += n;
	return 0;
}

/* Nothing secret in the requests made: the key signs, it is not sent. */
static void
fh_check_requests(void)
{
	size_t i;

	for (i = 0; i < fp_nrequests(); i++) {
		const struct fp_request *q = fp_request(i);
		FP_ASSERT(!fp_has(q->headers, FH_SECRET));
		FP_ASSERT(!fp_has(q->url, FH_SECRET));
		FP_ASSERT(!fp_has(q->url, FH_TOKEN));
	}
}

static void
fh_check_svc(const struct bk_svc_error *s)
{
	FP_ASSERT(fp_terminated(s->type, sizeof(s->type)));
	FP_ASSERT(fp_terminated(s->message, sizeof(s->message)));
	FP_ASSERT(fp_terminated(s->hint, sizeof(s->hint)));
	FP_ASSERT(fp_clean(s->type, 0) && fp_clean(s->message, 0));
	FP_ASSERT(bk_utf8_invalid((const uint8_t *)s->type,
	    strlen(s->type)) == 0);
	FP_ASSERT(bk_utf8_invalid((const uint8_t *)s->message,
	    strlen(s->message)) == 0);
	FP_ASSERT(!fp_has(s->message, FH_SECRET) &&
	    !fp_has(s->type, FH_SECRET) && !fp_has(s->hint, FH_SECRET));
	FP_ASSERT(strncmp(bk_errname(s->code), "BK_E_SVC_", 9) == 0);
}

struct fh_result {
	enum bk_err err;
	int status;
	struct bk_svc_error svc;
	char detail[512], request_id[128], retry_after[64];
	int64_t server_date;
	uint64_t text_bytes, texts;
};

static void
fh_call(const uint8_t *head, size_t hl, const uint8_t *body, size_t bl,
    size_t piece, enum bk_err after, int bearer, struct fh_result *res)
{
	static struct bk_sigv4_cache cache;
	static const char req[] = "{\"max_tokens\":16}";
	struct bk_call c;

	fp_reset();
	fp_reply(head, hl, body, bl, piece, after);
	memset(&c, 0, sizeof(c));
	c.endpoint = "https://bedrock-runtime.us-east-1.amazonaws.com";
	c.region = "us-east-1";
	c.service = "bedrock";
	c.model = "us.anthropic.claude-sonnet-4-6";
	c.creds.akid = FH_AKID;
	c.creds.secret = FH_SECRET;
	c.creds.token = FH_TOKEN;
	c.bearer = bearer ? FH_BEARER : NULL;
	c.body = (const uint8_t *)req;
	c.body_len = sizeof(req) - 1;
	c.key_cache = &cache;
	c.on_text = fh_on_text;
	c.ctx = &res->texts;
	res->texts = 0;
	res->err = bk_call_stream(&c);
	FP_ASSERT(res->err == c.err);
	FP_ASSERT(fp_nrequests() == 1);
	fh_check_requests();
	res->status = c.status;
	res->svc = c.svc;
	memcpy(res->detail, c.detail, sizeof(res->detail));
	memcpy(res->request_id, c.request_id, sizeof(res->request_id));
	memcpy(res->retry_after, c.retry_after, sizeof(res->retry_after));
	res->server_date = c.server_date;
	res->text_bytes = c.text_bytes;
}

static void
fh_stream_mode(const uint8_t *head, size_t hl, const uint8_t *body,
    size_t bl, size_t piece, enum bk_err after, int bearer)
{
	static struct fh_result a, b;
	struct fh_expect x;

	fh_expect(head, hl, &x);
	fh_call(head, hl, body, bl, piece, after, bearer, &a);
	FP_ASSERT(a.status == x.status);
	FP_ASSERT(fp_terminated(a.request_id, sizeof(a.request_id)));
	FP_ASSERT(strcmp(a.request_id, x.request_id) == 0);
	FP_ASSERT(fp_terminated(a.retry_after, sizeof(a.retry_after)));
	FP_ASSERT(strcmp(a.retry_after, x.retry_after) == 0);
	FP_ASSERT(a.server_date == x.date_client);
	FP_ASSERT(fp_terminated(a.detail, sizeof(a.detail)));
	FP_ASSERT(fp_clean(a.detail, 0));
	FP_ASSERT(!fp_has(a.detail, FH_SECRET) && !fp_has(a.detail, FH_TOKEN));
	FP_ASSERT(a.text_bytes == a.texts);
	FP_ASSERT(strcmp(bk_errname(a.err), "BK_E_UNKNOWN") != 0);
	if (x.status < 200 || x.status >= 300) {
		FP_ASSERT(a.text_bytes == 0);
		if (after != BK_OK) {
			FP_ASSERT(a.err == after);
		} else {
			/* exactly the error the core makes of these bytes */
			static struct bk_svc_error want;
			struct bk_svc_context ctx;
			ctx.model = "us.anthropic.claude-sonnet-4-6";
			ctx.region = "us-east-1";
			ctx.operation = "InvokeModelWithResponseStream";
			bk_svc_error_http(&want, x.status, x.errtype,
			    x.errtype_len, bl > 0 ? (const char *)body : NULL,
			    bl < BK_ERROR_BODY_MAX ? bl : BK_ERROR_BODY_MAX,
			    &ctx);
			FP_ASSERT(memcmp(&want, &a.svc, sizeof(want)) == 0);
			FP_ASSERT(a.err == a.svc.code);
			fh_check_svc(&a.svc);
		}
	} else if (!x.is_evs && bl > 0) {
		FP_ASSERT(a.err == BK_E_HTTP);
	}
	/* the same exchange again: the same outcome (static state in
	 * client.c must not leak between calls) */
	if (bl <= 4096) {
		fh_call(head, hl, body, bl, piece, after, bearer, &b);
		FP_ASSERT(a.err == b.err && a.status == b.status);
		FP_ASSERT(memcmp(&a.svc, &b.svc, sizeof(a.svc)) == 0);
		FP_ASSERT(strcmp(a.detail, b.detail) == 0);
		FP_ASSERT(a.server_date == b.server_date);
		FP_ASSERT(a.text_bytes == b.text_bytes);
	}
}

static void
fh_awsreq_mode(const uint8_t *head, size_t hl, const uint8_t *body,
    size_t bl, size_t piece, enum bk_err after, int unsigned_req)
{
	static const struct bk_header ct = { "Content-Type", 12,
		"application/x-www-form-urlencoded; charset=utf-8", 48 };
	static const char form[] = "Action=GetCallerIdentity&Version=2011-06-15";
	struct bk_creds sign;
	struct bk_awsreq r;
	struct fh_expect x;
	enum bk_err e;

	fh_expect(head, hl, &x);
	fp_reset();
	fp_reply(head, hl, body, bl, piece, after);
	memset(&r, 0, sizeof(r));
	sign.akid = FH_AKID;
	sign.secret = FH_SECRET;
	sign.token = FH_TOKEN;
	r.method = "POST";
	r.url = "https://sts.us-east-1.amazonaws.com/";
	r.headers = &ct;
	r.nheaders = 1;
	r.body = (const uint8_t *)form;
	r.body_len = sizeof(form) - 1;
	r.sign = unsigned_req ? NULL : &sign;
	r.region = "us-east-1";
	r.service = "sts";
	e = bk_awsreq_do(&r);
	fh_check_requests();
	FP_ASSERT(r.status == x.status);
	FP_ASSERT(r.content_type[x.ctype_len] == '\0' &&
	    memcmp(r.content_type, x.ctype, x.ctype_len) == 0);
	FP_ASSERT(r.error_type[x.etype_len] == '\0' &&
	    memcmp(r.error_type, x.etype, x.etype_len) == 0);
	FP_ASSERT(r.request_id[x.rid_len] == '\0' &&
	    memcmp(r.request_id, x.rid, x.rid_len) == 0);
	FP_ASSERT(r.server_date == x.date_awsreq);
	if (bl > BK_AWSREQ_BODY_MAX) {
		FP_ASSERT(e == BK_E_LIMIT && r.perr.code == BK_E_LIMIT);
	} else if (after != BK_OK) {
		FP_ASSERT(e == after);
	} else {
		FP_ASSERT(e == BK_OK && r.resp != NULL);
		FP_ASSERT(r.resp_len == bl && r.resp[bl] == '\0');
		FP_ASSERT(bl == 0 || memcmp(r.resp, body, bl) == 0);
	}
	FP_ASSERT(fp_terminated(r.perr.msg, sizeof(r.perr.msg)));
	bk_awsreq_free(&r);
	FP_ASSERT(r.resp == NULL && r.resp_len == 0);
}

/* ---- times ---------------------------------------------------------------- */

/* t -> "YYYY-MM-DDTHH:MM:SSZ" (20 bytes) and "Www, DD Mon YYYY HH:MM:SS
 * GMT" (29 bytes); 0 if t is outside bk_time_amz's years. */
static int
fh_format(int64_t t, char iso[21], char http[30])
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const char wday[] = "ThuFriSatSunMonTueWed";
	char a[17];
	int m;

	if (bk_time_amz(t, a) != BK_OK)
		return 0;
	snprintf(iso, 21, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", a, a + 4, a + 6,
	    a + 9, a + 11, a + 13);
	m = (a[4] - '0') * 10 + (a[5] - '0');
	snprintf(http, 30, "%.3s, %.2s %.3s %.4s %.2s:%.2s:%.2s GMT",
	    wday + 3 * (int)((t / 86400) % 7), a + 6, mon + 3 * (m - 1), a,
	    a + 9, a + 11, a + 13);
	return 1;
}

static int
fh_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
fh_num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static void
fh_times(const char *s, size_t n)
{
	char iso[21], http[30];
	uint32_t ms;
	int64_t t;
	size_t m, i;

	if (bk_time_parse_http(s, n, &t) == BK_OK) {
		/* "Sun, 06 Nov 1994 08:49:37 GMT": digits checked */
		int sec = fh_num(s + 23, 2), day = fh_num(s + 5, 2),
		    year = fh_num(s + 12, 4);
		FP_ASSERT(n == 29);
		FP_ASSERT(t >= 0 && t <= INT64_C(253402300800));
		if (sec != 60 && !(day == 29 && memcmp(s + 8, "Feb", 3) == 0 &&
		    !fh_leap(year))) {
			FP_ASSERT(fh_format(t, iso, http));
			FP_ASSERT(memcmp(http + 3, s + 3, 26) == 0);
		}
	}
	if (bk_time_parse_iso8601(s, n, &t) == BK_OK) {
		FP_ASSERT(n >= 20);
		if (n == 20 && s[10] == 'T' && s[19] == 'Z') {
			int sec = fh_num(s + 17, 2), day = fh_num(s + 8, 2),
			    mon = fh_num(s + 5, 2), year = fh_num(s, 4);
			if (sec != 60 && !(day == 29 && mon == 2 &&
			    !fh_leap(year))) {
				FP_ASSERT(fh_format(t, iso, http));
				FP_ASSERT(memcmp(iso, s, 20) == 0);
			}
		}
	}
	/* Retry-After: delay-seconds, else an HTTP date */
	ms = bk_retry_after_ms(s, n, FH_NOW);
	FP_ASSERT(ms <= BK_RETRY_AFTER_MAX_MS);
	m = n;
	while (m > 0 && (s[m - 1] == ' ' || s[m - 1] == '\t'))
		m--;
	for (i = 0; i < m && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (m > 0 && i == m) {
		uint64_t v = 0;
		for (i = 0; i < m && v <= 86400; i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
		FP_ASSERT(ms == (v * 1000 > BK_RETRY_AFTER_MAX_MS ?
		    BK_RETRY_AFTER_MAX_MS : v * 1000));
	} else if (bk_time_parse_http(s, m, &t) == BK_OK) {
		FP_ASSERT(ms == (t <= FH_NOW ? 0 : t - FH_NOW > 60 ?
		    BK_RETRY_AFTER_MAX_MS : (uint32_t)(t - FH_NOW) * 1000u));
	} else {
		/* unusable: 0, but a digit run past a day already gives the
		 * cap (README.md, findings) */
		uint64_t v = 0;
		for (i = 0; i < m && s[i] >= '0' && s[i] <= '9' && v <= 86400;
		    i++)
			v = v * 10 + (uint64_t)(s[i] - '0');
		FP_ASSERT(ms == (v > 86400 ? BK_RETRY_AFTER_MAX_MS : 0));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t pieces[] = { 0, 1, 2, 3, 7, 64, 1000, 4096 };
	const uint8_t *p, *body, *end;
	size_t hl, bl, piece;
	enum bk_err after;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	p = data + 1;
	end = data + size;
	if ((flags & 3) == 3) {
		while (p < end) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			char *copy = malloc(n > 0 ? n : 1);
			FP_ASSERT(copy != NULL);
			memcpy(copy, p, n);
			fh_times(copy, n);
			free(copy);
			p += n + (nl ? 1 : 0);
		}
		return 0;
	}
	/* the head ends at the first empty line ("\n\n" or "\n\r\n") */
	hl = (size_t)(end - p);
	body = end;
	{
		const uint8_t *q;
		for (q = p; q < end; q++)
			if (*q == '\n' && q + 1 < end && (q[1] == '\n' ||
			    (q[1] == '\r' && q + 2 < end && q[2] == '\n'))) {
				hl = (size_t)(q + 1 - p);
				body = q + (q[1] == '\n' ? 2 : 3);
				break;
			}
	}
	bl = (size_t)(end - body);
	if ((flags & 0x80) && bl > 0) {
		size_t o;
		for (o = 0; o < FH_BIG; o += bl)
			memcpy(fh_big + o, body, FH_BIG - o < bl ? FH_BIG - o :
			    bl);
		body = fh_big;
		bl = FH_BIG;
	}
	piece = pieces[(flags >> 2) & 7];
	/* at most about 256 pieces: tiny pieces of a big body only cost time */
	if (piece != 0 && piece < bl / 256)
		piece = bl / 256;
	after = (flags & 0x20) ? BK_E_NET : BK_OK;
	if ((flags & 3) == 2)
		fh_awsreq_mode(p, hl, body, bl, piece, after, flags & 0x40);
	else
		fh_stream_mode(p, hl, body, bl, piece, after, flags & 0x40);
	fp_reset();
	return 0;
}
