/*
 * doctor.c -- `bedrock-claude doctor`: every step between a user and a
 * Claude answer on Bedrock, checked in order, each with the fix from the
 * troubleshooting guide when it fails.  See doctor.h for the output.
 *
 * The steps are the program's own (bk_awsconf_load, bk_region_resolve,
 * bk_creds_resolve, bk_service_endpoint, bk_trust_choose, bk_call_stream)
 * so the doctor cannot pass where a real call would fail for a reason it
 * did not look at.  The AWS calls it adds are STS GetCallerIdentity (who
 * am I: account and ARN) and the two control-plane listings (control.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "awsreq.h"
#include "client.h"
#include "control.h"
#include "doctor.h"
#include "port.h"

#define SYM_OK   "\xe2\x9c\x93"     /* U+2713 CHECK MARK */
#define SYM_FAIL "\xe2\x9c\x97"     /* U+2717 BALLOT X */
#define SYM_SKIP "-"

#define CA_READ_MAX (8u * 1024u * 1024u)
#define SKEW_FAIL 300               /* SigV4 refuses more than 5 minutes */
#define SKEW_WARN 60
#define EXPIRY_WARN 300             /* credentials that expire this soon */
#define LINE_MAX_ 8192

enum { RC_SERVICE = 1, RC_CONFIG = 2, RC_CREDS = 3, RC_NET = 4 };

/* The system bundles run.c's choose_ca looks for, in its order. */
static const char *const ca_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt",      /* Debian, Ubuntu, Alpine */
	"/etc/pki/tls/certs/ca-bundle.crt",        /* RHEL, Fedora, AL2 */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* RHEL 7+ */
	"/etc/ssl/ca-bundle.pem",                  /* SUSE */
	"/etc/pki/tls/cacert.pem",                 /* OpenELEC */
	"/etc/ssl/cert.pem",                       /* Alpine, macOS */
};

/* Everything the steps established, for the checks after them. */
struct doc {
	const struct bk_doctor_in *in;
	FILE *out;
	unsigned passed, failed;
	int rc;                     /* exit class of the first failure */
	int conf_ok, region_ok, trust_ok, creds_ok, bearer;
	int rt_ok, cp_ok, sts_ok;
	int have_date, clock_bad;
	int creds_refused;          /* STS said the credentials are bad */
	int64_t skew;               /* server minus local, seconds */
	const char *date_from;
	struct bk_awsconf conf;
	struct bk_credentials cr;
	struct bk_chain_report rep;
	struct bk_trust trust;
	struct bk_endpoint rt, cp, sts;
	const char *rt_from, *cp_from, *sts_from;
	char model[512];
	char line[LINE_MAX_];
};

/* ---- output ------------------------------------------------------------- */

static void say(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(buf, cap, fmt, ap) < 0)
		buf[0] = '\0';
	va_end(ap);
}

/* Each occurrence of the n bytes at w in s (which ends in '@') becomes
 * "***@", or asterisks when w is shorter than that: s never grows. */
static void
hide(char *s, const char *w, size_t n)
{
	size_t len = strlen(s), k = 0;

	while (n <= len && k <= len - n) {
		if (memcmp(s + k, w, n) != 0) {
			k++;
			continue;
		}
		if (n >= 4) {
			memcpy(s + k, "***@", 4);
			memmove(s + k + 4, s + k + n, len - k - n + 1);
			len -= n - 4;
			k += 4;
		} else {
			memset(s + k, '*', n - 1);
			k += n;
		}
	}
}

/*
 * Replace each "user:password@" of a proxy variable found in s with
 * "***@": a transport message could quote the proxy URL, and a password
 * may be shorter than bk_redact's minimum.
 */
static void
redact_proxy_userinfo(char *s)
{
	static const char *const vars[] = { "https_proxy", "HTTPS_PROXY",
		"http_proxy", "all_proxy", "ALL_PROXY" };
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = bk_port_getenv(vars[i]), *u, *at;
		size_t ul;
		if (v == NULL || (at = strrchr(v, '@')) == NULL)
			continue;
		u = strstr(v, "://");
		u = u ? u + 3 : v;
		if (at < u)
			continue;
		ul = (size_t)(at - u) + 1;          /* "user:pass@" */
		if (ul < 2)
			continue;
		hide(s, u, ul);
	}
}

/* Write d->line, scrubbed of every secret the doctor holds. */
static void
flush_line(struct doc *d)
{
	bk_redact(d->line, d->cr.secret);
	bk_redact(d->line, d->cr.token);
	bk_redact(d->line, d->cr.bearer);
	redact_proxy_userinfo(d->line);
	fputs(d->line, d->out);
	fflush(d->out);
}

static void
emit(struct doc *d, const char *sym, const char *name, const char *detail,
    const char *fix)
{
	int has_fix = fix != NULL && fix[0] != '\0';
	size_t n;

	/* snprintf cuts an overlong line instead of dropping a part; one byte
	 * is kept for the newline */
	say(d->line, sizeof(d->line) - 1, "%s %s: %s%s%s", sym, name, detail,
	    has_fix ? "; fix: " : "", has_fix ? fix : "");
	n = strlen(d->line);
	d->line[n] = '\n';
	d->line[n + 1] = '\0';
	flush_line(d);
}

static void
pass(struct doc *d, const char *name, const char *detail)
{
	d->passed++;
	emit(d, SYM_OK, name, detail, NULL);
}

static void
fail(struct doc *d, int rc, const char *name, const char *detail,
    const char *fix)
{
	d->failed++;
	if (d->rc == 0)
		d->rc = rc;
	emit(d, SYM_FAIL, name, detail, fix);
}

static void
skip(struct doc *d, const char *name, const char *why)
{
	char buf[600];

	say(buf, sizeof(buf), "skipped: %s", why);
	emit(d, SYM_SKIP, name, buf, NULL);
}

