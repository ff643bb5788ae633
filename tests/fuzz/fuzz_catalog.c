/*
 * fuzz_catalog.c -- libFuzzer target for the model catalogue override
 * file (catalog.c, bk_catalog_load) and everything that reads the merged
 * catalogue afterwards: bk_catalog_count/at/find, bk_model_lifecycle,
 * bk_model_resolve, bk_cost_usd and bk_cost_usd_id.  Pure: no port.
 *
 * Input: one flags byte, then the override JSON.
 *   flags & 1   a known-good override is loaded first, so a failing load
 *               must leave it in force (else the built-in table alone)
 *   flags & 2   a short error buffer (20 bytes)
 *
 * Checks (abort() on a violation):
 *  - the error is NUL-terminated, "" on success, "LINE:COL: what" (one
 *    clean line) on failure; only documented results;
 *  - a failed load changes nothing: the same rows, the same pointers;
 *    loading the same text twice gives the same result;
 *  - after a load every row keeps the documented shape: an id without
 *    blanks or '/', strings NUL-terminated, dates "YYYY-MM-DD" (eol also
 *    ""), prices unknown (< 0) or finite and >= 0, a regional premium up
 *    to 1000 %, a tier multiplier >= 0; every id but an ARN-shaped one
 *    is found again by bk_catalog_find();
 *  - after a successful load, resolving aliases and the loaded rows' ids
 *    (and a few built-in ones) in a few Regions gives
 *    NUL-terminated outputs and notes and documented results; costs are
 *    -1 or finite and >= 0.
 *
 * Built with clang -fsanitize=fuzzer (make build/fuzz/fuzz_catalog) and,
 * with -DREPLAY, included by replay.c: every helper is static, prefix fc_.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"
#include "catalog.h"
#include "fuzz_port.h"

#define FC_ROWS_MAX 256
#define FC_TODAY 1764072000    /* 2025-11-25 */

static const char fc_good[] =
    "{\"models\": [{\"id\": \"anthropic.claude-sonnet-4-6\", \"price\": "
    "{\"input\": 2.5}}, {\"id\": \"anthropic.fuzz-model-v1\", \"name\": "
    "\"Fuzz\", \"family\": \"sonnet\", \"version\": \"9.9\", \"released\": "
    "\"2025-01-01\", \"prefixes\": [\"global\", \"us\"], \"on_demand\": "
    "true, \"max_output\": 64000, \"price\": {\"input\": 1, \"output\": 5, "
    "\"regional_premium\": 10}, \"legacy\": null, \"eol\": \"2099-01-01\"}]}";

struct fc_view {
	size_t n;
	const struct bk_model_info *row[FC_ROWS_MAX];
};

static void
fc_snapshot(struct fc_view *v)
{
	size_t i;

	v->n = bk_catalog_count();
	FP_ASSERT(v->n <= FC_ROWS_MAX);
	for (i = 0; i < v->n; i++) {
		v->row[i] = bk_catalog_at(i);
		FP_ASSERT(v->row[i] != NULL);
	}
	FP_ASSERT(bk_catalog_at(v->n) == NULL);
}

static int
fc_digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
fc_date(const char *s)
{
	return strlen(s) == 10 && fc_digits(s, 4) && s[4] == '-' &&
	    fc_digits(s + 5, 2) && s[7] == '-' && fc_digits(s + 8, 2);
}

static int
fc_price(double p)
{
	return p < 0 || (isfinite(p) && p >= 0);
}

static void
fc_check_row(const struct bk_model_info *m)
{
	const struct bk_model_info *f;

	FP_ASSERT(m->id != NULL && m->id[0] != '\0');
	FP_ASSERT(strpbrk(m->id, " \t\r\n/") == NULL);
	FP_ASSERT(m->name != NULL && m->family != NULL && m->version != NULL &&
	    m->prefixes != NULL);
	(void)strlen(m->name);
	(void)strlen(m->family);
	(void)strlen(m->version);
	(void)strlen(m->prefixes);
	FP_ASSERT(m->released == NULL || m->released[0] == '\0' ||
	    fc_date(m->released));
	FP_ASSERT(m->legacy_date == NULL || fc_date(m->legacy_date));
	FP_ASSERT(m->eol_date == NULL || m->eol_date[0] == '\0' ||
	    fc_date(m->eol_date));
	FP_ASSERT(fc_price(m->in) && fc_price(m->out) &&
	    fc_price(m->cache_write_5m) && fc_price(m->cache_write_1h) &&
	    fc_price(m->cache_read));
	FP_ASSERT(isfinite(m->tier_mult) && m->tier_mult >= 0);
	FP_ASSERT(m->regional_pct >= 0 && m->regional_pct <= 1000);
	FP_ASSERT((unsigned)bk_model_lifecycle(m, FC_TODAY) <= BK_LIFE_EOL);
	if (strncmp(m->id, "arn:", 4) != 0) {
		f = bk_catalog_find(m->id);
		FP_ASSERT(f != NULL && strcmp(f->id, m->id) == 0);
	}
}

