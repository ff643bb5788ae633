/*
 * catalog_test.c -- the model catalogue: lookups, alias resolution in
 * every geography, lifecycle notes, cost arithmetic, the override file.
 *
 * "Today" is fixed at 2026-11-10 00:00 UTC, the date of the table, so
 * the expected family defaults and notes do not drift with the clock.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "check.h"

#define DAY 86400
#define COUNTOF_T(a) (sizeof(a) / sizeof((a)[0]))
static const int64_t TODAY = 1794268800;        /* 2026-11-10 */

static char out_mem[256], note[1024];
static struct bk_buf out;
static const struct bk_model_info *info;

/* resolve with the common buffers; returns the code */
static enum bk_err
res(const char *req, const char *region, const struct bk_model_overrides *ov)
{
	bk_buf_init(&out, out_mem, sizeof(out_mem));
	return bk_model_resolve(req, region, ov, TODAY, &out, &info, note,
	    sizeof(note));
}

/* resolve and compare the ID; print the note on a mismatch */
static int
expect(const char *req, const char *region, const char *want)
{
	enum bk_err e = res(req, region, NULL);
	int ok = e == BK_OK && strcmp(out_mem, want) == 0;

	if (!ok)
		fprintf(stderr, "  %s @ %s: got %s [%s] (%s), want %s\n", req,
		    region, bk_errname(e), out_mem, note, want);
	return ok;
}

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-9 * (fabs(b) > 1 ? fabs(b) : 1);
}

static void
test_table(void)
{
	size_t i;

	CHECK(bk_catalog_count() >= 25);
	for (i = 0; i < bk_catalog_count(); i++) {
		const struct bk_model_info *m = bk_catalog_at(i);
		check_ctx = m->id;
		CHECK(strncmp(m->id, "anthropic.claude-", 17) == 0);
		CHECK(bk_catalog_find(m->id) == m);
		CHECK(strlen(m->released) == 10);
		CHECK(m->prefixes[0] != '\0' || m->on_demand);
		CHECK(m->max_output >= 4096);
		CHECK(m->in > 0 && near(m->out, 5 * m->in));
		/* Anthropic's cache multipliers, where the row has them
		 * (Claude 3 Haiku's write is $0.30, 1.2x: its own price) */
		if (m->cache_write_5m >= 0 && strstr(m->id, "3-haiku") == NULL) {
			CHECK(near(m->cache_write_5m, 1.25 * m->in));
			CHECK(near(m->cache_write_1h, 2 * m->in));
		}
		if (m->legacy_date != NULL && m->eol_date != NULL &&
		    m->eol_date[0] != '\0')
			CHECK(strcmp(m->legacy_date, m->eol_date) < 0);
	}
	check_ctx = "";
	CHECK(bk_catalog_at(bk_catalog_count()) == NULL);
	check_summary("catalog table");
}

static void
test_find(void)
{
	const struct bk_model_info *s46 =
	    bk_catalog_find("anthropic.claude-sonnet-4-6");
	const struct bk_model_info *h3 =
	    bk_catalog_find("anthropic.claude-3-haiku-20240307-v1:0");

	CHECK(s46 != NULL && strcmp(s46->version, "4.6") == 0);
	CHECK(h3 != NULL && h3->on_demand);
	CHECK(bk_catalog_find("us.anthropic.claude-sonnet-4-6") == s46);
	CHECK(bk_catalog_find("global.anthropic.claude-sonnet-4-6") == s46);
	CHECK(bk_catalog_find("eu.anthropic.claude-sonnet-4-6") == s46);
	CHECK(bk_catalog_find("us-gov.anthropic.claude-3-haiku-20240307-v1:0")
	    == h3);
	CHECK(bk_catalog_find("apac.anthropic.claude-3-haiku-20240307-v1:0")
	    == h3);
	CHECK(bk_catalog_find("arn:aws:bedrock:us-east-1::foundation-model/"
	    "anthropic.claude-3-haiku-20240307-v1:0") == h3);
	CHECK(bk_catalog_find("arn:aws-us-gov:bedrock:us-gov-west-1::"
	    "foundation-model/anthropic.claude-3-haiku-20240307-v1:0") == h3);
	CHECK(bk_catalog_find("arn:aws:bedrock:eu-west-1:123456789012:"
	    "inference-profile/eu.anthropic.claude-sonnet-4-6") == s46);
	CHECK(bk_catalog_find("arn:aws:bedrock:us-east-1:123456789012:"
	    "application-inference-profile/a1b2c3d4e5f6") == NULL);
	CHECK(bk_catalog_find("arn:aws:bedrock:us-east-1:123456789012:"
	    "provisioned-model/abc") == NULL);
	CHECK(bk_catalog_find("arn:aws:bedrock:us-east-1") == NULL);
	CHECK(bk_catalog_find("anthropic.claude-sonnet-4-7") == NULL);
	CHECK(bk_catalog_find("us.meta.llama3-3-70b-instruct-v1:0") == NULL);
	CHECK(bk_catalog_find("") == NULL);
	CHECK(bk_catalog_find(NULL) == NULL);
	/* the Claude API's names are not Bedrock IDs */
	CHECK(bk_catalog_find("claude-sonnet-4-6") == NULL);
	check_summary("catalog find");
}

