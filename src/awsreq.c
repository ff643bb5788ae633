/*
 * awsreq.c -- one small AWS request, optionally SigV4-signed, with the
 * reply collected into memory (bounded).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "awsreq.h"

struct collect {
	struct bk_awsreq *r;
	size_t cap;
	int too_big;
};

static int
c_status(void *ctx, int code)
{
	struct collect *c = ctx;

	c->r->status = code;
	return 0;
}

static void
copy_hdr(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = '\0';
}

static int
c_header(void *ctx, const char *name, size_t nl, const char *v, size_t vl)
{
	struct collect *c = ctx;
	struct bk_awsreq *r = c->r;

	if (r->trace)
		fprintf(stderr, "< %.*s: %.*s\n", (int)nl, name, (int)vl, v);
	if (nl == 12 && strncasecmp(name, "content-type", 12) == 0)
		copy_hdr(r->content_type, sizeof(r->content_type), v, vl);
	else if (nl == 16 && strncasecmp(name, "x-amzn-requestid", 16) == 0)
		copy_hdr(r->request_id, sizeof(r->request_id), v, vl);
	else if (nl == 16 && strncasecmp(name, "x-amzn-errortype", 16) == 0)
		copy_hdr(r->error_type, sizeof(r->error_type), v, vl);
	else if (nl == 4 && strncasecmp(name, "date", 4) == 0)
		bk_time_parse_http(v, vl, &r->server_date);
	return 0;
}

static int
c_body(void *ctx, const uint8_t *p, size_t n)
{
	struct collect *c = ctx;
	struct bk_awsreq *r = c->r;

	if (n > BK_AWSREQ_BODY_MAX - r->resp_len) {
		c->too_big = 1;
		return 1;
	}
	if (r->resp_len + n + 1 > c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 4096;
		char *q;
		while (ncap < r->resp_len + n + 1)
			ncap *= 2;
		q = malloc(ncap);
		if (q == NULL)
			return 1;
		/* copy and wipe rather than realloc: replies carry secrets */
		if (r->resp != NULL) {
			memcpy(q, r->resp, r->resp_len);
			bk_wipe(r->resp, c->cap);
			free(r->resp);
		}
		r->resp = q;
		c->cap = ncap;
	}
	memcpy(r->resp + r->resp_len, p, n);
	r->resp_len += n;
	r->resp[r->resp_len] = '\0';
	return 0;
}

/* "scheme://authority/path?query" split into its parts. */
static int
split_url(const char *url, const char **auth, size_t *alen,
    const char **path, size_t *plen, const char **query, size_t *qlen)
{
	const char *p = strstr(url, "://"), *slash, *q;

	if (p == NULL)
		return -1;
	p += 3;
	slash = strchr(p, '/');
	q = strchr(p, '?');
	if (q != NULL && (slash == NULL || q < slash))
		slash = NULL;          /* "host?x": no path */
	*auth = p;
	*alen = slash ? (size_t)(slash - p) : (q ? (size_t)(q - p) : strlen(p));
	*path = slash ? slash : "/";
	*plen = slash ? (q ? (size_t)(q - slash) : strlen(slash)) : 1;
	*query = q ? q + 1 : NULL;
	*qlen = q ? strlen(q + 1) : 0;
	return *alen > 0 ? 0 : -1;
}

