/*
 * bedrock.h -- the portable core of bedrock-claude.
 *
 * Everything here is pure: bytes, times and secrets go in as arguments;
 * requests, events and decisions come out in buffers the caller owns.
 * Nothing in bedrock.c allocates, reads the clock, touches the environment
 * or performs I/O; the program (src/main.c, src/client.c) does that through
 * port/port.h.  That keeps every part testable against fixed vectors and
 * fuzzable without a network.
 *
 * Conventions (see STYLE.md):
 *  - every public name starts with bk_ / BK_;
 *  - lengths are size_t: `len` is bytes used, `cap` is capacity;
 *  - contexts are caller-allocated structs; *_init() cannot fail;
 *  - functions that can fail return an enum bk_err (0 = BK_OK); errors
 *    are sticky in contexts that carry state (the event-stream decoder,
 *    the stream layer) until *_init() is called again;
 *  - a short output buffer gives BK_E_BUFSZ, never a truncated result.
 *
 * Sections, in the order of bedrock.c:
 *   1. errors, buffers, hex, base64, URI encoding, times, wiping
 *   2. JSON (jsmn tokens in caller arrays, lookup, unescape, writer)
 *   3. SigV4
 *   4. event stream (push decoder, encoder, CRC32)
 *   5. Bedrock: request body, stream events, service errors
 *   6. shared config and credentials files, credential plans
 *   7. endpoints (partitions, FIPS, dual-stack, overrides, VPC endpoints)
 *   9. models and regions (defaults; the full catalogue comes later)
 */
#ifndef BK_BEDROCK_H
#define BK_BEDROCK_H

#include <stddef.h>
#include <stdint.h>

/* jsmn's types (declarations only here; bedrock.c compiles jsmn itself,
 * as static functions, before including this header). */
#ifndef JSMN_H
#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER
#endif

#define BK_VERSION "0.1.0"

/* ==================================================================== */
/* 1. Errors                                                            */
/* ==================================================================== */

/*
 * One error enum for the whole program, written once as a table so the
 * enum, bk_strerror() and bk_errname() cannot drift apart.  Numbers are
 * stable and never reused.  Groups leave gaps so a new code lands next to
 * its relatives.
 */
#define BK_ERRORS(X) \
	X(BK_OK, 0, "success") \
	X(BK_E_BUFSZ, 1, "output buffer too small") \
	X(BK_E_ARG, 2, "invalid argument") \
	X(BK_E_LIMIT, 3, "input exceeds a documented limit") \
	/* event stream */ \
	X(BK_E_EVS_PRELUDE_CRC, 10, "event-stream prelude checksum mismatch") \
	X(BK_E_EVS_MESSAGE_CRC, 11, "event-stream message checksum mismatch") \
	X(BK_E_EVS_TOO_LARGE, 12, "event-stream message larger than the 16 MiB limit or the buffer") \
	X(BK_E_EVS_TOO_SMALL, 13, "event-stream message shorter than 16 bytes") \
	X(BK_E_EVS_HEADERS_LEN, 14, "event-stream headers length exceeds the message") \
	X(BK_E_EVS_HEADER_NAME, 15, "event-stream header name is empty or truncated") \
	X(BK_E_EVS_HEADER_TYPE, 16, "event-stream header has an unknown value type") \
	X(BK_E_EVS_HEADER_VALUE, 17, "event-stream header value runs past the headers") \
	X(BK_E_EVS_TRUNCATED, 18, "event stream ended inside a message") \
	X(BK_E_EVS_TOO_MANY_HEADERS, 19, "event-stream message has too many headers") \
	/* JSON, base64, text */ \
	X(BK_E_JSON, 20, "malformed JSON") \
	X(BK_E_JSON_TOKENS, 21, "JSON document too complex") \
	X(BK_E_UTF8, 22, "invalid UTF-8") \
	X(BK_E_BASE64, 23, "invalid base64") \
	X(BK_E_JSON_SHAPE, 24, "JSON of an unexpected shape") \
	/* Bedrock stream layer */ \
	X(BK_E_STREAM_INCOMPLETE, 30, "the response stream ended before message_stop") \
	X(BK_E_STREAM_EVENT, 31, "unexpected event in the response stream") \
	X(BK_E_STREAM_ERROR_EVENT, 32, "the model reported an error in the stream") \
	/* service errors: HTTP replies or in-stream exceptions */ \
	X(BK_E_SVC_ACCESS_DENIED, 40, "access denied") \
	X(BK_E_SVC_VALIDATION, 41, "the request was rejected as invalid") \
	X(BK_E_SVC_ON_DEMAND, 42, "this model needs an inference profile") \
	X(BK_E_SVC_INVALID_MODEL, 43, "invalid model identifier") \
	X(BK_E_SVC_NOT_FOUND, 44, "resource not found") \
	X(BK_E_SVC_UNRECOGNIZED_CLIENT, 45, "the access key or security token is not valid") \
	X(BK_E_SVC_INVALID_SIGNATURE, 46, "the request signature does not match") \
	X(BK_E_SVC_SIGNATURE_EXPIRED, 47, "the request time is too far from the server's clock") \
	X(BK_E_SVC_EXPIRED_TOKEN, 48, "the security token has expired") \
	X(BK_E_SVC_THROTTLING, 49, "throttled") \
	X(BK_E_SVC_QUOTA, 50, "service quota exceeded") \
	X(BK_E_SVC_INTERNAL, 51, "internal server error") \
	X(BK_E_SVC_UNAVAILABLE, 52, "service unavailable") \
	X(BK_E_SVC_MODEL_TIMEOUT, 53, "the model timed out") \
	X(BK_E_SVC_MODEL_STREAM, 54, "the model stream failed") \
	X(BK_E_SVC_MODEL_NOT_READY, 55, "the model is not ready") \
	X(BK_E_SVC_MODEL_ERROR, 56, "the model returned an error") \
	X(BK_E_SVC_OTHER, 57, "the service returned an error") \
	/* transport, reported by the port layer */ \
	X(BK_E_NET, 60, "network error") \
	X(BK_E_DNS, 61, "host name does not resolve") \
	X(BK_E_TLS, 62, "TLS error") \
	X(BK_E_TIMEOUT, 63, "timed out") \
	X(BK_E_HTTP, 64, "malformed HTTP response") \
	X(BK_E_PROXY, 65, "proxy error") \
	/* configuration and local input */ \
	X(BK_E_NO_REGION, 70, "no AWS region configured") \
	X(BK_E_NO_CREDENTIALS, 71, "no AWS credentials found") \
	X(BK_E_ENDPOINT, 72, "unusable endpoint URL") \
	X(BK_E_USAGE, 73, "invalid command line") \
	X(BK_E_IO, 74, "local I/O error") \
	X(BK_E_NOMEM, 75, "out of memory") \
	X(BK_E_CONFIG, 76, "malformed AWS config or credentials file") \
	X(BK_E_NOT_FOUND, 77, "not set") \
	X(BK_E_INTERRUPTED, 80, "interrupted")

