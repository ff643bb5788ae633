/*
 * run.h -- what every command shares: the resolved AWS context (profile
 * files, trust, region, endpoint, credentials, model), one conversation
 * turn against Bedrock, and the mapping of failures to one line and an
 * exit code.  Print mode, the chat and doctor all build on it.
 */
#ifndef BK_RUN_H
#define BK_RUN_H

#include "bedrock.h"
#include "catalog.h"
#include "cli.h"
#include "client.h"
#include "creds.h"
#include "settings.h"

/* Exit codes (README.md, "Exit codes"). */
enum {
	BK_EXIT_OK = 0,
	BK_EXIT_SERVICE = 1,      /* Bedrock refused or failed the request */
	BK_EXIT_USAGE = 2,        /* bad command line, configuration, local I/O */
	BK_EXIT_CREDENTIALS = 3,  /* missing, invalid or expired credentials */
	BK_EXIT_NETWORK = 4,      /* DNS, connect, TLS, timeout, cut connection */
	BK_EXIT_PROTOCOL = 5,     /* corrupt or incomplete response stream */
	BK_EXIT_BUDGET = 6,       /* --max-budget-usd reached */
	BK_EXIT_INTERRUPTED = 130
};

#define BK_DEFAULT_MAX_TOKENS 4096u

struct bk_ctx {
	const struct bk_opts *o;
	const struct bk_settings *st;
	struct bk_awsconf conf;
	struct bk_credentials cr;
	struct bk_endpoint ep;
	const char *ep_from;
	const char *ca_source;
	char model[512];
	const char *model_from;
	const struct bk_model_info *model_info;  /* NULL: not in the catalogue */
	uint32_t max_tokens;
	int temperature_milli;
	char *system;              /* the final system prompt, or NULL */
	size_t system_len;
	struct bk_sigv4_cache key_cache;
	int have_creds;
	double spent_usd;          /* priced answers of this session */
	char session_id[40];
};

/*
 * Resolve everything a call needs.  `need` says how far: trust and
 * configuration only, or region, endpoint, credentials and the model too.
 * Returns -1 to go on, or an exit code with the error already printed.
 */
enum { BK_SETUP_CONFIG = 0, BK_SETUP_REGION = 1, BK_SETUP_CALL = 2 };
int bk_ctx_setup(struct bk_ctx *x, const struct bk_opts *o, int need);
void bk_ctx_free(struct bk_ctx *x);
/* Resolve a model request (alias, ID, profile, ARN, or NULL for the
 * default) for the context's region; prints why on failure. */
int bk_ctx_model(struct bk_ctx *x, const char *requested, const char *from);
/* Resolve credentials (again); prints the chain report on failure. */
int bk_ctx_credentials(struct bk_ctx *x);

/* What a turn streams out as it happens. */
struct bk_sink {
	void *ctx;
	int (*text)(void *ctx, const char *t, size_t n);      /* != 0: stop */
	void (*event)(void *ctx, const char *raw, size_t n);  /* may be NULL */
	/* the answer starts over (the model would not continue a cut one);
	 * may be NULL */
	void (*restart)(void *ctx);
};

struct bk_reply {
	enum bk_err err;
	int status;
	char *text;                /* the answer so far (malloc'd, NUL-ended) */
	size_t len, cap;
	struct bk_usage usage;
	char stop_reason[32];
	char model[96];            /* as the service named it */
	char request_id[128];
	double cost_usd;           /* -1: price unknown */
	uint64_t api_ms;
	int stopped;               /* the sink asked to stop (reader gone) */
	unsigned attempts;         /* requests sent for this answer */
	struct bk_call call;       /* error detail: svc, perr, detail */
};

/* One request/answer over the conversation (alternating, starting and
 * ending with a user turn), with one credential refresh and retry on an
 * expired token. */
void bk_reply_run(struct bk_ctx *x, const struct bk_message *m, size_t n,
    struct bk_reply *t, const struct bk_sink *sink);
void bk_reply_free(struct bk_reply *t);

/* The exit code of an error, and its one-line report on stderr. */
int bk_exit_code(enum bk_err e);
void bk_reply_report(const struct bk_ctx *x, const struct bk_reply *t);

/* The Amazon Trust Services roots built into the binary. */
const char *bk_builtin_roots(size_t *len);

/* "bedrock-claude: ..." on stderr. */
void bk_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
