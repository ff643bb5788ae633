/*
 * unit.c -- unit tests of the core, section by section, and of the call
 * orchestration (src/client.c) over the fake port.  Known-answer tests
 * come from their RFCs; every error code has a negative test where the
 * core can produce it.
 */
#include "bedrock.h"
#include "check.h"
#include "client.h"
#include "fake.h"

#define LEN(s) (sizeof(s) - 1)

/* ---- 1. errors --------------------------------------------------------- */

static void
test_errors(void)
{
	static const enum bk_err all[] = {
#define X_(name, num, text) name,
		BK_ERRORS(X_)
#undef X_
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		CHECK(strcmp(bk_strerror(all[i]), "unknown error") != 0);
		CHECK(strncmp(bk_errname(all[i]), "BK_", 3) == 0);
	}
	CHECK(strcmp(bk_strerror((enum bk_err)999), "unknown error") == 0);
	CHECK(strcmp(bk_errname(BK_E_EVS_MESSAGE_CRC), "BK_E_EVS_MESSAGE_CRC")
	    == 0);
	check_summary("unit errors");
}

/* ---- 1. buffers and encodings ----------------------------------------- */

static void
test_buf(void)
{
	char m[8];
	struct bk_buf b;

	bk_buf_init(&b, m, sizeof(m));
	bk_buf_puts(&b, "abc");
	CHECK(bk_buf_err(&b) == BK_OK && b.len == 3 && strcmp(m, "abc") == 0);
	bk_buf_puts(&b, "defg");      /* exactly fills 7 + NUL */
	CHECK(bk_buf_err(&b) == BK_OK && strcmp(m, "abcdefg") == 0);
	bk_buf_putc(&b, 'h');
	CHECK(bk_buf_err(&b) == BK_E_BUFSZ);
	bk_buf_puts(&b, "");          /* sticky even for empty appends */
	CHECK(bk_buf_err(&b) == BK_E_BUFSZ && strcmp(m, "abcdefg") == 0);

	{
		char n[32];
		bk_buf_init(&b, n, sizeof(n));
		bk_buf_put_u64(&b, 0);
		bk_buf_putc(&b, ' ');
		bk_buf_put_u64(&b, UINT64_MAX);
		CHECK_EQ_STR(n, "0 18446744073709551615");
		bk_buf_init(&b, n, sizeof(n));
		bk_buf_put_i64(&b, INT64_MIN);
		CHECK_EQ_STR(n, "-9223372036854775808");
		bk_buf_init(&b, n, sizeof(n));
		bk_buf_put_hex(&b, (const uint8_t *)"\x00\xff\x10", 3);
		CHECK_EQ_STR(n, "00ff10");
	}
	bk_buf_init(&b, NULL, 0);
	bk_buf_putc(&b, 'x');
	CHECK(bk_buf_err(&b) == BK_E_BUFSZ);
	check_summary("unit buf");
}

static void
test_base64(void)
{
	/* RFC 4648 section 10 */
	static const char *plain[] = { "", "f", "fo", "foo", "foob", "fooba",
		"foobar" };
	static const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==",
		"Zm9vYmE=", "Zm9vYmFy" };
	char out[64];
	uint8_t dec[64];
	size_t i, n;

	for (i = 0; i < 7; i++) {
		CHECK(bk_base64_encode((const uint8_t *)plain[i],
		    strlen(plain[i]), out, sizeof(out), &n) == BK_OK);
		CHECK(n == strlen(enc[i]) && memcmp(out, enc[i], n) == 0);
		CHECK(bk_base64_decode(enc[i], strlen(enc[i]), dec, sizeof(dec),
		    &n) == BK_OK);
		CHECK(n == strlen(plain[i]) && memcmp(dec, plain[i], n) == 0);
	}
	CHECK(bk_base64_decode("Zm9", 3, dec, sizeof(dec), &n) == BK_E_BASE64);
	CHECK(bk_base64_decode("Zm9*", 4, dec, sizeof(dec), &n) ==
	    BK_E_BASE64);
	CHECK(bk_base64_decode("Zg==Zm8=", 8, dec, sizeof(dec), &n) ==
	    BK_E_BASE64);                 /* '=' inside */
	CHECK(bk_base64_decode("Zh==", 4, dec, sizeof(dec), &n) ==
	    BK_E_BASE64);                 /* non-zero pad bits */
	CHECK(bk_base64_decode("Zm9=", 4, dec, sizeof(dec), &n) ==
	    BK_E_BASE64);
	CHECK(bk_base64_decode("Zm 9", 4, dec, sizeof(dec), &n) ==
	    BK_E_BASE64);
	CHECK(bk_base64_decode("Zm9vYmFy", 8, dec, 5, &n) == BK_E_BUFSZ);
	CHECK(bk_base64_encode((const uint8_t *)"foo", 3, out, 3, &n) ==
	    BK_E_BUFSZ);
	/* in place */
	memcpy(out, "Zm9vYmFy", 8);
	CHECK(bk_base64_decode(out, 8, (uint8_t *)out, 8, &n) == BK_OK &&
	    n == 6 && memcmp(out, "foobar", 6) == 0);
	check_summary("unit base64");
}

static void
test_uri_time(void)
{
	char m[128], t[17];
	struct bk_buf b;

	bk_buf_init(&b, m, sizeof(m));
	bk_uri_encode(&b, "a b/c:d~e_f.g-h%", 16, 1);
	CHECK_EQ_STR(m, "a%20b/c%3Ad~e_f.g-h%25");
	bk_buf_init(&b, m, sizeof(m));
	bk_uri_encode(&b, "/\xe1\x88\xb4", 4, 0);
	CHECK_EQ_STR(m, "%2F%E1%88%B4");
	bk_buf_init(&b, m, sizeof(m));
	bk_uri_decode(&b, "a%20b%3a%zz%4", 13);
	CHECK_EQ_STR(m, "a b:%zz%4");

	CHECK(bk_time_amz(0, t) == BK_OK);
	CHECK_EQ_STR(t, "19700101T000000Z");
	CHECK(bk_time_amz(1440938160, t) == BK_OK);
	CHECK_EQ_STR(t, "20150830T123600Z");
	CHECK(bk_time_amz(951782400, t) == BK_OK);   /* a leap day */
	CHECK_EQ_STR(t, "20000229T000000Z");
	CHECK(bk_time_amz(4107542399, t) == BK_OK);  /* 2100 is no leap year */
	CHECK_EQ_STR(t, "21000228T235959Z");
	CHECK(bk_time_amz(INT64_C(253402300799), t) == BK_OK);
	CHECK_EQ_STR(t, "99991231T235959Z");
	CHECK(bk_time_amz(INT64_C(253402300800), t) == BK_E_ARG);
	CHECK(bk_time_amz(-1, t) == BK_E_ARG);

	CHECK(bk_ct_equal("abc", "abc", 3));
	CHECK(!bk_ct_equal("abc", "abd", 3));
	{
		char s[8] = "secret";
		bk_wipe(s, sizeof(s));
		CHECK(memcmp(s, "\0\0\0\0\0\0\0\0", 8) == 0);
	}
	check_summary("unit uri+time");
}

/* ---- 2. JSON ----------------------------------------------------------- */

static void
test_json(void)
{
	static const char doc[] =
	    "{\"a\":[1,{\"x\":[2,3]},\"s\"],\"b\":{\"c\":\"d\\u00e9\\n\"},"
	    "\"n\":123,\"e\":\"\\ud83c\\udf89\",\"z\":null}";
	jsmntok_t t[64];
	struct bk_json j;
	char s[64];
	size_t n;
	uint64_t v;
	int b;

	CHECK(bk_json_parse(&j, doc, LEN(doc), t, 64) == BK_OK);
	b = bk_json_get(&j, 0, "b");
	CHECK(b > 0 && j.t[b].type == JSMN_OBJECT);
	CHECK(bk_json_str(&j, bk_json_get(&j, b, "c"), s, sizeof(s), &n) ==
	    BK_OK && n == 4 && memcmp(s, "d\xc3\xa9\n", 4) == 0);
	CHECK(bk_json_u64(&j, bk_json_get(&j, 0, "n"), &v) == BK_OK &&
	    v == 123);
	CHECK(bk_json_str(&j, bk_json_get(&j, 0, "e"), s, sizeof(s), &n) ==
	    BK_OK && n == 4 && memcmp(s, "\xf0\x9f\x8e\x89", 4) == 0);
	CHECK(bk_json_get(&j, 0, "missing") == -1);
	CHECK(bk_json_get(&j, 0, "z") > 0);         /* found past nesting */
	CHECK(bk_json_u64(&j, bk_json_get(&j, 0, "z"), &v) == BK_E_JSON_SHAPE);
	CHECK(bk_json_is(&j, bk_json_get(&j, b, "c"), "d\\u00e9\\n"));
	CHECK(bk_json_skip(&j, 0) == j.n);
	CHECK(bk_json_str(&j, bk_json_get(&j, b, "c"), s, 3, &n) ==
	    BK_E_BUFSZ);

	CHECK(bk_json_parse(&j, "{} x", 4, t, 64) == BK_E_JSON);
	CHECK(bk_json_parse(&j, "{\"a\":", 5, t, 64) == BK_E_JSON);
	CHECK(bk_json_parse(&j, "[1,2,3,4]", 9, t, 3) == BK_E_JSON_TOKENS);
	CHECK(bk_json_parse(&j, "", 0, t, 64) == BK_E_JSON);
	{
		/* lone surrogates and bad escapes */
		static const char *bad[] = { "\"\\ud83c\"", "\"\\udf89\"",
			"\"\\x\"", "\"\\u12\"" };
		size_t i;
		for (i = 0; i < 4; i++) {
			CHECK(bk_json_parse(&j, bad[i], strlen(bad[i]), t, 64) !=
			    BK_OK || bk_json_str(&j, 0, s, sizeof(s), &n) ==
			    BK_E_JSON);
		}
	}
	{
		char in[] = "a\\\"b\\\\c\\/d\\u0041";
		CHECK(bk_json_unescape_inplace(in, LEN(in), &n) == BK_OK &&
		    n == 8 && memcmp(in, "a\"b\\c/dA", 8) == 0);
	}
	check_summary("unit json");
}

