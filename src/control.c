/*
 * control.c -- `models` and `profiles`: the Bedrock control plane's
 * ListFoundationModels and ListInferenceProfiles, as tables or JSON.
 *
 * Each request is one bk_awsreq (a small signed GET with the reply
 * collected); the reply is parsed with the core's JSON helpers into rows
 * the caller owns.  Text that came from the network is made printable
 * (control bytes become '?') before it is stored: a listing goes to a
 * terminal, and a terminal obeys escape sequences.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "awsreq.h"
#include "control.h"
#include "port.h"

#define NEXT_TOKEN_MAX 2048       /* the API's limit on nextToken */

/* ---- small helpers ------------------------------------------------------ */

/* Control bytes (ESC included) become '?'. */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* The string value of key in object obj, printable; "" when absent. */
static void
get_str(const struct bk_json *j, int obj, const char *key, char *out,
    size_t cap)
{
	if (obj < 0 || bk_json_get_str(j, obj, key, out, cap) != BK_OK)
		out[0] = '\0';
	printable(out);
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

/* Make room for one more element of size `el` in *p (capacity *cap). */
static int
grow(void **p, size_t *cap, size_t n, size_t el)
{
	size_t ncap;
	void *q;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 32;
	if (ncap > ((size_t)-1) / el)
		return -1;
	q = realloc(*p, ncap * el);
	if (q == NULL)
		return -1;
	*p = q;
	*cap = ncap;
	return 0;
}

/* Field k (0-based) of an ARN, "arn:aws:bedrock:REGION:ACCOUNT:rest". */
static void
arn_field(const char *arn, unsigned k, char *out, size_t cap)
{
	const char *p = arn;
	size_t n;

	out[0] = '\0';
	for (; k > 0; k--) {
		p = strchr(p, ':');
		if (p == NULL)
			return;
		p++;
	}
	n = strcspn(p, ":");
	if (n < cap) {
		memcpy(out, p, n);
		out[n] = '\0';
	}
}

/* 1 if word is one of the ','-separated items of list. */
static int
in_list(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		if (n == wl && memcmp(p, word, n) == 0)
			return 1;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static void
list_add(char *list, size_t cap, const char *word)
{
	struct bk_buf b;
	size_t n = strlen(list);

	if (word[0] == '\0' || in_list(list, word))
		return;
	if (n + 1 + strlen(word) + 1 > cap)
		return;                 /* full: the listing is a summary */
	bk_buf_init(&b, list + n, cap - n);
	if (n > 0)
		bk_buf_putc(&b, ',');
	bk_buf_puts(&b, word);
}

int
bk_ctl_exit_code(enum bk_err e)
{
	switch ((int)e) {
	case BK_OK:
		return 0;
	case BK_E_USAGE: case BK_E_NO_REGION: case BK_E_ENDPOINT:
	case BK_E_ARG: case BK_E_CONFIG:
		return 2;
	case BK_E_NO_CREDENTIALS: case BK_E_SVC_UNRECOGNIZED_CLIENT:
	case BK_E_SVC_INVALID_SIGNATURE: case BK_E_SVC_SIGNATURE_EXPIRED:
	case BK_E_SVC_EXPIRED_TOKEN:
		return 3;
	case BK_E_NET: case BK_E_DNS: case BK_E_TLS: case BK_E_TIMEOUT:
	case BK_E_PROXY:
		return 4;
	case BK_E_INTERRUPTED:
		return 130;
	default:
		break;
	}
	if ((e >= BK_E_EVS_PRELUDE_CRC && e <= BK_E_STREAM_EVENT) ||
	    e == BK_E_HTTP || e == BK_E_LIMIT || e == BK_E_JSON ||
	    e == BK_E_JSON_TOKENS || e == BK_E_JSON_SHAPE)
		return 5;
	return 1;
}

/* ---- one request -------------------------------------------------------- */

/*
 * GET path (with its query) from the control plane into r.  BK_OK with a
 * 200 reply; anything else is described in res.  On BK_OK the caller
 * frees r.
 */
static enum bk_err
ctl_get(const struct bk_awsconf *c, const struct bk_credentials *cr,
    const char *path, struct bk_awsreq *r, struct bk_ctl_result *res)
{
	static const struct bk_header accept = { "Accept", 6,
		"application/json", 16 };
	char url[BK_ENDPOINT_URL_MAX + NEXT_TOKEN_MAX * 3 + 256];
	char auth[sizeof(cr->bearer) + 8];
	struct bk_header hh[2];
	struct bk_endpoint ep;
	struct bk_creds sign;
	struct bk_svc_context sctx;
	const char *from = "default";
	size_t nh = 0;
	enum bk_err e;
	int n;

	memset(r, 0, sizeof(*r));
	e = bk_service_endpoint(c, "BEDROCK", "bedrock", "bedrock", c->region,
	    &ep, &from);
	res->endpoint_from = from;
	if (e != BK_OK) {
		res->err = e;
		copy_str(res->detail, sizeof(res->detail), ep.error);
		return e;
	}
	copy_str(res->endpoint, sizeof(res->endpoint), ep.url);
	res->default_host = !ep.custom;
	n = snprintf(url, sizeof(url), "%s%s", ep.url, path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		res->err = BK_E_LIMIT;
		copy_str(res->detail, sizeof(res->detail), "request URL too "
		    "long");
		return BK_E_LIMIT;
	}
	hh[nh++] = accept;
	r->method = "GET";
	r->url = url;
	r->ca_file = c->ca_file;
	r->ca_pem = c->ca_pem;
	r->ca_pem_len = c->ca_pem_len;
	r->trace = c->trace;
	r->clock_offset = c->clock_offset;
	r->timeout_ms = 30000;
	r->connect_timeout_ms = 10000;
	if (cr->akid[0] == '\0' && cr->bearer[0] != '\0') {
		/* a Bedrock API key: no SigV4 */
		struct bk_buf ab;
		bk_buf_init(&ab, auth, sizeof(auth));
		bk_buf_puts(&ab, "Bearer ");
		bk_buf_puts(&ab, cr->bearer);
		hh[nh].name = "Authorization";
		hh[nh].name_len = 13;
		hh[nh].value = auth;
		hh[nh++].value_len = ab.len;
		res->bearer = 1;
	} else {
		sign.akid = cr->akid;
		sign.secret = cr->secret;
		sign.token = cr->token[0] ? cr->token : NULL;
		r->sign = &sign;
		/* a VPC endpoint signs for bedrock in its own region */
		r->region = ep.signing_region[0] ? ep.signing_region :
		    c->region;
		r->service = "bedrock";
	}
	r->headers = hh;
	r->nheaders = nh;
	e = bk_awsreq_do(r);
	bk_wipe(auth, sizeof(auth));
	r->url = NULL;              /* url and hh are this frame's */
	r->headers = NULL;
	r->sign = NULL;
	if (e != BK_OK) {
		res->err = e;
		res->perr = r->perr;
		bk_redact(res->perr.msg, cr->secret);
		bk_redact(res->perr.msg, cr->token);
		bk_redact(res->perr.msg, cr->bearer);
		bk_awsreq_free(r);
		return e;
	}
	res->status = r->status;
	copy_str(res->request_id, sizeof(res->request_id), r->request_id);
	if (res->server_date == 0 && r->server_date != 0) {
		res->server_date = r->server_date;
		res->local_date = bk_port_now();
	}
	if (r->status == 200)
		return BK_OK;
	memset(&sctx, 0, sizeof(sctx));
	sctx.region = c->region;
	sctx.operation = res->operation;
	bk_svc_error_http(&res->svc, r->status, r->error_type,
	    strlen(r->error_type), r->resp, r->resp_len, &sctx);
	/* a signature error may echo what was signed */
	bk_redact(res->svc.message, cr->secret);
	bk_redact(res->svc.message, cr->token);
	bk_redact(res->svc.message, cr->bearer);
	printable(res->svc.message);
	printable(res->svc.type);
	/* a refused Bedrock API key reads as AccessDenied ("Authentication
	 * failed: ... API Key"): a credentials failure, as in run.c */
	if (res->bearer && res->svc.code == BK_E_SVC_ACCESS_DENIED &&
	    (strstr(res->svc.message, "API Key") != NULL ||
	    strstr(res->svc.message, "Authentication failed") != NULL))
		res->svc.code = BK_E_SVC_UNRECOGNIZED_CLIENT;
	res->err = res->svc.code;
	bk_awsreq_free(r);
	return res->err;
}

/* Parse r's JSON body with enough tokens; BK_OK or res described. */
static enum bk_err
parse_reply(const struct bk_awsreq *r, struct bk_json *j, jsmntok_t **toks,
    struct bk_ctl_result *res)
{
	size_t ntok = r->resp_len / 2 + 16;
	enum bk_err e;

	*toks = malloc(ntok * sizeof(**toks));
	if (*toks == NULL) {
		res->err = BK_E_NOMEM;
		return BK_E_NOMEM;
	}
	e = bk_json_parse(j, r->resp, r->resp_len, *toks, (unsigned)ntok);
	if (e == BK_OK && j->t[0].type != JSMN_OBJECT)
		e = BK_E_JSON_SHAPE;
	if (e != BK_OK) {
		res->err = e;
		snprintf(res->detail, sizeof(res->detail), "the reply is not "
		    "the JSON of %s (%s)", res->operation, bk_strerror(e));
	}
	return e;
}

/* ---- ListFoundationModels ----------------------------------------------- */

static void
model_row(const struct bk_json *j, int o, struct bk_model_row *m)
{
	int k, i, n;

	memset(m, 0, sizeof(*m));
	get_str(j, o, "modelId", m->id, sizeof(m->id));
	get_str(j, o, "modelName", m->name, sizeof(m->name));
	k = bk_json_get(j, o, "modelLifecycle");
	if (k >= 0 && j->t[k].type == JSMN_OBJECT)
		get_str(j, k, "status", m->lifecycle, sizeof(m->lifecycle));
	m->streaming = -1;
	k = bk_json_get(j, o, "responseStreamingSupported");
	if (k >= 0 && j->t[k].type == JSMN_PRIMITIVE)
		m->streaming = j->js[j->t[k].start] == 't';
	k = bk_json_get(j, o, "inferenceTypesSupported");
	if (k >= 0 && j->t[k].type == JSMN_ARRAY) {
		for (i = k + 1, n = 0; n < j->t[k].size; n++) {
			char v[32];
			size_t vl;
			if (j->t[i].type == JSMN_STRING && bk_json_str(j, i, v,
			    sizeof(v), &vl) == BK_OK) {
				printable(v);
				list_add(m->inference, sizeof(m->inference), v);
			}
			i = bk_json_skip(j, i);
		}
	}
}

enum bk_err
bk_ctl_list_models(const struct bk_awsconf *c, const struct bk_credentials *cr,
    struct bk_model_list *out, struct bk_ctl_result *res)
{
	struct bk_awsreq r;
	struct bk_json j;
	jsmntok_t *toks = NULL;
	enum bk_err e;
	int arr, i, n;

	memset(res, 0, sizeof(*res));
	res->operation = "ListFoundationModels";
	e = ctl_get(c, cr, "/foundation-models?byProvider=Anthropic", &r, res);
	if (e != BK_OK)
		return e;
	e = parse_reply(&r, &j, &toks, res);
	if (e != BK_OK)
		goto out;
	arr = bk_json_get(&j, 0, "modelSummaries");
	if (arr < 0 || j.t[arr].type != JSMN_ARRAY) {
		e = res->err = BK_E_JSON_SHAPE;
		copy_str(res->detail, sizeof(res->detail), "the reply has no "
		    "modelSummaries array");
		goto out;
	}
	for (i = arr + 1, n = 0; n < j.t[arr].size; n++, i = bk_json_skip(&j,
	    i)) {
		struct bk_model_row m;
		if (j.t[i].type != JSMN_OBJECT)
			continue;
		model_row(&j, i, &m);
		/* byProvider does this; an endpoint that ignores it must not
		 * fill the list with other providers' models */
		if (strncmp(m.id, "anthropic.", 10) != 0)
			continue;
		if (grow((void **)&out->row, &out->cap, out->n,
		    sizeof(*out->row)) != 0) {
			e = res->err = BK_E_NOMEM;
			goto out;
		}
		out->row[out->n++] = m;
	}
out:
	free(toks);
	bk_awsreq_free(&r);
	return e;
}

void
bk_model_list_free(struct bk_model_list *l)
{
	free(l->row);
	l->row = NULL;
	l->n = l->cap = 0;
}

/* ---- ListInferenceProfiles ---------------------------------------------- */

/* One summary into p; 1 if it is a profile of an Anthropic model. */
static int
profile_row(const struct bk_json *j, int o, struct bk_profile_row *p)
{
	int k, i, n, claude;

	memset(p, 0, sizeof(*p));
	get_str(j, o, "inferenceProfileId", p->id, sizeof(p->id));
	get_str(j, o, "inferenceProfileName", p->name, sizeof(p->name));
	get_str(j, o, "status", p->status, sizeof(p->status));
	get_str(j, o, "type", p->type, sizeof(p->type));
	get_str(j, o, "inferenceProfileArn", p->arn, sizeof(p->arn));
	claude = strstr(p->id, "anthropic.") != NULL;
	k = bk_json_get(j, o, "models");
	if (k < 0 || j->t[k].type != JSMN_ARRAY)
		return claude;
	for (i = k + 1, n = 0; n < j->t[k].size; n++, i = bk_json_skip(j, i)) {
		char arn[512], region[64];
		const char *fm;
		if (j->t[i].type != JSMN_OBJECT)
			continue;
		get_str(j, i, "modelArn", arn, sizeof(arn));
		if (strncmp(arn, "arn:", 4) != 0)
			continue;
		arn_field(arn, 3, region, sizeof(region));
		if (region[0] == '\0')
			p->global = 1;
		else
			list_add(p->regions, sizeof(p->regions), region);
		fm = strstr(arn, ":foundation-model/");
		if (fm != NULL) {
			fm += 18;
			if (p->model[0] == '\0')
				copy_str(p->model, sizeof(p->model), fm);
			if (strncmp(fm, "anthropic.", 10) == 0)
				claude = 1;
		}
	}
	return claude;
}

/* One page: parse, append, and copy nextToken into next ("" at the end). */
static enum bk_err
profiles_page(const struct bk_awsreq *r, struct bk_profile_list *out,
    char *next, size_t ncap, struct bk_ctl_result *res)
{
	struct bk_json j;
	jsmntok_t *toks = NULL;
	enum bk_err e;
	int arr, i, n, k;

	next[0] = '\0';
	e = parse_reply(r, &j, &toks, res);
	if (e != BK_OK)
		goto out;
	arr = bk_json_get(&j, 0, "inferenceProfileSummaries");
	if (arr < 0 || j.t[arr].type != JSMN_ARRAY) {
		e = res->err = BK_E_JSON_SHAPE;
		copy_str(res->detail, sizeof(res->detail), "the reply has no "
		    "inferenceProfileSummaries array");
		goto out;
	}
	for (i = arr + 1, n = 0; n < j.t[arr].size; n++, i = bk_json_skip(&j,
	    i)) {
		struct bk_profile_row p;
		if (j.t[i].type != JSMN_OBJECT || !profile_row(&j, i, &p))
			continue;
		if (grow((void **)&out->row, &out->cap, out->n,
		    sizeof(*out->row)) != 0) {
			e = res->err = BK_E_NOMEM;
			goto out;
		}
		out->row[out->n++] = p;
	}
	k = bk_json_get(&j, 0, "nextToken");
	if (k >= 0 && j.t[k].type == JSMN_STRING) {
		size_t tl;
		if (bk_json_str(&j, k, next, ncap, &tl) != BK_OK) {
			e = res->err = BK_E_JSON_SHAPE;
			copy_str(res->detail, sizeof(res->detail), "nextToken "
			    "is longer than 2048 bytes");
		}
	}
out:
	free(toks);
	return e;
}

enum bk_err
bk_ctl_list_profiles(const struct bk_awsconf *c,
    const struct bk_credentials *cr, uint32_t page_size,
    struct bk_profile_list *out, struct bk_ctl_result *res)
{
	static const char *const types[] = { "SYSTEM_DEFINED", "APPLICATION" };
	static char next[NEXT_TOKEN_MAX + 1], prev[NEXT_TOKEN_MAX + 1];
	char path[NEXT_TOKEN_MAX * 3 + 128];
	struct bk_awsreq r;
	struct bk_buf b;
	enum bk_err e = BK_OK;
	size_t t;

	memset(res, 0, sizeof(*res));
	res->operation = "ListInferenceProfiles";
	if (page_size == 0 || page_size > 1000)
		page_size = BK_CTL_PAGE_SIZE;
	for (t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		next[0] = prev[0] = '\0';
		for (;;) {
			if (out->pages >= BK_CTL_MAX_PAGES) {
				res->err = BK_E_LIMIT;
				copy_str(res->detail, sizeof(res->detail),
				    "the listing did not end after 200 pages");
				return BK_E_LIMIT;
			}
			bk_buf_init(&b, path, sizeof(path));
			bk_buf_puts(&b, "/inference-profiles?maxResults=");
			bk_buf_put_u64(&b, page_size);
			bk_buf_puts(&b, "&type=");
			bk_buf_puts(&b, types[t]);
			if (next[0] != '\0') {
				bk_buf_puts(&b, "&nextToken=");
				bk_uri_encode(&b, next, strlen(next), 0);
			}
			if (bk_buf_err(&b) != BK_OK) {
				res->err = BK_E_LIMIT;
				return BK_E_LIMIT;
			}
			memcpy(prev, next, strlen(next) + 1);
			out->pages++;
			e = ctl_get(c, cr, path, &r, res);
			if (e != BK_OK)
				return e;
			e = profiles_page(&r, out, next, sizeof(next), res);
			bk_awsreq_free(&r);
			if (e != BK_OK)
				return e;
			if (next[0] == '\0')
				break;
			if (strcmp(next, prev) == 0) {
				res->err = BK_E_JSON_SHAPE;
				copy_str(res->detail, sizeof(res->detail), "the "
				    "service returned the same nextToken twice");
				return res->err;
			}
		}
	}
	return BK_OK;
}

void
bk_profile_list_free(struct bk_profile_list *l)
{
	free(l->row);
	l->row = NULL;
	l->n = l->cap = 0;
	l->pages = 0;
}

/* ---- explaining a failure ----------------------------------------------- */

void
bk_ctl_explain(const struct bk_ctl_result *res, const char *region,
    char *what, size_t wcap, char *fix, size_t fcap)
{
	char wb[1400], fb[900];
	struct bk_buf w, f;
	enum bk_err e = res->err;
	const char *op = res->operation ? res->operation : "request";

	if (region == NULL || region[0] == '\0')
		region = "REGION";
	bk_buf_init(&w, wb, sizeof(wb));
	bk_buf_init(&f, fb, sizeof(fb));
	bk_buf_puts(&w, op);
	bk_buf_puts(&w, ": ");
	if (e >= BK_E_SVC_ACCESS_DENIED && e <= BK_E_SVC_OTHER) {
		bk_buf_puts(&w, res->svc.type);
		if (res->svc.message[0] != '\0') {
			bk_buf_puts(&w, ": ");
			bk_buf_puts(&w, res->svc.message);
		}
		bk_buf_puts(&w, " (HTTP ");
		bk_buf_put_u64(&w, (uint64_t)(res->status > 0 ? res->status :
		    0));
		bk_buf_putc(&w, ')');
	} else if (e == BK_E_DNS || e == BK_E_TLS || e == BK_E_NET ||
	    e == BK_E_TIMEOUT || e == BK_E_PROXY) {
		bk_buf_puts(&w, bk_strerror(e));
		bk_buf_puts(&w, " (");
		bk_buf_puts(&w, res->endpoint);
		bk_buf_puts(&w, "): ");
		bk_buf_puts(&w, res->perr.msg);
	} else {
		bk_buf_puts(&w, res->detail[0] ? res->detail : bk_strerror(e));
	}

	if (res->bearer && (e == BK_E_SVC_UNRECOGNIZED_CLIENT ||
	    e == BK_E_SVC_EXPIRED_TOKEN)) {
		bk_buf_puts(&f, "the Bedrock API key in AWS_BEARER_TOKEN_BEDROCK "
		    "was refused: check it is complete and not expired, or unset "
		    "it to use AWS credentials");
		e = BK_OK;              /* explained */
	}
	switch ((int)e) {
	case BK_OK:
		break;
	case BK_E_SVC_ACCESS_DENIED:
		bk_buf_puts(&f, res->bearer ? "the IAM user behind the Bedrock "
		    "API key needs bedrock:" : "allow bedrock:");
		bk_buf_puts(&f, op);
		bk_buf_puts(&f, " (Resource \"*\") in an IAM policy of this "
		    "identity (check with aws iam simulate-principal-policy "
		    "--action-names bedrock:");
		bk_buf_puts(&f, op);
		bk_buf_puts(&f, "), and look for an explicit deny in a service "
		    "control policy or permission boundary");
		break;
	case BK_E_SVC_NOT_FOUND:
		bk_buf_puts(&f, "this endpoint does not serve the Bedrock "
		    "control plane: check AWS_ENDPOINT_URL_BEDROCK (or the "
		    "profile's endpoint_url)");
		break;
	case BK_E_DNS:
		if (res->default_host) {
			bk_buf_puts(&f, "Bedrock may not be offered in '");
			bk_buf_puts(&f, region);
			bk_buf_puts(&f, "': use a region that has it (us-east-1, "
			    "us-west-2, eu-central-1, ap-northeast-1...) in "
			    "AWS_REGION, or check DNS and HTTPS_PROXY");
		} else {
			bk_buf_puts(&f, "check the host name in "
			    "AWS_ENDPOINT_URL_BEDROCK (or the profile's "
			    "endpoint_url) and DNS");
		}
		break;
	case BK_E_TLS:
		bk_buf_puts(&f, "check the CA bundle (AWS_CA_BUNDLE) and that no "
		    "proxy intercepts TLS");
		break;
	case BK_E_NET: case BK_E_TIMEOUT: case BK_E_PROXY:
		bk_buf_puts(&f, "check the network path to the endpoint "
		    "(HTTPS_PROXY, NO_PROXY, VPC endpoint)");
		break;
	case BK_E_NO_REGION:
		bk_buf_puts(&f, "export AWS_REGION=us-east-1 or pass --region");
		break;
	case BK_E_ENDPOINT: case BK_E_USAGE: case BK_E_ARG:
		bk_buf_puts(&f, "use https://host[:port] in "
		    "AWS_ENDPOINT_URL_BEDROCK (or the profile's endpoint_url)");
		break;
	case BK_E_NOMEM:
		bk_buf_puts(&f, "free some memory and retry");
		break;
	default:
		if (e >= BK_E_SVC_ACCESS_DENIED && e <= BK_E_SVC_OTHER)
			bk_buf_puts(&f, res->svc.hint);
		else
			bk_buf_puts(&f, "retry; if it persists, check that "
			    "AWS_ENDPOINT_URL_BEDROCK points at Bedrock");
		break;
	}
	if (what != NULL && wcap > 0)
		copy_str(what, wcap, wb);
	if (fix != NULL && fcap > 0)
		copy_str(fix, fcap, fb);
}

/* ---- output ------------------------------------------------------------- */

typedef const char *(*cell_fn)(const void *rows, size_t r, size_t col);

/* Columns padded to their widest cell, two spaces apart; the last column
 * is not padded (no trailing blanks). */
static void
table(FILE *f, const char *const *head, size_t ncol, const void *rows,
    size_t nrow, cell_fn cell)
{
	size_t w[8], r, k;

	for (k = 0; k < ncol && k < 8; k++)
		w[k] = strlen(head[k]);
	for (r = 0; r < nrow; r++)
		for (k = 0; k < ncol && k < 8; k++) {
			size_t l = strlen(cell(rows, r, k));
			if (l > w[k])
				w[k] = l;
		}
	for (r = 0; r <= nrow; r++) {
		for (k = 0; k < ncol && k < 8; k++) {
			const char *s = r == 0 ? head[k] : cell(rows, r - 1, k);
			if (k + 1 < ncol) {
				int pad = (int)(w[k] < 4096 ? w[k] : 4096);
				fprintf(f, "%-*s  ", pad, s);
			} else {
				fprintf(f, "%s\n", s);
			}
		}
	}
}

static const char *
model_cell(const void *rows, size_t r, size_t col)
{
	const struct bk_model_row *m = (const struct bk_model_row *)rows + r;

	switch (col) {
	case 0: return m->id;
	case 1: return m->name[0] ? m->name : "-";
	case 2: return m->lifecycle[0] ? m->lifecycle : "-";
	case 3: return m->streaming < 0 ? "-" : (m->streaming ? "yes" : "no");
	default: return m->inference[0] ? m->inference : "-";
	}
}

static const char *
profile_cell(const void *rows, size_t r, size_t col)
{
	const struct bk_profile_row *p = (const struct bk_profile_row *)rows +
	    r;
	static char reg[sizeof(p->regions) + 32];

	switch (col) {
	case 0: return p->id;
	case 1: return p->status[0] ? p->status : "-";
	case 2: return p->type[0] ? p->type : "-";
	default:
		if (!p->global)
			return p->regions[0] ? p->regions : "-";
		snprintf(reg, sizeof(reg), "%s%sany commercial region",
		    p->regions, p->regions[0] ? "," : "");
		return reg;
	}
}

static void
json_str(struct bk_buf *b, const char *key, const char *v)
{
	bk_buf_putc(b, '"');
	bk_buf_puts(b, key);
	bk_buf_puts(b, "\":");
	bk_json_put_str(b, (const uint8_t *)v, strlen(v), NULL);
}

/* A ','-separated list as a JSON array of strings. */
static void
json_list(struct bk_buf *b, const char *key, const char *list)
{
	const char *p = list;

	bk_buf_putc(b, '"');
	bk_buf_puts(b, key);
	bk_buf_puts(b, "\":[");
	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		if (p != list)
			bk_buf_putc(b, ',');
		bk_json_put_str(b, (const uint8_t *)p, n, NULL);
		p += n;
		if (*p == ',')
			p++;
	}
	bk_buf_putc(b, ']');
}

/*
 * Rows are written one at a time into a static line: the row fields are
 * bounded (sizeof the row), and JSON escaping at most triples printable
 * text (an invalid UTF-8 byte becomes U+FFFD), so 8 KiB (models) and
 * 16 KiB (profiles) always hold a row.
 */
static void
model_json(struct bk_buf *b, const struct bk_model_row *m)
{
	bk_buf_putc(b, '{');
	json_str(b, "id", m->id);
	bk_buf_putc(b, ',');
	json_str(b, "name", m->name);
	bk_buf_putc(b, ',');
	json_str(b, "lifecycle", m->lifecycle);
	bk_buf_puts(b, ",\"streaming\":");
	bk_buf_puts(b, m->streaming < 0 ? "null" : (m->streaming ? "true" :
	    "false"));
	bk_buf_putc(b, ',');
	json_list(b, "inference", m->inference);
	bk_buf_putc(b, '}');
}

static void
profile_json(struct bk_buf *b, const struct bk_profile_row *p)
{
	bk_buf_putc(b, '{');
	json_str(b, "id", p->id);
	bk_buf_putc(b, ',');
	json_str(b, "name", p->name);
	bk_buf_putc(b, ',');
	json_str(b, "status", p->status);
	bk_buf_putc(b, ',');
	json_str(b, "type", p->type);
	bk_buf_putc(b, ',');
	json_str(b, "model", p->model);
	bk_buf_putc(b, ',');
	json_list(b, "regions", p->regions);
	bk_buf_puts(b, ",\"global\":");
	bk_buf_puts(b, p->global ? "true" : "false");
	bk_buf_putc(b, ',');
	json_str(b, "arn", p->arn);
	bk_buf_putc(b, '}');
}

/* Flush the listing; a reader that went away (| head) is not an error. */
static int
finish_output(const struct bk_ctl_opts *o)
{
	if (fflush(o->out) == 0 && !ferror(o->out))
		return 0;
	if (errno == EPIPE)
		return 0;
	fprintf(o->err, "%s: cannot write standard output (%s); fix: check "
	    "the disk or the file it goes to\n", o->prog, strerror(errno));
	return 2;
}

static int
fail_line(const struct bk_ctl_opts *o, const struct bk_ctl_result *res,
    const char *region)
{
	char what[1400], fix[900];

	bk_ctl_explain(res, region, what, sizeof(what), fix, sizeof(fix));
	fprintf(o->err, "%s: %s; fix: %s\n", o->prog, what, fix);
	return bk_ctl_exit_code(res->err);
}

int
bk_cmd_models(const struct bk_awsconf *c, const struct bk_credentials *cr,
    const struct bk_ctl_opts *o)
{
	static const char *const head[] = { "ID", "NAME", "LIFECYCLE",
		"STREAMING", "INFERENCE" };
	static struct bk_ctl_result res;
	struct bk_model_list l;
	int rc;

	memset(&l, 0, sizeof(l));
	if (bk_ctl_list_models(c, cr, &l, &res) != BK_OK) {
		rc = fail_line(o, &res, c->region);
		bk_model_list_free(&l);
		return rc;
	}
	if (o->json) {
		static char line[8192];
		struct bk_buf b;
		size_t i;
		fputs("[", o->out);
		for (i = 0; i < l.n; i++) {
			bk_buf_init(&b, line, sizeof(line));
			model_json(&b, &l.row[i]);
			fprintf(o->out, "%s\n  %s", i ? "," : "", line);
		}
		fputs(l.n ? "\n]\n" : "]\n", o->out);
	} else {
		table(o->out, head, 5, l.row, l.n, model_cell);
		if (l.n == 0)
			fprintf(o->err, "%s: no Claude models are listed in %s\n",
			    o->prog, c->region);
	}
	bk_model_list_free(&l);
	return finish_output(o);
}

int
bk_cmd_profiles(const struct bk_awsconf *c, const struct bk_credentials *cr,
    const struct bk_ctl_opts *o)
{
	static const char *const head[] = { "ID", "STATUS", "TYPE",
		"REGIONS" };
	static struct bk_ctl_result res;
	struct bk_profile_list l;
	int rc;

	memset(&l, 0, sizeof(l));
	if (bk_ctl_list_profiles(c, cr, o->page_size, &l, &res) != BK_OK) {
		rc = fail_line(o, &res, c->region);
		bk_profile_list_free(&l);
		return rc;
	}
	if (o->json) {
		static char line[16384];
		struct bk_buf b;
		size_t i;
		fputs("[", o->out);
		for (i = 0; i < l.n; i++) {
			bk_buf_init(&b, line, sizeof(line));
			profile_json(&b, &l.row[i]);
			fprintf(o->out, "%s\n  %s", i ? "," : "", line);
		}
		fputs(l.n ? "\n]\n" : "]\n", o->out);
	} else {
		table(o->out, head, 4, l.row, l.n, profile_cell);
		if (l.n == 0)
			fprintf(o->err, "%s: no Claude inference profiles are "
			    "listed in %s\n", o->prog, c->region);
	}
	bk_profile_list_free(&l);
	return finish_output(o);
}
