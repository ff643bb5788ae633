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

#include "cli.h"
#include "output.h"
#include "run.h"

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

/* A random UUID (v4) for the session. */
static void
new_uuid(char out[37])
{
	uint8_t r[16];
	static const char hx[] = "0123456789abcdef";
	int i, o = 0;

	if (bk_port_random(r, sizeof(r)) != BK_OK)
		memset(r, 0, sizeof(r));
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hx[r[i] >> 4];
		out[o++] = hx[r[i] & 15];
	}
	out[o] = '\0';
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

static int
print_mode(const struct bk_opts *o, struct bk_ctx *x, const char *prompt,
    size_t plen)
{
	static struct bk_turn t;
	struct bk_convo cv;
	struct print_out po;
	struct bk_sink sink;
	struct bk_result r;
	char cwd[4096];
	uint64_t t0 = bk_port_mono_ms();
	int rc;

	memset(&cv, 0, sizeof(cv));
	memset(&po, 0, sizeof(po));
	po.o = o;
	po.x = x;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	new_uuid(x->session_id);
	if (o->output_format == BK_OUT_STREAM_JSON &&
	    bk_out_init(x, cwd) != BK_OK)
		return BK_EXIT_OK;   /* nobody is reading */
	if (o->verbose) {
		fprintf(stderr, "%s: model %s (%s); region %s (from %s); endpoint "
		    "%s (%s%s)\n", prog, x->model, x->model_from, x->conf.region,
		    x->conf.region_from, x->ep.url, x->ep_from,
		    x->ep.vpce ? ", a VPC endpoint" : "");
		fprintf(stderr, "%s: credentials: %s; profile %s (%s); trust "
		    "%s\n", prog, x->cr.source, x->conf.profile,
		    x->conf.profile_from, x->ca_source);
	}
	if (bk_convo_add(&cv, BK_ROLE_USER, prompt, plen) != BK_OK) {
		bk_fail("out of memory");
		return BK_EXIT_USAGE;
	}
	sink.ctx = &po;
	sink.text = print_text;
	sink.event = print_event;
	bk_turn_run(x, &cv, &t, &sink);
	if (po.bytes > 0 && po.last != '\n' && !po.closed && !po.failed)
		bk_port_write(1, "\n", 1, NULL, NULL);

	rc = bk_exit_code(t.err);
	if (po.closed && o->output_format == BK_OUT_TEXT) {
		rc = BK_EXIT_OK;   /* the reader left (| head): not an error */
	} else if (po.failed) {
		bk_fail("cannot write standard output (%s); fix: check the disk "
		    "or the file it goes to", po.err.msg);
		rc = BK_EXIT_USAGE;
	} else if (t.err != BK_OK) {
		bk_turn_report(x, &t);
	} else if (strcmp(t.stop_reason, "max_tokens") == 0) {
		fprintf(stderr, "%s: warning: the answer stopped at --max-tokens "
		    "%u; raise it for a longer answer\n", prog, x->max_tokens);
	}
	if (o->output_format != BK_OUT_TEXT && !po.closed) {
		if (o->output_format == BK_OUT_STREAM_JSON && t.err == BK_OK)
			bk_out_assistant(x, &t);
		memset(&r, 0, sizeof(r));
		r.is_error = t.err != BK_OK;
		r.subtype = r.is_error ? "error_during_execution" : "success";
		if (r.is_error) {
			r.result = t.call.svc.message[0] ? t.call.svc.message :
			    bk_strerror(t.err);
			r.result_len = strlen(r.result);
		} else {
			r.result = t.text;
			r.result_len = t.len;
		}
		r.session_id = x->session_id;
		r.num_turns = 1;
		r.duration_ms = bk_port_mono_ms() - t0;
		r.duration_api_ms = t.api_ms;
		r.cost_usd = t.cost_usd;
		r.usage = &t.usage;
		r.stop_reason = t.stop_reason;
		r.model = t.model[0] ? t.model : x->model;
		r.error_code = r.is_error ? bk_errname(t.err) : NULL;
		r.error_fix = t.call.svc.hint;
		r.exit_code = rc;
		bk_out_result(&r);
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
		fprintf(stderr, "%s: timings: first byte %.1f ms, first text "
		    "%.1f ms, total %.1f ms\n", prog,
		    t.call.t_first_byte_us ? (double)(t.call.t_first_byte_us -
		    t.call.t_start_us) / 1000.0 : 0.0,
		    t.call.t_first_text_us ? (double)(t.call.t_first_text_us -
		    t.call.t_start_us) / 1000.0 : 0.0,
		    (double)(t.call.t_end_us - t.call.t_start_us) / 1000.0);
	}
	bk_turn_free(&t);
	bk_convo_clear(&cv);
	bk_call_free_buffers();
	return rc;
}

int
main(int argc, char **argv)
{
	static struct bk_ctx x;
	struct bk_opts o;
	struct bk_port_err perr;
	uint8_t *in = NULL;
	size_t inl = 0, plen = 0;
	char *prompt = NULL;
	unsigned closed_fds;
	int rc;

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
	if (o.cmd != BK_CMD_ASK) {
		bk_fail("the %s command is not built yet",
		    o.cmd == BK_CMD_DOCTOR ? "doctor" : o.cmd == BK_CMD_MODELS ?
		    "models" : o.cmd == BK_CMD_PROFILES ? "profiles" : "usage");
		goto done;
	}
	if (!bk_port_isatty(0)) {
		if (bk_port_read_all(0, &in, &inl, PROMPT_MAX, &perr) != BK_OK) {
			bk_fail("%s (limit 32 MiB)", perr.msg);
			goto done;
		}
	} else if (!o.print && o.prompt == NULL) {
		bk_fail("interactive chat is not available yet; ask with -p "
		    "\"PROMPT\" or pipe the prompt on stdin (see --help)");
		goto done;
	}
	prompt = join_prompt(in, inl, o.prompt, &plen);
	if (prompt == NULL) {
		bk_fail("the prompt is larger than 32 MiB");
		goto done;
	}
	if (plen == 0) {
		bk_fail("no prompt: give one after -p or on stdin, e.g. %s -p "
		    "\"hello\"", prog);
		goto done;
	}
	if ((rc = bk_ctx_setup(&x, &o, BK_SETUP_CALL)) >= 0)
		goto done;
	if ((rc = system_prompt(&x, &o)) >= 0)
		goto done;
	rc = print_mode(&o, &x, prompt, plen);
done:
	bk_port_cleanup();
	bk_ctx_free(&x);
	if (prompt != NULL)
		bk_wipe(prompt, plen);
	free(prompt);
	free(in);
	bk_cli_free(&o);
	return rc;
}
