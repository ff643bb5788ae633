/*
 * creds_vectors.c -- replays smithy-rs's credential-provider scenarios
 * (tests/vectors/credential-provider-tests, see its SOURCE.md) through
 * the real chain in src/creds.c over the fake port, and runs the two
 * endpoint tables:
 *
 *   vectors credential-chain: N passed, M failed   (scenario folders)
 *   vectors ecs-uri: N passed, M failed            (ecs-tests.json)
 *   vectors imds-endpoint: N passed, M failed      (imds-endpoint-tests.json)
 *
 * A scenario passes when the chain's result matches test-case.json AND the
 * requests it made match http-traffic.json: same count, method and URI,
 * and the headers the smithy-rs harness checks (see bk_fake_check()).
 * Details of a failure go to stderr as "FAIL ..." lines; skipped
 * scenarios as "note: skipped <name>: <reason>".  -v also lists passes
 * and, for expected errors, our message next to smithy-rs's.
 *
 * How a scenario is set up, and why:
 *  - env.json is the whole environment; fs/ is mounted read-only at "/"
 *    (bk_fake_set_root); files the chain writes (the SSO token cache after
 *    a refresh) stay in the fake port's memory.
 *  - The region is resolved first, as smithy-rs's harness does
 *    (ProviderConfig::load_default_region) but with no recorded exchange
 *    queued: a region lookup through IMDS then fails like smithy-rs's
 *    "no data for event", and is not counted against the recorded traffic
 *    (none of the recordings holds one).  Its requests are listed with -v.
 *  - Every recorded exchange is then queued in connection order, each with
 *    the request it expects, and bk_creds_resolve() runs.
 *  - default-credential-provider-chain/ runs the whole chain.
 *    profile-provider/ exercises smithy-rs's ProfileFileCredentialsProvider
 *    alone, so environment keys in some env.json files must not win:
 *    profile_explicit = 1 (what --profile does) makes bk_creds_resolve()
 *    skip the environment and web-identity steps and stop with an error
 *    where the profile yields nothing, instead of going on to the container
 *    and IMDS steps -- the profile provider alone, as smithy-rs runs it.
 *    The profile is still the one AWS_PROFILE (or "default") selects.
 *  - The clock: the Date header of the first recorded response, so every
 *    recorded token and credential is as fresh as when it was recorded
 *    (the chain refreshes an SSO token expiring within 5 minutes; nothing
 *    else in the chain reads the clock except session names and SigV4
 *    dates, which the harness does not check).  Time 0 for the three IMDS
 *    scenarios smithy-rs runs at the epoch (SOURCE.md).  Without a
 *    recorded response, the fake port's default (2015-08-30T12:36:00Z).
 *  - credential_process scenarios run their command for real
 *    (bk_fake_allow_run): `echo <base64> | base64 --decode`,
 *    `echo 'invalid json'` and `exit 1` from the vector files, which are
 *    static test data, byte-identical to upstream.  No other scenario may
 *    run a command.
 *  - Ok results are compared field by field like smithy-rs's harness,
 *    which compares whole structs of Options: a field the vector omits
 *    (session_token, account_id, expiry) must be absent from ours too.
 *    ErrorContains holds smithy-rs's text: any failure passes.
 *
 * usage: creds_vectors [-v] VECTORS_DIR
 */
#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bedrock.h"
#include "check.h"
#include "creds.h"
#include "fake.h"

static const char *vdir;
static int verbose;
static unsigned case_pass, case_fail;

/* ---- small helpers ---------------------------------------------------- */

static char *
slurpf(size_t *len, const char *fmt, ...)
{
	char path[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return check_slurp(path, len);
}

static int
is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted subdirectory names of dir (at most cap). */
static size_t
list_dirs(const char *dir, char names[][128], size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *ptrs[256];
	static char tmp[256][128];
	size_t n = 0, i;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < cap && n < 256) {
		char p[1024];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (!is_dir(p) || strlen(e->d_name) >= sizeof(tmp[n]))
			continue;
		memcpy(tmp[n], e->d_name, strlen(e->d_name) + 1);
		ptrs[n] = tmp[n];
		n++;
	}
	closedir(d);
	qsort(ptrs, n, sizeof(ptrs[0]), cmp_names);
	for (i = 0; i < n; i++)
		snprintf(names[i], 128, "%s", ptrs[i]);
	return n;
}

