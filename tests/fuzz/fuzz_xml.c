/*
 * fuzz_xml.c -- libFuzzer target for STS's XML: AssumeRole,
 * AssumeRoleWithWebIdentity and GetCallerIdentity answers and the Query
 * protocol's <ErrorResponse>.  bk_xml_text() (bedrock.c) directly, with
 * every tag and buffer size its callers use (creds.c, doctor.c), and the
 * document as STS's answer in creds.c's two STS flows (sts_call and
 * reply_error), through bk_creds_resolve() over tests/fuzz/fuzz_port.c.
 *
 * Input: one flags byte, then the document.
 *   flags & 3        0: bk_xml_text only; 1, 2: web identity (the token
 *                    file and AWS_ROLE_ARN in the environment); 3: a role
 *                    chain (--profile fuzz: role_arn + source_profile with
 *                    static keys, SigV4; the slowest, so a quarter)
 *   flags >> 2 & 7   the HTTP status of the answer: 200 400 403 500 503
 *                    429 200 404 (a 5xx, a 429 or a <Code>Throttling
 *                    answer is retried: the same answer comes 3 times)
 *   flags & 0x20     the tag of an extra bk_xml_text call is read from
 *                    the document's first "<...>"
 *
 * Checks (abort() on a violation):
 *  - bk_xml_text(): the output is NUL-terminated inside the buffer on
 *    every result, success or not; a success at one size is the same
 *    success at any larger size, and fits exactly (cap = length + 1); a
 *    BK_E_BUFSZ means the text is longer than the buffer; decoding is
 *    undone by escaping: "<T>" + escape(out) + "</T>" decodes to out;
 *    only documented results;
 *  - the STS flows: the chain's error and report are clean text (the
 *    report one clean line per source), the secret key and the web
 *    identity token appear in none of them, nor in the source, a URL or
 *    a request header; credentials that come back are what bk_xml_text
 *    reads from the answer, and carry no control character (they go into
 *    HTTP headers: X-Amz-Security-Token, the Authorization credential).
 *
 * Built with clang -fsanitize=fuzzer (make build/fuzz/fuzz_xml) and,
 * with -DREPLAY, included by replay.c: every helper is static, prefix fx_.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"
#include "creds.h"
#include "fuzz_port.h"

#define FX_SECRET "fxSecretKeyMARKER/2c9e7b4a1f"
#define FX_WEBTOK "fxWebTokenMARKER.eyJhbGciOi.5d3b"
#define FX_BIG 16384

static char fx_out[FX_BIG], fx_out2[FX_BIG], fx_doc[3 * FX_BIG + 64];

static int
fx_legal(enum bk_err e)
{
	return e == BK_OK || e == BK_E_BUFSZ || e == BK_E_NOT_FOUND ||
	    e == BK_E_JSON_SHAPE;
}

/*
 * The part of an output buffer that matters: the text decoded from n
 * bytes of document is never longer than n, so its NUL is within n + 1
 * bytes.  Filling and scanning only that much keeps the target fast.
 */
static size_t
fx_span(size_t n, size_t cap)
{
	return cap < n + 2 ? cap : n + 2;
}

/* bk_xml_text(xml, tag) at `cap`; checks the NUL whatever the result. */
static enum bk_err
fx_text(const char *xml, size_t n, const char *tag, char *out, size_t cap)
{
	enum bk_err e;

	memset(out, 'Z', fx_span(n, cap));
	e = bk_xml_text(xml, n, tag, out, cap);
	FP_ASSERT(fx_legal(e));
	FP_ASSERT(cap == 0 || fp_terminated(out, fx_span(n, cap)));
	return e;
}

/* The length of the text bk_xml_text() wrote into a buffer filled with
 * 'Z' beforehand: the terminating NUL is the last byte that is not 'Z'
 * (a NUL may also come raw from the document, inside the text). */
static size_t
fx_len(const char *out, size_t cap)
{
	size_t i = cap;

	while (i > 0 && out[i - 1] == 'Z')
		i--;
	FP_ASSERT(i > 0 && out[i - 1] == '\0');
	return i - 1;
}

