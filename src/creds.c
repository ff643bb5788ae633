/*
 * creds.c -- the AWS credential chain, region and endpoints, executed
 * through the port: environment, files, HTTP, processes.  The pure parts
 * (profile files, plans, endpoint rules, XML/JSON) are in bedrock.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "awsreq.h"
#include "creds.h"

#define MARGIN_S 300          /* refresh temporary credentials this early */

/* ---- small helpers ------------------------------------------------------- */

/* An environment variable, trimmed; NULL when unset or blank (the SDKs
 * treat AWS_ACCESS_KEY_ID=" " as unset). */
static const char *
env(const char *name, char *buf, size_t cap)
{
	const char *v = bk_port_getenv(name);
	size_t n;

	if (v == NULL)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' ||
	    v[n - 1] == '\n' || v[n - 1] == '\r'))
		n--;
	if (n == 0 || n >= cap)
		return NULL;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return buf;
}

static void
say(char *dst, size_t cap, const char *a, const char *b, const char *c,
    const char *d)
{
	struct bk_buf m;

	bk_buf_init(&m, dst, cap);
	bk_buf_puts(&m, a);
	if (b != NULL)
		bk_buf_puts(&m, b);
	if (c != NULL)
		bk_buf_puts(&m, c);
	if (d != NULL)
		bk_buf_puts(&m, d);
}

/* Append one "- what: why" line to the report. */
static void
tried(struct bk_chain_report *r, const char *what, const char *why)
{
	size_t n = strlen(r->tried);
	struct bk_buf m;

	bk_buf_init(&m, r->tried + n, sizeof(r->tried) - n);
	bk_buf_puts(&m, "  - ");
	bk_buf_puts(&m, what);
	bk_buf_puts(&m, ": ");
	bk_buf_puts(&m, why);
	bk_buf_putc(&m, '\n');
}

static enum bk_err
fail(struct bk_chain_report *r, enum bk_err e, const char *a, const char *b,
    const char *c)
{
	r->code = e;
	say(r->error, sizeof(r->error), a, b, c, NULL);
	return e;
}

/* ---- configuration ------------------------------------------------------- */

static enum bk_err
load_file(const char *path, char **text, size_t *len, char *msg, size_t cap)
{
	struct bk_port_err pe;
	uint8_t *buf;
	enum bk_err e;

	*text = NULL;
	*len = 0;
	if (path[0] == '\0' || !bk_port_readable(path))
		return BK_OK;         /* a missing file is an empty file */
	buf = malloc(BK_CONFIG_FILE_MAX + 1);
	if (buf == NULL)
		return BK_E_NOMEM;
	e = bk_port_read_file(path, buf, BK_CONFIG_FILE_MAX, len, &pe);
	if (e != BK_OK) {
		bk_wipe(buf, BK_CONFIG_FILE_MAX + 1);
		free(buf);
		*len = 0;
		say(msg, cap, path, e == BK_E_LIMIT ? ": larger than the 1 MiB "
		    "an AWS config file may be" : ": ", e ==
		    BK_E_LIMIT ? NULL : pe.msg, NULL);
		return e == BK_E_LIMIT ? BK_E_CONFIG : e;
	}
	buf[*len] = '\0';
	*text = (char *)buf;
	return BK_OK;
}

enum bk_err
bk_awsconf_load(struct bk_awsconf *c, const char *profile_flag, char *msg,
    size_t cap)
{
	char tmp[1024];
	const char *v, *home;
	struct bk_buf b;
	struct bk_ini_error ie;
	enum bk_err e;

	memset(c, 0, sizeof(*c));
	msg[0] = '\0';
	if (profile_flag != NULL && profile_flag[0] != '\0') {
		v = profile_flag;
		c->profile_from = "--profile";
		c->profile_explicit = 1;
	} else if ((v = env("AWS_PROFILE", tmp, sizeof(tmp))) != NULL) {
		c->profile_from = "AWS_PROFILE";
	} else {
		v = "default";
		c->profile_from = "default";
	}
	if (strlen(v) >= sizeof(c->profile)) {
		say(msg, cap, "profile name too long", NULL, NULL, NULL);
		return BK_E_USAGE;
	}
	memcpy(c->profile, v, strlen(v) + 1);
	home = bk_port_getenv("HOME");
	if (home != NULL && strlen(home) < sizeof(c->home))
		memcpy(c->home, home, strlen(home) + 1);
	bk_buf_init(&b, c->config_path, sizeof(c->config_path));
	bk_aws_file_path(bk_port_getenv("AWS_CONFIG_FILE"), c->home, "config",
	    &b);
	bk_buf_init(&b, c->credentials_path, sizeof(c->credentials_path));
	bk_aws_file_path(bk_port_getenv("AWS_SHARED_CREDENTIALS_FILE"), c->home,
	    "credentials", &b);
	e = load_file(c->config_path, &c->config_text, &c->files.config_len,
	    msg, cap);
	if (e == BK_OK)
		e = load_file(c->credentials_path, &c->credentials_text,
		    &c->files.credentials_len, msg, cap);
	if (e != BK_OK)
		return e;
	c->files.config = c->config_text;
	c->files.credentials = c->credentials_text;
	if (bk_profile_check(&c->files, &ie) != BK_OK) {
		char line[16];
		snprintf(line, sizeof(line), ":%u: ", ie.line);
		say(msg, cap, ie.file == BK_INI_CONFIG ? c->config_path :
		    c->credentials_path, line, ie.msg, NULL);
		return BK_E_CONFIG;
	}
	return BK_OK;
}

void
bk_awsconf_free(struct bk_awsconf *c)
{
	/* the credentials file holds secrets: wipe before free */
	if (c->config_text != NULL)
		bk_wipe(c->config_text, c->files.config_len);
	if (c->credentials_text != NULL)
		bk_wipe(c->credentials_text, c->files.credentials_len);
	free(c->config_text);
	free(c->credentials_text);
	c->config_text = c->credentials_text = NULL;
	c->files.config = c->files.credentials = NULL;
	c->files.config_len = c->files.credentials_len = 0;
}

enum bk_err
bk_awsconf_get(const struct bk_awsconf *c, const char *key, char *out,
    size_t cap)
{
	return bk_profile_get(&c->files, BK_INI_PROFILE, c->profile, key, out,
	    cap, NULL);
}

int
bk_awsconf_flag(const struct bk_awsconf *c, const char *envname,
    const char *key)
{
	char v[32];

	if (env(envname, v, sizeof(v)) == NULL &&
	    (key == NULL || bk_awsconf_get(c, key, v, sizeof(v)) != BK_OK))
		return 0;
	if (strcasecmp(v, "true") == 0)
		return 1;
	if (strcasecmp(v, "false") == 0)
		return 0;
	return -1;
}

/* ---- endpoints ----------------------------------------------------------- */

enum bk_err
bk_service_endpoint(const struct bk_awsconf *c, const char *env_id,
    const char *services_key, const char *prefix, const char *region,
    struct bk_endpoint *out, const char **from)
{
	char name[96], url[1024], svc[128], block[BK_INI_VALUE_MAX];
	struct bk_endpoint_params p;
	const char *custom = NULL;
	int fips, dual, ignore;

