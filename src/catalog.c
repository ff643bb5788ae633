/*
 * catalog.c -- the model catalogue.  See catalog.h for the contract of
 * every public function; comments here say why.
 *
 * Sections: the table; the merged view and lookups; lifecycle dates;
 * Regions and routing; aliases; cost; the override file.
 *
 * Core rules apply: <stddef.h>, <stdint.h>, <string.h> only; no malloc,
 * no stdio, no clock.
 */
#include <string.h>

#include "catalog.h"

#define COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/* ==================================================================== */
/* The table                                                            */
/* ==================================================================== */

/*
 * One row per base model ID, newest first within each family.  Figures
 * as of 2026-11-10.  Sources, with the date each was read:
 *
 * [L]  AWS, "Model lifecycle (Legacy)", docs.aws.amazon.com/bedrock/
 *      latest/userguide/model-lifecycle-legacy.html, two snapshots: one
 *      from mid-2026 (Claude 3 Sonnet, 3.5 Sonnet v1 and v2, 3.7 Sonnet,
 *      3.5 Haiku, Opus 4, Sonnet 4, 3 Haiku) and one from after
 *      2026-09-30 (Sonnet 4.5, Opus 4.1, Sonnet 4, 3 Haiku).  Dates are
 *      per Region; legacy = the earliest listed, eol = the latest (after
 *      it the model is gone from every listed Region).  Claude 3.7 Sonnet
 *      left the commercial Regions on 2026-04-28 (awslabs/startups
 *      ai-model-lifecycle.md, 2026-05-17) and GovCloud on 2026-07-30 [L].
 * [C]  AWS model cards, model-card-anthropic-claude-*.html: launch dates,
 *      max output, lifecycle.  Opus 4.7 (2026-04-16, 128K), Opus 5.5
 *      (2026-09-22, 128K, bedrock-runtime Invoke), Fable 5 (2026-06-09),
 *      Fable 5.1 (2026-09-01), Fable 5.2 (2026-11-09), all 128K; Claude 3
 *      Haiku (EOL 2026-09-10 in most Regions; ca-central-1, eu-central-2,
 *      sa-east-1 still serve it), Claude 3.5 Haiku (8K, EOL 2026-06-19).
 * [G]  The same cards' cross-Region tables as transcribed on 2026-09-09
 *      (TokenRouter, internal/service bedrock routing rules): geo
 *      profiles us/eu/jp/au per model; Opus 5 has no jp profile; Sonnet
 *      4.5 and Haiku 4.5 have au and jp.
 * [A]  Anthropic, "Claude on Amazon Bedrock (Opus 4.6 and earlier)",
 *      platform.claude.com (Sep 2026): base IDs and global/us/eu/jp/apac
 *      table; Opus 4.7, 4.8, 5, Sonnet 5, Fable 5, 5.1 are reachable with
 *      InvokeModel on bedrock-runtime; regional endpoints cost 10% more
 *      than global from Sonnet 4.5 on, older models keep their prices.
 *      Its "apac: Yes" for Opus 4.6 is the au. profile (LiteLLM test
 *      test_claude_4_6_australia_region_uses_au_prefix_not_apac).
 * [B]  Anthropic, "Claude in Amazon Bedrock" (fetched 2026-09-26): Region
 *      table -- ca-central-1 belongs to the US geography, ca-west-1 and
 *      sa-east-1 to global only; regional premium 10%.
 * [P]  Anthropic pricing and model pages (Sep-Oct 2026): list prices,
 *      5m write = 1.25x input, 1h write = 2x, read = 0.1x except Fable 5.1
 *      (0.25 = 0.025x), Opus 5.5 (0.20 = 0.05x) and Sonnet 5.5 (0.10 =
 *      0.05x from 2026-10-07; 0.20 before -- claudit v1.9.2 and
 *      PromptFuel v1.0.23 release notes record the cut).  Haiku 5.5 is
 *      tiered: a prompt (input + cache reads + writes) over 100,000 tokens
 *      pays 5x on every rate, output included.  Fable 5.2: 8/40, writes
 *      10/16, read 0.20 (laozhang, archid21/rightsize, Nov 2026).
 *      Bedrock on-demand list prices equal these at the global endpoint
 *      ([A]; models.dev's amazon-bedrock rows, Oct 2026, show geo rows
 *      at exactly 1.1x).
 * [M]  models.dev amazon-bedrock rows (Oct 2026) and LiteLLM v1.105.0rc1
 *      (2026-10-03): jp/au profiles for Opus 4.7-5.5 and Sonnet 4.6/5.5;
 *      us-gov profiles for Sonnet 5.5 and Haiku 5.5; AWS's Haiku 5.5
 *      launch summary lists global, us, eu, au, jp and Invoke on
 *      bedrock-runtime, the bare ID being Mantle-only.
 * [S]  The seed tutorial (Claude 3/3.5 IDs, 4,096/8,192 output, us./eu.
 *      profiles); GovCloud us-gov. IDs for 3 Haiku, 3.5 Sonnet and
 *      Sonnet 4.5 from deployments seen in public code.
 *
 * Left out on purpose: Claude Mythos (invitation only), "in." (India)
 * profiles seen only in third-party catalogues, apac. rows for models
 * whose cards list jp/au instead, jp. for Opus 4.6 and Sonnet 5 (sources
 * disagree) and global. for Fable 5.2 (not yet documented).  When a geo
 * profile is missing the resolver falls back to global, which works from
 * every commercial Region; add rows or prefixes with an override file.
 * Claude 3 Opus has no recorded EOL date: it is gone from both [L]
 * snapshots and from [A], so it is past EOL ("").
 *
 * Columns: id, name, family, version, released, prefixes /
 * on_demand, max_output, in, out, write 5m, write 1h, read,
 * tier_above, tier_mult, regional %, legacy, eol.
 */