static void
fx_check_tag(const char *xml, size_t n, const char *tag, size_t cap)
{
	enum bk_err e, big;
	size_t len, blen = 0, o, i;

	big = fx_text(xml, n, tag, fx_out2, sizeof(fx_out2));
	if (big == BK_OK)
		blen = fx_len(fx_out2, fx_span(n, sizeof(fx_out2)));
	e = fx_text(xml, n, tag, fx_out, cap);
	if (e == BK_OK) {
		/* the same at any larger size */
		len = fx_len(fx_out, fx_span(n, cap));
		FP_ASSERT(len < cap);
		FP_ASSERT(big == BK_OK && blen == len &&
		    memcmp(fx_out, fx_out2, len) == 0);
	}
	if (e == BK_E_BUFSZ)
		FP_ASSERT(big != BK_OK || blen + 1 > cap);
	if (e == BK_E_NOT_FOUND || e == BK_E_JSON_SHAPE)
		FP_ASSERT(big == e);
	if (big != BK_OK)
		return;
	/* fits exactly */
	e = fx_text(xml, n, tag, fx_out, blen + 1);
	FP_ASSERT(e == BK_OK && memcmp(fx_out, fx_out2, blen + 1) == 0);
	/* escaping undoes decoding */
	o = 0;
	o += (size_t)snprintf(fx_doc + o, sizeof(fx_doc) - o, "<%s>", tag);
	for (i = 0; i < blen && o + 8 < sizeof(fx_doc); i++) {
		const char *rep = fx_out2[i] == '&' ? "&amp;" : fx_out2[i] ==
		    '<' ? "&lt;" : fx_out2[i] == '>' ? "&gt;" : NULL;
		if (rep != NULL) {
			memcpy(fx_doc + o, rep, strlen(rep));
			o += strlen(rep);
		} else {
			fx_doc[o++] = fx_out2[i];
		}
	}
	if (i < blen)
		return;
	o += (size_t)snprintf(fx_doc + o, sizeof(fx_doc) - o, "</%s>", tag);
	e = fx_text(fx_doc, o, tag, fx_out, sizeof(fx_out));
	FP_ASSERT(e == BK_OK && fx_len(fx_out, fx_span(o,
	    sizeof(fx_out))) == blen &&
	    memcmp(fx_out, fx_out2, blen) == 0);
}

/* Credential text goes into HTTP headers: nothing below 0x20, no DEL. */
static int
fx_header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int
fx_tried_clean(const char *t)
{
	size_t n = strlen(t);

	/* lines, each ended by '\n' */
	return fp_clean(t, 1) && (n == 0 || t[n - 1] == '\n');
}

static void
fx_no_secret(const char *s)
{
	FP_ASSERT(!fp_has(s, FX_SECRET) && !fp_has(s, FX_WEBTOK));
}