/* Every family alias in every Region of the brief. */
static void
test_aliases(void)
{
	static const struct {
		const char *region, *sonnet, *opus, *haiku, *fable;
	} t[] = {
		{ "us-east-1", "us.anthropic.claude-sonnet-5-5",
		  "us.anthropic.claude-opus-5-5", "us.anthropic.claude-haiku-5-5",
		  "us.anthropic.claude-fable-5-2" },
		{ "us-west-2", "us.anthropic.claude-sonnet-5-5",
		  "us.anthropic.claude-opus-5-5", "us.anthropic.claude-haiku-5-5",
		  "us.anthropic.claude-fable-5-2" },
		{ "eu-west-1", "eu.anthropic.claude-sonnet-5-5",
		  "eu.anthropic.claude-opus-5-5", "eu.anthropic.claude-haiku-5-5",
		  "global.anthropic.claude-fable-5-1" },
		{ "eu-central-1", "eu.anthropic.claude-sonnet-5-5",
		  "eu.anthropic.claude-opus-5-5", "eu.anthropic.claude-haiku-5-5",
		  "global.anthropic.claude-fable-5-1" },
		{ "ap-northeast-1", "jp.anthropic.claude-sonnet-5-5",
		  "jp.anthropic.claude-opus-5-5", "jp.anthropic.claude-haiku-5-5",
		  "global.anthropic.claude-fable-5-1" },
		{ "ap-southeast-2", "au.anthropic.claude-sonnet-5-5",
		  "au.anthropic.claude-opus-5-5", "au.anthropic.claude-haiku-5-5",
		  "global.anthropic.claude-fable-5-1" },
		{ "ap-south-1", "global.anthropic.claude-sonnet-5-5",
		  "global.anthropic.claude-opus-5-5",
		  "global.anthropic.claude-haiku-5-5",
		  "global.anthropic.claude-fable-5-1" },
		{ "sa-east-1", "global.anthropic.claude-sonnet-5-5",
		  "global.anthropic.claude-opus-5-5",
		  "global.anthropic.claude-haiku-5-5",
		  "global.anthropic.claude-fable-5-1" },
		{ "us-gov-west-1", "us-gov.anthropic.claude-sonnet-5-5", NULL,
		  "us-gov.anthropic.claude-haiku-5-5", NULL },
		{ "ca-central-1", "us.anthropic.claude-sonnet-5-5",
		  "us.anthropic.claude-opus-5-5", "us.anthropic.claude-haiku-5-5",
		  "us.anthropic.claude-fable-5-2" },
		{ "cn-north-1", NULL, NULL, NULL, NULL },
	};
	size_t i, f;

	for (i = 0; i < COUNTOF_T(t); i++) {
		const char *want[4] = { t[i].sonnet, t[i].opus, t[i].haiku,
			t[i].fable };
		const char *alias[4] = { "sonnet", "opus", "haiku", "fable" };
		check_ctx = t[i].region;
		for (f = 0; f < 4; f++) {
			if (want[f] != NULL) {
				CHECK(expect(alias[f], t[i].region, want[f]));
				CHECK(note[0] == '\0');
				CHECK(info != NULL &&
				    strcmp(info->family, alias[f]) == 0);
			} else {
				CHECK(res(alias[f], t[i].region, NULL) ==
				    BK_E_ARG);
				CHECK(info == NULL);
				CHECK(strstr(note, "cannot be reached") != NULL ||
				    strstr(note, "China") != NULL);
			}
		}
	}
	check_ctx = "";
	/* why GovCloud has no Opus: the newest Opus and its prefixes */
	CHECK(res("opus", "us-gov-east-1", NULL) == BK_E_ARG);
	CHECK(strstr(note, "Claude Opus 5.5") != NULL);
	CHECK(strstr(note, "global us eu jp au") != NULL);
	CHECK(res("sonnet", "cn-northwest-1", NULL) == BK_E_ARG);
	CHECK(strstr(note, "China") != NULL);
	/* spelling and case */
	CHECK(expect("Sonnet", "us-east-1", "us.anthropic.claude-sonnet-5-5"));
	CHECK(expect("OPUS", "eu-west-3", "eu.anthropic.claude-opus-5-5"));
	CHECK(expect("", "us-east-1", "us.anthropic.claude-sonnet-5-5"));
	CHECK(expect(NULL, "eu-west-1", "eu.anthropic.claude-sonnet-5-5"));
	/* ap-* without a geography of its own: apac, else global */
	CHECK(expect("sonnet-4", "ap-southeast-1",
	    "apac.anthropic.claude-sonnet-4-20250514-v1:0"));
	CHECK(expect("sonnet-4", "ap-south-1",
	    "apac.anthropic.claude-sonnet-4-20250514-v1:0"));
	CHECK(expect("sonnet-4", "ap-northeast-1",
	    "apac.anthropic.claude-sonnet-4-20250514-v1:0"));
	CHECK(expect("sonnet", "ap-southeast-1",
	    "global.anthropic.claude-sonnet-5-5"));
	CHECK(expect("sonnet", "me-central-1",
	    "global.anthropic.claude-sonnet-5-5"));
	CHECK(expect("sonnet", "ca-west-1",
	    "global.anthropic.claude-sonnet-5-5"));
	/* no Region, no profile */
	CHECK(res("sonnet", NULL, NULL) == BK_E_NO_REGION);
	CHECK(res("opus-4.6", "", NULL) == BK_E_NO_REGION);
	check_summary("catalog aliases");
}

