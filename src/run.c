/*
 * run.c -- the shared context, one conversation turn, and failures as one
 * line plus an exit code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amazon_roots.h"
#include "retry.h"
#include "run.h"

static const char *prog = "bedrock-claude";

void
bk_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- setup --------------------------------------------------------------- */

const char *
bk_builtin_roots(size_t *len)
{
	*len = sizeof(bk_amazon_roots_pem) - 1;
	return bk_amazon_roots_pem;
}

static const char *
env_nonempty(const char *name)
{
	const char *v = bk_port_getenv(name);
	return (v != NULL && v[0] != '\0') ? v : NULL;
}

static const char *const ca_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt",      /* Debian, Ubuntu, Alpine */
	"/etc/pki/tls/certs/ca-bundle.crt",        /* RHEL, Fedora, AL2 */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* RHEL 7+ */
	"/etc/ssl/ca-bundle.pem",                  /* SUSE */
	"/etc/pki/tls/cacert.pem",                 /* OpenELEC */
	"/etc/ssl/cert.pem",                       /* Alpine, macOS */
};

/* Trust: AWS_CA_BUNDLE, the profile's ca_bundle, SSL_CERT_FILE, the
 * system bundle, then the Amazon roots built into the binary. */
static int
choose_ca(struct bk_ctx *x)
{
	static char prof[1024];
	const char *v, *from = "AWS_CA_BUNDLE";
	size_t i;

	v = env_nonempty("AWS_CA_BUNDLE");
	if (v == NULL && bk_awsconf_get(&x->conf, "ca_bundle", prof,
	    sizeof(prof)) == BK_OK && prof[0] != '\0') {
		v = prof;
		from = "the profile's ca_bundle";
	}
	if (v == NULL && (v = env_nonempty("SSL_CERT_FILE")) != NULL)
		from = "SSL_CERT_FILE";
	if (v != NULL) {
		if (!bk_port_readable(v)) {
			bk_fail("CA bundle %s (from %s) cannot be read; fix: correct "
			    "the path or unset it", v, from);
			return BK_EXIT_USAGE;
		}
		x->conf.ca_file = v;
		x->ca_source = v;
		return -1;
	}
	for (i = 0; i < sizeof(ca_paths) / sizeof(ca_paths[0]); i++)
		if (bk_port_readable(ca_paths[i])) {
			x->conf.ca_file = ca_paths[i];
			x->ca_source = ca_paths[i];
			return -1;
		}
	x->conf.ca_pem = bk_amazon_roots_pem;
	x->conf.ca_pem_len = sizeof(bk_amazon_roots_pem) - 1;
	x->ca_source = "built-in Amazon roots";
	return -1;
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

int
bk_ctx_credentials(struct bk_ctx *x)
{
	static struct bk_chain_report rep;
	const char *key = env_nonempty("AWS_BEARER_TOKEN_BEDROCK");
	enum bk_err e;

	bk_credentials_wipe(&x->cr);
	bk_sigv4_cache_wipe(&x->key_cache);
	x->have_creds = 0;
	/* a Bedrock API key wins for bedrock-runtime, as in the SDKs */
	if (key != NULL) {
		if (strlen(key) >= sizeof(x->cr.bearer)) {
			bk_fail("AWS_BEARER_TOKEN_BEDROCK is too long to be a "
			    "Bedrock API key");
			return BK_EXIT_CREDENTIALS;
		}
		memcpy(x->cr.bearer, key, strlen(key) + 1);
		snprintf(x->cr.source, sizeof(x->cr.source), "Bedrock API key "
		    "(AWS_BEARER_TOKEN_BEDROCK)");
		x->have_creds = 1;
		return -1;
	}
	e = bk_creds_resolve(&x->conf, &x->cr, &rep);
	if (e == BK_OK) {
		x->have_creds = 1;
		return -1;
	}
	bk_credentials_wipe(&x->cr);
	if (strcmp(rep.error, "Unable to locate credentials") == 0)
		bk_fail("Unable to locate credentials; fix: run aws configure "
		    "(or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
		    "choose a profile with AWS_PROFILE or --profile, or sign in "
		    "with aws sso login --profile NAME");
	else
		bk_fail("%s", rep.error);
	if (rep.tried[0] != '\0')
		fprintf(stderr, "%s: sources tried, in order:\n%s", prog,
		    rep.tried);
	/* whatever stopped the chain (a network error reaching STS, a
	 * refused role), the run has no credentials: exit 3 */
	return BK_EXIT_CREDENTIALS;
}

int
bk_ctx_setup(struct bk_ctx *x, const struct bk_opts *o, int need)
{
	char why[1200];
	enum bk_err e;
	int rc;

	const struct bk_settings *st = x->st;
	const char *profile = o->profile;

	x->o = o;
	/* settings.json's bedrock.profile comes after --profile and
	 * AWS_PROFILE, and does not count as an explicit choice */
	if (profile == NULL && st != NULL && st->profile[0] != '\0' &&
	    env_nonempty("AWS_PROFILE") == NULL)
		profile = st->profile;
	e = bk_awsconf_load(&x->conf, profile, why, sizeof(why));
	if (e != BK_OK) {
		bk_fail("%s; fix: correct the file (or point AWS_CONFIG_FILE / "
		    "AWS_SHARED_CREDENTIALS_FILE elsewhere)", why);
		return BK_EXIT_USAGE;
	}
	if (profile != o->profile) {
		x->conf.profile_explicit = 0;
		x->conf.profile_from = "settings bedrock.profile";
	}
	x->conf.trace = o->debug;
	x->conf.no_prompt = !bk_port_isatty(2);
	if ((rc = choose_ca(x)) >= 0)
		return rc;
	if (need < BK_SETUP_REGION)
		return -1;
	{
		/* flags > env > settings > the profile and IMDS */
		const char *flag = o->region;
		int from_settings = 0;
		if (flag == NULL && env_nonempty("AWS_REGION") == NULL &&
		    env_nonempty("AWS_DEFAULT_REGION") == NULL && st != NULL &&
		    st->region[0] != '\0') {
			flag = st->region;
			from_settings = 1;
		}
		e = bk_region_resolve(&x->conf, flag);
		if (e == BK_OK && from_settings)
			x->conf.region_from = "settings bedrock.region";
	}
	if (e == BK_E_NO_REGION) {
		bk_fail("no AWS region configured; fix: export "
		    "AWS_REGION=us-east-1, pass --region, or set region in "
		    "profile %s of %s", x->conf.profile, x->conf.config_path);
		return BK_EXIT_USAGE;
	}
	if (e != BK_OK) {
		bk_fail("'%s' (from %s) is not a valid AWS region name (like "
		    "us-east-1); fix: AWS_REGION, --region or the profile's "
		    "region", x->conf.region_bad, x->conf.region_from);
		return BK_EXIT_USAGE;
	}
	if (need < BK_SETUP_CALL)
		return -1;
	if (st != NULL && st->base_url[0] != '\0') {
		/* Claude Code's gateway setting wins over the AWS overrides */
		struct bk_endpoint_params p;
		memset(&p, 0, sizeof(p));
		p.service = "bedrock-runtime";
		p.region = x->conf.region;
		p.endpoint = st->base_url;
		e = bk_endpoint_resolve(&p, &x->ep);
		x->ep_from = "ANTHROPIC_BEDROCK_BASE_URL";
	} else {
		e = bk_service_endpoint(&x->conf, "BEDROCK_RUNTIME",
		    "bedrock_runtime", "bedrock-runtime", x->conf.region, &x->ep,
		    &x->ep_from);
	}
	if (e != BK_OK) {
		bk_fail("endpoint: %s; fix: use https://host[:port] in "
		    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME (or the profile's "
		    "endpoint_url)", x->ep.error);
		return BK_EXIT_USAGE;
	}
	if (x->ep.insecure && !loopback_url(x->ep.url))
		fprintf(stderr, "%s: warning: endpoint %s is plain http: the "
		    "prompt, the answer and the request signature cross the "
		    "network unencrypted\n", prog, x->ep.url);
	if (st != NULL && st->skip_auth) {
		/* a gateway in front of Bedrock signs for us */
		snprintf(x->cr.source, sizeof(x->cr.source), "none "
		    "(CLAUDE_CODE_SKIP_BEDROCK_AUTH)");
		x->have_creds = 1;
	} else if ((rc = bk_ctx_credentials(x)) >= 0) {
		return rc;
	}
	/* the model: --model, then ANTHROPIC_MODEL, CLAUDE_MODEL and the
	 * settings (settings.c ordered those), then the default */
	{
		const char *m = o->model, *from = "--model";
		if (m == NULL && st != NULL && st->model[0] != '\0') {
			m = st->model;
			from = st->model_from;
		}
		if (m == NULL)
			from = "the default (sonnet)";
		if ((rc = bk_ctx_model(x, m, from)) >= 0)
			return rc;
	}
	x->temperature_milli = o->temperature_milli >= 0 ?
	    o->temperature_milli : (st != NULL ? st->temperature_milli : -1);
	return -1;
}

int
bk_ctx_model(struct bk_ctx *x, const char *requested, const char *from)
{
	struct bk_model_overrides ov;
	struct bk_buf mb;
	char note[512];
	enum bk_err e;

	ov.sonnet = x->st != NULL && x->st->sonnet_model[0] ?
	    x->st->sonnet_model : NULL;
	ov.opus = x->st != NULL && x->st->opus_model[0] ?
	    x->st->opus_model : NULL;
	ov.haiku = x->st != NULL && x->st->haiku_model[0] ?
	    x->st->haiku_model : NULL;
	bk_buf_init(&mb, x->model, sizeof(x->model));
	e = bk_model_resolve(requested, x->conf.region, &ov, bk_port_now(),
	    &mb, &x->model_info, note, sizeof(note));
	if (e != BK_OK) {
		bk_fail("model '%s' (from %s): %s; fix: see bedrock-claude "
		    "models, or pass a model or inference-profile ID",
		    requested ? requested : "sonnet", from, note);
		return BK_EXIT_USAGE;
	}
	if (note[0] != '\0')
		fprintf(stderr, "%s: warning: %s\n", prog, note);
	x->model_from = from;
	/*
	 * 4096 output tokens unless asked otherwise: Bedrock counts max_tokens
	 * against the tokens-per-minute quota when a request starts, so a
	 * large default throttles small quotas; never above the model's
	 * limit.
	 */
	x->max_tokens = x->o->max_tokens ? x->o->max_tokens :
	    (x->st != NULL && x->st->max_tokens ? x->st->max_tokens :
	    BK_DEFAULT_MAX_TOKENS);
	if (!x->o->max_tokens && !(x->st != NULL && x->st->max_tokens) &&
	    x->model_info != NULL &&
	    x->model_info->max_output > 0 &&
	    x->model_info->max_output < x->max_tokens)
		x->max_tokens = x->model_info->max_output;
	return -1;
}

void
bk_ctx_free(struct bk_ctx *x)
{
	bk_credentials_wipe(&x->cr);
	bk_creds_forget();
	bk_awsconf_free(&x->conf);
	bk_sigv4_cache_wipe(&x->key_cache);
	free(x->system);
	x->system = NULL;
}

/* ---- one turn ------------------------------------------------------------- */

/* The most answer text kept: Claude's longest outputs are ~128k tokens
 * (about 0.5 MiB); anything near this is not Claude talking. */
#define BK_ANSWER_MAX (16u * 1024u * 1024u)

struct turn_rx {
	struct bk_reply *t;
	const struct bk_sink *sink;
	size_t skip;    /* whitespace already shown, trimmed from a prefill */
	int too_big;    /* the answer passed BK_ANSWER_MAX */
};

static int
is_space(char ch)
{
	return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
}

static int
turn_text(void *ctx, const char *s, size_t n)
{
	struct turn_rx *r = ctx;
	struct bk_reply *t = r->t;

	/* a continued answer repeats the whitespace the prefill lost */
	while (r->skip > 0 && n > 0 && is_space(*s)) {
		s++;
		n--;
		r->skip--;
	}
	if (n == 0)
		return 0;
	r->skip = 0;
	if (n > BK_ANSWER_MAX - t->len) {
		r->too_big = 1;
		return 1;
	}
	/* the whole answer is kept: sessions, json results and resuming a
	 * cut stream all need it */
	if (n + 1 > t->cap - t->len) {
		size_t nc = t->cap ? t->cap * 2 : 4096;
		char *p;
		while (nc < t->len + n + 1)
			nc *= 2;
		p = realloc(t->text, nc);
		if (p == NULL)
			return 1;
		t->text = p;
		t->cap = nc;
	}
	memcpy(t->text + t->len, s, n);
	t->len += n;
	t->text[t->len] = '\0';
	if (r->sink != NULL && r->sink->text != NULL &&
	    r->sink->text(r->sink->ctx, s, n) != 0) {
		t->stopped = 1;
		return 1;
	}
	return 0;
}

static void
turn_event(void *ctx, const char *raw, size_t n)
{
	struct turn_rx *r = ctx;

	if (r->sink != NULL && r->sink->event != NULL)
		r->sink->event(r->sink->ctx, raw, n);
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

/* Shown text must not carry a secret (a signature error can echo what
 * was signed). */
static void
redact_all(struct bk_call *c)
{
	const char *secrets[3];
	size_t i;

	secrets[0] = c->creds.secret;
	secrets[1] = c->creds.token;
	secrets[2] = c->bearer;
	for (i = 0; i < 3; i++) {
		bk_redact(c->svc.message, secrets[i]);
		bk_redact(c->svc.hint, secrets[i]);
		bk_redact(c->perr.msg, secrets[i]);
		bk_redact(c->detail, secrets[i]);
	}
}

static void
set_call_creds(struct bk_call *c, const struct bk_credentials *cr)
{
	c->creds.akid = cr->akid[0] ? cr->akid : NULL;
	c->creds.secret = cr->secret;
	c->creds.token = cr->token[0] ? cr->token : NULL;
	c->bearer = cr->bearer[0] ? cr->bearer : NULL;
}

/* ---- retries ------------------------------------------------------------- */

/* One quota and one rate limiter for the process: a chat's turns share
 * them, as an SDK client's calls do. */
static struct bk_retry_quota quota;
static struct bk_rate rate;
static int retry_ready;

/*
 * Attempts per answer: --max-retries, then CLAUDE_CODE_MAX_RETRIES or the
 * settings' bedrock.maxRetries (retries: attempts = N + 1), then
 * AWS_MAX_ATTEMPTS, the profile's max_attempts, else 8.
 */
static unsigned
max_attempts(const struct bk_ctx *x)
{
	const char *v = bk_port_getenv("AWS_MAX_ATTEMPTS");
	char pv[32];
	unsigned long n;
	char *end;

	if (x->o->max_retries >= 0)
		return (unsigned)x->o->max_retries + 1;
	if (x->st != NULL && x->st->max_retries >= 0)
		return (unsigned)x->st->max_retries + 1;
	if ((v == NULL || v[0] == '\0') && bk_awsconf_get(&x->conf,
	    "max_attempts", pv, sizeof(pv)) == BK_OK)
		v = pv;
	if (v != NULL && v[0] != '\0') {
		n = strtoul(v, &end, 10);
		if (*end == '\0' && n >= 1 && n <= BK_RETRY_MAX_ATTEMPTS)
			return (unsigned)n;
		fprintf(stderr, "%s: warning: max_attempts '%s' is not 1 to %u; "
		    "using %u\n", prog, v, BK_RETRY_MAX_ATTEMPTS,
		    BK_RETRY_DEFAULT_ATTEMPTS);
	}
	return BK_RETRY_DEFAULT_ATTEMPTS;
}

/* AWS_RETRY_MODE, else the profile's retry_mode: "adaptive" or not. */
static int
adaptive_mode(const struct bk_ctx *x)
{
	const char *v = bk_port_getenv("AWS_RETRY_MODE");
	char pv[32];

	if ((v == NULL || v[0] == '\0') && bk_awsconf_get(&x->conf,
	    "retry_mode", pv, sizeof(pv)) == BK_OK)
		v = pv;
	return v != NULL && strcmp(v, "adaptive") == 0;
}

static double
now_s(void)
{
	return (double)bk_port_now_ms() / 1000.0;
}

static double
random_unit(void)
{
	uint32_t r;

	if (bk_port_random(&r, sizeof(r)) != BK_OK)
		return 0.5;
	return (double)r / 4294967296.0;
}

/* Append usage of one attempt: every attempt is billed. */
static void
add_usage(struct bk_usage *sum, const struct bk_usage *u)
{
	sum->input_tokens += u->input_tokens;
	sum->output_tokens += u->output_tokens;
	sum->cache_creation_input_tokens += u->cache_creation_input_tokens;
	sum->cache_read_input_tokens += u->cache_read_input_tokens;
}

/* The request body for messages m (and a prefill, when n > nm). */
static char *
build_body(struct bk_ctx *x, const struct bk_message *m, size_t n,
    size_t *len, enum bk_err *err)
{
	struct bk_body body;
	struct bk_buf bb;
	size_t cap = 512 + 6 * x->system_len, i, replaced = 0;
	char *buf;

	for (i = 0; i < n; i++)
		cap += 6 * m[i].len + 64;
	if ((buf = malloc(cap)) == NULL) {
		*err = BK_E_NOMEM;
		return NULL;
	}
	memset(&body, 0, sizeof(body));
	body.max_tokens = x->max_tokens;
	body.temperature_milli = x->temperature_milli;
	body.system = (const uint8_t *)x->system;
	body.system_len = x->system_len;
	body.messages = m;
	body.nmessages = n;
	bk_buf_init(&bb, buf, cap);
	if ((*err = bk_body_messages(&bb, &body, &replaced)) != BK_OK) {
		free(buf);
		return NULL;
	}
	if (replaced > 0 && m[n - 1].role == BK_ROLE_USER)
		fprintf(stderr, "%s: warning: the prompt had %zu invalid UTF-8 "
		    "sequence(s); each was sent as U+FFFD\n", prog, replaced);
	*len = bb.len;
	return buf;
}

/*
 * One answer, with the retries of retry.h.  When a stream breaks after
 * text was shown, the next attempt sends that text as the start of the
 * assistant turn (trailing whitespace trimmed: the API refuses it), so
 * the model goes on where it stopped and only what follows is shown.  If
 * the model refuses to continue, the answer restarts in full and stderr
 * says so.  t->text always ends up holding one answer.
 */
void
bk_reply_run(struct bk_ctx *x, const struct bk_message *m, size_t nm,
    struct bk_reply *t, const struct bk_sink *sink)
{
	struct turn_rx rx;
	struct bk_call *c = &t->call;
	struct bk_message *mm;
	struct bk_usage sum;
	unsigned attempts = max_attempts(x), attempt = 1, taken = 0;
	int creds_retry = 0, skew_retry = 0, dns_retry = 0, prefill_ok = 1;
	int adaptive = adaptive_mode(x);

	memset(t, 0, sizeof(*t));
	memset(&sum, 0, sizeof(sum));
	t->cost_usd = -1;
	if (!retry_ready) {
		bk_retry_quota_init(&quota);
		bk_rate_init(&rate, now_s());
		retry_ready = 1;
	}
	if ((mm = malloc((nm + 1) * sizeof(*mm))) == NULL) {
		t->err = BK_E_NOMEM;
		return;
	}
	memcpy(mm, m, nm * sizeof(*mm));
	rx.t = t;
	rx.sink = sink;
	rx.too_big = 0;
	for (;;) {
		size_t n = nm, blen = 0;
		enum bk_retry_class k;
		uint32_t delay;
		char *buf;

		/* a cut answer continues from what was shown */
		rx.skip = 0;
		if (t->len > 0 && prefill_ok) {
			size_t keep = t->len;
			while (keep > 0 && is_space(t->text[keep - 1]))
				keep--;
			rx.skip = t->len - keep;
			if (keep > 0) {
				mm[nm].role = BK_ROLE_ASSISTANT;
				mm[nm].text = (const uint8_t *)t->text;
				mm[nm].len = keep;
				n = nm + 1;
			}
		}
		if ((buf = build_body(x, mm, n, &blen, &t->err)) == NULL)
			break;
		/* temporary credentials about to expire are renewed first */
		if (x->cr.bearer[0] == '\0' &&
		    bk_creds_expiring(&x->cr, bk_port_now(), 300) &&
		    bk_ctx_credentials(x) >= 0) {
			t->err = BK_E_NO_CREDENTIALS;
			bk_wipe(buf, blen + 1);
			free(buf);
			break;
		}
		if (adaptive) {
			double w = bk_rate_acquire(&rate, now_s());
			if (w > 0) {
				if (x->o->verbose || w >= 1)
					fprintf(stderr, "%s: adaptive retry mode: "
					    "waiting %.1f s before sending\n",
					    prog, w);
				bk_port_sleep_ms((uint32_t)(w * 1000));
			}
		}
		memset(c, 0, sizeof(*c));
		c->endpoint = x->ep.url;
		/* a VPC endpoint signs for bedrock in its own region */
		c->region = x->ep.signing_region[0] ? x->ep.signing_region :
		    x->conf.region;
		c->service = "bedrock";
		c->model = x->model;
		c->body = (const uint8_t *)buf;
		c->body_len = blen;
		c->ca_file = x->conf.ca_file;
		c->ca_pem = x->conf.ca_pem;
		c->ca_pem_len = x->conf.ca_pem_len;
		c->clock_offset = x->conf.clock_offset;
		c->connect_timeout_ms = 10000;
		/* API_TIMEOUT_MS / bedrock.timeout: no byte for this long ends
		 * the call (a total limit would cut long answers) */
		c->idle_timeout_ms = x->st != NULL && x->st->timeout_ms ?
		    x->st->timeout_ms : 300000;
		c->key_cache = &x->key_cache;
		c->trace = x->o->debug;
		c->on_text = turn_text;
		c->on_event = turn_event;
		c->ctx = &rx;
		set_call_creds(c, &x->cr);
		if (x->o->verbose && attempt > 1)
			fprintf(stderr, "%s: attempt %u of %u%s\n", prog, attempt,
			    attempts, n > nm ? ", continuing the answer" : "");
		bk_call_stream(c);
		bearer_refused(c);
		/* the prompt may hold secrets; only the bytes written (and the
		 * NUL): wiping the unused worst-case capacity would touch, and
		 * so allocate, pages the body never needed */
		bk_wipe(buf, blen + 1);
		free(buf);
		add_usage(&sum, &c->usage);
		t->err = c->err;
		k = c->err == BK_OK ? BK_RETRY_NO : bk_retry_classify(c->err,
		    c->status, c->svc.message);
		if (adaptive)
			bk_rate_update(&rate, k == BK_RETRY_THROTTLE, now_s());
		if (c->err == BK_OK) {
			bk_retry_quota_ok(&quota, taken);
			break;
		}
		if (rx.too_big) {
			struct bk_buf b;
			t->err = c->err = BK_E_LIMIT;
			t->stopped = 0;
			bk_buf_init(&b, c->detail, sizeof(c->detail));
			bk_buf_puts(&b, "the answer passed 16 MiB, far beyond any "
			    "Claude model's output: stopped; fix: check that the "
			    "endpoint is Bedrock");
			break;
		}
		if (t->stopped || bk_port_signal() != 0 ||
		    c->err == BK_E_INTERRUPTED)
			break;
		/*
		 * Temporary credentials that expired (or were revoked) between
		 * resolving and signing: resolve once more and retry.
		 */
		if (!creds_retry && (c->err == BK_E_SVC_EXPIRED_TOKEN ||
		    (c->err == BK_E_SVC_UNRECOGNIZED_CLIENT && x->cr.token[0])) &&
		    x->cr.bearer[0] == '\0') {
			creds_retry = 1;
			if (x->o->verbose)
				fprintf(stderr, "%s: %s: resolving credentials "
				    "again\n", prog, bk_strerror(c->err));
			if (bk_ctx_credentials(x) >= 0)
				break;
			continue;
		}
		/*
		 * A signature refused as too old or too new: our clock is off.
		 * Sign again with the server's time (its Date header), once;
		 * the offset stays for the process (STS calls too).
		 */
		if (!skew_retry && c->err == BK_E_SVC_SIGNATURE_EXPIRED &&
		    c->server_date != 0) {
			int64_t off = c->server_date - bk_port_now();
			skew_retry = 1;
			x->conf.clock_offset = off;
			fprintf(stderr, "%s: warning: this machine's clock is %lld "
			    "s %s the server's; signing with the server's time "
			    "(fix the clock: NTP)\n", prog,
			    (long long)(off < 0 ? -off : off),
			    off < 0 ? "ahead of" : "behind");
			continue;
		}
		/* the model does not take a prefilled answer: start again */
		if (n > nm && (c->err == BK_E_SVC_VALIDATION ||
		    c->status == 400) && prefill_ok) {
			prefill_ok = 0;
			fprintf(stderr, "%s: the model cannot continue the cut "
			    "answer (%s); the answer restarts from the "
			    "beginning\n", prog, c->svc.message[0] ?
			    c->svc.message : bk_strerror(c->err));
			t->len = 0;
			if (t->text != NULL)
				t->text[0] = '\0';
			if (sink != NULL && sink->restart != NULL)
				sink->restart(sink->ctx);
			continue;
		}
		if (k == BK_RETRY_NO || attempt >= attempts ||
		    (k == BK_RETRY_DNS && dns_retry++ > 0) ||
		    !bk_retry_quota_take(&quota, k, &taken))
			break;
		delay = bk_retry_delay_ms(attempt, random_unit(),
		    BK_RETRY_BASE_MS, bk_retry_after_ms(c->retry_after,
		    strlen(c->retry_after), bk_port_now()));
		attempt++;
		if (x->o->verbose || delay >= 1000 || t->len > 0)
			fprintf(stderr, "%s: %s (%s); retrying in %.1f s, attempt "
			    "%u of %u%s\n", prog, t->len > 0 && c->err == BK_E_NET ?
			    "the connection broke" : bk_retry_reason(c->err, k),
			    c->svc.type[0] ? c->svc.type : bk_strerror(c->err),
			    delay / 1000.0, attempt, attempts, t->len > 0 ?
			    "; the answer will go on from where it stopped" : "");
		bk_port_sleep_ms(delay);
		if (bk_port_signal() != 0) {
			t->err = BK_E_INTERRUPTED;
			break;
		}
	}
	free(mm);
	redact_all(c);
	t->attempts = attempt;
	t->status = c->status;
	t->usage = sum;
	memcpy(t->stop_reason, c->stop_reason, sizeof(t->stop_reason));
	memcpy(t->model, c->model_reported, sizeof(t->model));
	memcpy(t->request_id, c->request_id, sizeof(t->request_id));
	t->api_ms = c->t_end_us > c->t_start_us ?
	    (c->t_end_us - c->t_start_us) / 1000 : 0;
	/* priced from the catalogue for the ID actually sent (regional
	 * premiums included); unknown models stay unpriced, never guessed */
	if (t->usage.input_tokens + t->usage.output_tokens > 0) {
		t->cost_usd = bk_cost_usd_id(x->model, &t->usage, 0);
		if (t->cost_usd > 0)
			x->spent_usd += t->cost_usd;
	}
}

void
bk_reply_free(struct bk_reply *t)
{
	free(t->text);
	t->text = NULL;
	t->len = t->cap = 0;
}

/* ---- failures --------------------------------------------------------------- */

int
bk_exit_code(enum bk_err e)
{
	switch ((int)e) {
	case BK_OK:
		return BK_EXIT_OK;
	case BK_E_USAGE: case BK_E_NO_REGION: case BK_E_ENDPOINT:
	case BK_E_ARG: case BK_E_CONFIG: case BK_E_IO:
		return BK_EXIT_USAGE;
	case BK_E_NO_CREDENTIALS: case BK_E_SVC_UNRECOGNIZED_CLIENT:
	case BK_E_SVC_INVALID_SIGNATURE: case BK_E_SVC_SIGNATURE_EXPIRED:
	case BK_E_SVC_EXPIRED_TOKEN:
		return BK_EXIT_CREDENTIALS;
	case BK_E_NET: case BK_E_DNS: case BK_E_TLS: case BK_E_TIMEOUT:
	case BK_E_PROXY:
		return BK_EXIT_NETWORK;
	case BK_E_INTERRUPTED:
		return BK_EXIT_INTERRUPTED;
	default:
		break;
	}
	if ((e >= BK_E_EVS_PRELUDE_CRC && e <= BK_E_STREAM_EVENT) ||
	    e == BK_E_HTTP || e == BK_E_LIMIT)
		return BK_EXIT_PROTOCOL;
	return BK_EXIT_SERVICE;
}

void
bk_reply_report(const struct bk_ctx *x, const struct bk_reply *t)
{
	const struct bk_call *c = &t->call;
	enum bk_err e = t->err;

	if (e >= BK_E_SVC_ACCESS_DENIED && e <= BK_E_SVC_OTHER) {
		fprintf(stderr, "%s: %s%s%s (%s)%s%s\n", prog, c->svc.type,
		    c->svc.message[0] ? ": " : "", c->svc.message,
		    bk_strerror(e), c->svc.hint[0] ? "; fix: " : "",
		    c->svc.hint);
	} else if (e == BK_E_STREAM_ERROR_EVENT) {
		fprintf(stderr, "%s: the model stopped with an error event "
		    "(%s)\n", prog, bk_strerror(e));
	} else if (e == BK_E_DNS && !x->ep.custom) {
		fprintf(stderr, "%s: %s does not resolve (%s); fix: check "
		    "AWS_REGION: Bedrock may not be offered in '%s' (try "
		    "us-east-1, us-west-2, eu-central-1 or ap-northeast-1), or "
		    "check DNS and HTTPS_PROXY\n", prog, x->ep.url + 8,
		    c->perr.msg, x->conf.region);
	} else if (e == BK_E_TLS) {
		fprintf(stderr, "%s: TLS failed: %s; fix: check the CA bundle "
		    "(AWS_CA_BUNDLE) and that no proxy intercepts TLS\n", prog,
		    c->perr.msg);
	} else if (e == BK_E_NET || e == BK_E_TIMEOUT || e == BK_E_PROXY ||
	    e == BK_E_DNS) {
		fprintf(stderr, "%s: %s: %s; fix: check the network path to "
		    "the endpoint (HTTPS_PROXY, NO_PROXY, VPC endpoint)\n", prog,
		    bk_strerror(e), c->perr.msg);
	} else if (e == BK_E_STREAM_INCOMPLETE) {
		fprintf(stderr, "%s: %s: the answer is incomplete; fix: retry "
		    "the request\n", prog, bk_strerror(e));
	} else if (e == BK_E_NO_CREDENTIALS) {
		/* the chain already said what it tried */
	} else if (e == BK_E_HTTP && c->detail[0] == '\0' &&
	    c->perr.msg[0] != '\0') {
		fprintf(stderr, "%s: %s: %s; fix: check the endpoint URL and any "
		    "proxy in between\n", prog, bk_strerror(e), c->perr.msg);
	} else if (e == BK_E_LIMIT && c->detail[0] != '\0') {
		fprintf(stderr, "%s: %s\n", prog, c->detail);
	} else if (c->detail[0] != '\0') {
		fprintf(stderr, "%s: %s; fix: retry, and report it if it "
		    "persists\n", prog, c->detail);
	} else {
		fprintf(stderr, "%s: %s\n", prog, bk_strerror(e));
	}
	if (t->len > 0 && e != BK_E_INTERRUPTED)
		fprintf(stderr, "%s: the answer above is incomplete: %zu bytes "
		    "arrived before the error\n", prog, t->len);
}