/* One bk_creds_resolve() with the document as every STS answer. */
static void
fx_flow(const char *doc, size_t n, int status, int chain)
{
	static struct bk_awsconf c;
	static struct bk_credentials cr;
	static struct bk_chain_report rep;
	static const char cfg[] =
	    "[profile fuzz]\nrole_arn = arn:aws:iam::123456789012:role/fuzz\n"
	    "source_profile = base\nrole_session_name = fuzz-session\n"
	    "[profile base]\naws_access_key_id = AKIDBASEFUZZ\n"
	    "aws_secret_access_key = " FX_SECRET "\nregion = us-west-2\n";
	char head[64];
	enum bk_err e;
	size_t i, hl;

	fp_reset();
	hl = (size_t)snprintf(head, sizeof(head), "%d\r\nContent-Type: "
	    "text/xml\r\n", status);
	for (i = 0; i < 3; i++)
		fp_reply((const uint8_t *)head, hl, (const uint8_t *)doc, n,
		    (size_t)(i + 1) * 7, BK_OK);
	memset(&c, 0, sizeof(c));
	memcpy(c.profile, "default", 8);
	c.profile_from = "default";
	memcpy(c.home, "/home/fuzz", 11);
	memcpy(c.region, "us-west-2", 10);
	c.no_prompt = 1;
	if (chain) {
		/* as --profile fuzz: the chain starts at the profile */
		memcpy(c.profile, "fuzz", 5);
		c.profile_from = "--profile";
		c.profile_explicit = 1;
		c.files.config = cfg;
		c.files.config_len = sizeof(cfg) - 1;
	} else {
		fp_setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token");
		fp_setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web");
		fp_file("/var/run/token", FX_WEBTOK "\n",
		    sizeof(FX_WEBTOK "\n") - 1);
	}
	fp_setenv("AWS_EC2_METADATA_DISABLED", "true");
	e = bk_creds_resolve(&c, &cr, &rep);
	FP_ASSERT(fp_terminated(rep.error, sizeof(rep.error)));
	FP_ASSERT(fp_terminated(rep.tried, sizeof(rep.tried)));
	FP_ASSERT(fp_terminated(cr.source, sizeof(cr.source)));
	FP_ASSERT(fp_clean(rep.error, 0));
	FP_ASSERT(fx_tried_clean(rep.tried));
	FP_ASSERT(fp_clean(cr.source, 0));
	fx_no_secret(rep.error);
	fx_no_secret(rep.tried);
	fx_no_secret(cr.source);
	fx_no_secret(cr.akid);
	fx_no_secret(cr.account_id);
	for (i = 0; i < fp_nrequests(); i++) {
		fx_no_secret(fp_request(i)->url);
		fx_no_secret(fp_request(i)->headers);
	}
	if (e == BK_OK) {
		char want[sizeof(cr.token)];
		FP_ASSERT(status == 200);
		FP_ASSERT(bk_xml_text(doc, n, "AccessKeyId", want,
		    sizeof(cr.akid)) == BK_OK && strcmp(want, cr.akid) == 0);
		FP_ASSERT(bk_xml_text(doc, n, "SecretAccessKey", want,
		    sizeof(cr.secret)) == BK_OK && strcmp(want, cr.secret) == 0);
		FP_ASSERT(bk_xml_text(doc, n, "SessionToken", want,
		    sizeof(cr.token)) == BK_OK && strcmp(want, cr.token) == 0);
		FP_ASSERT(fp_terminated(cr.akid, sizeof(cr.akid)));
		FP_ASSERT(fp_terminated(cr.secret, sizeof(cr.secret)));
		FP_ASSERT(fp_terminated(cr.token, sizeof(cr.token)));
		FP_ASSERT(fp_terminated(cr.account_id, sizeof(cr.account_id)));
		FP_ASSERT(fx_header_safe(cr.akid) && fx_header_safe(cr.secret) &&
		    fx_header_safe(cr.token));
	} else {
		FP_ASSERT(rep.error[0] != '\0');
		FP_ASSERT(rep.code == e);
	}
	bk_credentials_wipe(&cr);
	bk_awsconf_free(&c);
	fp_reset();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the tags and sizes of creds.c and doctor.c */
	static const struct { const char *tag; size_t cap; } uses[] = {
		{ "Code", 96 }, { "Message", 400 }, { "Message", 700 },
		{ "AccessKeyId", 160 }, { "SecretAccessKey", 320 },
		{ "SessionToken", 8192 }, { "Expiration", 64 }, { "Arn", 512 },
		{ "Account", 64 }, { "RequestId", 16 }, { "Type", 1 },
	};
	static const int statuses[] = { 200, 400, 403, 500, 503, 429, 200, 404 };
	char *doc;
	size_t n, i;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	n = size - 1;
	doc = malloc(n > 0 ? n : 1);   /* exactly sized: ASan sees overreads */
	FP_ASSERT(doc != NULL);
	memcpy(doc, data + 1, n);
	for (i = 0; i < sizeof(uses) / sizeof(uses[0]); i++)
		fx_check_tag(doc, n, uses[i].tag, uses[i].cap);
	if (flags & 0x20) {
		/* a tag the document itself names */
		char tag[64];
		const char *lt = memchr(doc, '<', n);
		size_t k = 0;
		if (lt != NULL) {
			lt++;
			while (lt + k < doc + n && k < sizeof(tag) - 1 &&
			    lt[k] != '>' && lt[k] != ' ' && lt[k] != '\0')
				k++;
			memcpy(tag, lt, k);
			tag[k] = '\0';
			if (k > 0)
				fx_check_tag(doc, n, tag, 1 + (flags >> 6) * 17);
		}
	}
	if ((flags & 3) != 0)
		fx_flow(doc, n, statuses[(flags >> 2) & 7], (flags & 3) == 3);
	free(doc);
	return 0;
}