/* "53 min", "2 h 5 min", "40 s" */
static void
duration(char *out, size_t cap, int64_t s)
{
	if (s < 0)
		s = -s;
	if (s < 120)
		say(out, cap, "%lld s", (long long)s);
	else if (s < 7200)
		say(out, cap, "%lld min", (long long)(s / 60));
	else
		say(out, cap, "%lld h %lld min", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
}

static const char *
env_nonempty(const char *name)
{
	const char *v = bk_port_getenv(name);

	return (v != NULL && v[0] != '\0') ? v : NULL;
}

/* Control bytes become '?' (text from files and the network). */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void
copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- trust -------------------------------------------------------------- */

enum bk_err
bk_trust_choose(const struct bk_awsconf *c, const char *builtin_pem,
    size_t builtin_len, struct bk_trust *t)
{
	char prof[1024];
	const char *v, *from = "AWS_CA_BUNDLE";
	size_t i;

	memset(t, 0, sizeof(*t));
	v = env_nonempty("AWS_CA_BUNDLE");
	if (v == NULL && bk_awsconf_get(c, "ca_bundle", prof, sizeof(prof)) ==
	    BK_OK && prof[0] != '\0') {
		v = prof;
		from = "the profile's ca_bundle";
	}
	if (v == NULL && (v = env_nonempty("SSL_CERT_FILE")) != NULL)
		from = "SSL_CERT_FILE";
	if (v != NULL) {
		t->from = from;
		if (strlen(v) >= sizeof(t->file) || !bk_port_readable(v)) {
			say(t->error, sizeof(t->error), "CA bundle %s (from %s) "
			    "cannot be read", v, from);
			printable(t->error);
			return BK_E_CONFIG;
		}
		copy_str(t->file, sizeof(t->file), v);
		return BK_OK;
	}
	for (i = 0; i < sizeof(ca_paths) / sizeof(ca_paths[0]); i++)
		if (bk_port_readable(ca_paths[i])) {
			copy_str(t->file, sizeof(t->file), ca_paths[i]);
			t->from = "the system bundle";
			return BK_OK;
		}
	t->pem = builtin_pem;
	t->pem_len = builtin_len;
	t->from = "built in";
	return BK_OK;
}

/* ---- 1. configuration files --------------------------------------------- */

static void
check_config(struct doc *d)
{
	char why[1400], buf[3000];
	struct bk_awsconf *c = &d->conf;
	enum bk_err e;

	e = bk_awsconf_load(c, d->in->profile_flag, why, sizeof(why));
	c->trace = d->in->trace;
	c->no_prompt = d->in->no_prompt;
	if (e != BK_OK) {
		printable(why);
		fail(d, RC_CONFIG, "config", why, "correct the file (or point "
		    "AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE elsewhere)");
		return;
	}
	d->conf_ok = 1;
	say(buf, sizeof(buf), "profile %s (from %s); %s (%s), %s (%s)",
	    c->profile, c->profile_from, c->config_path[0] ? c->config_path :
	    "no config file", c->config_text ? "read" : "not found",
	    c->credentials_path[0] ? c->credentials_path :
	    "no credentials file", c->credentials_text ? "read" :
	    "not found");
	printable(buf);
	if (strcmp(c->profile_from, "default") != 0 &&
	    !bk_profile_exists(&c->files, BK_INI_PROFILE, c->profile)) {
		char fix[1400];
		say(fix, sizeof(fix), "create it (aws configure --profile %s) "
		    "or correct the name in %s", c->profile, c->profile_from);
		printable(fix);
		say(why, sizeof(why), "profile %s (from %s) is in neither %s "
		    "nor %s", c->profile, c->profile_from, c->config_path,
		    c->credentials_path);
		printable(why);
		fail(d, RC_CONFIG, "config", why, fix);
		return;
	}
	pass(d, "config", buf);
}

/* ---- 2. region ---------------------------------------------------------- */

static void
check_region(struct doc *d)
{
	char buf[1400], fix[1400];
	enum bk_err e;

	if (!d->conf_ok) {
		skip(d, "region", "the configuration files must load first");
		return;
	}
	e = bk_region_resolve(&d->conf, d->in->region_flag);
	if (e == BK_E_NO_REGION) {
		say(fix, sizeof(fix), "export AWS_REGION=us-east-1 (Bedrock "
		    "runs in us-east-1, us-west-2, eu-central-1, ap-northeast-1 "
		    "and more), pass --region, or set region in profile %s of "
		    "%s", d->conf.profile, d->conf.config_path);
		printable(fix);
		fail(d, RC_CONFIG, "region", "no AWS region configured (tried "
		    "--region, AWS_REGION, AWS_DEFAULT_REGION, the profile, "
		    "instance metadata)", fix);
		return;
	}
	if (e != BK_OK) {
		say(buf, sizeof(buf), "'%s' (from %s) is not a valid AWS region "
		    "name", d->conf.region_bad, d->conf.region_from);
		printable(buf);
		fail(d, RC_CONFIG, "region", buf, "use a region name like "
		    "us-east-1 in AWS_REGION, --region or the profile's region");
		return;
	}
	d->region_ok = 1;
	say(buf, sizeof(buf), "%s (from %s)", d->conf.region,
	    d->conf.region_from);
	pass(d, "region", buf);
}

/* ---- 3. credentials ----------------------------------------------------- */

/* The chain's "  - what: why" lines, indented under the ✗ line. */
static void
print_tried(struct doc *d)
{
	const char *p = d->rep.tried;
	char one[600];
	struct bk_buf b;

	if (p[0] == '\0')
		return;
	bk_buf_init(&b, d->line, sizeof(d->line));
	bk_buf_puts(&b, "    sources tried, in order:\n");
	while (*p != '\0') {
		size_t n = strcspn(p, "\n");
		if (n >= sizeof(one))
			n = sizeof(one) - 1;
		memcpy(one, p, n);
		one[n] = '\0';
		printable(one);
		bk_buf_puts(&b, "  ");
		bk_buf_puts(&b, one);
		bk_buf_putc(&b, '\n');
		p += strcspn(p, "\n");
		if (*p == '\n')
			p++;
	}
	flush_line(d);
}

static void
check_credentials(struct doc *d)
{
	char buf[1400], when[64];
	struct bk_credentials *cr = &d->cr;
	const char *t;
	int64_t now;

	if (!d->conf_ok) {
		skip(d, "credentials", "the configuration files must load "
		    "first");
		return;
	}
	if (!d->trust_ok) {
		skip(d, "credentials", "the CA bundle cannot be read (see "
		    "trust)");
		return;
	}
	/* a Bedrock API key wins for Bedrock, as in run.c and the SDKs */
	if ((t = env_nonempty("AWS_BEARER_TOKEN_BEDROCK")) != NULL) {
		size_t n = strlen(t);
		if (n >= sizeof(cr->bearer)) {
			fail(d, RC_CREDS, "credentials", "AWS_BEARER_TOKEN_BEDROCK "
			    "is too long to be a Bedrock API key", "check the "
			    "variable, or unset it to use AWS credentials");
			return;
		}
		memcpy(cr->bearer, t, n + 1);
		copy_str(cr->source, sizeof(cr->source), "Bedrock API key "
		    "(AWS_BEARER_TOKEN_BEDROCK)");
		d->creds_ok = d->bearer = 1;
		say(buf, sizeof(buf), "Bedrock API key (AWS_BEARER_TOKEN_BEDROCK, "
		    "%zu characters); used for Bedrock instead of AWS "
		    "credentials", n);
		pass(d, "credentials", buf);
		return;
	}
	if (bk_creds_resolve(&d->conf, cr, &d->rep) != BK_OK) {
		char what[800], fix[800];
		const char *f = strstr(d->rep.error, "; fix: ");
		bk_credentials_wipe(cr);
		if (f != NULL) {
			size_t n = (size_t)(f - d->rep.error);
			if (n >= sizeof(what))
				n = sizeof(what) - 1;
			memcpy(what, d->rep.error, n);
			what[n] = '\0';
			copy_str(fix, sizeof(fix), f + 7);
		} else {
			copy_str(what, sizeof(what), d->rep.error);
			copy_str(fix, sizeof(fix), strcmp(d->rep.error, "Unable "
			    "to locate credentials") == 0 ?
			    "run aws configure (or export AWS_ACCESS_KEY_ID and "
			    "AWS_SECRET_ACCESS_KEY), choose a profile with "
			    "AWS_PROFILE or --profile, or sign in with aws sso "
			    "login --profile NAME" :
			    "correct the source named here, or choose another "
			    "profile (AWS_PROFILE or --profile)");
		}
		printable(what);
		printable(fix);
		fail(d, RC_CREDS, "credentials", what, fix);
		print_tried(d);
		return;
	}
	d->creds_ok = 1;
	{
		struct bk_buf b;
		size_t al = strlen(cr->akid);
		bk_buf_init(&b, buf, sizeof(buf));
		bk_buf_puts(&b, cr->source);
		if (al >= 8) {
			bk_buf_puts(&b, "; access key ****");
			bk_buf_puts(&b, cr->akid + al - 4);
		}
		if (cr->token[0] == '\0') {
			bk_buf_puts(&b, "; long-term keys");
		} else if (cr->expiration == 0) {
			bk_buf_puts(&b, "; temporary (session token), no "
			    "expiry given");
		} else {
			now = bk_port_now();
			duration(when, sizeof(when), cr->expiration - now);
			if (cr->expiration <= now) {
				bk_buf_puts(&b, "; expired ");
				bk_buf_puts(&b, when);
				bk_buf_puts(&b, " ago");
				printable(buf);
				d->creds_ok = 0;
				fail(d, RC_CREDS, "credentials", buf, "refresh "
				    "them: aws sso login, assume the role again, "
				    "or get new ones with aws sts "
				    "get-session-token");
				return;
			}
			bk_buf_puts(&b, "; temporary, expires in ");
			bk_buf_puts(&b, when);
			if (cr->expiration - now < EXPIRY_WARN)
				bk_buf_puts(&b, "; warning: they expire soon "
				    "(they are refreshed on the next run)");
		}
	}
	printable(buf);
	pass(d, "credentials", buf);
}

/* ---- 4. identity -------------------------------------------------------- */

/* The STS endpoint, once. */
static int
sts_endpoint(struct doc *d)
{
	if (d->sts_ok)
		return 1;
	if (bk_service_endpoint(&d->conf, "STS", "sts", "sts",
	    d->conf.region[0] ? d->conf.region : "us-east-1", &d->sts,
	    &d->sts_from) != BK_OK)
		return 0;
	d->sts_ok = 1;
	return 1;
}

static void
note_date(struct doc *d, int64_t server, int64_t local, const char *from)
{
	if (d->have_date || server == 0)
		return;
	d->have_date = 1;
	d->skew = server - local;
	d->date_from = from;
}

/* After a TLS failure's fix: which bundle was in use. */
static void
tls_note(const struct doc *d, char *fix, size_t cap)
{
	size_t n = strlen(fix);

	if (n + 1 >= cap)
		return;
	if (d->trust.file[0] != '\0')
		say(fix + n, cap - n, " (in use: %s, from %s)", d->trust.file,
		    d->trust.from);
	else
		say(fix + n, cap - n, " (in use: the built-in Amazon roots)");
	printable(fix);
}

/* A transport failure: what happened and the fix. */
static void
net_fail(struct doc *d, const char *name, const char *op, enum bk_err e,
    const struct bk_port_err *perr, const char *url, int default_host)
{
	static struct bk_ctl_result res;
	char what[1400], fix[900];

	memset(&res, 0, sizeof(res));
	res.err = e;
	res.operation = op;
	res.perr = *perr;
	res.default_host = default_host;
	copy_str(res.endpoint, sizeof(res.endpoint), url);
	bk_ctl_explain(&res, d->conf.region, what, sizeof(what), fix,
	    sizeof(fix));
	printable(what);
	if (e == BK_E_TLS)
		tls_note(d, fix, sizeof(fix));
	fail(d, bk_ctl_exit_code(e), name, what, fix);
}

/*
 * An STS (query protocol, XML) error as a service error: the XML code is
 * renamed to the JSON exception the core classifies (InvalidClientTokenId
 * is an unrecognised client, and so on).
 */
static void
sts_error(const struct bk_awsreq *r, struct bk_svc_error *se)
{
	static const char *const map[][2] = {
		{ "InvalidClientTokenId", "UnrecognizedClientException" },
		{ "IncompleteSignature", "IncompleteSignatureException" },
		{ "MissingAuthenticationToken",
		    "MissingAuthenticationTokenException" },
		{ "Throttling", "ThrottlingException" },
		{ "AccessDenied", "AccessDeniedException" },
		{ "InternalFailure", "InternalFailure" },
	};
	char code[96], msg[700], body[1600];
	const char *type;
	struct bk_buf b;
	size_t i;

	code[0] = msg[0] = '\0';
	if (r->resp_len == 0 || r->resp[0] != '<') {
		bk_svc_error_http(se, r->status, r->error_type,
		    strlen(r->error_type), r->resp, r->resp_len, NULL);
		return;
	}
	bk_xml_text(r->resp, r->resp_len, "Code", code, sizeof(code));
	bk_xml_text(r->resp, r->resp_len, "Message", msg, sizeof(msg));
	type = code;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(code, map[i][0]) == 0)
			type = map[i][1];
	bk_buf_init(&b, body, sizeof(body));
	bk_buf_puts(&b, "{\"message\":");
	bk_json_put_str(&b, (const uint8_t *)msg, strlen(msg), NULL);
	bk_buf_putc(&b, '}');
	bk_svc_error_http(se, r->status, type, strlen(type), body, b.len,
	    NULL);
	/* show AWS's own code, not the renamed one */
	if (code[0] != '\0')
		copy_str(se->type, sizeof(se->type), code);
}

