/*
 * main.c -- bedrock-claude: dispatch to print mode, the chat or a command.
 *
 * Print mode reads the prompt (stdin first, then the argument, as Claude
 * Code does), streams the answer to stdout as it arrives (or as json /
 * stream-json), and maps every failure to one line on stderr and a
 * documented exit code (README.md).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "chat.h"
#include "cli.h"
#include "control.h"
#include "doctor.h"
#include "ledger.h"
#include "output.h"
#include "persist.h"
#include "port_fs.h"
#include "run.h"
#include "session.h"
#include "settings.h"

#define PROMPT_MAX (32u * 1024u * 1024u)

static const char *prog = "bedrock-claude";

/* ---- print mode ------------------------------------------------------------ */

struct print_out {
	const struct bk_opts *o;
	const struct bk_ctx *x;
	int closed;        /* stdout went away (| head): stop quietly */
	int failed;        /* stdout cannot be written (disk full...) */
	struct bk_port_err err;
	char last;         /* last byte written, for the final newline */
	uint64_t bytes;
};

static int
print_text(void *ctx, const char *t, size_t n)
{
	struct print_out *p = ctx;

	if (p->o->output_format != BK_OUT_TEXT)
		return 0;
	/* write(2) per delta: the answer appears as it is generated, with no
	 * stdio buffer between Claude and the reader */
	if (bk_port_write(1, t, n, &p->closed, &p->err) != BK_OK) {
		p->failed = !p->closed;
		return 1;
	}
	p->bytes += n;
	p->last = t[n - 1];
	return 0;
}

static void
print_event(void *ctx, const char *raw, size_t n)
{
	struct print_out *p = ctx;

	if (p->o->output_format == BK_OUT_STREAM_JSON && p->o->include_partial &&
	    !p->closed && bk_out_event(p->x->session_id, raw, n) != BK_OK)
		p->closed = 1;
}

/* The answer starts over: end the cut one's line first. */
static void
print_restart(void *ctx)
{
	struct print_out *p = ctx;

	if (p->o->output_format == BK_OUT_TEXT && p->bytes > 0 &&
	    p->last != '\n' && !p->closed)
		bk_port_write(1, "\n", 1, NULL, NULL);
	p->last = '\n';
}

static char *
join_prompt(const uint8_t *in, size_t inl, const char *arg, size_t *len)
{
	size_t al = arg ? strlen(arg) : 0, n = 0;
	char *p;

	/* stdin, then the argument, separated by a blank line */
	if (inl > PROMPT_MAX || al > PROMPT_MAX)
		return NULL;
	p = malloc(inl + al + 3);
	if (p == NULL)
		return NULL;
	if (inl > 0) {
		memcpy(p, in, inl);
		n = inl;
	}
	if (inl > 0 && al > 0) {
		p[n++] = '\n';
		p[n++] = '\n';
	}
	if (al > 0) {
		memcpy(p + n, arg, al);
		n += al;
	}
	p[n] = '\0';
	*len = n;
	return p;
}

/* --system-prompt / --system-prompt-file, then --append-system-prompt. */
static int
system_prompt(struct bk_ctx *x, const struct bk_opts *o)
{
	uint8_t *file = NULL;
	size_t fl = 0, bl = o->system ? strlen(o->system) : 0;
	size_t al = o->append_system ? strlen(o->append_system) : 0;
	struct bk_port_err pe;
	char *s;

	if (o->system != NULL && o->system_file != NULL) {
		bk_fail("--system-prompt and --system-prompt-file exclude each "
		    "other");
		return BK_EXIT_USAGE;
	}
	if (o->system_file != NULL) {
		file = malloc(PROMPT_MAX + 1);
		if (file == NULL)
			return BK_EXIT_USAGE;
		if (bk_port_read_file(o->system_file, file, PROMPT_MAX, &fl,
		    &pe) != BK_OK) {
			bk_fail("%s; fix: check --system-prompt-file", pe.msg);
			free(file);
			return BK_EXIT_USAGE;
		}
		bl = fl;
	}
	if (bl + al == 0)
		return -1;
	s = malloc(bl + al + 3);
	if (s == NULL) {
		free(file);
		return BK_EXIT_USAGE;
	}
	if (bl > 0)
		memcpy(s, file != NULL ? (const char *)file : o->system, bl);
	x->system_len = bl;
	if (al > 0) {
		if (bl > 0) {
			s[x->system_len++] = '\n';
			s[x->system_len++] = '\n';
		}
		memcpy(s + x->system_len, o->append_system, al);
		x->system_len += al;
	}
	s[x->system_len] = '\0';
	x->system = s;
	free(file);
	return -1;
}

