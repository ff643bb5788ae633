/*
 * persist.h -- what a conversation leaves on disk: the session file (JSON
 * lines, appended and synced turn by turn) and the cost ledger, for print
 * mode and the chat alike.
 */
#ifndef BK_PERSIST_H
#define BK_PERSIST_H

#include "run.h"
#include "session.h"

struct bk_persist {
	char state[BK_SESSION_PATH_MAX];
	int have_state;
	struct bk_session s;
	struct bk_transcript t;
	int64_t prior_nusd;        /* spent in the session before this run */
};

/*
 * Open the session: a new one, the latest of this directory (-c) or a
 * given one (-r).  Without a state directory nothing is kept, and a note
 * says where it would have gone.  Returns -1 to go on, or an exit code.
 */
int bk_persist_open(struct bk_persist *p, const struct bk_opts *o,
    struct bk_ctx *x);
/* The answer into the session, and the call into the ledger. */
void bk_persist_reply(struct bk_persist *p, const struct bk_ctx *x,
    const struct bk_reply *t);
void bk_persist_close(struct bk_persist *p);
/* --max-budget-usd: no request starts once the session spent that much. */
int bk_over_budget(const struct bk_opts *o, const struct bk_ctx *x);
/* "bedrock-claude: warning: ..." unless what is empty. */
void bk_warn_line(const char *what);

#endif