static void
check_identity(struct doc *d)
{
	static const struct bk_header ct = { "Content-Type", 12,
		"application/x-www-form-urlencoded; charset=utf-8", 48 };
	static const char form[] = "Action=GetCallerIdentity&Version=2011-06-15";
	static struct bk_svc_error se;
	char url[BK_ENDPOINT_URL_MAX + 2], buf[1400], fix[1400];
	char account[64], arn[512];
	struct bk_awsreq r;
	struct bk_creds sign;
	enum bk_err e;

	if (!d->conf_ok || !d->trust_ok || !d->creds_ok) {
		skip(d, "identity", !d->conf_ok ? "the configuration files must "
		    "load first" : !d->trust_ok ? "the CA bundle cannot be read "
		    "(see trust)" : "no usable credentials");
		return;
	}
	if (d->bearer) {
		skip(d, "identity", "a Bedrock API key has no STS identity (the "
		    "calls below show what its IAM user may do)");
		return;
	}
	if (!sts_endpoint(d)) {
		say(buf, sizeof(buf), "STS endpoint: %s", d->sts.error);
		printable(buf);
		fail(d, RC_CONFIG, "identity", buf, "use https://host[:port] in "
		    "AWS_ENDPOINT_URL_STS (or the profile's endpoint_url)");
		return;
	}
	say(url, sizeof(url), "%s/", d->sts.url);
	memset(&r, 0, sizeof(r));
	sign.akid = d->cr.akid;
	sign.secret = d->cr.secret;
	sign.token = d->cr.token[0] ? d->cr.token : NULL;
	r.method = "POST";
	r.url = url;
	r.headers = &ct;
	r.nheaders = 1;
	r.body = (const uint8_t *)form;
	r.body_len = sizeof(form) - 1;
	r.sign = &sign;
	r.region = d->sts.signing_region[0] ? d->sts.signing_region :
	    (d->conf.region[0] ? d->conf.region : "us-east-1");
	r.service = "sts";
	r.ca_file = d->conf.ca_file;
	r.ca_pem = d->conf.ca_pem;
	r.ca_pem_len = d->conf.ca_pem_len;
	r.trace = d->conf.trace;
	r.clock_offset = d->conf.clock_offset;
	r.timeout_ms = 15000;
	r.connect_timeout_ms = 10000;
	e = bk_awsreq_do(&r);
	if (e != BK_OK) {
		bk_redact(r.perr.msg, d->cr.secret);
		bk_redact(r.perr.msg, d->cr.token);
		net_fail(d, "identity", "STS GetCallerIdentity", e, &r.perr,
		    d->sts.url, 0);
		bk_awsreq_free(&r);
		return;
	}
	note_date(d, r.server_date, bk_port_now(), "STS");
	if (r.status != 200) {
		sts_error(&r, &se);
		bk_awsreq_free(&r);
		bk_redact(se.message, d->cr.secret);
		bk_redact(se.message, d->cr.token);
		printable(se.message);
		printable(se.type);
		say(buf, sizeof(buf), "STS GetCallerIdentity: %s%s%s (HTTP %d)%s",
		    se.type, se.message[0] ? ": " : "", se.message, se.status,
		    se.code == BK_E_SVC_SIGNATURE_EXPIRED ? "; see clock" : "");
		if (se.code == BK_E_SVC_ACCESS_DENIED)
			say(fix, sizeof(fix), "STS refused these credentials: "
			    "check that they are active (not deleted or "
			    "deactivated in IAM) and not denied by a service "
			    "control policy; they came from %s", d->cr.source);
		else if (se.code == BK_E_SVC_SIGNATURE_EXPIRED)
			copy_str(fix, sizeof(fix), se.hint);
		else
			say(fix, sizeof(fix), "%s; the credentials came from %s",
			    se.hint, d->cr.source);
		printable(fix);
		/* refused keys fail every signed call the same way: those
		 * are skipped rather than repeated (a skewed clock has its
		 * own check) */
		if (bk_ctl_exit_code(se.code) == RC_CREDS &&
		    se.code != BK_E_SVC_SIGNATURE_EXPIRED)
			d->creds_refused = 1;
		fail(d, bk_ctl_exit_code(se.code), "identity", buf, fix);
		return;
	}
	if (bk_xml_text(r.resp, r.resp_len, "Account", account,
	    sizeof(account)) != BK_OK || bk_xml_text(r.resp, r.resp_len, "Arn",
	    arn, sizeof(arn)) != BK_OK) {
		bk_awsreq_free(&r);
		fail(d, 5, "identity", "STS GetCallerIdentity answered without "
		    "an account and ARN", "check that AWS_ENDPOINT_URL_STS "
		    "points at STS");
		return;
	}
	bk_awsreq_free(&r);
	printable(account);
	printable(arn);
	say(buf, sizeof(buf), "account %s, %s", account, arn);
	pass(d, "identity", buf);
}