static void
emit_result(const struct bk_opts *o, const struct bk_ctx *x,
    const struct bk_reply *t, const char *subtype, const char *msg, int rc,
    uint64_t t0)
{
	struct bk_result r;

	memset(&r, 0, sizeof(r));
	r.is_error = rc != 0;
	r.subtype = subtype;
	if (msg != NULL) {
		r.result = msg;
		r.result_len = strlen(msg);
	} else if (t != NULL && r.is_error) {
		r.result = t->call.svc.message[0] ? t->call.svc.message :
		    bk_strerror(t->err);
		r.result_len = strlen(r.result);
	} else if (t != NULL) {
		r.result = t->text;
		r.result_len = t->len;
	}
	r.session_id = x->session_id;
	r.num_turns = 1;
	r.duration_ms = bk_port_mono_ms() - t0;
	r.duration_api_ms = t ? t->api_ms : 0;
	r.cost_usd = t ? t->cost_usd : 0;
	r.usage = t ? &t->usage : NULL;
	r.stop_reason = t ? t->stop_reason : NULL;
	r.model = t && t->model[0] ? t->model : x->model;
	r.error_code = r.is_error && t ? bk_errname(t->err) : NULL;
	r.error_fix = t ? t->call.svc.hint : NULL;
	r.exit_code = rc;
	(void)o;
	bk_out_result(&r);
}

