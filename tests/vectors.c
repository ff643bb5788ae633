/*
 * vectors.c -- runs the AWS conformance vectors in tests/vectors against
 * the core and prints one line per suite:
 *
 *   vectors sigv4: N passed, M failed          (aws-c-auth, header+query)
 *   vectors sigv4-classic-botocore: ...
 *   vectors sigv4-extra-smithy-rs: ...
 *   vectors eventstream-aws-sdk-go: ...
 *   vectors eventstream-smithy-rs: ...
 *
 * A "pass" is one whole vector case (one signing, one frame) with every
 * stage compared; the details of a failure go to stderr.
 *
 * usage: vectors VECTORS_DIR
 */
#include <dirent.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "bedrock.h"
#include "check.h"

static const char *vdir;
static unsigned case_pass, case_fail;

/* ---- small helpers --------------------------------------------------- */

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
	char tmp[256][128];
	size_t n = 0, i;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < cap && n < 256) {
		char p[1024];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (!is_dir(p))
			continue;
		if (strlen(e->d_name) >= sizeof(tmp[n]))
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
case_result(int ok, const char *suite, const char *name, const char *mode)
{
	if (ok) {
		case_pass++;
	} else {
		case_fail++;
		fprintf(stderr, "FAIL vectors %s: %s %s\n", suite, name, mode);
	}
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

static int
same(const char *what, const char *got, size_t glen, const char *want)
{
	size_t wl = strlen(want);

	if (glen == wl && memcmp(got, want, wl) == 0)
		return 1;
	fprintf(stderr, "  %s differs:\n  got:\n%.*s\n  expected:\n%s\n", what,
	    (int)glen, got, want);
	return 0;
}

/* ---- JSON helpers over the core -------------------------------------- */

static jsmntok_t jt[4096];

static int
jparse(struct bk_json *j, const char *s, size_t n)
{
	return bk_json_parse(j, s, n, jt, sizeof(jt) / sizeof(jt[0])) == BK_OK;
}

static void
jstr(const struct bk_json *j, int obj, const char *key, char *out, size_t cap)
{
	size_t n;
	int k = bk_json_get(j, obj, key);

	out[0] = '\0';
	if (k >= 0)
		bk_json_str(j, k, out, cap, &n);
}

static int
jbool(const struct bk_json *j, int obj, const char *key)
{
	int k = bk_json_get(j, obj, key);
	return k >= 0 && j->t[k].type == JSMN_PRIMITIVE &&
	    j->js[j->t[k].start] == 't';
}

static int64_t
jint(const struct bk_json *j, int k)
{
	int64_t v = 0, sign = 1;
	int i = j->t[k].start;

	if (j->js[i] == '-') {
		sign = -1;
		i++;
	}
	for (; i < j->t[k].end; i++)
		v = v * 10 + (j->js[i] - '0');
	return v * sign;
}

/* "2015-08-30T12:36:00Z" -> epoch seconds (tests only). */
static int64_t
iso_to_epoch(const char *s)
{
	int y, mo, d, h, mi, se;
	int64_t days;
	static const int cum[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
		273, 304, 334 };

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se)
	    != 6 &&
	    sscanf(s, "%4d%2d%2dT%2d%2d%2d", &y, &mo, &d, &h, &mi, &se) != 6)
		return -1;
	days = (int64_t)(y - 1970) * 365 + (y - 1969) / 4 - (y - 1901) / 100 +
	    (y - 1601) / 400 + cum[mo - 1] + d - 1;
	if (mo > 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		days++;
	return days * 86400 + h * 3600 + mi * 60 + se;
}

/* ---- raw HTTP requests of the SigV4 suites ---------------------------- */

struct rawreq {
	char method[16];
	char path[1024];
	size_t path_len;
	char query[2048];
	size_t query_len;
	int has_query;
	struct bk_header h[64];
	size_t nh;
	char store[16384];      /* folded header names and values */
	const char *body;
	size_t body_len;
};

/*
 * request.txt: "METHOD PATH HTTP/1.1", "Name:value" lines, continuation
 * lines starting with whitespace, an empty line, the body.  The path may
 * contain spaces, so the request line is split at its first space and
 * its last " HTTP/1.1".
 */
static int
parse_raw(struct rawreq *r, const char *t, size_t n, int drop_date,
    int drop_token)
{
	const char *end = t + n, *eol, *sp, *target, *tend;
	size_t so = 0;

	memset(r, 0, sizeof(*r));
	eol = memchr(t, '\n', n);
	if (eol == NULL)
		eol = end;
	sp = memchr(t, ' ', (size_t)(eol - t));
	if (sp == NULL || (size_t)(sp - t) >= sizeof(r->method))
		return 0;
	memcpy(r->method, t, (size_t)(sp - t));
	target = sp + 1;
	tend = eol;
	if (tend - target >= 9 && memcmp(tend - 9, " HTTP/1.1", 9) == 0)
		tend -= 9;
	{
		const char *q = memchr(target, '?', (size_t)(tend - target));
		const char *pe = q ? q : tend;
		r->path_len = (size_t)(pe - target);
		memcpy(r->path, target, r->path_len);
		if (q) {
			r->has_query = 1;
			r->query_len = (size_t)(tend - q - 1);
			memcpy(r->query, q + 1, r->query_len);
		}
	}
	t = eol < end ? eol + 1 : end;
	while (t < end) {
		const char *colon;
		eol = memchr(t, '\n', (size_t)(end - t));
		if (eol == NULL)
			eol = end;
		if (eol == t) {  /* empty line: the body follows */
			t = eol + 1;
			r->body = t;
			r->body_len = t <= end ? (size_t)(end - t) : 0;
			return 1;
		}
		if ((*t == ' ' || *t == '\t') && r->nh > 0) {
			/* continuation: append to the last value */
			struct bk_header *last = &r->h[r->nh - 1];
			size_t l = (size_t)(eol - t);
			if (last->value == NULL)
				return 0;
			if (so + l + 1 > sizeof(r->store))
				return 0;
			r->store[so++] = '\n';
			memcpy(r->store + so, t, l);
			so += l;
			last->value_len = (size_t)(r->store + so - last->value);
			t = eol + 1;
			continue;
		}
		colon = memchr(t, ':', (size_t)(eol - t));
		if (colon == NULL || r->nh >= 64)
			return 0;
		{
			size_t nl = (size_t)(colon - t);
			size_t vl = (size_t)(eol - colon - 1);
			int skip = (drop_date && nl == 10 &&
			    strncasecmp(t, "x-amz-date", 10) == 0) ||
			    (drop_token && nl == 20 &&
			    strncasecmp(t, "x-amz-security-token", 20) == 0);
			if (so + nl + vl + 2 > sizeof(r->store))
				return 0;
			if (!skip) {
				struct bk_header *x = &r->h[r->nh++];
				memcpy(r->store + so, t, nl);
				x->name = r->store + so;
				x->name_len = nl;
				so += nl;
				r->store[so++] = '\0';
				memcpy(r->store + so, colon + 1, vl);
				x->value = r->store + so;
				x->value_len = vl;
				so += vl;
			}
		}
		t = eol + 1;
	}
	r->body = end;
	r->body_len = 0;
	return 1;
}

/*
 * Compare the headers signing adds (Authorization, X-Amz-Date,
 * X-Amz-Security-Token, X-Amz-Content-Sha256) with those of the expected
 * signed request, as a set.
 */
static int
check_added_headers(const char *expected, const char *auth,
    const char *date, const char *token, const char *sha)
{
	const char *names[4] = { "authorization", "x-amz-date",
		"x-amz-security-token", "x-amz-content-sha256" };
	const char *mine[4];
	int found[4] = { 0, 0, 0, 0 }, ok = 1, i;
	const char *t = strchr(expected, '\n');

	mine[0] = auth;
	mine[1] = date;
	mine[2] = token;
	mine[3] = sha;
	while (t != NULL && t[1] != '\0' && t[1] != '\n') {
		const char *line = t + 1, *eol = strchr(line, '\n');
		const char *colon = memchr(line, ':',
		    eol ? (size_t)(eol - line) : strlen(line));
		size_t ll = eol ? (size_t)(eol - line) : strlen(line);
		t = eol;
		if (colon == NULL)
			continue;
		for (i = 0; i < 4; i++) {
			size_t nl = strlen(names[i]);
			const char *v;
			size_t vl;
			if (i == 0 && auth == NULL)
				continue; /* checked elsewhere */
			if ((size_t)(colon - line) != nl ||
			    strncasecmp(line, names[i], nl) != 0)
				continue;
			v = colon + 1;
			while (*v == ' ')
				v++;
			vl = ll - (size_t)(v - line);
			found[i] = 1;
			if (mine[i] == NULL || strlen(mine[i]) != vl ||
			    memcmp(mine[i], v, vl) != 0) {
				fprintf(stderr, "  signed header %s: got [%s] "
				    "expected [%.*s]\n", names[i],
				    mine[i] ? mine[i] : "(none)", (int)vl, v);
				ok = 0;
			}
		}
	}
	for (i = 0; i < 4; i++)
		if (!found[i] && mine[i] != NULL) {
			fprintf(stderr, "  signed header %s added but not "
			    "expected\n", names[i]);
			ok = 0;
		}
	return ok;
}

/* Query parameters of the expected presigned request line, as a set. */
static int
check_query_set(const char *expected, const char *mine)
{
	char a[64][512], b[64][512];
	char *pa[64], *pb[64];
	size_t na = 0, nb = 0, i;
	const char *q = strchr(expected, '?'), *end;

	if (q == NULL)
		return 0;
	q++;
	end = strstr(q, " HTTP/1.1");
	if (end == NULL)
		end = strchr(q, '\n');
	while (q < end && na < 64) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;
		struct bk_buf db;
		bk_buf_init(&db, a[na], sizeof(a[na]));
		bk_uri_decode(&db, q, (size_t)(pe - q));
		pa[na] = a[na];
		na++;
		q = pe + 1;
	}
	/* ours: the canonical query minus the caller's own parameters is
	 * not separable, so compare all of it */
	q = mine;
	end = mine + strlen(mine);
	while (q < end && nb < 64) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;
		struct bk_buf db;
		bk_buf_init(&db, b[nb], sizeof(b[nb]));
		bk_uri_decode(&db, q, (size_t)(pe - q));
		pb[nb] = b[nb];
		nb++;
		q = pe + 1;
	}
	qsort(pa, na, sizeof(pa[0]), cmp_names);
	qsort(pb, nb, sizeof(pb[0]), cmp_names);
	if (na != nb)
		goto differ;
	for (i = 0; i < na; i++)
		if (strcmp(pa[i], pb[i]) != 0)
			goto differ;
	return 1;
