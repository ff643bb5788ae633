/*
 * catalog.h -- the Claude models Bedrock serves: IDs, inference-profile
 * prefixes, output limits, prices and lifecycle dates, in one table.
 *
 * Overview
 *
 *   The built-in table (catalog.c, "The table") is data: one row per base
 *   model ID, with a comment block naming where each figure comes from and
 *   when it was read.  An override file, parsed by bk_catalog_load(),
 *   changes rows or adds new ones without a rebuild.  Everything else here
 *   reads that merged view:
 *
 *     bk_catalog_find()    any model string (base ID, profile ID, ARN) ->
 *                          its row, or NULL;
 *     bk_model_resolve()   an alias ("sonnet", "opus-4.1") + a Region ->
 *                          the ID to send, with a note about Legacy/EOL;
 *     bk_cost_usd*()       a usage block -> dollars, or -1 when unknown.
 *
 * Ownership and lifetime
 *
 *   Rows are owned by the catalogue: built-in rows are static, loaded rows
 *   live in a fixed static pool (BK_CATALOG_POOL bytes, at most
 *   BK_CATALOG_EXTRA_MAX rows).  A pointer returned by any function here
 *   stays valid until the next successful bk_catalog_load() or
 *   bk_catalog_reset().  That state is process-wide (the only global
 *   state in the core, because model IDs arrive as bare strings from
 *   many places): load the file once at start-up, before other threads
 *   exist.  Nothing here allocates, reads the clock or does I/O; "today"
 *   is a parameter.
 *
 * Prices
 *
 *   USD per million tokens, as doubles: every published figure is a short
 *   decimal (0.01, 0.125, 1.375), the override file writes them that way,
 *   and a double holds them and any realistic sum (up to ~1e12 tokens)
 *   far below a micro-dollar of error.  An integer micro-dollar table would
 *   be exact but would need 128-bit products for large token counts, and
 *   the result is an estimate either way.  A negative price means unknown;
 *   a cost that needs an unknown price is -1, never a guess.
 */
#ifndef BK_CATALOG_H
#define BK_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "bedrock.h"

#define BK_CATALOG_EXTRA_MAX 64          /* rows an override file may add */
#define BK_CATALOG_POOL (32u * 1024u)    /* bytes for their strings */
#define BK_CATALOG_FILE_MAX (512u * 1024u) /* override text accepted */
#define BK_CATALOG_TOKENS 4096           /* JSON tokens in that text */

struct bk_model_info {
	const char *id;            /* base model ID, "anthropic.claude-..." */
	const char *name;          /* "Claude Sonnet 4.6" */
	const char *family;        /* "sonnet" | "opus" | "haiku" | "fable" */
	const char *version;       /* "4.6" */
	const char *released;      /* "YYYY-MM-DD"; orders "newest" */
	const char *prefixes;      /* profiles, space-separated: "global us eu" */
	int on_demand;             /* base ID invocable without a profile */
	uint32_t max_output;       /* tokens; 0 unknown */
	/* USD per million tokens at the global (list) price; < 0 unknown */
	double in, out, cache_write_5m, cache_write_1h, cache_read;
	uint32_t tier_above;       /* prompt tokens above which every rate is
	                              multiplied by tier_mult; 0 = no tier */
	double tier_mult;
	int regional_pct;          /* % added on non-global endpoints (geo
	                              profiles and in-Region base IDs) */
	const char *legacy_date;   /* "YYYY-MM-DD" or NULL */
	const char *eol_date;      /* "YYYY-MM-DD"; "" = past EOL, date not
	                              recorded; NULL = none announced */
};

/* Claude Code's ANTHROPIC_DEFAULT_SONNET_MODEL / _OPUS_MODEL /
 * _HAIKU_MODEL, as the caller read them (NULL or "" = unset).  When set,
 * the bare family alias resolves to that string verbatim. */
struct bk_model_overrides {
	const char *sonnet;
	const char *opus;
	const char *haiku;
};

enum bk_life { BK_LIFE_ACTIVE = 0, BK_LIFE_LEGACY = 1, BK_LIFE_EOL = 2 };

/* Rows in the merged view: built-in rows (replaced ones shown replaced),
 * then rows the override file added.  For listing. */
size_t bk_catalog_count(void);
/* Row i < bk_catalog_count(), or NULL. */
const struct bk_model_info *bk_catalog_at(size_t i);

/*
 * The row for model_id, which may be a base ID
 * ("anthropic.claude-sonnet-4-6"), a system inference-profile ID
 * ("us.anthropic...", "global.", "us-gov.", "jp."...), a foundation-model
 * ARN (arn:aws:bedrock:REGION::foundation-model/ID) or a system
 * inference-profile ARN (...:inference-profile/us.anthropic...).
 * Application-inference-profile and other ARNs are opaque: NULL.
 * NULL for unknown models.
 */
const struct bk_model_info *bk_catalog_find(const char *model_id);

