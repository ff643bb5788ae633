/*
 * fuzz_stream.c -- libFuzzer target for the Bedrock layer above the event
 * stream: bk_stream_message()/bk_stream_finish(), the service-error
 * classifier (bk_svc_error_http/_stream) and the JSON helpers.
 *
 * The first byte of the input picks a mode:
 *
 *   0x00      RAW: the whole input is an event stream (a message prelude
 *             starts with 0x00 below 16 MiB, so captured streams are seeds
 *             as they are).  Each decoded message goes to
 *             bk_stream_message(), then bk_stream_finish().
 *   b%3 == 1  RECORDS ('R'): byte 1 picks the scratch size (bit 0x40 set:
 *             (b & 0x3f) * 16 + 1 bytes, else 48 KiB); the rest is records
 *             separated by NUL bytes.  A record's first byte builds the
 *             headers, the rest is the payload:
 *               bits 0-2  :message-type  0 "event", 1 "event" then a
 *                         second "exception" (the first must win),
 *                         2 an int32 :message-type (ignored), 3
 *                         "exception" (first payload line is
 *                         :exception-type), 4 "error" (first two lines
 *                         are :error-code and :error-message), 5 "event"
 *                         as a bytes header, 6 absent, 7 "eventx"
 *               bits 3-4  :event-type  0/1 "chunk", 2 "Chunk", 3 absent
 *               bit 5     wrap: payload {"bytes":"<base64 of it>","p":..}
 *               bit 6     with "\/" for every '/' in the base64
 *               bit 7     headers in another order, plus :content-type
 *             Each record is encoded with bk_evs_encode(), decoded back
 *             with bk_evs_push() from an exactly sized heap block, and
 *             handed to bk_stream_message().
 *   b%3 == 0  HTTP ('H'): byte 1 picks the status, byte 2 flags (bit 0 no
 *             context, 1 no model/region, 2 no error-type header, 3 no
 *             body); then the x-amzn-ErrorType value up to the first
 *             '\n', the body after it -> bk_svc_error_http().
 *   b%3 == 2  JSON ('J'): byte 1 picks the token count (bit 0x40 set:
 *             (b & 0x3f) + 1, else 512); the rest is parsed with
 *             bk_json_parse() and every token walked.  The rest also goes
 *             through bk_json_put_str() -> parse -> bk_json_str(),
 *             base64 encode/decode round trips and bk_redact() (the
 *             secret: a piece of the rest picked by its first two bytes).
 *             Last, after a message_start, the rest goes to
 *             bk_stream_message() as a chunk's event (wrapped), then in a
 *             new stream as a chunk payload: records cannot hold a NUL.
 *
 * Invariants checked (abort() on violation):
 *   stream: a returned error equals s->err and the event kind is ERROR; a
 *   sticky error comes back unchanged with kind NONE; text points inside
 *   the scratch buffer with a sane length, and no other kind has text;
 *   ev.raw is NULL or inside scratch, and for a wrapped record exactly
 *   the record's body, intact after the text beside it was unescaped;
 *   stop_reason, message_id, model, err_type and err_msg are
 *   NUL-terminated in their arrays, err_type/err_msg free of control
 *   characters; started/stopped only go 0 -> 1 and stopped implies
 *   started; message_start only once; the index is 0..1000000;
 *   bk_stream_finish() is OK exactly when message_stop was seen without
 *   an error.  Every error also goes through bk_svc_error_stream().
 *   fast paths: every message also goes through a second stream with
 *   slow_only set (jsmn for every chunk); the two agree on the result,
 *   the event (text and raw event bytes, at the same scratch offsets),
 *   the index and all the stream's state (fs_same).
 *   service errors: type, message and hint NUL-terminated in their arrays;
 *   type and message sanitised (no control characters: they reach the
 *   terminal); a known code; the status kept.
 *   JSON: token offsets inside the text; bk_json_skip() moves forward and
 *   the root spans every token; bk_json_get() finds the first key of a
 *   name; bk_json_str() agrees with bk_json_unescape_inplace(), keeps
 *   within its buffer and NUL-terminates; u64 only for digit strings;
 *   bk_json_put_str() output parses back to the input (U+FFFD for each
 *   invalid sequence, as many as bk_utf8_invalid() counts); base64
 *   decode(encode(x)) == x and encode(decode(x)) == x.
 *
 * Built with clang -fsanitize=fuzzer, and included by replay.c with
 * -DREPLAY, so helpers are static and prefixed fs_.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"

#define FS_EVS_CAP (64u * 1024u)
#define FS_SCRATCH BK_BASE64_DECODED_MAX(FS_EVS_CAP)
#define FS_TOKENS 512

#define FS_ASSERT(c) do { if (!(c)) fs_fail(__LINE__, #c); } while (0)

static void
fs_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_stream.c:%d: check failed: %s\n", line, what);
	abort();
}

/* NUL-terminated within its array. */
static int
fs_terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

