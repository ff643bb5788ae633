/*
 * fuzz_port.c -- the in-memory port of the fuzz targets (see fuzz_port.h).
 * Deterministic: a fixed clock, no I/O, no randomness.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_port.h"

struct fp_file {
	char *path;
	uint8_t *data;
	size_t len;
	int64_t mtime_ns;
};

struct fp_reply {
	const uint8_t *head, *body;
	size_t head_len, body_len, piece;
	enum bk_err after;
};

static int64_t fp_now = 1764072000;     /* 2025-11-25T12:00:00Z */
static uint64_t fp_mono;
static struct { char *name, *value; } *fp_env;
static size_t fp_nenv;
static struct fp_file *fp_files;
static size_t fp_nfiles;
static char **fp_dirs;
static size_t fp_ndirs;
static unsigned fp_nwrites;
static struct fp_reply fp_rq[FP_MAX_REPLIES];
static size_t fp_nrq, fp_next;
static struct fp_request fp_log[FP_MAX_REQUESTS];
static size_t fp_nlog;
static const uint8_t *fp_run_out;
static size_t fp_run_len;
static int fp_run_status = 127;
static enum bk_err fp_run_err = BK_E_IO;

static char *
fp_strdup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		abort();
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
fp_reset(void)
{
	size_t i;

	for (i = 0; i < fp_nenv; i++) {
		free(fp_env[i].name);
		free(fp_env[i].value);
	}
	free(fp_env);
	fp_env = NULL;
	fp_nenv = 0;
	for (i = 0; i < fp_nfiles; i++) {
		free(fp_files[i].path);
		free(fp_files[i].data);
	}
	free(fp_files);
	fp_files = NULL;
	fp_nfiles = 0;
	for (i = 0; i < fp_ndirs; i++)
		free(fp_dirs[i]);
	free(fp_dirs);
	fp_dirs = NULL;
	fp_ndirs = 0;
	fp_nwrites = 0;
	fp_nrq = fp_next = fp_nlog = 0;
	fp_run_out = NULL;
	fp_run_len = 0;
	fp_run_status = 127;
	fp_run_err = BK_E_IO;
	fp_now = 1764072000;
	fp_mono = 0;
}

void
fp_set_time(int64_t t)
{
	fp_now = t;
}

/* ---- environment ----------------------------------------------------------- */

void
fp_setenv(const char *name, const char *value)
{
	size_t i;
	void *p;

	for (i = 0; i < fp_nenv; i++)
		if (strcmp(fp_env[i].name, name) == 0) {
			free(fp_env[i].value);
			fp_env[i].value = fp_strdup(value, strlen(value));
			return;
		}
	p = realloc(fp_env, (fp_nenv + 1) * sizeof(*fp_env));
	if (p == NULL)
		abort();
	fp_env = p;
	fp_env[fp_nenv].name = fp_strdup(name, strlen(name));
	fp_env[fp_nenv].value = fp_strdup(value, strlen(value));
	fp_nenv++;
}

const char *
bk_port_getenv(const char *name)
{
	size_t i;

	for (i = 0; i < fp_nenv; i++)
		if (strcmp(fp_env[i].name, name) == 0)
			return fp_env[i].value;
	return NULL;
}

void
bk_port_env_fallback(const char *(*fn)(const void *, const char *),
    const void *ctx)
{
	(void)fn;
	(void)ctx;
}

/* ---- files -------------------------------------------------------------------- */

static struct fp_file *
fp_find(const char *path)
{
	size_t i;

	for (i = 0; i < fp_nfiles; i++)
		if (strcmp(fp_files[i].path, path) == 0)
			return &fp_files[i];
	return NULL;
}

static struct fp_file *
fp_create(const char *path)
{
	void *p = realloc(fp_files, (fp_nfiles + 1) * sizeof(*fp_files));

	if (p == NULL)
		abort();
	fp_files = p;
	memset(&fp_files[fp_nfiles], 0, sizeof(fp_files[0]));
	fp_files[fp_nfiles].path = fp_strdup(path, strlen(path));
	return &fp_files[fp_nfiles++];
}

static void
fp_set(struct fp_file *f, const void *data, size_t n)
{
	free(f->data);
	f->data = malloc(n > 0 ? n : 1);
	if (f->data == NULL)
		abort();
	if (n > 0)
		memcpy(f->data, data, n);
	f->len = n;
	f->mtime_ns = fp_now * 1000000000 + (int64_t)(fp_mono++);
}