	memset(&p, 0, sizeof(p));
	*from = "default";
	ignore = bk_awsconf_flag(c, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
	    "ignore_configured_endpoint_urls") == 1;
	snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", env_id);
	if (!ignore) {
		if ((custom = env(name, url, sizeof(url))) != NULL) {
			*from = "AWS_ENDPOINT_URL_<service>";
		} else if ((custom = env("AWS_ENDPOINT_URL", url, sizeof(url)))
		    != NULL) {
			*from = "AWS_ENDPOINT_URL";
		} else if (bk_awsconf_get(c, "services", svc, sizeof(svc)) ==
		    BK_OK && bk_profile_get(&c->files, BK_INI_SERVICES, svc,
		    services_key, block, sizeof(block), NULL) == BK_OK &&
		    bk_ini_subprop(block, "endpoint_url", url, sizeof(url)) ==
		    BK_OK) {
			custom = url;
			*from = "the profile's services section";
		} else if (bk_awsconf_get(c, "endpoint_url", url, sizeof(url)) ==
		    BK_OK) {
			custom = url;
			*from = "the profile's endpoint_url";
		}
	}
	fips = bk_awsconf_flag(c, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint");
	dual = bk_awsconf_flag(c, "AWS_USE_DUALSTACK_ENDPOINT",
	    "use_dualstack_endpoint");
	if (fips < 0 || dual < 0) {
		memset(out, 0, sizeof(*out));
		say(out->error, sizeof(out->error), "AWS_USE_FIPS_ENDPOINT and "
		    "AWS_USE_DUALSTACK_ENDPOINT take true or false", NULL, NULL,
		    NULL);
		return BK_E_USAGE;
	}
	/* a configured URL wins over FIPS/dual-stack, as in the SDKs */
	p.service = prefix;
	p.region = region;
	p.use_fips = custom ? 0 : fips;
	p.use_dualstack = custom ? 0 : dual;
	p.endpoint = custom;
	return bk_endpoint_resolve(&p, out);
}

/* ---- region --------------------------------------------------------------- */

static enum bk_err imds_get(struct bk_awsconf *c, const char *path,
    struct bk_awsreq *r, struct bk_chain_report *rep);

enum bk_err
bk_region_resolve(struct bk_awsconf *c, const char *flag)
{
	char v[128];
	struct bk_chain_report rep;
	struct bk_awsreq r;
	const char *got = NULL;

	if (flag != NULL && flag[0] != '\0') {
		got = flag;
		c->region_from = "--region";
	} else if ((got = env("AWS_REGION", v, sizeof(v))) != NULL) {
		c->region_from = "AWS_REGION";
	} else if ((got = env("AWS_DEFAULT_REGION", v, sizeof(v))) != NULL) {
		c->region_from = "AWS_DEFAULT_REGION";
	} else if (bk_awsconf_get(c, "region", v, sizeof(v)) == BK_OK &&
	    v[0] != '\0') {
		got = v;
		c->region_from = "the profile";
	} else if (bk_awsconf_flag(c, "AWS_EC2_METADATA_DISABLED", NULL) != 1) {
		memset(&rep, 0, sizeof(rep));
		if (imds_get(c, "/latest/meta-data/placement/region", &r, &rep)
		    == BK_OK) {
			if (r.status == 200 && r.resp_len < sizeof(v)) {
				memcpy(v, r.resp, r.resp_len + 1);
				got = v;
				c->region_from = "instance metadata";
			}
			bk_awsreq_free(&r);
		}
	}
	if (got == NULL)
		return BK_E_NO_REGION;
	if (strlen(got) >= sizeof(c->region) || !bk_region_valid(got)) {
		c->region[0] = '\0';
		snprintf(c->region_bad, sizeof(c->region_bad), "%s", got);
		return BK_E_USAGE;
	}
	memcpy(c->region, got, strlen(got) + 1);
	return BK_OK;
}

/* ---- reading credential answers ----------------------------------------- */

static int
copy_field(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || n >= cap)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/*
 * {"AccessKeyId","SecretAccessKey","Token"|"SessionToken","Expiration"}:
 * the shape IMDS, the container endpoint and credential_process share.
 */
static enum bk_err
creds_from_json(const char *js, size_t n, struct bk_credentials *out,
    const char **why)
{
	static jsmntok_t tok[128];
	struct bk_json j;
	char exp[64];

	*why = "the answer is not JSON";
	if (bk_json_parse(&j, js, n, tok, 128) != BK_OK ||
	    j.t[0].type != JSMN_OBJECT)
		return BK_E_JSON;
	*why = "AccessKeyId or SecretAccessKey missing";
	if (bk_json_get_str(&j, 0, "AccessKeyId", out->akid,
	    sizeof(out->akid)) != BK_OK || out->akid[0] == '\0' ||
	    bk_json_get_str(&j, 0, "SecretAccessKey", out->secret,
	    sizeof(out->secret)) != BK_OK || out->secret[0] == '\0')
		return BK_E_JSON_SHAPE;
	if (bk_json_get_str(&j, 0, "Token", out->token, sizeof(out->token)) !=
	    BK_OK)
		bk_json_get_str(&j, 0, "SessionToken", out->token,
		    sizeof(out->token));
	bk_json_get_str(&j, 0, "AccountId", out->account_id,
	    sizeof(out->account_id));
	out->expiration = 0;
	if (bk_json_get_str(&j, 0, "Expiration", exp, sizeof(exp)) == BK_OK &&
	    exp[0] != '\0' && bk_time_parse_iso8601(exp, strlen(exp),
	    &out->expiration) != BK_OK) {
		*why = "Expiration is not an ISO 8601 time";
		return BK_E_JSON_SHAPE;
	}
	return BK_OK;
}

/* ---- HTTP for the chain --------------------------------------------------- */

static void
req_init(const struct bk_awsconf *c, struct bk_awsreq *r, const char *method,
    const char *url)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->url = url;
	r->ca_file = c->ca_file;
	r->ca_pem = c->ca_pem;
	r->ca_pem_len = c->ca_pem_len;
	r->trace = c->trace;
	r->clock_offset = c->clock_offset;
	r->timeout_ms = 10000;
}

/*
 * Whether s holds a C0 control or DEL (and with c1, a UTF-8 C1 control
 * U+0080..U+009F): text from a server that must not reach a header line,
 * a URL or a terminal.
 */
static int
has_controls(const char *s, int c1)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u != '\0'; u++)
		if (*u < 0x20 || *u == 0x7f || (c1 && u[0] == 0xC2 &&
		    u[1] >= 0x80 && u[1] < 0xA0))
			return 1;
	return 0;
}

/* Text of an AWS error reply, for a message ("AccessDenied: ...").  */
static void
reply_error(const struct bk_awsreq *r, char *out, size_t cap)
{
	char code[96], msg[400];
	static jsmntok_t tok[64];
	struct bk_json j;

	code[0] = msg[0] = '\0';
	if (r->resp != NULL && r->resp_len > 0 && r->resp[0] == '<') {
		bk_xml_text(r->resp, r->resp_len, "Code", code, sizeof(code));
		bk_xml_text(r->resp, r->resp_len, "Message", msg, sizeof(msg));
	} else if (r->resp != NULL && bk_json_parse(&j, r->resp, r->resp_len,
	    tok, 64) == BK_OK && j.t[0].type == JSMN_OBJECT) {
		if (bk_json_get_str(&j, 0, "message", msg, sizeof(msg)) != BK_OK)
			bk_json_get_str(&j, 0, "Message", msg, sizeof(msg));
		if (bk_json_get_str(&j, 0, "error", code, sizeof(code)) == BK_OK)
			bk_json_get_str(&j, 0, "error_description", msg,
			    sizeof(msg));
	}
	if (code[0] == '\0' && r->error_type[0] != '\0') {
		size_t k = strcspn(r->error_type, ":");
		if (k >= sizeof(code))
			k = sizeof(code) - 1;
		memcpy(code, r->error_type, k);
		code[k] = '\0';
	}
	snprintf(out, cap, "HTTP %d%s%s%s%s", r->status, code[0] ? " " : "",
	    code, msg[0] ? ": " : "", msg);
	/* the code and message are the server's (entity-decoded XML,
	 * unescaped JSON): this line is printed, so no control characters
	 * (found by tests/fuzz/fuzz_xml.c) */
	bk_copy_clean(out, cap, out, strlen(out));
}

/* ---- 1. environment ------------------------------------------------------- */