static const struct bk_model_info builtin[] = {
	/* Fable */
	{ "anthropic.claude-fable-5-2", "Claude Fable 5.2", "fable", "5.2",
	  "2026-11-09", "us",                              /* [C][M] */
	  0, 128000, 8.00, 40.00, 10.000, 16.00, 0.200,  0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-fable-5-1", "Claude Fable 5.1", "fable", "5.1",
	  "2026-09-01", "global us",                       /* [C][G][B] */
	  0, 128000, 10.00, 50.00, 12.500, 20.00, 0.250, 0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-fable-5", "Claude Fable 5", "fable", "5",
	  "2026-06-09", "global us",                       /* [C][G] */
	  0, 128000, 10.00, 50.00, 12.500, 20.00, 1.000, 0, 0, 10,
	  NULL, NULL },
	/* Opus */
	{ "anthropic.claude-opus-5-5", "Claude Opus 5.5", "opus", "5.5",
	  "2026-09-22", "global us eu jp au",              /* [C][M] */
	  0, 128000, 4.00, 20.00, 5.000, 8.00, 0.200,    0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-opus-5", "Claude Opus 5", "opus", "5",
	  "2026-07-24", "global us eu au",                 /* [G] */
	  0, 128000, 5.00, 25.00, 6.250, 10.00, 0.500,   0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-opus-4-8", "Claude Opus 4.8", "opus", "4.8",
	  "2026-05-28", "global us eu jp au",              /* [G][M] */
	  0, 128000, 5.00, 25.00, 6.250, 10.00, 0.500,   0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-opus-4-7", "Claude Opus 4.7", "opus", "4.7",
	  "2026-04-16", "global us eu jp au",              /* [C][G] */
	  0, 128000, 5.00, 25.00, 6.250, 10.00, 0.500,   0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-opus-4-6-v1", "Claude Opus 4.6", "opus", "4.6",
	  "2026-02-05", "global us eu au",                 /* [A][G] */
	  0, 128000, 5.00, 25.00, 6.250, 10.00, 0.500,   0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-opus-4-5-20251101-v1:0", "Claude Opus 4.5", "opus",
	  "4.5", "2025-11-24", "global us eu",             /* [A][G] */
	  0, 64000,  5.00, 25.00, 6.250, 10.00, 0.500,   0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-opus-4-1-20250805-v1:0", "Claude Opus 4.1", "opus",
	  "4.1", "2025-08-05", "us",                       /* [A][L] */
	  0, 32000,  15.00, 75.00, 18.750, 30.00, 1.500, 0, 0, 0,
	  "2026-07-08", "2027-01-08" },
	{ "anthropic.claude-opus-4-20250514-v1:0", "Claude Opus 4", "opus",
	  "4", "2025-05-22", "us",                         /* [A][L] */
	  0, 32000,  15.00, 75.00, 18.750, 30.00, 1.500, 0, 0, 0,
	  "2025-10-01", "2026-05-31" },
	{ "anthropic.claude-3-opus-20240229-v1:0", "Claude 3 Opus", "opus",
	  "3", "2024-03-04", "us",                         /* [S] */
	  1, 4096,   15.00, 75.00, 18.750, 30.00, 1.500, 0, 0, 0,
	  NULL, "" },
	/* Sonnet */
	{ "anthropic.claude-sonnet-5-5", "Claude Sonnet 5.5", "sonnet", "5.5",
	  "2026-09-28", "global us eu jp au us-gov",       /* [M] */
	  0, 128000, 2.00, 10.00, 2.500, 4.00, 0.100,    0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-sonnet-5", "Claude Sonnet 5", "sonnet", "5",
	  "2026-06-30", "global us eu au",                 /* [G] */
	  0, 128000, 2.00, 10.00, 2.500, 4.00, 0.200,    0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-sonnet-4-6", "Claude Sonnet 4.6", "sonnet", "4.6",
	  "2026-02-17", "global us eu jp au",              /* [A][G] */
	  0, 128000, 3.00, 15.00, 3.750, 6.00, 0.300,    0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-sonnet-4-5-20250929-v1:0", "Claude Sonnet 4.5",
	  "sonnet", "4.5", "2025-09-29", "global us eu jp au us-gov",
	  0, 64000,  3.00, 15.00, 3.750, 6.00, 0.300,    0, 0, 10,
	  "2026-10-08", "2027-04-08" },                    /* [A][G][L] */
	{ "anthropic.claude-sonnet-4-20250514-v1:0", "Claude Sonnet 4",
	  "sonnet", "4", "2025-05-22", "global us eu apac", /* [A][G][L] */
	  0, 64000,  3.00, 15.00, 3.750, 6.00, 0.300,    0, 0, 0,
	  "2026-04-14", "2026-10-14" },
	{ "anthropic.claude-3-7-sonnet-20250219-v1:0", "Claude 3.7 Sonnet",
	  "sonnet", "3.7", "2025-02-24", "us eu",          /* [S][L] */
	  0, 64000,  3.00, 15.00, 3.750, 6.00, 0.300,    0, 0, 0,
	  "2026-01-30", "2026-07-30" },
	{ "anthropic.claude-3-5-sonnet-20241022-v2:0", "Claude 3.5 Sonnet v2",
	  "sonnet", "3.5", "2024-10-22", "us apac",        /* [S][L] */
	  0, 8192,   3.00, 15.00, 3.750, 6.00, 0.300,    0, 0, 0,
	  "2026-01-30", "2026-07-30" },
	{ "anthropic.claude-3-5-sonnet-20240620-v1:0", "Claude 3.5 Sonnet",
	  "sonnet", "3.5", "2024-06-20", "us eu apac us-gov", /* [S][L] */
	  1, 4096,   3.00, 15.00, 3.750, 6.00, 0.300,    0, 0, 0,
	  "2025-08-25", "2026-07-30" },
	{ "anthropic.claude-3-sonnet-20240229-v1:0", "Claude 3 Sonnet",
	  "sonnet", "3", "2024-03-04", "us eu apac",       /* [S][L] */
	  1, 4096,   3.00, 15.00, -1.0, -1.0, -1.0,      0, 0, 0,
	  "2026-01-30", "2026-07-30" },
	/* Haiku */
	{ "anthropic.claude-haiku-5-5", "Claude Haiku 5.5", "haiku", "5.5",
	  "2026-10-07", "global us eu jp au us-gov",       /* [M][P] */
	  0, 128000, 0.10, 0.50, 0.125, 0.20, 0.010, 100000, 5, 10,
	  NULL, NULL },
	{ "anthropic.claude-haiku-4-5-20251001-v1:0", "Claude Haiku 4.5",
	  "haiku", "4.5", "2025-10-15", "global us eu jp au", /* [A][G] */
	  0, 64000,  1.00, 5.00, 1.250, 2.00, 0.100,     0, 0, 10,
	  NULL, NULL },
	{ "anthropic.claude-3-5-haiku-20241022-v1:0", "Claude 3.5 Haiku",
	  "haiku", "3.5", "2024-11-04", "us",              /* [A][C][L] */
	  0, 8192,   0.80, 4.00, 1.000, 1.60, 0.080,     0, 0, 0,
	  "2025-12-19", "2026-06-19" },
	{ "anthropic.claude-3-haiku-20240307-v1:0", "Claude 3 Haiku", "haiku",
	  "3", "2024-03-13", "us eu apac us-gov",          /* [S][C][L] */
	  1, 4096,   0.25, 1.25, 0.300, 0.50, 0.030,     0, 0, 0,
	  "2026-03-10", "2026-09-10" },
};