static void
test_versions(void)
{
	CHECK(expect("sonnet-4.6", "us-east-1", "us.anthropic.claude-sonnet-4-6"));
	CHECK(note[0] == '\0');
	CHECK(expect("sonnet-4-6", "ap-northeast-3",
	    "jp.anthropic.claude-sonnet-4-6"));
	CHECK(expect("sonnet4.6", "eu-north-1", "eu.anthropic.claude-sonnet-4-6"));
	CHECK(expect("claude-sonnet-4-6", "us-east-2",
	    "us.anthropic.claude-sonnet-4-6"));
	CHECK(expect("opus-4.6", "ap-southeast-4",
	    "au.anthropic.claude-opus-4-6-v1"));
	/* Opus 4.6 has no jp. profile on record: global from Tokyo */
	CHECK(expect("opus-4.6", "ap-northeast-1",
	    "global.anthropic.claude-opus-4-6-v1"));
	CHECK(expect("opus-5", "ap-northeast-1",
	    "global.anthropic.claude-opus-5"));
	CHECK(expect("haiku-4.5", "ap-northeast-1",
	    "jp.anthropic.claude-haiku-4-5-20251001-v1:0"));
	CHECK(expect("fable-5.1", "us-east-1", "us.anthropic.claude-fable-5-1"));
	CHECK(res("fable-5.2", "eu-west-1", NULL) == BK_E_ARG);
	CHECK(strstr(note, "\"us\"") != NULL);

	/* Legacy: resolved, with a note */
	CHECK(expect("sonnet-4.5", "us-east-1",
	    "us.anthropic.claude-sonnet-4-5-20250929-v1:0"));
	CHECK_EQ_STR(note, "anthropic.claude-sonnet-4-5-20250929-v1:0 is Legacy "
	    "in Bedrock since 2026-10-08 and reaches end of life on "
	    "2027-04-08; use sonnet");
	CHECK(info != NULL && bk_model_lifecycle(info, TODAY) == BK_LIFE_LEGACY);
	CHECK(expect("sonnet-4.5", "us-gov-west-1",
	    "us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0"));
	CHECK(expect("opus-4.1", "us-east-1",
	    "us.anthropic.claude-opus-4-1-20250805-v1:0"));
	CHECK(strstr(note, "Legacy") != NULL && strstr(note, "use opus"));
	CHECK(res("opus-4.1", "eu-west-1", NULL) == BK_E_ARG);
	CHECK(strstr(note, "Claude Opus 4.1") != NULL);

	/* EOL: still resolved (some Regions lag), with the warning */
	CHECK(expect("haiku-3", "us-east-1",
	    "us.anthropic.claude-3-haiku-20240307-v1:0"));
	CHECK_EQ_STR(note, "anthropic.claude-3-haiku-20240307-v1:0 reached end "
	    "of life on 2026-09-10 in Bedrock (dates differ by Region); "
	    "use haiku");
	/* sa-east-1 still serves Claude 3 Haiku in-Region, on demand */
	CHECK(expect("haiku-3", "sa-east-1",
	    "anthropic.claude-3-haiku-20240307-v1:0"));
	CHECK(expect("haiku-3.5", "us-west-2",
	    "us.anthropic.claude-3-5-haiku-20241022-v1:0"));
	CHECK(strstr(note, "2026-06-19") != NULL);
	CHECK(expect("sonnet-3.7", "eu-west-1",
	    "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"));
	CHECK(strstr(note, "2026-07-30") != NULL);
	CHECK(expect("opus-4", "us-east-1",
	    "us.anthropic.claude-opus-4-20250514-v1:0"));
	CHECK(strstr(note, "reached end of life on 2026-05-31") != NULL);
	CHECK(expect("opus-3", "us-west-2",
	    "us.anthropic.claude-3-opus-20240229-v1:0"));
	CHECK_EQ_STR(note, "anthropic.claude-3-opus-20240229-v1:0 has reached "
	    "end of life in Bedrock; use opus");
	/* two 3.5 Sonnets: the newer, unless only the older reaches */
	CHECK(expect("sonnet-3.5", "us-east-1",
	    "us.anthropic.claude-3-5-sonnet-20241022-v2:0"));
	CHECK(expect("sonnet-3.5", "eu-west-1",
	    "eu.anthropic.claude-3-5-sonnet-20240620-v1:0"));
	CHECK(expect("claude-3-5-haiku", "us-east-1",
	    "us.anthropic.claude-3-5-haiku-20241022-v1:0"));
	CHECK(expect("3.7-sonnet", "us-east-1",
	    "us.anthropic.claude-3-7-sonnet-20250219-v1:0"));
	CHECK(expect("claude-3-haiku", "us-gov-east-1",
	    "us-gov.anthropic.claude-3-haiku-20240307-v1:0"));

	/* unknown version, unknown alias: the list of known ones */
	CHECK(res("opus-9", "us-east-1", NULL) == BK_E_ARG);
	CHECK(strstr(note, "no model in the catalogue matches \"opus-9\"") !=
	    NULL);
	CHECK(res("sonet", "us-east-1", NULL) == BK_E_ARG);
	CHECK(strncmp(note, "unknown model alias \"sonet\"; known aliases: "
	    "sonnet, opus, haiku, fable", 70) == 0);
	CHECK(strstr(note, "sonnet-4.5") != NULL);
	CHECK(strstr(note, "haiku-3.5") != NULL);
	CHECK(strstr(note, "opus-4.1") != NULL);
	CHECK(strstr(note, "fable-5.2") != NULL);
	CHECK(strstr(note, ", sonnet-3.5, sonnet-3,") != NULL); /* once */
	CHECK(res("opusplan", "us-east-1", NULL) == BK_E_ARG);
	CHECK(res("sonnet-4-20250514", "us-east-1", NULL) == BK_E_ARG);
	CHECK(res("sonnet[1m]", "us-east-1", NULL) == BK_E_ARG);
	CHECK(res("haiku-", "us-east-1", NULL) == BK_E_ARG);
	check_summary("catalog versions");
}