/* ---- 5. endpoints ------------------------------------------------------- */

/* "AWS_ENDPOINT_URL_<service>" with the service's own name. */
static void
from_name(char *out, size_t cap, const char *from, const char *env_id)
{
	if (strcmp(from, "AWS_ENDPOINT_URL_<service>") == 0)
		say(out, cap, "AWS_ENDPOINT_URL_%s", env_id);
	else if (strcmp(from, "default") == 0)
		copy_str(out, cap, "default rules");
	else
		copy_str(out, cap, from);
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
check_endpoints(struct doc *d)
{
	char buf[3000], f1[96], f2[96], f3[96], fix[600];
	struct bk_buf b;
	int fips, dual;

	if (!d->conf_ok || !d->region_ok) {
		skip(d, "endpoints", !d->conf_ok ? "the configuration files must "
		    "load first" : "no region");
		return;
	}
	d->rt_ok = bk_service_endpoint(&d->conf, "BEDROCK_RUNTIME",
	    "bedrock_runtime", "bedrock-runtime", d->conf.region, &d->rt,
	    &d->rt_from) == BK_OK;
	d->cp_ok = bk_service_endpoint(&d->conf, "BEDROCK", "bedrock",
	    "bedrock", d->conf.region, &d->cp, &d->cp_from) == BK_OK;
	sts_endpoint(d);
	if (!d->rt_ok || !d->cp_ok || !d->sts_ok) {
		const char *which = !d->rt_ok ? "bedrock-runtime" : !d->cp_ok ?
		    "bedrock" : "sts";
		const char *var = !d->rt_ok ? "AWS_ENDPOINT_URL_BEDROCK_RUNTIME" :
		    !d->cp_ok ? "AWS_ENDPOINT_URL_BEDROCK" :
		    "AWS_ENDPOINT_URL_STS";
		say(buf, sizeof(buf), "%s: %s", which, !d->rt_ok ? d->rt.error :
		    !d->cp_ok ? d->cp.error : d->sts.error);
		printable(buf);
		say(fix, sizeof(fix), "use https://host[:port] in %s (or the "
		    "profile's endpoint_url); AWS_USE_FIPS_ENDPOINT and "
		    "AWS_USE_DUALSTACK_ENDPOINT take true or false and need the "
		    "default endpoints", var);
		fail(d, RC_CONFIG, "endpoints", buf, fix);
		return;
	}
	fips = bk_awsconf_flag(&d->conf, "AWS_USE_FIPS_ENDPOINT",
	    "use_fips_endpoint");
	dual = bk_awsconf_flag(&d->conf, "AWS_USE_DUALSTACK_ENDPOINT",
	    "use_dualstack_endpoint");
	from_name(f1, sizeof(f1), d->rt_from, "BEDROCK_RUNTIME");
	from_name(f2, sizeof(f2), d->cp_from, "BEDROCK");
	from_name(f3, sizeof(f3), d->sts_from, "STS");
	bk_buf_init(&b, buf, sizeof(buf));
	say(buf, sizeof(buf), "bedrock-runtime %s (%s), bedrock %s (%s), "
	    "sts %s (%s); VPC endpoint: %s; FIPS: %s; dual-stack: %s",
	    d->rt.url, f1, d->cp.url, f2, d->sts.url, f3,
	    d->rt.vpce && d->cp.vpce ? "yes" : d->rt.vpce ?
	    "yes (bedrock-runtime)" : d->cp.vpce ? "yes (bedrock)" : "no",
	    fips == 1 ? "on" : "off", dual == 1 ? "on" : "off");
	b.len = strlen(buf);
	if ((d->rt.insecure && !loopback_url(d->rt.url)) ||
	    (d->cp.insecure && !loopback_url(d->cp.url)))
		bk_buf_puts(&b, "; warning: a plain http endpoint: prompts, "
		    "answers and signatures cross the network unencrypted");
	printable(buf);
	pass(d, "endpoints", buf);
}

/* ---- 6. proxy ----------------------------------------------------------- */

/* A proxy URL with its user and password replaced by "***". */
static void
proxy_show(const char *v, char *out, size_t cap)
{
	const char *s = strstr(v, "://"), *at = strrchr(v, '@');
	struct bk_buf b;

	s = s ? s + 3 : v;
	bk_buf_init(&b, out, cap);
	if (at != NULL && at >= s) {
		bk_buf_put(&b, v, (size_t)(s - v));
		bk_buf_puts(&b, "***");
		bk_buf_puts(&b, at);
	} else {
		bk_buf_puts(&b, v);
	}
	printable(out);
}

/* The host of a URL into out (brackets of an IPv6 literal removed). */
static void
url_host(const char *url, char *out, size_t cap)
{
	const char *h = strstr(url, "://");
	size_t n;

	h = h ? h + 3 : url;
	if (*h == '[') {
		h++;
		n = strcspn(h, "]");
	} else {
		n = strcspn(h, ":/?#");
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(out, h, n);
	out[n] = '\0';
}

/* curl's NO_PROXY rule: "*", or a name equal to the host or a domain of
 * it (a leading '.' is optional). */
static int
no_proxy_match(const char *np, const char *host)
{
	size_t hl = strlen(host);

	while (*np != '\0') {
		size_t n;
		const char *e;
		while (*np == ',' || *np == ' ' || *np == '\t')
			np++;
		n = strcspn(np, ", \t");
		e = np;
		np += n;
		if (n == 0)
			continue;
		if (n == 1 && e[0] == '*')
			return 1;
		if (e[0] == '.') {
			e++;
			n--;
		}
		while (n > 0 && e[n - 1] == '.')
			n--;
		if (n == 0)
			continue;
		if (hl == n && strncasecmp(host, e, n) == 0)
			return 1;
		if (hl > n && host[hl - n - 1] == '.' &&
		    strncasecmp(host + hl - n, e, n) == 0)
			return 1;
	}
	return 0;
}

/* The proxy curl uses for url, and the variable it came from. */
static const char *
proxy_for(const char *url, const char **var)
{
	static const char *const https_vars[] = { "https_proxy", "HTTPS_PROXY",
		"all_proxy", "ALL_PROXY" };
	static const char *const http_vars[] = { "http_proxy", "all_proxy",
		"ALL_PROXY" };
	int https = strncmp(url, "https:", 6) == 0;
	const char *const *vars = https ? https_vars : http_vars;
	size_t i, n = https ? 4 : 3;
	const char *v;

	for (i = 0; i < n; i++)
		if ((v = env_nonempty(vars[i])) != NULL) {
			*var = vars[i];
			return v;
		}
	*var = NULL;
	return NULL;
}

static void
check_proxy(struct doc *d)
{
	char buf[3000], shown[700], host[300];
	const char *np, *npvar = "no_proxy", *v, *var;
	const struct { const char *name; const char *url; int ok; } eps[] = {
		{ "bedrock-runtime", d->rt.url, d->rt_ok },
		{ "bedrock", d->cp.url, d->cp_ok },
		{ "sts", d->sts.url, d->sts_ok },
	};
	struct bk_buf b;
	size_t i;
	int first = 1;

	bk_buf_init(&b, buf, sizeof(buf));
	np = env_nonempty("no_proxy");
	if (np == NULL && (np = env_nonempty("NO_PROXY")) != NULL)
		npvar = "NO_PROXY";
	if ((v = proxy_for("https://x", &var)) != NULL) {
		proxy_show(v, shown, sizeof(shown));
		bk_buf_puts(&b, var);
		bk_buf_putc(&b, '=');
		bk_buf_puts(&b, shown);
	} else {
		bk_buf_puts(&b, "none (https_proxy, HTTPS_PROXY and ALL_PROXY "
		    "are not set)");
	}
	if (np != NULL) {
		char npb[700];
		copy_str(npb, sizeof(npb), np);
		printable(npb);
		bk_buf_puts(&b, ", ");
		bk_buf_puts(&b, npvar);
		bk_buf_putc(&b, '=');
		bk_buf_puts(&b, npb);
	}
	for (i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
		if (!eps[i].ok)
			continue;
		bk_buf_puts(&b, first ? "; " : ", ");
		first = 0;
		bk_buf_puts(&b, eps[i].name);
		if (proxy_for(eps[i].url, &var) == NULL) {
			bk_buf_puts(&b, " direct");
			continue;
		}
		url_host(eps[i].url, host, sizeof(host));
		if (np != NULL && no_proxy_match(np, host)) {
			bk_buf_puts(&b, " direct (");
			bk_buf_puts(&b, npvar);
			bk_buf_putc(&b, ')');
		} else {
			bk_buf_puts(&b, " via the proxy");
		}
	}
	pass(d, "proxy", buf);
}

/* ---- 7. trust ----------------------------------------------------------- */

static size_t
count_certs(const char *p, size_t n)
{
	static const char mark[] = "-----BEGIN CERTIFICATE-----";
	size_t m = sizeof(mark) - 1, i, k = 0;

	for (i = 0; n >= m && i <= n - m; i++)
		if (p[i] == '-' && memcmp(p + i, mark, m) == 0) {
			k++;
			i += m - 1;
		}
	return k;
}

static void
check_trust(struct doc *d)
{
	char buf[1600];
	size_t k = 0, len = 0;

	if (!d->conf_ok) {
		skip(d, "trust", "the configuration files must load first");
		return;
	}
	if (!d->trust_ok) {
		fail(d, RC_CONFIG, "trust", d->trust.error, "correct the path or "
		    "unset it (AWS_CA_BUNDLE, the profile's ca_bundle, "
		    "SSL_CERT_FILE)");
		return;
	}
	if (d->trust.file[0] != '\0') {
		struct bk_port_err pe;
		uint8_t *mem = malloc(CA_READ_MAX + 1);
		enum bk_err e = BK_E_NOMEM;
		if (mem != NULL)
			e = bk_port_read_file(d->trust.file, mem, CA_READ_MAX,
			    &len, &pe);
		if (e == BK_OK)
			k = count_certs((const char *)mem, len);
		free(mem);
		if (e != BK_OK && e != BK_E_LIMIT) {
			say(buf, sizeof(buf), "CA bundle %s (from %s) cannot be "
			    "read: %s", d->trust.file, d->trust.from, e ==
			    BK_E_NOMEM ? "out of memory" : pe.msg);
			printable(buf);
			fail(d, RC_CONFIG, "trust", buf, "correct the path or "
			    "unset it (AWS_CA_BUNDLE, the profile's ca_bundle, "
			    "SSL_CERT_FILE)");
			return;
		}
		if (e == BK_OK && k == 0) {
			say(buf, sizeof(buf), "CA bundle %s (from %s) holds no PEM "
			    "certificate", d->trust.file, d->trust.from);
			printable(buf);
			fail(d, RC_CONFIG, "trust", buf, "point AWS_CA_BUNDLE at "
			    "a PEM file (-----BEGIN CERTIFICATE-----)");
			return;
		}
		if (e == BK_E_LIMIT)
			say(buf, sizeof(buf), "%s (from %s; larger than 8 MiB)",
			    d->trust.file, d->trust.from);
		else
			say(buf, sizeof(buf), "%s (from %s; %zu certificate%s)",
			    d->trust.file, d->trust.from, k, k == 1 ? "" : "s");
	} else {
		k = count_certs(d->trust.pem, d->trust.pem_len);
		say(buf, sizeof(buf), "the Amazon roots built into the program "
		    "(%zu certificates; no AWS_CA_BUNDLE, SSL_CERT_FILE or "
		    "system bundle)", k);
	}
	printable(buf);
	pass(d, "trust", buf);
}

/* ---- 8. clock ----------------------------------------------------------- */

static void
check_clock(struct doc *d)
{
	char buf[600], dur[64];

	if (!d->have_date && d->conf_ok && d->trust_ok && sts_endpoint(d)) {
		/* no signed reply yet: any AWS reply carries a Date */
		char url[BK_ENDPOINT_URL_MAX + 64];
		struct bk_awsreq r;
		memset(&r, 0, sizeof(r));
		say(url, sizeof(url), "%s/?Action=GetCallerIdentity&"
		    "Version=2011-06-15", d->sts.url);
		r.method = "GET";
		r.url = url;
		r.ca_file = d->conf.ca_file;
		r.ca_pem = d->conf.ca_pem;
		r.ca_pem_len = d->conf.ca_pem_len;
		r.trace = d->conf.trace;
		r.timeout_ms = 15000;
		r.connect_timeout_ms = 10000;
		if (bk_awsreq_do(&r) == BK_OK)
			note_date(d, r.server_date, bk_port_now(), "STS");
		bk_awsreq_free(&r);
	}
	if (!d->have_date) {
		skip(d, "clock", !d->conf_ok ? "the configuration files must "
		    "load first" : !d->trust_ok ? "the CA bundle cannot be read "
		    "(see trust)" : "no reply from AWS to compare with");
		return;
	}
	duration(dur, sizeof(dur), d->skew);
	if (d->skew > SKEW_FAIL || d->skew < -SKEW_FAIL) {
		d->clock_bad = 1;
		say(buf, sizeof(buf), "this machine's clock is %s %s the "
		    "server's (the Date of the %s reply); SigV4 allows 5 min",
		    dur, d->skew > 0 ? "behind" : "ahead of", d->date_from);
		fail(d, RC_CREDS, "clock", buf, "sync the clock (e.g. timedatectl "
		    "set-ntp true, or start chronyd or ntpd) and retry");
		return;
	}
	if (d->skew > SKEW_WARN || d->skew < -SKEW_WARN)
		say(buf, sizeof(buf), "%s %s the server (the Date of the %s "
		    "reply); warning: over 1 min, sync the clock (timedatectl "
		    "set-ntp true) before it reaches 5 min", dur, d->skew > 0 ?
		    "behind" : "ahead of", d->date_from);
	else
		say(buf, sizeof(buf), "within %lld s of the server (the Date of "
		    "the %s reply)", (long long)(d->skew < 0 ? -d->skew :
		    d->skew), d->date_from);
	pass(d, "clock", buf);
}

/* ---- 9, 10. models and profiles ----------------------------------------- */

/* NULL when a signed Bedrock call can be made, else why not. */
static const char *
not_ready(const struct doc *d, int endpoint_ok)
{
	if (!d->conf_ok)
		return "the configuration files must load first";
	if (!d->region_ok)
		return "no region";
	if (!d->trust_ok)
		return "the CA bundle cannot be read (see trust)";
	if (!d->creds_ok)
		return "no usable credentials";
	if (d->creds_refused)
		return "STS refused the credentials (see identity)";
	if (!endpoint_ok)
		return "no endpoint (see endpoints)";
	if (d->clock_bad && !d->bearer)
		return "the clock is more than 5 min off: AWS refuses the "
		    "signature (see clock)";
	return NULL;
}

/* What the configured model names: its base model and/or its profile. */
struct model_ref {
	char base[160];             /* "anthropic.claude-sonnet-4-6" */
	char profile[160];          /* "us.anthropic.claude-sonnet-4-6" */
	int provisioned;            /* an ARN of another kind */
};

static void
model_ref(const char *m, struct model_ref *r)
{
	const char *p;

	memset(r, 0, sizeof(*r));
	if (strncmp(m, "arn:", 4) == 0) {
		if ((p = strstr(m, ":foundation-model/")) != NULL) {
			copy_str(r->base, sizeof(r->base), p + 18);
		} else if ((p = strstr(m, ":inference-profile/")) != NULL) {
			copy_str(r->profile, sizeof(r->profile), p + 19);
			if ((p = strstr(r->profile, ".anthropic.")) != NULL)
				copy_str(r->base, sizeof(r->base), p + 1);
		} else if ((p = strstr(m, ":application-inference-profile/"))
		    != NULL) {
			copy_str(r->profile, sizeof(r->profile), p + 31);
		} else {
			r->provisioned = 1;
		}
		return;
	}
	if (strncmp(m, "anthropic.", 10) != 0 &&
	    (p = strstr(m, ".anthropic.")) != NULL) {
		copy_str(r->profile, sizeof(r->profile), m);
		copy_str(r->base, sizeof(r->base), p + 1);
		return;
	}
	copy_str(r->base, sizeof(r->base), m);
}

static const struct bk_profile_row *
find_profile(const struct bk_profile_list *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->row[i].id, id) == 0)
			return &l->row[i];
	return NULL;
}