static enum bk_err
from_env(struct bk_credentials *out, struct bk_chain_report *rep,
    const char *what)
{
	char a[160], s[320], exp[64];
	const char *akid = env("AWS_ACCESS_KEY_ID", a, sizeof(a));
	const char *sec = env("AWS_SECRET_ACCESS_KEY", s, sizeof(s));
	enum bk_err e = BK_E_NOT_FOUND;

	if (akid == NULL && sec == NULL) {
		tried(rep, what, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
		    "are not set");
	} else if (akid == NULL || sec == NULL) {
		tried(rep, what, akid == NULL ? "AWS_ACCESS_KEY_ID is not set" :
		    "AWS_SECRET_ACCESS_KEY is not set");
	} else {
		memcpy(out->akid, a, strlen(a) + 1);
		memcpy(out->secret, s, strlen(s) + 1);
		if (env("AWS_SESSION_TOKEN", out->token, sizeof(out->token)) ==
		    NULL)
			out->token[0] = '\0';
		env("AWS_ACCOUNT_ID", out->account_id, sizeof(out->account_id));
		if (env("AWS_CREDENTIAL_EXPIRATION", exp, sizeof(exp)) != NULL)
			bk_time_parse_iso8601(exp, strlen(exp), &out->expiration);
		say(out->source, sizeof(out->source), "environment "
		    "(AWS_ACCESS_KEY_ID", out->token[0] ? ", AWS_SESSION_TOKEN)" :
		    ")", NULL, NULL);
		e = BK_OK;
	}
	bk_wipe(s, sizeof(s));
	return e;
}

/* ---- STS -------------------------------------------------------------------- */

/* Percent-encode for an application/x-www-form-urlencoded body. */
static void
form_put(struct bk_buf *b, const char *k, const char *v)
{
	if (b->len > 0)
		bk_buf_putc(b, '&');
	bk_buf_puts(b, k);
	bk_buf_putc(b, '=');
	bk_uri_encode(b, v, strlen(v), 0);
}

static enum bk_err
sts_call(struct bk_awsconf *c, const struct bk_creds *signer,
    const char *form, size_t form_len, const char *result_tag,
    struct bk_credentials *out, struct bk_chain_report *rep,
    const char *what)
{
	static const struct bk_header ct = { "Content-Type", 12,
		"application/x-www-form-urlencoded; charset=utf-8", 48 };
	struct bk_endpoint ep;
	struct bk_awsreq r;
	const char *from;
	char exp[64], err[512], url[BK_ENDPOINT_URL_MAX + 2];
	enum bk_err e;
	int attempt;

	e = bk_service_endpoint(c, "STS", "sts", "sts",
	    c->region[0] ? c->region : "us-east-1", &ep, &from);
	if (e != BK_OK)
		return fail(rep, e, what, ": STS endpoint: ", ep.error);
	snprintf(url, sizeof(url), "%s/", ep.url);
	/*
	 * STS is retried as the SDKs' standard mode does: up to three
	 * attempts on a 5xx, throttling or a lost connection, with a short
	 * backoff (the reliability work refines the policy).
	 */
	for (attempt = 0;; attempt++) {
		req_init(c, &r, "POST", url);
		r.headers = &ct;
		r.nheaders = 1;
		r.body = (const uint8_t *)form;
		r.body_len = form_len;
		r.sign = signer;
		r.region = ep.signing_region[0] ? ep.signing_region :
		    (c->region[0] ? c->region : "us-east-1");
		r.service = "sts";
		e = bk_awsreq_do(&r);
		if (attempt >= 2 || (e == BK_OK && r.status < 500 &&
		    r.status != 429 && strstr(r.resp, "<Code>Throttling") ==
		    NULL) || (e != BK_OK && e != BK_E_NET &&
		    e != BK_E_TIMEOUT))
			break;
		bk_awsreq_free(&r);
		bk_port_sleep_ms(100u << attempt);
	}
	if (e != BK_OK) {
		bk_awsreq_free(&r);
		return fail(rep, e, what, ": cannot reach STS at ", ep.url);
	}
	if (r.status != 200) {
		reply_error(&r, err, sizeof(err));
		bk_awsreq_free(&r);
		return fail(rep, r.status == 403 || r.status == 400 ?
		    BK_E_NO_CREDENTIALS : BK_E_SVC_OTHER, what, ": STS said ",
		    err);
	}
	if (bk_xml_text(r.resp, r.resp_len, "AccessKeyId", out->akid,
	    sizeof(out->akid)) != BK_OK ||
	    bk_xml_text(r.resp, r.resp_len, "SecretAccessKey", out->secret,
	    sizeof(out->secret)) != BK_OK ||
	    bk_xml_text(r.resp, r.resp_len, "SessionToken", out->token,
	    sizeof(out->token)) != BK_OK ||
	    strstr(r.resp, result_tag) == NULL) {
		bk_awsreq_free(&r);
		return fail(rep, BK_E_JSON_SHAPE, what, ": STS answer without "
		    "credentials", NULL);
	}
	out->expiration = 0;
	if (bk_xml_text(r.resp, r.resp_len, "Expiration", exp, sizeof(exp)) ==
	    BK_OK)
		bk_time_parse_iso8601(exp, strlen(exp), &out->expiration);
	{
		/* the account is the fifth field of the assumed-role ARN */
		char arn[512];
		out->account_id[0] = '\0';
		if (bk_xml_text(r.resp, r.resp_len, "Arn", arn, sizeof(arn)) ==
		    BK_OK) {
			const char *p = arn;
			int k;
			for (k = 0; k < 4 && p != NULL; k++) {
				p = strchr(p, ':');
				if (p != NULL)
					p++;
			}
			if (p != NULL) {
				size_t l = strcspn(p, ":");
				if (l > 0 && l < sizeof(out->account_id)) {
					memcpy(out->account_id, p, l);
					out->account_id[l] = '\0';
				}
			}
		}
	}
	bk_awsreq_free(&r);
	return BK_OK;
}

static void
session_name(char *out, size_t cap, const char *given)
{
	if (given != NULL && given[0] != '\0')
		snprintf(out, cap, "%s", given);
	else
		snprintf(out, cap, "bedrock-claude-%lld",
		    (long long)bk_port_now());
}

static enum bk_err
web_identity(struct bk_awsconf *c, const char *token_file,
    const char *role_arn, const char *session, struct bk_credentials *out,
    struct bk_chain_report *rep, const char *what)
{
	static char form[16384];
	uint8_t tok[8192];
	char sn[128];
	size_t tl;
	struct bk_port_err pe;
	struct bk_buf b;
	enum bk_err e;

	if (bk_port_read_file(token_file, tok, sizeof(tok) - 1, &tl, &pe) !=
	    BK_OK)
		return fail(rep, BK_E_NO_CREDENTIALS, what, ": ", pe.msg);
	while (tl > 0 && (tok[tl - 1] == '\n' || tok[tl - 1] == '\r' ||
	    tok[tl - 1] == ' '))
		tl--;
	tok[tl] = '\0';
	session_name(sn, sizeof(sn), session);
	bk_buf_init(&b, form, sizeof(form));
	form_put(&b, "Action", "AssumeRoleWithWebIdentity");
	form_put(&b, "Version", "2011-06-15");
	form_put(&b, "RoleArn", role_arn);
	form_put(&b, "RoleSessionName", sn);
	form_put(&b, "WebIdentityToken", (const char *)tok);
	bk_wipe(tok, sizeof(tok));
	if (bk_buf_err(&b) != BK_OK) {
		bk_wipe(form, sizeof(form));
		return fail(rep, BK_E_LIMIT, what, ": token too long", NULL);
	}
	e = sts_call(c, NULL, form, b.len, "AssumeRoleWithWebIdentityResult",
	    out, rep, what);
	bk_wipe(form, sizeof(form));
	if (e == BK_OK)
		say(out->source, sizeof(out->source), "web identity token ",
		    token_file, " -> role ", role_arn);
	return e;
}

static enum bk_err
assume_role(struct bk_awsconf *c, const struct bk_plan_link *l,
    struct bk_credentials *cur, struct bk_chain_report *rep)
{
	static char form[4096];
	struct bk_credentials *next;
	struct bk_creds signer;
	char sn[128], code[32], what[400];
	struct bk_buf b;
	enum bk_err e;

