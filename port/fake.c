/*
 * fake.c -- port.h for unit tests: deterministic and offline.  Time is set
 * by the test, the environment is private, and each HTTP exchange replays
 * a scripted reply through the caller's sink in pieces of a chosen size,
 * so the streaming paths see the same fragmentation a network gives.
 *
 * For replaying recorded scenarios (tests/creds_vectors.c) it also mounts
 * a test directory read-only at "/", keeps written files in memory, checks
 * the requests made against the recorded ones, and can run a command for
 * real when the test allows it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"

struct reply {
	int status;
	const char *headers;
	const uint8_t *body;
	size_t len, piece;
	enum bk_err after;
	/* what the request taking this reply must look like (bk_fake_expect) */
	const char *x_method, *x_uri, *x_headers;
	int taken;              /* by request number taken - 1; 0: not yet,
	                           -1: by a request since forgotten */
};

static int64_t now = 1440938160; /* 2015-08-30T12:36:00Z, the SigV4 suite's */
static uint64_t mono_us;
static struct { char name[64]; char value[1024]; } env[BK_FAKE_MAX_ENV];
static size_t nenv;
static struct reply replies[BK_FAKE_MAX_REPLIES];
static size_t nreplies, next_reply;
static struct bk_fake_request reqs[BK_FAKE_MAX_REQUESTS];
static size_t nreqs, nseen;     /* kept in the log; made in all */
static char root[1024];
static int root_set, run_allowed;
static struct {
	char path[1024];
	uint8_t data[BK_FAKE_FILE_MAX];
	size_t len;
} files[BK_FAKE_MAX_FILES];
static size_t nfiles;

void
bk_fake_reset(void)
{
	size_t i;

	now = 1440938160;
	mono_us = 0;
	nenv = nreplies = next_reply = nreqs = nseen = 0;
	memset(replies, 0, sizeof(replies));
	root_set = run_allowed = 0;
	root[0] = '\0';
	/* written files may hold tokens (the SSO cache) */
	for (i = 0; i < nfiles; i++)
		bk_wipe(&files[i], sizeof(files[i]));
	nfiles = 0;
}

void
bk_fake_set_time(int64_t t)
{
	now = t;
}

/* ---- environment ---------------------------------------------------------- */

void
bk_fake_env_clear(void)
{
	nenv = 0;
}