static void
suite_summary(const char *suite)
{
	printf("vectors %s: %u passed, %u failed\n", suite, case_pass,
	    case_fail);
	fflush(stdout);
	check_total_fail += case_fail;
	case_pass = case_fail = 0;
}

/* ---- JSON over the core ------------------------------------------------ */

/* A malloc'd, unescaped copy of string token k ("" for a non-string). */
static char *
jdup(const struct bk_json *j, int k)
{
	size_t cap, n = 0;
	char *s;

	if (k < 0 || j->t[k].type != JSMN_STRING) {
		s = malloc(1);
		if (s != NULL)
			s[0] = '\0';
		return s;
	}
	cap = (size_t)(j->t[k].end - j->t[k].start) + 1;
	s = malloc(cap);
	if (s == NULL)
		return NULL;
	if (bk_json_str(j, k, s, cap, &n) != BK_OK)
		n = 0;
	s[n] = '\0';
	return s;
}

static int
jbool(const struct bk_json *j, int k)
{
	return k >= 0 && j->t[k].type == JSMN_PRIMITIVE &&
	    j->js[j->t[k].start] == 't';
}

/* The raw text of token k, for messages. */
static void
jraw(const struct bk_json *j, int k, char *out, size_t cap)
{
	int n = k >= 0 ? j->t[k].end - j->t[k].start : 0;

	snprintf(out, cap, "%.*s", n, k >= 0 ? j->js + j->t[k].start : "");
}

/* ---- a growing string (tests only) -------------------------------------- */

struct str {
	char *p;
	size_t len, cap;
};

static void
str_put(struct str *s, const char *p, size_t n)
{
	if (s->cap - s->len < n + 1) {
		size_t nc = s->cap ? s->cap : 256;
		char *q;
		while (nc - s->len < n + 1)
			nc *= 2;
		q = realloc(s->p, nc);
		if (q == NULL) {
			fprintf(stderr, "out of memory\n");
			exit(2);
		}
		s->p = q;
		s->cap = nc;
	}
	memcpy(s->p + s->len, p, n);
	s->len += n;
	s->p[s->len] = '\0';
}

static void
str_puts(struct str *s, const char *p)
{
	str_put(s, p, strlen(p));
}

/* ---- recorded traffic ---------------------------------------------------- */

#define MAX_CONN BK_FAKE_MAX_REPLIES

struct conn {
	int used;
	char *method, *uri;
	struct str xheaders;    /* request headers the harness checks */
	int have_resp, status, eof_ok, transport_err;
	struct str rheaders;    /* response header lines */
	struct str body;
	int64_t date;
};

struct traffic {
	struct conn c[MAX_CONN];
	size_t n;               /* highest connection id + 1 */
	char err[256];
};

static void
traffic_free(struct traffic *t)
{
	size_t i;

	for (i = 0; i < MAX_CONN; i++) {
		free(t->c[i].method);
		free(t->c[i].uri);
		free(t->c[i].xheaders.p);
		free(t->c[i].rheaders.p);
		free(t->c[i].body.p);
	}
	memset(t, 0, sizeof(*t));
}

/* "name: value\n" for every value of every header of object token obj.
 * only: NULL for all, else the names (case-insensitive) to keep. */