static void
test_json_write(void)
{
	char m[256];
	struct bk_buf b;
	size_t bad = 0;

	bk_buf_init(&b, m, sizeof(m));
	bk_json_put_str(&b, (const uint8_t *)"q\"b\\n\n\t\x01\x7f\xc3\xa9", 11,
	    &bad);
	CHECK_EQ_STR(m, "\"q\\\"b\\\\n\\n\\t\\u0001\x7f\xc3\xa9\"");
	CHECK(bad == 0);
	/* invalid: lone continuation, overlong, surrogate, too high, cut */
	bk_buf_init(&b, m, sizeof(m));
	bk_json_put_str(&b, (const uint8_t *)"\x80" "a" "\xc0\xaf"
	    "\xed\xa0\x80" "\xf4\x90\x80\x80" "\xe6\x97", 13, &bad);
	/* one U+FFFD per maximal subpart: 1 + 2 + 3 + 4 + 1 */
	CHECK(bad == 11);
	CHECK(bk_utf8_invalid((const uint8_t *)"\xe6\x97\xa5", 3) == 0);
	CHECK(bk_utf8_invalid((const uint8_t *)"\xe6\x97", 2) == 1);
	CHECK(bk_utf8_invalid((const uint8_t *)"\xe6\x97" "a", 3) == 1);
	check_summary("unit json-write");
}

/* ---- 3. hashes and SigV4 ------------------------------------------------ */

static void
hexcmp(const uint8_t *got, const char *want_hex)
{
	char h[129];

	bk_hex(h, got, strlen(want_hex) / 2);
	h[strlen(want_hex)] = '\0';
	CHECK_EQ_STR(h, want_hex);
}

static void
test_hashes(void)
{
	uint8_t out[32], key[131];
	char hex[65];

	bk_sha256_hex("abc", 3, hex);
	CHECK_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb"
	    "410ff61f20015ad");
	/* RFC 4231 test cases 1, 2 and 6 */
	memset(key, 0x0b, 20);
	bk_hmac_sha256(key, 20, "Hi There", 8, out);
	hexcmp(out, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9"
	    "376c2e32cff7");
	bk_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, out);
	hexcmp(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec"
	    "58b964ec3843");
	memset(key, 0xaa, 131);
	bk_hmac_sha256(key, 131, "Test Using Larger Than Block-Size Key - "
	    "Hash Key First", 54, out);
	hexcmp(out, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546"
	    "040f0ee37f54");
	/* CRC-32 check value, and continuation */
	CHECK(bk_crc32(0, "123456789", 9) == 0xCBF43926u);
	CHECK(bk_crc32(bk_crc32(0, "1234", 4), "56789", 5) == 0xCBF43926u);
	CHECK(bk_crc32(0, "", 0) == 0);
	check_summary("unit hashes");
}

static struct bk_sigv4 sv, sv2;

static void
test_sigv4_misc(void)
{
	struct bk_header h[2] = { { "Host", 4, "example.amazonaws.com", 21 },
		{ "Content-Type", 12, "application/json", 16 } };
	struct bk_creds cr = { "AKIDEXAMPLE",
		"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL };
	struct bk_sigv4_request r;
	struct bk_sigv4_params p;
	struct bk_sigv4_cache cache;

	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.path = "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke";
	r.path_len = strlen(r.path);
	r.headers = h;
	r.nheaders = 2;
	r.body = (const uint8_t *)"{}";
	r.body_len = 2;
	memset(&p, 0, sizeof(p));
	p.region = "us-east-1";
	p.service = "bedrock";
	p.now = 1440938160;
	p.double_encode = 1;
	memset(&cache, 0, sizeof(cache));

	CHECK(bk_sigv4_sign(&sv, NULL, &r, &cr, &p) == BK_OK);
	/* the canonical URI carries the model ID's ':' encoded twice */
	CHECK(strstr(sv.canonical, "\n/model/anthropic.claude-3-haiku-"
	    "20240307-v1%253A0/invoke\n") != NULL);
	CHECK(bk_sigv4_sign(&sv2, &cache, &r, &cr, &p) == BK_OK);
	CHECK(strcmp(sv.signature, sv2.signature) == 0 && cache.valid);
	/* from the cache: same signature */
	CHECK(bk_sigv4_sign(&sv2, &cache, &r, &cr, &p) == BK_OK);
	CHECK(strcmp(sv.signature, sv2.signature) == 0);
	/* another secret must not reuse the cached key */
	cr.secret = "another-secret";
	CHECK(bk_sigv4_sign(&sv2, &cache, &r, &cr, &p) == BK_OK);
	CHECK(strcmp(sv.signature, sv2.signature) != 0);
	/* a session token is signed and named in SignedHeaders */
	cr.token = "TOKEN";
	CHECK(bk_sigv4_sign(&sv2, &cache, &r, &cr, &p) == BK_OK);
	CHECK(strstr(sv2.authorization, "SignedHeaders=content-type;host;"
	    "x-amz-date;x-amz-security-token,") != NULL);
	CHECK(strstr(sv2.canonical, "x-amz-security-token:TOKEN\n") != NULL);
	p.content_sha256 = 1;
	CHECK(bk_sigv4_sign(&sv2, NULL, &r, &cr, &p) == BK_OK);
	CHECK(strstr(sv2.canonical, "x-amz-content-sha256:44136fa355b3678a"
	    "1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\n") != NULL);
	bk_sigv4_cache_wipe(&cache);
	CHECK(!cache.valid);
	/* bad scope parts and credentials are refused, not signed */
	p.region = "us east";
	CHECK(bk_sigv4_sign(&sv2, NULL, &r, &cr, &p) == BK_E_ARG);
	p.region = "us-east-1";
	cr.akid = "";
	CHECK(bk_sigv4_sign(&sv2, NULL, &r, &cr, &p) == BK_E_ARG);
	bk_sigv4_wipe(&sv2);
	CHECK(sv2.authorization[0] == '\0' && sv2.canonical[0] == '\0');
	check_summary("unit sigv4");
}

/* ---- 4. event stream ---------------------------------------------------- */

static uint8_t evsbuf[1 << 16];

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A frame with arbitrary (possibly bad) lengths but correct CRCs. */
static size_t
raw_frame(uint8_t *out, uint32_t total, uint32_t hl, const uint8_t *body,
    size_t body_len)
{
	size_t n = 12 + body_len + 4;

	put32(out, total);
	put32(out + 4, hl);
	put32(out + 8, bk_crc32(0, out, 8));
	if (body_len > 0)
		memcpy(out + 12, body, body_len);
	put32(out + 12 + body_len, bk_crc32(0, out, 12 + body_len));
	return n;
}

static enum bk_err
decode_one(const uint8_t *f, size_t n, size_t cap)
{
	struct bk_evs d;
	size_t used;

	bk_evs_init(&d, evsbuf, cap);
	if (bk_evs_push(&d, f, n, &used) == BK_EVS_MESSAGE)
		return BK_OK;
	if (d.err != BK_OK)
		return d.err;
	return bk_evs_finish(&d);
}

static void
test_evs(void)
{
	static const uint8_t empty[16] = { 0, 0, 0, 0x10, 0, 0, 0, 0, 0x05,
		0xc2, 0x48, 0xeb, 0x7d, 0x98, 0xc8, 0xff };
	uint8_t f[256], g[256];
	struct bk_evs d;
	size_t used, n;
	char desc[256];
	struct bk_buf b;

	/* aws-c-event-stream's empty message */
	bk_evs_init(&d, evsbuf, sizeof(evsbuf));
	CHECK(bk_evs_push(&d, empty, 16, &used) == BK_EVS_MESSAGE &&
	    used == 16 && d.msg.nh == 0 && d.msg.payload_len == 0);
	CHECK(bk_evs_finish(&d) == BK_OK);

	/* one negative test per decoder error */
	memcpy(f, empty, 16);
	f[8] ^= 1;
	CHECK(decode_one(f, 16, sizeof(evsbuf)) == BK_E_EVS_PRELUDE_CRC);
	memcpy(f, empty, 16);
	f[15] ^= 1;
	CHECK(decode_one(f, 16, sizeof(evsbuf)) == BK_E_EVS_MESSAGE_CRC);
	n = raw_frame(f, 15, 0, NULL, 0);
	CHECK(decode_one(f, n, sizeof(evsbuf)) == BK_E_EVS_TOO_SMALL);
	n = raw_frame(f, 17u * 1024u * 1024u, 0, NULL, 0);
	CHECK(decode_one(f, n, 32u * 1024u * 1024u) == BK_E_EVS_TOO_LARGE);
	n = raw_frame(f, 200, 0, NULL, 0);
	CHECK(decode_one(f, n, 100) == BK_E_EVS_TOO_LARGE);
	n = raw_frame(f, 20, 5, (const uint8_t *)"abcd", 4);
	CHECK(decode_one(f, n, sizeof(evsbuf)) == BK_E_EVS_HEADERS_LEN);
	n = raw_frame(f, 20, 4, (const uint8_t *)"\0abc", 4);
	CHECK(decode_one(f, n, sizeof(evsbuf)) == BK_E_EVS_HEADER_NAME);
	n = raw_frame(f, 20, 4, (const uint8_t *)"\x09" "abc", 4);
	CHECK(decode_one(f, n, sizeof(evsbuf)) == BK_E_EVS_HEADER_NAME);
	n = raw_frame(f, 20, 4, (const uint8_t *)"\x01" "a\x0a" "x", 4);
	CHECK(decode_one(f, n, sizeof(evsbuf)) == BK_E_EVS_HEADER_TYPE);
	n = raw_frame(f, 20, 4, (const uint8_t *)"\x01" "a\x04" "x", 4);
	CHECK(decode_one(f, n, sizeof(evsbuf)) == BK_E_EVS_HEADER_VALUE);
	n = raw_frame(f, 20, 4, (const uint8_t *)"\x01" "a\x07" "\x00", 4);
	CHECK(decode_one(f, n, sizeof(evsbuf)) == BK_E_EVS_HEADER_VALUE);
	n = raw_frame(f, 18, 2, (const uint8_t *)"\x01" "a", 2);
	CHECK(decode_one(f, n, sizeof(evsbuf)) == BK_E_EVS_HEADER_VALUE);
	n = raw_frame(f, 20, 4, (const uint8_t *)"\x01\xff\x00\x00", 4);
	CHECK(decode_one(f, n, sizeof(evsbuf)) == BK_E_EVS_HEADER_NAME);
	{
		/* 33 one-letter bool headers: one too many */
		uint8_t hs[99];
		size_t i;
		for (i = 0; i < 33; i++) {
			hs[3 * i] = 1;
			hs[3 * i + 1] = 'a';
			hs[3 * i + 2] = 0;
		}
		n = raw_frame(f, 16 + 99, 99, hs, 99);
		CHECK(decode_one(f, n, sizeof(evsbuf)) ==
		    BK_E_EVS_TOO_MANY_HEADERS);
	}
	/* truncated: a message that never completes */
	bk_evs_init(&d, evsbuf, sizeof(evsbuf));
	CHECK(bk_evs_push(&d, empty, 10, &used) == BK_EVS_NEED_MORE &&
	    used == 10);
	CHECK(bk_evs_finish(&d) == BK_E_EVS_TRUNCATED);
	bk_buf_init(&b, desc, sizeof(desc));
	bk_evs_describe(&d, &b);
	CHECK(strstr(desc, "10 bytes received") != NULL);
	/* errors are sticky */
	CHECK(bk_evs_push(&d, empty, 16, &used) == BK_EVS_ERROR && used == 0);

	/* the error text carries its numbers */
	memcpy(f, empty, 16);
	f[15] ^= 1;
	bk_evs_init(&d, evsbuf, sizeof(evsbuf));
	CHECK(bk_evs_push(&d, f, 16, &used) == BK_EVS_ERROR);
	bk_buf_init(&b, desc, sizeof(desc));
	bk_evs_describe(&d, &b);
	CHECK(strstr(desc, "computed 0x7d98c8ff, received 0x7d98c8fe") !=
	    NULL);
	n = raw_frame(f, 17u * 1024u * 1024u, 0, NULL, 0);
	bk_evs_init(&d, evsbuf, 32u * 1024u * 1024u);
	CHECK(bk_evs_push(&d, f, n, &used) == BK_EVS_ERROR);
	bk_buf_init(&b, desc, sizeof(desc));
	bk_evs_describe(&d, &b);
	CHECK(strstr(desc, "16 MiB") != NULL &&
	    strstr(desc, "17825792 bytes") != NULL);

	/* encode/decode round trip; many messages fed in odd pieces */
	{
		struct bk_evs_header h[3];
		size_t total = 0, k, got = 0, off;
		uint8_t stream[1024];
		h[0].name = ":event-type"; h[0].name_len = 11;
		h[0].type = BK_EVS_STRING; h[0].v = (const uint8_t *)"chunk";
		h[0].v_len = 5; h[0].i = 0;
		h[1].name = "n"; h[1].name_len = 1; h[1].type = BK_EVS_INT64;
		h[1].i = -5; h[1].v = NULL; h[1].v_len = 0;
		h[2].name = "t"; h[2].name_len = 1;
		h[2].type = BK_EVS_BOOL_TRUE; h[2].i = 1; h[2].v = NULL;
		h[2].v_len = 0;
		for (k = 0; k < 5; k++) {
			CHECK(bk_evs_encode(h, 3, (const uint8_t *)"payload",
			    k, stream + total, sizeof(stream) - total, &n) ==
			    BK_OK);
			total += n;
		}
		for (k = 1; k <= 7; k++) {
			bk_evs_init(&d, evsbuf, sizeof(evsbuf));
			got = 0;
			for (off = 0; off < total;) {
				size_t len = total - off < k ? total - off : k;
				enum bk_evs_status st = bk_evs_push(&d,
				    stream + off, len, &used);
				off += used;
				if (st == BK_EVS_MESSAGE) {
					const struct bk_evs_header *x =
					    bk_evs_find(&d.msg, "n");
					CHECK(d.msg.payload_len == got &&
					    x != NULL && x->i == -5);
					got++;
				} else {
					CHECK(st == BK_EVS_NEED_MORE);
				}
			}
			CHECK(got == 5 && bk_evs_finish(&d) == BK_OK);
		}
		CHECK(bk_evs_encode(h, 3, NULL, 0, g, 10, &n) == BK_E_BUFSZ);
	}
	check_summary("unit evs");
}

/* ---- 5. Bedrock stream events ------------------------------------------- */

static size_t
mkevent(uint8_t *out, size_t cap, const char *mtype, const char *etype,
    const char *payload)
{
	struct bk_evs_header h[3];
	size_t n = 0, nh = 0;

	h[nh].name = ":message-type"; h[nh].name_len = 13;
	h[nh].type = BK_EVS_STRING; h[nh].v = (const uint8_t *)mtype;
	h[nh].v_len = strlen(mtype); h[nh].i = 0; nh++;
	if (etype != NULL) {
		int exc = strcmp(mtype, "exception") == 0;
		h[nh].name = exc ? ":exception-type" : ":event-type";
		h[nh].name_len = strlen(h[nh].name);
		h[nh].type = BK_EVS_STRING; h[nh].v = (const uint8_t *)etype;
		h[nh].v_len = strlen(etype); h[nh].i = 0; nh++;
	}
	h[nh].name = ":content-type"; h[nh].name_len = 13;
	h[nh].type = BK_EVS_STRING; h[nh].v = (const uint8_t *)"application/json";
	h[nh].v_len = 16; h[nh].i = 0; nh++;
	if (bk_evs_encode(h, nh, (const uint8_t *)payload, strlen(payload), out,
	    cap, &n) != BK_OK)
		return 0;
	return n;
}

/* A chunk event carrying `json` as base64, as Bedrock sends it. */
static size_t
mkchunk(uint8_t *out, size_t cap, const char *json)
{
	char b64[4096], payload[4200];
	size_t n;

	bk_base64_encode((const uint8_t *)json, strlen(json), b64, sizeof(b64),
	    &n);
	snprintf(payload, sizeof(payload), "{\"bytes\":\"%.*s\",\"p\":\"abcdef\"}",
	    (int)n, b64);
	return mkevent(out, cap, "event", "chunk", payload);
}

static const char *ev_start = "{\"type\":\"message_start\",\"message\":{\"id\":"
    "\"msg_bdrk_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
    "\"claude-sonnet-4-6\",\"content\":[],\"stop_reason\":null,\"usage\":"
    "{\"input_tokens\":12,\"cache_creation_input_tokens\":3,"
    "\"cache_read_input_tokens\":4,\"output_tokens\":1}}}";
static const char *ev_bstart = "{\"type\":\"content_block_start\",\"index\":0,"
    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}";