#define BK_ERR_ENUM_(name, num, text) name = num,
enum bk_err { BK_ERRORS(BK_ERR_ENUM_) BK_E_END_ = 1000 };
#undef BK_ERR_ENUM_

/* A short, static, human description of an error code. */
const char *bk_strerror(enum bk_err e);

/* The code's identifier, e.g. "BK_E_EVS_MESSAGE_CRC" (for tests, --json). */
const char *bk_errname(enum bk_err e);

/* ==================================================================== */
/* 1. Buffers and encodings                                             */
/* ==================================================================== */

/*
 * A bounded writer over caller memory.  Appends past `cap` set the sticky
 * `overflow` flag and write nothing more, so a sequence of appends needs a
 * single check at the end (bk_buf_err()).  The content is always
 * NUL-terminated when cap > 0; `len` excludes the NUL.
 */
struct bk_buf {
	char *p;
	size_t len;
	size_t cap;      /* usable bytes, one is kept for the NUL */
	int overflow;
};

void bk_buf_init(struct bk_buf *b, char *mem, size_t cap);
void bk_buf_put(struct bk_buf *b, const void *s, size_t n);
void bk_buf_puts(struct bk_buf *b, const char *s);
void bk_buf_putc(struct bk_buf *b, char c);
void bk_buf_put_u64(struct bk_buf *b, uint64_t v);
void bk_buf_put_i64(struct bk_buf *b, int64_t v);
void bk_buf_put_hex(struct bk_buf *b, const uint8_t *s, size_t n);
/* BK_OK, or BK_E_BUFSZ if any append did not fit. */
enum bk_err bk_buf_err(const struct bk_buf *b);

/* Lowercase hex; `out` receives 2*n bytes (no NUL). */
void bk_hex(char *out, const uint8_t *in, size_t n);

/* Standard base64 (RFC 4648, padded).  decode accepts only the canonical
 * alphabet; whitespace is an error.  *out_len receives the decoded size.
 * Decoding in place (out == in) is allowed. */
#define BK_BASE64_DECODED_MAX(n) (((n) / 4u) * 3u)
#define BK_BASE64_ENCODED_LEN(n) ((((n) + 2u) / 3u) * 4u)
enum bk_err bk_base64_decode(const char *in, size_t n, uint8_t *out,
    size_t cap, size_t *out_len);
enum bk_err bk_base64_encode(const uint8_t *in, size_t n, char *out,
    size_t cap, size_t *out_len);

/*
 * RFC 3986 percent-encoding as SigV4 wants it: unreserved characters
 * (A-Z a-z 0-9 - _ . ~) stay, everything else becomes %XX (uppercase).
 * With keep_slash, '/' also stays (paths).
 */
