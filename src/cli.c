/*
 * cli.c -- option parsing and --help.  One table lists every option; the
 * parser accepts --name=value and --name value, as Claude Code does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"
#include "cli.h"
#include "port.h"

static const char *prog = "bedrock-claude";

enum opt_id {
	O_PRINT, O_MODEL, O_REGION, O_PROFILE, O_PROVIDER, O_MAX_TOKENS,
	O_TEMPERATURE, O_SYSTEM, O_SYSTEM_FILE, O_APPEND_SYSTEM, O_OUTFMT,
	O_PARTIAL, O_VERBOSE, O_DEBUG, O_CONTINUE, O_RESUME, O_SESSION_ID,
	O_NO_PERSIST, O_SETTINGS, O_BUDGET, O_RETRIES, O_OUTPUT, O_SINCE,
	O_BY, O_PAGE_SIZE, O_HELP, O_VERSION
};

static const struct opt {
	const char *name;
	char shortc;
	int arg;
	enum opt_id id;
} opts[] = {
	{ "print", 'p', 0, O_PRINT },
	{ "model", 0, 1, O_MODEL },
	{ "region", 0, 1, O_REGION },
	{ "profile", 0, 1, O_PROFILE },
	{ "provider", 0, 1, O_PROVIDER },
	{ "max-tokens", 0, 1, O_MAX_TOKENS },
	{ "temperature", 0, 1, O_TEMPERATURE },
	{ "system-prompt", 0, 1, O_SYSTEM },
	{ "system", 0, 1, O_SYSTEM },
	{ "system-prompt-file", 0, 1, O_SYSTEM_FILE },
	{ "append-system-prompt", 0, 1, O_APPEND_SYSTEM },
	{ "output-format", 0, 1, O_OUTFMT },
	{ "include-partial-messages", 0, 0, O_PARTIAL },
	{ "verbose", 0, 0, O_VERBOSE },
	{ "debug", 0, 0, O_DEBUG },
	{ "continue", 'c', 0, O_CONTINUE },
	{ "resume", 'r', 1, O_RESUME },
	{ "session-id", 0, 1, O_SESSION_ID },
	{ "no-session-persistence", 0, 0, O_NO_PERSIST },
	{ "settings", 0, 1, O_SETTINGS },
	{ "max-budget-usd", 0, 1, O_BUDGET },
	{ "max-retries", 0, 1, O_RETRIES },
	{ "output", 0, 1, O_OUTPUT },
	{ "since", 0, 1, O_SINCE },
	{ "by", 0, 1, O_BY },
	{ "page-size", 0, 1, O_PAGE_SIZE },
	{ "help", 'h', 0, O_HELP },
	{ "version", 'v', 0, O_VERSION },
};

static void
out(int fd, const char *s)
{
	bk_port_write(fd, s, strlen(s), NULL, NULL);
}

static int
usage_error(const char *a, const char *b, const char *c)
{
	char m[512];

	snprintf(m, sizeof(m), "%s: %s%s%s; see %s --help\n", prog, a,
	    b ? b : "", c ? c : "", prog);
	out(2, m);
	return 2;
}

void
bk_cli_usage(int fd)
{
	out(fd,
"usage: bedrock-claude [options] [prompt]          chat (or answer and exit with -p)\n"
"       bedrock-claude doctor | models | profiles | usage [options]\n"
"\n"
"Claude on Amazon Bedrock: your AWS credentials, SigV4, streamed answers.\n"
"When stdin is not a terminal it is read and placed before the prompt.\n"
"\n"
"Answering\n"
"  -p, --print                 print one answer and exit (no chat)\n"
"      --model M               alias (sonnet, opus, haiku, sonnet-4.5...), model ID,\n"
"                              inference-profile ID or ARN\n"
"      --max-tokens N          most tokens to generate\n"
"      --temperature T         0 to 1\n"
"      --system-prompt TEXT    replace the system prompt (also --system)\n"
"      --system-prompt-file F  read the system prompt from a file\n"
"      --append-system-prompt TEXT   add to the system prompt\n"
"      --max-budget-usd N      start no request once this session spent N dollars\n"
"\n"
"Output\n"
"      --output-format FMT     text (default), json (one result object) or\n"
"                              stream-json (one JSON object a line)\n"
"      --include-partial-messages   stream-json: also every stream event\n"
"      --verbose               model, region, credentials, usage, cost, timings\n"
"      --debug                 also HTTP heads (Authorization and tokens redacted)\n"
"\n"
"Sessions (kept under $XDG_STATE_HOME/bedrock-claude/sessions)\n"
"  -c, --continue              resume the latest session of this directory\n"
"  -r, --resume ID             resume a session\n"
"      --session-id UUID       use this ID for a new session\n"
"      --no-session-persistence   keep nothing on disk\n"
"\n"
"AWS\n"
"      --region REGION         else AWS_REGION, AWS_DEFAULT_REGION, the profile, IMDS\n"
"      --profile NAME          else AWS_PROFILE, then default\n"
"      --provider bedrock      accepted for Claude Code scripts; others are errors\n"
"      --settings FILE         settings.json (else ~/.config/claude-code/settings.json)\n"
"\n"
"Commands\n"
"  doctor                      check config, credentials, identity, endpoints, clock,\n"
"                              model access and a test call, each with its fix\n"
"  models [--output json]      Claude models Bedrock offers in the region\n"
"  profiles [--output json]    inference profiles for Claude\n"
"  usage [--since YYYY-MM-DD] [--by day|month|model] [--output json]\n"
"                              tokens and dollars from the local ledger\n"
"\n"
"  -v, --version               print the version\n"
"  -h, --help                  this help\n"
"\n"
"Examples\n"
"  bedrock-claude                                  # chat\n"
"  bedrock-claude -p \"Explain SigV4 in one paragraph\"\n"
"  git diff | bedrock-claude -p \"Review this change\" --output-format json\n"
"  claude --provider bedrock --model us.anthropic.claude-haiku-4-5-20251001-v1:0 -p hi\n"
"  AWS_PROFILE=prod bedrock-claude doctor\n"
"\n"
"Credentials are found as the AWS SDKs find them (environment, web identity,\n"
"~/.aws profiles with roles, SSO and credential_process, containers, EC2).\n"
"exit codes: 0 ok, 1 service error, 2 usage or configuration, 3 credentials,\n"
"4 network or TLS, 5 corrupt or incomplete response, 6 budget reached,\n"
"130 interrupted (Ctrl-C; 143 SIGTERM, 129 SIGHUP).  See man bedrock-claude.\n");
}

static int
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *o)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10u + (uint64_t)(*s - '0');
		if (v > hi)
			return -1;
	}
	if (v < lo)
		return -1;
	*o = (uint32_t)v;
	return 0;
}

/* "0.7" -> 700; 0..1 with up to three decimals. */
static int
parse_milli(const char *s, int *milli)
{
	int whole, frac = 0, digits = 0;

	if (s[0] != '0' && s[0] != '1')
		return -1;
	whole = s[0] - '0';
	s++;
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9' && digits < 3) {
			frac = frac * 10 + (*s - '0');
			digits++;
			s++;
		}
		if (digits == 0)
			return -1;
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (*s != '\0' || whole * 1000 + frac > 1000)
		return -1;
	*milli = whole * 1000 + frac;
	return 0;
}

