/*
 * chat.c -- the interactive chat.
 *
 * Each line the user enters is written to the session before it is sent
 * (nothing typed is lost), the reply streams to stdout as it arrives, and
 * the answer joins the session when it ends -- complete, cut by Ctrl-C
 * (kept, marked interrupted) or failed.  Errors print their one line and
 * the chat goes on: only /exit, Ctrl-D, SIGTERM or SIGHUP end it.
 *
 * Ctrl-C at the prompt clears the line (the editor is in raw mode and sees
 * the key); during a reply the terminal is in normal mode, so it is
 * SIGINT, caught by the port layer, which stops the HTTP exchange.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat.h"
#include "lineedit.h"
#include "persist.h"
#include "port_fs.h"

static const char *prog = "bedrock-claude";

struct chat {
	const struct bk_opts *o;
	struct bk_opts fresh;      /* o without -c/-r/--session-id: /clear */
	struct bk_ctx *x;
	struct bk_persist ps;
	struct bk_le le;
	char hist[BK_SESSION_PATH_MAX + 16];   /* "" = no history file */
	char label[160];           /* the prompt */
	/* the reply in progress */
	int closed, failed;
	struct bk_port_err err;
	char last;
	uint64_t bytes;
};

/* "sonnet 5.5 · us-east-1> ", or the ID when the catalogue lacks it. */
static void
make_label(struct chat *c)
{
	const struct bk_model_info *mi = c->x->model_info;
	const char *m = c->x->model, *slash = strrchr(m, '/');

	if (mi != NULL)
		snprintf(c->label, sizeof(c->label), "%s %s \xc2\xb7 %s> ",
		    mi->family, mi->version, c->x->conf.region);
	else
		snprintf(c->label, sizeof(c->label), "%.80s \xc2\xb7 %s> ",
		    slash ? slash + 1 : m, c->x->conf.region);
}

static int
chat_text(void *ctx, const char *t, size_t n)
{
	struct chat *c = ctx;

	if (bk_port_signal() != 0)
		return 1;   /* Ctrl-C: stop showing at once */
	if (bk_port_write(1, t, n, &c->closed, &c->err) != BK_OK) {
		c->failed = !c->closed;
		return 1;
	}
	c->bytes += n;
	c->last = t[n - 1];
	return 0;
}

static void
chat_restart(void *ctx)
{
	struct chat *c = ctx;

	if (c->bytes > 0 && c->last != '\n')
		bk_port_write(1, "\n", 1, NULL, NULL);
	c->last = '\n';
}

static void
print_cost(const struct chat *c)
{
	const struct bk_transcript *t = &c->ps.t;

	printf("session %s\n", c->x->session_id);
	printf("  tokens: %llu input, %llu output (cache: %llu written, "
	    "%llu read)\n", (unsigned long long)t->usage.input_tokens,
	    (unsigned long long)t->usage.output_tokens,
	    (unsigned long long)t->usage.cache_creation_input_tokens,
	    (unsigned long long)t->usage.cache_read_input_tokens);
	printf("  cost: $%.4f at Bedrock on-demand prices", (double)
	    t->cost_nusd / 1e9);
	if (t->unknown_cost > 0)
		printf(" (+ %llu answer(s) of models without a price)",
		    (unsigned long long)t->unknown_cost);
	printf("\n");
	if (c->o->max_budget_usd >= 0)
		printf("  budget: $%.4f of $%.4f spent\n", c->x->spent_usd,
		    c->o->max_budget_usd);
	fflush(stdout);
}

static void
print_help(void)
{
	printf("Type a message and press Enter to send it.\n"
	    "  Enter at a line ending in \\, Ctrl-J or Alt-Enter: new line\n"
	    "  Up/Down: history   Ctrl-C: clear the line, or stop a reply\n"
	    "  Ctrl-D on an empty line: leave\n"
	    "Commands:\n"
	    "  /help            this list\n"
	    "  /model [NAME]    show the model, or switch (alias, ID, ARN)\n"
	    "  /cost            tokens and dollars of this conversation\n"
	    "  /clear           start a new conversation\n"
	    "  /exit, /quit     leave (the session is kept; resume with -c)\n"
	    "Start a message with // to send a line beginning with /.\n");
	fflush(stdout);
}