static void
header_lines(const struct bk_json *j, int obj, struct str *out,
    const char *const *only, int64_t *date)
{
	int k = obj + 1, c;

	if (obj < 0 || j->t[obj].type != JSMN_OBJECT)
		return;
	for (c = 0; c < j->t[obj].size; c++) {
		int v = k + 1, e, x;
		char *name = jdup(j, k);
		int keep = only == NULL;
		size_t i;
		for (i = 0; only != NULL && only[i] != NULL; i++)
			if (strcasecmp(name, only[i]) == 0)
				keep = 1;
		if (keep && j->t[v].type == JSMN_ARRAY) {
			e = v + 1;
			for (x = 0; x < j->t[v].size; x++) {
				char *val = jdup(j, e);
				str_puts(out, name);
				str_puts(out, ": ");
				str_puts(out, val);
				str_puts(out, "\n");
				if (date != NULL && strcasecmp(name, "date") == 0
				    && *date == 0)
					bk_time_parse_http(val, strlen(val), date);
				free(val);
				e = bk_json_skip(j, e);
			}
		}
		free(name);
		k = bk_json_skip(j, v);
	}
}

static int
traffic_load(struct traffic *t, const char *text, size_t len)
{
	static jsmntok_t tok[16384];
	static const char *const checked[] = { "content-type",
		"x-aws-ec2-metadata-token", NULL };
	struct bk_json j;
	int ev, k, x;

	memset(t, 0, sizeof(*t));
	if (bk_json_parse(&j, text, len, tok, 16384) != BK_OK ||
	    (ev = bk_json_get(&j, 0, "events")) < 0 ||
	    j.t[ev].type != JSMN_ARRAY) {
		snprintf(t->err, sizeof(t->err), "http-traffic.json: not the "
		    "expected JSON");
		return -1;
	}
	k = ev + 1;
	for (x = 0; x < j.t[ev].size; x++, k = bk_json_skip(&j, k)) {
		int id = bk_json_get(&j, k, "connection_id");
		int a = bk_json_get(&j, k, "action"), r, s;
		uint64_t cid = 0;
		struct conn *c;
		if (id < 0 || a < 0 || bk_json_u64(&j, id, &cid) != BK_OK ||
		    cid >= MAX_CONN) {
			snprintf(t->err, sizeof(t->err), "http-traffic.json: "
			    "event %d: bad connection_id (at most %d)", x,
			    MAX_CONN - 1);
			return -1;
		}
		c = &t->c[cid];
		c->used = 1;
		if (cid + 1 > t->n)
			t->n = (size_t)cid + 1;
		if ((r = bk_json_get(&j, a, "Request")) >= 0) {
			int q = bk_json_get(&j, r, "request");
			free(c->method);
			free(c->uri);
			c->method = jdup(&j, bk_json_get(&j, q, "method"));
			c->uri = jdup(&j, bk_json_get(&j, q, "uri"));
			header_lines(&j, bk_json_get(&j, q, "headers"),
			    &c->xheaders, checked, NULL);
			c->eof_ok = 1;
		} else if ((r = bk_json_get(&j, a, "Response")) >= 0) {
			int q = bk_json_get(&j, r, "response");
			int ok = bk_json_get(&j, q, "Ok");
			uint64_t st = 0;
			c->have_resp = 1;
			if (ok < 0) {
				c->transport_err = 1;
				continue;
			}
			s = bk_json_get(&j, ok, "status");
			if (s >= 0)
				bk_json_u64(&j, s, &st);
			c->status = (int)st;
			header_lines(&j, bk_json_get(&j, ok, "headers"),
			    &c->rheaders, NULL, &c->date);
		} else if ((r = bk_json_get(&j, a, "Data")) >= 0) {
			char *dir = jdup(&j, bk_json_get(&j, r, "direction"));
			int d = bk_json_get(&j, r, "data");
			int u = bk_json_get(&j, d, "Utf8");
			if (strcmp(dir, "Response") == 0 && u >= 0) {
				char *v = jdup(&j, u);
				str_puts(&c->body, v);
				free(v);
			} else if (strcmp(dir, "Response") == 0) {
				snprintf(t->err, sizeof(t->err), "http-"
				    "traffic.json: event %d: only Utf8 data is "
				    "supported", x);
				free(dir);
				return -1;
			}
			free(dir);
		} else if ((r = bk_json_get(&j, a, "Eof")) >= 0) {
			char *dir = jdup(&j, bk_json_get(&j, r, "direction"));
			if (strcmp(dir, "Response") == 0 &&
			    !jbool(&j, bk_json_get(&j, r, "ok")))
				c->eof_ok = 0;
			free(dir);
		}
	}
	for (x = 0; (size_t)x < t->n; x++)
		if (!t->c[x].used || t->c[x].method == NULL ||
		    !t->c[x].have_resp) {
			snprintf(t->err, sizeof(t->err), "http-traffic.json: "
			    "connection %d has no request or no response", x);
			return -1;
		}
	return 0;
}