void bk_uri_encode(struct bk_buf *b, const char *s, size_t n, int keep_slash);

/* Decode %XX sequences (a malformed % is copied literally). */
void bk_uri_decode(struct bk_buf *b, const char *s, size_t n);

/* Seconds since the epoch -> "YYYYMMDDTHHMMSSZ" (16 chars + NUL).
 * Years 1970..9999 only. */
enum bk_err bk_time_amz(int64_t t, char out[17]);

/* "2021-08-05T19:58:02Z" (optionally with fractional seconds, "+00:00"
 * or another offset) -> seconds since the epoch. */
enum bk_err bk_time_parse_iso8601(const char *s, size_t n, int64_t *t);
/* "Thu, 05 Aug 2021 18:58:02 GMT" (RFC 7231 IMF-fixdate) -> seconds. */
enum bk_err bk_time_parse_http(const char *s, size_t n, int64_t *t);

/* Constant-time comparison of two equal-length byte strings. */
int bk_ct_equal(const void *a, const void *b, size_t n);

/* Overwrite memory in a way the compiler may not elide. */
void bk_wipe(void *p, size_t n);

/* Replace every occurrence of `secret` (8 bytes or more) in the C string s
 * with "[redacted]" (or asterisks when the secret is shorter than that).
 * Returns the number replaced.  For text about to be shown. */
size_t bk_redact(char *s, const char *secret);

/* ==================================================================== */
/* 2. JSON                                                              */
/* ==================================================================== */

/*
 * jsmn does the tokenising into a caller-provided token array; these
 * helpers navigate it.  Tokens are offsets into the caller's text, which
 * must stay alive and unchanged while the tokens are used.  jsmn offsets
 * are `int`, so inputs are capped at BK_JSON_MAX_TEXT.  Token types are
 * jsmn's: JSMN_OBJECT, JSMN_ARRAY, JSMN_STRING, JSMN_PRIMITIVE.
 */
#define BK_JSON_MAX_TEXT (64u * 1024u * 1024u)

struct bk_json {
	const char *js;
	size_t len;
	jsmntok_t *t;
	int n;             /* tokens used */
	size_t err_pos;    /* after a parse error: where the text went wrong */
};

/* 1-based line and column of byte offset pos in text (for messages like
 * "settings.json:3:14: expected ','"). */
void bk_text_linecol(const char *text, size_t len, size_t pos,
    unsigned *line, unsigned *col);

/* Parse `js` (strict JSON, one value) into `toks`. */
enum bk_err bk_json_parse(struct bk_json *j, const char *js, size_t len,
    jsmntok_t *toks, unsigned ntoks);
/* Index of the token after token i and all its children. */
int bk_json_skip(const struct bk_json *j, int i);
/* Value token of `key` in object token `obj`, or -1.  Keys are compared
 * raw (keys with escapes never match). */
int bk_json_get(const struct bk_json *j, int obj, const char *key);
/* 1 if token i is a string equal (raw) to s. */
int bk_json_is(const struct bk_json *j, int i, const char *s);
/* Unescape string token i into out (UTF-8, \u surrogates joined).
 * Invalid escapes or lone surrogates give BK_E_JSON. */
enum bk_err bk_json_str(const struct bk_json *j, int i, char *out,
    size_t cap, size_t *out_len);
/* Unescape a raw JSON string body (between the quotes) in place; returns
 * the new length through *out_len.  Escapes never grow, so this is safe. */
enum bk_err bk_json_unescape_inplace(char *s, size_t n, size_t *out_len);
/* Non-negative integer primitive. */
enum bk_err bk_json_u64(const struct bk_json *j, int i, uint64_t *v);
/* The string value of `key` in object obj, unescaped into out. */
enum bk_err bk_json_get_str(const struct bk_json *j, int obj, const char *key,
    char *out, size_t cap);

/*
 * The text of the first <tag>...</tag> element in an XML document (STS
 * answers), entity-decoded (&amp; &lt; &gt; &quot; &apos; and numeric)
 * into out.  Enough XML for AWS query-protocol replies; no DTDs, no CDATA.
 */
enum bk_err bk_xml_text(const char *xml, size_t n, const char *tag,
    char *out, size_t cap);

/*
 * Write `s` as a JSON string (with quotes).  Control characters, quotes
 * and backslashes are escaped; invalid UTF-8 sequences are replaced by
 * U+FFFD and counted in *replaced (may be NULL).
 */
void bk_json_put_str(struct bk_buf *b, const uint8_t *s, size_t n,
    size_t *replaced);

/* Validate UTF-8; returns the number of invalid sequences. */
size_t bk_utf8_invalid(const uint8_t *s, size_t n);
/* Service or file text into dst as one terminal-safe C string: C0/C1
 * controls and DEL become spaces, invalid UTF-8 '?', cut at a character
 * boundary.  dst may equal src (cleaned in place). */
void bk_copy_clean(char *dst, size_t cap, const char *src, size_t n);