void
fp_file(const char *path, const void *data, size_t n)
{
	struct fp_file *f = fp_find(path);

	fp_set(f != NULL ? f : fp_create(path), data, n);
}

const uint8_t *
fp_file_get(const char *path, size_t *n)
{
	struct fp_file *f = fp_find(path);

	*n = f != NULL ? f->len : 0;
	return f != NULL ? f->data : NULL;
}

unsigned
fp_writes(void)
{
	return fp_nwrites;
}

static void
fp_err(struct bk_port_err *err, enum bk_err code, const char *what,
    const char *path)
{
	struct bk_buf b;

	if (err == NULL)
		return;
	err->code = code;
	bk_buf_init(&b, err->msg, sizeof(err->msg));
	bk_buf_puts(&b, what);
	if (path != NULL) {
		bk_buf_puts(&b, ": ");
		bk_buf_puts(&b, path);
	}
}

enum bk_err
bk_port_read_file(const char *path, uint8_t *buf, size_t cap, size_t *len,
    struct bk_port_err *err)
{
	struct fp_file *f = fp_find(path);

	*len = 0;
	if (f == NULL) {
		fp_err(err, BK_E_IO, "cannot open (no such file)", path);
		return BK_E_IO;
	}
	if (f->len > cap) {
		fp_err(err, BK_E_LIMIT, "file too large", path);
		return BK_E_LIMIT;
	}
	if (f->len > 0)
		memcpy(buf, f->data, f->len);
	*len = f->len;
	return BK_OK;
}

int
bk_port_readable(const char *path)
{
	return fp_find(path) != NULL;
}

enum bk_err
bk_port_write_file_atomic(const char *path, const void *data, size_t n,
    struct bk_port_err *err)
{
	(void)err;
	fp_file(path, data, n);
	fp_nwrites++;
	return BK_OK;
}

static int
fp_is_dir(const char *path)
{
	size_t i, n = strlen(path);

	for (i = 0; i < fp_ndirs; i++)
		if (strcmp(fp_dirs[i], path) == 0)
			return 1;
	for (i = 0; i < fp_nfiles; i++)
		if (strncmp(fp_files[i].path, path, n) == 0 &&
		    fp_files[i].path[n] == '/')
			return 1;
	return 0;
}

enum bk_err
bk_port_mkdir_p(const char *path, unsigned mode, struct bk_port_err *err)
{
	void *p;

	(void)mode;
	if (strlen(path) >= 4096) {
		fp_err(err, BK_E_LIMIT, "path too long", NULL);
		return BK_E_LIMIT;
	}
	if (fp_find(path) != NULL) {
		fp_err(err, BK_E_IO, "not a directory", path);
		return BK_E_IO;
	}
	if (fp_is_dir(path))
		return BK_OK;
	p = realloc(fp_dirs, (fp_ndirs + 1) * sizeof(*fp_dirs));
	if (p == NULL)
		abort();
	fp_dirs = p;
	fp_dirs[fp_ndirs++] = fp_strdup(path, strlen(path));
	return BK_OK;
}

enum bk_err
bk_port_append(const char *path, const void *data, size_t n, unsigned flags,
    struct bk_port_err *err)
{
	struct fp_file *f = fp_find(path);
	uint8_t *q;
	int nl = 0;

	if (f == NULL && (flags & BK_PORT_APPEND_NOCREATE)) {
		fp_err(err, BK_E_IO, "no such file", path);
		return BK_E_IO;
	}
	if (f != NULL && (flags & BK_PORT_APPEND_EXCL)) {
		fp_err(err, BK_E_IO, "file exists", path);
		return BK_E_IO;
	}
	if (f == NULL) {
		f = fp_create(path);
		fp_set(f, "", 0);
	}
	if ((flags & BK_PORT_APPEND_LINE) && f->len > 0 &&
	    f->data[f->len - 1] != '\n')
		nl = 1;
	q = realloc(f->data, f->len + (size_t)nl + n + 1);
	if (q == NULL)
		abort();
	f->data = q;
	if (nl)
		f->data[f->len++] = '\n';
	if (n > 0)
		memcpy(f->data + f->len, data, n);
	f->len += n;
	f->mtime_ns = fp_now * 1000000000 + (int64_t)(fp_mono++);
	fp_nwrites++;
	return BK_OK;
}