/* Queue every exchange, in connection order, with its expected request. */
static void
traffic_queue(struct traffic *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		struct conn *c = &t->c[i];
		if (c->transport_err)
			bk_fake_reply(0, "", "", 0, 0, BK_E_NET);
		else
			bk_fake_reply(c->status, c->rheaders.p ? c->rheaders.p :
			    "", c->body.p ? c->body.p : "", c->body.len, 0,
			    c->eof_ok ? BK_OK : BK_E_NET);
		bk_fake_expect(c->method, c->uri, c->xheaders.p);
	}
}

/* ---- scenarios --------------------------------------------------------- */

/* smithy-rs runs these at the Unix epoch (SOURCE.md). */
static int
at_epoch(const char *name)
{
	return strcmp(name, "imds_default_chain_success") == 0 ||
	    strcmp(name, "imds_config_with_no_creds") == 0 ||
	    strcmp(name, "imds_default_chain_retries") == 0;
}

/* Compare one optional string field; smithy-rs compares Options. */
static int
field(const struct bk_json *j, int ok, const char *key, const char *got,
    const char *label, struct str *why)
{
	int k = bk_json_get(j, ok, key);
	char *want;
	int same;

	if (k < 0 || j->t[k].type == JSMN_PRIMITIVE) {   /* absent or null */
		if (got[0] == '\0')
			return 1;
		str_puts(why, "  ");
		str_puts(why, label);
		str_puts(why, ": the vector has none, we returned [");
		str_puts(why, got);
		str_puts(why, "]\n");
		return 0;
	}
	want = jdup(j, k);
	same = strcmp(want, got) == 0;
	if (!same) {
		str_puts(why, "  ");
		str_puts(why, label);
		str_puts(why, ": expected [");
		str_puts(why, want);
		str_puts(why, "], got [");
		str_puts(why, got[0] ? got : "(none)");
		str_puts(why, "]\n");
	}
	free(want);
	return same;
}

static int
expiry_field(const struct bk_json *j, int ok, int64_t got, struct str *why)
{
	int k = bk_json_get(j, ok, "expiry");
	uint64_t want = 0;
	char line[160];

	if (k < 0 || (j->t[k].type == JSMN_PRIMITIVE &&
	    j->js[j->t[k].start] == 'n')) {
		if (got == 0)
			return 1;
		snprintf(line, sizeof(line), "  expiry: the vector has none, "
		    "we returned %lld\n", (long long)got);
		str_puts(why, line);
		return 0;
	}
	if (bk_json_u64(j, k, &want) == BK_OK && got >= 0 &&
	    (uint64_t)got == want)
		return 1;
	snprintf(line, sizeof(line), "  expiry: expected %llu, got %lld\n",
	    (unsigned long long)want, (long long)got);
	str_puts(why, line);
	return 0;
}