static const char *ev_d1 = "{\"type\":\"content_block_delta\",\"index\":0,"
    "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\\\"lo \\u00e9\"}}";
static const char *ev_d2 = "{\"type\":\"content_block_delta\",\"index\":0,"
    "\"delta\":{\"type\":\"text_delta\",\"text\":\"\\n\\ud83c\\udf89\"}}";
static const char *ev_bstop = "{\"type\":\"content_block_stop\",\"index\":0}";
static const char *ev_mdelta = "{\"type\":\"message_delta\",\"delta\":"
    "{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":"
    "{\"output_tokens\":7}}";
static const char *ev_stop = "{\"type\":\"message_stop\","
    "\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":12,"
    "\"outputTokenCount\":7,\"invocationLatency\":321,"
    "\"firstByteLatency\":45}}";
static const char *ev_ping = "{\"type\":\"ping\"}";

static const char want_text[] = "Hel\"lo \xc3\xa9\n\xf0\x9f\x8e\x89";

static uint8_t scratch[1 << 16];

/* Build a whole streamed answer into out; returns its length. */
static size_t
mkanswer(uint8_t *out, size_t cap, int with_stop)
{
	const char *evs[] = { ev_start, ev_bstart, ev_ping, ev_d1, ev_d2,
		ev_bstop, ev_mdelta, ev_stop };
	size_t i, n = 0, k = with_stop ? 8 : 7;

	for (i = 0; i < k; i++)
		n += mkchunk(out + n, cap - n, evs[i]);
	return n;
}

struct collected {
	char text[4096];
	size_t len;
	enum bk_err err;
};

static void
run_stream(const uint8_t *s, size_t n, struct bk_stream *st,
    struct collected *c)
{
	struct bk_evs d;
	size_t off = 0, used;

	memset(c, 0, sizeof(*c));
	bk_evs_init(&d, evsbuf, sizeof(evsbuf));
	bk_stream_init(st, scratch, sizeof(scratch));
	while (off < n) {
		struct bk_stream_event ev;
		enum bk_evs_status r = bk_evs_push(&d, s + off, n - off, &used);
		off += used;
		if (r == BK_EVS_ERROR) {
			c->err = d.err;
			return;
		}
		if (r != BK_EVS_MESSAGE)
			break;
		c->err = bk_stream_message(st, &d.msg, &ev);
		if (c->err != BK_OK)
			return;
		if (ev.kind == BK_SEV_TEXT) {
			memcpy(c->text + c->len, ev.text, ev.text_len);
			c->len += ev.text_len;
		}
	}
	c->err = bk_stream_finish(st);
}