static void
list_fail(struct doc *d, const char *name, const struct bk_ctl_result *res)
{
	char what[1400], fix[900];

	bk_ctl_explain(res, d->conf.region, what, sizeof(what), fix,
	    sizeof(fix));
	if (res->err == BK_E_TLS)
		tls_note(d, fix, sizeof(fix));
	fail(d, bk_ctl_exit_code(res->err), name, what, fix);
}

static void
check_models(struct doc *d, const struct bk_model_list *ml,
    const struct bk_ctl_result *res, const struct model_ref *mr,
    const char *base)
{
	char buf[1600], fix[900];
	const struct bk_model_row *m = NULL;
	size_t i;

	if (res->err != BK_OK) {
		list_fail(d, "models", res);
		return;
	}
	if (mr->provisioned || base[0] == '\0') {
		if (mr->provisioned)
			say(buf, sizeof(buf), "%zu Claude models listed in %s (%s "
			    "is not a foundation model or a profile of one)",
			    ml->n, d->conf.region, d->model);
		else
			say(buf, sizeof(buf), "%zu Claude models listed in %s",
			    ml->n, d->conf.region);
		pass(d, "models", buf);
		return;
	}
	for (i = 0; i < ml->n; i++)
		if (strcmp(ml->row[i].id, base) == 0)
			m = &ml->row[i];
	if (m == NULL) {
		say(buf, sizeof(buf), "%s is not among the %zu Claude models "
		    "listed in %s", base, ml->n, d->conf.region);
		say(fix, sizeof(fix), "check the model ID (bedrock-claude models "
		    "lists them, e.g. %s), or use a region that offers it",
		    ml->n ? ml->row[0].id : BK_DEFAULT_MODEL_BASE);
		fail(d, RC_SERVICE, "models", buf, fix);
		return;
	}
	if (m->lifecycle[0] != '\0' && strcmp(m->lifecycle, "ACTIVE") != 0 &&
	    strcmp(m->lifecycle, "LEGACY") != 0) {
		say(buf, sizeof(buf), "%s is %s", base, m->lifecycle);
		fail(d, RC_SERVICE, "models", buf, "choose an ACTIVE model "
		    "(bedrock-claude models)");
		return;
	}
	if (m->streaming == 0) {
		say(buf, sizeof(buf), "%s does not support streaming", base);
		fail(d, RC_SERVICE, "models", buf, "choose another model "
		    "(bedrock-claude models)");
		return;
	}
	if (mr->profile[0] == '\0' && strstr(m->inference, "ON_DEMAND") ==
	    NULL) {
		say(buf, sizeof(buf), "%s cannot be called by its base ID "
		    "(inference types: %s)", base, m->inference[0] ?
		    m->inference : "none listed");
		if (strstr(m->inference, "INFERENCE_PROFILE") != NULL)
			say(fix, sizeof(fix), "use a cross-region inference "
			    "profile: --model %s.%s (bedrock-claude profiles "
			    "lists them)", bk_region_profile_prefix(
			    d->conf.region), base);
		else
			copy_str(fix, sizeof(fix), "it needs provisioned "
			    "throughput; choose a model listed with ON_DEMAND or "
			    "INFERENCE_PROFILE (bedrock-claude models)");
		fail(d, RC_SERVICE, "models", buf, fix);
		return;
	}
	say(buf, sizeof(buf), "%zu Claude models listed in %s; %s is listed "
	    "(%s, %s)%s", ml->n, d->conf.region, base, m->lifecycle[0] ?
	    m->lifecycle : "lifecycle not given", m->inference[0] ?
	    m->inference : "inference types not given",
	    strcmp(m->lifecycle, "LEGACY") == 0 ? "; warning: LEGACY: it still "
	    "answers, but move to a newer model before it is retired" : "");
	pass(d, "models", buf);
}