#define NBUILTIN COUNTOF(builtin)

/* ==================================================================== */
/* The merged view and lookups                                          */
/* ==================================================================== */

/*
 * Loaded rows live in one of two sets: bk_catalog_load() fills the idle
 * one and switches only on success, so a bad file leaves the previous
 * overrides in force and no pointer into them dangles mid-parse.
 */
struct catalog_set {
	struct bk_model_info row[BK_CATALOG_EXTRA_MAX];
	long replaces[BK_CATALOG_EXTRA_MAX];  /* builtin index, or -1 */
	size_t n;
	char pool[BK_CATALOG_POOL];
	size_t used;
};

static struct catalog_set sets[2];
static int active_set = -1;     /* -1: built-in table only */

static const struct catalog_set *
loaded(void)
{
	return active_set < 0 ? NULL : &sets[active_set];
}

size_t
bk_catalog_count(void)
{
	const struct catalog_set *s = loaded();
	size_t i, n = NBUILTIN;

	if (s != NULL)
		for (i = 0; i < s->n; i++)
			if (s->replaces[i] < 0)
				n++;
	return n;
}

const struct bk_model_info *
bk_catalog_at(size_t i)
{
	const struct catalog_set *s = loaded();
	size_t k;

	if (i < NBUILTIN) {
		if (s != NULL)
			for (k = 0; k < s->n; k++)
				if (s->replaces[k] == (long)i)
					return &s->row[k];
		return &builtin[i];
	}
	i -= NBUILTIN;
	if (s != NULL)
		for (k = 0; k < s->n; k++)
			if (s->replaces[k] < 0 && i-- == 0)
				return &s->row[k];
	return NULL;
}

static int
eq_n(const char *a, const char *b, size_t n)
{
	return strlen(a) == n && memcmp(a, b, n) == 0;
}

static const struct bk_model_info *
find_base(const char *id, size_t n)
{
	const struct catalog_set *s = loaded();
	size_t i;

	if (s != NULL)
		for (i = 0; i < s->n; i++)
			if (eq_n(s->row[i].id, id, n))
				return &s->row[i];
	for (i = 0; i < NBUILTIN; i++)
		if (eq_n(builtin[i].id, id, n))
			return &builtin[i];
	return NULL;
}

/* Where an ID says it will be served, for pricing. */
enum scope { SCOPE_REGIONAL = 0, SCOPE_GLOBAL = 1, SCOPE_GOV = 2 };

/*
 * Split a model string into the base ID it names (*p, *n) and its scope.
 * 0 for ARNs that name no base model (application inference profiles,
 * provisioned models, custom models).
 *
 * ARN resources follow the fifth ':' (arn:PARTITION:bedrock:REGION:
 * ACCOUNT:resource); the resource itself may contain ':' ("-v1:0").
 */
static int
split_id(const char *id, const char **p, size_t *n, enum scope *sc)
{
	const char *s = id, *dot;
	size_t colons = 0, i;
	int gov = 0;

	*sc = SCOPE_REGIONAL;
	if (strncmp(s, "arn:", 4) == 0) {
		const char *region = NULL;
		for (i = 0; s[i] != '\0' && colons < 5; i++) {
			if (s[i] == ':') {
				colons++;
				if (colons == 3)
					region = s + i + 1;
			}
		}
		if (colons < 5)
			return 0;
		gov = region != NULL && strncmp(region, "us-gov-", 7) == 0;
		s += i;
		if (strncmp(s, "foundation-model/", 17) == 0)
			s += 17;
		else if (strncmp(s, "inference-profile/", 18) == 0)
			s += 18;
		else
			return 0;
	}
	*p = s;
	*n = strlen(s);
	/* "us.anthropic...", "us-gov.anthropic...": a short lowercase word
	 * and a dot before a provider-qualified ID */
	dot = strchr(s, '.');
	if (dot != NULL && dot > s && dot - s <= 8 && strchr(dot + 1, '.')) {
		const char *c;
		for (c = s; c < dot; c++)
			if (!((*c >= 'a' && *c <= 'z') || *c == '-'))
				break;
		if (c == dot && find_base(s, *n) == NULL) {
			size_t plen = (size_t)(dot - s);
			if (plen == 6 && memcmp(s, "global", 6) == 0)
				*sc = SCOPE_GLOBAL;
			else if (plen == 6 && memcmp(s, "us-gov", 6) == 0)
				gov = 1;
			*p = dot + 1;
			*n = strlen(dot + 1);
		}
	}
	if (gov)
		*sc = SCOPE_GOV;
	return 1;
}

const struct bk_model_info *
bk_catalog_find(const char *model_id)
{
	const char *p;
	size_t n;
	enum scope sc;

	if (model_id == NULL || !split_id(model_id, &p, &n, &sc))
		return NULL;
	return find_base(p, n);
}

/* ==================================================================== */
/* Lifecycle dates                                                      */
/* ==================================================================== */

/* Days from 1970-01-01 (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int
digits(const char *s, size_t n, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		*v = *v * 10u + (unsigned)(s[i] - '0');
	}
	return 1;
}

/* "YYYY-MM-DD" (years 1970-9999) -> day number; 0 if malformed. */
static int
parse_date(const char *s, size_t n, int64_t *day)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };
	unsigned y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, &y) ||
	    !digits(s + 5, 2, &m) || !digits(s + 8, 2, &d) || y < 1970 ||
	    m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 &&
	    y % 400 != 0))))
		return 0;
	*day = days_from_civil((int64_t)y, m, d);
	return 1;
}

static int64_t
day_of(int64_t t)
{
	return t >= 0 ? t / 86400 : -((-(t + 1)) / 86400) - 1;
}

/* 1 if the date s exists and the day `today` falls in has reached it. */
static int
reached(const char *s, int64_t today)
{
	int64_t d;

	return s != NULL && parse_date(s, strlen(s), &d) && day_of(today) >= d;
}

enum bk_life
bk_model_lifecycle(const struct bk_model_info *m, int64_t today)
{
	if (m->eol_date != NULL &&
	    (m->eol_date[0] == '\0' || reached(m->eol_date, today)))
		return BK_LIFE_EOL;
	if (reached(m->legacy_date, today))
		return BK_LIFE_LEGACY;
	return BK_LIFE_ACTIVE;
}

/* ==================================================================== */
/* Notes                                                                */
/* ==================================================================== */