static void
test_stream(void)
{
	static uint8_t s[16384];
	struct bk_stream st;
	struct collected c;
	size_t n;

	n = mkanswer(s, sizeof(s), 1);
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_OK);
	CHECK(c.len == LEN(want_text) && memcmp(c.text, want_text, c.len) == 0);
	CHECK(st.usage.input_tokens == 12 && st.usage.output_tokens == 7 &&
	    st.usage.cache_creation_input_tokens == 3 &&
	    st.usage.cache_read_input_tokens == 4);
	CHECK(strcmp(st.stop_reason, "end_turn") == 0);
	CHECK(strcmp(st.message_id, "msg_bdrk_01") == 0);
	CHECK(strcmp(st.model, "claude-sonnet-4-6") == 0);
	CHECK(st.have_metrics && st.metric_latency_ms == 321 &&
	    st.metric_first_byte_ms == 45 && st.metric_output == 7);

	/* the raw event survives the text's unescaping (stream-json) */
	{
		struct bk_evs d;
		struct bk_stream_event ev;
		size_t used, off = 0, k;
		n = mkchunk(s, sizeof(s), ev_start);
		n += mkchunk(s + n, sizeof(s) - n, ev_d1);
		bk_evs_init(&d, evsbuf, sizeof(evsbuf));
		bk_stream_init(&st, scratch, sizeof(scratch));
		for (k = 0; k < 2; k++) {
			CHECK(bk_evs_push(&d, s + off, n - off, &used) ==
			    BK_EVS_MESSAGE);
			off += used;
			CHECK(bk_stream_message(&st, &d.msg, &ev) == BK_OK);
		}
		CHECK(ev.kind == BK_SEV_TEXT && ev.raw != NULL &&
		    ev.raw_len == strlen(ev_d1) &&
		    memcmp(ev.raw, ev_d1, ev.raw_len) == 0);
	}

	/* no message_stop: an error, never a quiet half answer */
	n = mkanswer(s, sizeof(s), 0);
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_E_STREAM_INCOMPLETE && c.len == LEN(want_text));

	/* content before message_start */
	n = mkchunk(s, sizeof(s), ev_d1);
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_E_STREAM_EVENT);

	/* events after message_stop */
	n = mkanswer(s, sizeof(s), 1);
	n += mkchunk(s + n, sizeof(s) - n, ev_d1);
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_E_STREAM_EVENT);

	/* every in-stream exception type maps to its code */
	{
		static const struct { const char *t; enum bk_err e; } x[] = {
			{ "throttlingException", BK_E_SVC_THROTTLING },
			{ "modelStreamErrorException", BK_E_SVC_MODEL_STREAM },
			{ "validationException", BK_E_SVC_VALIDATION },
			{ "internalServerException", BK_E_SVC_INTERNAL },
			{ "serviceUnavailableException", BK_E_SVC_UNAVAILABLE },
			{ "modelTimeoutException", BK_E_SVC_MODEL_TIMEOUT },
			{ "somethingNewException", BK_E_SVC_OTHER },
		};
		size_t i;
		for (i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
			n = mkchunk(s, sizeof(s), ev_start);
			n += mkevent(s + n, sizeof(s) - n, "exception", x[i].t,
			    "{\"message\":\"Too many\\n tokens\"}");
			run_stream(s, n, &st, &c);
			CHECK(c.err == x[i].e);
			CHECK(strcmp(st.err_type, x[i].t) == 0);
			/* control characters never reach the terminal */
			CHECK(strcmp(st.err_msg, "Too many  tokens") == 0);
		}
	}
	/* generic error message type */
	{
		struct bk_evs_header h[3];
		h[0].name = ":message-type"; h[0].name_len = 13;
		h[0].type = BK_EVS_STRING; h[0].v = (const uint8_t *)"error";
		h[0].v_len = 5; h[0].i = 0;
		h[1].name = ":error-code"; h[1].name_len = 11;
		h[1].type = BK_EVS_STRING;
		h[1].v = (const uint8_t *)"InternalFailure"; h[1].v_len = 15;
		h[1].i = 0;
		h[2].name = ":error-message"; h[2].name_len = 14;
		h[2].type = BK_EVS_STRING; h[2].v = (const uint8_t *)"boom";
		h[2].v_len = 4; h[2].i = 0;
		bk_evs_encode(h, 3, NULL, 0, s, sizeof(s), &n);
		run_stream(s, n, &st, &c);
		CHECK(c.err == BK_E_SVC_INTERNAL &&
		    strcmp(st.err_msg, "boom") == 0);
	}
	/* Anthropic "error" event inside a chunk */
	n = mkchunk(s, sizeof(s), ev_start);
	n += mkchunk(s + n, sizeof(s) - n, "{\"type\":\"error\",\"error\":{"
	    "\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_E_STREAM_ERROR_EVENT &&
	    strcmp(st.err_type, "overloaded_error") == 0);
	/* malformed chunks */
	n = mkevent(s, sizeof(s), "event", "chunk", "{\"bytes\":\"!!!!\"}");
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_E_BASE64);
	n = mkevent(s, sizeof(s), "event", "chunk", "{\"nobytes\":1}");
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_E_JSON_SHAPE);
	n = mkevent(s, sizeof(s), "event", "chunk", "not json");
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_E_JSON);
	n = mkchunk(s, sizeof(s), "[1,2]");
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_E_JSON_SHAPE);
	/* an escaped '/' in the base64 is still valid JSON */
	{
		char b64[512], pl[600];
		size_t bl, i, o = 0;
		bk_base64_encode((const uint8_t *)ev_start, strlen(ev_start),
		    b64, sizeof(b64), &bl);
		o = (size_t)snprintf(pl, sizeof(pl), "{\"bytes\":\"");
		for (i = 0; i < bl; i++) {
			if (b64[i] == '/')
				pl[o++] = '\\';
			pl[o++] = b64[i];
		}
		snprintf(pl + o, sizeof(pl) - o, "\"}");
		n = mkevent(s, sizeof(s), "event", "chunk", pl);
		n += mkchunk(s + n, sizeof(s) - n, ev_stop);
		run_stream(s, n, &st, &c);
		CHECK(c.err == BK_OK && st.usage.input_tokens == 12);
	}
	/* unknown event and message types are skipped */
	n = mkchunk(s, sizeof(s), ev_start);
	n += mkevent(s + n, sizeof(s) - n, "event", "futureEvent", "{}");
	n += mkevent(s + n, sizeof(s) - n, "future", NULL, "{}");
	n += mkchunk(s + n, sizeof(s) - n, "{\"type\":\"new_thing\"}");
	n += mkchunk(s + n, sizeof(s) - n, ev_stop);
	run_stream(s, n, &st, &c);
	CHECK(c.err == BK_OK);
	check_summary("unit stream");
}

/*
 * The fast paths of bk_stream_message (Bedrock's usual chunk wrapper and
 * text_delta shapes, matched without jsmn) against the jsmn path
 * (slow_only): every input below goes through both, and everything the
 * caller can see must agree; the fast-path counters show which inputs
 * took it.
 */
static uint8_t scratch2[1 << 16];

struct twin {
	struct bk_stream f, s;
};

static void
twin_init(struct twin *t, size_t cap)
{
	bk_stream_init(&t->f, scratch, cap);
	bk_stream_init(&t->s, scratch2, cap);
	t->s.slow_only = 1;
}

/* Offset of p in the stream's scratch, or -1 for NULL. */
static long
soff(const struct bk_stream *st, const char *p)
{
	return p == NULL ? -1L : (long)((const uint8_t *)p - st->scratch);
}

static int
twin_same(const struct twin *t, enum bk_err ra, const struct bk_stream_event *a,
    enum bk_err rb, const struct bk_stream_event *b)
{
	const struct bk_stream *f = &t->f, *s = &t->s;

	return ra == rb && a->kind == b->kind && a->index == b->index &&
	    a->text_len == b->text_len && soff(f, a->text) == soff(s, b->text) &&
	    (a->text_len == 0 || memcmp(a->text, b->text, a->text_len) == 0) &&
	    a->raw_len == b->raw_len && soff(f, a->raw) == soff(s, b->raw) &&
	    (a->raw_len == 0 || memcmp(a->raw, b->raw, a->raw_len) == 0) &&
	    f->err == s->err && strcmp(f->err_type, s->err_type) == 0 &&
	    strcmp(f->err_msg, s->err_msg) == 0 && f->started == s->started &&
	    f->stopped == s->stopped && f->block_open == s->block_open &&
	    memcmp(&f->usage, &s->usage, sizeof(f->usage)) == 0 &&
	    strcmp(f->stop_reason, s->stop_reason) == 0 &&
	    strcmp(f->message_id, s->message_id) == 0;
}

/*
 * One chunk with this payload (plen bytes, NULs allowed) through both
 * streams.  Returns the fast paths taken (1 wrapper, 2 text) or -1 when
 * the two disagree; *rc, *ev: the fast stream's result.
 */
static int
twin_payload(struct twin *t, const char *payload, size_t plen,
    enum bk_err *rc, struct bk_stream_event *ev)
{
	static uint8_t m[1 << 15];
	struct bk_evs_header h[2];
	struct bk_evs d;
	struct bk_stream_event eb;
	uint64_t w = t->f.fast_wrap, x = t->f.fast_text;
	size_t n, used;
	enum bk_err rb;

	memset(h, 0, sizeof(h));
	h[0].name = ":message-type"; h[0].name_len = 13;
	h[0].type = BK_EVS_STRING; h[0].v = (const uint8_t *)"event";
	h[0].v_len = 5;
	h[1].name = ":event-type"; h[1].name_len = 11;
	h[1].type = BK_EVS_STRING; h[1].v = (const uint8_t *)"chunk";
	h[1].v_len = 5;
	if (bk_evs_encode(h, 2, (const uint8_t *)payload, plen, m, sizeof(m),
	    &n) != BK_OK)
		return -1;
	bk_evs_init(&d, evsbuf, sizeof(evsbuf));
	if (bk_evs_push(&d, m, n, &used) != BK_EVS_MESSAGE)
		return -1;
	*rc = bk_stream_message(&t->f, &d.msg, ev);
	rb = bk_stream_message(&t->s, &d.msg, &eb);
	if (t->s.fast_wrap != 0 || t->s.fast_text != 0 ||
	    !twin_same(t, *rc, ev, rb, &eb))
		return -1;
	return (t->f.fast_wrap != w ? 1 : 0) | (t->f.fast_text != x ? 2 : 0);
}

/* pre + base64(inner[0..n)) + post, as a chunk payload. */
static size_t
wrap(char *out, size_t cap, const char *pre, const char *inner, size_t n,
    const char *post)
{
	size_t pl = strlen(pre), bl;

	memcpy(out, pre, pl);
	bk_base64_encode((const uint8_t *)inner, n, out + pl, cap - pl, &bl);
	snprintf(out + pl + bl, cap - pl - bl, "%s", post);
	return pl + bl + strlen(post);
}

#define DELTA_PRE "{\"type\":\"content_block_delta\",\"index\":"
#define DELTA_MID ",\"delta\":{\"type\":\"text_delta\",\"text\":\""