static void
check_profiles(struct doc *d, const struct bk_profile_list *pl,
    const struct bk_ctl_result *res, const struct model_ref *mr,
    const char *base)
{
	char buf[2000], fix[900];
	const struct bk_profile_row *p;
	struct bk_buf b;
	size_t i, k;

	if (res->err != BK_OK) {
		list_fail(d, "profiles", res);
		return;
	}
	bk_buf_init(&b, buf, sizeof(buf));
	say(buf, sizeof(buf), "%zu Claude inference profiles in %s (%u "
	    "request%s)", pl->n, d->conf.region, pl->pages, pl->pages == 1 ?
	    "" : "s");
	b.len = strlen(buf);
	if (mr->profile[0] != '\0') {
		p = find_profile(pl, mr->profile);
		if (p == NULL) {
			const char *sug = NULL;
			for (i = 0; i < pl->n && sug == NULL; i++)
				if (base[0] != '\0' && strcmp(pl->row[i].model,
				    base) == 0)
					sug = pl->row[i].id;
			bk_buf_puts(&b, "; ");
			bk_buf_puts(&b, mr->profile);
			bk_buf_puts(&b, " is not one of them");
			say(fix, sizeof(fix), "use a profile ID that "
			    "bedrock-claude profiles lists%s%s%s", sug ?
			    " (for this model: " : "", sug ? sug : "", sug ? ")" :
			    "");
			fail(d, RC_SERVICE, "profiles", buf, fix);
			return;
		}
		if (strcmp(p->status, "ACTIVE") != 0) {
			bk_buf_puts(&b, "; ");
			bk_buf_puts(&b, p->id);
			bk_buf_puts(&b, " is ");
			bk_buf_puts(&b, p->status[0] ? p->status : "without "
			    "status");
			fail(d, RC_SERVICE, "profiles", buf, "choose an ACTIVE "
			    "profile (bedrock-claude profiles)");
			return;
		}
		bk_buf_puts(&b, "; ");
		bk_buf_puts(&b, p->id);
		bk_buf_puts(&b, " is listed (ACTIVE, routes to ");
		{
			const char *q;
			if (p->regions[0] == '\0' && !p->global)
				bk_buf_puts(&b, "no region");
			for (q = p->regions; *q != '\0'; q++) {
				if (*q == ',')
					bk_buf_puts(&b, ", ");
				else
					bk_buf_putc(&b, *q);
			}
		}
		if (p->global)
			bk_buf_puts(&b, p->regions[0] ? ", any commercial region" :
			    "any commercial region");
		bk_buf_putc(&b, ')');
	} else if (base[0] != '\0' && !mr->provisioned) {
		for (i = 0, k = 0; i < pl->n; i++)
			if (strcmp(pl->row[i].model, base) == 0) {
				bk_buf_puts(&b, k == 0 ? "; profiles of " : ", ");
				if (k == 0) {
					bk_buf_puts(&b, base);
					bk_buf_puts(&b, ": ");
				}
				bk_buf_puts(&b, pl->row[i].id);
				k++;
			}
		if (k == 0) {
			bk_buf_puts(&b, "; none routes to ");
			bk_buf_puts(&b, base);
		}
	}
	pass(d, "profiles", buf);
}