static void
run_scenario(const char *suite, const char *name, int profile_only)
{
	static jsmntok_t etok[512], ttok[256];
	static struct bk_awsconf conf;
	static struct bk_credentials cr;
	static struct bk_chain_report rep;
	static struct traffic tr;
	char dir[1024], fsdir[1100], msg[1024], mism[8192];
	char *envt = NULL, *tct = NULL, *trt = NULL;
	size_t el = 0, tl = 0, rl = 0, nm = 0, nregion = 0, i;
	struct bk_json je, jt;
	struct str why = { NULL, 0, 0 };
	int64_t when = 1440938160;
	const char *ours = "";
	int k, res, ok = 0;
	enum bk_err e;

	snprintf(dir, sizeof(dir), "%s/credential-provider-tests/test-data/"
	    "%s/%s", vdir, suite, name);
	snprintf(fsdir, sizeof(fsdir), "%s/fs", dir);
	envt = slurpf(&el, "%s/env.json", dir);
	tct = slurpf(&tl, "%s/test-case.json", dir);
	trt = slurpf(&rl, "%s/http-traffic.json", dir);
	if (envt == NULL || tct == NULL || trt == NULL ||
	    bk_json_parse(&je, envt, el, etok, 512) != BK_OK ||
	    je.t[0].type != JSMN_OBJECT ||
	    bk_json_parse(&jt, tct, tl, ttok, 256) != BK_OK ||
	    (res = bk_json_get(&jt, 0, "result")) < 0) {
		str_puts(&why, "  cannot read env.json, test-case.json or "
		    "http-traffic.json\n");
		goto done;
	}
	if (traffic_load(&tr, trt, rl) != 0) {
		str_puts(&why, "  ");
		str_puts(&why, tr.err);
		str_puts(&why, "\n");
		goto done;
	}

	bk_fake_reset();
	bk_fake_env_clear();
	k = 1;
	for (i = 0; i < (size_t)je.t[0].size; i++) {
		char *n = jdup(&je, k), *v = jdup(&je, k + 1);
		bk_fake_setenv(n, v);
		free(n);
		free(v);
		k = bk_json_skip(&je, k + 1);
	}
	bk_fake_set_root(fsdir);
	bk_fake_allow_run(profile_only &&
	    strncmp(name, "credential_process", 18) == 0);
	for (i = 0; i < tr.n; i++)
		if (tr.c[i].date != 0) {
			when = tr.c[i].date;
			break;
		}
	if (at_epoch(name))
		when = 0;
	bk_fake_set_time(when);

	e = bk_awsconf_load(&conf, NULL, msg, sizeof(msg));
	if (e == BK_OK) {
		conf.no_prompt = 1;
		if (profile_only)
			conf.profile_explicit = 1;
		bk_region_resolve(&conf, NULL);   /* a missing one is fine */
		nregion = bk_fake_nrequests();
		if (verbose)
			for (i = 0; i < nregion; i++)
				printf("  note: %s/%s: region lookup (not "
				    "recorded traffic): %s %s\n", suite, name,
				    bk_fake_request(i)->method,
				    bk_fake_request(i)->url);
		bk_fake_requests_clear();
	}
	traffic_queue(&tr);
	if (e == BK_OK) {
		e = bk_creds_resolve(&conf, &cr, &rep);
		ours = rep.error[0] ? rep.error : bk_strerror(e);
	} else {
		memset(&cr, 0, sizeof(cr));
		ours = msg;
	}

	/* the result */
	ok = 1;
	if ((k = bk_json_get(&jt, res, "Ok")) >= 0) {
		if (e != BK_OK) {
			str_puts(&why, "  expected credentials, got an error: ");
			str_puts(&why, bk_errname(e));
			str_puts(&why, ": ");
			str_puts(&why, ours);
			str_puts(&why, "\n");
			ok = 0;
		} else {
			ok &= field(&jt, k, "access_key_id", cr.akid,
			    "access_key_id", &why);
			ok &= field(&jt, k, "secret_access_key", cr.secret,
			    "secret_access_key", &why);
			ok &= field(&jt, k, "session_token", cr.token,
			    "session_token", &why);
			ok &= field(&jt, k, "account_id", cr.account_id,
			    "account_id", &why);
			ok &= expiry_field(&jt, k, cr.expiration, &why);
		}
	} else if ((k = bk_json_get(&jt, res, "ErrorContains")) >= 0) {
		char want[512];
		jraw(&jt, k, want, sizeof(want));
		if (e == BK_OK) {
			str_puts(&why, "  expected an error (smithy-rs: ");
			str_puts(&why, want);
			str_puts(&why, "), got credentials from: ");
			str_puts(&why, cr.source);
			str_puts(&why, "\n");
			ok = 0;
		} else if (verbose) {
			printf("  note: %s/%s: error as expected: ours: %s: %s "
			    "| smithy-rs: %s\n", suite, name, bk_errname(e), ours,
			    want);
		}
	} else {
		str_puts(&why, "  test-case.json: result is neither Ok nor "
		    "ErrorContains\n");
		ok = 0;
	}

	/* the traffic */
	nm = bk_fake_check(mism, sizeof(mism));
	if (nm > 0) {
		const char *l = mism;
		ok = 0;
		while (*l != '\0') {
			size_t ll = strcspn(l, "\n");
			str_puts(&why, "  traffic: ");
			str_put(&why, l, ll);
			str_puts(&why, "\n");
			l += ll + (l[ll] == '\n');
		}
	}
	if (!ok && e != BK_OK && bk_json_get(&jt, res, "Ok") < 0) {
		str_puts(&why, "  (our error: ");
		str_puts(&why, bk_errname(e));
		str_puts(&why, ": ");
		str_puts(&why, ours);
		str_puts(&why, ")\n");
	}
	/* also after a failed load: it may keep the file texts */
	bk_awsconf_free(&conf);
	bk_credentials_wipe(&cr);
done:
	if (ok) {
		case_pass++;
		if (verbose)
			printf("pass credential-chain %s/%s\n", suite, name);
	} else {
		case_fail++;
		fprintf(stderr, "FAIL vectors credential-chain: %s/%s\n%s", suite,
		    name, why.p ? why.p : "");
	}
	traffic_free(&tr);
	free(why.p);
	free(envt);
	free(tct);
	free(trt);
	bk_fake_reset();
}