	snprintf(what, sizeof(what), "profile %s (role %s)", l->profile,
	    l->role_arn);
	session_name(sn, sizeof(sn), l->session_name);
	bk_buf_init(&b, form, sizeof(form));
	form_put(&b, "Action", "AssumeRole");
	form_put(&b, "Version", "2011-06-15");
	form_put(&b, "RoleArn", l->role_arn);
	form_put(&b, "RoleSessionName", sn);
	if (l->external_id[0])
		form_put(&b, "ExternalId", l->external_id);
	if (l->duration[0])
		form_put(&b, "DurationSeconds", l->duration);
	if (l->mfa_serial[0]) {
		char q[512];
		if (c->no_prompt)
			return fail(rep, BK_E_NO_CREDENTIALS, what, ": needs an "
			    "MFA code and there is no terminal to ask on", NULL);
		snprintf(q, sizeof(q), "MFA code for %s: ", l->mfa_serial);
		if (bk_port_prompt(q, code, sizeof(code), 0) != BK_OK ||
		    code[0] == '\0')
			return fail(rep, BK_E_NO_CREDENTIALS, what, ": needs an "
			    "MFA code and there is no terminal to ask on", NULL);
		form_put(&b, "SerialNumber", l->mfa_serial);
		form_put(&b, "TokenCode", code);
		bk_wipe(code, sizeof(code));
	}
	if (bk_buf_err(&b) != BK_OK)
		return fail(rep, BK_E_LIMIT, what, ": request too long", NULL);
	signer.akid = cur->akid;
	signer.secret = cur->secret;
	signer.token = cur->token[0] ? cur->token : NULL;
	next = malloc(sizeof(*next));
	if (next == NULL)
		return fail(rep, BK_E_NOMEM, "out of memory", NULL, NULL);
	memset(next, 0, sizeof(*next));
	e = sts_call(c, &signer, form, b.len, "AssumeRoleResult", next, rep,
	    what);
	bk_wipe(form, sizeof(form));
	if (e == BK_OK) {
		char src[512];
		memcpy(src, cur->source, sizeof(src));
		memcpy(cur->akid, next->akid, sizeof(cur->akid));
		memcpy(cur->secret, next->secret, sizeof(cur->secret));
		memcpy(cur->token, next->token, sizeof(cur->token));
		memcpy(cur->account_id, next->account_id,
		    sizeof(cur->account_id));
		cur->expiration = next->expiration;
		say(cur->source, sizeof(cur->source), "role ", l->role_arn,
		    " via ", src);
	}
	bk_credentials_wipe(next);
	free(next);
	return e;
}

/* ---- 4. container endpoint ------------------------------------------------- */

/* Hosts a plain-http full URI may name (the SDKs' list). */
static int
container_host_ok(const char *auth, size_t n)
{
	static const char *const ok[] = { "localhost", "169.254.170.2",
		"169.254.170.23", "[fd00:ec2::23]", "[::1]" };
	size_t i, hl = n;
	const char *colon;

	/* strip a port ("host:8080", "[v6]:80") */
	if (n > 0 && auth[0] == '[') {
		const char *rb = memchr(auth, ']', n);
		hl = rb ? (size_t)(rb - auth) + 1 : n;
	} else if ((colon = memchr(auth, ':', n)) != NULL) {
		hl = (size_t)(colon - auth);
	}
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strlen(ok[i]) == hl && memcmp(auth, ok[i], hl) == 0)
			return 1;
	/* 127.0.0.0/8 */
	return hl >= 4 && memcmp(auth, "127.", 4) == 0;
}

enum bk_err
bk_container_uri(char *out, size_t cap, char *why, size_t wcap)
{
	char rel[1024], full[1024];
	const char *r = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", rel,
	    sizeof(rel));
	const char *f = env("AWS_CONTAINER_CREDENTIALS_FULL_URI", full,
	    sizeof(full));

	if (r != NULL) {
		/* the ECS agent's fixed address */
		snprintf(out, cap, "http://169.254.170.2%s%s", r[0] == '/' ?
		    "" : "/", r);
		return BK_OK;
	}
	if (f == NULL) {
		say(why, wcap, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
		    "_FULL_URI are not set", NULL, NULL, NULL);
		return BK_E_NOT_FOUND;
	}
	if (strncmp(f, "https://", 8) == 0) {
		if (f[8] == '\0' || f[8] == '/') {
			say(why, wcap, "AWS_CONTAINER_CREDENTIALS_FULL_URI has "
			    "no host", NULL, NULL, NULL);
			return BK_E_ENDPOINT;
		}
	} else if (strncmp(f, "http://", 7) == 0) {
		const char *a = f + 7;
		size_t n = strcspn(a, "/?#");
		if (n == 0 || !container_host_ok(a, n)) {
			say(why, wcap, "AWS_CONTAINER_CREDENTIALS_FULL_URI over "
			    "http must name a loopback or container address, not ",
			    f, NULL, NULL);
			return BK_E_ENDPOINT;
		}
	} else {
		say(why, wcap, "AWS_CONTAINER_CREDENTIALS_FULL_URI did not "
		    "specify a host: ", f, NULL, NULL);
		return BK_E_ENDPOINT;
	}
	snprintf(out, cap, "%s", f);
	return BK_OK;
}

static enum bk_err
from_container(struct bk_awsconf *c, struct bk_credentials *out,
    struct bk_chain_report *rep, int named)
{
	char url[1100], why[300], tokbuf[4096], tf[1024];
	struct bk_header auth;
	struct bk_awsreq r;
	const char *tok, *w;
	enum bk_err e;
	int attempt;

	e = bk_container_uri(url, sizeof(url), why, sizeof(why));
	if (e == BK_E_NOT_FOUND && !named) {
		tried(rep, "container endpoint", why);
		return BK_E_NOT_FOUND;
	}
	if (e != BK_OK)
		return fail(rep, e == BK_E_NOT_FOUND ? BK_E_NO_CREDENTIALS : e,
		    "container endpoint: ", why, NULL);
	/* the token file wins (EKS Pod Identity rotates it), read each time */
	tok = NULL;
	if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tf, sizeof(tf)) !=
	    NULL) {
		struct bk_port_err pe;
		size_t n;
		if (bk_port_read_file(tf, (uint8_t *)tokbuf, sizeof(tokbuf) - 1,
		    &n, &pe) != BK_OK)
			return fail(rep, BK_E_NO_CREDENTIALS, "container "
			    "endpoint: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: ",
			    pe.msg, NULL);
		while (n > 0 && (tokbuf[n - 1] == '\n' || tokbuf[n - 1] == '\r'))
			n--;
		tokbuf[n] = '\0';
		tok = tokbuf;
	} else {
		tok = env("AWS_CONTAINER_AUTHORIZATION_TOKEN", tokbuf,
		    sizeof(tokbuf));
	}
	if (tok != NULL && strpbrk(tok, "\r\n") != NULL)
		return fail(rep, BK_E_NO_CREDENTIALS, "container endpoint: the "
		    "authorization token contains a line break", NULL, NULL);
	for (attempt = 0; attempt < 3; attempt++) {
		req_init(c, &r, "GET", url);
		r.no_proxy = 1;
		r.timeout_ms = 2000;
		if (tok != NULL) {
			auth.name = "Authorization";
			auth.name_len = 13;
			auth.value = tok;
			auth.value_len = strlen(tok);
			r.headers = &auth;
			r.nheaders = 1;
		}
		e = bk_awsreq_do(&r);
		if (e == BK_OK && r.status >= 500) {
			bk_awsreq_free(&r);
			continue;
		}
		break;
	}
	bk_wipe(tokbuf, sizeof(tokbuf));
	if (e != BK_OK) {
		bk_awsreq_free(&r);
		return fail(rep, BK_E_NO_CREDENTIALS, "container endpoint ", url,
		    ": no answer");
	}
	if (r.status != 200) {
		reply_error(&r, why, sizeof(why));
		bk_awsreq_free(&r);
		return fail(rep, BK_E_NO_CREDENTIALS, "container endpoint: ",
		    why, NULL);
	}
	e = creds_from_json(r.resp, r.resp_len, out, &w);
	bk_awsreq_free(&r);
	if (e != BK_OK)
		return fail(rep, BK_E_NO_CREDENTIALS, "container endpoint: ", w,
		    NULL);
	say(out->source, sizeof(out->source), "container endpoint ", url,
	    NULL, NULL);
	return BK_OK;
}

