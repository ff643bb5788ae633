/*
 * port.h -- the only way bedrock-claude touches the world.
 *
 * Clocks, sleep, entropy, environment, bounded file reads, the terminal
 * and HTTP.  posix.c and http_curl.c implement it for real; fake.c
 * implements it for unit tests (fixed clock, virtual environment and
 * files, scripted HTTP exchanges).  The core (src/bedrock.c) never calls
 * these; the program and its orchestration (src/client.c) do.
 *
 * Errors use the core's enum bk_err; a human detail goes into a caller
 * buffer (struct bk_port_err), never to stderr from here.
 */
#ifndef BK_PORT_H
#define BK_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "bedrock.h"

/* One-line detail for an error, filled by the port. */
struct bk_port_err {
	enum bk_err code;
	char msg[256];
};

/* --- clocks, entropy ------------------------------------------------ */

int64_t bk_port_now(void);            /* wall clock, seconds since epoch */
uint64_t bk_port_now_ms(void);        /* wall clock, milliseconds */
uint64_t bk_port_mono_ms(void);       /* monotonic milliseconds */
uint64_t bk_port_mono_us(void);       /* monotonic microseconds */
/* Returns early when a caught signal arrives (or already has). */
void bk_port_sleep_ms(uint32_t ms);
/* Fill buf with n bytes from the OS's CSPRNG (getrandom, no /dev needed).
 * Returns BK_OK or BK_E_IO. */
enum bk_err bk_port_random(void *buf, size_t n);

/* --- signals -------------------------------------------------------- */

/*
 * Ctrl-C, SIGTERM and SIGHUP set a flag instead of killing the process,
 * so a reply in flight is stopped cleanly: the HTTP exchange aborts
 * (BK_E_INTERRUPTED), a sleep ends, the line editor returns, and what was
 * said is kept in the session before the program exits or goes back to
 * its prompt.  No SA_RESTART: blocking calls return EINTR.
 */
void bk_port_catch_signals(void);
int bk_port_signal(void);           /* the last caught signal; 0: none */
void bk_port_signal_clear(void);

/* --- environment, files --------------------------------------------- */

/* NULL if unset.  The returned string belongs to the port. */
const char *bk_port_getenv(const char *name);
/*
 * Lowest-precedence environment: when a variable is not set in the real
 * environment, ask fn (settings.json's "env" object, as Claude Code
 * applies it).  fn may be NULL to stop.
 */
void bk_port_env_fallback(const char *(*fn)(const void *ctx,
    const char *name), const void *ctx);
/*
 * Read at most cap bytes of `path` with read(2) (no stdio copies of
 * secrets).  A file larger than cap gives BK_E_LIMIT; a missing file
 * BK_E_IO with err->msg saying why.
 */
enum bk_err bk_port_read_file(const char *path, uint8_t *buf, size_t cap,
    size_t *len, struct bk_port_err *err);
/* 1 if the file exists and is readable. */
int bk_port_readable(const char *path);
/*
 * Replace `path` atomically: write a temporary file beside it (mode 0600),
 * fsync, rename over.  A crash or a signal leaves the old or the new
 * content, never half of one.
 */
enum bk_err bk_port_write_file_atomic(const char *path, const void *data,
    size_t n, struct bk_port_err *err);
/*
 * Run `cmd` with /bin/sh -c, stdin from /dev/null, stderr inherited,
 * stdout captured up to cap bytes.  Killed after timeout_ms.  *status is
 * the exit status (or 128 + signal).  BK_E_TIMEOUT, BK_E_LIMIT (more than
 * cap bytes of output) or BK_E_IO otherwise.
 */
enum bk_err bk_port_run(const char *cmd, char *out, size_t cap, size_t *len,
    uint32_t timeout_ms, int *status, struct bk_port_err *err);
/*
 * Ask a question on the controlling terminal (/dev/tty), the answer not
 * echoed when `secret`.  BK_E_IO when there is no terminal.
 */
enum bk_err bk_port_prompt(const char *question, char *out, size_t cap,
    int secret);

/* --- terminal, standard streams --------------------------------------- */

int bk_port_isatty(int fd);
/*
 * Write all of buf to fd, retrying on EINTR.  Returns BK_OK, or BK_E_IO
 * with err->msg saying why (EPIPE: the reader went away, e.g. `| head`;
 * *closed is then set so the caller can stop quietly).  err may be NULL.
 */
enum bk_err bk_port_write(int fd, const void *buf, size_t n, int *closed,
    struct bk_port_err *err);
/*
 * Make sure descriptors 0, 1 and 2 are open, so no socket or file the
 * program opens can land on them (an answer written into a TLS socket).
 * A closed one is replaced by /dev/null or, where there is no /dev, by an
 * empty pipe.  Returns a bit mask of those that were closed (1 << fd).
 */
unsigned bk_port_stdio_guard(void);
/* Read all of fd (stdin) up to cap bytes into a growing caller buffer:
 * *buf is realloc'd by the port.  BK_E_LIMIT past cap. */
enum bk_err bk_port_read_all(int fd, uint8_t **buf, size_t *len, size_t cap,
    struct bk_port_err *err);

/* --- HTTP --------------------------------------------------------------- */

/*
 * One HTTP exchange.  The response streams back through the sink as it
 * arrives: status once, each header line, then body bytes in whatever
 * pieces the network gives.  A sink callback returning non-zero aborts
 * the transfer (bk_port_http then returns BK_E_INTERRUPTED unless the
 * sink recorded its own error).
 */
struct bk_http_request {
	const char *method;
	const char *url;            /* https://host[:port]/path?query */
	const struct bk_header *headers; /* sent as given (Host included) */
	size_t nheaders;
	const uint8_t *body;
	size_t body_len;
	/* TLS trust: a PEM file, or PEM bytes in memory (built-in roots) */
	const char *ca_file;
	const char *ca_pem;
	size_t ca_pem_len;
	uint32_t connect_timeout_ms;  /* 0: port default */
	uint32_t idle_timeout_ms;     /* no byte for this long: BK_E_TIMEOUT */
	uint32_t total_timeout_ms;    /* 0: none */
	int no_proxy;                 /* never through HTTPS_PROXY (IMDS) */
};

struct bk_http_sink {
	void *ctx;
	int (*status)(void *ctx, int code);
	int (*header)(void *ctx, const char *name, size_t name_len,
	    const char *value, size_t value_len);
	int (*body)(void *ctx, const uint8_t *p, size_t n);
};

enum bk_err bk_port_http(const struct bk_http_request *req,
    const struct bk_http_sink *sink, struct bk_port_err *err);

/* "libcurl/7.88.1 BearSSL": what carries the bytes, for --version. */
const char *bk_port_transport_version(void);

/* Called once at start and end of the program (transport setup). */
enum bk_err bk_port_init(struct bk_port_err *err);
void bk_port_cleanup(void);

#endif /* BK_PORT_H */