differ:
	fprintf(stderr, "  presigned query differs:\n  got:      %s\n", mine);
	fprintf(stderr, "  expected: %.*s\n", (int)strcspn(expected, "\n"),
	    expected);
	return 0;
}

static struct bk_sigv4 sv;

/* ---- suite: sigv4 (aws-c-auth) --------------------------------------- */

static void
suite_sigv4(void)
{
	static char names[128][128];
	char dir[1024];
	size_t n, i;
	int mode;

	snprintf(dir, sizeof(dir), "%s/sigv4/v4", vdir);
	n = list_dirs(dir, names, 128);
	for (i = 0; i < n; i++) {
		const char *c = names[i];
		char akid[128], secret[128], token[1024], region[64],
		    service[64], ts[64];
		struct bk_json j;
		struct rawreq r;
		size_t len;
		char *ctx = slurpf(&len, "%s/%s/context.json", dir, c);
		char *req = slurpf(&len, "%s/%s/request.txt", dir, c);
		int normalize, sign_body, omit;
		uint64_t expires = 0;

		if (ctx == NULL || req == NULL || !jparse(&j, ctx, strlen(ctx)) ||
		    !parse_raw(&r, req, len, 0, 0)) {
			case_result(0, "sigv4", c, "(unreadable)");
			case_result(0, "sigv4", c, "(unreadable)");
			free(ctx);
			free(req);
			continue;
		}
		{
			int cr = bk_json_get(&j, 0, "credentials");
			jstr(&j, cr, "access_key_id", akid, sizeof(akid));
			jstr(&j, cr, "secret_access_key", secret, sizeof(secret));
			jstr(&j, cr, "token", token, sizeof(token));
		}
		jstr(&j, 0, "region", region, sizeof(region));
		jstr(&j, 0, "service", service, sizeof(service));
		jstr(&j, 0, "timestamp", ts, sizeof(ts));
		normalize = jbool(&j, 0, "normalize");
		sign_body = jbool(&j, 0, "sign_body");
		omit = jbool(&j, 0, "omit_session_token");
		bk_json_u64(&j, bk_json_get(&j, 0, "expiration_in_seconds"),
		    &expires);

		for (mode = 0; mode < 2; mode++) {
			const char *pfx = mode ? "query" : "header";
			struct bk_creds cr = { akid, secret,
				token[0] ? token : NULL };
			struct bk_sigv4_params p;
			struct bk_sigv4_request rq;
			char *ecr = slurpf(NULL, "%s/%s/%s-canonical-request.txt",
			    dir, c, pfx);
			char *ests = slurpf(NULL, "%s/%s/%s-string-to-sign.txt",
			    dir, c, pfx);
			char *esig = slurpf(NULL, "%s/%s/%s-signature.txt", dir,
			    c, pfx);
			char *esr = slurpf(NULL, "%s/%s/%s-signed-request.txt",
			    dir, c, pfx);
			int ok;

			memset(&p, 0, sizeof(p));
			p.region = region;
			p.service = service;
			p.now = iso_to_epoch(ts);
			p.mode = mode ? BK_SIGV4_QUERY : BK_SIGV4_HEADER;
			p.normalize_path = normalize;
			p.double_encode = 1;
			p.omit_token = omit;
			p.content_sha256 = sign_body;
			p.expires = (uint32_t)expires;
			if (!sign_body)
				p.payload_hash = "e3b0c44298fc1c149afbf4c8996fb9"
				    "2427ae41e4649b934ca495991b7852b855";
			memset(&rq, 0, sizeof(rq));
			rq.method = r.method;
			rq.path = r.path;
			rq.path_len = r.path_len;
			rq.query = r.has_query ? r.query : NULL;
			rq.query_len = r.query_len;
			rq.headers = r.h;
			rq.nheaders = r.nh;
			rq.body = (const uint8_t *)r.body;
			rq.body_len = r.body_len;

			ok = ecr && ests && esig && esr &&
			    bk_sigv4_sign(&sv, NULL, &rq, &cr, &p) == BK_OK;
			ok = ok && same("canonical request", sv.canonical,
			    sv.canonical_len, ecr);
			ok = ok && same("string to sign", sv.string_to_sign,
			    sv.string_to_sign_len, ests);
			ok = ok && same("signature", sv.signature, 64, esig);
			if (ok && mode == 0)
				ok = check_added_headers(esr, sv.authorization,
				    sv.amz_date, token[0] ? token : NULL,
				    sign_body ? sv.payload_hash : NULL);
			if (ok && mode == 1)
				ok = check_query_set(esr, sv.query);
			case_result(ok, "sigv4", c, pfx);
			free(ecr);
			free(ests);
			free(esig);
			free(esr);
		}
		free(ctx);
		free(req);
	}
	suite_summary("sigv4");
}