enum bk_err
bk_port_stat(const char *path, struct bk_port_stat *st,
    struct bk_port_err *err)
{
	struct fp_file *f = fp_find(path);

	memset(st, 0, sizeof(*st));
	if (f != NULL) {
		st->size = f->len;
		st->mtime_ns = f->mtime_ns;
		st->mode = 0600;
		st->is_reg = 1;
		return BK_OK;
	}
	if (fp_is_dir(path)) {
		st->mode = 0700;
		st->is_dir = 1;
		return BK_OK;
	}
	fp_err(err, BK_E_NOT_FOUND, "no such file", path);
	return BK_E_NOT_FOUND;
}

enum bk_err
bk_port_chmod(const char *path, unsigned mode, struct bk_port_err *err)
{
	(void)path;
	(void)mode;
	(void)err;
	return BK_OK;
}

enum bk_err
bk_port_truncate(const char *path, uint64_t len, struct bk_port_err *err)
{
	struct fp_file *f = fp_find(path);

	if (f == NULL) {
		fp_err(err, BK_E_IO, "no such file", path);
		return BK_E_IO;
	}
	if (len < f->len)
		f->len = (size_t)len;
	fp_nwrites++;
	return BK_OK;
}

enum bk_err
bk_port_list_dir(const char *dir, int (*cb)(void *ctx, const char *name),
    void *ctx, struct bk_port_err *err)
{
	size_t i, n = strlen(dir);

	if (!fp_is_dir(dir)) {
		fp_err(err, BK_E_NOT_FOUND, "no such directory", dir);
		return BK_E_NOT_FOUND;
	}
	for (i = 0; i < fp_nfiles; i++) {
		const char *p = fp_files[i].path;
		if (strncmp(p, dir, n) == 0 && p[n] == '/' &&
		    strchr(p + n + 1, '/') == NULL && p[n + 1] != '\0')
			if (cb(ctx, p + n + 1) != 0)
				break;
	}
	return BK_OK;
}

enum bk_err
bk_port_read_at(const char *path, uint64_t off, void *buf, size_t cap,
    size_t *len, struct bk_port_err *err)
{
	struct fp_file *f = fp_find(path);
	size_t n;

	*len = 0;
	if (f == NULL) {
		fp_err(err, BK_E_NOT_FOUND, "no such file", path);
		return BK_E_NOT_FOUND;
	}
	if (off >= f->len)
		return BK_OK;
	n = f->len - (size_t)off;
	if (n > cap)
		n = cap;
	memcpy(buf, f->data + off, n);
	*len = n;
	return BK_OK;
}

enum bk_err
bk_port_getcwd(char *out, size_t cap, struct bk_port_err *err)
{
	static const char cwd[] = "/home/fuzz/project";

	if (cap < sizeof(cwd)) {
		fp_err(err, BK_E_BUFSZ, "cwd too long", NULL);
		return BK_E_BUFSZ;
	}
	memcpy(out, cwd, sizeof(cwd));
	return BK_OK;
}

/* ---- commands ----------------------------------------------------------------- */

void
fp_run(const uint8_t *out, size_t n, int status, enum bk_err e)
{
	fp_run_out = out;
	fp_run_len = n;
	fp_run_status = status;
	fp_run_err = e;
}

enum bk_err
bk_port_run(const char *cmd, char *out, size_t cap, size_t *len,
    uint32_t timeout_ms, int *status, struct bk_port_err *err)
{
	size_t n = fp_run_len;

	(void)cmd;
	(void)timeout_ms;
	*status = fp_run_status;
	*len = 0;
	if (n > cap) {
		/* as port/posix.c: more than cap bytes is an error */
		fp_err(err, BK_E_LIMIT, "the command wrote too much", NULL);
		return BK_E_LIMIT;
	}
	if (n > 0)
		memcpy(out, fp_run_out, n);
	*len = n;
	if (fp_run_err != BK_OK)
		fp_err(err, fp_run_err, "the command failed", NULL);
	return fp_run_err;
}

/* ---- clocks, entropy, terminal, signals ------------------------------------------ */