/* Fit for a terminal: NUL-terminated within cap, valid UTF-8, no C0 or
 * C1 control characters, no DEL. */
static int
fs_clean(const char *s, size_t cap)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t i, n;

	if (!fs_terminated(s, cap))
		return 0;
	n = strlen(s);
	if (bk_utf8_invalid(u, n) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return 0;
		if (u[i] == 0xC2 && i + 1 < n && u[i + 1] < 0xA0)
			return 0;   /* U+0080..U+009F */
	}
	return 1;
}

static void
fs_dump(const char *what, const char *s)
{
	size_t i;

	fprintf(stderr, "fuzz_stream: %s: \"", what);
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
	fprintf(stderr, "\"\n");
}

/* e->type / e->message must be clean: they are printed as they are. */
static void
fs_check_svc(const struct bk_svc_error *e)
{
	FS_ASSERT(fs_terminated(e->hint, sizeof(e->hint)));
	FS_ASSERT(strlen(e->hint) > 0);
#ifdef BK_FUZZ_KNOWN
	/* known finding (README.md): a message whose unescaping fails
	 * half-way is left unsanitised */
	FS_ASSERT(fs_terminated(e->message, sizeof(e->message)));
	if (!fs_clean(e->type, sizeof(e->type))) {
#else
	if (!fs_clean(e->type, sizeof(e->type)) ||
	    !fs_clean(e->message, sizeof(e->message))) {
#endif
		if (fs_terminated(e->type, sizeof(e->type)))
			fs_dump("type", e->type);
		if (fs_terminated(e->message, sizeof(e->message)))
			fs_dump("message", e->message);
		fs_fail(__LINE__, "service error type/message not sanitised "
		    "(control characters reach the terminal)");
	}
	FS_ASSERT(strcmp(bk_errname(e->code), "BK_E_UNKNOWN") != 0);
	(void)bk_err_retryable(e->code);
}

static const struct bk_svc_context fs_ctx = {
	"us.anthropic.claude-sonnet-4-6", "us-east-1",
	"InvokeModelWithResponseStream"
};

/* ---- stream --------------------------------------------------------- */

/*
 * Every message goes through two streams: s as the program runs it, and
 * slow with the fast paths off (slow_only), which must agree on all the
 * caller sees (fs_same).
 */
struct fs_stream {
	struct bk_stream s;
	uint8_t *scratch;
	size_t cap;
	struct bk_stream slow;
	uint8_t *scratch2;
};

static void
fs_stream_init(struct fs_stream *f, size_t cap)
{
	f->cap = cap;
	f->scratch = malloc(cap > 0 ? cap : 1);
	f->scratch2 = malloc(cap > 0 ? cap : 1);
	FS_ASSERT(f->scratch != NULL && f->scratch2 != NULL);
	bk_stream_init(&f->s, f->scratch, cap);
	bk_stream_init(&f->slow, f->scratch2, cap);
	f->slow.slow_only = 1;
}

/* Offset of p in the buffer base, or -1 for NULL. */
static long
fs_off(const uint8_t *base, const char *p)
{
	return p == NULL ? -1L : (long)((const uint8_t *)p - base);
}

/* The fast paths and the jsmn path agree: results, events (texts and raw
 * events at the same offsets in their scratch buffers) and state. */
static void
fs_same(const struct fs_stream *f, enum bk_err ra,
    const struct bk_stream_event *a, enum bk_err rb,
    const struct bk_stream_event *b)
{
	const struct bk_stream *x = &f->s, *y = &f->slow;

	FS_ASSERT(y->fast_wrap == 0 && y->fast_text == 0);
	FS_ASSERT(ra == rb && a->kind == b->kind && a->index == b->index);
	FS_ASSERT(a->text_len == b->text_len &&
	    fs_off(f->scratch, a->text) == fs_off(f->scratch2, b->text));
	FS_ASSERT(a->text_len == 0 ||
	    memcmp(a->text, b->text, a->text_len) == 0);
	FS_ASSERT(a->raw_len == b->raw_len &&
	    fs_off(f->scratch, a->raw) == fs_off(f->scratch2, b->raw));
	FS_ASSERT(a->raw_len == 0 || memcmp(a->raw, b->raw, a->raw_len) == 0);
	FS_ASSERT(x->err == y->err && strcmp(x->err_type, y->err_type) == 0 &&
	    strcmp(x->err_msg, y->err_msg) == 0);
	FS_ASSERT(x->started == y->started && x->stopped == y->stopped &&
	    x->block_open == y->block_open);
	FS_ASSERT(memcmp(&x->usage, &y->usage, sizeof(x->usage)) == 0);
	FS_ASSERT(strcmp(x->stop_reason, y->stop_reason) == 0 &&
	    strcmp(x->message_id, y->message_id) == 0 &&
	    strcmp(x->model, y->model) == 0);
	FS_ASSERT(x->have_metrics == y->have_metrics &&
	    x->metric_input == y->metric_input &&
	    x->metric_output == y->metric_output &&
	    x->metric_latency_ms == y->metric_latency_ms &&
	    x->metric_first_byte_ms == y->metric_first_byte_ms);
}

/* 1 if [p, p+n) lies inside the scratch buffer. */
static int
fs_in_scratch(const struct fs_stream *f, const char *p, size_t n)
{
	const uint8_t *u = (const uint8_t *)p;

	return u >= f->scratch && u <= f->scratch + f->cap &&
	    n <= (size_t)(f->scratch + f->cap - u);
}

/*
 * One message through the stream layer, with every check.  raw/raw_len:
 * the Anthropic event JSON the chunk carries, if the caller knows it
 * (ev.raw must then be exactly that, intact after the text is unescaped).
 */
static void
fs_stream_one(struct fs_stream *f, const struct bk_evs_message *m,
    const uint8_t *raw, size_t raw_len)
{
	struct bk_stream *s = &f->s;
	struct bk_stream_event ev;
	enum bk_err prev = s->err, rc;
	int started = s->started, stopped = s->stopped;

	memset(&ev, 0x5a, sizeof(ev));
	rc = bk_stream_message(s, m, &ev);
	{
		struct bk_stream_event eb;
		enum bk_err rb;
		memset(&eb, 0xa5, sizeof(eb));
		rb = bk_stream_message(&f->slow, m, &eb);
		fs_same(f, rc, &ev, rb, &eb);
	}
	FS_ASSERT(fs_terminated(s->stop_reason, sizeof(s->stop_reason)));
	FS_ASSERT(fs_terminated(s->message_id, sizeof(s->message_id)));
	FS_ASSERT(fs_terminated(s->model, sizeof(s->model)));
	FS_ASSERT(fs_clean(s->err_type, sizeof(s->err_type)));
	FS_ASSERT(fs_clean(s->err_msg, sizeof(s->err_msg)));
	FS_ASSERT(s->started >= started && s->stopped >= stopped);
	FS_ASSERT(!s->stopped || s->started);
	FS_ASSERT(ev.index >= 0 && ev.index <= 1000000);
	if (ev.kind != BK_SEV_TEXT)
		FS_ASSERT(ev.text == NULL && ev.text_len == 0);
	/* the raw event: in scratch, or none */
	if (ev.raw == NULL)
		FS_ASSERT(ev.raw_len == 0);
	else
		FS_ASSERT(fs_in_scratch(f, ev.raw, ev.raw_len));
	if (prev != BK_OK) {
		/* sticky */
		FS_ASSERT(rc == prev && s->err == prev);
		FS_ASSERT(ev.kind == BK_SEV_NONE && ev.raw == NULL);
		return;
	}
	if (rc == BK_OK && ev.raw != NULL && raw != NULL)
		FS_ASSERT(ev.raw_len == raw_len &&
		    memcmp(ev.raw, raw, raw_len) == 0);
	if (rc != BK_OK) {
		struct bk_svc_error e;
		FS_ASSERT(s->err == rc && ev.kind == BK_SEV_ERROR);
		FS_ASSERT(strcmp(bk_errname(rc), "BK_E_UNKNOWN") != 0);
		FS_ASSERT(s->started == started && s->stopped == stopped);
		bk_svc_error_stream(&e, rc, s->err_type, s->err_msg, &fs_ctx);
		FS_ASSERT(e.code == rc && e.status == 0);
		fs_check_svc(&e);
		/* already clean: copied unchanged (within the shorter size) */
		FS_ASSERT(strncmp(e.type, s->err_type,
		    sizeof(e.type) - 1) == 0);
		FS_ASSERT(strcmp(e.message, s->err_msg) == 0);
		bk_svc_error_stream(&e, rc, s->err_type, s->err_msg, NULL);
		fs_check_svc(&e);
		return;
	}
	FS_ASSERT(s->err == BK_OK);
	switch (ev.kind) {
	case BK_SEV_TEXT:
		FS_ASSERT(ev.text != NULL);
		FS_ASSERT(fs_in_scratch(f, ev.text, ev.text_len));
		/* the text was unescaped beside the raw event, not over it */
		if (ev.raw != NULL && ev.text_len > 0)
			FS_ASSERT(ev.text >= ev.raw + ev.raw_len ||
			    ev.text + ev.text_len <= ev.raw);
		FS_ASSERT(ev.text_len <= m->payload_len);
		FS_ASSERT(s->started && !s->stopped);
		/* touch every byte: ASan checks it is ours */
		{
			size_t i;
			unsigned sum = 0;
			for (i = 0; i < ev.text_len; i++)
				sum += (unsigned char)ev.text[i];
			(void)sum;
		}
		break;
	case BK_SEV_MESSAGE_START:
		FS_ASSERT(!started && s->started);
		break;
	case BK_SEV_MESSAGE_STOP:
		FS_ASSERT(!stopped && s->stopped);
		break;
	case BK_SEV_BLOCK_STOP:
	case BK_SEV_MESSAGE_DELTA:
		FS_ASSERT(s->started && !s->stopped);
		break;
	case BK_SEV_NONE:
		break;
	case BK_SEV_ERROR:
	default:
		fs_fail(__LINE__, "event kind with BK_OK");
	}
}

static void
fs_stream_end(struct fs_stream *f)
{
	struct bk_stream *s = &f->s;
	enum bk_err prev = s->err, rc;

	rc = bk_stream_finish(s);
	FS_ASSERT(rc == s->err);
	if (prev != BK_OK)
		FS_ASSERT(rc == prev);
	else
		FS_ASSERT((rc == BK_OK) == (s->stopped != 0));
	if (rc == BK_OK)
		FS_ASSERT(s->started && s->stopped);
	FS_ASSERT(bk_stream_finish(s) == rc);
	FS_ASSERT(bk_stream_finish(&f->slow) == rc);
	free(f->scratch);
	free(f->scratch2);
}

static void
fs_raw(const uint8_t *data, size_t size)
{
	struct fs_stream f;
	struct bk_evs d;
	uint8_t *buf = malloc(FS_EVS_CAP);
	size_t off = 0;

	FS_ASSERT(buf != NULL);
	bk_evs_init(&d, buf, FS_EVS_CAP);
	fs_stream_init(&f, FS_SCRATCH);
	while (off < size) {
		size_t used;
		enum bk_evs_status st = bk_evs_push(&d, data + off,
		    size - off, &used);
		off += used;
		if (st == BK_EVS_MESSAGE)
			fs_stream_one(&f, &d.msg, NULL, 0);
		else
			break;
	}
	(void)bk_evs_finish(&d);
	fs_stream_end(&f);
	free(buf);
}

/* ---- records ------------------------------------------------------- */

static uint8_t fs_msg[FS_EVS_CAP];
static uint8_t fs_evsbuf[FS_EVS_CAP];
static uint8_t fs_payload[FS_EVS_CAP];

static struct bk_evs_header
fs_str(const char *name, const void *v, size_t n, enum bk_evs_type t)
{
	struct bk_evs_header h;

	memset(&h, 0, sizeof(h));
	h.name = name;
	h.name_len = strlen(name);
	h.type = t;
	h.v = v;
	h.v_len = n > 32767 ? 32767 : n;
	return h;
}

/* Split off the first line of [*p, *p+*n): returns its length. */
static size_t
fs_line(const uint8_t **p, size_t *n, const uint8_t **line)
{
	const uint8_t *nl = memchr(*p, '\n', *n);
	size_t k;

	*line = *p;
	if (nl == NULL)
		return (size_t)-1;
	k = (size_t)(nl - *p);
	*p += k + 1;
	*n -= k + 1;
	return k;
}

static void
fs_record(struct fs_stream *f, const uint8_t *r, size_t n)
{
	struct bk_evs_header h[8];
	size_t nh = 0, plen, len, used, i;
	const uint8_t *body, *payload, *line;
	unsigned hb, mt, et;
	struct bk_evs d;
	uint8_t *copy;
	enum bk_evs_status st;

	if (n == 0)
		return;
	hb = r[0];
	body = r + 1;
	n--;
	mt = hb & 7;
	et = (hb >> 3) & 3;

	if (hb & 0x80)
		h[nh++] = fs_str(":content-type", "application/json", 16,
		    BK_EVS_STRING);
	if ((hb & 0x80) && et != 3)
		h[nh++] = fs_str(":event-type", et == 2 ? "Chunk" : "chunk", 5,
		    BK_EVS_STRING);
	switch (mt) {
	case 0:
		h[nh++] = fs_str(":message-type", "event", 5, BK_EVS_STRING);
		break;
	case 1:
		h[nh++] = fs_str(":message-type", "event", 5, BK_EVS_STRING);
		h[nh++] = fs_str(":message-type", "exception", 9,
		    BK_EVS_STRING);
		break;
	case 2:
		h[nh] = fs_str(":message-type", NULL, 0, BK_EVS_INT32);
		h[nh++].i = 9;
		break;
	case 3: {
		size_t k = fs_line(&body, &n, &line);
		h[nh++] = fs_str(":message-type", "exception", 9,
		    BK_EVS_STRING);
		if (k != (size_t)-1)
			h[nh++] = fs_str(":exception-type", line, k,
			    BK_EVS_STRING);
		break;
	}
	case 4: {
		size_t k = fs_line(&body, &n, &line);
		h[nh++] = fs_str(":message-type", "error", 5, BK_EVS_STRING);
		if (k != (size_t)-1) {
			h[nh++] = fs_str(":error-code", line, k,
			    BK_EVS_STRING);
			k = fs_line(&body, &n, &line);
			if (k != (size_t)-1)
				h[nh++] = fs_str(":error-message", line, k,
				    BK_EVS_STRING);
		}
		break;
	}
	case 5:
		h[nh++] = fs_str(":message-type", "event", 5, BK_EVS_BYTES);
		break;
	case 6:
		break;
	default:
		h[nh++] = fs_str(":message-type", "eventx", 6, BK_EVS_STRING);
		break;
	}
	if (!(hb & 0x80) && et != 3)
		h[nh++] = fs_str(":event-type", et == 2 ? "Chunk" : "chunk", 5,
		    BK_EVS_STRING);

	payload = body;
	plen = n;
	if (hb & 0x20) {
		/* {"bytes":"<base64>","p":"abc"} */
		static const char pre[] = "{\"bytes\":\"", post[] =
		    "\",\"p\":\"abcdefghij\"}";
		size_t bl, o = sizeof(pre) - 1;
		char *enc = (char *)fs_msg;  /* scratch for the base64 */
		if (BK_BASE64_ENCODED_LEN(n) * 2 + 64 > sizeof(fs_payload))
			return;
		FS_ASSERT(bk_base64_encode(body, n, enc, sizeof(fs_msg), &bl)
		    == BK_OK);
		FS_ASSERT(bl == BK_BASE64_ENCODED_LEN(n));
		memcpy(fs_payload, pre, o);
		for (i = 0; i < bl; i++) {
			if (enc[i] == '/' && (hb & 0x40))
				fs_payload[o++] = '\\';
			fs_payload[o++] = (uint8_t)enc[i];
		}
		memcpy(fs_payload + o, post, sizeof(post) - 1);
		o += sizeof(post) - 1;
		payload = fs_payload;
		plen = o;
	}
	if (bk_evs_encode(h, nh, payload, plen, fs_msg, sizeof(fs_msg),
	    &len) != BK_OK)
		return; /* too big for the 64 KiB buffer */
	copy = malloc(len);
	FS_ASSERT(copy != NULL);
	memcpy(copy, fs_msg, len);
	/* a whole message in one push is decoded in place */
	bk_evs_init(&d, fs_evsbuf, sizeof(fs_evsbuf));
	st = bk_evs_push(&d, copy, len, &used);
	FS_ASSERT(st == BK_EVS_MESSAGE && used == len);
	FS_ASSERT(d.msg.nh == nh && d.msg.payload_len == plen);
	/* wrapped: the chunk carries the record's body as its event */
	if (hb & 0x20)
		fs_stream_one(f, &d.msg, body, n);
	else
		fs_stream_one(f, &d.msg, NULL, 0);
	free(copy);
}

static void
fs_records(const uint8_t *data, size_t size)
{
	struct fs_stream f;
	size_t cap = FS_SCRATCH, off;

	if (size > 0 && (data[0] & 0x40))
		cap = (size_t)(data[0] & 0x3f) * 16u + 1u;
	off = size > 0 ? 1 : 0;
	fs_stream_init(&f, cap);
	while (off < size) {
		const uint8_t *z = memchr(data + off, '\0', size - off);
		size_t n = z ? (size_t)(z - (data + off)) : size - off;
		fs_record(&f, data + off, n);
		off += n + 1;
	}
	fs_stream_end(&f);
}

/* ---- HTTP errors --------------------------------------------------- */

static void
fs_http(const uint8_t *data, size_t size)
{
	static const int status[] = { 400, 403, 404, 408, 424, 429, 500, 502,
	    503, 504, 0, -1, 200, 302, 999, 65536 };
	struct bk_svc_context ctx = fs_ctx;
	const struct bk_svc_context *cp = &ctx;
	struct bk_svc_error e;
	const uint8_t *rest, *nl;
	char *type = NULL, *body = NULL;
	size_t tl = 0, bl = 0;
	unsigned flags;
	int st;

	if (size < 2)
		return;
	st = status[data[0] % (sizeof(status) / sizeof(status[0]))];
	flags = data[1];
	rest = data + 2;
	size -= 2;
	nl = memchr(rest, '\n', size);
	tl = nl ? (size_t)(nl - rest) : 0;
	if (nl != NULL) {
		rest += tl + 1;
		size -= tl + 1;
	}
	/* exactly sized copies, so ASan sees any read past them */
	if (!(flags & 4)) {
		type = malloc(tl > 0 ? tl : 1);
		FS_ASSERT(type != NULL);
		memcpy(type, nl ? (const char *)data + 2 : "", tl);
	} else {
		tl = 0;
	}
	if (!(flags & 8)) {
		bl = size;
		body = malloc(bl > 0 ? bl : 1);
		FS_ASSERT(body != NULL);
		if (bl > 0)
			memcpy(body, rest, bl);
	}
	if (flags & 1)
		cp = NULL;
	if (flags & 2)
		ctx.model = ctx.region = NULL;
	memset(&e, 0x5a, sizeof(e));
	bk_svc_error_http(&e, st, type, tl, body, bl, cp);
	FS_ASSERT(e.status == st);
	FS_ASSERT(e.code >= BK_E_SVC_ACCESS_DENIED &&
	    e.code <= BK_E_SVC_OTHER);
	FS_ASSERT(e.type[0] != '\0');
	fs_check_svc(&e);
	free(type);
	free(body);
}

/* ---- JSON ---------------------------------------------------------- */

static jsmntok_t fs_tok[FS_TOKENS];

static void
fs_json_walk(const struct bk_json *j, const char *js, size_t len)
{
	int i;

	FS_ASSERT(j->n >= 1);
	FS_ASSERT(bk_json_skip(j, 0) == j->n);  /* one document */
	FS_ASSERT(bk_json_get(j, -1, "a") == -1 && bk_json_get(j, j->n,
	    "a") == -1);
	FS_ASSERT(bk_json_is(j, -1, "") == 0 && bk_json_is(j, j->n, "") == 0);
	for (i = 0; i < j->n; i++) {
		const jsmntok_t *t = &j->t[i];
		int nx = bk_json_skip(j, i);
		FS_ASSERT(t->start >= 0 && t->end >= t->start &&
		    (size_t)t->end <= len);
		FS_ASSERT(nx > i && nx <= j->n);
		if (t->type == JSMN_STRING) {
			size_t rl = (size_t)(t->end - t->start), n1, n2, cap;
			char *out = malloc(rl + 1), *raw = malloc(rl + 1);
			enum bk_err e1, e2;
			uint64_t v;
			FS_ASSERT(out != NULL && raw != NULL);
			memcpy(raw, js + t->start, rl);
			raw[rl] = '\0';
			/* exact room (raw length + NUL) */
			e1 = bk_json_str(j, i, out, rl + 1, &n1);
			e2 = bk_json_unescape_inplace(raw, rl, &n2);
			FS_ASSERT(e1 == BK_OK || e1 == BK_E_JSON);
			FS_ASSERT(e1 == e2);
			if (e1 == BK_OK) {
				FS_ASSERT(n1 == n2 && n1 <= rl);
				FS_ASSERT(out[n1] == '\0');
				FS_ASSERT(memcmp(out, raw, n1) == 0);
			} else {
				FS_ASSERT(n1 == 0);
			}
			/* less room: the same text or BK_E_BUFSZ */
			for (cap = 0; cap <= rl; cap += 1 + rl / 3) {
				size_t n3 = 7;
				enum bk_err e3 = bk_json_str(j, i, out, cap,
				    &n3);
				if (e3 == BK_OK) {
					FS_ASSERT(e1 == BK_OK && n3 == n1 &&
					    n3 < cap && out[n3] == '\0');
					FS_ASSERT(memcmp(out, raw, n3) == 0);
				} else {
					FS_ASSERT(e3 == BK_E_BUFSZ ||
					    e3 == e1);
					FS_ASSERT(n3 == 0);
				}
			}
			FS_ASSERT(bk_json_u64(j, i, &v) == BK_E_JSON_SHAPE);
			/* bk_json_is / bk_json_get with this raw text */
			memcpy(raw, js + t->start, rl);
			raw[rl] = '\0';
			if (memchr(raw, '\0', rl) == NULL) {
				FS_ASSERT(bk_json_is(j, i, raw) == 1);
			}
			free(out);
			free(raw);
		} else if (t->type == JSMN_PRIMITIVE) {
			uint64_t v;
			enum bk_err e = bk_json_u64(j, i, &v);
			if (e == BK_OK) {
				int k;
				FS_ASSERT(t->end - t->start <= 19);
				for (k = t->start; k < t->end; k++)
					FS_ASSERT(js[k] >= '0' &&
					    js[k] <= '9');
			} else {
				FS_ASSERT(e == BK_E_JSON_SHAPE && v == 0);
			}
		} else if (t->type == JSMN_OBJECT) {
			/* every key: bk_json_get finds it, or an earlier key
			 * with the same raw text */
			int k = i + 1, nk;
			for (nk = 0; nk < t->size && k < j->n; nk++) {
				const jsmntok_t *kt = &j->t[k];
				size_t kl = (size_t)(kt->end - kt->start);
				char key[64];
				if (kt->type == JSMN_STRING &&
				    kl < sizeof(key) &&
				    memchr(js + kt->start, '\0', kl) == NULL) {
					int g;
					memcpy(key, js + kt->start, kl);
					key[kl] = '\0';
					g = bk_json_get(j, i, key);
					if (g == -1) {
						/* a key without a value */
						FS_ASSERT(kt->size == 0 ||
						    k + 1 >= j->n);
					} else {
						FS_ASSERT(g > i &&
						    g <= k + 1 &&
						    g < j->n);
						FS_ASSERT(bk_json_is(j, g - 1,
						    key));
					}
				}
				k = bk_json_skip(j, k + 1);
			}
			/* a raw key never starts with an unescaped quote */
			FS_ASSERT(bk_json_get(j, i, "\"") == -1);
		} else {
			FS_ASSERT(t->type == JSMN_ARRAY);
			FS_ASSERT(bk_json_get(j, i, "a") == -1);
		}
	}
}

/* bk_json_put_str() output reads back as the input (with U+FFFD for
 * every invalid sequence); base64 round trips. */
static void
fs_json_roundtrip(const uint8_t *s, size_t n)
{
	size_t cap = n * 6 + 3, bad = 0, rep = 0, out_len, o;
	char *w = malloc(cap + 3), *back = malloc(n * 3 + 8);
	struct bk_buf b;
	struct bk_json j;
	jsmntok_t t[2];
	uint8_t *dec;
	char *enc;

	FS_ASSERT(w != NULL && back != NULL);
	/* inside an array: bk_json_parse() does not take a top-level
	 * string (see README.md, findings) */
	bk_buf_init(&b, w, cap + 3);
	bk_buf_putc(&b, '[');
	bk_json_put_str(&b, s, n, &rep);
	bk_buf_putc(&b, ']');
	FS_ASSERT(bk_buf_err(&b) == BK_OK);
	bad = bk_utf8_invalid(s, n);
	FS_ASSERT(rep == bad);
	FS_ASSERT(bk_utf8_invalid((const uint8_t *)w, b.len) == 0);
	FS_ASSERT(bk_json_parse(&j, w, b.len, t, 2) == BK_OK);
	FS_ASSERT(j.n == 2 && t[1].type == JSMN_STRING);
	/* +8: bk_json_str() wants 4 free bytes for any \u escape, even
	 * one that decodes to a single byte (README.md, findings) */
	FS_ASSERT(bk_json_str(&j, 1, back, n * 3 + 8, &out_len) == BK_OK);
	/* each invalid sequence (one byte or more) became U+FFFD */
	FS_ASSERT(out_len <= n + 2 * bad);
	if (bad == 0)
		FS_ASSERT(out_len == n && memcmp(back, s, n) == 0);
	else
		FS_ASSERT(out_len >= 3 * bad);
	/* a short buffer overflows cleanly */
	if (b.len > 1) {
		char small[8];
		bk_buf_init(&b, small, sizeof(small));
		bk_json_put_str(&b, s, n, NULL);
		FS_ASSERT(small[b.len] == '\0' && b.len < sizeof(small));
	}
	free(w);
	free(back);

	/* base64 */
	enc = malloc(BK_BASE64_ENCODED_LEN(n) + 1);
	dec = malloc(n + 1);
	FS_ASSERT(enc != NULL && dec != NULL);
	FS_ASSERT(bk_base64_encode(s, n, enc, BK_BASE64_ENCODED_LEN(n),
	    &out_len) == BK_OK && out_len == BK_BASE64_ENCODED_LEN(n));
	FS_ASSERT(bk_base64_decode(enc, out_len, dec, n, &o) == BK_OK);
	FS_ASSERT(o == n && memcmp(dec, s, n) == 0);
	if (n > 0)
		FS_ASSERT(bk_base64_encode(s, n, enc, out_len - 1, &o) ==
		    BK_E_BUFSZ);
	free(enc);
	free(dec);
	{
		size_t cap2 = BK_BASE64_DECODED_MAX(n), dn, en;
		uint8_t *d2 = malloc(cap2 + 1);
		char *e2 = malloc(n + 1);
		FS_ASSERT(d2 != NULL && e2 != NULL);
		if (bk_base64_decode((const char *)s, n, d2, cap2, &dn) ==
		    BK_OK) {
			/* only canonical input decodes */
			FS_ASSERT(dn <= cap2);
			FS_ASSERT(bk_base64_encode(d2, dn, e2, n, &en) ==
			    BK_OK && en == n && memcmp(e2, s, n) == 0);
			/* in place gives the same */
			memcpy(e2, s, n);
			FS_ASSERT(bk_base64_decode(e2, n, (uint8_t *)e2, n,
			    &en) == BK_OK && en == dn &&
			    memcmp(e2, d2, dn) == 0);
		}
		free(d2);
		free(e2);
	}
}

/*
 * bk_redact(): the text never grows, stays NUL-terminated, and no copy of
 * the secret is left, unless the secret could be made of the mark itself
 * ("[redacted]", or asterisks).  The secret is a piece of the text, so
 * there is always at least one to find.
 */
static void
fs_redact(const uint8_t *data, size_t size)
{
	size_t n, off, k, i, hits, after;
	char *text, *secret;
	int plain = 1;

	if (size < 2)
		return;
	n = size - 2;
	text = malloc(n + 1);
	FS_ASSERT(text != NULL);
	memcpy(text, data + 2, n);
	text[n] = '\0';
	n = strlen(text);
	off = n > 0 ? data[0] % (n + 1) : 0;
	k = 1 + (size_t)data[1] % 24u;
	if (k > n - off)
		k = n - off;
	secret = malloc(k + 1);
	FS_ASSERT(secret != NULL);
	memcpy(secret, text + off, k);
	secret[k] = '\0';
	for (i = 0; i < k; i++)
		if (strchr("[]*", secret[i]) != NULL)
			plain = 0;
	if (strstr("[redacted]", secret) != NULL)
		plain = 0;
	hits = bk_redact(text, secret);
	after = strlen(text);
	FS_ASSERT(after <= n);
	if (k < 8) {
		FS_ASSERT(hits == 0 && after == n);
	} else {
		FS_ASSERT(hits >= 1);
		if (plain)
			FS_ASSERT(strstr(text, secret) == NULL);
	}
	(void)bk_redact(text, NULL);
	free(secret);
	free(text);
}

/* One chunk message with this payload through f (fs_stream_one). */
static void
fs_chunk(struct fs_stream *f, const uint8_t *payload, size_t n,
    const uint8_t *raw, size_t raw_len)
{
	struct bk_evs_header h[2];
	struct bk_evs d;
	size_t len, used;
	uint8_t *copy;

	h[0] = fs_str(":message-type", "event", 5, BK_EVS_STRING);
	h[1] = fs_str(":event-type", "chunk", 5, BK_EVS_STRING);
	if (bk_evs_encode(h, 2, payload, n, fs_msg, sizeof(fs_msg), &len) !=
	    BK_OK)
		return;
	copy = malloc(len);
	FS_ASSERT(copy != NULL);
	memcpy(copy, fs_msg, len);
	bk_evs_init(&d, fs_evsbuf, sizeof(fs_evsbuf));
	FS_ASSERT(bk_evs_push(&d, copy, len, &used) == BK_EVS_MESSAGE);
	fs_stream_one(f, &d.msg, raw, raw_len);
	free(copy);
}

/*
 * The JSON input as a chunk after a message_start: wrapped, it is the
 * Anthropic event (inner = 1); bare, the chunk payload itself.  Records
 * cannot carry a NUL, so this is where the fast paths of
 * bk_stream_message meet NULs (and everything else) against jsmn.
 */
static void
fs_json_chunk(const uint8_t *data, size_t size, int inner)
{
	static const char start[] = "{\"type\":\"message_start\",\"message\":"
	    "{\"id\":\"msg_1\",\"model\":\"m\",\"usage\":{\"input_tokens\":1}}}";
	static const char pre[] = "{\"bytes\":\"", post[] = "\",\"p\":\"ab\"}";
	struct fs_stream f;
	size_t bl;
	int k;

	if (BK_BASE64_ENCODED_LEN(size) + 64 > sizeof(fs_payload))
		return;
	fs_stream_init(&f, FS_SCRATCH);
	for (k = 0; k < 2; k++) {
		const uint8_t *in = k == 0 ? (const uint8_t *)start : data;
		size_t n = k == 0 ? sizeof(start) - 1 : size;
		if (k == 1 && !inner) {
			fs_chunk(&f, data, size, NULL, 0);
			break;
		}
		memcpy(fs_payload, pre, sizeof(pre) - 1);
		FS_ASSERT(bk_base64_encode(in, n, (char *)fs_payload +
		    sizeof(pre) - 1, sizeof(fs_payload) - 64, &bl) == BK_OK);
		memcpy(fs_payload + sizeof(pre) - 1 + bl, post,
		    sizeof(post) - 1);
		fs_chunk(&f, fs_payload, sizeof(pre) - 1 + bl +
		    sizeof(post) - 1, in, n);
		if (k == 0)
			FS_ASSERT(f.s.started && f.s.err == BK_OK);
	}
	fs_stream_end(&f);
}

static void
fs_json(const uint8_t *data, size_t size)
{
	struct bk_json j;
	unsigned ntok = FS_TOKENS;
	char *js;
	enum bk_err e;

	if (size > 0 && (data[0] & 0x40))
		ntok = (unsigned)(data[0] & 0x3f) + 1u;
	if (size > 0) {
		data++;
		size--;
	}
	js = malloc(size > 0 ? size : 1);
	FS_ASSERT(js != NULL);
	if (size > 0)
		memcpy(js, data, size);
	e = bk_json_parse(&j, js, size, fs_tok, ntok);
	if (e == BK_OK) {
		FS_ASSERT(j.n >= 1 && (unsigned)j.n <= ntok);
		FS_ASSERT(j.js == js && j.len == size);
		fs_json_walk(&j, js, size);
	} else {
		FS_ASSERT(e == BK_E_JSON || e == BK_E_JSON_TOKENS);
		FS_ASSERT(j.n == 0);
	}
	fs_json_roundtrip(data, size);
	fs_redact(data, size);
	fs_json_chunk(data, size, 1);
	fs_json_chunk(data, size, 0);
	free(js);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] == 0x00) {
		fs_raw(data, size);
		return 0;
	}
	switch (data[0] % 3) {
	case 0:
		fs_http(data + 1, size - 1);
		break;
	case 1:
		fs_records(data + 1, size - 1);
		break;
	default:
		fs_json(data + 1, size - 1);
		break;
	}
	return 0;
}