static int
print_mode(const struct bk_opts *o, struct bk_ctx *x, const char *prompt,
    size_t plen)
{
	static struct bk_reply t;
	static struct bk_persist ps;
	const struct bk_message *m;
	size_t nm;
	struct print_out po;
	struct bk_sink sink;
	char cwd[4096], err[600];
	uint64_t t0 = bk_port_mono_ms();
	int rc, sig = 0;

	memset(&po, 0, sizeof(po));
	po.o = o;
	po.x = x;
	if ((rc = bk_persist_open(&ps, o, x)) >= 0)
		goto out;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	if (o->output_format == BK_OUT_STREAM_JSON &&
	    bk_out_init(x, cwd) != BK_OK) {
		rc = BK_EXIT_OK;   /* nobody is reading */
		goto out;
	}
	if (o->verbose) {
		fprintf(stderr, "%s: model %s (%s); region %s (from %s); endpoint "
		    "%s (%s%s)\n", prog, x->model, x->model_from, x->conf.region,
		    x->conf.region_from, x->ep.url, x->ep_from,
		    x->ep.vpce ? ", a VPC endpoint" : "");
		fprintf(stderr, "%s: credentials: %s; profile %s (%s); trust "
		    "%s; session %s\n", prog, x->cr.source, x->conf.profile,
		    x->conf.profile_from, x->ca_source, x->session_id);
	}
	if (bk_over_budget(o, x)) {
		char msg[200];
		snprintf(msg, sizeof(msg), "the session has spent $%.4f of its "
		    "--max-budget-usd %.4f; no request was sent", x->spent_usd,
		    o->max_budget_usd);
		bk_fail("%s; fix: raise --max-budget-usd or start a new session",
		    msg);
		rc = BK_EXIT_BUDGET;
		if (o->output_format != BK_OUT_TEXT)
			emit_result(o, x, NULL, "error_max_budget_usd", msg, rc, t0);
		goto out;
	}
	/* the prompt is kept before it is sent: nothing typed is lost */
	if (bk_session_append_user(&ps.s, bk_port_now(),
	    (const uint8_t *)prompt, plen, err, sizeof(err)) != BK_OK)
		bk_warn_line(err);
	if (bk_transcript_add(&ps.t, BK_ROLE_USER, (const uint8_t *)prompt,
	    plen, bk_port_now(), BK_TURN_RAW) != BK_OK ||
	    bk_transcript_messages(&ps.t, &m, &nm) != BK_OK) {
		bk_fail("out of memory");
		rc = BK_EXIT_USAGE;
		goto out;
	}
	sink.ctx = &po;
	sink.text = print_text;
	sink.event = print_event;
	sink.restart = print_restart;
	bk_port_catch_signals();
	bk_reply_run(x, m, nm, &t, &sink);
	/* Ctrl-C or SIGTERM: whatever arrived is kept, marked interrupted */
	if ((sig = bk_port_signal()) != 0 && t.err != BK_OK)
		t.err = BK_E_INTERRUPTED;
	bk_persist_reply(&ps, x, &t);
	if (po.bytes > 0 && po.last != '\n' && !po.closed && !po.failed)
		bk_port_write(1, "\n", 1, NULL, NULL);

	rc = bk_exit_code(t.err);
	if (po.closed && o->output_format == BK_OUT_TEXT) {
		rc = BK_EXIT_OK;   /* the reader left (| head): not an error */
	} else if (po.failed) {
		bk_fail("cannot write standard output (%s); fix: check the disk "
		    "or the file it goes to", po.err.msg);
		rc = BK_EXIT_USAGE;
	} else if (t.err == BK_E_INTERRUPTED && sig != 0) {
		rc = 128 + sig;
		fprintf(stderr, "%s: interrupted%s%s\n", prog, ps.s.off ? "" :
		    "; kept in session ", ps.s.off ? "" : x->session_id);
	} else if (t.err != BK_OK) {
		bk_reply_report(x, &t);
	} else if (strcmp(t.stop_reason, "max_tokens") == 0) {
		fprintf(stderr, "%s: warning: the answer stopped at --max-tokens "
		    "%u; raise it for a longer answer\n", prog, x->max_tokens);
	}
	if (o->output_format != BK_OUT_TEXT && !po.closed) {
		if (o->output_format == BK_OUT_STREAM_JSON && t.err == BK_OK)
			bk_out_assistant(x, &t);
		emit_result(o, x, &t, t.err == BK_OK ? "success" :
		    "error_during_execution", NULL, rc, t0);
	}
	if (o->verbose) {
		fprintf(stderr, "%s: request id %s; usage: %llu input, %llu output "
		    "tokens (cache write %llu, read %llu); stop: %s\n", prog,
		    t.request_id[0] ? t.request_id : "-",
		    (unsigned long long)t.usage.input_tokens,
		    (unsigned long long)t.usage.output_tokens,
		    (unsigned long long)t.usage.cache_creation_input_tokens,
		    (unsigned long long)t.usage.cache_read_input_tokens,
		    t.stop_reason[0] ? t.stop_reason : "-");
		if (t.cost_usd >= 0)
			fprintf(stderr, "%s: cost: $%.6f (session $%.6f)\n", prog,
			    t.cost_usd, x->spent_usd);
		else
			fprintf(stderr, "%s: cost: unknown (no price for %s)\n",
			    prog, x->model);
		fprintf(stderr, "%s: timings: first byte %.1f ms, first text "
		    "%.1f ms, total %.1f ms\n", prog,
		    t.call.t_first_byte_us ? (double)(t.call.t_first_byte_us -
		    t.call.t_start_us) / 1000.0 : 0.0,
		    t.call.t_first_text_us ? (double)(t.call.t_first_text_us -
		    t.call.t_start_us) / 1000.0 : 0.0,
		    (double)(t.call.t_end_us - t.call.t_start_us) / 1000.0);
	}
	bk_reply_free(&t);
	bk_call_free_buffers();
out:
	bk_persist_close(&ps);
	return rc;
}

/* ---- commands ------------------------------------------------------------------ */

