/*
 * fuzz_credjson.c -- libFuzzer target for the credential JSON documents
 * creds.c reads: the container endpoint's answer (ECS, EKS Pod
 * Identity), IMDSv2 (the session token, the role name, the role's
 * credentials), IAM Identity Center (the SSO token cache file, SSO OIDC
 * CreateToken, SSO GetRoleCredentials) and credential_process output,
 * with the error bodies of each.  They go through bk_creds_resolve() over
 * tests/fuzz/fuzz_port.c, so the code under test is the chain itself:
 * creds_from_json, reply_error, imds_get, sso_refresh, from_sso,
 * from_process.
 *
 * Input: one flags byte, then up to three documents separated by the line
 * "\n~~~\n".  In the SSO cache document, every "@S@" becomes a marker
 * secret (a client secret, a token), which no message may show.
 *
 *   flags & 3       0: container (doc 0 is the answer; flags & 0x20 adds
 *                   an authorization token from the environment);
 *                   1: IMDS (doc 0 the token, doc 1 the role name, doc 2
 *                   the credentials); 2: SSO (doc 0 the cache file, doc 1
 *                   CreateToken's answer, asked for when the cached token
 *                   is within 5 minutes of expiry (the clock is
 *                   2025-11-25T12:00:00Z), doc 2 GetRoleCredentials';
 *                   flags & 0x20: an [sso-session] profile, else the
 *                   legacy keys); 3: credential_process (doc 0 its output;
 *                   flags & 0x20: it exits with status 1)
 *   flags >> 2 & 7  the HTTP status of the last answer: 200 200 200 400
 *                   401 403 404 500
 *   flags & 0x40    answers come in 3-byte pieces
 *
 * Checks (abort() on a violation):
 *  - the chain's error, its report (one line per source) and the
 *    credentials' source are NUL-terminated, clean text, without the
 *    marker secret or the container token;
 *  - credentials that come back are exactly what the document says, as a
 *    model of creds.c's rules reads it (AccessKeyId, SecretAccessKey,
 *    Token else SessionToken, AccountId, Expiration; SSO's
 *    roleCredentials), every field NUL-terminated and fit for an HTTP
 *    header, and a field that does not fit its buffer is empty, never
 *    half of the value;
 *  - a refreshed SSO cache file is valid JSON (by a strict grammar, when
 *    the old one was) holding the new accessToken.
 *
 * Built with clang -fsanitize=fuzzer (make build/fuzz/fuzz_credjson) and,
 * with -DREPLAY, included by replay.c: every helper is static, prefix fj_.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"
#include "creds.h"
#include "fuzz_port.h"

#define FJ_SECRET "fjSsoSecretMARKER/7e3a9c1d5b"
#define FJ_CTOKEN "fjContainerTokenMARKER.3f8e"
#define FJ_SEP "\n~~~\n"
#define FJ_SEP_LEN 5
#define FJ_START_URL "https://fuzz.awsapps.com/start"
#define FJ_SESSION "fuzz-sso"

static jsmntok_t fj_tok[4096];

static int
fj_header_safe(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static void
fj_no_secret(const char *s)
{
	FP_ASSERT(!fp_has(s, FJ_SECRET) && !fp_has(s, FJ_CTOKEN));
}

/* creds.c's reading of {"AccessKeyId", ...}, as a model. */
struct fj_want {
	char akid[160], secret[320], token[8192], account[32];
	int64_t exp;
	int ok;
};