static void
suite_chain(void)
{
	static char names[128][128];
	static const struct { const char *dir; int profile_only; } s[] = {
		{ "default-credential-provider-chain", 0 },
		{ "profile-provider", 1 },
	};
	char dir[1024];
	size_t n, i, x, skipped = 0;

	for (x = 0; x < sizeof(s) / sizeof(s[0]); x++) {
		snprintf(dir, sizeof(dir), "%s/credential-provider-tests/"
		    "test-data/%s", vdir, s[x].dir);
		n = list_dirs(dir, names, 128);
		if (n == 0) {
			case_fail++;
			fprintf(stderr, "FAIL vectors credential-chain: no "
			    "scenarios in %s\n", dir);
		}
		for (i = 0; i < n; i++)
			run_scenario(s[x].dir, names[i], s[x].profile_only);
	}
	snprintf(dir, sizeof(dir), "%s/credential-provider-tests/test-data/"
	    "default-token-provider-chain", vdir);
	n = list_dirs(dir, names, 128);
	for (i = 0; i < n; i++, skipped++)
		fprintf(stderr, "note: skipped default-token-provider-chain/%s: "
		    "the token provider chain (SSO bearer tokens for services "
		    "that take them), not credentials; bedrock-claude has no "
		    "token chain\n", names[i]);
	if (verbose)
		printf("  note: credential-chain: %zu scenarios skipped\n",
		    skipped);
	suite_summary("credential-chain");
}

/* ---- ecs-tests.json ------------------------------------------------------ */

static void
set_env_object(const struct bk_json *j, int obj)
{
	int k = obj + 1, c;

	if (obj < 0 || j->t[obj].type != JSMN_OBJECT)
		return;
	for (c = 0; c < j->t[obj].size; c++) {
		char *n = jdup(j, k), *v = jdup(j, k + 1);
		bk_fake_setenv(n, v);
		free(n);
		free(v);
		k = bk_json_skip(j, k + 1);
	}
}