/* ---- 5. instance metadata ------------------------------------------------- */

enum bk_err
bk_imds_base(const struct bk_awsconf *c, char *out, size_t cap, char *why,
    size_t wcap)
{
	char v[512];
	const char *e = env("AWS_EC2_METADATA_SERVICE_ENDPOINT", v, sizeof(v));
	size_t n;

	if (e == NULL && bk_awsconf_get(c, "ec2_metadata_service_endpoint", v,
	    sizeof(v)) == BK_OK && v[0] != '\0')
		e = v;
	if (e != NULL) {
		if ((strncmp(e, "http://", 7) != 0 &&
		    strncmp(e, "https://", 8) != 0) || strpbrk(e, " \t") != NULL) {
			say(why, wcap, "invalid uri character in the instance "
			    "metadata endpoint ", e, NULL, NULL);
			return BK_E_ENDPOINT;
		}
		n = strlen(e);
		while (n > 0 && e[n - 1] == '/')
			n--;
		snprintf(out, cap, "%.*s", (int)n, e);
		return BK_OK;
	}
	if (env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", v, sizeof(v)) ==
	    NULL && bk_awsconf_get(c, "ec2_metadata_service_endpoint_mode", v,
	    sizeof(v)) != BK_OK)
		v[0] = '\0';
	if (v[0] == '\0' || strcasecmp(v, "IPv4") == 0) {
		snprintf(out, cap, "http://169.254.169.254");
	} else if (strcasecmp(v, "IPv6") == 0) {
		snprintf(out, cap, "http://[fd00:ec2::254]");
	} else {
		say(why, wcap, "`", v, "` is not a valid endpoint mode (IPv4 or "
		    "IPv6)", NULL);
		return BK_E_ENDPOINT;
	}
	return BK_OK;
}

/*
 * The IMDSv2 session token, fetched once and reused for every read of a
 * run (it lives 6 hours; the SDKs keep it too).  Wiped by
 * bk_creds_forget().
 */
static char imds_token[1024];
static char imds_token_base[600];

void
bk_creds_forget(void)
{
	bk_wipe(imds_token, sizeof(imds_token));
	imds_token_base[0] = '\0';
}

/* IMDSv2: a session token, then the GET.  Short timeouts: off EC2 the
 * address does not answer and a laptop must fail fast. */
static enum bk_err
imds_get(struct bk_awsconf *c, const char *path, struct bk_awsreq *out,
    struct bk_chain_report *rep)
{
	static const struct bk_header ttl = {
		"X-aws-ec2-metadata-token-ttl-seconds", 36, "21600", 5 };
	char base[600], url[1200], why[300];
	struct bk_awsreq r;
	struct bk_header th;
	enum bk_err e = BK_E_NET;
	int attempt;

	if (bk_imds_base(c, base, sizeof(base), why, sizeof(why)) != BK_OK)
		return fail(rep, BK_E_ENDPOINT, "instance metadata: ", why, NULL);
	if (imds_token[0] != '\0' && strcmp(imds_token_base, base) == 0)
		goto have_token;
	snprintf(url, sizeof(url), "%s/latest/api/token", base);
	for (attempt = 0; attempt < 3; attempt++) {
		req_init(c, &r, "PUT", url);
		r.headers = &ttl;
		r.nheaders = 1;
		r.no_proxy = 1;
		r.timeout_ms = 1000;
		r.connect_timeout_ms = 1000;
		e = bk_awsreq_do(&r);
		if (e != BK_OK) {
			/* nothing listens: no point retrying on a laptop */
			bk_awsreq_free(&r);
			return fail(rep, BK_E_NO_CREDENTIALS, "instance metadata "
			    "at ", base, " did not answer");
		}
		if (r.status >= 500) {
			bk_awsreq_free(&r);
			continue;
		}
		break;
	}
	if (e != BK_OK || r.status != 200 || r.resp_len == 0 ||
	    r.resp_len >= sizeof(imds_token)) {
		int st = r.status;
		bk_awsreq_free(&r);
		snprintf(why, sizeof(why), "the token request failed (HTTP %d)",
		    st);
		return fail(rep, BK_E_NO_CREDENTIALS, "instance metadata: ", why,
		    st == 403 ? "; IMDS may be disabled on this instance" : NULL);
	}
	memcpy(imds_token, r.resp, r.resp_len + 1);
	memcpy(imds_token_base, base, sizeof(imds_token_base));
	bk_awsreq_free(&r);
have_token:
	snprintf(url, sizeof(url), "%s%s", base, path);
	th.name = "X-aws-ec2-metadata-token";
	th.name_len = 24;
	th.value = imds_token;
	th.value_len = strlen(imds_token);
	for (attempt = 0; attempt < 3; attempt++) {
		req_init(c, out, "GET", url);
		out->headers = &th;
		out->nheaders = 1;
		out->no_proxy = 1;
		out->timeout_ms = 1000;
		out->connect_timeout_ms = 1000;
		e = bk_awsreq_do(out);
		if (e == BK_OK && out->status >= 500 && attempt < 2) {
			bk_awsreq_free(out);
			continue;
		}
		break;
	}
	if (e != BK_OK) {
		bk_awsreq_free(out);
		return fail(rep, BK_E_NO_CREDENTIALS, "instance metadata ",
		    path, ": no answer");
	}
	if (out->status == 401)
		bk_creds_forget();   /* the token expired: fetch one next time */
	return BK_OK;
}

static enum bk_err
from_imds(struct bk_awsconf *c, struct bk_credentials *out,
    struct bk_chain_report *rep, int named)
{
	struct bk_awsreq r;
	char role[256], path[400];
	const char *w;
	enum bk_err e;

	if (!named && bk_awsconf_flag(c, "AWS_EC2_METADATA_DISABLED", NULL)
	    == 1) {
		tried(rep, "instance metadata", "AWS_EC2_METADATA_DISABLED=true");
		return BK_E_NOT_FOUND;
	}
	e = imds_get(c, "/latest/meta-data/iam/security-credentials/", &r,
	    rep);
	if (e != BK_OK) {
		if (!named) {
			tried(rep, "instance metadata", rep->error);
			rep->error[0] = '\0';
			return BK_E_NOT_FOUND;
		}
		return e;
	}
	if (r.status != 200 || r.resp_len == 0 || r.resp_len >= sizeof(role)) {
		snprintf(path, sizeof(path), "no IAM role is attached to this "
		    "instance (HTTP %d)", r.status);
		bk_awsreq_free(&r);
		if (!named) {
			tried(rep, "instance metadata", path);
			return BK_E_NOT_FOUND;
		}
		return fail(rep, BK_E_NO_CREDENTIALS, "instance metadata: ",
		    path, NULL);
	}
	memcpy(role, r.resp, r.resp_len + 1);
	role[strcspn(role, "\r\n")] = '\0';
	bk_awsreq_free(&r);
	/* the name goes into a URL and into messages: an answer with
	 * control characters in it is not a role name (found by
	 * tests/fuzz/fuzz_credjson.c) */
	if (has_controls(role, 1))
		return fail(rep, BK_E_NO_CREDENTIALS, "instance metadata: the "
		    "role name it lists holds control characters", NULL, NULL);
	snprintf(path, sizeof(path),
	    "/latest/meta-data/iam/security-credentials/%s", role);
	e = imds_get(c, path, &r, rep);
	if (e != BK_OK)
		return e;
	if (r.status != 200) {
		int st = r.status;
		bk_awsreq_free(&r);
		snprintf(path, sizeof(path), "HTTP %d for role %s", st, role);
		return fail(rep, BK_E_NO_CREDENTIALS, "instance metadata: ",
		    path, NULL);
	}
	e = creds_from_json(r.resp, r.resp_len, out, &w);
	bk_awsreq_free(&r);
	if (e != BK_OK)
		return fail(rep, BK_E_NO_CREDENTIALS, "instance metadata: ", w,
		    NULL);
	say(out->source, sizeof(out->source), "instance metadata, role ", role,
	    NULL, NULL);
	return BK_OK;
}