/* ==================================================================== */
/* 3. SigV4                                                             */
/* ==================================================================== */

/*
 * Signature Version 4 for header ("Authorization") and query (presigned)
 * signing.  The stages are exposed in the result struct for tests:
 * canonical request, string to sign, signature.
 *
 * The request path is given as it goes on the wire (already percent-
 * encoded once, e.g. "/model/anthropic.claude-x-v1%3A0/invoke").  Every
 * service but S3 encodes it once more for the canonical URI, so a model
 * ID with ':' or an ARN with '/' signs right: double_encode = 1.
 */
#define BK_SIGV4_MAX_HEADERS 48
#define BK_SIGV4_MAX_PARAMS 48
#define BK_SIGV4_CANON_MAX 16384
#define BK_SIGV4_QUERY_MAX 8192
#define BK_SIGV4_AUTH_MAX 2048
#define BK_SIGV4_PATH_MAX 4096

struct bk_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

struct bk_creds {
	const char *akid;       /* access key ID */
	const char *secret;     /* secret access key */
	const char *token;      /* session token or NULL */
};

enum bk_sigv4_mode { BK_SIGV4_HEADER = 0, BK_SIGV4_QUERY = 1 };

struct bk_sigv4_params {
	const char *region;
	const char *service;    /* signing name: "bedrock" for bedrock-runtime */
	int64_t now;            /* seconds since the epoch */
	enum bk_sigv4_mode mode;
	int normalize_path;     /* remove dot segments, collapse "//" */
	int double_encode;      /* 1 for every service except S3 */
	int omit_token;         /* add X-Amz-Security-Token after signing */
	int content_sha256;     /* header mode: add and sign
	                           X-Amz-Content-Sha256 */
	uint32_t expires;       /* query mode: X-Amz-Expires */
	const char *payload_hash; /* 64 hex chars, or NULL: hash the body */
};

struct bk_sigv4_request {
	const char *method;
	const char *path;       /* wire form, without the query */
	size_t path_len;
	const char *query;      /* without '?', may be NULL */
	size_t query_len;
	const struct bk_header *headers; /* the headers to sign */
	size_t nheaders;
	const uint8_t *body;
	size_t body_len;
};

/*
 * Derived signing key cached per (secret, date, region, service): the
 * HMAC chain is four HMACs, and a chat signs many requests a day.
 * The secret is identified by its SHA-256, never stored.  Wipe with
 * bk_sigv4_cache_wipe() when done.
 */
struct bk_sigv4_cache {
	int valid;
	char date[9];
	char region[64];
	char service[64];
	uint8_t secret_id[32];
	uint8_t key[32];
};

struct bk_sigv4 {
	/* outputs */
	char amz_date[17];          /* X-Amz-Date value */
	char payload_hash[65];
	char canonical[BK_SIGV4_CANON_MAX];
	size_t canonical_len;
	char string_to_sign[512];
	size_t string_to_sign_len;
	char signature[65];
	char signed_headers[1024];             /* "host;x-amz-date" */
	char authorization[BK_SIGV4_AUTH_MAX]; /* header mode */
	char query[BK_SIGV4_QUERY_MAX];        /* query mode: full query */
	/* scratch */
	char scratch[BK_SIGV4_QUERY_MAX];      /* encoded query parameters */
	char path[BK_SIGV4_PATH_MAX];          /* normalised path */
};

enum bk_err bk_sigv4_sign(struct bk_sigv4 *s, struct bk_sigv4_cache *cache,
    const struct bk_sigv4_request *req, const struct bk_creds *cr,
    const struct bk_sigv4_params *p);

/* Wipe the derived key, canonical request and signature buffers. */
void bk_sigv4_wipe(struct bk_sigv4 *s);
void bk_sigv4_cache_wipe(struct bk_sigv4_cache *c);

/* SHA-1 as lowercase hex: only for the SSO token cache's file names,
 * which the AWS CLI derives that way (no security role). */
void bk_sha1_hex(const void *data, size_t n, char out[41]);

/* SHA-256 helpers over BearSSL (exposed for tests and the program). */
void bk_sha256(const void *data, size_t n, uint8_t out[32]);
void bk_sha256_hex(const void *data, size_t n, char out[65]);
void bk_hmac_sha256(const void *key, size_t klen, const void *data,
    size_t n, uint8_t out[32]);

/* ==================================================================== */
/* 4. Event stream                                                      */
/* ==================================================================== */