/* Notes are advisory: unlike struct bk_buf, a short buffer truncates. */
struct note {
	char *p;
	size_t cap, len;
};

static void
note_init(struct note *w, char *p, size_t cap)
{
	w->p = p;
	w->cap = p == NULL ? 0 : cap;
	w->len = 0;
	if (w->cap > 0)
		p[0] = '\0';
}

static void
note_put(struct note *w, const char *s)
{
	size_t n = strlen(s);

	if (w->cap == 0 || w->len >= w->cap - 1)
		return;
	if (n > w->cap - 1 - w->len)
		n = w->cap - 1 - w->len;
	memcpy(w->p + w->len, s, n);
	w->len += n;
	w->p[w->len] = '\0';
}

/* Warn about a Legacy or EOL model. */
static void
note_lifecycle(struct note *w, const struct bk_model_info *m, int64_t today)
{
	switch (bk_model_lifecycle(m, today)) {
	case BK_LIFE_ACTIVE:
		return;
	case BK_LIFE_LEGACY:
		note_put(w, m->id);
		note_put(w, " is Legacy in Bedrock since ");
		note_put(w, m->legacy_date);
		if (m->eol_date != NULL) {
			note_put(w, " and reaches end of life on ");
			note_put(w, m->eol_date);
		}
		break;
	case BK_LIFE_EOL:
		note_put(w, m->id);
		if (m->eol_date[0] == '\0') {
			note_put(w, " has reached end of life in Bedrock");
		} else {
			note_put(w, " reached end of life on ");
			note_put(w, m->eol_date);
			note_put(w, " in Bedrock (dates differ by Region)");
		}
		break;
	}
	if (m->family != NULL && m->family[0] != '\0') {
		note_put(w, "; use ");
		note_put(w, m->family);
	}
}

/* ==================================================================== */
/* Regions and routing                                                  */
/* ==================================================================== */

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
has_prefix(const struct bk_model_info *m, const char *want)
{
	size_t wl = strlen(want);
	const char *s = m->prefixes;

	while (s != NULL && *s != '\0') {
		size_t k = 0;
		while (*s == ' ')
			s++;
		while (s[k] != '\0' && s[k] != ' ')
			k++;
		if (k == wl && memcmp(s, want, k) == 0)
			return 1;
		s += k;
	}
	return 0;
}

/*
 * The profile prefixes to try from `region`, best first (data stays in
 * the narrowest geography), ending with NULL.  Global profiles exist in
 * the commercial partition only: a GovCloud Region gets us-gov or
 * nothing.  Returns 0 for Regions where Bedrock serves no Claude model
 * with a profile (China, ISO, the European Sovereign Cloud).
 */
static int
region_prefixes(const char *r, const char *list[5])
{
	size_t k = 0;

	if (starts(r, "cn-") || starts(r, "us-iso") || starts(r, "eusc-"))
		return 0;
	if (starts(r, "us-gov-")) {
		list[k++] = "us-gov";
		list[k] = NULL;
		return 1;
	}
	if (starts(r, "us-") || strcmp(r, "ca-central-1") == 0)
		list[k++] = "us";
	else if (starts(r, "eu-"))
		list[k++] = "eu";
	else if (strcmp(r, "ap-northeast-1") == 0 ||
	    strcmp(r, "ap-northeast-3") == 0)
		list[k++] = "jp";
	else if (strcmp(r, "ap-southeast-2") == 0 ||
	    strcmp(r, "ap-southeast-4") == 0)
		list[k++] = "au";
	else if (strcmp(r, "ap-south-1") == 0 || strcmp(r, "ap-south-2") == 0)
		list[k++] = "in";
	if (starts(r, "ap-"))
		list[k++] = "apac";
	list[k++] = "global";
	list[k] = NULL;
	return 1;
}

/*
 * The prefix to put before m's ID from `region` ("" for the bare base
 * ID), or NULL when m cannot be reached from there.
 */
static const char *
route(const struct bk_model_info *m, const char *region)
{
	const char *list[5];
	size_t i;

	if (!region_prefixes(region, list))
		return NULL;
	for (i = 0; list[i] != NULL; i++)
		if (has_prefix(m, list[i]))
			return list[i];
	return m->on_demand ? "" : NULL;
}

static void
note_unroutable(struct note *w, const struct bk_model_info *m,
    const char *region)
{
	const char *list[5];

	if (!region_prefixes(region, list)) {
		note_put(w, "Bedrock offers no Claude model with an inference "
		    "profile in ");
		note_put(w, region);
		if (starts(region, "cn-"))
			note_put(w, " (Claude is not offered in the AWS China "
			    "Regions)");
		return;
	}
	note_put(w, m->name);
	note_put(w, " (");
	note_put(w, m->id);
	note_put(w, ") cannot be reached from ");
	note_put(w, region);
	note_put(w, ": it has the profiles \"");
	note_put(w, m->prefixes);
	note_put(w, m->on_demand ? "\" and on-demand use" :
	    "\" and no on-demand use");
	note_put(w, "; pick a Region in one of those geographies or pass a "
	    "model ID");
}

/* ==================================================================== */
/* Aliases                                                              */
/* ==================================================================== */

static const char *const families[] = { "sonnet", "opus", "haiku",
	"fable" };

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_sep(char c)
{
	return c == '-' || c == '_' || c == ' ';
}

/* Case-insensitive prefix match of a family name at s; its length. */
static size_t
match_family(const char *s, size_t *fam)
{
	size_t f, k;

	for (f = 0; f < COUNTOF(families); f++) {
		const char *w = families[f];
		for (k = 0; w[k] != '\0' && lower(s[k]) == w[k]; k++)
			;
		if (w[k] == '\0') {
			*fam = f;
			return k;
		}
	}
	return 0;
}

/* "4.5", "4-5", "4_5", "3" at s -> ver ("4.5"); its length, 0 if none. */
static size_t
match_version(const char *s, char ver[8])
{
	size_t i = 0, o = 0, g;

	for (g = 0; g < 2; g++) {
		size_t d = 0;
		if (g == 1) {
			if (!(s[i] == '.' || is_sep(s[i])) || !is_digit(s[i + 1]))
				break;
			ver[o++] = '.';
			i++;
		}
		while (is_digit(s[i]) && d < 2) {
			ver[o++] = s[i++];
			d++;
		}
		if (d == 0 || is_digit(s[i]))
			return 0;
	}
	ver[o] = '\0';
	return i;
}

/*
 * Alias grammar, case-insensitive: ["claude" SEP] FAMILY [SEP] [VERSION]
 * or ["claude" SEP] VERSION SEP FAMILY.  1 on a match, with *fam and ver
 * ("" for the bare family).
 */