/* ---- SSO -------------------------------------------------------------------- */

static enum bk_err
sso_endpoint(struct bk_awsconf *c, const char *env_id, const char *key,
    const char *prefix, const char *region, char *url, size_t cap,
    struct bk_chain_report *rep)
{
	struct bk_endpoint ep;
	const char *from;
	enum bk_err e = bk_service_endpoint(c, env_id, key, prefix, region, &ep,
	    &from);

	if (e != BK_OK)
		return fail(rep, e, "SSO endpoint: ", ep.error, NULL);
	snprintf(url, cap, "%s", ep.url);
	return BK_OK;
}

/* Refresh an expired SSO access token with its refresh token (SSO OIDC
 * CreateToken), then rewrite the cache file atomically. */
static enum bk_err
sso_refresh(struct bk_awsconf *c, const struct bk_plan *p,
    const char *cache_path, struct bk_json *cj, char *access, size_t acap,
    struct bk_chain_report *rep)
{
	static char body[16384], newcache[24576];
	static jsmntok_t tok[64];
	char cid[512], csec[4096], rtok[4096], url[700], reg[64];
	struct bk_header ct = { "Content-Type", 12, "application/json", 16 };
	struct bk_json j;
	struct bk_buf b;
	struct bk_awsreq r;
	struct bk_port_err pe;
	uint64_t expires_in = 0;
	enum bk_err e;
	int k;

	if (bk_json_get_str(cj, 0, "clientId", cid, sizeof(cid)) != BK_OK ||
	    bk_json_get_str(cj, 0, "clientSecret", csec, sizeof(csec)) !=
	    BK_OK || bk_json_get_str(cj, 0, "refreshToken", rtok,
	    sizeof(rtok)) != BK_OK)
		return fail(rep, BK_E_NO_CREDENTIALS, "the SSO session has "
		    "expired and cannot be refreshed; fix: aws sso login "
		    "--profile ", c->profile, NULL);
	if (bk_json_get_str(cj, 0, "region", reg, sizeof(reg)) != BK_OK ||
	    !bk_region_valid(reg))
		snprintf(reg, sizeof(reg), "%s", p->sso_region);
	e = sso_endpoint(c, "SSO_OIDC", "sso_oidc", "oidc", reg, url,
	    sizeof(url) - 8, rep);
	if (e != BK_OK)
		return e;
	memcpy(url + strlen(url), "/token", 7);
	bk_buf_init(&b, body, sizeof(body));
	bk_buf_puts(&b, "{\"clientId\":");
	bk_json_put_str(&b, (const uint8_t *)cid, strlen(cid), NULL);
	bk_buf_puts(&b, ",\"clientSecret\":");
	bk_json_put_str(&b, (const uint8_t *)csec, strlen(csec), NULL);
	bk_buf_puts(&b, ",\"grantType\":\"refresh_token\",\"refreshToken\":");
	bk_json_put_str(&b, (const uint8_t *)rtok, strlen(rtok), NULL);
	bk_buf_putc(&b, '}');
	req_init(c, &r, "POST", url);
	r.headers = &ct;
	r.nheaders = 1;
	r.body = (const uint8_t *)body;
	r.body_len = b.len;
	e = bk_buf_err(&b) == BK_OK ? bk_awsreq_do(&r) : BK_E_LIMIT;
	bk_wipe(body, sizeof(body));
	if (e != BK_OK || r.status != 200 ||
	    bk_json_parse(&j, r.resp, r.resp_len, tok, 64) != BK_OK ||
	    bk_json_get_str(&j, 0, "accessToken", access, acap) != BK_OK) {
		char err[400] = "no answer";
		if (e == BK_OK)
			reply_error(&r, err, sizeof(err));
		bk_awsreq_free(&r);
		bk_wipe(csec, sizeof(csec));
		bk_wipe(rtok, sizeof(rtok));
		return fail(rep, BK_E_NO_CREDENTIALS, "the SSO session could "
		    "not be refreshed (", err, "); fix: run aws sso login");
	}
	k = bk_json_get(&j, 0, "expiresIn");
	if (k >= 0)
		bk_json_u64(&j, k, &expires_in);
	{
		/* a rotated refresh token replaces the old one */
		char nr[4096];
		if (bk_json_get_str(&j, 0, "refreshToken", nr, sizeof(nr)) ==
		    BK_OK && nr[0] != '\0')
			memcpy(rtok, nr, sizeof(rtok));
		bk_wipe(nr, sizeof(nr));
	}
	bk_awsreq_free(&r);
	/*
	 * The cache as it was, with the three refreshed fields replaced: the
	 * AWS CLI keeps more (registrationExpiresAt...) and refuses a cache
	 * that lost them.
	 */
	{
		static const char *const upd[] = { "accessToken", "expiresAt",
			"refreshToken" };
		char when[17], iso[32];
		int64_t t;
		int i, x, seen[3] = { 0, 0, 0 };
		/* the server's expiresIn is capped at a year before it is
		 * added to the clock: 2^63 - 1 overflowed (found by
		 * tests/fuzz/fuzz_credjson.c) */
		if (expires_in == 0)
			expires_in = 3600;
		if (expires_in > 366u * 86400u)
			expires_in = 366u * 86400u;
		t = bk_port_now() + (int64_t)expires_in;
		bk_time_amz(t, when);
		snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", when,
		    when + 4, when + 6, when + 9, when + 11, when + 13);
		bk_buf_init(&b, newcache, sizeof(newcache));
		bk_buf_putc(&b, '{');
		k = 1;
		for (i = 0; i < cj->t[0].size; i++) {
			const jsmntok_t *kt, *vt;
			const char *val = NULL;
			/* jsmn takes {"a": 1, "b"}: a key without its value,
			 * whose "value" would be a token past this parse (a
			 * stale one: found by tests/fuzz/fuzz_credjson.c).
			 * Such a cache is not rewritten. */
			if (k + 1 >= cj->n || cj->t[k].type != JSMN_STRING ||
			    cj->t[k].size != 1) {
				b.overflow = 1;
				break;
			}
			kt = &cj->t[k];
			vt = &cj->t[k + 1];
			for (x = 0; x < 3; x++)
				if (bk_json_is(cj, k, upd[x])) {
					seen[x] = 1;
					val = x == 0 ? access : x == 1 ? iso : rtok;
				}
			if (i > 0)
				bk_buf_putc(&b, ',');
			bk_buf_putc(&b, '"');
			bk_buf_put(&b, cj->js + kt->start,
			    (size_t)(kt->end - kt->start));
			bk_buf_puts(&b, "\":");
			if (val != NULL) {
				bk_json_put_str(&b, (const uint8_t *)val,
				    strlen(val), NULL);
			} else if (vt->type == JSMN_STRING) {
				bk_buf_putc(&b, '"');
				bk_buf_put(&b, cj->js + vt->start,
				    (size_t)(vt->end - vt->start));
				bk_buf_putc(&b, '"');
			} else {
				bk_buf_put(&b, cj->js + vt->start,
				    (size_t)(vt->end - vt->start));
			}
			k = bk_json_skip(cj, k + 1);
		}
		for (x = 0; x < 3; x++) {
			const char *val = x == 0 ? access : x == 1 ? iso : rtok;
			if (seen[x])
				continue;
			bk_buf_puts(&b, ",\"");
			bk_buf_puts(&b, upd[x]);
			bk_buf_puts(&b, "\":");
			bk_json_put_str(&b, (const uint8_t *)val, strlen(val), NULL);
		}
		bk_buf_puts(&b, "}\n");
	}
	bk_wipe(csec, sizeof(csec));
	bk_wipe(rtok, sizeof(rtok));
	/* a cache we cannot rewrite costs a refresh next time, no more */
	if (bk_buf_err(&b) == BK_OK)
		bk_port_write_file_atomic(cache_path, newcache, b.len, &pe);
	bk_wipe(newcache, sizeof(newcache));
	return BK_OK;
}