static void
test_explicit(void)
{
	struct bk_model_overrides ov;
	static const char *const ids[] = {
		"us.anthropic.claude-sonnet-4-6",
		"global.anthropic.claude-opus-5-5",
		"arn:aws:bedrock:us-east-1:123456789012:"
		    "application-inference-profile/a1b2c3d4e5f6",
		"arn:aws:bedrock:us-east-1::foundation-model/"
		    "anthropic.claude-3-haiku-20240307-v1:0",
		"meta.llama3-3-70b-instruct-v1:0",
		"us.anthropic.claude-sonnet-9-9",
	};
	size_t i;

	for (i = 0; i < COUNTOF_T(ids); i++) {
		check_ctx = ids[i];
		CHECK(res(ids[i], "eu-west-1", NULL) == BK_OK);
		CHECK_EQ_STR(out_mem, ids[i]);
	}
	check_ctx = "";
	CHECK(res(ids[0], "eu-west-1", NULL) == BK_OK && info != NULL &&
	    strcmp(info->version, "4.6") == 0 && note[0] == '\0');
	CHECK(res(ids[2], "eu-west-1", NULL) == BK_OK && info == NULL &&
	    note[0] == '\0');
	/* explicit IDs need no Region */
	CHECK(res(ids[1], NULL, NULL) == BK_OK && info != NULL);
	/* the seed's IDs: unchanged, warned */
	CHECK(res("anthropic.claude-3-sonnet-20240229-v1:0", "us-east-1", NULL)
	    == BK_OK);
	CHECK_EQ_STR(out_mem, "anthropic.claude-3-sonnet-20240229-v1:0");
	CHECK_EQ_STR(note, "anthropic.claude-3-sonnet-20240229-v1:0 reached end "
	    "of life on 2026-07-30 in Bedrock (dates differ by Region); "
	    "use sonnet");
	CHECK(res("eu.anthropic.claude-3-5-sonnet-20240620-v1:0", "eu-west-1",
	    NULL) == BK_OK && strstr(note, "end of life") != NULL);
	/* a profile-only base ID: a hint before the service refuses it */
	CHECK(res("anthropic.claude-sonnet-4-6", "eu-central-1", NULL) == BK_OK);
	CHECK_EQ_STR(out_mem, "anthropic.claude-sonnet-4-6");
	CHECK_EQ_STR(note, "anthropic.claude-sonnet-4-6 needs an inference "
	    "profile; try eu.anthropic.claude-sonnet-4-6");
	CHECK(res("anthropic.claude-3-haiku-20240307-v1:0", "us-east-1", NULL)
	    == BK_OK && strstr(note, "needs") == NULL);

	/* ANTHROPIC_DEFAULT_*_MODEL: the bare family alias, verbatim */
	memset(&ov, 0, sizeof(ov));
	ov.sonnet = "arn:aws:bedrock:us-east-1:123456789012:"
	    "application-inference-profile/team-sonnet";
	ov.haiku = "us.anthropic.claude-3-5-haiku-20241022-v1:0";
	ov.opus = "";
	CHECK(res("sonnet", "us-east-1", &ov) == BK_OK);
	CHECK_EQ_STR(out_mem, ov.sonnet);
	CHECK(info == NULL && note[0] == '\0');
	CHECK(res("SONNET", "eu-west-1", &ov) == BK_OK);
	CHECK_EQ_STR(out_mem, ov.sonnet);
	CHECK(res("haiku", "eu-west-1", &ov) == BK_OK);
	CHECK_EQ_STR(out_mem, ov.haiku);
	CHECK(info != NULL && strstr(note, "end of life") != NULL);
	CHECK(res("opus", "eu-west-1", &ov) == BK_OK);   /* "" is unset */
	CHECK_EQ_STR(out_mem, "eu.anthropic.claude-opus-5-5");
	CHECK(res("sonnet-4.6", "eu-west-1", &ov) == BK_OK); /* versioned */
	CHECK_EQ_STR(out_mem, "eu.anthropic.claude-sonnet-4-6");
	CHECK(res("sonnet", NULL, &ov) == BK_OK);   /* no Region needed */
	ov.sonnet = "opus";                          /* verbatim, not re-read */
	CHECK(res("sonnet", "us-east-1", &ov) == BK_OK);
	CHECK_EQ_STR(out_mem, "opus");

	/* short buffers */
	{
		char small[8], tiny[10];
		struct bk_buf b;
		bk_buf_init(&b, small, sizeof(small));
		CHECK(bk_model_resolve("sonnet", "us-east-1", NULL, TODAY, &b,
		    NULL, NULL, 0) == BK_E_BUFSZ);
		bk_buf_init(&out, out_mem, sizeof(out_mem));
		CHECK(bk_model_resolve("haiku-3", "us-east-1", NULL, TODAY,
		    &out, NULL, tiny, sizeof(tiny)) == BK_OK);
		CHECK(strlen(tiny) == sizeof(tiny) - 1);
		CHECK(strncmp(tiny, "anthropic", 9) == 0);
	}
	check_summary("catalog explicit");
}

