/*
 * persist.c -- the session file and the ledger of a conversation.
 */
#include <stdio.h>
#include <string.h>

#include "ledger.h"
#include "persist.h"
#include "port_fs.h"

static const char *prog = "bedrock-claude";


void
bk_warn_line(const char *what)
{
	if (what != NULL && what[0] != '\0')
		fprintf(stderr, "%s: warning: %s\n", prog, what);
}

/*
 * Open the session: a new one, the latest of this directory (-c) or a
 * given one (-r).  Without a state directory nothing is kept, and a note
 * says where it would have gone.  Returns -1 to go on, or an exit code.
 */
int
bk_persist_open(struct bk_persist *p, const struct bk_opts *o, struct bk_ctx *x)
{
	char err[600], id[BK_SESSION_ID_LEN + 1], cwd[BK_SESSION_PATH_MAX];
	struct bk_session_start st;
	enum bk_err e;

	bk_transcript_init(&p->t);
	bk_session_off(&p->s);
	if (bk_port_getcwd(cwd, sizeof(cwd), NULL) != BK_OK)
		cwd[0] = '\0';
	if (bk_state_dir(bk_port_getenv("XDG_STATE_HOME"),
	    bk_port_getenv("HOME"), p->state, sizeof(p->state), err,
	    sizeof(err)) == BK_OK) {
		p->have_state = 1;
	} else if (o->cont || o->resume != NULL) {
		bk_fail("%s; fix: set HOME or XDG_STATE_HOME to resume sessions",
		    err);
		return BK_EXIT_USAGE;
	} else if (!o->no_persist) {
		fprintf(stderr, "%s: note: %s\n", prog, err);
	}
	if (o->cont || o->resume != NULL) {
		e = o->cont ? bk_session_latest_for_cwd(p->state, cwd, id, err,
		    sizeof(err)) : bk_session_find(p->state, o->resume, id, err,
		    sizeof(err));
		if (e != BK_OK) {
			bk_fail("%s", err);
			return BK_EXIT_USAGE;
		}
		e = bk_session_resume(&p->s, p->state, id, &p->t, err,
		    sizeof(err));
		if (e != BK_OK) {
			bk_fail("%s", err);
			return BK_EXIT_USAGE;
		}
		bk_warn_line(p->t.warn);
		bk_warn_line(p->s.warn);
		p->prior_nusd = p->t.cost_nusd;
		x->spent_usd = (double)p->t.cost_nusd / 1e9;
		if (o->no_persist)
			bk_session_off(&p->s);   /* read, but add nothing */
		memcpy(x->session_id, id, sizeof(id));
		return -1;
	}
	if (o->no_persist || !p->have_state) {
		if (o->session_id != NULL &&
		    bk_session_id_parse(o->session_id, x->session_id) != BK_OK) {
			bk_fail("--session-id '%s' is not a UUID", o->session_id);
			return BK_EXIT_USAGE;
		}
		if (o->session_id == NULL)
			bk_session_id_new(x->session_id);
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.state_dir = p->state;
	st.cwd = cwd;
	st.id = o->session_id;
	st.model = x->model;
	st.region = x->conf.region;
	st.now = bk_port_now();
	if (bk_session_new(&p->s, &st, err, sizeof(err)) != BK_OK) {
		bk_fail("%s", err);
		return BK_EXIT_USAGE;
	}
	bk_warn_line(p->s.warn);
	memcpy(x->session_id, p->s.id, sizeof(p->s.id));
	if (x->system != NULL)
		bk_session_append_system(&p->s, st.now,
		    (const uint8_t *)x->system, x->system_len, err, sizeof(err));
	return -1;
}

static int64_t
to_nusd(double usd)
{
	return usd < 0 ? BK_COST_UNKNOWN : (int64_t)(usd * 1e9 + 0.5);
}

/* The answer into the session, and the call into the ledger. */
void
bk_persist_reply(struct bk_persist *p, const struct bk_ctx *x,
    const struct bk_reply *t)
{
	struct bk_answer a;
	struct bk_ledger_entry le;
	char err[600];

	memset(&a, 0, sizeof(a));
	a.time = bk_port_now();
	a.text = (const uint8_t *)(t->text ? t->text : "");
	a.len = t->len;
	a.model = x->model;
	a.stop_reason = t->stop_reason[0] ? t->stop_reason : NULL;
	a.usage = &t->usage;
	a.cost_nusd = to_nusd(t->cost_usd);
	a.request_id = t->request_id[0] ? t->request_id : NULL;
	a.interrupted = t->err == BK_E_INTERRUPTED;
	a.error = t->err != BK_OK && t->err != BK_E_INTERRUPTED ?
	    bk_strerror(t->err) : NULL;
	/* a failure before any text leaves the user turn alone: resuming
	 * joins it to the next prompt */
	if ((t->len > 0 || t->err == BK_OK) &&
	    bk_session_append_assistant(&p->s, &a, err, sizeof(err)) != BK_OK)
		bk_warn_line(err);
	/* the conversation goes on from what the user saw (the chat) */
	if (t->len > 0 && bk_transcript_add(&p->t, BK_ROLE_ASSISTANT, a.text,
	    a.len, a.time, (a.interrupted ? BK_TURN_INTERRUPTED : 0u) |
	    (a.error ? BK_TURN_ERROR : 0u)) != BK_OK)
		bk_warn_line("out of memory: the answer is not in the "
		    "conversation");
	p->t.usage.input_tokens += t->usage.input_tokens;
	p->t.usage.output_tokens += t->usage.output_tokens;
	p->t.usage.cache_creation_input_tokens +=
	    t->usage.cache_creation_input_tokens;
	p->t.usage.cache_read_input_tokens += t->usage.cache_read_input_tokens;
	if (t->usage.input_tokens + t->usage.output_tokens == 0)
		;   /* nothing was billed */
	else if (a.cost_nusd == BK_COST_UNKNOWN)
		p->t.unknown_cost++;
	else
		p->t.cost_nusd += a.cost_nusd;
	if (!p->have_state || x->o->no_persist ||
	    t->usage.input_tokens + t->usage.output_tokens == 0)
		return;
	memset(&le, 0, sizeof(le));
	le.time = a.time;
	le.model = x->model;
	le.region = x->conf.region;
	le.profile = x->conf.profile;
	le.request_id = a.request_id;
	le.session = p->s.off ? NULL : x->session_id;
	le.usage = t->usage;
	le.cost_nusd = a.cost_nusd;
	if (bk_ledger_append(p->state, &le, err, sizeof(err)) != BK_OK)
		bk_warn_line(err);
}

void
bk_persist_close(struct bk_persist *p)
{
	bk_session_free(&p->s);
	bk_transcript_free(&p->t);
}

int
bk_over_budget(const struct bk_opts *o, const struct bk_ctx *x)
{
	return o->max_budget_usd >= 0 && x->spent_usd >= o->max_budget_usd;
}