int64_t bk_port_now(void) { return fp_now; }
uint64_t bk_port_now_ms(void) { return (uint64_t)fp_now * 1000u; }
uint64_t bk_port_mono_us(void) { return fp_mono += 100; }
uint64_t bk_port_mono_ms(void) { return bk_port_mono_us() / 1000u; }
void bk_port_sleep_ms(uint32_t ms) { fp_mono += (uint64_t)ms * 1000u; }
void bk_port_catch_signals(void) { }
int bk_port_signal(void) { return 0; }
void bk_port_signal_clear(void) { }
int bk_port_isatty(int fd) { (void)fd; return 0; }
unsigned bk_port_stdio_guard(void) { return 0; }
const char *bk_port_transport_version(void) { return "fuzz"; }
enum bk_err bk_port_init(struct bk_port_err *err) { (void)err; return BK_OK; }
void bk_port_cleanup(void) { }

enum bk_err
bk_port_random(void *buf, size_t n)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131u + 7u);
	return BK_OK;
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

/* ---- HTTP ---------------------------------------------------------------------- */

void
fp_reply(const uint8_t *head, size_t head_len, const uint8_t *body,
    size_t body_len, size_t piece, enum bk_err after)
{
	struct fp_reply *r;

	if (fp_nrq >= FP_MAX_REPLIES)
		return;
	r = &fp_rq[fp_nrq++];
	r->head = head;
	r->head_len = head_len;
	r->body = body;
	r->body_len = body_len;
	r->piece = piece;
	r->after = after;
}

size_t
fp_replies_left(void)
{
	return fp_nrq - fp_next;
}

size_t
fp_nrequests(void)
{
	return fp_nlog;
}

const struct fp_request *
fp_request(size_t i)
{
	return i < fp_nlog ? &fp_log[i] : NULL;
}

static void
fp_log_request(const struct bk_http_request *req)
{
	struct fp_request *q;
	struct bk_buf b;
	size_t i;

	if (fp_nlog >= FP_MAX_REQUESTS)
		return;
	q = &fp_log[fp_nlog++];
	bk_buf_init(&b, q->method, sizeof(q->method));
	bk_buf_puts(&b, req->method);
	bk_buf_init(&b, q->url, sizeof(q->url));
	bk_buf_puts(&b, req->url);
	bk_buf_init(&b, q->headers, sizeof(q->headers));
	for (i = 0; i < req->nheaders; i++) {
		bk_buf_put(&b, req->headers[i].name, req->headers[i].name_len);
		bk_buf_puts(&b, ": ");
		bk_buf_put(&b, req->headers[i].value,
		    req->headers[i].value_len);
		bk_buf_putc(&b, '\n');
	}
	q->body_len = req->body_len;
}

enum bk_err
bk_port_http(const struct bk_http_request *req,
    const struct bk_http_sink *sink, struct bk_port_err *err)
{
	const struct fp_reply *r;
	const uint8_t *h, *end;
	size_t off;
	int status = 0;

	fp_log_request(req);
	if (fp_next >= fp_nrq) {
		fp_err(err, BK_E_NET, "no scripted reply left for", req->url);
		return BK_E_NET;
	}
	r = &fp_rq[fp_next++];
	h = r->head;
	end = r->head + r->head_len;
	/* the status: digits at the start of the first line */
	while (h < end && *h >= '0' && *h <= '9' && status < 100000)
		status = status * 10 + (*h++ - '0');
	while (h < end && *h != '\n')
		h++;
	if (h < end)
		h++;
	if (sink->status != NULL && sink->status(sink->ctx, status) != 0)
		return BK_E_INTERRUPTED;
	/* header lines, as port/http_curl.c's on_header hands them on */
	while (h < end) {
		const uint8_t *nlp = memchr(h, '\n', (size_t)(end - h));
		size_t len = nlp ? (size_t)(nlp - h) : (size_t)(end - h), nl,
		    vs;
		const char *p = (const char *)h;
		h += len + (nlp ? 1 : 0);
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		for (nl = 0; nl < len && p[nl] != ':'; nl++)
			;
		if (nl == 0 || nl == len || sink->header == NULL)
			continue;
		vs = nl + 1;
		while (vs < len && (p[vs] == ' ' || p[vs] == '\t'))
			vs++;
		if (sink->header(sink->ctx, p, nl, p + vs, len - vs) != 0)
			return BK_E_INTERRUPTED;
	}
	for (off = 0; off < r->body_len;) {
		size_t n = r->piece ? r->piece : r->body_len;
		if (n > r->body_len - off)
			n = r->body_len - off;
		if (sink->body != NULL && sink->body(sink->ctx, r->body + off,
		    n) != 0)
			return BK_E_INTERRUPTED;
		off += n;
	}
	if (r->after != BK_OK)
		fp_err(err, r->after, "scripted transport failure", NULL);
	return r->after;
}