static void
fj_model_flat(const char *js, size_t n, struct fj_want *w)
{
	struct bk_json j;
	char exp[64];

	memset(w, 0, sizeof(*w));
	if (bk_json_parse(&j, js, n, fj_tok, 128) != BK_OK ||
	    j.t[0].type != JSMN_OBJECT)
		return;
	if (bk_json_get_str(&j, 0, "AccessKeyId", w->akid, sizeof(w->akid)) !=
	    BK_OK || w->akid[0] == '\0' || bk_json_get_str(&j, 0,
	    "SecretAccessKey", w->secret, sizeof(w->secret)) != BK_OK ||
	    w->secret[0] == '\0')
		return;
	if (bk_json_get_str(&j, 0, "Token", w->token, sizeof(w->token)) !=
	    BK_OK && bk_json_get_str(&j, 0, "SessionToken", w->token,
	    sizeof(w->token)) != BK_OK)
		w->token[0] = '\0';
	if (bk_json_get_str(&j, 0, "AccountId", w->account,
	    sizeof(w->account)) != BK_OK)
		w->account[0] = '\0';
	if (bk_json_get_str(&j, 0, "Expiration", exp, sizeof(exp)) == BK_OK &&
	    exp[0] != '\0' && bk_time_parse_iso8601(exp, strlen(exp),
	    &w->exp) != BK_OK)
		return;
	w->ok = 1;
}

static void
fj_model_sso(const char *js, size_t n, struct fj_want *w)
{
	struct bk_json j;
	uint64_t ms = 0;
	int k, x;

	memset(w, 0, sizeof(*w));
	if (bk_json_parse(&j, js, n, fj_tok, 128) != BK_OK ||
	    (k = bk_json_get(&j, 0, "roleCredentials")) < 0 ||
	    bk_json_get_str(&j, k, "accessKeyId", w->akid, sizeof(w->akid)) !=
	    BK_OK || bk_json_get_str(&j, k, "secretAccessKey", w->secret,
	    sizeof(w->secret)) != BK_OK)
		return;
	if (bk_json_get_str(&j, k, "sessionToken", w->token,
	    sizeof(w->token)) != BK_OK)
		w->token[0] = '\0';
	x = bk_json_get(&j, k, "expiration");
	if (x >= 0 && bk_json_u64(&j, x, &ms) == BK_OK)
		w->exp = (int64_t)(ms / 1000);
	memcpy(w->account, "111122223333", 13);
	w->ok = 1;
}

/* The documents of the input, split at FJ_SEP (at most three). */
struct fj_docs {
	const char *p[3];
	size_t n[3];
	size_t count;
};

static void
fj_split(const char *s, size_t n, struct fj_docs *d)
{
	size_t i, start = 0;

	memset(d, 0, sizeof(*d));
	for (i = 0; i + FJ_SEP_LEN <= n && d->count < 2; i++)
		if (memcmp(s + i, FJ_SEP, FJ_SEP_LEN) == 0) {
			d->p[d->count] = s + start;
			d->n[d->count++] = i - start;
			start = i + FJ_SEP_LEN;
			i = start - 1;
		}
	d->p[d->count] = s + start;
	d->n[d->count++] = n - start;
	for (i = d->count; i < 3; i++) {
		d->p[i] = "";
		d->n[i] = 0;
	}
}

static void
fj_reply(int status, const char *doc, size_t n, size_t piece)
{
	static char heads[FP_MAX_REPLIES][48];
	static size_t next;
	char *h = heads[next++ % FP_MAX_REPLIES];
	int hl = snprintf(h, 48, "%d\r\nContent-Type: application/json\r\n",
	    status);

	fp_reply((const uint8_t *)h, (size_t)hl, (const uint8_t *)doc, n,
	    piece, BK_OK);
}