static int
parse_alias(const char *s, size_t *fam, char ver[8])
{
	size_t k;

	ver[0] = '\0';
	for (k = 0; k < 6 && lower(s[k]) == "claude"[k]; k++)
		;
	if (k == 6 && is_sep(s[6]))
		s += 7;
	if ((k = match_family(s, fam)) != 0) {
		s += k;
		if (*s == '\0')
			return 1;
		if (is_sep(*s))
			s++;
		k = match_version(s, ver);
		return k != 0 && s[k] == '\0';
	}
	if ((k = match_version(s, ver)) != 0 && is_sep(s[k])) {
		s += k + 1;
		k = match_family(s, fam);
		return k != 0 && s[k] == '\0';
	}
	return 0;
}

static int
family_is(const struct bk_model_info *m, const char *fam)
{
	size_t k;

	if (m->family == NULL)
		return 0;
	for (k = 0; fam[k] != '\0'; k++)
		if (lower(m->family[k]) != fam[k])
			return 0;
	return m->family[k] == '\0';
}

static int
newer(const struct bk_model_info *a, const struct bk_model_info *b)
{
	return strcmp(a->released ? a->released : "",
	    b->released ? b->released : "") > 0;
}

/* The aliases the catalogue answers to, for an error message. */
static void
note_known_aliases(struct note *w)
{
	size_t f, i, j;

	note_put(w, "; known aliases: sonnet, opus, haiku, fable");
	for (f = 0; f < COUNTOF(families); f++) {
		for (i = 0; i < bk_catalog_count(); i++) {
			const struct bk_model_info *m = bk_catalog_at(i);
			int dup = 0;
			if (!family_is(m, families[f]) || m->version == NULL ||
			    m->version[0] == '\0')
				continue;
			for (j = 0; j < i && !dup; j++) {
				const struct bk_model_info *o = bk_catalog_at(j);
				dup = family_is(o, families[f]) &&
				    o->version != NULL &&
				    strcmp(o->version, m->version) == 0;
			}
			if (dup)
				continue;
			note_put(w, ", ");
			note_put(w, families[f]);
			note_put(w, "-");
			note_put(w, m->version);
		}
	}
	note_put(w, "; or pass a Bedrock model ID, inference profile or ARN");
}

static enum bk_err
emit(struct bk_buf *out, const char *prefix, const char *id)
{
	if (prefix != NULL && prefix[0] != '\0') {
		bk_buf_puts(out, prefix);
		bk_buf_putc(out, '.');
	}
	bk_buf_puts(out, id);
	return bk_buf_err(out);
}

/* An explicit ID, or an override's: copied unchanged, then commented. */
static enum bk_err
resolve_verbatim(const char *id, const char *region, int64_t today,
    struct bk_buf *out, const struct bk_model_info **info, struct note *w)
{
	const struct bk_model_info *m = bk_catalog_find(id);
	enum bk_err e = emit(out, NULL, id);

	if (info != NULL)
		*info = m;
	if (e != BK_OK || m == NULL)
		return e;
	note_lifecycle(w, m, today);
	/* a bare base ID of a profile-only model fails at the service with
	 * "on-demand throughput isn't supported": say so before the call */
	if (w->len == 0 && strcmp(id, m->id) == 0 && !m->on_demand) {
		const char *p = region != NULL && region[0] != '\0' ?
		    route(m, region) : NULL;
		note_put(w, id);
		note_put(w, " needs an inference profile");
		if (p != NULL && p[0] != '\0') {
			note_put(w, "; try ");
			note_put(w, p);
			note_put(w, ".");
			note_put(w, id);
		}
	}
	return BK_OK;
}

enum bk_err
bk_model_resolve(const char *requested, const char *region,
    const struct bk_model_overrides *ov, int64_t today, struct bk_buf *out,
    const struct bk_model_info **info, char *note, size_t note_cap)
{
	struct note w;
	const struct bk_model_info *best = NULL, *newest = NULL;
	const char *pfx = NULL;
	char ver[8];
	size_t fam, i;

	note_init(&w, note, note_cap);
	if (info != NULL)
		*info = NULL;
	if (requested == NULL || requested[0] == '\0')
		requested = "sonnet";
	if (!parse_alias(requested, &fam, ver)) {
		if (strpbrk(requested, ".:/") != NULL)
			return resolve_verbatim(requested, region, today, out,
			    info, &w);
		note_put(&w, "unknown model alias \"");
		note_put(&w, requested);
		note_put(&w, "\"");
		note_known_aliases(&w);
		return BK_E_ARG;
	}
	if (ver[0] == '\0' && ov != NULL) {
		const char *o = fam == 0 ? ov->sonnet : fam == 1 ? ov->opus :
		    fam == 2 ? ov->haiku : NULL;
		if (o != NULL && o[0] != '\0')
			return resolve_verbatim(o, region, today, out, info, &w);
	}
	if (region == NULL || region[0] == '\0') {
		note_put(&w, "the alias \"");
		note_put(&w, requested);
		note_put(&w, "\" needs a Region to choose an inference profile");
		return BK_E_NO_REGION;
	}
	for (i = 0; i < bk_catalog_count(); i++) {
		const struct bk_model_info *m = bk_catalog_at(i);
		const char *p;
		if (!family_is(m, families[fam]))
			continue;
		if (ver[0] != '\0') {
			if (m->version == NULL || strcmp(m->version, ver) != 0)
				continue;
		} else if (bk_model_lifecycle(m, today) != BK_LIFE_ACTIVE ||
		    (m->released != NULL && m->released[0] != '\0' &&
		    !reached(m->released, today))) {
			/* a clock set before a release must not pick it */
			continue;
		}
		if (newest == NULL || newer(m, newest))
			newest = m;
		p = route(m, region);
		if (p != NULL && (best == NULL || newer(m, best))) {
			best = m;
			pfx = p;
		}
	}
	if (best == NULL) {
		if (newest == NULL) {
			note_put(&w, "no ");
			note_put(&w, ver[0] != '\0' ? "" : "Active ");
			note_put(&w, "model in the catalogue matches \"");
			note_put(&w, requested);
			note_put(&w, "\"");
			note_known_aliases(&w);
		} else {
			note_unroutable(&w, newest, region);
		}
		return BK_E_ARG;
	}
	if (info != NULL)
		*info = best;
	note_lifecycle(&w, best, today);
	return emit(out, pfx, best->id);
}

/* ==================================================================== */
/* Cost                                                                 */
/* ==================================================================== */