/*
 * application/vnd.amazon.eventstream, as a push decoder.
 *
 *   prelude: total_len u32 | headers_len u32 | prelude_crc u32
 *   headers: (name_len u8, name, type u8, value)*
 *   payload
 *   message_crc u32 over everything before it
 *
 * Checks, in order: the prelude CRC (no length is trusted before it),
 * the lengths against the limits, the message CRC over the whole
 * message, then the header structure.  Nothing is handed out before both
 * CRCs pass.  Feeding the stream whole, byte by byte or split anywhere
 * gives the same messages.
 *
 * The caller lends a buffer of `cap` bytes; a message larger than
 * min(cap, BK_EVS_MSG_MAX) is refused with BK_E_EVS_TOO_LARGE.  When a
 * whole message is present in one push, it is decoded in place from the
 * input without copying; the message's pointers then point into the
 * caller's input and are valid until the next push.
 */
#define BK_EVS_MSG_MAX (16u * 1024u * 1024u)
#define BK_EVS_PRELUDE_LEN 12u
#define BK_EVS_MIN_LEN 16u
#define BK_EVS_MAX_HEADERS 32

enum bk_evs_type {
	BK_EVS_BOOL_TRUE = 0, BK_EVS_BOOL_FALSE = 1, BK_EVS_BYTE = 2,
	BK_EVS_INT16 = 3, BK_EVS_INT32 = 4, BK_EVS_INT64 = 5,
	BK_EVS_BYTES = 6, BK_EVS_STRING = 7, BK_EVS_TIMESTAMP = 8,
	BK_EVS_UUID = 9
};

struct bk_evs_header {
	const char *name;
	size_t name_len;
	enum bk_evs_type type;
	int64_t i;             /* bool (0/1), byte, int16/32/64, timestamp */
	const uint8_t *v;      /* bytes, string, uuid (16) */
	size_t v_len;
};

struct bk_evs_message {
	uint32_t total_len;
	uint32_t headers_len;
	uint32_t prelude_crc;
	uint32_t message_crc;
	struct bk_evs_header h[BK_EVS_MAX_HEADERS];
	size_t nh;
	const uint8_t *payload;
	size_t payload_len;
};

enum bk_evs_status { BK_EVS_NEED_MORE = 0, BK_EVS_MESSAGE = 1,
	BK_EVS_ERROR = 2 };

struct bk_evs {
	uint8_t *buf;
	size_t cap;
	size_t have;          /* bytes of the current message buffered */
	uint32_t total;       /* total length, once the prelude is known */
	enum bk_err err;      /* sticky */
	uint32_t err_a, err_b;/* detail for bk_evs_describe() */
	uint64_t offset;      /* stream offset of the current message */
	uint64_t messages;    /* messages decoded so far */
	struct bk_evs_message msg;
};

void bk_evs_init(struct bk_evs *d, uint8_t *buf, size_t cap);
/*
 * Consume input.  *used receives the bytes consumed (all of them unless
 * a message completes earlier).  Returns BK_EVS_MESSAGE with the message
 * in d->msg, BK_EVS_NEED_MORE once `in` is consumed, or BK_EVS_ERROR
 * (d->err; sticky).
 */
enum bk_evs_status bk_evs_push(struct bk_evs *d, const uint8_t *in,
    size_t len, size_t *used);
/* At end of input: BK_OK if no partial message is pending. */
enum bk_err bk_evs_finish(struct bk_evs *d);
/* One-line description of d->err with its numbers (CRCs, lengths). */
void bk_evs_describe(const struct bk_evs *d, struct bk_buf *out);
/* Header by name, of any type; NULL if absent (check ->type). */
const struct bk_evs_header *bk_evs_find(const struct bk_evs_message *m,
    const char *name);

/* Encode one message (tests, benchmarks, fuzz seeds). */
enum bk_err bk_evs_encode(const struct bk_evs_header *h, size_t nh,
    const uint8_t *payload, size_t payload_len, uint8_t *out, size_t cap,
    size_t *out_len);

/* CRC-32 (IEEE 802.3, zlib's), continuing from `crc` (start with 0). */
uint32_t bk_crc32(uint32_t crc, const void *data, size_t n);

/* ==================================================================== */
/* 5. Bedrock                                                           */
/* ==================================================================== */

/* --- request body: Anthropic Messages on Bedrock --------------------- */

enum bk_role { BK_ROLE_USER = 0, BK_ROLE_ASSISTANT = 1 };

struct bk_message {
	enum bk_role role;
	const uint8_t *text;
	size_t len;
};

struct bk_body {
	uint32_t max_tokens;
	int temperature_milli;  /* 0..1000, or -1 for the model default */
	const uint8_t *system;  /* NULL or empty: no system prompt */
	size_t system_len;
	const struct bk_message *messages;
	size_t nmessages;
};

/*
 * Serialise the body.  Invalid UTF-8 in any text is replaced with U+FFFD;
 * the number of replaced sequences goes to *replaced (may be NULL).
 * The conversation must start with a user turn and alternate.
 */
enum bk_err bk_body_messages(struct bk_buf *out, const struct bk_body *b,
    size_t *replaced);

/* --- stream events --------------------------------------------------- */

