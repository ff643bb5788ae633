/*
 * fake.c -- port.h for unit tests: deterministic and offline.  Time is set
 * by the test, the environment is private, and each HTTP exchange replays
 * a scripted reply through the caller's sink in pieces of a chosen size,
 * so the streaming paths see the same fragmentation a network gives.
 */
#include <string.h>

#include "fake.h"

struct reply {
	int status;
	const char *headers;
	const uint8_t *body;
	size_t len, piece;
	enum bk_err after;
};

static int64_t now = 1440938160; /* 2015-08-30T12:36:00Z, the SigV4 suite's */
static uint64_t mono_us;
static struct { char name[64]; char value[1024]; } env[BK_FAKE_MAX_ENV];
static size_t nenv;
static struct reply replies[BK_FAKE_MAX_REPLIES];
static size_t nreplies, next_reply;
static struct bk_fake_request reqs[4];
static size_t nreqs;

void
bk_fake_reset(void)
{
	now = 1440938160;
	mono_us = 0;
	nenv = nreplies = next_reply = nreqs = 0;
}

void
bk_fake_set_time(int64_t t)
{
	now = t;
}

void
bk_fake_setenv(const char *name, const char *value)
{
	struct bk_buf b;

	if (nenv >= BK_FAKE_MAX_ENV)
		return;
	bk_buf_init(&b, env[nenv].name, sizeof(env[nenv].name));
	bk_buf_puts(&b, name);
	bk_buf_init(&b, env[nenv].value, sizeof(env[nenv].value));
	bk_buf_puts(&b, value);
	nenv++;
}

void
bk_fake_reply(int status, const char *headers, const void *body, size_t len,
    size_t piece, enum bk_err after)
{
	struct reply *r;

	if (nreplies >= BK_FAKE_MAX_REPLIES)
		return;
	r = &replies[nreplies++];
	r->status = status;
	r->headers = headers;
	r->body = body;
	r->len = len;
	r->piece = piece;
	r->after = after;
}

const struct bk_fake_request *
bk_fake_request(size_t i)
{
	return i < nreqs ? &reqs[i] : NULL;
}

size_t
bk_fake_nrequests(void)
{
	return nreqs;
}

int64_t bk_port_now(void) { return now; }
uint64_t bk_port_now_ms(void) { return (uint64_t)now * 1000u; }
/* the monotonic clock advances a little on every read */
uint64_t bk_port_mono_us(void) { return mono_us += 100; }
uint64_t bk_port_mono_ms(void) { return bk_port_mono_us() / 1000u; }
void bk_port_sleep_ms(uint32_t ms) { mono_us += (uint64_t)ms * 1000u; }

enum bk_err
bk_port_random(void *buf, size_t n)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131u + 7u);
	return BK_OK;
}

const char *
bk_port_getenv(const char *name)
{
	size_t i;

	for (i = 0; i < nenv; i++)
		if (strcmp(env[i].name, name) == 0)
			return env[i].value;
	return NULL;
}

enum bk_err
bk_port_read_file(const char *path, uint8_t *buf, size_t cap, size_t *len,
    struct bk_port_err *err)
{
	(void)path;
	(void)buf;
	(void)cap;
	*len = 0;
	if (err != NULL)
		err->code = BK_E_IO;
	return BK_E_IO;
}

int bk_port_readable(const char *path) { (void)path; return 0; }
int bk_port_isatty(int fd) { (void)fd; return 0; }

enum bk_err
bk_port_write(int fd, const void *buf, size_t n, int *closed,
    struct bk_port_err *err)
{
	(void)fd;
	(void)buf;
	(void)n;
	(void)err;
	if (closed != NULL)
		*closed = 0;
	return BK_OK;
}

unsigned bk_port_stdio_guard(void) { return 0; }

