/*
 * ledger.h -- one JSON line per model call, and the sums behind
 * `usage [--since DATE] [--by day|month|model]`.
 *
 * File: <state>/ledger.jsonl (see bk_state_dir in session.h), mode 0600,
 * appended and fsync'd once per call, every line whole (one write(2)):
 *
 *   {"time":"2026-11-25T12:00:00Z","model":"...","region":"...",
 *    "profile":"..."|null,"request_id":"..."|null,"input_tokens":N,
 *    "output_tokens":N,"cache_creation_input_tokens":N,
 *    "cache_read_input_tokens":N,"cost_usd":0.0123|null,
 *    "session":"<uuid>"|null}
 *
 * cost_usd is null when the model's price is unknown (-1 is read the
 * same way).  Several programs may append at once: O_APPEND keeps their
 * lines whole, and a torn line left by a crash is ended by the next
 * append (BK_PORT_APPEND_LINE), so it costs that one line only.
 *
 * Summing is a push parser (bk_ledger_sum_init/_push/_finish) over bytes
 * in any pieces, so a ledger of any size is read in fixed memory; the
 * caller lends the row array.  Lines that are not valid records are
 * skipped and counted (first one's line number kept), a torn last line
 * is counted apart; neither stops the sum.  Days and months are UTC.
 */
#ifndef BK_LEDGER_H
#define BK_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "bedrock.h"
#include "session.h"

#define BK_LEDGER_FILE "ledger.jsonl"
#define BK_LEDGER_LINE_MAX 8192   /* longer lines are refused / corrupt */
#define BK_USAGE_KEY_MAX 128      /* longer models are cut, "..." */
#define BK_LEDGER_TOKENS 256      /* per line; a record has about 25 */

/* One call, as the program knows it after the answer. */
struct bk_ledger_entry {
	int64_t time;              /* seconds since the epoch */
	const char *model;         /* model ID, profile ID or ARN */
	const char *region;
	const char *profile;       /* AWS profile; NULL: none */
	const char *request_id;    /* NULL: none */
	const char *session;       /* session ID; NULL: not persisted */
	struct bk_usage usage;
	int64_t cost_nusd;         /* nano-USD, or BK_COST_UNKNOWN */
};

/* The line for e, '\n' included (pure).  BK_E_BUFSZ if out is short. */
enum bk_err bk_ledger_line(struct bk_buf *out,
    const struct bk_ledger_entry *e);

/*
 * Append e to <state_dir>/ledger.jsonl (creating the directory 0700 and
 * the file 0600), fsync'd.  BK_E_LIMIT for a line over
 * BK_LEDGER_LINE_MAX, BK_E_IO.  A failure here should be a warning: the
 * answer itself is fine.
 */
enum bk_err bk_ledger_append(const char *state_dir,
    const struct bk_ledger_entry *e, char *err, size_t cap);

/* --- summing ------------------------------------------------------------ */

enum bk_ledger_by {
	BK_LEDGER_BY_NONE = 0,     /* a total only */
	BK_LEDGER_BY_DAY = 1,      /* "2026-11-25" */
	BK_LEDGER_BY_MONTH = 2,    /* "2026-11" */
	BK_LEDGER_BY_MODEL = 3
};

/* "day" | "month" | "model" | "none" -> *by.  BK_E_ARG otherwise. */
enum bk_err bk_ledger_by_parse(const char *s, enum bk_ledger_by *by);

/*
 * --since DATE: "YYYY-MM-DD" (midnight UTC), "YYYY-MM" (the first), or a
 * full ISO 8601 time.  BK_E_ARG otherwise.
 */
enum bk_err bk_ledger_parse_date(const char *s, int64_t *t);

struct bk_usage_row {
	char key[BK_USAGE_KEY_MAX]; /* day, month or model; "" for totals */
	uint64_t calls;
	struct bk_usage tokens;
	int64_t cost_nusd;         /* sum of the known costs */
	uint64_t unknown_cost;     /* calls without a price */
};