/*
 * Turns decoded event-stream messages of InvokeModelWithResponseStream
 * into what the program needs: text deltas, usage, the stop reason, and
 * typed errors for exception messages.
 *
 *   chunk event payload  {"bytes":"<base64>","p":"..."}
 *   base64 -> Anthropic stream event JSON
 *     message_start, content_block_start, content_block_delta (text_delta),
 *     content_block_stop, message_delta (stop_reason, usage), ping,
 *     message_stop (+ amazon-bedrock-invocationMetrics), error
 *
 * The caller lends `scratch` for the decoded JSON (size it for the
 * largest payload it accepts: BK_BASE64_DECODED_MAX(payload)).
 */
#define BK_STREAM_TOKENS 512

enum bk_sev {
	BK_SEV_NONE = 0,        /* nothing for the program (ping, block start) */
	BK_SEV_MESSAGE_START,
	BK_SEV_TEXT,            /* ev->text / ev->text_len */
	BK_SEV_BLOCK_STOP,
	BK_SEV_MESSAGE_DELTA,   /* stop reason and output usage updated */
	BK_SEV_MESSAGE_STOP,    /* the answer is complete */
	BK_SEV_ERROR            /* see bk_stream.err, .err_type, .err_msg */
};

struct bk_usage {
	uint64_t input_tokens;
	uint64_t output_tokens;
	uint64_t cache_creation_input_tokens;
	uint64_t cache_read_input_tokens;
};

struct bk_stream_event {
	enum bk_sev kind;
	const char *text;       /* BK_SEV_TEXT: UTF-8, not NUL-terminated */
	size_t text_len;
	int index;              /* content block index */
	const char *raw;        /* the Anthropic event JSON of a chunk, as
	                           Bedrock sent it (stream-json passes it on);
	                           NULL for other messages */
	size_t raw_len;
};

struct bk_stream {
	uint8_t *scratch;
	size_t cap;
	int started;            /* message_start seen */
	int stopped;            /* message_stop seen */
	int block_open;
	struct bk_usage usage;
	char stop_reason[32];
	char message_id[96];
	char model[96];
	/* amazon-bedrock-invocationMetrics, if present */
	uint64_t metric_input, metric_output, metric_latency_ms,
	    metric_first_byte_ms;
	int have_metrics;
	/* error detail (sticky) */
	enum bk_err err;
	char err_type[64];      /* e.g. "throttlingException" */
	char err_msg[512];
	/* Tests and benchmarks only.  Chunks in Bedrock's usual shape skip
	 * jsmn (see bk_stream_message); slow_only = 1 (set after init)
	 * sends every chunk through the general path, so both can be
	 * compared.  fast_wrap / fast_text count the chunks whose wrapper /
	 * text_delta took the fast path. */
	int slow_only;
	uint64_t fast_wrap, fast_text;
	jsmntok_t tok[BK_STREAM_TOKENS];
};

void bk_stream_init(struct bk_stream *s, uint8_t *scratch, size_t cap);
/* Handle one message.  Returns BK_OK (ev filled) or an error, which is
 * also stored in s->err with s->err_type / s->err_msg. */
enum bk_err bk_stream_message(struct bk_stream *s,
    const struct bk_evs_message *m, struct bk_stream_event *ev);
/* At end of the HTTP body: BK_E_STREAM_INCOMPLETE unless message_stop
 * was seen (a quiet half answer is an error). */
enum bk_err bk_stream_finish(struct bk_stream *s);

/* --- service errors --------------------------------------------------- */

/*
 * A failed call, classified: the service's own type and message, a typed
 * code, and a one-line fix.  Filled from an HTTP error reply
 * (status, x-amzn-ErrorType, JSON body) or from an in-stream exception.
 */
struct bk_svc_error {
	enum bk_err code;
	int status;             /* HTTP status, 0 for in-stream */
	char type[64];          /* e.g. "ValidationException" */
	char message[1024];     /* the service's message, sanitised */
	char hint[640];         /* what to do about it */
};

struct bk_svc_context {     /* what the hint may mention */
	const char *model;
	const char *region;
	const char *operation;  /* e.g. "InvokeModelWithResponseStream" */
};

void bk_svc_error_http(struct bk_svc_error *e, int status,
    const char *error_type, size_t type_len, const char *body,
    size_t body_len, const struct bk_svc_context *ctx);
void bk_svc_error_stream(struct bk_svc_error *e, enum bk_err code,
    const char *type, const char *message, const struct bk_svc_context *ctx);
/* 1 if a retry of the same request may succeed (throttling, 5xx...). */
int bk_err_retryable(enum bk_err e);

/* ==================================================================== */
/* 6. Shared config and credentials files                               */
/* ==================================================================== */

