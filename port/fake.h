/*
 * fake.h -- control of the fake port (port/fake.c) used by unit tests and
 * the credential-chain replay (tests/creds_vectors.c): a fixed clock, a
 * private environment, a read-only file system rooted in a test directory
 * with writes kept in memory, scripted HTTP exchanges whose bytes are
 * delivered in pieces of a chosen size, and checks of the requests made
 * against recorded ones.
 *
 * Lifecycle: bk_fake_reset() returns everything to the defaults (no
 * environment, no file system, no replies, no expectations, commands not
 * run).  Strings and bodies given to bk_fake_reply() and bk_fake_expect()
 * are not copied: they MUST stay alive until the next bk_fake_reset().
 */
#ifndef BK_FAKE_H
#define BK_FAKE_H

#include "port.h"

#define BK_FAKE_MAX_ENV 64
#define BK_FAKE_MAX_REPLIES 16
#define BK_FAKE_MAX_REQUESTS 16   /* requests kept in the log */
#define BK_FAKE_MAX_FILES 4       /* files written (kept in memory) */
#define BK_FAKE_FILE_MAX 65536    /* bytes per written file */

struct bk_fake_request {
	char method[16];
	char url[2048];
	char headers[8192];     /* "Name: value\n" lines */
	uint8_t body[65536];
	size_t body_len;
	int reply;              /* index of the reply it got, -1: none */
};

void bk_fake_reset(void);
void bk_fake_set_time(int64_t t);

/* --- environment ---------------------------------------------------------- */

/* Forget every variable. */
void bk_fake_env_clear(void);
/* Set a variable (replacing an earlier value of the same name).  Names of
 * 64 bytes or more and values of 1024 or more are truncated; past
 * BK_FAKE_MAX_ENV variables the call is ignored. */
void bk_fake_setenv(const char *name, const char *value);

/* --- files ---------------------------------------------------------------- */

/*
 * Mount the real directory `dir` at "/": bk_port_read_file("/home/x")
 * reads <dir>/home/x, a relative path "x" reads <dir>/x.  NULL (the
 * default) unmounts: every read then fails with BK_E_IO.  The directory is
 * never written: bk_port_write_file_atomic() keeps the bytes in memory
 * (at most BK_FAKE_MAX_FILES files of BK_FAKE_FILE_MAX bytes), and later
 * reads of that path see them.  The path is copied.
 */
void bk_fake_set_root(const char *dir);
/* Bytes written to `path` by bk_port_write_file_atomic(), or NULL. */
const uint8_t *bk_fake_written(const char *path, size_t *len);

/* --- commands ------------------------------------------------------------- */

/*
 * bk_port_run() returns BK_E_IO (status 127) unless this is on: then it
 * runs the command for real with /bin/sh -c (stdin /dev/null, stdout
 * captured, killed after the timeout), as port/posix.c does.  Only for
 * commands that are static test data.
 */
void bk_fake_allow_run(int on);

/* --- HTTP ----------------------------------------------------------------- */

/*
 * Queue a reply: status, header lines ("Name: value\n..."), body bytes
 * delivered `piece` bytes at a time (0: all at once), then `after`
 * (BK_OK for a clean end, BK_E_NET for a cut connection).  Each request
 * takes the next reply; a request with none left fails with BK_E_NET.
 */
void bk_fake_reply(int status, const char *headers, const void *body,
    size_t len, size_t piece, enum bk_err after);
/*
 * Attach to the reply queued last the request it expects: the method, the
 * URI and header lines ("Name: value\n", may be NULL) that the request
 * must carry with these values.  See bk_fake_check().
 */
void bk_fake_expect(const char *method, const char *uri,
    const char *headers);
/*
 * Compare the requests made with the expectations, as the smithy-rs
 * replay harness does, and write one line per mismatch into out (cap
 * bytes, NUL-terminated).  Returns the number of mismatches:
 *  - a reply with an expectation that no request took;
 *  - a request that found no reply (or more requests than the log holds);
 *  - a different method;
 *  - a different URI: scheme, authority and path must be equal (an empty
 *    path is "/"), and the query parameters equal as a set (their order
 *    does not matter);
 *  - an expected header missing or with another value.  Values are
 *    compared exactly, except Content-Type, compared by media type
 *    (type/subtype, case-insensitive; parameters such as charset are
 *    ignored).
 */
size_t bk_fake_check(char *out, size_t cap);
/* Forget the requests made so far (not the replies they consumed). */
void bk_fake_requests_clear(void);

/* Requests seen so far, oldest first. */
const struct bk_fake_request *bk_fake_request(size_t i);
size_t bk_fake_nrequests(void);

#endif