void
bk_fake_setenv(const char *name, const char *value)
{
	struct bk_buf b;
	size_t i;

	for (i = 0; i < nenv; i++)
		if (strcmp(env[i].name, name) == 0)
			break;
	if (i == nenv) {
		if (nenv >= BK_FAKE_MAX_ENV)
			return;
		bk_buf_init(&b, env[i].name, sizeof(env[i].name));
		bk_buf_puts(&b, name);
		nenv++;
	}
	bk_buf_init(&b, env[i].value, sizeof(env[i].value));
	bk_buf_puts(&b, value);
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

/* ---- files ------------------------------------------------------------------ */

void
bk_fake_set_root(const char *dir)
{
	struct bk_buf b;

	root_set = 0;
	root[0] = '\0';
	if (dir == NULL)
		return;
	bk_buf_init(&b, root, sizeof(root));
	bk_buf_puts(&b, dir);
	root_set = bk_buf_err(&b) == BK_OK;
}

static void
set_err(struct bk_port_err *err, enum bk_err code, const char *what,
    const char *path, int errnum)
{
	struct bk_buf b;

	if (err == NULL)
		return;
	err->code = code;
	bk_buf_init(&b, err->msg, sizeof(err->msg));
	bk_buf_puts(&b, what);
	if (path != NULL) {
		bk_buf_puts(&b, " ");
		bk_buf_puts(&b, path);
	}
	if (errnum != 0) {
		bk_buf_puts(&b, ": ");
		bk_buf_puts(&b, strerror(errnum));
	}
}

/* The real path of a virtual one: root + "/" + path.  -1 if unmounted. */
static int
real_path(const char *path, char *out, size_t cap)
{
	struct bk_buf b;

	if (!root_set)
		return -1;
	bk_buf_init(&b, out, cap);
	bk_buf_puts(&b, root);
	if (path[0] != '/')
		bk_buf_putc(&b, '/');
	bk_buf_puts(&b, path);
	return bk_buf_err(&b) == BK_OK ? 0 : -1;
}

static size_t
written_index(const char *path)
{
	size_t i;

	for (i = 0; i < nfiles; i++)
		if (strcmp(files[i].path, path) == 0)
			return i;
	return BK_FAKE_MAX_FILES;
}

const uint8_t *
bk_fake_written(const char *path, size_t *len)
{
	size_t i = written_index(path);

	*len = 0;
	if (i == BK_FAKE_MAX_FILES)
		return NULL;
	*len = files[i].len;
	return files[i].data;
}

enum bk_err
bk_port_read_file(const char *path, uint8_t *buf, size_t cap, size_t *len,
    struct bk_port_err *err)
{
	char rp[2048];
	size_t i = written_index(path), n = 0;
	int fd;

	*len = 0;
	if (i < BK_FAKE_MAX_FILES) {
		if (files[i].len > cap) {
			set_err(err, BK_E_LIMIT, "file too large:", path, 0);
			return BK_E_LIMIT;
		}
		memcpy(buf, files[i].data, files[i].len);
		*len = files[i].len;
		return BK_OK;
	}
	if (real_path(path, rp, sizeof(rp)) != 0) {
		set_err(err, BK_E_IO, "cannot open", path, ENOENT);
		return BK_E_IO;
	}
	fd = open(rp, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, BK_E_IO, "cannot open", path, errno);
		return BK_E_IO;
	}
	for (;;) {
		ssize_t r;
		if (n == cap) {
			uint8_t probe;
			r = read(fd, &probe, 1);
			if (r > 0) {
				close(fd);
				set_err(err, BK_E_LIMIT, "file too large:", path,
				    0);
				return BK_E_LIMIT;
			}
			break;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			set_err(err, BK_E_IO, "cannot read", path, errno);
			close(fd);
			return BK_E_IO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return BK_OK;
}

int
bk_port_readable(const char *path)
{
	char rp[2048];
	struct stat st;

	if (written_index(path) < BK_FAKE_MAX_FILES)
		return 1;
	return real_path(path, rp, sizeof(rp)) == 0 && stat(rp, &st) == 0 &&
	    S_ISREG(st.st_mode) && access(rp, R_OK) == 0;
}

/* Never touches the disk: the mounted tree is test data. */
enum bk_err
bk_port_write_file_atomic(const char *path, const void *data, size_t n,
    struct bk_port_err *err)
{
	struct bk_buf b;
	size_t i = written_index(path);

	if (n > BK_FAKE_FILE_MAX || strlen(path) >= sizeof(files[0].path)) {
		set_err(err, BK_E_LIMIT, "too large for the fake port:", path,
		    0);
		return BK_E_LIMIT;
	}
	if (i == BK_FAKE_MAX_FILES) {
		if (nfiles == BK_FAKE_MAX_FILES) {
			set_err(err, BK_E_IO, "too many files written:", path,
			    0);
			return BK_E_IO;
		}
		i = nfiles++;
		bk_buf_init(&b, files[i].path, sizeof(files[i].path));
		bk_buf_puts(&b, path);
	}
	bk_wipe(files[i].data, sizeof(files[i].data));
	if (n > 0)
		memcpy(files[i].data, data, n);
	files[i].len = n;
	return BK_OK;
}

/* ---- clocks, entropy, terminal ------------------------------------------------ */

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
void
bk_port_env_fallback(const char *(*fn)(const void *, const char *),
    const void *ctx)
{
	(void)fn;
	(void)ctx;
}
enum bk_err bk_port_init(struct bk_port_err *err) { (void)err; return BK_OK; }
void bk_port_cleanup(void) { }

enum bk_err
bk_port_prompt(const char *question, char *out, size_t cap, int secret)
{
	(void)question;
	(void)secret;
	if (cap > 0)
		out[0] = '\0';
	return BK_E_IO;
}

/* ---- commands ------------------------------------------------------------------ */

void
bk_fake_allow_run(int on)
{
	run_allowed = on;
}

/* The real monotonic clock: a command takes real time. */
static uint64_t
real_mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* As port/posix.c: /bin/sh -c in a process group of its own, stdout
 * captured, everything killed at the deadline. */
enum bk_err
bk_port_run(const char *cmd, char *out, size_t cap, size_t *len,
    uint32_t timeout_ms, int *status, struct bk_port_err *err)
{
	int pfd[2], st = 0;
	pid_t pid;
	size_t n = 0;
	uint64_t deadline;
	enum bk_err e = BK_OK;

	*len = 0;
	if (!run_allowed) {
		*status = 127;
		set_err(err, BK_E_IO, "the fake port does not run commands",
		    NULL, 0);
		return BK_E_IO;
	}
	*status = -1;
	deadline = real_mono_ms() + timeout_ms;
	if (pipe(pfd) != 0) {
		set_err(err, BK_E_IO, "cannot create a pipe", NULL, errno);
		return BK_E_IO;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		set_err(err, BK_E_IO, "cannot fork", NULL, errno);
		return BK_E_IO;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0) {
			dup2(nul, 0);
			close(nul);
		}
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p;
		uint64_t t = real_mono_ms(), left;
		ssize_t r;
		int w;
		if (t >= deadline) {
			e = BK_E_TIMEOUT;
			break;
		}
		left = deadline - t;
		p.fd = pfd[0];
		p.events = POLLIN;
		p.revents = 0;
		w = poll(&p, 1, left > 60000u ? 60000 : (int)left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			e = BK_E_IO;
			break;
		}
		if (w == 0)
			continue;      /* the deadline check decides */
		if (n == cap) {
			e = BK_E_LIMIT;
			break;
		}
		r = read(pfd[0], out + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(pfd[0]);
	if (e != BK_OK) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st))
		*status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		*status = 128 + WTERMSIG(st);
	*len = n;
	if (e == BK_E_TIMEOUT)
		set_err(err, e, "the command timed out", NULL, 0);
	else if (e == BK_E_LIMIT)
		set_err(err, e, "the command wrote too much", NULL, 0);
	else if (e == BK_E_IO)
		set_err(err, e, "cannot read the command's output", NULL, 0);
	return e;
}

/* ---- HTTP -------------------------------------------------------------------- */

void
bk_fake_reply(int status, const char *headers, const void *body, size_t len,
    size_t piece, enum bk_err after)
{
	struct reply *r;

	if (nreplies >= BK_FAKE_MAX_REPLIES)
		return;
	r = &replies[nreplies++];
	memset(r, 0, sizeof(*r));
	r->status = status;
	r->headers = headers;
	r->body = body;
	r->len = len;
	r->piece = piece;
	r->after = after;
}

void
bk_fake_expect(const char *method, const char *uri, const char *headers)
{
	struct reply *r;

	if (nreplies == 0)
		return;
	r = &replies[nreplies - 1];
	r->x_method = method;
	r->x_uri = uri;
	r->x_headers = headers;
}

void
bk_fake_requests_clear(void)
{
	size_t i;

	/* replies already taken stay taken, but are no longer checked */
	for (i = 0; i < nreplies; i++)
		if (replies[i].taken > 0)
			replies[i].taken = -1;
	nreqs = nseen = 0;
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

/* "scheme://authority/path?query", split; an empty path is "/". */
struct uri {
	const char *scheme, *auth, *path, *query;
	size_t scheme_len, auth_len, path_len, query_len;
};

static void
uri_split(const char *u, struct uri *x)
{
	const char *p = strstr(u, "://"), *end;

	memset(x, 0, sizeof(*x));
	x->scheme = x->auth = x->query = "";
	if (p == NULL) {
		p = u;
	} else {
		x->scheme = u;
		x->scheme_len = (size_t)(p - u);
		p += 3;
		x->auth = p;
		x->auth_len = strcspn(p, "/?#");
		p += x->auth_len;
	}
	end = p + strcspn(p, "?#");
	x->path = end > p ? p : "/";
	x->path_len = end > p ? (size_t)(end - p) : 1;
	if (*end == '?') {
		x->query = end + 1;
		x->query_len = strcspn(end + 1, "#");
	}
}

static int
span_eq(const char *a, size_t al, const char *b, size_t bl, int nocase)
{
	if (al != bl)
		return 0;
	if (al == 0)
		return 1;
	return nocase ? strncasecmp(a, b, al) == 0 : memcmp(a, b, al) == 0;
}

/* 1 if every '&'-separated parameter of a occurs in b. */
static int
params_in(const char *a, size_t al, const char *b, size_t bl)
{
	size_t i = 0;

	while (i < al) {
		size_t n = 0, j = 0;
		int found = 0;
		while (i + n < al && a[i + n] != '&')
			n++;
		while (j <= bl && !found) {
			size_t m = 0;
			while (j + m < bl && b[j + m] != '&')
				m++;
			found = span_eq(a + i, n, b + j, m, 0);
			j += m + 1;
		}
		if (!found && n > 0)
			return 0;
		i += n + 1;
	}
	return 1;
}

static int
uri_same(const char *want, const char *got)
{
	struct uri a, b;

	if (strcmp(want, got) == 0)
		return 1;
	uri_split(want, &a);
	uri_split(got, &b);
	return span_eq(a.scheme, a.scheme_len, b.scheme, b.scheme_len, 1) &&
	    span_eq(a.auth, a.auth_len, b.auth, b.auth_len, 1) &&
	    span_eq(a.path, a.path_len, b.path, b.path_len, 0) &&
	    params_in(a.query, a.query_len, b.query, b.query_len) &&
	    params_in(b.query, b.query_len, a.query, a.query_len);
}

/* The value of header `name` in "Name: value\n" lines, or NULL. */
static const char *
header_find(const char *lines, const char *name, size_t nl, size_t *vl)
{
	const char *h = lines;

	while (h != NULL && *h != '\0') {
		const char *eol = strchr(h, '\n');
		size_t ll = eol ? (size_t)(eol - h) : strlen(h);
		const char *colon = memchr(h, ':', ll);
		if (colon != NULL && span_eq(h, (size_t)(colon - h), name, nl,
		    1)) {
			const char *v = colon + 1;
			while (v < h + ll && *v == ' ')
				v++;
			*vl = (size_t)(h + ll - v);
			return v;
		}
		h = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* type/subtype of a Content-Type value, trimmed. */
static void
media_type(const char *v, size_t n, const char **p, size_t *len)
{
	size_t k = 0;

	while (k < n && v[k] != ';')
		k++;
	while (k > 0 && (v[k - 1] == ' ' || v[k - 1] == '\t'))
		k--;
	while (k > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		k--;
	}
	*p = v;
	*len = k;
}

static int
header_same(const char *name, size_t nl, const char *want, size_t wl,
    const char *got, size_t gl)
{
	if (span_eq(name, nl, "content-type", 12, 1)) {
		const char *a, *b;
		size_t al, bl;
		media_type(want, wl, &a, &al);
		media_type(got, gl, &b, &bl);
		return span_eq(a, al, b, bl, 1);
	}
	return span_eq(want, wl, got, gl, 0);
}

static void
mismatch(struct bk_buf *b, size_t *n, size_t idx, const char *what,
    const char *a, size_t al, const char *c, size_t cl)
{
	(*n)++;
	bk_buf_puts(b, "request ");
	bk_buf_put_u64(b, (uint64_t)idx);
	bk_buf_puts(b, ": ");
	bk_buf_puts(b, what);
	if (a != NULL) {
		bk_buf_puts(b, ": expected [");
		bk_buf_put(b, a, al);
		bk_buf_puts(b, "], got [");
		bk_buf_put(b, c, cl);
		bk_buf_puts(b, "]");
	}
	bk_buf_putc(b, '\n');
}

size_t
bk_fake_check(char *out, size_t cap)
{
	struct bk_buf b;
	size_t i, n = 0;

	bk_buf_init(&b, out, cap);
	for (i = 0; i < nreplies; i++) {
		const struct reply *r = &replies[i];
		const struct bk_fake_request *q;
		const char *h;
		if (r->x_method == NULL)
			continue;
		if (r->taken == 0) {
			n++;
			bk_buf_puts(&b, "recorded request ");
			bk_buf_put_u64(&b, (uint64_t)i);
			bk_buf_puts(&b, " was never made: ");
			bk_buf_puts(&b, r->x_method);
			bk_buf_putc(&b, ' ');
			bk_buf_puts(&b, r->x_uri);
			bk_buf_putc(&b, '\n');
			continue;
		}
		if (r->taken < 0 || (size_t)(r->taken - 1) >= nreqs)
			continue;       /* forgotten, or out of the log */
		q = &reqs[r->taken - 1];
		if (strcmp(q->method, r->x_method) != 0)
			mismatch(&b, &n, i, "method", r->x_method,
			    strlen(r->x_method), q->method, strlen(q->method));
		if (!uri_same(r->x_uri, q->url))
			mismatch(&b, &n, i, "URI", r->x_uri, strlen(r->x_uri),
			    q->url, strlen(q->url));
		for (h = r->x_headers; h != NULL && *h != '\0';) {
			const char *eol = strchr(h, '\n'), *colon, *want, *got;
			size_t ll = eol ? (size_t)(eol - h) : strlen(h), nl, wl,
			    gl = 0;
			colon = memchr(h, ':', ll);
			if (colon != NULL) {
				nl = (size_t)(colon - h);
				want = colon + 1;
				while (want < h + ll && *want == ' ')
					want++;
				wl = (size_t)(h + ll - want);
				got = header_find(q->headers, h, nl, &gl);
				if (got == NULL)
					mismatch(&b, &n, i, "header missing", h,
					    ll, "", 0);
				else if (!header_same(h, nl, want, wl, got, gl))
					mismatch(&b, &n, i, "header value", h,
					    ll, got, gl);
			}
			h = eol ? eol + 1 : h + ll;
		}
	}
	for (i = 0; i < nreqs; i++)
		if (reqs[i].reply < 0) {
			n++;
			bk_buf_puts(&b, "unexpected request ");
			bk_buf_put_u64(&b, (uint64_t)i);
			bk_buf_puts(&b, " (no recorded exchange left): ");
			bk_buf_puts(&b, reqs[i].method);
			bk_buf_putc(&b, ' ');
			bk_buf_puts(&b, reqs[i].url);
			bk_buf_putc(&b, '\n');
		}
	if (nseen > nreqs) {
		n++;
		bk_buf_put_u64(&b, (uint64_t)nseen);
		bk_buf_puts(&b, " requests made; the log holds only the first ");
		bk_buf_put_u64(&b, (uint64_t)(nreqs - 1));
		bk_buf_putc(&b, '\n');
	}
	return n;
}

enum bk_err
bk_port_http(const struct bk_http_request *req,
    const struct bk_http_sink *sink, struct bk_port_err *err)
{
	size_t slot = nseen < BK_FAKE_MAX_REQUESTS ? nseen :
	    BK_FAKE_MAX_REQUESTS - 1;
	struct bk_fake_request *q = &reqs[slot];
	struct reply *r;
	struct bk_buf b;
	const char *h;
	size_t i, off;

	nseen++;
	nreqs = slot + 1;
	memset(q, 0, sizeof(*q));
	q->reply = next_reply < nreplies ? (int)next_reply : -1;
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
		set_err(err, BK_E_NET, "no scripted reply left for", req->url,
		    0);
		return BK_E_NET;
	}
	r = &replies[next_reply++];
	r->taken = (int)slot + 1;
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
	if (r->after != BK_OK) {
		set_err(err, r->after, "scripted transport failure", NULL, 0);
	}
	return r->after;
}