static void
suite_ecs(void)
{
	static jsmntok_t tok[2048];
	struct bk_json j;
	char *text, docs[256], want[512], got[1200], why[400];
	size_t len;
	int tests, k, x;

	text = slurpf(&len, "%s/credential-provider-tests/test-data/"
	    "ecs-tests.json", vdir);
	if (text == NULL || bk_json_parse(&j, text, len, tok, 2048) != BK_OK ||
	    (tests = bk_json_get(&j, 0, "tests")) < 0) {
		case_fail++;
		fprintf(stderr, "FAIL vectors ecs-uri: cannot read "
		    "ecs-tests.json\n");
		free(text);
		suite_summary("ecs-uri");
		return;
	}
	k = tests + 1;
	for (x = 0; x < j.t[tests].size; x++, k = bk_json_skip(&j, k)) {
		int res = bk_json_get(&j, k, "result"), r;
		enum bk_err e;
		int ok;
		jraw(&j, bk_json_get(&j, k, "docs"), docs, sizeof(docs));
		bk_fake_reset();
		bk_fake_env_clear();
		set_env_object(&j, bk_json_get(&j, k, "env"));
		got[0] = why[0] = '\0';
		e = bk_container_uri(got, sizeof(got), why, sizeof(why));
		if ((r = bk_json_get(&j, res, "Ok")) >= 0) {
			char *w = jdup(&j, r);
			snprintf(want, sizeof(want), "%s", w);
			free(w);
			ok = e == BK_OK && strcmp(got, want) == 0;
		} else {
			jraw(&j, bk_json_get(&j, res, "ErrorContains"), want,
			    sizeof(want));
			ok = e != BK_OK;
		}
		if (ok) {
			case_pass++;
			if (verbose)
				printf("pass ecs-uri %s: %s\n", docs, e == BK_OK ?
				    got : why);
		} else {
			case_fail++;
			fprintf(stderr, "FAIL vectors ecs-uri: %s\n  expected: "
			    "%s\n  got: %s %s\n", docs, want, bk_errname(e),
			    e == BK_OK ? got : why);
		}
	}
	bk_fake_reset();
	free(text);
	suite_summary("ecs-uri");
}

/* ---- imds-endpoint-tests.json ---------------------------------------------- */

