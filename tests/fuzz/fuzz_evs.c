/*
 * fuzz_evs.c -- libFuzzer target for the event-stream push decoder.
 *
 * The input is a byte stream of event-stream messages (any bytes at all).
 * It is decoded several times:
 *
 *   1. whole: one bk_evs_push loop over the input as libFuzzer gave it;
 *   2. byte by byte;
 *   3. in chunks whose sizes come from a PRNG seeded by the input's first
 *      bytes and its length, each chunk copied into its own exactly sized
 *      heap block (so ASan sees any read past the bytes pushed), with
 *      empty pushes between some of them;
 *   4. cut 1, 11, 12 and 13 bytes into every message and 4 and 1 bytes
 *      before its end (the prelude and the CRC straddle the cuts);
 *   5. whole and PRNG-chunked again with a small buffer (16..271 bytes),
 *      so BK_E_EVS_TOO_LARGE is common; and chunked with a buffer under
 *      16 bytes, which must refuse everything.
 *
 * and the decoder's contract is checked (abort() on any violation):
 *
 *  - every feeding yields the IDENTICAL sequence of messages (a digest of
 *    every decoded field) and the same error, error detail, stream offset
 *    and bk_evs_describe() text;
 *  - every message re-encodes with bk_evs_encode() to exactly the bytes
 *    it was decoded from, at the offset the decoder says it started;
 *    bk_evs_encode() refuses a buffer one byte short with BK_E_BUFSZ;
 *  - lengths, CRC fields, header types and values are consistent; every
 *    pointer lies in the decoder's buffer or in the bytes just pushed;
 *  - bk_evs_find() returns the first header of a name (or NULL for a
 *    non-string one, as its comment allows), NULL for an absent name;
 *  - NEED_MORE means the whole push was consumed; a message consumes at
 *    least one byte; an empty push consumes nothing; after an error every
 *    push returns the same error and consumes nothing;
 *  - bk_evs_describe() output is NUL-terminated and, into short buffers,
 *    a prefix of the full text with the overflow flag set.
 *
 * The decoder buffer is 64 KiB (not 16 MiB) so the size limit is
 * reachable; libFuzzer runs with -max_len=70000 (tests/fuzz/run.sh).
 *
 * Built two ways: with clang -fsanitize=fuzzer (make build/fuzz/fuzz_evs)
 * and, with -DREPLAY, included by replay.c (which renames the entry
 * point), so every helper here is static and prefixed fe_.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"

#define FE_CAP (64u * 1024u)     /* decoder buffer */
#define FE_DESC_CAP 512
#define FE_MAX_CUTS 65536u

#define FE_ASSERT(c) do { if (!(c)) fe_fail(__LINE__, #c); } while (0)

static void
fe_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_evs.c:%d: check failed: %s\n", line, what);
	abort();
}

/* Outcome of one feeding, compared between feedings. */
struct fe_run {
	uint64_t nmsg;
	uint64_t digest;        /* FNV-1a over every decoded field */
	enum bk_err err;        /* after bk_evs_finish() */
	uint32_t err_a, err_b;
	uint64_t offset, messages;
	char desc[FE_DESC_CAP];
};

/* Where the current push's bytes are, for the pointer checks. */
struct fe_ctx {
	const uint8_t *data;    /* the whole input */
	size_t len;
	const uint8_t *chunk;   /* bytes of the current push */
	size_t chunk_len;
	const uint8_t *buf;     /* decoder buffer */
	size_t cap;
	size_t *starts;         /* message starts (whole run), or NULL */
	size_t nstarts;
};

static uint8_t fe_enc[FE_CAP];
static size_t fe_cuts[FE_MAX_CUTS];
static size_t fe_starts[FE_MAX_CUTS];

static uint64_t
fe_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static uint64_t
fe_fnv_u64(uint64_t h, uint64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return fe_fnv(h, b, 8);
}