static int
cmd_usage(const struct bk_opts *o)
{
	static struct bk_ledger_sum sum;
	static struct bk_usage_row rows[512];
	char state[BK_SESSION_PATH_MAX], err[600];
	enum bk_ledger_by by = BK_LEDGER_BY_NONE;
	int64_t since = 0;
	struct bk_buf b;
	char *buf;
	size_t cap = 1u << 20;
	enum bk_err e;

	if (bk_state_dir(bk_port_getenv("XDG_STATE_HOME"),
	    bk_port_getenv("HOME"), state, sizeof(state), err,
	    sizeof(err)) != BK_OK) {
		bk_fail("%s", err);
		return BK_EXIT_USAGE;
	}
	if (o->by != NULL && bk_ledger_by_parse(o->by, &by) != BK_OK)
		return BK_EXIT_USAGE;
	if (o->since != NULL && bk_ledger_parse_date(o->since, &since) !=
	    BK_OK) {
		bk_fail("--since wants a date like 2026-11-01, not '%s'",
		    o->since);
		return BK_EXIT_USAGE;
	}
	bk_ledger_sum_init(&sum, by, since, rows, sizeof(rows) /
	    sizeof(rows[0]));
	e = bk_ledger_sum_file(state, &sum, err, sizeof(err));
	if (e != BK_OK && e != BK_E_LIMIT) {
		bk_fail("%s", err);
		return BK_EXIT_USAGE;
	}
	if ((buf = malloc(cap)) == NULL)
		return BK_EXIT_USAGE;
	bk_buf_init(&b, buf, cap);
	if (o->json)
		bk_ledger_format_json(&b, rows, sum.n, &sum.st);
	else
		bk_ledger_format_table(&b, rows, sum.n, &sum.st);
	bk_port_write(1, buf, b.len, NULL, NULL);
	bk_buf_init(&b, buf, cap);
	bk_ledger_format_notes(&b, state, &sum.st);
	if (b.len > 0)
		bk_port_write(2, buf, b.len, NULL, NULL);
	free(buf);
	return BK_EXIT_OK;
}

/* doctor resolves aliases through the catalogue, as a call would */
static enum bk_err
doctor_model(void *ctx, const char *model, const char *region, char *out,
    size_t cap)
{
	struct bk_buf b;
	const struct bk_model_info *info;
	char note[256];

	(void)ctx;
	bk_buf_init(&b, out, cap);
	return bk_model_resolve(model, region, NULL, bk_port_now(), &b, &info,
	    note, sizeof(note));
}

/*
 * The catalogue override: BEDROCK_CLAUDE_CATALOG, else
 * $XDG_CONFIG_HOME/bedrock-claude/models.json (~/.config/...) if present.
 * Returns -1 to go on, or an exit code.
 */