/* ---- 11. test invocation ------------------------------------------------ */

struct answer {
	char text[96];
	size_t n;
	int more;
};

static int
on_text(void *ctx, const char *t, size_t n)
{
	struct answer *a = ctx;
	size_t room = sizeof(a->text) - 1 - a->n;

	if (n > room) {
		n = room;
		a->more = 1;
	}
	memcpy(a->text + a->n, t, n);
	a->n += n;
	a->text[a->n] = '\0';
	return 0;
}

static void
check_invocation(struct doc *d)
{
	static struct bk_call call;
	static const char prompt[] = "Reply with OK";
	struct bk_message msg;
	struct bk_body body;
	struct answer ans;
	char bodybuf[512], buf[2400], fix[1400];
	struct bk_buf bb;
	const char *why = not_ready(d, d->rt_ok);
	enum bk_err e;

	if (why != NULL) {
		skip(d, "invocation", why);
		return;
	}
	msg.role = BK_ROLE_USER;
	msg.text = (const uint8_t *)prompt;
	msg.len = sizeof(prompt) - 1;
	memset(&body, 0, sizeof(body));
	body.max_tokens = 10;
	body.temperature_milli = -1;
	body.messages = &msg;
	body.nmessages = 1;
	bk_buf_init(&bb, bodybuf, sizeof(bodybuf));
	if (bk_body_messages(&bb, &body, NULL) != BK_OK) {
		fail(d, RC_SERVICE, "invocation", "cannot build the request "
		    "body", "report this");
		return;
	}
	memset(&call, 0, sizeof(call));
	memset(&ans, 0, sizeof(ans));
	call.endpoint = d->rt.url;
	call.region = d->rt.signing_region[0] ? d->rt.signing_region :
	    d->conf.region;
	call.service = "bedrock";
	call.model = d->model;
	call.creds.akid = d->cr.akid;
	call.creds.secret = d->cr.secret;
	call.creds.token = d->cr.token[0] ? d->cr.token : NULL;
	call.bearer = d->cr.bearer[0] ? d->cr.bearer : NULL;
	call.body = (const uint8_t *)bodybuf;
	call.body_len = bb.len;
	call.ca_file = d->conf.ca_file;
	call.ca_pem = d->conf.ca_pem;
	call.ca_pem_len = d->conf.ca_pem_len;
	call.connect_timeout_ms = 10000;
	call.idle_timeout_ms = 60000;
	call.trace = d->conf.trace;
	call.on_text = on_text;
	call.ctx = &ans;
	e = bk_call_stream(&call);
	call.creds.secret = call.creds.token = call.bearer = NULL;
	/* whatever the service echoed is shown: no secret may ride along */
	bk_redact(call.svc.message, d->cr.secret);
	bk_redact(call.svc.message, d->cr.token);
	bk_redact(call.svc.message, d->cr.bearer);
	bk_redact(call.perr.msg, d->cr.secret);
	bk_redact(call.perr.msg, d->cr.token);
	bk_redact(call.detail, d->cr.secret);
	bk_redact(call.detail, d->cr.token);
	printable(call.svc.message);
	printable(call.svc.type);
	printable(call.detail);
	if (e == BK_OK && call.err == BK_OK) {
		/* cut the sample at a character boundary */
		while (ans.n > 0 && ans.more &&
		    ((unsigned char)ans.text[ans.n - 1] & 0xc0) == 0x80)
			ans.text[--ans.n] = '\0';
		if (ans.more && ans.n > 0 &&
		    (unsigned char)ans.text[ans.n - 1] >= 0xc0)
			ans.text[--ans.n] = '\0';
		printable(ans.text);
		say(buf, sizeof(buf), "%s answered \"%s%s\" in %.1f ms (%llu "
		    "input, %llu output tokens; stop: %s)", d->model, ans.text,
		    ans.more ? "..." : "",
		    (double)(call.t_end_us - call.t_start_us) / 1000.0,
		    (unsigned long long)call.usage.input_tokens,
		    (unsigned long long)call.usage.output_tokens,
		    call.stop_reason[0] ? call.stop_reason : "-");
		pass(d, "invocation", buf);
		return;
	}
	e = call.err != BK_OK ? call.err : e;
	if (e >= BK_E_SVC_ACCESS_DENIED && e <= BK_E_SVC_OTHER) {
		say(buf, sizeof(buf), "InvokeModelWithResponseStream on %s: "
		    "%s%s%s (HTTP %d)", d->model, call.svc.type,
		    call.svc.message[0] ? ": " : "", call.svc.message,
		    call.status);
		if (d->bearer && (e == BK_E_SVC_ACCESS_DENIED ||
		    e == BK_E_SVC_UNRECOGNIZED_CLIENT) &&
		    (e == BK_E_SVC_UNRECOGNIZED_CLIENT ||
		    strstr(call.svc.message, "API Key") != NULL ||
		    strstr(call.svc.message, "Authentication failed") != NULL)) {
			e = BK_E_SVC_UNRECOGNIZED_CLIENT;
			copy_str(fix, sizeof(fix), "the Bedrock API key in "
			    "AWS_BEARER_TOKEN_BEDROCK was refused: check it is "
			    "complete and not expired, or unset it to use AWS "
			    "credentials");
		} else if (e == BK_E_SVC_ACCESS_DENIED) {
			say(fix, sizeof(fix), "%s; check with aws iam "
			    "simulate-principal-policy --action-names "
			    "bedrock:InvokeModelWithResponseStream, and look for "
			    "an explicit deny in a service control policy or "
			    "permission boundary", call.svc.hint);
		} else if (e == BK_E_SVC_QUOTA || e == BK_E_SVC_THROTTLING) {
			say(fix, sizeof(fix), "%s (aws service-quotas "
			    "list-service-quotas --service-code bedrock shows "
			    "them)", call.svc.hint);
		} else {
			copy_str(fix, sizeof(fix), call.svc.hint);
		}
		printable(fix);
		fail(d, bk_ctl_exit_code(e), "invocation", buf, fix);
		return;
	}
	if (e == BK_E_DNS || e == BK_E_TLS || e == BK_E_NET ||
	    e == BK_E_TIMEOUT || e == BK_E_PROXY) {
		net_fail(d, "invocation", "InvokeModelWithResponseStream", e,
		    &call.perr, d->rt.url, !d->rt.custom);
		return;
	}
	say(buf, sizeof(buf), "InvokeModelWithResponseStream on %s: %s%s%s",
	    d->model, bk_strerror(e), call.detail[0] ? ": " : "",
	    call.detail);
	fail(d, bk_ctl_exit_code(e), "invocation", buf, "retry; if it "
	    "persists, look for a proxy or middlebox that alters the "
	    "response stream");
}