static void
test_lifecycle(void)
{
	const struct bk_model_info *s45 =
	    bk_catalog_find("anthropic.claude-sonnet-4-5-20250929-v1:0");
	const struct bk_model_info *s4 =
	    bk_catalog_find("anthropic.claude-sonnet-4-20250514-v1:0");
	const struct bk_model_info *o3 =
	    bk_catalog_find("anthropic.claude-3-opus-20240229-v1:0");
	const struct bk_model_info *s55 =
	    bk_catalog_find("anthropic.claude-sonnet-5-5");
	const int64_t oct7 = 1791331200, oct8 = 1791417600;
	const int64_t apr7 = 1807056000, apr8 = 1807142400;

	CHECK(bk_model_lifecycle(s45, oct7) == BK_LIFE_ACTIVE);
	CHECK(bk_model_lifecycle(s45, oct8 - 1) == BK_LIFE_ACTIVE);
	CHECK(bk_model_lifecycle(s45, oct8) == BK_LIFE_LEGACY);
	CHECK(bk_model_lifecycle(s45, apr7 + DAY - 1) == BK_LIFE_LEGACY);
	CHECK(bk_model_lifecycle(s45, apr8) == BK_LIFE_EOL);
	CHECK(bk_model_lifecycle(s4, TODAY) == BK_LIFE_EOL);
	CHECK(bk_model_lifecycle(o3, 0) == BK_LIFE_EOL);
	CHECK(bk_model_lifecycle(s55, TODAY) == BK_LIFE_ACTIVE);
	CHECK(bk_model_lifecycle(s55, -1) == BK_LIFE_ACTIVE);
	/* before Sonnet 4.5 went Legacy the note is silent */
	bk_buf_init(&out, out_mem, sizeof(out_mem));
	CHECK(bk_model_resolve("sonnet-4.5", "us-east-1", NULL, oct7, &out,
	    &info, note, sizeof(note)) == BK_OK && note[0] == '\0');
	/* the family default moves with "today": a clock before Sonnet 5.5's
	 * release (2026-09-28) gets Sonnet 5 */
	bk_buf_init(&out, out_mem, sizeof(out_mem));
	CHECK(bk_model_resolve("sonnet", "eu-west-1", NULL,
	    1790000000 /* 2026-09-21 */, &out, &info, note, sizeof(note)) ==
	    BK_OK);
	CHECK_EQ_STR(out_mem, "eu.anthropic.claude-sonnet-5");
	bk_buf_init(&out, out_mem, sizeof(out_mem));
	CHECK(bk_model_resolve("sonnet", "eu-west-1", NULL,
	    1790553600 /* 2026-09-28 */, &out, &info, note, sizeof(note)) ==
	    BK_OK);
	CHECK_EQ_STR(out_mem, "eu.anthropic.claude-sonnet-5-5");
	check_summary("catalog lifecycle");
}