/* A non-negative amount of dollars ("5", "0.25"). */
static int
parse_usd(const char *s, double *v)
{
	char *end;
	double d;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -1;
	d = strtod(s, &end);
	if (*end != '\0' || d != d || d < 0 || d > 1e9)
		return -1;
	*v = d;
	return 0;
}

static int
add_word(struct bk_opts *o, const char *w)
{
	size_t have = o->prompt ? strlen(o->prompt) : 0, wl = strlen(w);
	char *p = realloc(o->prompt, have + wl + 2);

	if (p == NULL)
		return usage_error("out of memory", NULL, NULL);
	if (have > 0)
		p[have++] = ' ';
	memcpy(p + have, w, wl + 1);
	o->prompt = p;
	return -1;
}

static int
apply(struct bk_opts *o, enum opt_id id, const char *name, const char *v)
{
	switch (id) {
	case O_PRINT: o->print = 1; break;
	case O_MODEL:
		if (v[0] == '\0')
			return usage_error("--model needs a model", NULL, NULL);
		o->model = v;
		break;
	case O_REGION: o->region = v; break;
	case O_PROFILE:
		if (v[0] == '\0')
			return usage_error("--profile needs a profile name", NULL,
			    NULL);
		o->profile = v;
		break;
	case O_PROVIDER:
		if (strcmp(v, "bedrock") != 0)
			return usage_error("--provider ", v, " is not supported: "
			    "this tool talks to Amazon Bedrock only (use "
			    "--provider bedrock or leave it out)");
		o->provider = v;
		break;
	case O_MAX_TOKENS:
		if (parse_u32(v, 1, 1000000, &o->max_tokens) != 0)
			return usage_error("--max-tokens wants a whole number "
			    "from 1 to 1000000, not '", v, "'");
		break;
	case O_TEMPERATURE:
		if (parse_milli(v, &o->temperature_milli) != 0)
			return usage_error("--temperature wants a number from 0 "
			    "to 1 (e.g. 0.7), not '", v, "'");
		break;
	case O_SYSTEM: o->system = v; break;
	case O_SYSTEM_FILE: o->system_file = v; break;
	case O_APPEND_SYSTEM: o->append_system = v; break;
	case O_OUTFMT:
		if (strcmp(v, "text") == 0)
			o->output_format = BK_OUT_TEXT;
		else if (strcmp(v, "json") == 0)
			o->output_format = BK_OUT_JSON;
		else if (strcmp(v, "stream-json") == 0)
			o->output_format = BK_OUT_STREAM_JSON;
		else
			return usage_error("--output-format is text, json or "
			    "stream-json, not '", v, "'");
		o->output_format_set = 1;
		break;
	case O_PARTIAL: o->include_partial = 1; break;
	case O_VERBOSE: o->verbose = 1; break;
	case O_DEBUG: o->verbose = o->debug = 1; break;
	case O_CONTINUE: o->cont = 1; break;
	case O_RESUME:
		if (v[0] == '\0')
			return usage_error("--resume needs a session ID", NULL,
			    NULL);
		o->resume = v;
		break;
	case O_SESSION_ID: o->session_id = v; break;
	case O_NO_PERSIST: o->no_persist = 1; break;
	case O_SETTINGS: o->settings = v; break;
	case O_BUDGET:
		if (parse_usd(v, &o->max_budget_usd) != 0)
			return usage_error("--max-budget-usd wants an amount of "
			    "dollars such as 5 or 0.25, not '", v, "'");
		break;
	case O_RETRIES: {
		uint32_t n;
		if (parse_u32(v, 0, 20, &n) != 0)
			return usage_error("--max-retries wants 0 to 20, not '",
			    v, "'");
		o->max_retries = (int)n;
		break;
	}
	case O_OUTPUT:
		if (strcmp(v, "json") == 0)
			o->json = 1;
		else if (strcmp(v, "table") == 0 || strcmp(v, "text") == 0)
			o->json = 0;
		else
			return usage_error("--output is table or json, not '", v,
			    "'");
		break;
	case O_SINCE: o->since = v; break;
	case O_BY:
		if (strcmp(v, "day") != 0 && strcmp(v, "month") != 0 &&
		    strcmp(v, "model") != 0)
			return usage_error("--by is day, month or model, not '",
			    v, "'");
		o->by = v;
		break;
	case O_PAGE_SIZE:
		if (parse_u32(v, 1, 1000, &o->page_size) != 0)
			return usage_error("--page-size wants 1 to 1000, not '",
			    v, "'");
		break;
	case O_HELP:
		bk_cli_usage(1);
		return 0;
	case O_VERSION: {
		char m[256];
		snprintf(m, sizeof(m), "%s %s (%s, jsmn 1.1)\n", prog,
		    BK_VERSION, bk_port_transport_version());
		out(1, m);
		return 0;
	}
	}
	(void)name;
	return -1;
}