/* Lifecycle of m on the day containing `today` (seconds since the epoch):
 * EOL from eol_date on (or always, for eol_date ""), else Legacy from
 * legacy_date on, else Active.  A date the model has not reached yet does
 * not count. */
enum bk_life bk_model_lifecycle(const struct bk_model_info *m, int64_t today);

/*
 * Resolve what the user asked for into the model ID to send.
 *
 *   requested  an alias -- "sonnet", "opus", "haiku", "fable", or
 *              FAMILY-VERSION ("sonnet-4.5", "opus-4.1", "haiku-3",
 *              "sonnet-4-6"; "claude-" may lead, and "3.5-haiku" order
 *              works too), case-insensitive -- or anything else that
 *              looks like a model ID (contains '.', ':' or '/'), which is
 *              copied to out unchanged.  NULL or "" means "sonnet".
 *   region     the AWS Region requests go to; needed for aliases only.
 *   ov         family overrides, or NULL.
 *   today      seconds since the epoch, for Legacy/EOL notes and for
 *              picking a family's newest Active model.
 *   out        receives the ID (NUL-terminated).
 *   info       if not NULL, receives the row of the chosen model, or NULL
 *              when the catalogue does not know it.
 *   note       if not NULL, receives one line (truncated to note_cap):
 *              a warning on success ("" when there is nothing to say),
 *              the reason on failure.
 *
 * A family alias picks the newest Active model of that family (by release
 * date) that can be reached from `region`; a versioned alias picks that
 * version (the newest row of it).  The prefix follows the Region:
 * us-gov-* -> us-gov; us-*, ca-central-1 -> us; eu-* -> eu;
 * ap-northeast-1/-3 -> jp; ap-southeast-2/-4 -> au; ap-south-1/-2 -> in;
 * then any other ap-* (and the three above, as a fallback) -> apac; then
 * global (commercial Regions only); then the bare base ID if the model
 * allows on-demand use.
 *
 * Returns BK_OK; BK_E_ARG for an unknown alias (note lists the known
 * ones) or a model that cannot be reached from the Region (note lists its
 * prefixes); BK_E_NO_REGION if an alias needs a Region and none is given;
 * BK_E_BUFSZ if out is too small.
 */
enum bk_err bk_model_resolve(const char *requested, const char *region,
    const struct bk_model_overrides *ov, int64_t today, struct bk_buf *out,
    const struct bk_model_info **info, char *note, size_t note_cap);

/*
 * Cost of one response at m's global (list) prices, every cache write
 * priced as a 5-minute write.  Bedrock's usage block gives one
 * cache_creation_input_tokens count; the 5m/1h split only appears when
 * the response carries usage.cache_creation (see bk_cost_usd_id).
 * -1 if m is NULL or a price the usage needs is unknown.
 */
double bk_cost_usd(const struct bk_model_info *m, const struct bk_usage *u);

/*
 * Cost for the ID actually sent: as bk_cost_usd, plus the model's
 * regional premium unless the ID is a global. profile, and with
 * cache_1h_tokens (<= cache_creation_input_tokens; 0 if unknown) of the
 * cache writes priced as 1-hour writes.  -1 for unknown models and for
 * GovCloud IDs (us-gov. profiles, us-gov ARNs), whose prices the
 * catalogue does not hold.
 */
double bk_cost_usd_id(const char *model_id, const struct bk_usage *u,
    uint64_t cache_1h_tokens);

/*
 * Replace the override set with the models in json_text:
 *
 *   {"models": [{"id": "anthropic.claude-...", "name": "...",
 *     "family": "sonnet", "version": "4.6", "released": "2026-02-17",
 *     "prefixes": ["global", "us", "eu"], "on_demand": false,
 *     "max_output": 128000,
 *     "price": {"input": 3, "output": 15, "cache_write_5m": 3.75,
 *               "cache_write_1h": 6, "cache_read": 0.3,
 *               "regional_premium": 10, "tier_above": 0,
 *               "tier_multiplier": 1},
 *     "legacy": "2026-01-01", "eol": "2026-07-01"}]}
 *
 * An entry whose id is built in starts from that row and changes only the
 * fields given (so {"id": ..., "price": {"input": 2}} changes one price);
 * a new id starts empty (unknown prices).  null clears a date or makes a
 * price unknown; "eol": "" records a past EOL without a date.  Unknown
 * keys are errors (a typo should not pass silently).
 *
 * Returns BK_OK, or BK_E_JSON / BK_E_JSON_SHAPE / BK_E_LIMIT with err set
 * to "LINE:COL: what" (1-based, from bk_text_linecol).  On error the
 * previous override set stays in force.
 */
enum bk_err bk_catalog_load(const char *json_text, size_t len, char *err,
    size_t cap);

/* Drop every loaded row: back to the built-in table. */
void bk_catalog_reset(void);

#endif /* BK_CATALOG_H */