static void
test_cost(void)
{
	const struct bk_model_info *s46 =
	    bk_catalog_find("anthropic.claude-sonnet-4-6");
	const struct bk_model_info *s3 =
	    bk_catalog_find("anthropic.claude-3-sonnet-20240229-v1:0");
	const struct bk_model_info *h55 =
	    bk_catalog_find("anthropic.claude-haiku-5-5");
	struct bk_usage u;

	/* one million of each: 3 + 15 + 3.75 + 0.30 */
	u.input_tokens = 1000000;
	u.output_tokens = 1000000;
	u.cache_creation_input_tokens = 1000000;
	u.cache_read_input_tokens = 1000000;
	CHECK(near(bk_cost_usd(s46, &u), 22.05));
	CHECK(near(bk_cost_usd_id("global.anthropic.claude-sonnet-4-6", &u, 0),
	    22.05));
	/* geo profiles and in-Region IDs: +10% from Sonnet 4.5 on */
	CHECK(near(bk_cost_usd_id("us.anthropic.claude-sonnet-4-6", &u, 0),
	    24.255));
	CHECK(near(bk_cost_usd_id("arn:aws:bedrock:eu-west-2::foundation-model/"
	    "anthropic.claude-sonnet-4-6", &u, 0), 24.255));
	CHECK(near(bk_cost_usd_id("arn:aws:bedrock:us-east-1:123456789012:"
	    "inference-profile/global.anthropic.claude-sonnet-4-6", &u, 0),
	    22.05));
	/* older models keep one price everywhere */
	CHECK(near(bk_cost_usd_id("us.anthropic.claude-sonnet-4-20250514-v1:0",
	    &u, 0), 22.05));
	/* 400k of the writes at the 1-hour rate: 0.6*3.75 + 0.4*6 */
	CHECK(near(bk_cost_usd_id("global.anthropic.claude-sonnet-4-6", &u,
	    400000), 3 + 15 + 2.25 + 2.4 + 0.3));
	/* more 1-hour tokens than writes: capped */
	CHECK(near(bk_cost_usd_id("global.anthropic.claude-sonnet-4-6", &u,
	    5000000), 3 + 15 + 6 + 0.3));
	/* GovCloud and unknown models: no price, not a guess */
	CHECK(bk_cost_usd_id("us-gov.anthropic.claude-sonnet-5-5", &u, 0) < 0);
	CHECK(bk_cost_usd_id("arn:aws-us-gov:bedrock:us-gov-west-1::"
	    "foundation-model/anthropic.claude-3-haiku-20240307-v1:0", &u, 0)
	    < 0);
	CHECK(bk_cost_usd_id("us.anthropic.claude-sonnet-9-9", &u, 0) < 0);
	CHECK(bk_cost_usd_id("arn:aws:bedrock:us-east-1:123456789012:"
	    "application-inference-profile/x", &u, 0) < 0);
	CHECK(bk_cost_usd(NULL, &u) < 0);
	/* Claude 3 Sonnet has no cache prices: -1 only if cache was used */
	CHECK(bk_cost_usd(s3, &u) < 0);
	/* the seed's scenario: 1M in, 200K out on Claude 3 Sonnet = $6.00 */
	memset(&u, 0, sizeof(u));
	u.input_tokens = 1000000;
	u.output_tokens = 200000;
	CHECK(near(bk_cost_usd(s3, &u), 6.00));
	/* and the seed's enterprise mix: 70M/14M Haiku 3 + 30M/6M Sonnet */
	u.input_tokens = 70000000;
	u.output_tokens = 14000000;
	CHECK(near(bk_cost_usd(bk_catalog_find(
	    "anthropic.claude-3-haiku-20240307-v1:0"), &u), 35.00));
	u.input_tokens = 30000000;
	u.output_tokens = 6000000;
	CHECK(near(bk_cost_usd(s3, &u), 180.00));
	/* Haiku 5.5's prompt tier: <= 100,000 prompt tokens... */
	u.input_tokens = 50000;
	u.output_tokens = 10000;
	u.cache_creation_input_tokens = 10000;
	u.cache_read_input_tokens = 40000;           /* prompt 100,000 */
	CHECK(near(bk_cost_usd(h55, &u),
	    (50000 * 0.10 + 10000 * 0.50 + 10000 * 0.125 + 40000 * 0.01) /
	    1e6));
	/* ...and every rate, output included, 5x above */
	u.input_tokens = 50001;
	CHECK(near(bk_cost_usd(h55, &u),
	    5 * (50001 * 0.10 + 10000 * 0.50 + 10000 * 0.125 + 40000 * 0.01) /
	    1e6));
	CHECK(near(bk_cost_usd_id("jp.anthropic.claude-haiku-5-5", &u, 0),
	    1.1 * 5 * (50001 * 0.10 + 10000 * 0.50 + 10000 * 0.125 +
	    40000 * 0.01) / 1e6));
	/* nothing used costs nothing, even with unknown prices */
	memset(&u, 0, sizeof(u));
	CHECK(bk_cost_usd(s3, &u) == 0.0);
	/* huge counts neither wrap the tier test nor overflow */
	u.input_tokens = UINT64_MAX;
	u.cache_read_input_tokens = UINT64_MAX;
	CHECK(bk_cost_usd(h55, &u) > 1e12);
	CHECK(s46 != NULL);
	check_summary("catalog cost");
}

