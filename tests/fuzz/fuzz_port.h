/*
 * fuzz_port.h -- an in-memory port (port.h and port_fs.h) for the fuzz
 * targets that drive program code: client.c, awsreq.c, creds.c,
 * settings.c, session.c and ledger.c.
 *
 * port/fake.c serves the unit tests; this one differs where a fuzzer
 * needs it to:
 *  - HTTP replies are raw heads, "STATUS\nName: value\n...", split into
 *    header calls exactly as port/http_curl.c splits what curl delivers
 *    (trailing CR/LF stripped, name up to the first ':', blanks after it
 *    skipped), so header values carry any byte but '\n', NUL included;
 *  - bk_port_run() returns scripted output (credential_process) instead of
 *    running a command;
 *  - files (and appends, truncations, directory listings) live in memory
 *    only, any number of them, with no real file system underneath.
 *
 * Everything is reset by fp_reset(); nothing is shared between inputs.
 * Strings and bytes handed to fp_setenv() and fp_file() are copied; the
 * bytes of fp_reply() and fp_run() are not: they must stay alive until
 * the exchange happened (until the next fp_reset()).
 */
#ifndef BK_FUZZ_PORT_H
#define BK_FUZZ_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"
#include "port_fs.h"

#define FP_MAX_REPLIES 16
#define FP_MAX_REQUESTS 16

void fp_reset(void);
void fp_set_time(int64_t t);

/* Environment: name and value copied; a repeated name is replaced. */
void fp_setenv(const char *name, const char *value);

/* Files: data[0..n) copied under `path` (replacing any earlier one). */
void fp_file(const char *path, const void *data, size_t n);
/* The bytes at `path` now (after the code under test wrote), or NULL. */
const uint8_t *fp_file_get(const char *path, size_t *n);
/* Files written by bk_port_write_file_atomic / bk_port_append. */
unsigned fp_writes(void);

/*
 * Queue an HTTP reply.  head: "STATUS\n" then header lines (no body);
 * the status is the decimal number at the start of the first line (0 if
 * none).  body is delivered `piece` bytes at a time (0: at once), then
 * `after` is returned (BK_OK, or e.g. BK_E_NET for a cut connection).
 */
void fp_reply(const uint8_t *head, size_t head_len, const uint8_t *body,
    size_t body_len, size_t piece, enum bk_err after);
size_t fp_replies_left(void);

/* What a request carried (for checks that a secret went only where it
 * belongs). */
struct fp_request {
	char method[16];
	char url[2048];
	char headers[16384];   /* "Name: value\n" lines, cut */
	size_t body_len;
};
size_t fp_nrequests(void);
const struct fp_request *fp_request(size_t i);

/* The next bk_port_run(): its stdout, exit status and result. */
void fp_run(const uint8_t *out, size_t n, int status, enum bk_err e);

/* ---- checks shared by the targets ------------------------------------ */

/* Report a failed check (file:line: what) and abort(). */
void fp_fail(const char *file, int line, const char *what);
#define FP_ASSERT(c) do { if (!(c)) fp_fail(__FILE__, __LINE__, #c); } \
	while (0)
/* 1 if buf[0..cap) holds a NUL (the string ends inside its buffer). */
int fp_terminated(const char *buf, size_t cap);
/*
 * 1 if the C string s is fit for a terminal line: no byte below 0x20
 * (but a tab, and '\n' when allow_nl), no DEL, no C1 control
 * (U+0080..U+009F).
 */
int fp_clean(const char *s, int allow_nl);
/* 1 if needle (length nl > 0) occurs in hay[0..n).  Written by hand, not
 * memmem: libFuzzer would learn the needle from memmem's arguments. */
int fp_contains(const void *hay, size_t n, const char *needle, size_t nl);
/* fp_contains for a C string haystack. */
int fp_has(const char *hay, const char *needle);
/* 1 if s[0..n) is one JSON value by RFC 8259's grammar (strings are not
 * checked for valid UTF-8), nested at most 256 deep.  jsmn, even strict,
 * accepts more ({"a": 1, "b"}); this is the reference the targets use. */
int fp_json_valid(const char *s, size_t n);

#endif /* BK_FUZZ_PORT_H */