struct bk_ledger_stats {
	enum bk_ledger_by by;
	int64_t since;             /* 0: everything */
	struct bk_usage_row total; /* every counted call */
	size_t lines;              /* non-blank lines seen */
	size_t counted;            /* records summed */
	size_t before_since;       /* records older than since */
	size_t corrupt;            /* lines skipped as invalid */
	size_t first_corrupt;      /* 1-based line number of the first */
	int torn;                  /* the text ends in a torn line */
};

/* Push state: about 12 KiB, caller-owned. */
struct bk_ledger_sum {
	struct bk_usage_row *rows; /* lent by the caller */
	size_t cap, n;
	size_t last;               /* row hit last (lines come in order) */
	enum bk_err err;           /* sticky: BK_E_LIMIT when rows ran out */
	struct bk_ledger_stats st;
	size_t lineno;
	size_t have;               /* bytes of a partial line in `line` */
	int overlong;              /* the current line passed LINE_MAX */
	char line[BK_LEDGER_LINE_MAX];
	jsmntok_t tok[BK_LEDGER_TOKENS];
};

/* cannot fail; since 0 counts everything */
void bk_ledger_sum_init(struct bk_ledger_sum *s, enum bk_ledger_by by,
    int64_t since, struct bk_usage_row *rows, size_t cap);
/* Feed bytes, split anywhere. */
void bk_ledger_sum_push(struct bk_ledger_sum *s, const char *p, size_t n);
/*
 * End of input: the last line without '\n' is summed if valid, else
 * counted as torn.  Rows are sorted: by day or month ascending; by model
 * by cost, then name.  BK_E_LIMIT if more distinct keys than rows arrived
 * (the total still counts everything; the rows that fit are exact).
 */
enum bk_err bk_ledger_sum_finish(struct bk_ledger_sum *s);

/* All of it at once: text[0..len) into rows[0..*n), with stats. */
enum bk_err bk_ledger_sum(const char *text, size_t len, int64_t since,
    enum bk_ledger_by by, struct bk_usage_row *rows, size_t cap, size_t *n,
    struct bk_ledger_stats *st);

/*
 * Push <state_dir>/ledger.jsonl through s in 64 KiB pieces, then finish.
 * BK_E_NOT_FOUND (err says so) when nothing was recorded yet; BK_E_IO;
 * BK_E_LIMIT as bk_ledger_sum_finish.
 */
enum bk_err bk_ledger_sum_file(const char *state_dir, struct bk_ledger_sum *s,
    char *err, size_t cap);

/* --- output -------------------------------------------------------------- */

/*
 * An aligned table: a header, one row per key, a Total row; counts with
 * thousands separators, costs as "$0.0123" (4 decimals), marked '*' when
 * calls without a price are left out, with a footnote saying how many.
 */
void bk_ledger_format_table(struct bk_buf *out,
    const struct bk_usage_row *rows, size_t n,
    const struct bk_ledger_stats *st);

/*
 * The same as one JSON document (for --output json):
 * {"by":"day","since":"...Z"|null,"rows":[{"key":"2026-11-25","calls":N,
 *  "input_tokens":N,"output_tokens":N,"cache_creation_input_tokens":N,
 *  "cache_read_input_tokens":N,"cost_usd":X,"unknown_cost_calls":N}...],
 *  "total":{...without "key"},"skipped_lines":N,"torn_last_line":false}
 * and a '\n'.
 */
void bk_ledger_format_json(struct bk_buf *out,
    const struct bk_usage_row *rows, size_t n,
    const struct bk_ledger_stats *st);

/* Lines for stderr about skipped and torn lines ("" when none). */
void bk_ledger_format_notes(struct bk_buf *out, const char *path,
    const struct bk_ledger_stats *st);

/* "$0.0123": nano-USD rounded half up to 4 decimals. */
void bk_put_cost_usd(struct bk_buf *b, int64_t nusd);

#endif /* BK_LEDGER_H */