static void
suite_imds(void)
{
	static jsmntok_t tok[2048];
	static struct bk_awsconf conf;
	struct bk_json j;
	char *text, docs[256], want[512], got[700], why[600], msg[512];
	char tmpl[] = "/tmp/creds_vectors.XXXXXX";
	const char *tmp;
	size_t len;
	int tests, k, x;

	text = slurpf(&len, "%s/credential-provider-tests/test-data/"
	    "imds-config/imds-endpoint-tests.json", vdir);
	tmp = mkdtemp(tmpl);
	if (text == NULL || tmp == NULL ||
	    bk_json_parse(&j, text, len, tok, 2048) != BK_OK ||
	    (tests = bk_json_get(&j, 0, "tests")) < 0) {
		case_fail++;
		fprintf(stderr, "FAIL vectors imds-endpoint: cannot read "
		    "imds-endpoint-tests.json or make a temporary directory\n");
		free(text);
		if (tmp != NULL)
			rmdir(tmp);
		suite_summary("imds-endpoint");
		return;
	}
	k = tests + 1;
	for (x = 0; x < j.t[tests].size; x++, k = bk_json_skip(&j, k)) {
		int res = bk_json_get(&j, k, "result"), r, fs, c, f;
		int eo = bk_json_get(&j, k, "endpoint_override");
		int mo = bk_json_get(&j, k, "mode_override");
		char files[8][128];
		size_t nfiles = 0, i;
		enum bk_err e;
		int ok, skip = 0;

		jraw(&j, bk_json_get(&j, k, "docs"), docs, sizeof(docs));
		bk_fake_reset();
		bk_fake_env_clear();
		set_env_object(&j, bk_json_get(&j, k, "env"));
		/*
		 * endpoint_override and mode_override are options of the
		 * smithy-rs IMDS client builder; we have none.  Each beats its
		 * environment variable, which beats the profile, so setting
		 * (replacing) the variable gives the same precedence:
		 * endpoint_override -> AWS_EC2_METADATA_SERVICE_ENDPOINT,
		 * mode_override -> AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE (an
		 * endpoint from the environment still beats a mode override,
		 * as in the last case).
		 */
		if (eo >= 0) {
			char *v = jdup(&j, eo);
			bk_fake_setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", v);
			free(v);
		}
		if (mo >= 0) {
			char *v = jdup(&j, mo);
			bk_fake_setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
			    v);
			free(v);
		}
		/* fs: written to a temporary directory mounted at "/";
		 * AWS_CONFIG_FILE "config" (relative) is <tmp>/config */
		fs = bk_json_get(&j, k, "fs");
		if (fs >= 0 && j.t[fs].type == JSMN_OBJECT) {
			f = fs + 1;
			for (c = 0; c < j.t[fs].size; c++) {
				char *n = jdup(&j, f), *v = jdup(&j, f + 1);
				char p[1200];
				FILE *fp;
				if (strchr(n, '/') != NULL || n[0] == '.' ||
				    nfiles == 8 || strlen(n) >= 128) {
					skip = 1;
				} else {
					snprintf(p, sizeof(p), "%s/%s", tmp, n);
					fp = fopen(p, "wb");
					if (fp != NULL) {
						fputs(v, fp);
						fclose(fp);
						snprintf(files[nfiles++], 128, "%s",
						    n);
					}
				}
				free(n);
				free(v);
				f = bk_json_skip(&j, f + 1);
			}
		}
		if (skip) {
			fprintf(stderr, "note: skipped imds-endpoint %s: its fs "
			    "has a path we do not map\n", docs);
			goto next;
		}
		bk_fake_set_root(tmp);
		got[0] = why[0] = '\0';
		e = bk_awsconf_load(&conf, NULL, msg, sizeof(msg));
		if (e == BK_OK) {
			e = bk_imds_base(&conf, got, sizeof(got) - 20, why,
			    sizeof(why));
			if (e == BK_OK) {
				size_t gl = strlen(got);
				snprintf(got + gl, sizeof(got) - gl, "%s",
				    "/latest/api/token");
			}
		} else {
			snprintf(why, sizeof(why), "%s", msg);
		}
		bk_awsconf_free(&conf);
		if ((r = bk_json_get(&j, res, "Ok")) >= 0) {
			char *w = jdup(&j, r);
			snprintf(want, sizeof(want), "%s", w);
			free(w);
			ok = e == BK_OK && strcmp(got, want) == 0;
		} else {
			jraw(&j, bk_json_get(&j, res, "Err"), want,
			    sizeof(want));
			ok = e != BK_OK;
		}
		if (ok) {
			case_pass++;
			if (verbose)
				printf("pass imds-endpoint %s: %s\n", docs,
				    e == BK_OK ? got : why);
		} else {
			case_fail++;
			fprintf(stderr, "FAIL vectors imds-endpoint: %s\n  "
			    "expected: %s\n  got: %s %s\n", docs, want,
			    bk_errname(e), e == BK_OK ? got : why);
		}
next:
		for (i = 0; i < nfiles; i++) {
			char p[1200];
			snprintf(p, sizeof(p), "%s/%s", tmp, files[i]);
			unlink(p);
		}
	}
	bk_fake_reset();
	rmdir(tmp);
	free(text);
	suite_summary("imds-endpoint");
}

int
main(int argc, char **argv)
{
	int a = 1;

	if (a < argc && strcmp(argv[a], "-v") == 0) {
		verbose = 1;
		a++;
	}
	if (a + 1 != argc) {
		fprintf(stderr, "usage: creds_vectors [-v] VECTORS_DIR\n");
		return 2;
	}
	vdir = argv[a];
	suite_chain();
	suite_ecs();
	suite_imds();
	return check_total_fail == 0 ? 0 : 1;
}