/* The SSO cache file: "@S@" replaced by the marker. */
static char *
fj_cache(const char *s, size_t n, size_t *out_len)
{
	size_t i, o = 0, k = sizeof(FJ_SECRET) - 1;
	char *p = malloc(n * 10 + 1);

	FP_ASSERT(p != NULL);
	for (i = 0; i < n;) {
		if (n - i >= 3 && memcmp(s + i, "@S@", 3) == 0) {
			memcpy(p + o, FJ_SECRET, k);
			o += k;
			i += 3;
		} else {
			p[o++] = s[i++];
		}
	}
	*out_len = o;
	return p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int statuses[] = { 200, 200, 200, 400, 401, 403, 404, 500 };
	static struct bk_awsconf c;
	static struct bk_credentials cr;
	static struct bk_chain_report rep;
	static struct fj_want want;
	static char cfg[512];
	char cache_path[128], *cache = NULL, hash[41];
	struct fj_docs d;
	size_t piece, cache_len = 0, i;
	int status, mode;
	enum bk_err e;
	uint8_t flags;
	char *text;

	if (size < 1)
		return 0;
	flags = data[0];
	mode = flags & 3;
	status = statuses[(flags >> 2) & 7];
	piece = (flags & 0x40) ? 3 : 0;
	text = malloc(size);          /* exactly sized */
	FP_ASSERT(text != NULL);
	memcpy(text, data + 1, size - 1);
	fj_split(text, size - 1, &d);

	fp_reset();
	memset(&c, 0, sizeof(c));
	memcpy(c.profile, "default", 8);
	c.profile_from = "default";
	memcpy(c.home, "/home/fuzz", 11);
	memcpy(c.region, "us-east-1", 10);
	c.no_prompt = 1;
	fp_setenv("HOME", "/home/fuzz");
	want.ok = 0;
	switch (mode) {
	case 0:
		fp_setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		    "/v2/credentials/fuzz");
		if (flags & 0x20)
			fp_setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN",
			    FJ_CTOKEN);
		fp_setenv("AWS_EC2_METADATA_DISABLED", "true");
		for (i = 0; i < 3; i++)   /* a 5xx is tried three times */
			fj_reply(status, d.p[0], d.n[0], piece);
		if (status == 200)
			fj_model_flat(d.p[0], d.n[0], &want);
		break;
	case 1:
		fj_reply(200, d.p[0], d.n[0], piece);
		fj_reply(200, d.p[1], d.n[1], piece);
		for (i = 0; i < 3; i++)
			fj_reply(status, d.p[2], d.n[2], piece);
		if (status == 200)
			fj_model_flat(d.p[2], d.n[2], &want);
		break;
	case 2:
		if (flags & 0x20) {
			snprintf(cfg, sizeof(cfg), "[default]\nsso_session = "
			    FJ_SESSION "\nsso_account_id = 111122223333\n"
			    "sso_role_name = FuzzRole\n[sso-session " FJ_SESSION
			    "]\nsso_region = us-east-1\nsso_start_url = "
			    FJ_START_URL "\n");
			bk_sha1_hex(FJ_SESSION, strlen(FJ_SESSION), hash);
		} else {
			snprintf(cfg, sizeof(cfg), "[default]\nsso_start_url = "
			    FJ_START_URL "\nsso_region = us-east-1\n"
			    "sso_account_id = 111122223333\n"
			    "sso_role_name = FuzzRole\n");
			bk_sha1_hex(FJ_START_URL, strlen(FJ_START_URL), hash);
		}
		c.files.config = cfg;
		c.files.config_len = strlen(cfg);
		snprintf(cache_path, sizeof(cache_path),
		    "/home/fuzz/.aws/sso/cache/%s.json", hash);
		cache = fj_cache(d.p[0], d.n[0], &cache_len);
		fp_file(cache_path, cache, cache_len);
		{
			/* CreateToken only when the token is within 5 minutes
			 * of expiry, as creds.c decides */
			struct bk_json j;
			char exp[64];
			int64_t t = 0;
			if (bk_json_parse(&j, cache, cache_len, fj_tok, 128) ==
			    BK_OK && bk_json_get_str(&j, 0, "expiresAt", exp,
			    sizeof(exp)) == BK_OK)
				(void)bk_time_parse_iso8601(exp, strlen(exp), &t);
			if (t != 0 && t - 300 <= bk_port_now())
				fj_reply(200, d.p[1], d.n[1], piece);
		}
		fj_reply(status, d.p[2], d.n[2], piece);
		fp_setenv("AWS_EC2_METADATA_DISABLED", "true");
		break;
	default:
		snprintf(cfg, sizeof(cfg), "[default]\ncredential_process = "
		    "/usr/bin/fuzz-creds --profile x\n");
		c.files.config = cfg;
		c.files.config_len = strlen(cfg);
		fp_run((const uint8_t *)d.p[0], d.n[0], (flags & 0x20) ? 1 : 0,
		    BK_OK);
		fp_setenv("AWS_EC2_METADATA_DISABLED", "true");
		if (!(flags & 0x20)) {
			struct bk_json j;
			uint64_t v = 0;
			int k;
			if (bk_json_parse(&j, d.p[0], d.n[0], fj_tok, 64) ==
			    BK_OK && (k = bk_json_get(&j, 0, "Version")) >= 0 &&
			    bk_json_u64(&j, k, &v) == BK_OK && v == 1)
				fj_model_flat(d.p[0], d.n[0], &want);
		}
		break;
	}

	e = bk_creds_resolve(&c, &cr, &rep);

	FP_ASSERT(fp_terminated(rep.error, sizeof(rep.error)));
	FP_ASSERT(fp_terminated(rep.tried, sizeof(rep.tried)));
	FP_ASSERT(fp_terminated(cr.source, sizeof(cr.source)));
	FP_ASSERT(fp_clean(rep.error, 0));
	FP_ASSERT(fp_clean(rep.tried, 1));
	FP_ASSERT(rep.tried[0] == '\0' ||
	    rep.tried[strlen(rep.tried) - 1] == '\n');
	FP_ASSERT(fp_clean(cr.source, 0));
	fj_no_secret(rep.error);
	fj_no_secret(rep.tried);
	fj_no_secret(cr.source);
	for (i = 0; i < fp_nrequests(); i++)
		fj_no_secret(fp_request(i)->url);
	if (e == BK_OK) {
		FP_ASSERT(fp_terminated(cr.akid, sizeof(cr.akid)));
		FP_ASSERT(fp_terminated(cr.secret, sizeof(cr.secret)));
		FP_ASSERT(fp_terminated(cr.token, sizeof(cr.token)));
		FP_ASSERT(fp_terminated(cr.account_id, sizeof(cr.account_id)));
		FP_ASSERT(cr.akid[0] != '\0' && cr.secret[0] != '\0');
		FP_ASSERT(fj_header_safe(cr.akid) && fj_header_safe(cr.secret) &&
		    fj_header_safe(cr.token));
		/* credential_process (mode 3) makes no HTTP call: the
		 * status bits mean nothing there */
		FP_ASSERT(status == 200 || mode == 3);
		if (mode == 2)
			fj_model_sso(d.p[2], d.n[2], &want);
		FP_ASSERT(want.ok);
		FP_ASSERT(strcmp(cr.akid, want.akid) == 0);
		FP_ASSERT(strcmp(cr.secret, want.secret) == 0);
		FP_ASSERT(strcmp(cr.token, want.token) == 0);
		FP_ASSERT(strcmp(cr.account_id, want.account) == 0);
		FP_ASSERT(cr.expiration == want.exp);
	} else {
		FP_ASSERT(rep.error[0] != '\0' && rep.code == e);
	}
	/* a refreshed SSO cache: valid JSON with the new token, when the
	 * old one was valid JSON (jsmn takes some invalid documents, and
	 * what they hold is copied as it was) */
	if (mode == 2 && fp_writes() > 0 && fp_json_valid(cache, cache_len)) {
		size_t n;
		const uint8_t *p = fp_file_get(cache_path, &n);
		struct bk_json j, r;
		static char tokn[8192], tokr[8192];
		FP_ASSERT(p != NULL);
		FP_ASSERT(fp_json_valid((const char *)p, n));
		FP_ASSERT(bk_json_parse(&j, (const char *)p, n, fj_tok,
		    4096) == BK_OK && j.t[0].type == JSMN_OBJECT);
		FP_ASSERT(bk_json_get_str(&j, 0, "accessToken", tokn,
		    sizeof(tokn)) == BK_OK);
		FP_ASSERT(bk_json_parse(&r, d.p[1], d.n[1], fj_tok + 2048,
		    64) == BK_OK && bk_json_get_str(&r, 0, "accessToken", tokr,
		    sizeof(tokr)) == BK_OK);
		/* (invalid UTF-8 in a token is written as U+FFFD) */
		if (bk_utf8_invalid((const uint8_t *)tokr, strlen(tokr)) == 0)
			FP_ASSERT(strcmp(tokn, tokr) == 0);
	}
	bk_credentials_wipe(&cr);
	bk_creds_forget();
	fp_reset();
	free(cache);
	free(text);
	return 0;
}