/* The Anthropic event `inner` (n bytes) in the usual wrapper, after a
 * message_start (started = 1), or before it (started = 0). */
static int
twin_event(const char *inner, size_t n, int started, size_t cap,
    enum bk_err *rc, struct bk_stream_event *ev)
{
	static char pl[8192];
	struct twin t;
	size_t k;

	twin_init(&t, cap);
	if (started) {
		k = wrap(pl, sizeof(pl), "{\"bytes\":\"", ev_start,
		    strlen(ev_start), "\",\"p\":\"abc\"}");
		if (twin_payload(&t, pl, k, rc, ev) != 1 || *rc != BK_OK)
			return -1;
	}
	k = wrap(pl, sizeof(pl), "{\"bytes\":\"", inner, n,
	    "\",\"p\":\"abcdefgh\"}");
	return twin_payload(&t, pl, k, rc, ev);
}

static void
test_stream_fast(void)
{
	/* text_delta events: [0] 1 = must take the fast path, 0 = must
	 * not; [1] the event; [2] the text expected, NULL for an error */
	static const struct { int fast; const char *ev, *text; } tx[] = {
		{ 1, DELTA_PRE "0" DELTA_MID "Hello\"}}", "Hello" },
		{ 1, DELTA_PRE "0" DELTA_MID "\"}}", "" },
		{ 1, DELTA_PRE "3" DELTA_MID "a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t"
		    "\"}}", "a\"b\\c/d\b\f\n\r\t" },
		{ 1, DELTA_PRE "0" DELTA_MID "caf\\u00e9 \\ud83c\\udf89 "
		    "\\u00E9\"}}", "caf\xc3\xa9 \xf0\x9f\x8e\x89 \xc3\xa9" },
		{ 1, DELTA_PRE "0" DELTA_MID "\\\\\"}}", "\\" },
		{ 1, DELTA_PRE "0" DELTA_MID "x\\\"}}\"}}", "x\"}}" },
		{ 1, DELTA_PRE "0" DELTA_MID "\\\\\\\"\"}}", "\\\"" },
		{ 1, DELTA_PRE "0" DELTA_MID "raw \x01 \xff bytes\"}}",
		    "raw \x01 \xff bytes" },
		{ 1, DELTA_PRE "0007" DELTA_MID "i\"}}", "i" },
		{ 1, DELTA_PRE "9999999" DELTA_MID "i\"}}", "i" },
		/* rejected by the unescaping: the jsmn path says why */
		{ 0, DELTA_PRE "0" DELTA_MID "\\ud800\"}}", NULL },
		{ 0, DELTA_PRE "0" DELTA_MID "\\udc00\\ud800\"}}", NULL },
		{ 0, DELTA_PRE "0" DELTA_MID "\\x\"}}", NULL },
		{ 0, DELTA_PRE "0" DELTA_MID "\\u12G4\"}}", NULL },
		{ 0, DELTA_PRE "0" DELTA_MID "a\\\"}}", NULL },
		/* other shapes */
		{ 0, DELTA_PRE "0" DELTA_MID "a\"b\"}}", NULL },
		{ 0, DELTA_PRE "0" DELTA_MID "hi\"}} ", "hi" },
		{ 0, DELTA_PRE "0" DELTA_MID "hi\"}}\n", "hi" },
		{ 0, DELTA_PRE "0" DELTA_MID "hi\"}}x", NULL },
		{ 0, DELTA_PRE "0" DELTA_MID "hi\"}", NULL },
		{ 0, DELTA_PRE "0" DELTA_MID "hi", NULL },
		{ 0, DELTA_PRE "0" DELTA_MID "hi\",\"x\":1}}", "hi" },
		{ 0, DELTA_PRE "0" DELTA_MID "a\",\"text\":\"b\"}}", "a" },
		{ 0, DELTA_PRE "0" DELTA_MID "hi\"},\"x\":[1]}", "hi" },
		{ 0, DELTA_PRE "12345678" DELTA_MID "i\"}}", "i" },
		{ 0, DELTA_PRE "-1" DELTA_MID "i\"}}", "i" },
		{ 0, DELTA_PRE "1.5" DELTA_MID "i\"}}", "i" },
		{ 0, DELTA_PRE "null" DELTA_MID "i\"}}", "i" },
		/* jsmn takes a key without a value, and then misses
		 * "delta": not text */
		{ 0, DELTA_PRE DELTA_MID "i\"}}", "" },
		{ 0, "{\"type\": \"content_block_delta\",\"index\":0,\"delta\":"
		    "{\"type\":\"text_delta\",\"text\":\"sp\"}}", "sp" },
		{ 0, "{\"index\":2,\"type\":\"content_block_delta\",\"delta\":"
		    "{\"type\":\"text_delta\",\"text\":\"order\"}}", "order" },
		{ 0, "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
		    "{\"text\":\"order\",\"type\":\"text_delta\"}}", "order" },
		{ 0, "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
		    "{\"type\":\"text_deltax\",\"text\":\"t\"}}", "" },
		{ 0, "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
		    "{\"type\":\"input_json_delta\",\"partial_json\":\"{\"}}",
		    "" },
	};
	static char big[4096];
	struct bk_stream_event ev;
	enum bk_err rc;
	size_t i, n;
	int r;

	for (i = 0; i < sizeof(tx) / sizeof(tx[0]); i++) {
		char ctx[80];
		snprintf(ctx, sizeof(ctx), "text_delta case %zu", i);
		check_ctx = ctx;
		r = twin_event(tx[i].ev, strlen(tx[i].ev), 1, sizeof(scratch),
		    &rc, &ev);
		CHECK(r >= 0 && (r & 1));
		CHECK(r >= 0 && ((r & 2) != 0) == tx[i].fast);
		if (tx[i].text == NULL) {
			CHECK(rc != BK_OK && ev.kind == BK_SEV_ERROR);
		} else if (tx[i].text[0] == '\0' && !tx[i].fast) {
			CHECK(rc == BK_OK);   /* not text: skipped */
		} else {
			CHECK(rc == BK_OK && ev.kind == BK_SEV_TEXT &&
			    ev.text_len == strlen(tx[i].text) &&
			    memcmp(ev.text, tx[i].text, ev.text_len) == 0);
		}
		/* before message_start: the same error both ways */
		r = twin_event(tx[i].ev, strlen(tx[i].ev), 0, sizeof(scratch),
		    &rc, &ev);
		CHECK(r == 1 && rc != BK_OK);
	}
	check_ctx = "";
	/* the index, as tok_u64 reads it: capped, leading zeros */
	r = twin_event(DELTA_PRE "0007" DELTA_MID "i\"}}",
	    strlen(DELTA_PRE "0007" DELTA_MID "i\"}}"), 1, sizeof(scratch),
	    &rc, &ev);
	CHECK(r == 3 && ev.index == 7);
	r = twin_event(DELTA_PRE "9999999" DELTA_MID "i\"}}",
	    strlen(DELTA_PRE "9999999" DELTA_MID "i\"}}"), 1, sizeof(scratch),
	    &rc, &ev);
	CHECK(r == 3 && ev.index == 1000000);
	/* a raw NUL ends a string for jsmn: the fast path must not take it */
	{
		static const char ev0[] = DELTA_PRE "0" DELTA_MID "a\0b\"}}";
		r = twin_event(ev0, LEN(ev0), 1, sizeof(scratch), &rc, &ev);
		CHECK(r == 1 && rc == BK_E_JSON);
		static const char ev1[] = DELTA_PRE "0" DELTA_MID "ab\"}}\0";
		r = twin_event(ev1, LEN(ev1), 1, sizeof(scratch), &rc, &ev);
		CHECK(r == 1 && rc == BK_E_JSON);
	}
	/* a long text with escapes throughout */
	{
		size_t o = (size_t)snprintf(big, sizeof(big), "%s",
		    DELTA_PRE "1" DELTA_MID);
		for (i = 0; i < 300; i++)
			o += (size_t)snprintf(big + o, sizeof(big) - o, "%s",
			    i % 3 == 0 ? "w\\n" : i % 3 == 1 ? "\\u00e9x" :
			    "\\\\");
		o += (size_t)snprintf(big + o, sizeof(big) - o, "\"}}");
		r = twin_event(big, o, 1, sizeof(scratch), &rc, &ev);
		CHECK(r == 3 && rc == BK_OK && ev.text_len == 100 * 6);
	}
	/* no room beside the event: the text is unescaped in place by the
	 * jsmn path, and the raw event is dropped */
	{
		/* longer than message_start, so that one fits too */
		n = (size_t)snprintf(big, sizeof(big), "%s%s%0400d\"}}",
		    DELTA_PRE "0" DELTA_MID, "a\\nb", 0);
		r = twin_event(big, n, 1, sizeof(scratch), &rc, &ev);
		CHECK(r == 3 && ev.raw != NULL && ev.text_len == 403);
		r = twin_event(big, n, 1, n + 8, &rc, &ev);
		CHECK(r == 1 && rc == BK_OK && ev.raw == NULL &&
		    ev.text_len == 403 && memcmp(ev.text, "a\nb0", 4) == 0);
	}

	/* wrappers around a text_delta: 1 = must take the fast path */
	{
		static const char inner[] = DELTA_PRE "0" DELTA_MID "wrapped"
		    "\"}}";
		static const struct { int fast; const char *pre, *post;
		    enum bk_err want; } wx[] = {
			{ 1, "{\"bytes\":\"", "\",\"p\":\"abcXYZ019\"}", BK_OK },
			{ 1, "{\"bytes\":\"", "\"}", BK_OK },
			{ 1, "{\"bytes\":\"", "\",\"p\":\"\"}", BK_OK },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"ab-c\"}", BK_OK },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"a\\\"b\"}", BK_OK },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"abc\",\"q\":1}", BK_OK },
			{ 0, "{\"bytes\":\"", "\",\"q\":\"abc\"}", BK_OK },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"x\",\"p\":\"y\"}",
			    BK_OK },
			{ 0, "{\"bytes\":\"", "\",\"bytes\":\"QUJD\"}", BK_OK },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"abc\"} ", BK_OK },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"abc\"}\n", BK_OK },
			{ 0, "{\"bytes\": \"", "\",\"p\":\"abc\"}", BK_OK },
			{ 0, "{ \"bytes\":\"", "\"}", BK_OK },
			{ 0, "{\"p\":\"abc\",\"bytes\":\"", "\"}", BK_OK },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"abc\"", BK_E_JSON },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"abc\"}}", BK_E_JSON },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"abc\"]", BK_E_JSON },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"abc\"}x", BK_E_JSON },
			{ 0, "{\"bytes\":\"", "\",\"p\":abc}", BK_E_JSON },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"a\\\"}", BK_E_JSON },
			{ 0, "{\"bytes\":\"", "==\",\"p\":\"abc\"}",
			    BK_E_BASE64 },
			{ 0, "{\"bytes\":\"", "\",\"p\":\"abc\"", BK_E_JSON },
			{ 0, "{\"bytes\":\"!", "\"}", BK_E_BASE64 },
			{ 0, "{\"bytes\":\"A", "\",\"p\":\"abc\"}", BK_E_BASE64 },
		};
		static char pl[4096];
		struct twin t;
		size_t k;
		for (i = 0; i < sizeof(wx) / sizeof(wx[0]); i++) {
			char ctx[80];
			snprintf(ctx, sizeof(ctx), "wrapper case %zu", i);
			check_ctx = ctx;
			twin_init(&t, sizeof(scratch));
			k = wrap(pl, sizeof(pl), "{\"bytes\":\"", ev_start,
			    strlen(ev_start), "\"}");
			CHECK(twin_payload(&t, pl, k, &rc, &ev) == 1);
			k = wrap(pl, sizeof(pl), wx[i].pre, inner, LEN(inner),
			    wx[i].post);
			r = twin_payload(&t, pl, k, &rc, &ev);
			CHECK(r >= 0 && (r & 1) == wx[i].fast);
			CHECK(rc == wx[i].want);
			if (rc == BK_OK)
				CHECK(ev.kind == BK_SEV_TEXT &&
				    ev.text_len == 7 && (r & 2) != 0);
		}
		check_ctx = "";
		/* NULs in the wrapper, empty and odd payloads, "\/" */
		twin_init(&t, sizeof(scratch));
		k = wrap(pl, sizeof(pl), "{\"bytes\":\"", ev_start,
		    strlen(ev_start), "\"}");
		CHECK(twin_payload(&t, pl, k, &rc, &ev) == 1);
		{
			static const char *odd[] = { "", "{", "{\"bytes\":\"",
			    "{\"bytes\":\"}", "{\"bytes\":\"\"}",
			    "{\"bytes\":\"\",\"p\":\"\"}", "{\"bytes\":1}",
			    "{\"bytes\":\"\\/\"}", "{\"bytes\":\"\\\"\"}",
			    "{\"bytes\":\"\",\"p\":\"\"}}" };
			for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
				struct twin t2;
				twin_init(&t2, sizeof(scratch));
				CHECK(twin_payload(&t2, odd[i], strlen(odd[i]),
				    &rc, &ev) >= 0 && rc != BK_OK);
			}
		}
		k = wrap(pl, sizeof(pl), "{\"bytes\":\"", inner, LEN(inner),
		    "\",\"p\":\"ab\"}");
		pl[k - 3] = '\0';       /* "p":"a\0" */
		r = twin_payload(&t, pl, k, &rc, &ev);
		CHECK(r >= 0 && (r & 1) == 0 && rc == BK_E_JSON);
		twin_init(&t, sizeof(scratch));
		k = wrap(pl, sizeof(pl), "{\"bytes\":\"", ev_start,
		    strlen(ev_start), "\"}");
		CHECK(twin_payload(&t, pl, k, &rc, &ev) == 1);
		k = wrap(pl, sizeof(pl), "{\"bytes\":\"", inner, LEN(inner),
		    "\"}");
		pl[20] = '\0';          /* inside the base64 */
		r = twin_payload(&t, pl, k, &rc, &ev);
		CHECK(r >= 0 && (r & 1) == 0 && rc == BK_E_JSON);
		/* more base64 than the scratch holds: BK_E_LIMIT both ways */
		{
			struct twin t3;
			twin_init(&t3, 20);
			k = wrap(pl, sizeof(pl), "{\"bytes\":\"", inner,
			    LEN(inner), "\"}");
			r = twin_payload(&t3, pl, k, &rc, &ev);
			CHECK(r == 0 && rc == BK_E_LIMIT);
		}
	}
	/* a whole answer: every delta took both fast paths; only the other
	 * events went to jsmn */
	{
		static uint8_t s[16384];
		struct bk_stream st;
		struct collected c;
		n = mkanswer(s, sizeof(s), 1);
		run_stream(s, n, &st, &c);
		CHECK(c.err == BK_OK && st.fast_wrap == 8 && st.fast_text == 2);
	}
	check_summary("unit stream fast");
}

