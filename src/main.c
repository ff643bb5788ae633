/*
 * main.c -- the bedrock-claude command line (print mode).
 *
 *   bedrock-claude [options] -p [PROMPT]
 *
 * Reads the prompt (stdin first, then the argument, as Claude Code does),
 * resolves region, credentials, endpoint and trust from the environment,
 * streams Claude's answer to stdout as it arrives, and maps every failure
 * to one line on stderr and a documented exit code (see README.md).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"
#include "client.h"
#include "creds.h"
#include "port.h"
#include "amazon_roots.h"

/* Exit codes (README.md, "Exit codes"). */
enum {
	EXIT_OK = 0,
	EXIT_SERVICE = 1,      /* Bedrock refused or failed the request */
	EXIT_USAGE = 2,        /* bad command line or configuration */
	EXIT_CREDENTIALS = 3,  /* missing, invalid or expired credentials */
	EXIT_NETWORK = 4,      /* DNS, connect, TLS, timeout, cut connection */
	EXIT_PROTOCOL = 5,     /* corrupt or incomplete response stream */
	EXIT_INTERRUPTED = 130
};

#define PROMPT_MAX (32u * 1024u * 1024u)
#define DEFAULT_MAX_TOKENS 4096u

static const char *prog = "bedrock-claude";

struct opts {
	int print;
	int verbose;
	int debug;
	const char *model;
	const char *region;
	const char *profile;
	const char *system;
	uint32_t max_tokens;
	int temperature_milli;
	char *prompt;          /* positional words joined with spaces */
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: %s [options] -p [PROMPT]\n"
"\n"
"Ask Claude on Amazon Bedrock and stream the answer to stdout.\n"
"When stdin is not a terminal it is read and placed before PROMPT.\n"
"\n"
"options:\n"
"  -p, --print              print the answer and exit (print mode)\n"
"      --model ID           Bedrock model ID, inference-profile ID or ARN\n"
"                           (default: the region's Claude Sonnet 4.6 profile,\n"
"                           e.g. us." BK_DEFAULT_MODEL_BASE ")\n"
"      --region REGION      AWS region (default: AWS_REGION, AWS_DEFAULT_REGION,\n"
"                           the profile's region, the instance's region)\n"
"      --profile NAME       AWS profile from ~/.aws/config (default: AWS_PROFILE,\n"
"                           then default); skips environment credentials\n"
"      --max-tokens N       most tokens to generate (default %u)\n"
"      --temperature T      sampling temperature, 0 to 1\n"
"      --system TEXT        system prompt (also --system-prompt)\n"
"      --provider bedrock   accepted for Claude Code compatibility\n"
"      --verbose            model, endpoint, usage and timings on stderr\n"
"      --debug              also the HTTP request and response heads\n"
"                           (Authorization and tokens redacted)\n"
"  -v, --version            print the version\n"
"  -h, --help               this help\n"
"\n"
"credentials, as the AWS SDKs find them: environment (AWS_ACCESS_KEY_ID...),\n"
"  web identity (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), the profile in\n"
"  ~/.aws/config and ~/.aws/credentials (keys, roles, SSO, credential_process),\n"
"  the ECS/EKS container endpoint, EC2 instance metadata; a Bedrock API key in\n"
"  AWS_BEARER_TOKEN_BEDROCK.  Also read: AWS_REGION, AWS_DEFAULT_REGION,\n"
"  AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL, AWS_USE_FIPS_ENDPOINT,\n"
"  AWS_USE_DUALSTACK_ENDPOINT, AWS_CA_BUNDLE, SSL_CERT_FILE, HTTPS_PROXY, NO_PROXY\n"
"\n"
"examples:\n"
"  %s -p \"Explain SigV4 in one paragraph\"\n"
"  git diff | %s -p \"Review this change\"\n"
"  %s --provider bedrock --model us.anthropic.claude-haiku-4-5-20251001-v1:0 -p hi\n"
"\n"
"exit codes: 0 ok, 1 service error, 2 usage or configuration, 3 credentials,\n"
"  4 network or TLS, 5 corrupt or incomplete response, 130 interrupted\n",
	    prog, DEFAULT_MAX_TOKENS, prog, prog, prog);
}