/* tokens * price, or -1 when tokens are billed at an unknown price. */
static double
term(uint64_t tokens, double price, int *unknown)
{
	if (tokens == 0)
		return 0.0;
	if (price < 0) {
		*unknown = 1;
		return 0.0;
	}
	return (double)tokens * price;
}

static double
cost(const struct bk_model_info *m, const struct bk_usage *u,
    uint64_t cache_1h)
{
	uint64_t w = u->cache_creation_input_tokens, prompt;
	double sum = 0.0, mult = 1.0;
	int unknown = 0;

	if (cache_1h > w)
		cache_1h = w;
	/* prompt size decides a tier; saturate rather than wrap */
	prompt = u->input_tokens;
	prompt = w > UINT64_MAX - prompt ? UINT64_MAX : prompt + w;
	prompt = u->cache_read_input_tokens > UINT64_MAX - prompt ?
	    UINT64_MAX : prompt + u->cache_read_input_tokens;
	if (m->tier_above > 0 && prompt > m->tier_above && m->tier_mult > 0)
		mult = m->tier_mult;
	sum += term(u->input_tokens, m->in, &unknown);
	sum += term(u->output_tokens, m->out, &unknown);
	sum += term(w - cache_1h, m->cache_write_5m, &unknown);
	sum += term(cache_1h, m->cache_write_1h, &unknown);
	sum += term(u->cache_read_input_tokens, m->cache_read, &unknown);
	if (unknown)
		return -1.0;
	return sum * mult / 1e6;
}

double
bk_cost_usd(const struct bk_model_info *m, const struct bk_usage *u)
{
	if (m == NULL || u == NULL)
		return -1.0;
	return cost(m, u, 0);
}

double
bk_cost_usd_id(const char *model_id, const struct bk_usage *u,
    uint64_t cache_1h_tokens)
{
	const struct bk_model_info *m;
	const char *p;
	size_t n;
	enum scope sc;
	double c;

	if (model_id == NULL || u == NULL ||
	    !split_id(model_id, &p, &n, &sc) ||
	    (m = find_base(p, n)) == NULL || sc == SCOPE_GOV)
		return -1.0;
	c = cost(m, u, cache_1h_tokens);
	if (c < 0 || sc == SCOPE_GLOBAL || m->regional_pct <= 0)
		return c;
	return c * (100.0 + (double)m->regional_pct) / 100.0;
}

/* ==================================================================== */
/* The override file                                                    */
/* ==================================================================== */

struct loader {
	struct bk_json j;
	struct catalog_set *set;
	struct note err;
	size_t err_pos;      /* byte offset the message is about */
};

static jsmntok_t load_tok[BK_CATALOG_TOKENS];

/* Record an error at token i (or at pos when i < 0); returns `e`. */
static enum bk_err
fail(struct loader *L, int i, enum bk_err e, const char *what)
{
	if (i >= 0 && i < L->j.n) {
		/* jsmn's string tokens start after the quote: point at it */
		const jsmntok_t *t = &L->j.t[i];
		L->err_pos = (size_t)t->start;
		if (t->type == JSMN_STRING && t->start > 0)
			L->err_pos--;
	}
	note_put(&L->err, what);
	return e;
}

static int
is_null(const struct loader *L, int i)
{
	const jsmntok_t *t = &L->j.t[i];
	return t->type == JSMN_PRIMITIVE && t->end - t->start == 4 &&
	    memcmp(L->j.js + t->start, "null", 4) == 0;
}

/* Copy string token i into the pool. */
static enum bk_err
pool_str(struct loader *L, int i, const char **out)
{
	struct catalog_set *s = L->set;
	size_t n;
	enum bk_err e;

	if (L->j.t[i].type != JSMN_STRING)
		return fail(L, i, BK_E_JSON_SHAPE, "expected a string");
	e = bk_json_str(&L->j, i, s->pool + s->used, sizeof(s->pool) - s->used,
	    &n);
	if (e == BK_E_BUFSZ)
		return fail(L, i, BK_E_LIMIT, "the override strings exceed "
		    "BK_CATALOG_POOL bytes");
	if (e != BK_OK)
		return fail(L, i, BK_E_JSON, "invalid string escape");
	if (memchr(s->pool + s->used, '\0', n) != NULL)
		return fail(L, i, BK_E_JSON_SHAPE, "string contains NUL");
	*out = s->pool + s->used;
	s->used += n + 1;
	return BK_OK;
}

/* A date: "YYYY-MM-DD", null (cleared) or, if allow_empty, "". */
static enum bk_err
load_date(struct loader *L, int i, int allow_empty, const char **out)
{
	const jsmntok_t *t = &L->j.t[i];
	int64_t d;
	size_t n = (size_t)(t->end - t->start);

	if (is_null(L, i)) {
		*out = NULL;
		return BK_OK;
	}
	if (t->type != JSMN_STRING ||
	    !((allow_empty && n == 0) ||
	    parse_date(L->j.js + t->start, n, &d)))
		return fail(L, i, BK_E_JSON_SHAPE, allow_empty ?
		    "expected a date \"YYYY-MM-DD\", \"\" or null" :
		    "expected a date \"YYYY-MM-DD\" or null");
	return pool_str(L, i, out);
}

/*
 * A non-negative decimal (123, 0.125) -> *v; null -> -1 (unknown).
 * At most 15 significant digits, so the value is the nearest double to
 * the written decimal.
 */
static enum bk_err
load_price(struct loader *L, int i, double *v)
{
	const jsmntok_t *t = &L->j.t[i];
	const char *s = L->j.js + t->start;
	size_t n = (size_t)(t->end - t->start), k = 0, nd = 0, frac = 0;
	uint64_t mant = 0;
	double scale;

	if (is_null(L, i)) {
		*v = -1.0;
		return BK_OK;
	}
	if (t->type != JSMN_PRIMITIVE)
		goto bad;
	for (; k < n && is_digit(s[k]); k++, nd++)
		mant = mant * 10u + (uint64_t)(s[k] - '0');
	if (nd == 0)
		goto bad;
	if (k < n && s[k] == '.') {
		for (k++; k < n && is_digit(s[k]); k++, nd++, frac++)
			mant = mant * 10u + (uint64_t)(s[k] - '0');
		if (frac == 0)
			goto bad;
	}
	if (k != n || nd > 15)
		goto bad;
	/* one correctly rounded division: mant and 10^frac are exact */
	for (scale = 1.0; frac > 0; frac--)
		scale *= 10.0;
	*v = (double)mant / scale;
	return BK_OK;
bad:
	return fail(L, i, BK_E_JSON_SHAPE, "expected a non-negative decimal "
	    "number (at most 15 digits) or null");
}