/* ---- 5. request body ---------------------------------------------------- */

static void
test_body(void)
{
	char m[1024];
	struct bk_buf b;
	struct bk_message msg[3];
	struct bk_body body;
	size_t bad = 0;

	memset(&body, 0, sizeof(body));
	msg[0].role = BK_ROLE_USER;
	msg[0].text = (const uint8_t *)"Hi \"there\"\n\xff";
	msg[0].len = 12;
	body.max_tokens = 4096;
	body.temperature_milli = -1;
	body.messages = msg;
	body.nmessages = 1;
	bk_buf_init(&b, m, sizeof(m));
	CHECK(bk_body_messages(&b, &body, &bad) == BK_OK);
	CHECK_EQ_STR(m, "{\"anthropic_version\":\"bedrock-2023-05-31\","
	    "\"max_tokens\":4096,\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"Hi \\\"there\\\"\\n\xef\xbf\xbd\"}]}");
	CHECK(bad == 1);

	msg[1].role = BK_ROLE_ASSISTANT;
	msg[1].text = (const uint8_t *)"ok";
	msg[1].len = 2;
	msg[2].role = BK_ROLE_USER;
	msg[2].text = (const uint8_t *)"more";
	msg[2].len = 4;
	body.nmessages = 3;
	body.system = (const uint8_t *)"be brief";
	body.system_len = 8;
	body.temperature_milli = 700;
	bk_buf_init(&b, m, sizeof(m));
	CHECK(bk_body_messages(&b, &body, &bad) == BK_OK);
	CHECK(strstr(m, "\"system\":\"be brief\",\"temperature\":0.7,"
	    "\"messages\":[") != NULL);
	CHECK(strstr(m, "{\"role\":\"assistant\",\"content\":\"ok\"},"
	    "{\"role\":\"user\",\"content\":\"more\"}]}") != NULL);
	{
		static const struct { int milli; const char *s; } t[] = {
			{ 0, ":0," }, { 1000, ":1," }, { 25, ":0.025," },
			{ 250, ":0.25," } };
		size_t i;
		for (i = 0; i < 4; i++) {
			body.temperature_milli = t[i].milli;
			bk_buf_init(&b, m, sizeof(m));
			CHECK(bk_body_messages(&b, &body, &bad) == BK_OK &&
			    strstr(m, t[i].s) != NULL);
		}
	}
	body.temperature_milli = 1001;
	CHECK(bk_body_messages(&b, &body, &bad) == BK_E_ARG);
	body.temperature_milli = -1;
	msg[1].role = BK_ROLE_USER;          /* user, user: not alternating */
	CHECK(bk_body_messages(&b, &body, &bad) == BK_E_ARG);
	msg[1].role = BK_ROLE_ASSISTANT;
	body.nmessages = 0;
	CHECK(bk_body_messages(&b, &body, &bad) == BK_E_ARG);
	body.nmessages = 2;
	body.messages = msg + 1;             /* starts with assistant */
	CHECK(bk_body_messages(&b, &body, &bad) == BK_E_ARG);
	body.messages = msg;
	body.max_tokens = 0;
	CHECK(bk_body_messages(&b, &body, &bad) == BK_E_ARG);
	body.max_tokens = 10;
	bk_buf_init(&b, m, 20);
	CHECK(bk_body_messages(&b, &body, &bad) == BK_E_BUFSZ);
	check_summary("unit body");
}

/* ---- 5. service errors --------------------------------------------------- */