static void fail_line(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* One line on stderr: "bedrock-claude: <what>; fix: <how>". */
static void
fail_line(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Parse a decimal in [lo, hi]; 0 on success. */
static int
parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
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
	*out = (uint32_t)v;
	return 0;
}

/* "0.7" -> 700; accepts 0..1 with up to three decimals. */
static int
parse_temperature(const char *s, int *milli)
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
		while (digits < 3) {
			frac *= 10;
			digits++;
		}
	}
	if (*s != '\0' || whole * 1000 + frac > 1000)
		return -1;
	*milli = whole * 1000 + frac;
	return 0;
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
	size_t plen = 0;
	int i, only_positional = 0;

	memset(o, 0, sizeof(*o));
	o->max_tokens = DEFAULT_MAX_TOKENS;
	o->temperature_milli = -1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL, *eq;
		char name[64];
		size_t nl;

		if (only_positional || a[0] != '-' || a[1] == '\0') {
			size_t al = strlen(a);
			char *np = realloc(o->prompt, plen + al + 2);
			if (np == NULL) {
				fail_line("out of memory");
				return EXIT_USAGE;
			}
			o->prompt = np;
			if (plen > 0)
				o->prompt[plen++] = ' ';
			memcpy(o->prompt + plen, a, al + 1);
			plen += al;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_positional = 1;
			continue;
		}
		if (strcmp(a, "-p") == 0 || strcmp(a, "--print") == 0) {
			o->print = 1;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(EXIT_OK);
		}
		if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
			printf("%s %s (%s, jsmn 1.1)\n", prog, BK_VERSION,
			    bk_port_transport_version());
			exit(EXIT_OK);
		}
		if (strcmp(a, "--verbose") == 0) {
			o->verbose = 1;
			continue;
		}
		if (strcmp(a, "--debug") == 0) {
			o->verbose = o->debug = 1;
			continue;
		}
		/* options with a value: --name=value or --name value */
		eq = strchr(a, '=');
		nl = eq ? (size_t)(eq - a) : strlen(a);
		if (nl >= sizeof(name)) {
			fail_line("unknown option %s; see --help", a);
			return EXIT_USAGE;
		}
		memcpy(name, a, nl);
		name[nl] = '\0';
		if (strcmp(name, "--model") != 0 && strcmp(name, "--region") &&
		    strcmp(name, "--profile") &&
		    strcmp(name, "--max-tokens") && strcmp(name, "--system") &&
		    strcmp(name, "--system-prompt") &&
		    strcmp(name, "--temperature") &&
		    strcmp(name, "--provider")) {
			fail_line("unknown option %s; see --help", name);
			return EXIT_USAGE;
		}
		if (eq != NULL) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			fail_line("option %s needs a value; see --help", name);
			return EXIT_USAGE;
		}
		if (strcmp(name, "--model") == 0) {
			if (val[0] == '\0') {
				fail_line("--model needs a model ID");
				return EXIT_USAGE;
			}
			o->model = val;
		} else if (strcmp(name, "--region") == 0) {
			o->region = val;
		} else if (strcmp(name, "--profile") == 0) {
			if (val[0] == '\0') {
				fail_line("--profile needs a profile name");
				return EXIT_USAGE;
			}
			o->profile = val;
		} else if (strcmp(name, "--system") == 0 ||
		    strcmp(name, "--system-prompt") == 0) {
			o->system = val;
		} else if (strcmp(name, "--max-tokens") == 0) {
			if (parse_u32(val, 1, 1000000, &o->max_tokens) != 0) {
				fail_line("--max-tokens wants a whole number "
				    "from 1 to 1000000, not '%s'", val);
				return EXIT_USAGE;
			}
		} else if (strcmp(name, "--temperature") == 0) {
			if (parse_temperature(val, &o->temperature_milli) != 0) {
				fail_line("--temperature wants a number from 0 "
				    "to 1 (e.g. 0.7), not '%s'", val);
				return EXIT_USAGE;
			}
		} else if (strcmp(name, "--provider") == 0) {
			if (strcmp(val, "bedrock") != 0) {
				fail_line("--provider %s is not supported: this "
				    "tool talks to Amazon Bedrock only (use "
				    "--provider bedrock or leave it out)", val);
				return EXIT_USAGE;
			}
		}
	}
	return -1;
}