static enum bk_err
load_u32(struct loader *L, int i, uint32_t *v)
{
	uint64_t x;

	if (bk_json_u64(&L->j, i, &x) != BK_OK || x > UINT32_MAX)
		return fail(L, i, BK_E_JSON_SHAPE, "expected an integer from 0 "
		    "to 4294967295");
	*v = (uint32_t)x;
	return BK_OK;
}

static enum bk_err
load_bool(struct loader *L, int i, int *v)
{
	const jsmntok_t *t = &L->j.t[i];
	size_t n = (size_t)(t->end - t->start);

	if (t->type == JSMN_PRIMITIVE && n == 4 &&
	    memcmp(L->j.js + t->start, "true", 4) == 0)
		*v = 1;
	else if (t->type == JSMN_PRIMITIVE && n == 5 &&
	    memcmp(L->j.js + t->start, "false", 5) == 0)
		*v = 0;
	else
		return fail(L, i, BK_E_JSON_SHAPE, "expected true or false");
	return BK_OK;
}

/* ["us", "eu"] -> "us eu" in the pool; each a-z, 0-9, '-', 1-15 bytes. */
static enum bk_err
load_prefixes(struct loader *L, int arr, const char **out)
{
	struct catalog_set *s = L->set;
	int i = arr + 1, k, size = L->j.t[arr].size;
	size_t start = s->used;

	if (L->j.t[arr].type != JSMN_ARRAY)
		return fail(L, arr, BK_E_JSON_SHAPE, "expected an array of "
		    "profile prefixes, e.g. [\"global\", \"us\"]");
	for (k = 0; k < size; k++, i = bk_json_skip(&L->j, i)) {
		const jsmntok_t *t = &L->j.t[i];
		size_t n = (size_t)(t->end - t->start), c;
		if (t->type != JSMN_STRING || n == 0 || n > 15)
			return fail(L, i, BK_E_JSON_SHAPE, "expected a profile "
			    "prefix such as \"us\"");
		for (c = 0; c < n; c++) {
			char ch = L->j.js[t->start + (int)c];
			if (!((ch >= 'a' && ch <= 'z') || is_digit(ch) ||
			    ch == '-'))
				return fail(L, i, BK_E_JSON_SHAPE, "a profile "
				    "prefix is lowercase letters, digits and "
				    "'-'");
		}
		if (n + 1 > sizeof(s->pool) - s->used)
			return fail(L, i, BK_E_LIMIT, "the override strings "
			    "exceed BK_CATALOG_POOL bytes");
		if (k > 0)
			s->pool[s->used - 1] = ' ';
		memcpy(s->pool + s->used, L->j.js + t->start, n);
		s->used += n;
		s->pool[s->used++] = '\0';
	}
	if (size == 0) {
		if (s->used >= sizeof(s->pool))
			return fail(L, arr, BK_E_LIMIT, "the override strings "
			    "exceed BK_CATALOG_POOL bytes");
		s->pool[s->used++] = '\0';
	}
	*out = s->pool + start;
	return BK_OK;
}

static enum bk_err
load_price_obj(struct loader *L, int obj, struct bk_model_info *m)
{
	int i = obj + 1, k;
	enum bk_err e = BK_OK;

	if (L->j.t[obj].type != JSMN_OBJECT)
		return fail(L, obj, BK_E_JSON_SHAPE, "expected an object");
	for (k = 0; k < L->j.t[obj].size && e == BK_OK;
	    k++, i = bk_json_skip(&L->j, i + 1)) {
		int v = i + 1;
		if (bk_json_is(&L->j, i, "input"))
			e = load_price(L, v, &m->in);
		else if (bk_json_is(&L->j, i, "output"))
			e = load_price(L, v, &m->out);
		else if (bk_json_is(&L->j, i, "cache_write_5m"))
			e = load_price(L, v, &m->cache_write_5m);
		else if (bk_json_is(&L->j, i, "cache_write_1h"))
			e = load_price(L, v, &m->cache_write_1h);
		else if (bk_json_is(&L->j, i, "cache_read"))
			e = load_price(L, v, &m->cache_read);
		else if (bk_json_is(&L->j, i, "tier_multiplier"))
			e = load_price(L, v, &m->tier_mult);
		else if (bk_json_is(&L->j, i, "tier_above"))
			e = load_u32(L, v, &m->tier_above);
		else if (bk_json_is(&L->j, i, "regional_premium")) {
			uint32_t pct = 0;
			e = load_u32(L, v, &pct);
			if (e == BK_OK && pct > 1000)
				e = fail(L, v, BK_E_JSON_SHAPE, "a regional "
				    "premium is a percentage up to 1000");
			if (e == BK_OK)
				m->regional_pct = (int)pct;
		} else
			e = fail(L, i, BK_E_JSON_SHAPE, "unknown price key "
			    "(input, output, cache_write_5m, cache_write_1h, "
			    "cache_read, regional_premium, tier_above, "
			    "tier_multiplier)");
	}
	if (e == BK_OK && m->tier_mult < 0)
		m->tier_mult = 0;
	return e;
}