enum bk_err
bk_awsreq_do(struct bk_awsreq *r)
{
	static struct bk_sigv4 sig;
	struct bk_header hh[24], sh[20];
	struct bk_http_request hr;
	struct bk_http_sink sink;
	struct collect c;
	const char *auth, *path, *query;
	size_t alen, plen, qlen, nh = 0, ns = 0, i;
	enum bk_err e;

	r->status = 0;
	r->resp = NULL;
	r->resp_len = 0;
	r->content_type[0] = r->request_id[0] = r->error_type[0] = '\0';
	r->server_date = 0;
	memset(&r->perr, 0, sizeof(r->perr));
	if (r->nheaders > 16 || split_url(r->url, &auth, &alen, &path, &plen,
	    &query, &qlen) != 0) {
		r->perr.code = BK_E_ENDPOINT;
		return BK_E_ENDPOINT;
	}
	hh[nh].name = "Host"; hh[nh].name_len = 4;
	hh[nh].value = auth; hh[nh++].value_len = alen;
	for (i = 0; i < r->nheaders; i++)
		hh[nh++] = r->headers[i];
	if (r->sign != NULL) {
		struct bk_sigv4_request sr;
		struct bk_sigv4_params sp;
		sh[ns].name = "host"; sh[ns].name_len = 4;
		sh[ns].value = auth; sh[ns++].value_len = alen;
		for (i = 0; i < r->nheaders; i++)
			sh[ns++] = r->headers[i];
		memset(&sr, 0, sizeof(sr));
		sr.method = r->method;
		sr.path = path;
		sr.path_len = plen;
		sr.query = query;
		sr.query_len = qlen;
		sr.headers = sh;
		sr.nheaders = ns;
		sr.body = r->body;
		sr.body_len = r->body_len;
		memset(&sp, 0, sizeof(sp));
		sp.region = r->region;
		sp.service = r->service;
		sp.now = bk_port_now() + r->clock_offset;
		sp.double_encode = 1;
		e = bk_sigv4_sign(&sig, NULL, &sr, r->sign, &sp);
		if (e != BK_OK) {
			bk_sigv4_wipe(&sig);
			r->perr.code = e;
			return e;
		}
		hh[nh].name = "X-Amz-Date"; hh[nh].name_len = 10;
		hh[nh].value = sig.amz_date; hh[nh++].value_len = 16;
		if (r->sign->token != NULL && r->sign->token[0] != '\0') {
			hh[nh].name = "X-Amz-Security-Token";
			hh[nh].name_len = 20;
			hh[nh].value = r->sign->token;
			hh[nh++].value_len = strlen(r->sign->token);
		}
		hh[nh].name = "Authorization"; hh[nh].name_len = 13;
		hh[nh].value = sig.authorization;
		hh[nh++].value_len = strlen(sig.authorization);
	}
	hh[nh].name = "User-Agent"; hh[nh].name_len = 10;
	hh[nh].value = "bedrock-claude/" BK_VERSION;
	hh[nh].value_len = sizeof("bedrock-claude/" BK_VERSION) - 1;
	nh++;
	/*
	 * Header values come from earlier answers (an IMDS token, an SSO
	 * access token, credentials an STS or IMDS answer carried): a CR, LF
	 * or NUL would end the line early and let the server's bytes add
	 * header lines of their own.  Refused (found by tests/fuzz/fuzz_xml.c).
	 */
	for (i = 0; i < nh; i++)
		if (memchr(hh[i].value, '\r', hh[i].value_len) != NULL ||
		    memchr(hh[i].value, '\n', hh[i].value_len) != NULL ||
		    memchr(hh[i].value, '\0', hh[i].value_len) != NULL) {
			bk_sigv4_wipe(&sig);
			r->perr.code = BK_E_ARG;
			snprintf(r->perr.msg, sizeof(r->perr.msg), "the %.*s "
			    "header would hold a line break or a NUL",
			    (int)hh[i].name_len, hh[i].name);
			return BK_E_ARG;
		}
	if (r->trace) {
		fprintf(stderr, "> %s %s\n", r->method, r->url);
		for (i = 0; i < nh; i++) {
			int secret = (hh[i].name_len == 13 &&
			    strncasecmp(hh[i].name, "authorization", 13) == 0) ||
			    (hh[i].name_len == 20 && strncasecmp(hh[i].name,
			    "x-amz-security-token", 20) == 0) ||
			    (hh[i].name_len == 22 && strncasecmp(hh[i].name,
			    "x-amz-sso_bearer_token", 22) == 0) ||
			    (hh[i].name_len == 24 && strncasecmp(hh[i].name,
			    "x-aws-ec2-metadata-token", 24) == 0);
			fprintf(stderr, "> %.*s: %.*s\n", (int)hh[i].name_len,
			    hh[i].name, secret ? 10 : (int)hh[i].value_len,
			    secret ? "[redacted]" : hh[i].value);
		}
	}

	memset(&c, 0, sizeof(c));
	c.r = r;
	memset(&hr, 0, sizeof(hr));
	hr.method = r->method;
	hr.url = r->url;
	hr.headers = hh;
	hr.nheaders = nh;
	hr.body = r->body;
	hr.body_len = r->body_len;
	hr.ca_file = r->ca_file;
	hr.ca_pem = r->ca_pem;
	hr.ca_pem_len = r->ca_pem_len;
	hr.connect_timeout_ms = r->connect_timeout_ms;
	hr.total_timeout_ms = r->timeout_ms ? r->timeout_ms : 10000;
	hr.no_proxy = r->no_proxy;
	sink.ctx = &c;
	sink.status = c_status;
	sink.header = c_header;
	sink.body = c_body;
	e = bk_port_http(&hr, &sink, &r->perr);
	bk_sigv4_wipe(&sig);
	if (c.too_big) {
		r->perr.code = BK_E_LIMIT;
		return BK_E_LIMIT;
	}
	if (e != BK_OK)
		return e;
	if (r->resp == NULL) {
		r->resp = malloc(1);
		if (r->resp == NULL)
			return BK_E_NOMEM;
		r->resp[0] = '\0';
	}
	return BK_OK;
}

void
bk_awsreq_free(struct bk_awsreq *r)
{
	if (r->resp != NULL) {
		bk_wipe(r->resp, r->resp_len);
		free(r->resp);
	}
	r->resp = NULL;
	r->resp_len = 0;
}