static void
cmd_model(struct chat *c, const char *arg)
{
	struct bk_ctx *x = c->x;
	char keep[sizeof(x->model)], err[600];
	const struct bk_model_info *keep_info = x->model_info;
	const char *keep_from = x->model_from;
	uint32_t keep_max = x->max_tokens;

	if (*arg == '\0') {
		printf("model %s (%s%s%s); region %s\n", x->model,
		    x->model_from, x->model_info ? ", " : "",
		    x->model_info ? x->model_info->name : "", x->conf.region);
		fflush(stdout);
		return;
	}
	memcpy(keep, x->model, sizeof(keep));
	if (bk_ctx_model(x, arg, "/model") >= 0) {
		memcpy(x->model, keep, sizeof(keep));   /* said why; unchanged */
		x->model_info = keep_info;
		x->model_from = keep_from;
		x->max_tokens = keep_max;
		return;
	}
	if (bk_session_append_model(&c->ps.s, bk_port_now(), x->model, err,
	    sizeof(err)) != BK_OK)
		bk_warn_line(err);
	make_label(c);
	printf("model %s%s%s\n", x->model, x->model_info ? ": " : "",
	    x->model_info ? x->model_info->name : "");
	fflush(stdout);
}

static int
cmd_clear(struct chat *c)
{
	int rc;

	bk_persist_close(&c->ps);
	memset(&c->ps, 0, sizeof(c->ps));
	c->x->spent_usd = 0;
	if ((rc = bk_persist_open(&c->ps, &c->fresh, c->x)) >= 0)
		return rc;
	printf("new conversation %s\n", c->x->session_id);
	fflush(stdout);
	return -1;
}

/* One prompt and its reply.  Returns -1 to go on, or an exit code. */
static int
chat_turn(struct chat *c, const char *text, size_t len)
{
	static struct bk_reply t;
	const struct bk_message *m;
	size_t nm;
	struct bk_sink sink;
	char err[600];
	int sig;

	if (bk_over_budget(c->o, c->x)) {
		fprintf(stderr, "%s: the conversation has spent $%.4f of its "
		    "--max-budget-usd %.4f; nothing was sent (the message is in "
		    "the history: press Up); fix: /clear for a new conversation"
		    " or restart with a higher budget\n", prog, c->x->spent_usd,
		    c->o->max_budget_usd);
		return -1;
	}
	if (bk_session_append_user(&c->ps.s, bk_port_now(),
	    (const uint8_t *)text, len, err, sizeof(err)) != BK_OK)
		bk_warn_line(err);
	if (bk_transcript_add(&c->ps.t, BK_ROLE_USER, (const uint8_t *)text,
	    len, bk_port_now(), BK_TURN_RAW) != BK_OK ||
	    bk_transcript_messages(&c->ps.t, &m, &nm) != BK_OK) {
		bk_fail("out of memory, or the conversation has reached %u "
		    "messages; fix: /clear", BK_SESSION_MAX_MESSAGES);
		return -1;
	}
	c->closed = c->failed = 0;
	c->bytes = 0;
	c->last = '\n';
	sink.ctx = c;
	sink.text = chat_text;
	sink.event = NULL;
	sink.restart = chat_restart;
	bk_port_signal_clear();
	bk_le_hold(&c->le, 1);   /* type-ahead waits, unechoed */
	bk_reply_run(c->x, m, nm, &t, &sink);
	bk_le_hold(&c->le, 0);
	sig = bk_port_signal();
	if (sig != 0 && t.err == BK_OK)
		sig = 0;   /* it came after the answer was complete */
	if (sig != 0 || t.stopped)
		t.err = BK_E_INTERRUPTED;
	bk_persist_reply(&c->ps, c->x, &t);
	if (c->bytes > 0 && c->last != '\n')
		bk_port_write(1, "\n", 1, NULL, NULL);
	if (c->failed) {
		bk_fail("cannot write standard output (%s)", c->err.msg);
		bk_reply_free(&t);
		return BK_EXIT_USAGE;
	}
	if (c->closed) {
		bk_reply_free(&t);
		return BK_EXIT_OK;   /* the reader left */
	}
	if (t.err == BK_E_INTERRUPTED)
		fprintf(stderr, "[interrupted; %s kept in the conversation]\n",
		    t.len > 0 ? "the partial answer is" : "your message is");
	else if (t.err != BK_OK)
		bk_reply_report(c->x, &t);
	else if (strcmp(t.stop_reason, "max_tokens") == 0)
		fprintf(stderr, "%s: the answer stopped at %u tokens (the "
		    "max-tokens limit); ask it to continue, or raise "
		    "--max-tokens\n", prog, c->x->max_tokens);
	if (c->o->verbose && t.usage.input_tokens + t.usage.output_tokens > 0)
		fprintf(stderr, "[%llu in, %llu out; $%.4f; conversation "
		    "$%.4f]\n", (unsigned long long)t.usage.input_tokens,
		    (unsigned long long)t.usage.output_tokens,
		    t.cost_usd > 0 ? t.cost_usd : 0.0, c->x->spent_usd);
	bk_reply_free(&t);
	bk_call_free_buffers();
	/* SIGTERM or SIGHUP end the chat once the answer is saved */
	if (sig != 0 && sig != 2)
		return 128 + sig;
	bk_port_signal_clear();
	return -1;
}