static uint64_t
fe_rand(uint64_t *s)
{
	/* xorshift64*; never seeded with 0 */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* 1 if [p, p+n) lies inside [base, base+len). */
static int
fe_within(const void *p, size_t n, const void *base, size_t len)
{
	const uint8_t *a = p, *b = base;

	if (a == NULL || b == NULL)
		return 0;
	return a >= b && a <= b + len && n <= (size_t)(b + len - a);
}

static int
fe_in_push(const struct fe_ctx *c, const void *p, size_t n)
{
	return fe_within(p, n, c->chunk, c->chunk_len) ||
	    fe_within(p, n, c->buf, c->cap);
}

static uint32_t
fe_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static size_t
fe_value_len(enum bk_evs_type t)
{
	switch (t) {
	case BK_EVS_BOOL_TRUE: case BK_EVS_BOOL_FALSE: return 0;
	case BK_EVS_BYTE: return 1;
	case BK_EVS_INT16: return 2;
	case BK_EVS_INT32: return 4;
	case BK_EVS_INT64: case BK_EVS_TIMESTAMP: return 8;
	case BK_EVS_UUID: return 16;
	case BK_EVS_BYTES: case BK_EVS_STRING: return 0;
	}
	fe_fail(__LINE__, "header type out of range");
	return 0;
}

/* Everything a decoded message must satisfy; returns the new digest. */
static uint64_t
fe_check_msg(const struct bk_evs *d, const struct fe_ctx *c, uint64_t dg)
{
	const struct bk_evs_message *m = &d->msg;
	size_t total = m->total_len, hl = m->headers_len, start, i, n;
	const uint8_t *src;
	char name[257];
	enum bk_err e;

	/* lengths */
	FE_ASSERT(total >= BK_EVS_MIN_LEN);
	FE_ASSERT(total <= c->cap && total <= BK_EVS_MSG_MAX);
	FE_ASSERT(hl <= total - BK_EVS_MIN_LEN);
	FE_ASSERT(m->payload_len == total - BK_EVS_MIN_LEN - hl);
	FE_ASSERT(m->nh <= BK_EVS_MAX_HEADERS);
	FE_ASSERT(d->messages > 0 && d->offset >= total);

	/* the message came from the input at offset d->offset - total */
	start = (size_t)(d->offset - total);
	FE_ASSERT(start <= c->len && total <= c->len - start);
	src = c->data + start;
	FE_ASSERT(fe_be32(src) == total && fe_be32(src + 4) == hl);
	FE_ASSERT(fe_be32(src + 8) == m->prelude_crc);
	FE_ASSERT(fe_be32(src + total - 4) == m->message_crc);
	FE_ASSERT(bk_crc32(0, src, 8) == m->prelude_crc);
	FE_ASSERT(bk_crc32(0, src, total - 4) == m->message_crc);
	if (c->starts != NULL && c->nstarts < FE_MAX_CUTS)
		c->starts[c->nstarts] = start;

	/* views: inside the decoder buffer or the bytes just pushed */
	FE_ASSERT(m->payload_len == 0 || fe_in_push(c, m->payload,
	    m->payload_len));
	if (m->payload_len > 0)
		FE_ASSERT(memcmp(m->payload, src + 12 + hl,
		    m->payload_len) == 0);
	for (i = 0; i < m->nh; i++) {
		const struct bk_evs_header *h = &m->h[i];
		const struct bk_evs_header *f;
		FE_ASSERT(h->name_len >= 1 && h->name_len <= 255);
		FE_ASSERT(fe_in_push(c, h->name, h->name_len));
		FE_ASSERT(bk_utf8_invalid((const uint8_t *)h->name,
		    h->name_len) == 0);
		FE_ASSERT((unsigned)h->type <= BK_EVS_UUID);
		switch (h->type) {
		case BK_EVS_BOOL_TRUE:
			FE_ASSERT(h->i == 1 && h->v == NULL);
			break;
		case BK_EVS_BOOL_FALSE:
			FE_ASSERT(h->i == 0 && h->v == NULL);
			break;
		case BK_EVS_BYTE:
			FE_ASSERT(h->i >= -128 && h->i <= 127 && h->v == NULL);
			break;
		case BK_EVS_INT16:
			FE_ASSERT(h->i >= -32768 && h->i <= 32767 &&
			    h->v == NULL);
			break;
		case BK_EVS_INT32:
			FE_ASSERT(h->i >= INT32_MIN && h->i <= INT32_MAX &&
			    h->v == NULL);
			break;
		case BK_EVS_INT64:
		case BK_EVS_TIMESTAMP:
			FE_ASSERT(h->v == NULL);
			break;
		case BK_EVS_UUID:
			FE_ASSERT(h->v_len == 16 && fe_in_push(c, h->v, 16));
			break;
		case BK_EVS_BYTES:
		case BK_EVS_STRING:
			FE_ASSERT(h->v_len == 0 || fe_in_push(c, h->v,
			    h->v_len));
			FE_ASSERT(h->v_len <= 65535);
			break;
		}
		if (h->type != BK_EVS_UUID && h->type != BK_EVS_BYTES &&
		    h->type != BK_EVS_STRING)
			FE_ASSERT(h->v_len == 0 &&
			    fe_value_len(h->type) <= 16);

		/* bk_evs_find: the first header of this name */
		if (memchr(h->name, '\0', h->name_len) == NULL) {
			size_t k;
			memcpy(name, h->name, h->name_len);
			name[h->name_len] = '\0';
			f = bk_evs_find(m, name);
			for (k = 0; k < i; k++)
				if (m->h[k].name_len == h->name_len &&
				    memcmp(m->h[k].name, h->name,
				    h->name_len) == 0)
					break;
			/* the header comment says NULL for a non-string
			 * type; the code returns it anyway: accept both */
			FE_ASSERT(f == &m->h[k] || (f == NULL &&
			    m->h[k].type != BK_EVS_STRING &&
			    m->h[k].type != BK_EVS_BYTES));
		}

		dg = fe_fnv_u64(dg, h->name_len);
		dg = fe_fnv(dg, h->name, h->name_len);
		dg = fe_fnv_u64(dg, (uint64_t)h->type);
		dg = fe_fnv_u64(dg, (uint64_t)h->i);
		dg = fe_fnv_u64(dg, h->v_len);
		if (h->v_len > 0)
			dg = fe_fnv(dg, h->v, h->v_len);
	}
	/* a name no header can have (256 bytes) is never found */
	memset(name, 'x', 256);
	name[256] = '\0';
	FE_ASSERT(bk_evs_find(m, name) == NULL);
	FE_ASSERT(bk_evs_find(m, "") == NULL);

	/* round trip: the message re-encodes to its own bytes */
#ifdef BK_FUZZ_KNOWN
	/* known finding (README.md): the decoder takes string/bytes values
	 * up to 65535 bytes, the encoder refuses more than 32767 */
	for (i = 0; i < m->nh; i++)
		if (m->h[i].v_len > 32767 && m->h[i].type != BK_EVS_UUID)
			return dg;
#endif
	e = bk_evs_encode(m->h, m->nh, m->payload, m->payload_len, fe_enc,
	    sizeof(fe_enc), &n);
	if (e != BK_OK) {
		fprintf(stderr, "fuzz_evs: bk_evs_encode refused a decoded "
		    "message (%s) at offset %zu\n", bk_errname(e), start);
		fe_fail(__LINE__, "decoded message does not re-encode");
	}
	FE_ASSERT(n == total);
	FE_ASSERT(memcmp(fe_enc, src, total) == 0);
	e = bk_evs_encode(m->h, m->nh, m->payload, m->payload_len, fe_enc,
	    total - 1, &n);
	FE_ASSERT(e == BK_E_BUFSZ && n == 0);

	dg = fe_fnv_u64(dg, total);
	dg = fe_fnv_u64(dg, hl);
	dg = fe_fnv_u64(dg, m->prelude_crc);
	dg = fe_fnv_u64(dg, m->message_crc);
	dg = fe_fnv_u64(dg, m->nh);
	dg = fe_fnv_u64(dg, m->payload_len);
	if (m->payload_len > 0)
		dg = fe_fnv(dg, m->payload, m->payload_len);
	return dg;
}

/* bk_evs_describe() into a roomy buffer and into short ones. */
static void
fe_describe(const struct bk_evs *d, char *out)
{
	struct bk_buf b;
	char small[48];
	size_t cap, full;

	bk_buf_init(&b, out, FE_DESC_CAP);
	bk_evs_describe(d, &b);
	FE_ASSERT(bk_buf_err(&b) == BK_OK);
	full = strlen(out);
	FE_ASSERT(full == b.len && full > 0 && full < FE_DESC_CAP);
	for (cap = 1; cap <= sizeof(small); cap += 7) {
		memset(small, 'Z', sizeof(small));
		bk_buf_init(&b, small, cap);
		bk_evs_describe(d, &b);
		FE_ASSERT(small[b.len] == '\0' && b.len < cap);
		FE_ASSERT(memcmp(small, out, b.len) == 0);
		FE_ASSERT((bk_buf_err(&b) != BK_OK) == (full >= cap));
	}
}

enum fe_mode { FE_WHOLE, FE_BYTES, FE_RANDOM, FE_CUTS };

/*
 * Feed data[0..len) to a fresh decoder with a buffer of `cap` bytes,
 * chunked per `mode`, and record the outcome in *r.
 */
static void
fe_feed(const uint8_t *data, size_t len, size_t cap, enum fe_mode mode,
    uint64_t seed, const size_t *cuts, size_t ncuts, size_t *nstarts,
    struct fe_run *r)
{
	struct bk_evs d;
	struct fe_ctx c;
	uint8_t *buf = malloc(cap > 0 ? cap : 1);
	size_t pos = 0, ci = 0;
	uint64_t rng = seed | 1;
	int failed = 0;

	FE_ASSERT(buf != NULL);
	memset(r, 0, sizeof(*r));
	r->digest = 14695981039346656037ull;
	memset(&c, 0, sizeof(c));
	c.data = data;
	c.len = len;
	c.buf = buf;
	c.cap = cap;
	if (nstarts != NULL)
		c.starts = fe_starts;
	bk_evs_init(&d, buf, cap);

	while (pos < len && !failed) {
		size_t end, off = 0;
		uint8_t *copy = NULL;
		switch (mode) {
		case FE_WHOLE:
			end = len;
			break;
		case FE_BYTES:
			end = pos + 1;
			break;
		case FE_RANDOM: {
			uint64_t x = fe_rand(&rng);
			size_t n;
			switch (x & 3) {
			case 0: n = 1 + (size_t)((x >> 8) % 16); break;
			case 1: n = 1 + (size_t)((x >> 8) % 64); break;
			case 2: n = 1 + (size_t)((x >> 8) % 1024); break;
			default: n = 1 + (size_t)((x >> 8) % 70000); break;
			}
			end = n > len - pos ? len : pos + n;
			break;
		}
		case FE_CUTS:
		default:
			while (ci < ncuts && cuts[ci] <= pos)
				ci++;
			end = ci < ncuts && cuts[ci] < len ? cuts[ci] : len;
			break;
		}
		c.chunk = data + pos;
		c.chunk_len = end - pos;
		if (mode == FE_RANDOM) {
			size_t used;
			/* an empty push takes nothing, changes nothing */
			if ((rng & 0x30) == 0) {
				enum bk_err was = d.err;
				enum bk_evs_status st = bk_evs_push(&d,
				    data + pos, 0, &used);
				FE_ASSERT(used == 0);
				/* (under 16 bytes of buffer, even an empty
				 * push is refused) */
				if (cap >= BK_EVS_MIN_LEN)
					FE_ASSERT(d.err == was && st ==
					    (was == BK_OK ? BK_EVS_NEED_MORE :
					    BK_EVS_ERROR));
			}
			/* an exactly sized copy: ASan flags reads past it */
			copy = malloc(c.chunk_len);
			FE_ASSERT(copy != NULL);
			memcpy(copy, data + pos, c.chunk_len);
			c.chunk = copy;
		}
		while (off < c.chunk_len) {
			size_t used = (size_t)-1;
			enum bk_evs_status st = bk_evs_push(&d, c.chunk + off,
			    c.chunk_len - off, &used);
			FE_ASSERT(used <= c.chunk_len - off);
			if (st == BK_EVS_MESSAGE) {
				FE_ASSERT(used > 0);
				/* message views may point at bytes before
				 * `off` in this chunk, or at the buffer */
				r->digest = fe_check_msg(&d, &c, r->digest);
				if (c.starts != NULL)
					c.nstarts++;
				r->nmsg++;
				off += used;
				continue;
			}
			if (st == BK_EVS_ERROR) {
				enum bk_err was = d.err;
				FE_ASSERT(d.err != BK_OK);
				/* sticky: nothing more is taken */
				st = bk_evs_push(&d, c.chunk, c.chunk_len,
				    &used);
				FE_ASSERT(st == BK_EVS_ERROR && used == 0 &&
				    d.err == was);
				failed = 1;
				break;
			}
			FE_ASSERT(st == BK_EVS_NEED_MORE);
			FE_ASSERT(used == c.chunk_len - off);
			off += used;
		}
		free(copy);
		pos = end;
	}
	r->err = bk_evs_finish(&d);
	FE_ASSERT(r->err == d.err);
	FE_ASSERT(bk_evs_finish(&d) == r->err);    /* sticky */
	if (failed)
		FE_ASSERT(r->err != BK_OK && r->err != BK_E_EVS_TRUNCATED);
	FE_ASSERT(d.messages == r->nmsg);
	FE_ASSERT(strcmp(bk_errname(r->err), "BK_E_UNKNOWN") != 0);
	r->err_a = d.err_a;
	r->err_b = d.err_b;
	r->offset = d.offset;
	r->messages = d.messages;
	fe_describe(&d, r->desc);
	if (nstarts != NULL)
		*nstarts = c.nstarts < FE_MAX_CUTS ? c.nstarts : FE_MAX_CUTS;
	free(buf);
}

static int
fe_cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void
fe_same(const struct fe_run *a, const struct fe_run *b, const char *how)
{
	if (a->nmsg == b->nmsg && a->digest == b->digest &&
	    a->err == b->err && a->err_a == b->err_a && a->err_b == b->err_b &&
	    a->offset == b->offset && a->messages == b->messages &&
	    strcmp(a->desc, b->desc) == 0)
		return;
	fprintf(stderr, "fuzz_evs: feeding %s differs from whole:\n"
	    "  whole: %llu messages, %s (%s)\n"
	    "  %s: %llu messages, %s (%s)\n", how,
	    (unsigned long long)a->nmsg, bk_errname(a->err), a->desc, how,
	    (unsigned long long)b->nmsg, bk_errname(b->err), b->desc);
	fe_fail(__LINE__, "split feeding differs from whole feeding");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fe_run whole, other;
	uint64_t seed;
	size_t nstarts, ncuts = 0, i, small_cap;

	/* the split pattern: from the first bytes and the length */
	seed = fe_fnv(14695981039346656037ull, data, size < 16 ? size : 16);
	seed = fe_fnv_u64(seed, size);

	fe_feed(data, size, FE_CAP, FE_WHOLE, 0, NULL, 0, &nstarts, &whole);
	/* every message follows the previous one */
	for (i = 1; i < nstarts; i++)
		FE_ASSERT(fe_starts[i] > fe_starts[i - 1]);
	FE_ASSERT(nstarts == 0 || fe_starts[0] == 0);

	fe_feed(data, size, FE_CAP, FE_BYTES, 0, NULL, 0, NULL, &other);
	fe_same(&whole, &other, "byte by byte");
	fe_feed(data, size, FE_CAP, FE_RANDOM, seed, NULL, 0, NULL, &other);
	fe_same(&whole, &other, "random chunks");

	/* cuts around every message start and end, and after the last
	 * message (the trailing partial message or garbage) */
	for (i = 0; i <= nstarts && ncuts + 6 <= FE_MAX_CUTS; i++) {
		size_t s = i < nstarts ? fe_starts[i] : (size_t)whole.offset;
		size_t e = i + 1 < nstarts ? fe_starts[i + 1] : size;
		static const size_t k[] = { 1, 11, 12, 13 };
		size_t j;
		for (j = 0; j < 4; j++)
			if (s + k[j] < size)
				fe_cuts[ncuts++] = s + k[j];
		if (e >= s + 14) {
			fe_cuts[ncuts++] = e - 4;
			fe_cuts[ncuts++] = e - 1;
		}
	}
	qsort(fe_cuts, ncuts, sizeof(fe_cuts[0]), fe_cmp_size);
	fe_feed(data, size, FE_CAP, FE_CUTS, 0, fe_cuts, ncuts, NULL, &other);
	fe_same(&whole, &other, "cut at boundaries");

	/* a small buffer: the limit check, fed whole and in pieces */
	small_cap = BK_EVS_MIN_LEN + (size_t)(seed % 256);
	fe_feed(data, size, small_cap, FE_WHOLE, 0, NULL, 0, NULL, &whole);
	fe_feed(data, size, small_cap, FE_RANDOM, seed >> 8, NULL, 0, NULL,
	    &other);
	fe_same(&whole, &other, "random chunks, small buffer");

	/* a buffer under 16 bytes holds no message: every non-empty
	 * feeding fails, with no message (the error itself may differ:
	 * README.md, findings) */
	fe_feed(data, size, (size_t)(seed % 16), FE_RANDOM, seed >> 16, NULL,
	    0, NULL, &other);
	FE_ASSERT(other.nmsg == 0 && (size == 0 || other.err != BK_OK));
	return 0;
}