/* ---- the run ------------------------------------------------------------ */

int
bk_doctor_run(const struct bk_doctor_in *in)
{
	static struct doc d;
	static struct bk_model_list ml;
	static struct bk_profile_list pl;
	static struct bk_ctl_result mres, pres;
	struct model_ref mr;
	char base[160];
	const char *why;
	int rc, model_bad = 0;

	memset(&d, 0, sizeof(d));
	d.in = in;
	d.out = in->out ? in->out : stdout;

	check_config(&d);
	if (d.conf_ok) {
		/* trust is reported at its place in the list, but the chain
		 * and every call below need it now */
		d.trust_ok = bk_trust_choose(&d.conf, in->builtin_ca_pem,
		    in->builtin_ca_len, &d.trust) == BK_OK;
		if (d.trust_ok) {
			d.conf.ca_file = d.trust.file[0] ? d.trust.file : NULL;
			d.conf.ca_pem = d.trust.pem;
			d.conf.ca_pem_len = d.trust.pem_len;
		}
	}
	check_region(&d);
	check_credentials(&d);
	check_identity(&d);
	check_endpoints(&d);
	check_proxy(&d);
	check_trust(&d);
	check_clock(&d);

	/* the configured model, as the program picks it */
	if (in->model_for != NULL && d.region_ok) {
		if (in->model_for(in->model_ctx, in->model, d.conf.region,
		    d.model, sizeof(d.model)) != BK_OK) {
			printable(d.model);
			model_bad = 1;
		}
	} else if (in->model != NULL && in->model[0] != '\0') {
		copy_str(d.model, sizeof(d.model), in->model);
	} else if (d.region_ok) {
		struct bk_buf mb;
		bk_buf_init(&mb, d.model, sizeof(d.model));
		bk_model_default(d.conf.region, &mb);
	}
	printable(d.model);
	model_ref(model_bad ? "" : d.model, &mr);

	memset(&ml, 0, sizeof(ml));
	memset(&pl, 0, sizeof(pl));
	why = not_ready(&d, d.cp_ok);
	if (why != NULL) {
		skip(&d, "models", why);
		skip(&d, "profiles", why);
	} else {
		bk_ctl_list_models(&d.conf, &d.cr, &ml, &mres);
		bk_ctl_list_profiles(&d.conf, &d.cr, 0, &pl, &pres);
		/* an application profile names its model only in the list */
		copy_str(base, sizeof(base), mr.base);
		if (base[0] == '\0' && mr.profile[0] != '\0') {
			const struct bk_profile_row *p = find_profile(&pl,
			    mr.profile);
			if (p != NULL)
				copy_str(base, sizeof(base), p->model);
		}
		check_models(&d, &ml, &mres, &mr, base);
		check_profiles(&d, &pl, &pres, &mr, base);
	}
	bk_model_list_free(&ml);
	bk_profile_list_free(&pl);

	if (model_bad)
		fail(&d, RC_CONFIG, "invocation", d.model, "choose a model with "
		    "--model (an ID from bedrock-claude models or profiles)");
	else
		check_invocation(&d);

	fprintf(d.out, "doctor: %u checks passed, %u failed\n", d.passed,
	    d.failed);
	fflush(d.out);
	rc = d.failed == 0 ? 0 : (d.rc != 0 ? d.rc : 1);

	bk_credentials_wipe(&d.cr);
	bk_wipe(&d.rep, sizeof(d.rep));
	bk_wipe(d.line, sizeof(d.line));
	bk_creds_forget();
	bk_awsconf_free(&d.conf);
	bk_call_free_buffers();
	return rc;
}