/* A slash command.  Returns -1 to go on, or an exit code. */
static int
chat_command(struct chat *c, char *line)
{
	char *arg = line + 1;
	size_t n = strcspn(arg, " \t");

	if (arg[n] != '\0') {
		arg[n] = '\0';
		line = arg + n + 1;
		line += strspn(line, " \t");
		/* trailing blanks are not part of a model ID */
		n = strlen(line);
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' ||
		    line[n - 1] == '\n'))
			line[--n] = '\0';
	} else {
		line = arg + n;
	}
	if (strcmp(arg, "exit") == 0 || strcmp(arg, "quit") == 0)
		return BK_EXIT_OK;
	if (strcmp(arg, "help") == 0 || strcmp(arg, "?") == 0)
		print_help();
	else if (strcmp(arg, "model") == 0)
		cmd_model(c, line);
	else if (strcmp(arg, "cost") == 0)
		print_cost(c);
	else if (strcmp(arg, "clear") == 0)
		return cmd_clear(c);
	else
		fprintf(stderr, "%s: unknown command /%s; /help lists the "
		    "commands\n", prog, arg);
	return -1;
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

int
bk_chat_run(const struct bk_opts *o, struct bk_ctx *x, const char *first)
{
	static struct chat c;
	int rc, out;

	memset(&c, 0, sizeof(c));
	c.o = o;
	c.x = x;
	c.fresh = *o;
	c.fresh.cont = 0;
	c.fresh.resume = NULL;
	c.fresh.session_id = NULL;
	bk_port_catch_signals();
	if ((rc = bk_persist_open(&c.ps, o, x)) >= 0)
		goto out;
	/* the editor draws on the terminal; a piped stdout keeps only the
	 * answers, plain */
	out = bk_port_isatty(1) ? 1 : 2;
	bk_le_init(&c.le, 0, out);
	if (c.ps.have_state && !o->no_persist) {
		snprintf(c.hist, sizeof(c.hist), "%s/history", c.ps.state);
		if (bk_le_history_load(&c.le, c.hist) != 0 &&
		    c.le.err != ENOENT)
			fprintf(stderr, "%s: warning: cannot read the history "
			    "%s (%s)\n", prog, c.hist, strerror(c.le.err));
	}
	make_label(&c);
	fprintf(stderr, "bedrock-claude %s: %s in %s, session %s%s\n"
	    "/help for commands, Ctrl-D to leave\n", BK_VERSION, x->model,
	    x->conf.region, x->session_id, c.ps.t.n > 0 ? " (resumed)" : "");
	if (first != NULL && !blank(first, strlen(first))) {
		bk_port_write(out, c.label, strlen(c.label), NULL, NULL);
		bk_port_write(out, first, strlen(first), NULL, NULL);
		bk_port_write(out, "\n", 1, NULL, NULL);
		bk_le_history_add(&c.le, first);
		if ((rc = chat_turn(&c, first, strlen(first))) >= 0)
			goto done;
	}
	for (;;) {
		char *line = NULL;
		size_t len = 0;
		enum bk_le_status st = bk_le_read(&c.le, c.label, &line, &len);

		if (st == BK_LE_EOF) {
			rc = BK_EXIT_OK;
			break;
		}
		if (st == BK_LE_INTERRUPT) {
			int sig = bk_port_signal();
			if (sig != 0 && sig != 2) {
				rc = 128 + sig;
				break;
			}
			bk_port_signal_clear();
			continue;   /* Ctrl-C at the prompt: the line is gone */
		}
		if (st == BK_LE_ERROR) {
			bk_fail("cannot read the terminal (%s)",
			    strerror(c.le.err));
			rc = BK_EXIT_USAGE;
			break;
		}
		if (blank(line, len)) {
			free(line);
			continue;
		}
		bk_le_history_add(&c.le, line);
		if (c.hist[0] != '\0' && bk_le_history_save(&c.le, c.hist) != 0)
			fprintf(stderr, "%s: warning: cannot write the history "
			    "%s (%s)\n", prog, c.hist, strerror(c.le.err));
		if (line[0] == '/' && line[1] != '/')
			rc = chat_command(&c, line);
		else if (line[0] == '/')
			rc = chat_turn(&c, line + 1, len - 1);
		else
			rc = chat_turn(&c, line, len);
		bk_wipe(line, len);
		free(line);
		if (rc >= 0)
			break;
	}
done:
	if (rc == BK_EXIT_OK && c.ps.have_state && !o->no_persist &&
	    c.ps.t.n > 0)
		fprintf(stderr, "session %s kept; resume with: %s -r %s\n",
		    x->session_id, prog, x->session_id);
out:
	bk_le_free(&c.le);
	bk_persist_close(&c.ps);
	return rc;
}