/* --- output ----------------------------------------------------------- */

struct out {
	int closed;        /* stdout went away (| head): stop quietly */
	int failed;        /* stdout cannot be written (disk full...) */
	struct bk_port_err err;
	char last;         /* last byte written, for the final newline */
	uint64_t bytes;
};

static int
on_text(void *ctx, const char *t, size_t n)
{
	struct out *o = ctx;

	/* write(2) per delta: the answer appears as it is generated, with
	 * no stdio buffer between Claude and the reader */
	if (bk_port_write(1, t, n, &o->closed, &o->err) != BK_OK) {
		o->failed = !o->closed;
		return 1;
	}
	o->bytes += n;
	o->last = t[n - 1];
	return 0;
}

/* --- configuration ------------------------------------------------------ */

static const char *const ca_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt",      /* Debian, Ubuntu, Alpine */
	"/etc/pki/tls/certs/ca-bundle.crt",        /* RHEL, Fedora, AL2 */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* RHEL 7+ */
	"/etc/ssl/ca-bundle.pem",                  /* SUSE */
	"/etc/pki/tls/cacert.pem",                 /* OpenELEC */
	"/etc/ssl/cert.pem",                       /* Alpine, macOS */
};

static const char *
env_nonempty(const char *name)
{
	const char *v = bk_port_getenv(name);
	return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* Trust: AWS_CA_BUNDLE, the profile's ca_bundle, SSL_CERT_FILE, the
 * system bundle, then the Amazon roots built into the binary.  Returns 0,
 * or an exit code. */
static int
choose_ca(struct bk_call *c, const struct bk_awsconf *conf,
    const char **source)
{
	static char prof[1024];
	const char *v, *from = "AWS_CA_BUNDLE";
	size_t i;

	v = env_nonempty("AWS_CA_BUNDLE");
	if (v == NULL && bk_awsconf_get(conf, "ca_bundle", prof,
	    sizeof(prof)) == BK_OK && prof[0] != '\0') {
		v = prof;
		from = "the profile's ca_bundle";
	}
	if (v == NULL && (v = env_nonempty("SSL_CERT_FILE")) != NULL)
		from = "SSL_CERT_FILE";
	if (v != NULL) {
		if (!bk_port_readable(v)) {
			fail_line("CA bundle %s (from %s) cannot be read; fix: "
			    "correct the path or unset it", v, from);
			return EXIT_USAGE;
		}
		c->ca_file = v;
		*source = v;
		return 0;
	}
	for (i = 0; i < sizeof(ca_paths) / sizeof(ca_paths[0]); i++)
		if (bk_port_readable(ca_paths[i])) {
			c->ca_file = ca_paths[i];
			*source = ca_paths[i];
			return 0;
		}
	c->ca_pem = bk_amazon_roots_pem;
	c->ca_pem_len = sizeof(bk_amazon_roots_pem) - 1;
	*source = "built-in Amazon roots";
	return 0;
}

static int
exit_code(enum bk_err e)
{
	switch ((int)e) {
	case BK_OK:
		return EXIT_OK;
	case BK_E_USAGE: case BK_E_NO_REGION: case BK_E_ENDPOINT:
	case BK_E_ARG:
		return EXIT_USAGE;
	case BK_E_NO_CREDENTIALS: case BK_E_SVC_UNRECOGNIZED_CLIENT:
	case BK_E_SVC_INVALID_SIGNATURE: case BK_E_SVC_SIGNATURE_EXPIRED:
	case BK_E_SVC_EXPIRED_TOKEN:
		return EXIT_CREDENTIALS;
	case BK_E_NET: case BK_E_DNS: case BK_E_TLS: case BK_E_TIMEOUT:
	case BK_E_PROXY:
		return EXIT_NETWORK;
	case BK_E_INTERRUPTED:
		return EXIT_INTERRUPTED;
	default:
		break;
	}
	if ((e >= BK_E_EVS_PRELUDE_CRC && e <= BK_E_STREAM_EVENT) ||
	    e == BK_E_HTTP || e == BK_E_LIMIT)
		return EXIT_PROTOCOL;
	return EXIT_SERVICE;
}

static void
report(const struct bk_call *c, const char *endpoint_default_host)
{
	enum bk_err e = c->err;

	if (e >= BK_E_SVC_ACCESS_DENIED && e <= BK_E_SVC_OTHER) {
		fprintf(stderr, "%s: %s%s%s (%s)%s%s\n", prog, c->svc.type,
		    c->svc.message[0] ? ": " : "", c->svc.message,
		    bk_strerror(e), c->svc.hint[0] ? "; fix: " : "",
		    c->svc.hint);
	} else if (e == BK_E_STREAM_ERROR_EVENT) {
		fprintf(stderr, "%s: the model stopped with an error event "
		    "(%s)\n", prog, bk_strerror(e));
	} else if (e == BK_E_DNS && endpoint_default_host != NULL) {
		fprintf(stderr, "%s: %s does not resolve (%s); fix: check "
		    "AWS_REGION: Bedrock may not be offered in '%s' (try "
		    "us-east-1, us-west-2, eu-central-1 or ap-northeast-1), or "
		    "check DNS and HTTPS_PROXY\n", prog, endpoint_default_host,
		    c->perr.msg, c->region);
	} else if (e == BK_E_TLS) {
		fprintf(stderr, "%s: TLS failed: %s; fix: check the CA bundle "
		    "(AWS_CA_BUNDLE) and that no proxy intercepts TLS\n", prog,
		    c->perr.msg);
	} else if (e == BK_E_NET || e == BK_E_TIMEOUT || e == BK_E_PROXY) {
		fprintf(stderr, "%s: %s: %s; fix: check the network path to "
		    "the endpoint (HTTPS_PROXY, NO_PROXY, VPC endpoint)\n", prog,
		    bk_strerror(e), c->perr.msg);
	} else if (e == BK_E_STREAM_INCOMPLETE) {
		fprintf(stderr, "%s: %s: the answer is incomplete; fix: retry "
		    "the request\n", prog, bk_strerror(e));
	} else if (c->detail[0] != '\0') {
		fprintf(stderr, "%s: %s; fix: retry, and report it if it "
		    "persists\n", prog, c->detail);
	} else {
		fprintf(stderr, "%s: %s\n", prog, bk_strerror(e));
	}
	if (c->text_bytes > 0)
		fprintf(stderr, "%s: the answer above is incomplete: %llu bytes "
		    "arrived before the error\n", prog,
		    (unsigned long long)c->text_bytes);
}

static void
redact_all(struct bk_call *c)
{
	const char *secrets[2];
	size_t i;

	secrets[0] = c->creds.secret;
	secrets[1] = c->creds.token;
	for (i = 0; i < 2; i++) {
		bk_redact(c->svc.message, secrets[i]);
		bk_redact(c->svc.hint, secrets[i]);
		bk_redact(c->perr.msg, secrets[i]);
		bk_redact(c->detail, secrets[i]);
	}
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

/*
 * A refused Bedrock API key reads as AccessDenied ("Authentication
 * failed: ... API Key"): the fix is the key, not IAM, and it is a
 * credentials failure (exit 3).
 */
static void
bearer_refused(struct bk_call *c)
{
	struct bk_buf b;

	if (c->bearer == NULL || (c->err != BK_E_SVC_ACCESS_DENIED &&
	    c->err != BK_E_SVC_UNRECOGNIZED_CLIENT))
		return;
	bk_buf_init(&b, c->svc.hint, sizeof(c->svc.hint));
	if (strstr(c->svc.message, "API Key") != NULL ||
	    strstr(c->svc.message, "Authentication failed") != NULL ||
	    c->err == BK_E_SVC_UNRECOGNIZED_CLIENT) {
		c->err = c->svc.code = BK_E_SVC_UNRECOGNIZED_CLIENT;
		bk_buf_puts(&b, "the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK "
		    "was refused: check it is complete and not expired, or "
		    "unset it to use AWS credentials");
	} else {
		bk_buf_puts(&b, "the IAM user behind the Bedrock API key in "
		    "AWS_BEARER_TOKEN_BEDROCK needs bedrock:InvokeModel and "
		    "bedrock:InvokeModelWithResponseStream on this model, and "
		    "model access enabled in the Bedrock console");
	}
}

/* http://localhost..., 127.x, [::1]: plain http that never leaves. */
static int
loopback_url(const char *u)
{
	const char *h = strstr(u, "://");

	if (h == NULL)
		return 0;
	h += 3;
	return strncmp(h, "localhost", 9) == 0 || strncmp(h, "127.", 4) == 0 ||
	    strncmp(h, "[::1]", 5) == 0;
}

static void
set_call_creds(struct bk_call *c, const struct bk_credentials *cr)
{
	c->creds.akid = cr->akid;
	c->creds.secret = cr->secret;
	c->creds.token = cr->token[0] ? cr->token : NULL;
	c->bearer = cr->bearer[0] ? cr->bearer : NULL;
}

/* Run the credential chain; on failure say what was tried and the fix. */
static int
resolve_credentials(struct bk_awsconf *conf, struct bk_credentials *cr)
{
	static struct bk_chain_report rep;
	enum bk_err e = bk_creds_resolve(conf, cr, &rep);

	if (e == BK_OK)
		return 0;
	bk_credentials_wipe(cr);
	if (strcmp(rep.error, "Unable to locate credentials") == 0)
		fail_line("Unable to locate credentials; fix: run aws configure "
		    "(or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
		    "choose a profile with AWS_PROFILE or --profile, or sign in "
		    "with aws sso login --profile NAME");
	else
		fail_line("%s", rep.error);
	if (rep.tried[0] != '\0')
		fprintf(stderr, "%s: sources tried, in order:\n%s", prog,
		    rep.tried);
	return 1;
}

int
main(int argc, char **argv)
{
	static struct bk_call call;
	static struct bk_sigv4_cache key_cache;
	struct opts o;
	struct out out;
	struct bk_port_err perr;
	struct bk_body body;
	struct bk_message msg;
	struct bk_buf bb;
	uint8_t *in = NULL;
	size_t inl = 0, plen = 0, bodycap, replaced = 0;
	char *prompt = NULL, *bodybuf = NULL;
	static struct bk_awsconf conf;
	static struct bk_credentials cr;
	struct bk_endpoint ep;
	char model_buf[512];
	const char *endpoint, *ca_source = "", *ep_from = "";
	const char *default_host = NULL;
	unsigned closed_fds;
	int rc;

	signal(SIGPIPE, SIG_IGN); /* EPIPE on write instead of death */
	closed_fds = bk_port_stdio_guard();
	if ((rc = parse_args(argc, argv, &o)) >= 0)
		goto done;
	rc = EXIT_USAGE;
	if (closed_fds & 2u) {
		fail_line("standard output is closed; fix: redirect it (e.g. "
		    ">/dev/null to discard the answer)");
		goto done;
	}

	if (bk_port_init(&perr) != BK_OK) {
		fail_line("%s", perr.msg);
		rc = EXIT_NETWORK;
		goto done;
	}
	if (!bk_port_isatty(0)) {
		if (bk_port_read_all(0, &in, &inl, PROMPT_MAX, &perr) != BK_OK) {
			fail_line("%s (limit 32 MiB)", perr.msg);
			goto done;
		}
	} else if (!o.print && o.prompt == NULL) {
		fail_line("interactive chat is not available yet; ask with "
		    "-p \"PROMPT\" or pipe the prompt on stdin (see --help)");
		goto done;
	}
	prompt = join_prompt(in, inl, o.prompt, &plen);
	if (prompt == NULL) {
		fail_line("the prompt is larger than 32 MiB");
		goto done;
	}
	if (plen == 0) {
		fail_line("no prompt: give one after -p or on stdin, e.g. %s -p "
		    "\"hello\"", prog);
		goto done;
	}

	/* configuration: profile files, region, endpoint, trust */
	{
		char why[1200];
		enum bk_err e = bk_awsconf_load(&conf, o.profile, why,
		    sizeof(why));
		if (e != BK_OK) {
			fail_line("%s; fix: correct the file (or point "
			    "AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE "
			    "elsewhere)", why);
			goto done;
		}
	}
	conf.trace = o.debug;
	conf.no_prompt = !bk_port_isatty(2);
	if ((rc = choose_ca(&call, &conf, &ca_source)) != 0)
		goto done;
	conf.ca_file = call.ca_file;
	conf.ca_pem = call.ca_pem;
	conf.ca_pem_len = call.ca_pem_len;
	rc = EXIT_USAGE;
	{
		enum bk_err e = bk_region_resolve(&conf, o.region);
		if (e == BK_E_NO_REGION) {
			fail_line("no AWS region configured; fix: export "
			    "AWS_REGION=us-east-1, pass --region, or set region "
			    "in profile %s of %s", conf.profile, conf.config_path);
			goto done;
		}
		if (e != BK_OK) {
			fail_line("'%s' (from %s) is not a valid AWS region name "
			    "(like us-east-1); fix: AWS_REGION, --region or the "
			    "profile's region", conf.region_bad, conf.region_from);
			goto done;
		}
	}
	{
		const char *from;
		enum bk_err e = bk_service_endpoint(&conf, "BEDROCK_RUNTIME",
		    "bedrock_runtime", "bedrock-runtime", conf.region, &ep,
		    &from);
		if (e != BK_OK) {
			fail_line("endpoint: %s; fix: use https://host[:port] in "
			    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME (or the profile's "
			    "endpoint_url)", ep.error);
			goto done;
		}
		ep_from = from;
		if (!ep.custom)
			default_host = ep.url + 8;
		if (ep.insecure && !loopback_url(ep.url))
			fprintf(stderr, "%s: warning: endpoint %s is plain http: "
			    "the prompt, the answer and the request signature "
			    "cross the network unencrypted\n", prog, ep.url);
	}

	/* credentials: a Bedrock API key wins for bedrock-runtime, as in the
	 * SDKs; else the AWS chain */
	rc = EXIT_CREDENTIALS;
	if (env_nonempty("AWS_BEARER_TOKEN_BEDROCK") != NULL) {
		const char *t = env_nonempty("AWS_BEARER_TOKEN_BEDROCK");
		if (strlen(t) >= sizeof(cr.bearer)) {
			fail_line("AWS_BEARER_TOKEN_BEDROCK is too long to be a "
			    "Bedrock API key");
			goto done;
		}
		memcpy(cr.bearer, t, strlen(t) + 1);
		snprintf(cr.source, sizeof(cr.source), "Bedrock API key "
		    "(AWS_BEARER_TOKEN_BEDROCK)");
	} else if (resolve_credentials(&conf, &cr) != 0) {
		goto done;
	}
	rc = EXIT_USAGE;
	endpoint = ep.url;

	/* model */
	if (o.model != NULL) {
		if (strlen(o.model) >= sizeof(model_buf)) {
			fail_line("--model is too long");
			goto done;
		}
		memcpy(model_buf, o.model, strlen(o.model) + 1);
	} else {
		struct bk_buf mb;
		bk_buf_init(&mb, model_buf, sizeof(model_buf));
		bk_model_default(conf.region, &mb);
	}

	/* request body; JSON escaping grows text at most 6x */
	msg.role = BK_ROLE_USER;
	msg.text = (const uint8_t *)prompt;
	msg.len = plen;
	memset(&body, 0, sizeof(body));
	body.max_tokens = o.max_tokens;
	body.temperature_milli = o.temperature_milli;
	body.system = (const uint8_t *)o.system;
	body.system_len = o.system ? strlen(o.system) : 0;
	body.messages = &msg;
	body.nmessages = 1;
	bodycap = 6 * (plen + body.system_len) + 512;
	bodybuf = malloc(bodycap);
	if (bodybuf == NULL) {
		fail_line("out of memory building the request");
		rc = EXIT_SERVICE;
		goto done;
	}
	bk_buf_init(&bb, bodybuf, bodycap);
	if (bk_body_messages(&bb, &body, &replaced) != BK_OK) {
		fail_line("cannot build the request body");
		goto done;
	}
	if (replaced > 0)
		fprintf(stderr, "%s: warning: the prompt had %zu invalid UTF-8 "
		    "sequence(s); each was sent as U+FFFD\n", prog, replaced);

	call.endpoint = endpoint;
	/* a VPC endpoint signs for bedrock in its own region */
	call.region = ep.signing_region[0] ? ep.signing_region : conf.region;
	call.service = "bedrock";
	call.model = model_buf;
	call.body = (const uint8_t *)bodybuf;
	call.body_len = bb.len;
	call.connect_timeout_ms = 10000;
	call.idle_timeout_ms = 300000;
	call.key_cache = &key_cache;
	call.trace = o.debug;
	memset(&out, 0, sizeof(out));
	call.on_text = on_text;
	call.ctx = &out;
	if (o.verbose) {
		fprintf(stderr, "%s: model %s; region %s (from %s); endpoint %s "
		    "(%s%s)\n", prog, model_buf, conf.region, conf.region_from,
		    endpoint, ep_from, ep.vpce ? ", a VPC endpoint" : "");
		fprintf(stderr, "%s: credentials: %s; profile %s (%s); trust "
		    "%s\n", prog, cr.source, conf.profile, conf.profile_from,
		    ca_source);
	}

	set_call_creds(&call, &cr);
	bk_call_stream(&call);
	bearer_refused(&call);
	/*
	 * Temporary credentials that expired (or were revoked) between
	 * resolving and signing: resolve once more and retry, unless part of
	 * the answer was already shown.
	 */
	if ((call.err == BK_E_SVC_EXPIRED_TOKEN ||
	    (call.err == BK_E_SVC_UNRECOGNIZED_CLIENT && cr.token[0])) &&
	    out.bytes == 0 && cr.bearer[0] == '\0') {
		if (o.verbose)
			fprintf(stderr, "%s: %s: resolving credentials again\n",
			    prog, bk_strerror(call.err));
		bk_sigv4_cache_wipe(&key_cache);
		if (resolve_credentials(&conf, &cr) != 0) {
			rc = EXIT_CREDENTIALS;
			goto cleanup;
		}
		set_call_creds(&call, &cr);
		bk_call_stream(&call);
		bearer_refused(&call);
	}
	/* service text and transport detail are shown: no secret may ride
	 * along (a signature error can echo what was signed) */
	redact_all(&call);
	if (out.bytes > 0 && out.last != '\n' && !out.closed && !out.failed)
		bk_port_write(1, "\n", 1, NULL, NULL);
	if (out.closed) {
		rc = EXIT_OK; /* the reader left (| head): not an error */
	} else if (out.failed) {
		fail_line("cannot write standard output (%s); fix: check the "
		    "disk or the file it goes to", out.err.msg);
		rc = EXIT_USAGE;
	} else {
		rc = exit_code(call.err);
		if (call.err != BK_OK)
			report(&call, default_host);
		else if (strcmp(call.stop_reason, "max_tokens") == 0)
			fprintf(stderr, "%s: warning: the answer stopped at "
			    "--max-tokens %u; raise it for a longer answer\n",
			    prog, o.max_tokens);
	}
	if (o.verbose) {
		fprintf(stderr, "%s: request id %s; usage: %llu input, %llu "
		    "output tokens (cache write %llu, read %llu); stop: %s\n",
		    prog, call.request_id[0] ? call.request_id : "-",
		    (unsigned long long)call.usage.input_tokens,
		    (unsigned long long)call.usage.output_tokens,
		    (unsigned long long)call.usage.cache_creation_input_tokens,
		    (unsigned long long)call.usage.cache_read_input_tokens,
		    call.stop_reason[0] ? call.stop_reason : "-");
		fprintf(stderr, "%s: timings: first byte %.1f ms, first text "
		    "%.1f ms, total %.1f ms\n", prog,
		    call.t_first_byte_us ? (double)(call.t_first_byte_us -
		    call.t_start_us) / 1000.0 : 0.0,
		    call.t_first_text_us ? (double)(call.t_first_text_us -
		    call.t_start_us) / 1000.0 : 0.0,
		    (double)(call.t_end_us - call.t_start_us) / 1000.0);
	}
cleanup:
done:
	bk_port_cleanup();
	bk_credentials_wipe(&cr);
	bk_creds_forget();
	bk_awsconf_free(&conf);
	bk_sigv4_cache_wipe(&key_cache);
	bk_call_free_buffers();
	free(bodybuf);
	free(prompt);
	free(in);
	free(o.prompt);
	return rc;
}