static void
fc_cost(double c)
{
	FP_ASSERT(c == -1.0 || (isfinite(c) && c >= 0));
}

static void
fc_resolve(const char *req, const char *region)
{
	char out[256], note[160];
	const struct bk_model_info *info = NULL;
	struct bk_buf b;
	enum bk_err e;

	bk_buf_init(&b, out, sizeof(out));
	memset(note, 'Z', sizeof(note));
	e = bk_model_resolve(req, region, NULL, FC_TODAY, &b, &info, note,
	    sizeof(note));
	FP_ASSERT(e == BK_OK || e == BK_E_ARG || e == BK_E_NO_REGION ||
	    e == BK_E_BUFSZ);
	FP_ASSERT(fp_terminated(note, sizeof(note)));
	FP_ASSERT(out[b.len] == '\0');
	if (e == BK_OK)
		FP_ASSERT(b.len > 0 && strlen(out) == b.len);
	if (e == BK_OK && info != NULL)
		FP_ASSERT(info->id != NULL && strstr(out, info->id) != NULL);
}

static void
fc_check_catalogue(void)
{
	static const char *const regions[] = { "us-east-1", "eu-west-1",
		"ap-northeast-1", "us-gov-west-1", "cn-north-1" };
	static const char *const aliases[] = { "sonnet", "opus", "haiku",
		"fable", "sonnet-4.5", "claude-3.5-haiku", "opus-4-1", "x",
		"sonnet-9.9" };
	struct bk_usage u;
	size_t i, n = bk_catalog_count(), r;

	memset(&u, 0, sizeof(u));
	u.input_tokens = 1000;
	u.output_tokens = 200000;
	u.cache_creation_input_tokens = 50;
	u.cache_read_input_tokens = 7;
	for (i = 0; i < n; i++) {
		const struct bk_model_info *m = bk_catalog_at(i);
		char id[300];
		fc_check_row(m);
		fc_cost(bk_cost_usd(m, &u));
		fc_cost(bk_cost_usd_id(m->id, &u, 10));
		snprintf(id, sizeof(id), "global.%s", m->id);
		fc_cost(bk_cost_usd_id(id, &u, 0));
		/* the loaded rows (after the built-in ones), and a few
		 * built-in ones */
		if (i >= n - 8 || i % 16 == 0)
			fc_resolve(m->id, regions[i % 5]);
	}
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		fc_resolve(aliases[i], regions[i % 5]);
	for (r = 0; r < 5; r++)
		fc_resolve("sonnet", regions[r]);
	fc_resolve("sonnet", NULL);
}

static enum bk_err
fc_load(const char *text, size_t n, char *err, size_t cap)
{
	enum bk_err e;

	memset(err, 'Z', cap);
	e = bk_catalog_load(text, n, err, cap);
	FP_ASSERT(e == BK_OK || e == BK_E_JSON || e == BK_E_JSON_SHAPE ||
	    e == BK_E_LIMIT || e == BK_E_JSON_TOKENS);
	FP_ASSERT(fp_terminated(err, cap));
	FP_ASSERT(fp_clean(err, 0));
	if (e == BK_OK) {
		FP_ASSERT(err[0] == '\0');
	} else if (cap > 4) {
		/* "LINE:COL: what" */
		size_t k = strspn(err, "0123456789");
		FP_ASSERT(k > 0 && (err[k] == ':' || err[k] == '\0'));
	}
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fc_view before, after;
	char err[200], err2[200];
	size_t cap, n, i;
	enum bk_err e, e2;
	char *text;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	n = size - 1;
	text = malloc(n > 0 ? n : 1);   /* exactly sized */
	FP_ASSERT(text != NULL);
	memcpy(text, data + 1, n);
	cap = (flags & 2) ? 20 : sizeof(err);

	bk_catalog_reset();
	if (flags & 1)
		FP_ASSERT(bk_catalog_load(fc_good, sizeof(fc_good) - 1, NULL,
		    0) == BK_OK);
	fc_snapshot(&before);
	e = fc_load(text, n, err, cap);
	fc_snapshot(&after);
	if (e != BK_OK) {
		/* nothing changed */
		FP_ASSERT(after.n == before.n);
		for (i = 0; i < after.n; i++)
			FP_ASSERT(after.row[i] == before.row[i]);
	} else {
		fc_check_catalogue();
	}
	/* the same text again, from the same state */
	bk_catalog_reset();
	if (flags & 1)
		FP_ASSERT(bk_catalog_load(fc_good, sizeof(fc_good) - 1, NULL,
		    0) == BK_OK);
	e2 = fc_load(text, n, err2, cap);
	FP_ASSERT(e2 == e && strcmp(err, err2) == 0);
	fc_snapshot(&before);
	FP_ASSERT(before.n == after.n);
	bk_catalog_reset();
	free(text);
	return 0;
}