static void
test_svc(void)
{
	static const struct { int st; const char *type; const char *msg;
		enum bk_err want; const char *hint; } t[] = {
		{ 403, "AccessDeniedException:http://internal.amazon.com/coral/"
		  "com.amazon.bedrock/", "You don't have access to the model "
		  "with the specified model ID.", BK_E_SVC_ACCESS_DENIED,
		  "bedrock:InvokeModelWithResponseStream" },
		{ 400, "ValidationException", "Invocation of model ID "
		  "anthropic.claude-sonnet-4-6 with on-demand throughput "
		  "isn\xe2\x80\x99t supported. Retry your request with the ID or "
		  "ARN of an inference profile that contains this model.",
		  BK_E_SVC_ON_DEMAND, "--model us.anthropic.claude-sonnet-4-6" },
		{ 400, "ValidationException", "The provided model identifier is "
		  "invalid.", BK_E_SVC_INVALID_MODEL, "list-inference-profiles" },
		{ 400, "ValidationException", "max_tokens: too big",
		  BK_E_SVC_VALIDATION, "--max-tokens" },
		{ 404, "ResourceNotFoundException", "Model not found",
		  BK_E_SVC_NOT_FOUND, "us-east-1" },
		{ 403, "UnrecognizedClientException", "The security token "
		  "included in the request is invalid.",
		  BK_E_SVC_UNRECOGNIZED_CLIENT, "AWS_ACCESS_KEY_ID" },
		{ 403, "InvalidSignatureException", "The request signature we "
		  "calculated does not match", BK_E_SVC_INVALID_SIGNATURE,
		  "AWS_SECRET_ACCESS_KEY" },
		{ 403, "InvalidSignatureException", "Signature expired: "
		  "20240101T000000Z is now earlier than 20240101T000500Z",
		  BK_E_SVC_SIGNATURE_EXPIRED, "clock" },
		{ 403, "ExpiredTokenException", "The security token included "
		  "in the request is expired", BK_E_SVC_EXPIRED_TOKEN,
		  "aws sso login" },
		{ 429, "ThrottlingException", "Too many requests",
		  BK_E_SVC_THROTTLING, "Service Quotas" },
		{ 400, "ServiceQuotaExceededException", "quota",
		  BK_E_SVC_QUOTA, "Service Quotas" },
		{ 500, "InternalServerException", "oops", BK_E_SVC_INTERNAL,
		  "retry" },
		{ 503, "ServiceUnavailableException", "down",
		  BK_E_SVC_UNAVAILABLE, "retry" },
		{ 408, "ModelTimeoutException", "slow", BK_E_SVC_MODEL_TIMEOUT,
		  "retry" },
		{ 429, "ModelNotReadyException", "warming",
		  BK_E_SVC_MODEL_NOT_READY, "retry" },
		{ 424, "ModelErrorException", "bad", BK_E_SVC_MODEL_ERROR,
		  "prompt" },
		{ 502, NULL, NULL, BK_E_SVC_UNAVAILABLE, "retry" },
		{ 418, "TeapotException", "short and stout", BK_E_SVC_OTHER,
		  "message" },
	};
	struct bk_svc_context ctx = { "anthropic.claude-sonnet-4-6",
		"us-east-1", "InvokeModelWithResponseStream" };
	struct bk_svc_error e;
	char body[512];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t bl = 0;
		if (t[i].msg != NULL)
			bl = (size_t)snprintf(body, sizeof(body),
			    "{\"message\":\"%s\"}", t[i].msg);
		bk_svc_error_http(&e, t[i].st, t[i].type,
		    t[i].type ? strlen(t[i].type) : 0, body, bl, &ctx);
		check_ctx = t[i].type ? t[i].type : "(none)";
		CHECK(e.code == t[i].want);
		CHECK(strstr(e.hint, t[i].hint) != NULL);
		CHECK(strchr(e.type, ':') == NULL);
		if (t[i].msg != NULL)
			CHECK(strcmp(e.message, t[i].msg) == 0);
	}
	check_ctx = "";
	/* type from "__type" when the header is missing; "Message" too */
	{
		static const char b2[] = "{\"__type\":\"com.amazon.coral."
		    "service#UnrecognizedClientException\",\"Message\":\"bad\"}";
		bk_svc_error_http(&e, 400, NULL, 0, b2, LEN(b2), &ctx);
	}
	CHECK(e.code == BK_E_SVC_UNRECOGNIZED_CLIENT &&
	    strcmp(e.type, "UnrecognizedClientException") == 0 &&
	    strcmp(e.message, "bad") == 0);
	/* a non-JSON body (a proxy's page) is kept as one clean line */
	bk_svc_error_http(&e, 502, NULL, 0, "<html>\n<b>Bad\tGateway</b>\n",
	    27, &ctx);
	CHECK(e.code == BK_E_SVC_UNAVAILABLE && strchr(e.message, '\n') ==
	    NULL && strcmp(e.type, "HTTP 502") == 0);
	/* the canonical request AWS echoes on a signature mismatch is cut */
	{
		static const char b3[] = "{\"message\":\"The request signature "
		    "we calculated does not match the signature you provided. "
		    "\\n\\nThe Canonical String for this request should have "
		    "been\\n'POST\\n/\\nx-amz-security-token:SECRETTOKEN'\"}";
		bk_svc_error_http(&e, 403, "InvalidSignatureException", 25, b3,
		    LEN(b3), &ctx);
		CHECK(strstr(e.message, "SECRETTOKEN") == NULL &&
		    strstr(e.message, "Canonical") == NULL &&
		    strcmp(e.message + strlen(e.message) - 9, "provided.") == 0);
	}
	/* C1 controls and invalid UTF-8 never reach the terminal */
	{
		static const char b4[] = "{\"message\":\"a\\u009b2Jb\xff\"}";
		bk_svc_error_http(&e, 400, "ValidationException", 19, b4,
		    LEN(b4), &ctx);
		CHECK_EQ_STR(e.message, "a 2Jb?");
	}
	{
		char r[64] = "token=ABCDEFGHIJKL and ABCDEFGHIJKL.";
		char q[16] = "key=shortsec";
		CHECK(bk_redact(r, "ABCDEFGHIJKL") == 2);
		CHECK_EQ_STR(r, "token=[redacted] and [redacted].");
		CHECK(bk_redact(q, "shortsec") == 1);
		CHECK_EQ_STR(q, "key=********");
		CHECK(bk_redact(q, "short") == 0);
	}
	bk_svc_error_stream(&e, BK_E_SVC_THROTTLING, "throttlingException",
	    "slow down", &ctx);
	CHECK(e.code == BK_E_SVC_THROTTLING && strstr(e.hint, "retry"));
	CHECK(bk_err_retryable(BK_E_SVC_THROTTLING) &&
	    bk_err_retryable(BK_E_SVC_UNAVAILABLE) &&
	    !bk_err_retryable(BK_E_SVC_VALIDATION) &&
	    !bk_err_retryable(BK_E_SVC_ACCESS_DENIED));
	check_summary("unit svc-errors");
}

/* ---- 6. models and regions ---------------------------------------------- */

static void
test_models(void)
{
	char m[256];
	struct bk_buf b;

	CHECK(bk_region_valid("us-east-1") && bk_region_valid("eu-central-2"));
	CHECK(!bk_region_valid("") && !bk_region_valid("us east") &&
	    !bk_region_valid("US-EAST-1") && !bk_region_valid("-us") &&
	    !bk_region_valid("us.evil.com"));
	CHECK(strcmp(bk_region_profile_prefix("us-west-2"), "us") == 0);
	CHECK(strcmp(bk_region_profile_prefix("us-gov-west-1"), "us-gov") == 0);
	CHECK(strcmp(bk_region_profile_prefix("eu-west-3"), "eu") == 0);
	CHECK(strcmp(bk_region_profile_prefix("ap-northeast-1"), "jp") == 0);
	CHECK(strcmp(bk_region_profile_prefix("ap-southeast-1"), "apac") == 0);
	CHECK(strcmp(bk_region_profile_prefix("sa-east-1"), "global") == 0);
	bk_buf_init(&b, m, sizeof(m));
	CHECK(bk_model_default("us-east-1", &b) == BK_OK);
	CHECK_EQ_STR(m, "us.anthropic.claude-sonnet-4-6");
	bk_buf_init(&b, m, sizeof(m));
	bk_model_default("ap-south-1", &b);
	CHECK_EQ_STR(m, "global.anthropic.claude-sonnet-4-6");
	bk_buf_init(&b, m, sizeof(m));
	bk_model_path(&b, "arn:aws:bedrock:us-east-1:123456789012:"
	    "application-inference-profile/abc", "invoke");
	CHECK_EQ_STR(m, "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012"
	    "%3Aapplication-inference-profile%2Fabc/invoke");
	check_summary("unit models");
}

/* ---- 6. config files, plans, time and XML parsing ------------------------- */

static void
test_config(void)
{
	static const char cfg[] = "# comment\n[default]\nregion = us-west-2\n"
	    "[profile p]\nrole_arn = arn:aws:iam::1:role/R\nsource_profile = "
	    "default\nservices = s\n[services s]\nbedrock_runtime =\n  "
	    "endpoint_url = https://vpce-1.bedrock-runtime.us-east-1.vpce."
	    "amazonaws.com\n";
	static const char crd[] = "[default]\naws_access_key_id = AKIAX\n"
	    "aws_secret_access_key = SECRETX\n";
	static const char bad[] = "[profile a]\nx = 1\n[profile b\n";
	struct bk_profile_files f;
	struct bk_ini_error err;
	static struct bk_plan plan;
	char v[256];

	memset(&f, 0, sizeof(f));
	f.config = cfg;
	f.config_len = LEN(cfg);
	f.credentials = crd;
	f.credentials_len = LEN(crd);
	CHECK(bk_profile_check(&f, &err) == BK_OK);
	CHECK(bk_profile_get(&f, BK_INI_PROFILE, "default", "REGION", v,
	    sizeof(v), NULL) == BK_OK && strcmp(v, "us-west-2") == 0);
	CHECK(bk_profile_get(&f, BK_INI_PROFILE, "default", "nope", v,
	    sizeof(v), NULL) == BK_E_NOT_FOUND);
	CHECK(bk_profile_get(&f, BK_INI_SERVICES, "s", "bedrock_runtime", v,
	    sizeof(v), NULL) == BK_OK);
	{
		char u[256];
		CHECK(bk_ini_subprop(v, "endpoint_url", u, sizeof(u)) == BK_OK &&
		    strncmp(u, "https://vpce-1.", 15) == 0);
		CHECK(bk_ini_subprop(v, "other", u, sizeof(u)) ==
		    BK_E_NOT_FOUND);
	}
	CHECK(bk_profile_plan(&f, "p", &plan) == BK_OK &&
	    plan.base == BK_BASE_STATIC && plan.nlinks == 1 &&
	    strcmp(plan.base_profile, "default") == 0 &&
	    strcmp(plan.link[0].role_arn, "arn:aws:iam::1:role/R") == 0);
	CHECK(bk_profile_plan(&f, "missing", &plan) == BK_E_NOT_FOUND);
	/* the error names the line */
	f.config = bad;
	f.config_len = LEN(bad);
	CHECK(bk_profile_check(&f, &err) == BK_E_CONFIG && err.line == 3 &&
	    err.file == BK_INI_CONFIG &&
	    strstr(err.msg, "must end with ']'") != NULL);
	/* ~ in overrides */
	{
		char m[128];
		struct bk_buf b;
		bk_buf_init(&b, m, sizeof(m));
		CHECK(bk_aws_file_path("~/x/config", "/home/u", "config", &b) ==
		    BK_OK && strcmp(m, "/home/u/x/config") == 0);
		bk_buf_init(&b, m, sizeof(m));
		CHECK(bk_aws_file_path(NULL, NULL, "config", &b) ==
		    BK_E_NOT_FOUND);
	}
	check_summary("unit config");
}