/*
 * ~/.aws/config and ~/.aws/credentials, by the cross-SDK profile rules:
 * [default], [profile NAME], [sso-session NAME], [services NAME] in the
 * config file; bare [NAME] in the credentials file; '#'/';' comments
 * (inside a value only after whitespace); continuation lines; sub-property
 * blocks ("s3 =" then indented "name = value" lines); case-insensitive
 * keys; invalid names ignored.
 *
 * No tree is built: bk_ini_next() walks a file one section or property at
 * a time, and bk_profile_get() answers one question by walking both files
 * (they are small, and a lookup is a few microseconds).  The texts must
 * stay alive and unchanged while in use.
 */
#define BK_INI_VALUE_MAX 8192   /* a joined value, sub-properties included */

enum bk_ini_file { BK_INI_CONFIG = 0, BK_INI_CREDENTIALS = 1 };
enum bk_ini_kind { BK_INI_PROFILE = 0, BK_INI_SSO_SESSION = 1,
	BK_INI_SERVICES = 2, BK_INI_IGNORED = 3 };
enum bk_ini_item { BK_INI_END = 0, BK_INI_SECTION = 1, BK_INI_PROPERTY = 2,
	BK_INI_ERROR = 3 };

struct bk_ini {
	const char *p;
	size_t n, pos;
	unsigned line;             /* 1-based line of the last item */
	enum bk_ini_file file;
	int have_section;
	enum bk_ini_kind kind;     /* of the current section */
	const char *name;          /* current section name (not NUL-ended) */
	size_t name_len;
	int profile_prefix;        /* "[profile default]" rather than
	                              "[default]" */
	/* the item bk_ini_next() returned */
	const char *key;           /* property key, original case */
	size_t key_len;
	char *value;               /* the caller's buffer, NUL-terminated */
	size_t value_len;
	const char *error;         /* static text, with `line` */
};

void bk_ini_init(struct bk_ini *it, enum bk_ini_file file, const char *text,
    size_t len);
/* Next section header or property; properties of ignored sections are
 * reported with kind BK_INI_IGNORED.  The value goes into val (cap bytes,
 * at most BK_INI_VALUE_MAX is needed). */
enum bk_ini_item bk_ini_next(struct bk_ini *it, char *val, size_t cap);

/* Both files; either may be empty (len 0).  Zero the struct, then set
 * the four fields; bk_profile_check() sets checked. */
struct bk_profile_files {
	const char *config;
	size_t config_len;
	const char *credentials;
	size_t credentials_len;
	/* both files passed bk_profile_check(): lookups may then jump from
	 * section to section instead of parsing every line */
	int checked;
};

/*
 * The merged value of `key` in section (kind, name): the last definition
 * wins, the credentials file over the config file, and "[profile default]"
 * hides "[default]" in the config file.  BK_E_NOT_FOUND if unset;
 * BK_E_CONFIG with *err_line / *err_file and *err_msg on a malformed file.
 */
struct bk_ini_error {
	enum bk_ini_file file;
	unsigned line;
	const char *msg;
};
enum bk_err bk_profile_get(const struct bk_profile_files *f,
    enum bk_ini_kind kind, const char *name, const char *key, char *out,
    size_t cap, struct bk_ini_error *err);
/* 1 if a section (kind, name) exists in either file. */
int bk_profile_exists(const struct bk_profile_files *f, enum bk_ini_kind kind,
    const char *name);
/* Check both files for syntax errors (file:line: what); on BK_OK sets
 * f->checked, which makes every later lookup faster. */
enum bk_err bk_profile_check(struct bk_profile_files *f,
    struct bk_ini_error *err);
/* A sub-property ("endpoint_url" in a "bedrock_runtime =" block). */
enum bk_err bk_ini_subprop(const char *block, const char *key, char *out,
    size_t cap);

/*
 * The credential plan of a profile, as the SDKs build it: a base source
 * (static keys, a named credential_source, a web identity token, SSO, a
 * credential_process) then zero or more AssumeRole links, innermost
 * first.  Static keys are not copied into the plan: the program reads them
 * from base_profile when it needs them.  Pure: the program executes it.
 */
#define BK_PLAN_MAX_LINKS 32

enum bk_base { BK_BASE_STATIC = 0, BK_BASE_NAMED = 1,
	BK_BASE_WEB_IDENTITY = 2, BK_BASE_SSO = 3, BK_BASE_PROCESS = 4 };

struct bk_plan_link {
	char profile[128];
	char role_arn[256];
	char external_id[256];
	char session_name[128];
	char mfa_serial[256];
	char duration[16];        /* duration_seconds, as written */
};

struct bk_plan {
	enum bk_base base;
	char base_profile[128];
	char named_source[32];    /* Environment | Ec2InstanceMetadata | EcsContainer */
	char web_token_file[1024];
	char web_role_arn[256];
	char web_session_name[128];
	char sso_session[128];    /* empty for the legacy sso_* keys */
	char sso_start_url[512];
	char sso_region[64];
	char sso_account_id[32];
	char sso_role_name[128];
	char process[4096];
	struct bk_plan_link link[BK_PLAN_MAX_LINKS];
	size_t nlinks;
	char error[256];          /* when planning fails */
	int no_credentials;       /* the profile has no credential settings */
};