static enum bk_err
from_sso(struct bk_awsconf *c, const struct bk_plan *p,
    struct bk_credentials *out, struct bk_chain_report *rep)
{
	static char cache[24576];
	static jsmntok_t tok[128];
	char hash[41], path[1400], access[8192], exp[64], url[1400], base[700];
	struct bk_header hb;
	struct bk_json j;
	struct bk_awsreq r;
	struct bk_port_err pe;
	size_t n;
	int64_t expires = 0;
	enum bk_err e;
	int k;

	if (p->sso_account_id[0] == '\0' || p->sso_role_name[0] == '\0')
		return fail(rep, BK_E_CONFIG, "profile ", p->base_profile, " "
		    "names an sso_session but no sso_account_id and "
		    "sso_role_name: it can resolve an SSO token, not "
		    "credentials; fix: add both to the profile");
	/* the cache key: the session name, or the legacy start URL */
	if (p->sso_session[0])
		bk_sha1_hex(p->sso_session, strlen(p->sso_session), hash);
	else
		bk_sha1_hex(p->sso_start_url, strlen(p->sso_start_url), hash);
	snprintf(path, sizeof(path), "%s/.aws/sso/cache/%s.json", c->home,
	    hash);
	if (bk_port_read_file(path, (uint8_t *)cache, sizeof(cache) - 1, &n,
	    &pe) != BK_OK)
		return fail(rep, BK_E_NO_CREDENTIALS, "no SSO token cached for "
		    "this profile; fix: aws sso login --profile ", c->profile,
		    NULL);
	cache[n] = '\0';
	if (bk_json_parse(&j, cache, n, tok, 128) != BK_OK ||
	    bk_json_get_str(&j, 0, "accessToken", access, sizeof(access)) !=
	    BK_OK) {
		bk_wipe(cache, sizeof(cache));
		return fail(rep, BK_E_NO_CREDENTIALS, "the SSO token cache ",
		    path, " is unreadable; fix: aws sso login");
	}
	if (bk_json_get_str(&j, 0, "expiresAt", exp, sizeof(exp)) == BK_OK)
		bk_time_parse_iso8601(exp, strlen(exp), &expires);
	/* refresh within five minutes of expiry, as the SDKs do */
	if (expires != 0 && expires - MARGIN_S <= bk_port_now()) {
		e = sso_refresh(c, p, path, &j, access, sizeof(access), rep);
		if (e != BK_OK) {
			bk_wipe(cache, sizeof(cache));
			bk_wipe(access, sizeof(access));
			return e;
		}
	}
	bk_wipe(cache, sizeof(cache));
	e = sso_endpoint(c, "SSO", "sso", "portal.sso", p->sso_region, base,
	    sizeof(base), rep);
	if (e != BK_OK) {
		bk_wipe(access, sizeof(access));
		return e;
	}
	{
		struct bk_buf b;
		bk_buf_init(&b, url, sizeof(url));
		bk_buf_puts(&b, base);
		bk_buf_puts(&b, "/federation/credentials?account_id=");
		bk_uri_encode(&b, p->sso_account_id, strlen(p->sso_account_id),
		    0);
		bk_buf_puts(&b, "&role_name=");
		bk_uri_encode(&b, p->sso_role_name, strlen(p->sso_role_name), 0);
	}
	hb.name = "x-amz-sso_bearer_token";
	hb.name_len = 22;
	hb.value = access;
	hb.value_len = strlen(access);
	req_init(c, &r, "GET", url);
	r.headers = &hb;
	r.nheaders = 1;
	e = bk_awsreq_do(&r);
	bk_wipe(access, sizeof(access));
	if (e != BK_OK || r.status != 200) {
		char err[400] = "no answer";
		int st = r.status;
		if (e == BK_OK)
			reply_error(&r, err, sizeof(err));
		bk_awsreq_free(&r);
		return fail(rep, BK_E_NO_CREDENTIALS, "SSO GetRoleCredentials: ",
		    err, st == 401 || st == 403 ? "; fix: aws sso login" : NULL);
	}
	if (bk_json_parse(&j, r.resp, r.resp_len, tok, 128) != BK_OK ||
	    (k = bk_json_get(&j, 0, "roleCredentials")) < 0 ||
	    bk_json_get_str(&j, k, "accessKeyId", out->akid,
	    sizeof(out->akid)) != BK_OK ||
	    bk_json_get_str(&j, k, "secretAccessKey", out->secret,
	    sizeof(out->secret)) != BK_OK ||
	    out->akid[0] == '\0' || out->secret[0] == '\0') {
		/* empty strings are no credentials either (found by
		 * tests/fuzz/fuzz_credjson.c) */
		bk_credentials_wipe(out);
		bk_awsreq_free(&r);
		return fail(rep, BK_E_NO_CREDENTIALS, "SSO GetRoleCredentials "
		    "answered without credentials", NULL, NULL);
	}
	bk_json_get_str(&j, k, "sessionToken", out->token, sizeof(out->token));
	{
		uint64_t ms = 0;
		int x = bk_json_get(&j, k, "expiration");
		if (x >= 0 && bk_json_u64(&j, x, &ms) == BK_OK)
			out->expiration = (int64_t)(ms / 1000);
	}
	copy_field(out->account_id, sizeof(out->account_id), p->sso_account_id);
	bk_awsreq_free(&r);
	say(out->source, sizeof(out->source), p->sso_session[0] ?
	    "SSO session " : "SSO ", p->sso_session[0] ? p->sso_session :
	    p->sso_start_url, ", role ", p->sso_role_name);
	return BK_OK;
}

/* ---- credential_process ---------------------------------------------------- */

static enum bk_err
from_process(struct bk_awsconf *c, const struct bk_plan *p,
    struct bk_credentials *out, struct bk_chain_report *rep)
{
	static char buf[65536];
	static jsmntok_t tok[64];
	struct bk_port_err pe;
	struct bk_json j;
	char ver[8];
	const char *w;
	size_t n;
	int status;
	enum bk_err e;

	(void)c;
	e = bk_port_run(p->process, buf, sizeof(buf) - 1, &n, 60000, &status,
	    &pe);
	if (e != BK_OK || status != 0) {
		char st[16];
		bk_wipe(buf, sizeof(buf));
		snprintf(st, sizeof(st), "%d", status);
		return fail(rep, BK_E_NO_CREDENTIALS, "credential_process of "
		    "profile ", p->base_profile, e != BK_OK ? ": did not finish" :
		    (status == 127 ? ": command not found" : ": failed"));
	}
	buf[n] = '\0';
	if (bk_json_parse(&j, buf, n, tok, 64) != BK_OK ||
	    bk_json_get_str(&j, 0, "Version", ver, sizeof(ver)) == BK_E_JSON) {
		bk_wipe(buf, sizeof(buf));
		return fail(rep, BK_E_NO_CREDENTIALS, "credential_process of "
		    "profile ", p->base_profile, ": output is not JSON");
	}
	{
		/* "Version": 1 is a number */
		int v = bk_json_get(&j, 0, "Version");
		uint64_t vv = 0;
		if (v < 0 || bk_json_u64(&j, v, &vv) != BK_OK || vv != 1) {
			bk_wipe(buf, sizeof(buf));
			return fail(rep, BK_E_NO_CREDENTIALS, "credential_process "
			    "of profile ", p->base_profile, ": output must have "
			    "\"Version\": 1");
		}
	}
	e = creds_from_json(buf, n, out, &w);
	bk_wipe(buf, sizeof(buf));
	if (e != BK_OK)
		return fail(rep, BK_E_NO_CREDENTIALS, "credential_process: ", w,
		    NULL);
	if (out->account_id[0] == '\0')
		bk_profile_get(&c->files, BK_INI_PROFILE, p->base_profile,
		    "aws_account_id", out->account_id, sizeof(out->account_id),
		    NULL);
	say(out->source, sizeof(out->source), "credential_process of profile ",
	    p->base_profile, NULL, NULL);
	return BK_OK;
}