static int
load_catalog(void)
{
	const char *env = bk_port_getenv("BEDROCK_CLAUDE_CATALOG");
	const char *xdg = bk_port_getenv("XDG_CONFIG_HOME");
	const char *home = bk_port_getenv("HOME");
	char path[4096], err[600];
	struct bk_port_err pe;
	uint8_t *text;
	size_t len;
	int rc = -1;

	if (env != NULL && env[0] != '\0')
		snprintf(path, sizeof(path), "%s", env);
	else if (xdg != NULL && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s/bedrock-claude/models.json", xdg);
	else if (home != NULL && home[0] != '\0')
		snprintf(path, sizeof(path), "%s/.config/bedrock-claude/"
		    "models.json", home);
	else
		return -1;
	if ((env == NULL || env[0] == '\0') && !bk_port_readable(path))
		return -1;
	if ((text = malloc(BK_CATALOG_FILE_MAX)) == NULL)
		return BK_EXIT_USAGE;
	if (bk_port_read_file(path, text, BK_CATALOG_FILE_MAX, &len, &pe) !=
	    BK_OK) {
		bk_fail("model catalogue %s: %s; fix: correct "
		    "BEDROCK_CLAUDE_CATALOG", path, pe.msg);
		rc = BK_EXIT_USAGE;
	} else if (bk_catalog_load((const char *)text, len, err, sizeof(err)) !=
	    BK_OK) {
		bk_fail("%s:%s; fix: correct the model catalogue file", path,
		    err);
		rc = BK_EXIT_USAGE;
	}
	free(text);
	return rc;
}

static const char *
settings_env(const void *ctx, const char *name)
{
	return bk_settings_file_env(ctx, name);
}

int
main(int argc, char **argv)
{
	static struct bk_ctx x;
	static struct bk_settings st;
	struct bk_opts o;
	struct bk_port_err perr;
	uint8_t *in = NULL;
	size_t inl = 0, plen = 0;
	char *prompt = NULL;
	unsigned closed_fds;
	int rc, chat;

	signal(SIGPIPE, SIG_IGN); /* EPIPE on write instead of death */
	closed_fds = bk_port_stdio_guard();
	if ((rc = bk_cli_parse(argc, argv, &o)) >= 0)
		goto done;
	rc = BK_EXIT_USAGE;
	if (closed_fds & 2u) {
		bk_fail("standard output is closed; fix: redirect it (e.g. "
		    ">/dev/null to discard the answer)");
		goto done;
	}
	if (bk_port_init(&perr) != BK_OK) {
		bk_fail("%s", perr.msg);
		rc = BK_EXIT_NETWORK;
		goto done;
	}
	/* settings.json and Claude Code's environment, under the flags */
	{
		char err[1200];
		enum bk_err e = bk_settings_load(&st, o.settings, err,
		    sizeof(err));
		if (e != BK_OK) {
			bk_fail("%s; fix: correct the settings file", err);
			goto done;
		}
		if (st.warnings[0] != '\0') {
			char *l = st.warnings, *nl;
			for (; *l != '\0'; l = nl + 1) {
				if ((nl = strchr(l, '\n')) == NULL)
					nl = l + strlen(l) - 1;
				fprintf(stderr, "%s: warning: %.*s\n", prog,
				    (int)(nl - l + (*nl != '\n')), l);
			}
		}
		bk_port_env_fallback(settings_env, &st);
		x.st = &st;
	}
	if ((rc = load_catalog()) >= 0)
		goto done;
	rc = BK_EXIT_USAGE;
	if (o.cmd == BK_CMD_USAGE) {
		rc = cmd_usage(&o);
		goto done;
	}
	if (o.cmd == BK_CMD_DOCTOR) {
		struct bk_doctor_in din;
		memset(&din, 0, sizeof(din));
		din.profile_flag = o.profile;
		din.region_flag = o.region;
		din.model = o.model ? o.model : (st.model[0] ? st.model : NULL);
		din.model_for = doctor_model;
		din.builtin_ca_pem = bk_builtin_roots(&din.builtin_ca_len);
		din.trace = o.debug;
		din.no_prompt = !bk_port_isatty(2);
		din.out = stdout;
		rc = bk_doctor_run(&din);
		goto done;
	}
	if (o.cmd == BK_CMD_MODELS || o.cmd == BK_CMD_PROFILES) {
		struct bk_ctl_opts co;
		if ((rc = bk_ctx_setup(&x, &o, BK_SETUP_REGION)) >= 0 ||
		    (rc = bk_ctx_credentials(&x)) >= 0)
			goto done;
		memset(&co, 0, sizeof(co));
		co.json = o.json;
		co.page_size = o.page_size;
		co.out = stdout;
		co.err = stderr;
		co.prog = prog;
		rc = o.cmd == BK_CMD_MODELS ? bk_cmd_models(&x.conf, &x.cr, &co) :
		    bk_cmd_profiles(&x.conf, &x.cr, &co);
		goto done;
	}
	/* a terminal on stdin and no -p: the chat (json output needs -p) */
	chat = bk_port_isatty(0) && !o.print && o.output_format == BK_OUT_TEXT;
	if (!chat) {
		if (!bk_port_isatty(0) && bk_port_read_all(0, &in, &inl,
		    PROMPT_MAX, &perr) != BK_OK) {
			bk_fail("%s (limit 32 MiB)", perr.msg);
			goto done;
		}
		prompt = join_prompt(in, inl, o.prompt, &plen);
		if (prompt == NULL) {
			bk_fail("the prompt is larger than 32 MiB");
			goto done;
		}
		if (plen == 0) {
			bk_fail("no prompt: give one after -p or on stdin, e.g. "
			    "%s -p \"hello\"", prog);
			goto done;
		}
	}
	if ((rc = bk_ctx_setup(&x, &o, BK_SETUP_CALL)) >= 0)
		goto done;
	if ((rc = system_prompt(&x, &o)) >= 0)
		goto done;
	rc = chat ? bk_chat_run(&o, &x, o.prompt) :
	    print_mode(&o, &x, prompt, plen);
done:
	bk_port_cleanup();
	bk_ctx_free(&x);
	bk_settings_wipe(&st);
	if (prompt != NULL)
		bk_wipe(prompt, plen);
	free(prompt);
	free(in);
	bk_cli_free(&o);
	return rc;
}