static void
test_load(void)
{
	static const char good[] =
	    "{\"models\": [\n"
	    "  {\"id\": \"anthropic.claude-sonnet-4-6\",\n"
	    "   \"price\": {\"input\": 2.5}},\n"
	    "  {\"id\": \"anthropic.claude-test-9\", \"name\": \"Claude Test 9\",\n"
	    "   \"family\": \"sonnet\", \"version\": \"9\",\n"
	    "   \"released\": \"2026-11-01\", \"prefixes\": [\"us\", \"global\"],\n"
	    "   \"on_demand\": false, \"max_output\": 1000,\n"
	    "   \"price\": {\"input\": 1, \"output\": 2, \"cache_write_5m\": 1.25,\n"
	    "     \"cache_write_1h\": 2, \"cache_read\": 0.1,\n"
	    "     \"regional_premium\": 10, \"tier_above\": 0,\n"
	    "     \"tier_multiplier\": 1},\n"
	    "   \"legacy\": null, \"eol\": null},\n"
	    "  {\"id\": \"anthropic.claude-gone\", \"family\": \"haiku\",\n"
	    "   \"version\": \"0.1\", \"eol\": \"\"}\n"
	    "]}\n";
	char err[160], big[64 * 90 + 32];
	const struct bk_model_info *m;
	size_t n0 = bk_catalog_count(), i, k;
	struct bk_usage u;

	CHECK(bk_catalog_load(good, strlen(good), err, sizeof(err)) == BK_OK);
	CHECK(err[0] == '\0');
	CHECK(bk_catalog_count() == n0 + 2);
	m = bk_catalog_find("us.anthropic.claude-sonnet-4-6");
	CHECK(m != NULL && m->in == 2.5 && m->out == 15.0);   /* merged */
	CHECK(m != NULL && strcmp(m->name, "Claude Sonnet 4.6") == 0);
	/* the listing shows the replaced row in place */
	for (i = 0, k = 0; i < bk_catalog_count(); i++)
		if (bk_catalog_at(i) == m)
			k = i + 1;
	CHECK(k > 0 && k <= n0);
	m = bk_catalog_find("anthropic.claude-test-9");
	CHECK(m != NULL && m->max_output == 1000 && m->on_demand == 0);
	CHECK(m != NULL && strcmp(m->prefixes, "us global") == 0);
	CHECK(bk_catalog_at(n0) == m);
	/* a newer Sonnet becomes "sonnet" */
	CHECK(expect("sonnet", "us-east-1", "us.anthropic.claude-test-9"));
	CHECK(expect("sonnet", "eu-west-1", "global.anthropic.claude-test-9"));
	CHECK(expect("sonnet-9", "ap-south-1", "global.anthropic.claude-test-9"));
	/* a past EOL without a date; unknown prices */
	m = bk_catalog_find("anthropic.claude-gone");
	CHECK(m != NULL && bk_model_lifecycle(m, 0) == BK_LIFE_EOL);
	CHECK(res("anthropic.claude-gone", "us-east-1", NULL) == BK_OK);
	CHECK_EQ_STR(note, "anthropic.claude-gone has reached end of life in "
	    "Bedrock; use haiku");
	memset(&u, 0, sizeof(u));
	u.input_tokens = 1;
	CHECK(bk_cost_usd(m, &u) < 0);
	/* the replaced price reaches the cost */
	u.input_tokens = 1000000;
	CHECK(near(bk_cost_usd_id("global.anthropic.claude-sonnet-4-6", &u, 0),
	    2.5));

	/* errors: LINE:COL, and the previous overrides stay */
#define BAD(text, code, where) do { \
	CHECK(bk_catalog_load(text, strlen(text), err, sizeof(err)) == code); \
	if (!CHECK(strncmp(err, where, strlen(where)) == 0)) \
		fprintf(stderr, "  err: %s\n", err); \
	} while (0)
	/* jsmn accepts a trailing comma; a closing bracket of the wrong
	 * kind it does not */
	BAD("{\n  \"models\": [\n    {\"id\": \"x\"}}\n  ]\n}", BK_E_JSON,
	    "3:");
	CHECK(strstr(err, "malformed JSON") != NULL);
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"price\": "
	    "{\"input\": \"3\"}}]}", BK_E_JSON_SHAPE, "1:54: expected a "
	    "non-negative decimal");
	BAD("{\"models\": [{\"id\": \"anthropic.x\",\n \"colour\": 1}]}",
	    BK_E_JSON_SHAPE, "2:2: unknown key");
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"eol\": \"2026-13-01\"}]}",
	    BK_E_JSON_SHAPE, "1:42: expected a date");
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"eol\": \"2026-02-29\"}]}",
	    BK_E_JSON_SHAPE, "1:42: expected a date");
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"legacy\": \"\"}]}",
	    BK_E_JSON_SHAPE, "1:45: expected a date");
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"price\": "
	    "{\"input\": -1}}]}", BK_E_JSON_SHAPE, "1:54:");
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"price\": "
	    "{\"input\": 1e3}}]}", BK_E_JSON_SHAPE, "1:54:");
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"prefixes\": "
	    "[\"US\"]}]}", BK_E_JSON_SHAPE, "1:48: a profile prefix");
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"on_demand\": 1}]}",
	    BK_E_JSON_SHAPE, "1:48: expected true or false");
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"max_output\": "
	    "4294967296}]}", BK_E_JSON_SHAPE, "1:49:");
	BAD("{\"models\": [{\"name\": \"no id\"}]}", BK_E_JSON_SHAPE,
	    "1:13: model without");
	BAD("{\"models\": [{\"id\": \"a b\"}]}", BK_E_JSON_SHAPE, "1:20:");
	BAD("{\"models\": [{\"id\": \"anthropic.x\"}, {\"id\": \"anthropic.x\"}]}",
	    BK_E_JSON_SHAPE, "1:43: duplicate id");
	BAD("{\"model\": []}", BK_E_JSON_SHAPE, "1:1: expected {\"models\"");
	BAD("{\"models\": {}}", BK_E_JSON_SHAPE, "1:12:");
	BAD("{\"models\": [], \"extra\": 1}", BK_E_JSON_SHAPE, "1:16: unknown "
	    "top-level key");
	BAD("{\"models\": [\"x\"]}", BK_E_JSON_SHAPE, "1:13: expected a model");
	BAD("", BK_E_JSON, "1:1:");
	BAD("{\"models\": [{\"id\": \"\\u00e9\\ud800\"}]}", BK_E_JSON, "1:20:");
	/* 65 models: over the bound */
	k = (size_t)snprintf(big, sizeof(big), "{\"models\":[");
	for (i = 0; i < 65; i++)
		k += (size_t)snprintf(big + k, sizeof(big) - k,
		    "%s{\"id\":\"anthropic.m%zu\"}", i ? "," : "", i);
	snprintf(big + k, sizeof(big) - k, "]}");
	BAD(big, BK_E_LIMIT, "1:");
	CHECK(strstr(err, "BK_CATALOG_EXTRA_MAX") != NULL);
	/* a line:col past a multi-byte character counts characters */
	BAD("{\"models\": [{\"id\": \"anthropic.x\", \"name\": \"\xc3\xa9\", "
	    "\"x\": 1}]}", BK_E_JSON_SHAPE, "1:48: unknown key");
	CHECK(bk_catalog_load(NULL, 0, err, sizeof(err)) == BK_E_LIMIT);
	/* none of that touched the loaded set */
	m = bk_catalog_find("anthropic.claude-sonnet-4-6");
	CHECK(m != NULL && m->in == 2.5);
	CHECK(bk_catalog_find("anthropic.claude-test-9") != NULL);
	/* a NULL/short err buffer is fine */
	CHECK(bk_catalog_load("[", 1, NULL, 0) == BK_E_JSON);
	CHECK(bk_catalog_load("[", 1, err, 4) == BK_E_JSON &&
	    strcmp(err, "1:2") == 0);

	/* 64 models fit; loading again replaces the set */
	k = (size_t)snprintf(big, sizeof(big), "{\"models\":[");
	for (i = 0; i < 64; i++)
		k += (size_t)snprintf(big + k, sizeof(big) - k,
		    "%s{\"id\":\"anthropic.m%zu\"}", i ? "," : "", i);
	snprintf(big + k, sizeof(big) - k, "]}");
	CHECK(bk_catalog_load(big, strlen(big), err, sizeof(err)) == BK_OK);
	CHECK(bk_catalog_count() == n0 + 64);
	CHECK(bk_catalog_find("anthropic.claude-test-9") == NULL);
	CHECK(bk_catalog_find("anthropic.m63") != NULL);
	m = bk_catalog_find("anthropic.claude-sonnet-4-6");
	CHECK(m != NULL && m->in == 3.0);

	/* every truncation of a good file fails cleanly (ASan watches the
	 * exact-length copies for reads past the end) but the whole one */
	{
		size_t len = strlen(good), oks = 0, cut;
		for (cut = 0; cut <= len; cut++) {
			char *c = malloc(cut ? cut : 1);
			if (c == NULL)
				break;
			memcpy(c, good, cut);
			if (bk_catalog_load(c, cut, err, sizeof(err)) == BK_OK)
				oks++;
			else if (err[0] < '1' || err[0] > '9')
				oks += 1000;        /* every error has LINE:COL */
			free(c);
		}
		CHECK(oks == 2);   /* the whole text, and it minus its '\n' */
	}

	bk_catalog_reset();
	CHECK(bk_catalog_count() == n0);
	CHECK(bk_catalog_find("anthropic.m0") == NULL);
	CHECK(expect("sonnet", "us-east-1", "us.anthropic.claude-sonnet-5-5"));
	check_summary("catalog load");
}

int
main(void)
{
	test_table();
	test_find();
	test_aliases();
	test_versions();
	test_explicit();
	test_lifecycle();
	test_cost();
	test_load();
	return check_total_fail ? 1 : 0;
}