/* ---- 3. the profile ---------------------------------------------------------- */

static enum bk_err
from_profile(struct bk_awsconf *c, struct bk_credentials *out,
    struct bk_chain_report *rep)
{
	static struct bk_plan plan;
	char what[200];
	size_t i;
	enum bk_err e;

	snprintf(what, sizeof(what), "profile %s (%s)", c->profile,
	    c->profile_from);
	e = bk_profile_plan(&c->files, c->profile, &plan);
	if (e == BK_E_NOT_FOUND) {
		/* an explicitly chosen profile must exist */
		if (c->profile_explicit || strcmp(c->profile_from,
		    "AWS_PROFILE") == 0) {
			if (!bk_profile_exists(&c->files, BK_INI_PROFILE,
			    c->profile))
				return fail(rep, BK_E_NO_CREDENTIALS, "the "
				    "profile '", c->profile, "' is not defined in "
				    "~/.aws/config or ~/.aws/credentials");
		}
		tried(rep, what, plan.error);
		return BK_E_NOT_FOUND;
	}
	if (e != BK_OK)
		return fail(rep, BK_E_CONFIG, what, ": ", plan.error);
	switch (plan.base) {
	case BK_BASE_STATIC: {
		struct bk_profile_files only_creds;
		const char *f;
		memset(&only_creds, 0, sizeof(only_creds));
		only_creds.credentials = c->files.credentials;
		only_creds.credentials_len = c->files.credentials_len;
		f = bk_profile_exists(&only_creds, BK_INI_PROFILE,
		    plan.base_profile) ? "credentials" : "config";
		bk_profile_get(&c->files, BK_INI_PROFILE, plan.base_profile,
		    "aws_access_key_id", out->akid, sizeof(out->akid), NULL);
		bk_profile_get(&c->files, BK_INI_PROFILE, plan.base_profile,
		    "aws_secret_access_key", out->secret, sizeof(out->secret),
		    NULL);
		if (bk_profile_get(&c->files, BK_INI_PROFILE, plan.base_profile,
		    "aws_session_token", out->token, sizeof(out->token), NULL) !=
		    BK_OK)
			out->token[0] = '\0';
		bk_profile_get(&c->files, BK_INI_PROFILE, plan.base_profile,
		    "aws_account_id", out->account_id, sizeof(out->account_id),
		    NULL);
		say(out->source, sizeof(out->source), "profile ",
		    plan.base_profile, ": static keys in ~/.aws/", f);
		e = BK_OK;
		break;
	}
	case BK_BASE_NAMED:
		if (strcmp(plan.named_source, "Environment") == 0) {
			e = from_env(out, rep, "credential_source Environment");
			if (e != BK_OK)
				e = fail(rep, BK_E_NO_CREDENTIALS, what,
				    ": credential_source = Environment, but the "
				    "environment has no keys", NULL);
		} else if (strcmp(plan.named_source, "EcsContainer") == 0) {
			e = from_container(c, out, rep, 1);
		} else {
			e = from_imds(c, out, rep, 1);
		}
		break;
	case BK_BASE_WEB_IDENTITY:
		e = web_identity(c, plan.web_token_file, plan.web_role_arn,
		    plan.web_session_name, out, rep, what);
		break;
	case BK_BASE_SSO:
		e = from_sso(c, &plan, out, rep);
		break;
	case BK_BASE_PROCESS:
		e = from_process(c, &plan, out, rep);
		break;
	}
	for (i = 0; e == BK_OK && i < plan.nlinks; i++)
		e = assume_role(c, &plan.link[i], out, rep);
	if (e == BK_OK && plan.nlinks > 0) {
		char src[512];
		memcpy(src, out->source, sizeof(src));
		say(out->source, sizeof(out->source), "profile ", c->profile,
		    " -> ", src);
	}
	return e;
}

/* ---- the chain ------------------------------------------------------------- */

/* Does the selected profile configure credentials (or fail trying)? */
static int
profile_has_credentials(const struct bk_awsconf *c)
{
	static struct bk_plan plan;

	return bk_profile_plan(&c->files, c->profile, &plan) != BK_E_NOT_FOUND;
}

static enum bk_err
resolve_chain(struct bk_awsconf *c, struct bk_credentials *out,
    struct bk_chain_report *rep)
{
	char arn[512], file[1024], sess[128];
	enum bk_err e;

	memset(out, 0, sizeof(*out));
	memset(rep, 0, sizeof(*rep));
	/* one IMDS session token per resolution: a chat resolving again
	 * hours later must not present an expired one */
	bk_creds_forget();
	if (!c->profile_explicit) {
		e = from_env(out, rep, "environment");
		if (e != BK_E_NOT_FOUND)
			return e;
		/*
		 * Web identity from the environment comes before the profile
		 * (the Java and Python SDKs' order), except when AWS_PROFILE
		 * names a profile that configures credentials: that choice is
		 * the user's, and smithy-rs and aws-c-auth put the profile
		 * first anyway.
		 */
		if (strcmp(c->profile_from, "AWS_PROFILE") == 0 &&
		    profile_has_credentials(c)) {
			tried(rep, "web identity", "skipped: AWS_PROFILE selects "
			    "a profile that configures credentials");
		} else if (env("AWS_WEB_IDENTITY_TOKEN_FILE", file,
		    sizeof(file)) != NULL) {
			if (env("AWS_ROLE_ARN", arn, sizeof(arn)) == NULL) {
				tried(rep, "web identity", "AWS_ROLE_ARN is "
				    "not set");
			} else {
				if (env("AWS_ROLE_SESSION_NAME", sess,
				    sizeof(sess)) == NULL)
					sess[0] = '\0';
				return web_identity(c, file, arn, sess, out, rep,
				    "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)");
			}
		} else {
			tried(rep, "web identity", "AWS_WEB_IDENTITY_TOKEN_FILE "
			    "is not set");
		}
	} else {
		tried(rep, "environment", "skipped: --profile was given");
	}
	e = from_profile(c, out, rep);
	if (e != BK_E_NOT_FOUND)
		return e;
	/* a profile without credentials (region only, say) leaves the
	 * container and the instance, even with --profile, as in botocore */
	e = from_container(c, out, rep, 0);
	if (e != BK_E_NOT_FOUND)
		return e;
	e = from_imds(c, out, rep, 0);
	if (e != BK_E_NOT_FOUND)
		return e;
	return fail(rep, BK_E_NO_CREDENTIALS, "Unable to locate credentials",
	    NULL, NULL);
}

enum bk_err
bk_creds_resolve(struct bk_awsconf *c, struct bk_credentials *out,
    struct bk_chain_report *rep)
{
	enum bk_err e = resolve_chain(c, out, rep);
	char src[sizeof(out->source)];

	/*
	 * The key ID, the session token (and the secret, for good measure)
	 * go into the Authorization and X-Amz-Security-Token headers of
	 * every call: a CR/LF there, from an STS "&#13;&#10;" or a JSON
	 * "\r\n", would add header lines of the server's choosing.  Refused
	 * whatever the source (found by tests/fuzz/fuzz_xml.c).
	 */
	if (e == BK_OK && (has_controls(out->akid, 0) ||
	    has_controls(out->secret, 0) || has_controls(out->token, 0))) {
		memcpy(src, out->source, sizeof(src));
		bk_credentials_wipe(out);
		bk_copy_clean(src, sizeof(src), src, strlen(src));
		return fail(rep, BK_E_NO_CREDENTIALS, "the credentials from ",
		    src, " contain control characters: refused");
	}
	return e;
}

void
bk_credentials_wipe(struct bk_credentials *cr)
{
	bk_wipe(cr, sizeof(*cr));
}

int
bk_creds_expiring(const struct bk_credentials *cr, int64_t now,
    int64_t margin)
{
	return cr->expiration != 0 && cr->expiration - margin <= now;
}