enum bk_err
bk_port_read_all(int fd, uint8_t **buf, size_t *len, size_t cap,
    struct bk_port_err *err)
{
	(void)fd;
	(void)cap;
	(void)err;
	*buf = NULL;
	*len = 0;
	return BK_OK;
}

const char *bk_port_transport_version(void) { return "fake"; }
enum bk_err bk_port_init(struct bk_port_err *err) { (void)err; return BK_OK; }
void bk_port_cleanup(void) { }

enum bk_err
bk_port_http(const struct bk_http_request *req,
    const struct bk_http_sink *sink, struct bk_port_err *err)
{
	struct bk_fake_request *q = &reqs[nreqs < 4 ? nreqs : 3];
	const struct reply *r;
	struct bk_buf b;
	const char *h;
	size_t i, off;

	if (nreqs < 4)
		nreqs++;
	memset(q, 0, sizeof(*q));
	bk_buf_init(&b, q->method, sizeof(q->method));
	bk_buf_puts(&b, req->method);
	bk_buf_init(&b, q->url, sizeof(q->url));
	bk_buf_puts(&b, req->url);
	bk_buf_init(&b, q->headers, sizeof(q->headers));
	for (i = 0; i < req->nheaders; i++) {
		bk_buf_put(&b, req->headers[i].name, req->headers[i].name_len);
		bk_buf_puts(&b, ": ");
		bk_buf_put(&b, req->headers[i].value, req->headers[i].value_len);
		bk_buf_putc(&b, '\n');
	}
	q->body_len = req->body_len < sizeof(q->body) ? req->body_len :
	    sizeof(q->body);
	if (q->body_len > 0)
		memcpy(q->body, req->body, q->body_len);

	if (next_reply >= nreplies) {
		if (err != NULL)
			err->code = BK_E_NET;
		return BK_E_NET;
	}
	r = &replies[next_reply++];
	if (sink->status != NULL && sink->status(sink->ctx, r->status) != 0)
		return BK_E_INTERRUPTED;
	for (h = r->headers; h != NULL && *h != '\0';) {
		const char *eol = strchr(h, '\n'), *colon;
		size_t ll = eol ? (size_t)(eol - h) : strlen(h), vs;
		colon = memchr(h, ':', ll);
		if (colon != NULL && sink->header != NULL) {
			vs = (size_t)(colon - h) + 1;
			while (vs < ll && h[vs] == ' ')
				vs++;
			if (sink->header(sink->ctx, h, (size_t)(colon - h),
			    h + vs, ll - vs) != 0)
				return BK_E_INTERRUPTED;
		}
		h += ll + (eol ? 1 : 0);
	}
	for (off = 0; off < r->len;) {
		size_t n = r->piece ? r->piece : r->len;
		if (n > r->len - off)
			n = r->len - off;
		if (sink->body != NULL &&
		    sink->body(sink->ctx, r->body + off, n) != 0)
			return BK_E_INTERRUPTED;
		off += n;
	}
	if (r->after != BK_OK && err != NULL) {
		err->code = r->after;
		bk_buf_init(&b, err->msg, sizeof(err->msg));
		bk_buf_puts(&b, "scripted transport failure");
	}
	return r->after;
}

enum bk_err
bk_port_write_file_atomic(const char *path, const void *data, size_t n,
    struct bk_port_err *err)
{
	(void)path;
	(void)data;
	(void)n;
	(void)err;
	return BK_OK;
}

enum bk_err
bk_port_run(const char *cmd, char *out, size_t cap, size_t *len,
    uint32_t timeout_ms, int *status, struct bk_port_err *err)
{
	(void)cmd;
	(void)out;
	(void)cap;
	(void)timeout_ms;
	(void)err;
	*len = 0;
	*status = 127;
	return BK_E_IO;
}

enum bk_err
bk_port_prompt(const char *question, char *out, size_t cap, int secret)
{
	(void)question;
	(void)secret;
	if (cap > 0)
		out[0] = '\0';
	return BK_E_IO;
}