int
bk_cli_parse(int argc, char **argv, struct bk_opts *o)
{
	int i, only_words = 0, rc;

	memset(o, 0, sizeof(*o));
	o->temperature_milli = -1;
	o->max_budget_usd = -1;
	o->max_retries = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		const struct opt *op = NULL;
		size_t k, nl;

		if (only_words || a[0] != '-' || a[1] == '\0') {
			/* the first word may name a command: `bedrock-claude
			 * doctor`; after -p, or later, words are the prompt */
			if (o->prompt == NULL && !o->print && o->cmd == BK_CMD_ASK) {
				if (strcmp(a, "doctor") == 0) {
					o->cmd = BK_CMD_DOCTOR;
					continue;
				}
				if (strcmp(a, "models") == 0) {
					o->cmd = BK_CMD_MODELS;
					continue;
				}
				if (strcmp(a, "profiles") == 0) {
					o->cmd = BK_CMD_PROFILES;
					continue;
				}
				if (strcmp(a, "usage") == 0) {
					o->cmd = BK_CMD_USAGE;
					continue;
				}
			}
			if (o->cmd != BK_CMD_ASK)
				return usage_error("unexpected argument '", a,
				    "' after the command");
			if ((rc = add_word(o, a)) >= 0)
				return rc;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_words = 1;
			continue;
		}
		if (a[1] != '-') {
			/* short options, one at a time: -p, -c, -r ID */
			if (a[2] != '\0')
				return usage_error("unknown option ", a, NULL);
			for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
				if (opts[k].shortc == a[1])
					op = &opts[k];
		} else {
			eq = strchr(a, '=');
			nl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
				if (strlen(opts[k].name) == nl &&
				    memcmp(opts[k].name, a + 2, nl) == 0)
					op = &opts[k];
			if (op != NULL && eq != NULL) {
				if (!op->arg)
					return usage_error("option --", op->name,
					    " takes no value");
				val = eq + 1;
			}
		}
		if (op == NULL)
			return usage_error("unknown option ", a, NULL);
		if (op->arg && val == NULL) {
			if (i + 1 >= argc)
				return usage_error("option ", a, " needs a value");
			val = argv[++i];
		}
		if ((rc = apply(o, op->id, op->name, val)) >= 0)
			return rc;
	}
	if (o->cont && o->resume != NULL)
		return usage_error("--continue and --resume exclude each other",
		    NULL, NULL);
	if (o->session_id != NULL && (o->cont || o->resume != NULL))
		return usage_error("--session-id starts a new session; it "
		    "cannot be combined with --continue or --resume", NULL, NULL);
	if (o->include_partial && o->output_format != BK_OUT_STREAM_JSON)
		return usage_error("--include-partial-messages needs "
		    "--output-format stream-json", NULL, NULL);
	return -1;
}

void
bk_cli_free(struct bk_opts *o)
{
	free(o->prompt);
	o->prompt = NULL;
}