/* One {"id": ...} entry. */
static enum bk_err
load_model(struct loader *L, int obj)
{
	struct catalog_set *s = L->set;
	struct bk_model_info *m;
	const struct bk_model_info *base = NULL;
	int idk, i, k;
	size_t b, n;
	enum bk_err e = BK_OK;

	if (L->j.t[obj].type != JSMN_OBJECT)
		return fail(L, obj, BK_E_JSON_SHAPE, "expected a model object");
	if (s->n >= BK_CATALOG_EXTRA_MAX)
		return fail(L, obj, BK_E_LIMIT, "more than BK_CATALOG_EXTRA_MAX "
		    "(64) models");
	m = &s->row[s->n];
	idk = bk_json_get(&L->j, obj, "id");
	if (idk < 0)
		return fail(L, obj, BK_E_JSON_SHAPE, "model without \"id\"");
	if ((e = pool_str(L, idk, &m->id)) != BK_OK)
		return e;
	n = strlen(m->id);
	if (n == 0 || strpbrk(m->id, " \t\r\n/") != NULL)
		return fail(L, idk, BK_E_JSON_SHAPE, "an id is a base model ID "
		    "such as \"anthropic.claude-sonnet-4-6\"");
	for (b = 0; b < s->n; b++)
		if (strcmp(s->row[b].id, m->id) == 0)
			return fail(L, idk, BK_E_JSON_SHAPE, "duplicate id");
	s->replaces[s->n] = -1;
	for (b = 0; b < NBUILTIN; b++)
		if (strcmp(builtin[b].id, m->id) == 0) {
			base = &builtin[b];
			s->replaces[s->n] = (long)b;
		}
	{
		const char *id = m->id;
		if (base != NULL) {
			*m = *base;
		} else {
			memset(m, 0, sizeof(*m));
			m->in = m->out = m->cache_write_5m = -1.0;
			m->cache_write_1h = m->cache_read = -1.0;
			m->name = id;
			m->family = m->version = m->released = "";
			m->prefixes = "";
		}
		m->id = id;
	}
	i = obj + 1;
	for (k = 0; k < L->j.t[obj].size && e == BK_OK;
	    k++, i = bk_json_skip(&L->j, i + 1)) {
		int v = i + 1;
		if (bk_json_is(&L->j, i, "id"))
			continue;
		else if (bk_json_is(&L->j, i, "name"))
			e = pool_str(L, v, &m->name);
		else if (bk_json_is(&L->j, i, "family"))
			e = pool_str(L, v, &m->family);
		else if (bk_json_is(&L->j, i, "version"))
			e = pool_str(L, v, &m->version);
		else if (bk_json_is(&L->j, i, "released"))
			e = load_date(L, v, 0, &m->released);
		else if (bk_json_is(&L->j, i, "prefixes"))
			e = load_prefixes(L, v, &m->prefixes);
		else if (bk_json_is(&L->j, i, "on_demand"))
			e = load_bool(L, v, &m->on_demand);
		else if (bk_json_is(&L->j, i, "max_output"))
			e = load_u32(L, v, &m->max_output);
		else if (bk_json_is(&L->j, i, "price"))
			e = load_price_obj(L, v, m);
		else if (bk_json_is(&L->j, i, "legacy"))
			e = load_date(L, v, 0, &m->legacy_date);
		else if (bk_json_is(&L->j, i, "eol"))
			e = load_date(L, v, 1, &m->eol_date);
		else
			e = fail(L, i, BK_E_JSON_SHAPE, "unknown key (id, name, "
			    "family, version, released, prefixes, on_demand, "
			    "max_output, price, legacy, eol)");
	}
	if (e == BK_OK)
		s->n++;
	return e;
}

/*
 * jsmn, even strict, accepts {"a": 1, "b"} and {"a" "b"}: an object key
 * with no value (a key token of size 0), or a key followed by a key.  The
 * loops above take the token after each key as its value, and that one
 * then lies past the tokens of this parse: a stale token of an earlier
 * parse, whose offsets point outside this text (found by
 * tests/fuzz/fuzz_catalog.c: a heap over-read).  The first member that is
 * not a string key with exactly one value, or -1 when every one is.
 */
static int
key_without_value(const struct bk_json *j)
{
	int i, k, c;

	for (i = 0; i < j->n; i++) {
		if (j->t[i].type != JSMN_OBJECT)
			continue;
		for (k = 0, c = i + 1; k < j->t[i].size; k++) {
			if (c + 1 >= j->n || j->t[c].type != JSMN_STRING ||
			    j->t[c].size != 1)
				return c < j->n ? c : i;
			c = bk_json_skip(j, c + 1);
		}
	}
	return -1;
}

/* "LINE:COL: what" into the caller's buffer. */
static void
put_err(const struct loader *L, char *err, size_t cap)
{
	struct note w;
	unsigned line, col;
	char num[12];
	size_t i;

	note_init(&w, err, cap);
	bk_text_linecol(L->j.js, L->j.len, L->err_pos, &line, &col);
	for (i = 0; i < 2; i++) {
		unsigned v = i == 0 ? line : col;
		size_t p = sizeof(num) - 1;
		num[p] = '\0';
		do {
			num[--p] = (char)('0' + (int)(v % 10u));
			v /= 10u;
		} while (v != 0 && p > 0);
		note_put(&w, num + p);
		note_put(&w, i == 0 ? ":" : ": ");
	}
	note_put(&w, L->err.p);
}

enum bk_err
bk_catalog_load(const char *json_text, size_t len, char *err, size_t cap)
{
	static char msg[256];
	struct loader L;
	int stage = active_set == 0 ? 1 : 0, top, arr, i, k;
	enum bk_err e;

	memset(&L, 0, sizeof(L));
	note_init(&L.err, msg, sizeof(msg));
	L.j.js = json_text;
	L.j.len = len;
	if (err != NULL && cap > 0)
		err[0] = '\0';
	if (json_text == NULL || len > BK_CATALOG_FILE_MAX) {
		note_put(&L.err, "the override file exceeds BK_CATALOG_FILE_MAX "
		    "bytes");
		put_err(&L, err, cap);
		return BK_E_LIMIT;
	}
	L.set = &sets[stage];
	L.set->n = 0;
	L.set->used = 0;
	e = bk_json_parse(&L.j, json_text, len, load_tok, BK_CATALOG_TOKENS);
	if (e == BK_OK && (i = key_without_value(&L.j)) >= 0) {
		L.j.err_pos = (size_t)L.j.t[i].start;
		e = BK_E_JSON;
	}
	if (e != BK_OK) {
		L.err_pos = L.j.err_pos;
		note_put(&L.err, e == BK_E_JSON_TOKENS ? "too many JSON tokens "
		    "(more than BK_CATALOG_TOKENS)" : e == BK_E_LIMIT ?
		    "text too large" : "malformed JSON");
		put_err(&L, err, cap);
		return e;
	}
	top = 0;
	arr = bk_json_get(&L.j, top, "models");
	if (L.j.t[top].type != JSMN_OBJECT || arr < 0 ||
	    L.j.t[arr].type != JSMN_ARRAY) {
		e = fail(&L, arr >= 0 ? arr : top, BK_E_JSON_SHAPE,
		    "expected {\"models\": [...]}");
		put_err(&L, err, cap);
		return e;
	}
	/* any other top-level key is a typo */
	for (k = 0, i = 1; k < L.j.t[top].size;
	    k++, i = bk_json_skip(&L.j, i + 1))
		if (!bk_json_is(&L.j, i, "models")) {
			e = fail(&L, i, BK_E_JSON_SHAPE, "unknown top-level key "
			    "(only \"models\")");
			put_err(&L, err, cap);
			return e;
		}
	for (k = 0, i = arr + 1; k < L.j.t[arr].size;
	    k++, i = bk_json_skip(&L.j, i))
		if ((e = load_model(&L, i)) != BK_OK) {
			put_err(&L, err, cap);
			return e;
		}
	active_set = stage;
	return BK_OK;
}

void
bk_catalog_reset(void)
{
	active_set = -1;
}