static void
test_parse(void)
{
	int64_t t;
	char out[64];
	static const char xml[] = "<R><Credentials><AccessKeyId>ASIA&amp;1"
	    "</AccessKeyId><Empty></Empty><N>&#x41;&#66;</N><Bad>&#0;</Bad>"
	    "</Credentials></R>";

	CHECK(bk_time_parse_iso8601("2021-08-05T19:58:02Z", 20, &t) == BK_OK &&
	    t == 1628193482);
	CHECK(bk_time_parse_iso8601("2021-08-05T19:58:02.123Z", 24, &t) ==
	    BK_OK && t == 1628193482);
	CHECK(bk_time_parse_iso8601("2021-08-05T21:58:02+02:00", 25, &t) ==
	    BK_OK && t == 1628193482);
	CHECK(bk_time_parse_iso8601("2021-02-30T00:00:00Z", 20, &t) ==
	    BK_E_ARG);
	CHECK(bk_time_parse_iso8601("2021-08-05T19:58:02", 19, &t) == BK_E_ARG);
	CHECK(bk_time_parse_http("Thu, 05 Aug 2021 19:58:02 GMT", 29, &t) ==
	    BK_OK && t == 1628193482);
	CHECK(bk_time_parse_http("Thu, 05 Foo 2021 19:58:02 GMT", 29, &t) ==
	    BK_E_ARG);
	CHECK(bk_xml_text(xml, LEN(xml), "AccessKeyId", out, sizeof(out)) ==
	    BK_OK && strcmp(out, "ASIA&1") == 0);
	CHECK(bk_xml_text(xml, LEN(xml), "Empty", out, sizeof(out)) == BK_OK &&
	    out[0] == '\0');
	CHECK(bk_xml_text(xml, LEN(xml), "N", out, sizeof(out)) == BK_OK &&
	    strcmp(out, "AB") == 0);
	CHECK(bk_xml_text(xml, LEN(xml), "Bad", out, sizeof(out)) ==
	    BK_E_JSON_SHAPE);
	CHECK(bk_xml_text(xml, LEN(xml), "Missing", out, sizeof(out)) ==
	    BK_E_NOT_FOUND);
	CHECK(bk_xml_text(xml, LEN(xml), "AccessKeyId", out, 4) == BK_E_BUFSZ);
	{
		char h[41];
		bk_sha1_hex("dev", 3, h);
		CHECK(strncmp(h, "34c6fcec", 8) == 0);
	}
	check_summary("unit parse");
}

/* ---- the call, over the fake port --------------------------------------- */

struct sink {
	char text[8192];
	size_t len;
	int stop_after;     /* stop once this many bytes arrived (0: never) */
};

static int
on_text(void *ctx, const char *t, size_t n)
{
	struct sink *s = ctx;

	memcpy(s->text + s->len, t, n);
	s->len += n;
	return s->stop_after > 0 && s->len >= (size_t)s->stop_after;
}

static void
call_init(struct bk_call *c, struct sink *s)
{
	static const char body[] = "{\"anthropic_version\":\"bedrock-2023-05-31\""
	    ",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"hi\"}]}";

	memset(c, 0, sizeof(*c));
	memset(s, 0, sizeof(*s));
	c->endpoint = "https://bedrock-runtime.us-east-1.amazonaws.com";
	c->region = "us-east-1";
	c->model = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
	c->creds.akid = "AKIDEXAMPLE";
	c->creds.secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	c->body = (const uint8_t *)body;
	c->body_len = LEN(body);
	c->on_text = on_text;
	c->ctx = s;
}

static const char evs_headers[] =
    "Content-Type: application/vnd.amazon.eventstream\n"
    "x-amzn-RequestId: 11111111-2222-3333-4444-555555555555\n";

static void
test_call(void)
{
	static uint8_t s[16384];
	struct bk_call c;
	struct sink k;
	const struct bk_fake_request *q;
	size_t n, piece;

	/* a whole answer, delivered in pieces of every size from 1 to 9 */
	n = mkanswer(s, sizeof(s), 1);
	for (piece = 1; piece <= 9; piece++) {
		bk_fake_reset();
		bk_fake_reply(200, evs_headers, s, n, piece, BK_OK);
		call_init(&c, &k);
		c.creds.token = "SESSIONTOKEN";
		CHECK(bk_call_stream(&c) == BK_OK);
		CHECK(k.len == LEN(want_text) &&
		    memcmp(k.text, want_text, k.len) == 0);
		CHECK(c.usage.output_tokens == 7 && c.status == 200);
		CHECK(strcmp(c.stop_reason, "end_turn") == 0);
		CHECK(strcmp(c.request_id,
		    "11111111-2222-3333-4444-555555555555") == 0);
	}
	q = bk_fake_request(0);
	CHECK(q != NULL && strcmp(q->method, "POST") == 0);
	CHECK(q != NULL && strcmp(q->url, "https://bedrock-runtime.us-east-1."
	    "amazonaws.com/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0"
	    "/invoke-with-response-stream") == 0);
	CHECK(q != NULL && strstr(q->headers, "X-Amz-Date: 20150830T123600Z\n"));
	CHECK(q != NULL && strstr(q->headers,
	    "X-Amz-Security-Token: SESSIONTOKEN\n"));
	CHECK(q != NULL && strstr(q->headers, "Authorization: AWS4-HMAC-SHA256 "
	    "Credential=AKIDEXAMPLE/20150830/us-east-1/bedrock/aws4_request, "
	    "SignedHeaders=accept;content-type;host;x-amz-date;"
	    "x-amz-security-token, Signature="));
	CHECK(q != NULL && strstr(q->headers, "Host: bedrock-runtime.us-east-1"
	    ".amazonaws.com\n"));
	CHECK(q != NULL && q->body_len == c.body_len);

	/* an endpoint with a path prefix keeps it, signed */
	bk_fake_reset();
	bk_fake_reply(200, evs_headers, s, n, 0, BK_OK);
	call_init(&c, &k);
	c.endpoint = "https://gateway.example:8443/bedrock/";
	CHECK(bk_call_stream(&c) == BK_OK);
	q = bk_fake_request(0);
	CHECK(q != NULL && strncmp(q->url, "https://gateway.example:8443/"
	    "bedrock/model/us.anthropic", 53) == 0);
	CHECK(q != NULL && strstr(q->headers, "Host: gateway.example:8443\n"));

	/* service error */
	bk_fake_reset();
	{
		static const char eb[] = "{\"message\":\"The provided model "
		    "identifier is invalid.\"}";
		bk_fake_reply(400, "Content-Type: application/json\n"
		    "x-amzn-ErrorType: ValidationException:http://internal."
		    "amazon.com/coral/com.amazon.bedrock/\n", eb, LEN(eb), 7,
		    BK_OK);
	}
	call_init(&c, &k);
	CHECK(bk_call_stream(&c) == BK_E_SVC_INVALID_MODEL);
	CHECK(strcmp(c.svc.type, "ValidationException") == 0 &&
	    c.status == 400 && k.len == 0);

	/* cut after part of the answer */
	bk_fake_reset();
	bk_fake_reply(200, evs_headers, s, n / 2, 5, BK_E_NET);
	call_init(&c, &k);
	CHECK(bk_call_stream(&c) == BK_E_NET);
	CHECK(c.text_bytes == k.len);

	/* a clean end without message_stop */
	bk_fake_reset();
	n = mkanswer(s, sizeof(s), 0);
	bk_fake_reply(200, evs_headers, s, n, 0, BK_OK);
	call_init(&c, &k);
	CHECK(bk_call_stream(&c) == BK_E_STREAM_INCOMPLETE && k.len > 0);

	/* a clean end in the middle of a frame */
	bk_fake_reset();
	bk_fake_reply(200, evs_headers, s, n - 3, 0, BK_OK);
	call_init(&c, &k);
	CHECK(bk_call_stream(&c) == BK_E_EVS_TRUNCATED);
	CHECK(strstr(c.detail, "bytes received") != NULL);

	/* a corrupted byte */
	n = mkanswer(s, sizeof(s), 1);
	s[n - 30] ^= 0x20;
	bk_fake_reset();
	bk_fake_reply(200, evs_headers, s, n, 0, BK_OK);
	call_init(&c, &k);
	CHECK(bk_call_stream(&c) == BK_E_EVS_MESSAGE_CRC);
	CHECK(strstr(c.detail, "checksum") != NULL);

	/* an in-stream exception */
	n = mkchunk(s, sizeof(s), ev_start);
	n += mkevent(s + n, sizeof(s) - n, "exception",
	    "modelStreamErrorException", "{\"message\":\"model broke\"}");
	bk_fake_reset();
	bk_fake_reply(200, evs_headers, s, n, 0, BK_OK);
	call_init(&c, &k);
	CHECK(bk_call_stream(&c) == BK_E_SVC_MODEL_STREAM);
	CHECK(strcmp(c.svc.message, "model broke") == 0 &&
	    strcmp(c.svc.type, "modelStreamErrorException") == 0);

	/* a 200 that is not an event stream (a captive portal, a proxy) */
	bk_fake_reset();
	bk_fake_reply(200, "Content-Type: text/html\n", "<html>", 6, 0, BK_OK);
	call_init(&c, &k);
	CHECK(bk_call_stream(&c) == BK_E_HTTP);

	/* the reader stops us */
	n = mkanswer(s, sizeof(s), 1);
	bk_fake_reset();
	bk_fake_reply(200, evs_headers, s, n, 0, BK_OK);
	call_init(&c, &k);
	k.stop_after = 1;
	CHECK(bk_call_stream(&c) == BK_E_INTERRUPTED);

	/* endpoints we refuse */
	call_init(&c, &k);
	c.endpoint = "ftp://example";
	CHECK(bk_call_stream(&c) == BK_E_ENDPOINT);
	c.endpoint = "https://user@host";
	CHECK(bk_call_stream(&c) == BK_E_ENDPOINT);

	/* no reply at all: the transport's error */
	bk_fake_reset();
	call_init(&c, &k);
	CHECK(bk_call_stream(&c) == BK_E_NET);
	bk_call_free_buffers();
	check_summary("unit call");
}

int
main(void)
{
	test_errors();
	test_buf();
	test_base64();
	test_uri_time();
	test_json();
	test_json_write();
	test_hashes();
	test_sigv4_misc();
	test_evs();
	test_stream();
	test_stream_fast();
	test_body();
	test_svc();
	test_models();
	test_config();
	test_parse();
	test_call();
	return check_total_fail == 0 ? 0 : 1;
}