/* ---- checks --------------------------------------------------------------------- */

void
fp_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

int
fp_terminated(const char *buf, size_t cap)
{
	size_t i;

	for (i = 0; i < cap; i++)
		if (buf[i] == '\0')
			return 1;
	return 0;
}

int
fp_clean(const char *s, int allow_nl)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u != '\0'; u++) {
		if ((*u == '\n' && allow_nl) || *u == '\t')
			continue;
		if (*u < 0x20 || *u == 0x7f)
			return 0;
		if (u[0] == 0xC2 && u[1] >= 0x80 && u[1] < 0xA0)
			return 0;
	}
	return 1;
}

int
fp_contains(const void *hay, size_t n, const char *needle, size_t nl)
{
	const char *h = hay;
	size_t i, k;

	if (nl == 0 || nl > n)
		return 0;
	for (i = 0; i + nl <= n; i++) {
		for (k = 0; k < nl && h[i + k] == needle[k]; k++)
			;
		if (k == nl)
			return 1;
	}
	return 0;
}

int
fp_has(const char *hay, const char *needle)
{
	return fp_contains(hay, strlen(hay), needle, strlen(needle));
}

/* ---- a strict JSON grammar (reference for the targets) ------------------------ */

static size_t
fp_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
	    s[i] == '\r'))
		i++;
	return i;
}

static int fp_value(const char *s, size_t n, size_t *i, int depth);

static int
fp_string(const char *s, size_t n, size_t *pi)
{
	size_t i = *pi + 1, k;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"') {
			*pi = i + 1;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (i + 1 >= n)
				return 0;
			c = (unsigned char)s[i + 1];
			if (c == 'u') {
				for (k = i + 2; k < i + 6; k++)
					if (k >= n || !((s[k] >= '0' && s[k] <= '9') ||
					    (s[k] >= 'a' && s[k] <= 'f') ||
					    (s[k] >= 'A' && s[k] <= 'F')))
						return 0;
				i += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", c) || c == '\0')
				return 0;
			i += 2;
			continue;
		}
		i++;
	}
	return 0;
}

static int
fp_number(const char *s, size_t n, size_t *pi)
{
	size_t i = *pi, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0') {
		i++;
	} else {
		for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
			;
		if (d == 0)
			return 0;
	}
	if (i < n && s[i] == '.') {
		for (i++, d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
			;
		if (d == 0)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++, d++)
			;
		if (d == 0)
			return 0;
	}
	*pi = i;
	return 1;
}

static int
fp_value(const char *s, size_t n, size_t *pi, int depth)
{
	size_t i = fp_ws(s, n, *pi);

	if (i >= n || depth > 256)
		return 0;
	if (s[i] == '{' || s[i] == '[') {
		char close = s[i] == '{' ? '}' : ']';
		int obj = s[i] == '{';
		i = fp_ws(s, n, i + 1);
		if (i < n && s[i] == close) {
			*pi = i + 1;
			return 1;
		}
		for (;;) {
			if (obj) {
				i = fp_ws(s, n, i);
				if (i >= n || s[i] != '"' || !fp_string(s, n, &i))
					return 0;
				i = fp_ws(s, n, i);
				if (i >= n || s[i] != ':')
					return 0;
				i++;
			}
			if (!fp_value(s, n, &i, depth + 1))
				return 0;
			i = fp_ws(s, n, i);
			if (i < n && s[i] == ',') {
				i++;
				continue;
			}
			if (i < n && s[i] == close) {
				*pi = i + 1;
				return 1;
			}
			return 0;
		}
	}
	if (s[i] == '"') {
		if (!fp_string(s, n, &i))
			return 0;
		*pi = i;
		return 1;
	}
	if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
		if (!fp_number(s, n, &i))
			return 0;
		*pi = i;
		return 1;
	}
	if (n - i >= 4 && (memcmp(s + i, "true", 4) == 0 ||
	    memcmp(s + i, "null", 4) == 0)) {
		*pi = i + 4;
		return 1;
	}
	if (n - i >= 5 && memcmp(s + i, "false", 5) == 0) {
		*pi = i + 5;
		return 1;
	}
	return 0;
}

int
fp_json_valid(const char *s, size_t n)
{
	size_t i = 0;

	return fp_value(s, n, &i, 0) && fp_ws(s, n, i) == n;
}