/*
 * Plan the credentials of `profile`.  BK_OK, or BK_E_CONFIG with
 * plan->error (a loop, a missing source profile, partial keys...), or
 * BK_E_NOT_FOUND when the profile does not exist or holds no credential
 * settings (plan->no_credentials): the chain then moves on.
 */
enum bk_err bk_profile_plan(const struct bk_profile_files *f,
    const char *profile, struct bk_plan *plan);

/* Default file locations: $HOME/.aws/config and $HOME/.aws/credentials,
 * unless overridden; a leading "~/" in an override is the home directory. */
enum bk_err bk_aws_file_path(const char *override, const char *home,
    const char *default_name, struct bk_buf *out);

/* ==================================================================== */
/* 7. Endpoints                                                         */
/* ==================================================================== */

/*
 * Endpoint resolution for bedrock-runtime and the
 * bedrock control plane.
 *
 * A pure function: the caller reads AWS_REGION, AWS_USE_FIPS_ENDPOINT,
 * AWS_USE_DUALSTACK_ENDPOINT and AWS_ENDPOINT_URL[_BEDROCK_RUNTIME] (or
 * the config file's use_fips_endpoint / use_dualstack_endpoint /
 * endpoint_url) and passes the values in; the result is a URL, the
 * region and name to sign with, or an error with the rule set's text.
 *
 * The rules are botocore's endpoint-rule-set-1.json for bedrock-runtime
 * over partitions.json (tests/vectors/endpoints-bedrock-runtime), coded
 * by hand.  The control plane ("bedrock") follows the same rules with
 * the host prefix "bedrock".  Both sign with the name "bedrock".
 */
/* Longest URL kept, NUL included; a longer custom endpoint is refused. */
#define BK_ENDPOINT_URL_MAX 512

struct bk_endpoint_params {
	const char *service;      /* host prefix: "bedrock-runtime", "bedrock",
	                             "sts", "portal.sso", "oidc" */
	const char *region;       /* NULL or "": not set */
	int use_fips;             /* AWS_USE_FIPS_ENDPOINT */
	int use_dualstack;        /* AWS_USE_DUALSTACK_ENDPOINT */
	const char *endpoint;     /* custom endpoint URL, or NULL */
};

struct bk_endpoint {
	char url[BK_ENDPOINT_URL_MAX]; /* https://host[:port][/path], no
	                                  trailing '/' */
	char signing_region[64];  /* "" for a custom endpoint without a
	                             region: the caller must supply one */
	char signing_name[32];    /* "bedrock" for both services */
	int custom;               /* 1 if from p->endpoint */
	int insecure;             /* 1 for an http:// custom endpoint */
	int vpce;                 /* 1 if the host is a VPC interface
	                             endpoint (signing_region is its region) */
	char error[160];          /* why resolution failed, "" on success */
};

/*
 * Resolve the endpoint for p into *out (fully overwritten).
 *
 * Returns BK_OK; BK_E_NO_REGION ("Invalid Configuration: Missing
 * Region") when neither a region nor a custom endpoint is given;
 * BK_E_ENDPOINT for a rule-set error (FIPS or dual-stack with a custom
 * endpoint, a partition without FIPS/dual-stack), a region that is not
 * a host label, or a custom endpoint that is not http[s]://host[:port]
 * [/path]; BK_E_ARG for an invalid service prefix.  On error out->error
 * holds the message (the rule set's exact text where it has one) and url
 * and signing_region are empty.
 *
 * Unlike the rule set, which passes any custom URL through, a custom
 * endpoint is validated strictly (no userinfo, query, fragment, bad
 * port).  http:// is accepted as the SDKs accept it, and flagged
 * (out->insecure) so the program can warn when it leaves the machine.
 */
enum bk_err bk_endpoint_resolve(const struct bk_endpoint_params *p,
    struct bk_endpoint *out);

/* ==================================================================== */
/* 9. Models and regions                                                */
/* ==================================================================== */

/* The model used when none is configured: the current Sonnet. */
#define BK_DEFAULT_MODEL_BASE "anthropic.claude-sonnet-4-6"

/* 1 if `region` is a syntactically valid region name (a-z, 0-9, '-'). */
int bk_region_valid(const char *region);

/* Cross-region inference-profile prefix for a region ("us", "eu", "jp",
 * "apac", "us-gov" or "global"). */
const char *bk_region_profile_prefix(const char *region);

/* Default model ID for a region: "<prefix>.BK_DEFAULT_MODEL_BASE". */
enum bk_err bk_model_default(const char *region, struct bk_buf *out);

/* The request path for a model operation: "/model/<id>/<op>", the ID
 * percent-encoded once (so ':' -> %3A and an ARN's '/' -> %2F). */
void bk_model_path(struct bk_buf *out, const char *model, const char *op);

#endif /* BK_BEDROCK_H */