/* ---- suite: sigv4-classic-botocore ----------------------------------- */

static void
classic_case(const char *dir, const char *c)
{
	struct bk_creds cr = { "AKIDEXAMPLE",
		"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL };
	struct bk_sigv4_params p;
	struct bk_sigv4_request rq;
	struct rawreq r;
	char token[1024] = "";
	size_t len;
	char *req = slurpf(&len, "%s/%s/%s.req", dir, c, c);
	char *creq = slurpf(NULL, "%s/%s/%s.creq", dir, c, c);
	char *sts = slurpf(NULL, "%s/%s/%s.sts", dir, c, c);
	char *authz = slurpf(NULL, "%s/%s/%s.authz", dir, c, c);
	char *sreq = slurpf(NULL, "%s/%s/%s.sreq", dir, c, c);
	int ok = req && creq && sts && authz && sreq;
	size_t i;

	/* the .req carries X-Amz-Date (and the token): the signer adds them */
	ok = ok && parse_raw(&r, req, len, 0, 0);
	if (ok) {
		size_t k = 0;
		for (i = 0; i < r.nh; i++) {
			if (r.h[i].name_len == 20 && strncasecmp(r.h[i].name,
			    "x-amz-security-token", 20) == 0) {
				snprintf(token, sizeof(token), "%.*s",
				    (int)r.h[i].value_len, r.h[i].value);
				continue;
			}
			if (r.h[i].name_len == 10 &&
			    strncasecmp(r.h[i].name, "x-amz-date", 10) == 0)
				continue;
			r.h[k++] = r.h[i];
		}
		r.nh = k;
		/* a lone trailing newline ends the headers, it is no body */
		if (r.body_len == 0)
			r.body = "";
	}
	/* the token the suite uses appears in the signed request only */
	if (ok && token[0] == '\0') {
		const char *t = strstr(sreq, "\nX-Amz-Security-Token:");
		if (t != NULL) {
			t += 22;
			snprintf(token, sizeof(token), "%.*s",
			    (int)strcspn(t, "\n"), t);
		}
	}
	if (token[0])
		cr.token = token;
	memset(&p, 0, sizeof(p));
	p.region = "us-east-1";
	p.service = "service";
	p.now = iso_to_epoch("20150830T123600Z");
	p.normalize_path = 1;
	p.double_encode = 1;
	p.omit_token = strcmp(c, "post-sts-header-after") == 0;
	memset(&rq, 0, sizeof(rq));
	if (ok) {
		rq.method = r.method;
		rq.path = r.path;
		rq.path_len = r.path_len;
		rq.query = r.has_query ? r.query : NULL;
		rq.query_len = r.query_len;
		rq.headers = r.h;
		rq.nheaders = r.nh;
		rq.body = (const uint8_t *)r.body;
		rq.body_len = r.body_len;
	}
	ok = ok && bk_sigv4_sign(&sv, NULL, &rq, &cr, &p) == BK_OK;
	ok = ok && same("canonical request", sv.canonical, sv.canonical_len,
	    creq);
	ok = ok && same("string to sign", sv.string_to_sign,
	    sv.string_to_sign_len, sts);
	ok = ok && same("authorization", sv.authorization,
	    strlen(sv.authorization), authz);
	if (ok && strstr(sreq, authz) == NULL) {
		/*
		 * Upstream inconsistency: get-vanilla-with-session-token's .sreq
		 * carries get-vanilla's signature.  .authz (checked above) is
		 * consistent with .creq and .sts; check the rest of .sreq.
		 */
		fprintf(stderr, "note: %s: .sreq disagrees with .authz upstream;"
		    " Authorization checked against .authz\n", c);
		ok = check_added_headers(sreq, NULL, sv.amz_date,
		    token[0] ? token : NULL, NULL);
	} else {
		ok = ok && check_added_headers(sreq, sv.authorization,
		    sv.amz_date, token[0] ? token : NULL, NULL);
	}
	case_result(ok, "sigv4-classic-botocore", c, "header");
	free(req);
	free(creq);
	free(sts);
	free(authz);
	free(sreq);
}

static void
suite_classic(void)
{
	static char names[128][128], sub[64][128];
	char dir[1024], sdir[1200];
	size_t n, i, k, m;

	snprintf(dir, sizeof(dir), "%s/sigv4-classic-botocore/aws4_testsuite",
	    vdir);
	n = list_dirs(dir, names, 128);
	for (i = 0; i < n; i++) {
		char probe[1400];
		struct stat st;
		/* a path that does not fit is a failure, never a quiet cut */
		if ((size_t)snprintf(probe, sizeof(probe), "%s/%s/%s.req", dir,
		    names[i], names[i]) >= sizeof(probe)) {
			CHECK(!"vector path too long");
			continue;
		}
		if (stat(probe, &st) == 0) {
			classic_case(dir, names[i]);
			continue;
		}
		/* a folder of cases: normalize-path/, post-sts-token/ */
		if ((size_t)snprintf(sdir, sizeof(sdir), "%s/%s", dir,
		    names[i]) >= sizeof(sdir)) {
			CHECK(!"vector path too long");
			continue;
		}
		m = list_dirs(sdir, sub, 64);
		for (k = 0; k < m; k++)
			classic_case(sdir, sub[k]);
	}
	suite_summary("sigv4-classic-botocore");
}

/* ---- suite: sigv4-extra-smithy-rs -------------------------------------- */

static void
suite_extra(void)
{
	static const char *cases[] = { "double-url-encode",
		"double-encode-path" };
	char dir[1024];
	size_t len, i;
	struct bk_json j;
	char *params = slurpf(&len, "%s/sigv4-extra-smithy-rs/params.json",
	    vdir);

	snprintf(dir, sizeof(dir), "%s/sigv4-extra-smithy-rs/v4", vdir);
	if (params == NULL || !jparse(&j, params, len)) {
		case_result(0, "sigv4-extra-smithy-rs", "params.json", "");
		suite_summary("sigv4-extra-smithy-rs");
		free(params);
		return;
	}
	for (i = 0; i < 2; i++) {
		const char *c = cases[i];
		int o = bk_json_get(&j, 0, c), cro = bk_json_get(&j, o,
		    "credentials");
		char akid[64], secret[128], region[64], service[64], ts[64],
		    sig[80], ecr[1024];
		struct bk_creds cr;
		struct bk_sigv4_params p;
		struct bk_sigv4_request rq;
		struct rawreq r;
		char *req = slurpf(&len, "%s/%s/request.txt", dir, c);
		char *sreq = slurpf(NULL, "%s/%s/header-signed-request.txt",
		    dir, c);
		char *fcr = slurpf(NULL, "%s/%s/header-canonical-request.txt",
		    dir, c);
		char *fsts = slurpf(NULL, "%s/%s/header-string-to-sign.txt",
		    dir, c);
		int ok;

		jstr(&j, cro, "access_key_id", akid, sizeof(akid));
		jstr(&j, cro, "secret_access_key", secret, sizeof(secret));
		jstr(&j, o, "region", region, sizeof(region));
		jstr(&j, o, "service", service, sizeof(service));
		jstr(&j, o, "timestamp", ts, sizeof(ts));
		jstr(&j, o, "expected_signature", sig, sizeof(sig));
		jstr(&j, o, "expected_canonical_request_with_these_params", ecr,
		    sizeof(ecr));
		cr.akid = akid;
		cr.secret = secret;
		cr.token = NULL;
		ok = req && sreq && fcr && parse_raw(&r, req, len, 1, 0);
		memset(&p, 0, sizeof(p));
		p.region = region;
		p.service = service;
		p.now = iso_to_epoch(ts);
		p.double_encode = 1;
		p.normalize_path = 0;
		memset(&rq, 0, sizeof(rq));
		rq.method = r.method;
		rq.path = r.path;
		rq.path_len = r.path_len;
		rq.query = r.has_query ? r.query : NULL;
		rq.query_len = r.query_len;
		rq.headers = r.h;
		rq.nheaders = r.nh;
		rq.body = (const uint8_t *)"";
		ok = ok && bk_sigv4_sign(&sv, NULL, &rq, &cr, &p) == BK_OK;
		if (ok && ecr[0]) {
			/* upstream's canonical file is inconsistent: use the
			 * recovered one, and the file's path line */
			const char *pl = strchr(fcr, '\n') + 1;
			size_t pll = strcspn(pl, "\n");
			const char *mine = strchr(sv.canonical, '\n') + 1;
			ok = same("canonical request", sv.canonical,
			    sv.canonical_len, ecr);
			ok = ok && strncmp(pl, mine, pll) == 0 &&
			    mine[pll] == '\n';
		} else if (ok) {
			ok = same("canonical request", sv.canonical,
			    sv.canonical_len, fcr);
		}
		if (fsts != NULL && fsts[0] != '\0' &&
		    fsts[strlen(fsts) - 1] == '\n')
			fsts[strlen(fsts) - 1] = '\0'; /* this file ends in LF */
		if (ok && fsts)
			ok = same("string to sign", sv.string_to_sign,
			    sv.string_to_sign_len, fsts);
		ok = ok && same("signature", sv.signature, 64, sig);
		ok = ok && check_added_headers(sreq, sv.authorization,
		    sv.amz_date, NULL, NULL);
		case_result(ok, "sigv4-extra-smithy-rs", c, "header");
		free(req);
		free(sreq);
		free(fcr);
		free(fsts);
	}
	free(params);
	suite_summary("sigv4-extra-smithy-rs");
}

/* ---- event stream ------------------------------------------------------ */

static uint8_t evbuf[1 << 16];

/*
 * Decode `data` with `chunk`-byte pushes (0 = whole); returns the status
 * of the first message or error, and leaves the decoder in d.
 */
static enum bk_evs_status
evs_feed(struct bk_evs *d, const uint8_t *data, size_t n, size_t split)
{
	size_t off = 0;

	bk_evs_init(d, evbuf, sizeof(evbuf));
	while (off < n) {
		size_t len = n - off, used;
		enum bk_evs_status st;
		if (split == 1)
			len = 1;
		else if (split > 1 && off < split)
			len = split - off;
		st = bk_evs_push(d, data + off, len, &used);
		off += used;
		if (st != BK_EVS_NEED_MORE)
			return st;
		if (used == 0)
			break;
	}
	if (bk_evs_finish(d) != BK_OK)
		return BK_EVS_ERROR;
	return BK_EVS_NEED_MORE;
}

/* Compare a decoded message with the aws-sdk-go JSON schema. */
static int
evs_matches(const struct bk_evs_message *m, const struct bk_json *j, int o)
{
	int hs = bk_json_get(j, o, "headers"), k, i;
	uint8_t tmp[4096];
	char s[4096];
	size_t n, tl;

	if ((uint32_t)jint(j, bk_json_get(j, o, "total_length")) !=
	    m->total_len ||
	    (uint32_t)jint(j, bk_json_get(j, o, "headers_length")) !=
	    m->headers_len ||
	    (uint32_t)jint(j, bk_json_get(j, o, "prelude_crc")) !=
	    m->prelude_crc ||
	    (uint32_t)jint(j, bk_json_get(j, o, "message_crc")) !=
	    m->message_crc) {
		fprintf(stderr, "  lengths or CRCs differ\n");
		return 0;
	}
	if (hs < 0 || (size_t)j->t[hs].size != m->nh) {
		fprintf(stderr, "  header count differs\n");
		return 0;
	}
	k = hs + 1;
	for (i = 0; i < j->t[hs].size; i++) {
		const struct bk_evs_header *h = &m->h[i];
		char name[256];
		int type = (int)jint(j, bk_json_get(j, k, "type"));
		int v = bk_json_get(j, k, "value");
		jstr(j, k, "name", name, sizeof(name));
		if (strlen(name) != h->name_len ||
		    memcmp(name, h->name, h->name_len) != 0 ||
		    type != (int)h->type) {
			fprintf(stderr, "  header %d name/type differs\n", i);
			return 0;
		}
		switch (type) {
		case 0: case 1:
			if ((j->js[j->t[v].start] == 't') != (h->i == 1))
				return 0;
			break;
		case 2: case 3: case 4: case 5: case 8:
			if (jint(j, v) != h->i) {
				fprintf(stderr, "  header %s value differs\n",
				    name);
				return 0;
			}
			break;
		default:
			if (bk_json_str(j, v, s, sizeof(s), &n) != BK_OK ||
			    bk_base64_decode(s, n, tmp, sizeof(tmp), &tl) !=
			    BK_OK || tl != h->v_len ||
			    memcmp(tmp, h->v, tl) != 0) {
				fprintf(stderr, "  header %s bytes differ\n",
				    name);
				return 0;
			}
			break;
		}
		k = bk_json_skip(j, k);
	}
	jstr(j, o, "payload", s, sizeof(s));
	if (bk_base64_decode(s, strlen(s), tmp, sizeof(tmp), &n) != BK_OK ||
	    n != m->payload_len || (n > 0 && memcmp(tmp, m->payload, n) != 0)) {
		fprintf(stderr, "  payload differs\n");
		return 0;
	}
	return 1;
}

/*
 * A valid frame must decode identically whole, byte by byte and split
 * at every point; an invalid one must fail with `want` every way.
 */
static int
evs_all_ways(const uint8_t *data, size_t n, const struct bk_json *j, int o,
    int valid, enum bk_err want1, enum bk_err want2)
{
	struct bk_evs d;
	size_t split;

	for (split = 0; split <= n; split++) {
		enum bk_evs_status st = evs_feed(&d, data, n, split);
		if (valid) {
			if (st != BK_EVS_MESSAGE || !evs_matches(&d.msg, j, o)) {
				fprintf(stderr, "  split %zu: %s\n", split,
				    bk_strerror(d.err));
				return 0;
			}
		} else {
			if (st != BK_EVS_ERROR ||
			    (d.err != want1 && d.err != want2)) {
				fprintf(stderr, "  split %zu: status %d err %s\n",
				    split, (int)st, bk_errname(d.err));
				return 0;
			}
		}
	}
	return 1;
}

static void
suite_evs_go(void)
{
	static const char *pos[] = { "all_headers", "empty_message",
		"int32_header", "payload_no_headers", "payload_one_str_header" };
	static const char *neg[] = { "corrupted_header_len",
		"corrupted_headers", "corrupted_length", "corrupted_payload" };
	const char *base = "eventstream-aws-sdk-go/testdata";
	size_t i, n, jl;

	for (i = 0; i < 5; i++) {
		struct bk_json j;
		char *bin = slurpf(&n, "%s/%s/encoded/positive/%s", vdir, base,
		    pos[i]);
		char *exp = slurpf(&jl, "%s/%s/decoded/positive/%s", vdir, base,
		    pos[i]);
		int ok = bin && exp && jparse(&j, exp, jl) &&
		    evs_all_ways((uint8_t *)bin, n, &j, 0, 1, BK_OK, BK_OK);
		case_result(ok, "eventstream-aws-sdk-go", pos[i], "positive");
		free(bin);
		free(exp);
	}
	for (i = 0; i < 4; i++) {
		char *bin = slurpf(&n, "%s/%s/encoded/negative/%s", vdir, base,
		    neg[i]);
		char *exp = slurpf(&jl, "%s/%s/decoded/negative/%s", vdir, base,
		    neg[i]);
		enum bk_err want = (exp && strstr(exp, "Prelude")) ?
		    BK_E_EVS_PRELUDE_CRC : BK_E_EVS_MESSAGE_CRC;
		int ok = bin && exp &&
		    evs_all_ways((uint8_t *)bin, n, NULL, 0, 0, want, want);
		case_result(ok, "eventstream-aws-sdk-go", neg[i], "negative");
		free(bin);
		free(exp);
	}
	suite_summary("eventstream-aws-sdk-go");
}

static void
suite_evs_smithy(void)
{
	const char *base = "eventstream-smithy-rs";
	struct bk_json j;
	size_t jl;
	char *exp = slurpf(&jl, "%s/%s/expected.json", vdir, base);
	int files, k, i;

	if (exp == NULL || !jparse(&j, exp, jl) ||
	    (files = bk_json_get(&j, 0, "files")) < 0) {
		case_result(0, "eventstream-smithy-rs", "expected.json", "");
		suite_summary("eventstream-smithy-rs");
		free(exp);
		return;
	}
	k = files + 1;
	for (i = 0; i < j.t[files].size; i++) {
		char name[128];
		size_t n, nl;
		int o = k + 1, ok;
		int valid = jbool(&j, o, "valid");
		char *bin;

		bk_json_str(&j, k, name, sizeof(name), &nl);
		bin = slurpf(&n, "%s/%s/test_data/%s", vdir, base, name);
		if (valid) {
			int dec = bk_json_get(&j, o, "decoded");
			ok = bin && evs_all_ways((uint8_t *)bin, n, &j, dec, 1,
			    BK_OK, BK_OK);
			if (ok) {
				/* re-encode from the decoded form */
				static uint8_t out[4096];
				struct bk_evs d;
				size_t ol;
				evs_feed(&d, (uint8_t *)bin, n, 0);
				ok = bk_evs_encode(d.msg.h, d.msg.nh,
				    d.msg.payload, d.msg.payload_len, out,
				    sizeof(out), &ol) == BK_OK && ol == n &&
				    memcmp(out, bin, n) == 0;
				if (!ok)
					fprintf(stderr, "  re-encoding differs\n");
			}
		} else {
			/*
			 * Only the first message matters: the file may carry
			 * bytes after a frame (..._too_long), which a decoder
			 * that stops at the first error never reads.
			 */
			struct bk_evs d;
			size_t split;
			ok = bin != NULL;
			for (split = 0; ok && split <= n; split++) {
				enum bk_evs_status st = evs_feed(&d,
				    (uint8_t *)bin, n, split);
				if (st != BK_EVS_ERROR) {
					fprintf(stderr, "  split %zu accepted\n",
					    split);
					ok = 0;
				}
			}
		}
		case_result(ok, "eventstream-smithy-rs", name,
		    valid ? "valid" : "invalid");
		free(bin);
		k = bk_json_skip(&j, k + 1);
	}
	free(exp);
	suite_summary("eventstream-smithy-rs");
}

/* ---- config files: profile-parser-tests.json --------------------------- */

struct pmap {
	int kind;                  /* BK_INI_PROFILE or BK_INI_SSO_SESSION */
	char name[128];
	char keys[32][80];
	char vals[32][512];
	int nkeys;
};

static int
pmap_find(struct pmap *m, int n, int kind, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (m[i].kind == kind && strcmp(m[i].name, name) == 0)
			return i;
	return -1;
}

/* What the core makes of the two files, as the test file's maps. */
static int
pmap_build(const struct bk_profile_files *f, struct pmap *m, int cap)
{
	int n = 0, pass;

	for (pass = 0; pass < 2; pass++) {
		struct bk_ini it;
		char val[BK_INI_VALUE_MAX], name[128], key[80];
		enum bk_ini_item r;
		int cur = -1;

		bk_ini_init(&it, pass ? BK_INI_CREDENTIALS : BK_INI_CONFIG,
		    pass ? f->credentials : f->config,
		    pass ? f->credentials_len : f->config_len);
		while ((r = bk_ini_next(&it, val, sizeof(val))) != BK_INI_END &&
		    r != BK_INI_ERROR) {
			size_t i;
			if (r == BK_INI_SECTION) {
				cur = -1;
				if ((it.kind != BK_INI_PROFILE &&
				    it.kind != BK_INI_SSO_SESSION) ||
				    it.name_len >= sizeof(name))
					continue;
				memcpy(name, it.name, it.name_len);
				name[it.name_len] = '\0';
				cur = pmap_find(m, n, it.kind, name);
				if (cur < 0 && n < cap) {
					cur = n++;
					memset(&m[cur], 0, sizeof(m[cur]));
					m[cur].kind = it.kind;
					snprintf(m[cur].name, sizeof(m[cur].name),
					    "%s", name);
				}
				continue;
			}
			if (cur < 0 || it.key_len >= sizeof(key))
				continue;
			for (i = 0; i < it.key_len; i++)
				key[i] = (char)((it.key[i] >= 'A' &&
				    it.key[i] <= 'Z') ? it.key[i] + 32 :
				    it.key[i]);
			key[it.key_len] = '\0';
			/* the merged value, as the core answers a lookup */
			if (m[cur].nkeys < 32) {
				int k, dup = 0;
				for (k = 0; k < m[cur].nkeys; k++)
					dup |= strcmp(m[cur].keys[k], key) == 0;
				if (dup)
					continue;
				if (bk_profile_get(f, (enum bk_ini_kind)m[cur].kind,
				    m[cur].name, key, m[cur].vals[m[cur].nkeys],
				    sizeof(m[cur].vals[0]), NULL) == BK_OK) {
					snprintf(m[cur].keys[m[cur].nkeys],
					    sizeof(m[cur].keys[0]), "%s", key);
					m[cur].nkeys++;
				}
			}
		}
	}
	return n;
}

/* Compare the core's view with an expected {NAME: {KEY: VALUE}} object. */
static int
pmap_matches(struct pmap *m, int n, int kind, const struct bk_json *j,
    int obj)
{
	int i, k, count = 0, want;

	for (i = 0; i < n; i++)
		count += m[i].kind == kind;
	want = obj >= 0 ? j->t[obj].size : 0;
	if (count != want) {
		fprintf(stderr, "  %d sections, expected %d\n", count, want);
		return 0;
	}
	if (obj < 0)
		return 1;
	k = obj + 1;
	for (i = 0; i < want; i++) {
		char name[128], key[80], val[512];
		size_t nl;
		int at, kk, v, x;
		bk_json_str(j, k, name, sizeof(name), &nl);
		at = pmap_find(m, n, kind, name);
		v = k + 1;
		if (at < 0 || m[at].nkeys != j->t[v].size) {
			fprintf(stderr, "  section %s missing or has %d keys, "
			    "expected %d\n", name, at < 0 ? -1 : m[at].nkeys,
			    j->t[v].size);
			return 0;
		}
		kk = v + 1;
		for (x = 0; x < j->t[v].size; x++) {
			int y, ok = 0;
			bk_json_str(j, kk, key, sizeof(key), &nl);
			bk_json_str(j, kk + 1, val, sizeof(val), &nl);
			for (y = 0; y < m[at].nkeys; y++)
				if (strcmp(m[at].keys[y], key) == 0 &&
				    strcmp(m[at].vals[y], val) == 0)
					ok = 1;
			if (!ok) {
				fprintf(stderr, "  %s.%s: expected [%s]\n", name,
				    key, val);
				return 0;
			}
			kk = bk_json_skip(j, kk + 1);
		}
		k = bk_json_skip(j, k + 1);
	}
	return 1;
}

static char *
jdup(const struct bk_json *j, int k, size_t *len)
{
	size_t cap = (size_t)(j->t[k].end - j->t[k].start) + 1;
	char *p = malloc(cap);

	*len = 0;
	if (p != NULL && bk_json_str(j, k, p, cap, len) != BK_OK) {
		free(p);
		return NULL;
	}
	return p;
}

static void
suite_config(void)
{
	static struct pmap m[64];
	struct bk_json j;
	size_t jl;
	char *doc = slurpf(&jl, "%s/config-file-tests/profile-parser-tests.json",
	    vdir);
	int tests, k, i;

	if (doc == NULL || !jparse(&j, doc, jl) ||
	    (tests = bk_json_get(&j, 0, "tests")) < 0) {
		case_result(0, "config-file", "profile-parser-tests.json", "");
		suite_summary("config-file");
		free(doc);
		return;
	}
	k = tests + 1;
	for (i = 0; i < j.t[tests].size; i++) {
		struct bk_profile_files f;
		struct bk_ini_error err;
		char name[256];
		int in = bk_json_get(&j, k, "input");
		int out = bk_json_get(&j, k, "output");
		int cf = bk_json_get(&j, in, "configFile");
		int crf = bk_json_get(&j, in, "credentialsFile");
		int want_err = bk_json_get(&j, out, "errorContaining") >= 0;
		char *c = NULL, *cr = NULL;
		int ok, n, pass;

		jstr(&j, k, "name", name, sizeof(name));
		memset(&f, 0, sizeof(f));
		if (cf >= 0)
			f.config = c = jdup(&j, cf, &f.config_len);
		if (crf >= 0)
			f.credentials = cr = jdup(&j, crf, &f.credentials_len);
		if (want_err) {
			ok = bk_profile_check(&f, &err) == BK_E_CONFIG &&
			    err.line > 0 && err.msg != NULL;
		} else {
			int conf = bk_json_get(&j, out, "config");
			ok = bk_profile_check(&f, &err) == BK_OK;
			if (!ok)
				fprintf(stderr, "  line %u: %s\n", err.line,
				    err.msg);
			/* lookups jumping section to section (checked), then
			 * parsing every line: the same answers */
			for (pass = 0; ok && pass < 2; pass++) {
				f.checked = !pass;
				n = pmap_build(&f, m, 64);
				ok = pmap_matches(m, n, BK_INI_PROFILE, &j,
				    bk_json_get(&j, conf, "profiles"));
				if (ok && bk_json_get(&j, conf, "sso_sessions") >=
				    0)
					ok = pmap_matches(m, n,
					    BK_INI_SSO_SESSION, &j, bk_json_get(&j,
					    conf, "sso_sessions"));
			}
		}
		case_result(ok, "config-file", name, "");
		free(c);
		free(cr);
		k = bk_json_skip(&j, k);
	}
	free(doc);
	suite_summary("config-file");
}

/* ---- config files: file-location-tests.json (Linux cases) ------------ */

static void
suite_locations(void)
{
	struct bk_json j;
	size_t jl;
	char *doc = slurpf(&jl, "%s/config-file-tests/file-location-tests.json",
	    vdir);
	int tests, k, i, skipped = 0;

	if (doc == NULL || !jparse(&j, doc, jl) ||
	    (tests = bk_json_get(&j, 0, "tests")) < 0) {
		case_result(0, "config-file-location", "file", "");
		suite_summary("config-file-location");
		free(doc);
		return;
	}
	k = tests + 1;
	for (i = 0; i < j.t[tests].size; i++) {
		int env = bk_json_get(&j, k, "environment");
		char name[256], plat[16], home[256], cfg[256], crd[256],
		    prof[64], wantc[256], wantr[256], wantp[64];
		struct bk_buf b1, b2;
		int ok;

		jstr(&j, k, "name", name, sizeof(name));
		jstr(&j, k, "platform", plat, sizeof(plat));
		if (strcmp(plat, "linux") != 0) {
			skipped++;   /* Windows home rules: not our platform */
			k = bk_json_skip(&j, k);
			continue;
		}
		jstr(&j, env, "HOME", home, sizeof(home));
		jstr(&j, env, "AWS_CONFIG_FILE", cfg, sizeof(cfg));
		jstr(&j, env, "AWS_SHARED_CREDENTIALS_FILE", crd, sizeof(crd));
		jstr(&j, env, "AWS_PROFILE", prof, sizeof(prof));
		jstr(&j, k, "configLocation", wantc, sizeof(wantc));
		jstr(&j, k, "credentialsLocation", wantr, sizeof(wantr));
		jstr(&j, k, "profile", wantp, sizeof(wantp));
		{
			char o1[256], o2[256];
			bk_buf_init(&b1, o1, sizeof(o1));
			bk_buf_init(&b2, o2, sizeof(o2));
			ok = bk_aws_file_path(cfg[0] ? cfg : NULL, home, "config",
			    &b1) == BK_OK && bk_aws_file_path(crd[0] ? crd :
			    NULL, home, "credentials", &b2) == BK_OK &&
			    strcmp(o1, wantc) == 0 && strcmp(o2, wantr) == 0;
			/* the profile: AWS_PROFILE, else "default" */
			if (wantp[0] != '\0')
				ok = ok && strcmp(prof[0] ? prof : "default",
				    wantp) == 0;
		}
		case_result(ok, "config-file-location", name, "");
		k = bk_json_skip(&j, k);
	}
	free(doc);
	fprintf(stderr, "note: config-file-location: %d Windows-only cases "
	    "skipped (this tool runs on Linux)\n", skipped);
	suite_summary("config-file-location");
}

/* ---- credential plans: assume-role-tests.json ---------------------------- */

/* Write {NAME: {k: v}} as config-file sections with the given prefix. */
static void
emit_sections(struct bk_buf *b, const struct bk_json *j, int obj,
    const char *prefix)
{
	int k, i, x;
	char name[256], key[128], val[512];
	size_t n;

	if (obj < 0)
		return;
	k = obj + 1;
	for (i = 0; i < j->t[obj].size; i++) {
		int v = k + 1, kk = v + 1;
		bk_json_str(j, k, name, sizeof(name), &n);
		bk_buf_puts(b, "[");
		bk_buf_puts(b, prefix);
		bk_buf_puts(b, name);
		bk_buf_puts(b, "]\n");
		for (x = 0; x < j->t[v].size; x++) {
			bk_json_str(j, kk, key, sizeof(key), &n);
			bk_json_str(j, kk + 1, val, sizeof(val), &n);
			bk_buf_puts(b, key);
			bk_buf_puts(b, " = ");
			bk_buf_puts(b, val);
			bk_buf_puts(b, "\n");
			kk = bk_json_skip(j, kk + 1);
		}
		k = bk_json_skip(j, k + 1);
	}
}

static int
field_is(const struct bk_json *j, int obj, const char *key, const char *got)
{
	char want[512];

	if (bk_json_get_str(j, obj, key, want, sizeof(want)) != BK_OK)
		return 1;           /* not in the expectation: not checked */
	if (strcmp(want, got) == 0)
		return 1;
	fprintf(stderr, "  %s: got [%s] expected [%s]\n", key, got, want);
	return 0;
}

static void
suite_plans(void)
{
	static char cfg[16384];
	static struct bk_plan plan;
	struct bk_json j;
	size_t jl;
	char *doc = slurpf(&jl, "%s/credential-provider-tests/test-data/"
	    "assume-role-tests.json", vdir);
	int k, i;

	if (doc == NULL || !jparse(&j, doc, jl)) {
		case_result(0, "assume-role-plans", "assume-role-tests.json", "");
		suite_summary("assume-role-plans");
		free(doc);
		return;
	}
	k = 1;
	for (i = 0; i < j.t[0].size; i++) {
		struct bk_profile_files f;
		struct bk_ini_error ierr;
		struct bk_buf b;
		char docs[256], sel[128];
		int differs = 0;
		int in = bk_json_get(&j, k, "input");
		int out = bk_json_get(&j, k, "output");
		int chain = bk_json_get(&j, out, "ProfileChain");
		enum bk_err e;
		int ok;

		jstr(&j, k, "docs", docs, sizeof(docs));
		jstr(&j, in, "selected_profile", sel, sizeof(sel));
		bk_buf_init(&b, cfg, sizeof(cfg));
		emit_sections(&b, &j, bk_json_get(&j, in, "profiles"),
		    "profile ");
		emit_sections(&b, &j, bk_json_get(&j, in, "sso_sessions"),
		    "sso-session ");
		memset(&f, 0, sizeof(f));
		f.config = cfg;
		f.config_len = b.len;
		e = bk_profile_plan(&f, sel, &plan);
		/* the same plan from lookups that jump section to section */
		if (bk_profile_check(&f, &ierr) == BK_OK) {
			static struct bk_plan fast;
			if (bk_profile_plan(&f, sel, &fast) != e ||
			    memcmp(&fast, &plan, sizeof(plan)) != 0) {
				fprintf(stderr, "  checked plan differs\n");
				differs = 1;
			}
		}
		if (chain < 0) {
			ok = e != BK_OK;
		} else {
			int base = chain + 1, link, x;
			ok = e == BK_OK;
			if (!ok)
				fprintf(stderr, "  plan failed: %s\n", plan.error);
			if (ok && bk_json_get(&j, base, "AccessKey") >= 0) {
				ok = plan.base == BK_BASE_STATIC;
			} else if (ok && bk_json_get(&j, base, "NamedSource") >= 0) {
				int ns = bk_json_get(&j, base, "NamedSource");
				ok = plan.base == BK_BASE_NAMED &&
				    bk_json_is(&j, ns, plan.named_source);
			} else if (ok && bk_json_get(&j, base, "WebIdentityToken")
			    >= 0) {
				int w = bk_json_get(&j, base, "WebIdentityToken");
				ok = plan.base == BK_BASE_WEB_IDENTITY &&
				    field_is(&j, w, "role_arn", plan.web_role_arn) &&
				    field_is(&j, w, "web_identity_token_file",
				    plan.web_token_file) &&
				    field_is(&j, w, "role_session_name",
				    plan.web_session_name);
			} else if (ok && bk_json_get(&j, base, "Sso") >= 0) {
				int so = bk_json_get(&j, base, "Sso");
				ok = plan.base == BK_BASE_SSO &&
				    field_is(&j, so, "sso_session",
				    plan.sso_session) &&
				    field_is(&j, so, "sso_region", plan.sso_region) &&
				    field_is(&j, so, "sso_start_url",
				    plan.sso_start_url) &&
				    field_is(&j, so, "sso_account_id",
				    plan.sso_account_id) &&
				    field_is(&j, so, "sso_role_name",
				    plan.sso_role_name);
			} else if (ok) {
				ok = 0;
			}
			/* static keys are checked through the base profile */
			if (ok && plan.base == BK_BASE_STATIC) {
				int ak = bk_json_get(&j, base, "AccessKey");
				char v[256];
				ok = bk_profile_get(&f, BK_INI_PROFILE,
				    plan.base_profile, "aws_access_key_id", v,
				    sizeof(v), NULL) == BK_OK &&
				    field_is(&j, ak, "access_key_id", v);
			}
			link = bk_json_skip(&j, base);
			if (ok && (size_t)(j.t[chain].size - 1) != plan.nlinks) {
				fprintf(stderr, "  %zu links, expected %d\n",
				    plan.nlinks, j.t[chain].size - 1);
				ok = 0;
			}
			for (x = 0; ok && (size_t)x < plan.nlinks; x++) {
				int ar = bk_json_get(&j, link, "AssumeRole");
				ok = ar >= 0 &&
				    field_is(&j, ar, "role_arn",
				    plan.link[x].role_arn) &&
				    field_is(&j, ar, "external_id",
				    plan.link[x].external_id) &&
				    field_is(&j, ar, "role_session_name",
				    plan.link[x].session_name);
				link = bk_json_skip(&j, link);
			}
		}
		case_result(ok && !differs, "assume-role-plans", docs, "");
		k = bk_json_skip(&j, k);
	}
	free(doc);
	suite_summary("assume-role-plans");
}

int
main(int argc, char **argv)
{
	vdir = argc > 1 ? argv[1] : "tests/vectors";
	suite_sigv4();
	suite_classic();
	suite_extra();
	suite_evs_go();
	suite_evs_smithy();
	suite_config();
	suite_locations();
	suite_plans();
	return check_total_fail == 0 ? 0 : 1;
}
