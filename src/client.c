/*
 * client.c -- InvokeModelWithResponseStream end to end: sign, send,
 * decode the event stream as it arrives, hand text to the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client.h"

/*
 * Decode buffers: one event-stream message (16 MiB limit) and the base64
 * output of its payload.  malloc'd once: large but untouched pages cost
 * no memory, and a normal answer's messages are a few hundred bytes.
 */
static uint8_t *evs_buf, *scratch;
#define SCRATCH_CAP BK_BASE64_DECODED_MAX(BK_EVS_MSG_MAX)

static struct bk_sigv4 sig;   /* 40 KiB of staging: not on the stack */

struct rx {
	struct bk_call *c;
	struct bk_evs evs;
	struct bk_stream st;
	int ok_status;            /* 2xx: an event stream follows */
	int is_evs;               /* content type was the event stream */
	char errtype[128];
	size_t errtype_len;
	char *errbody;
	size_t errbody_len;
};

void
bk_call_free_buffers(void)
{
	free(evs_buf);
	free(scratch);
	evs_buf = scratch = NULL;
}

static void
trace_line(const char *dir, const char *name, size_t nl, const char *val,
    size_t vl)
{
	/* secrets never reach the trace: the signature and token headers
	 * are shown by name only */
	if ((nl == 13 && strncasecmp(name, "authorization", 13) == 0) ||
	    (nl == 20 && strncasecmp(name, "x-amz-security-token", 20) == 0))
		fprintf(stderr, "%s %.*s: [redacted]\n", dir, (int)nl, name);
	else {
		/* a server's header bytes are not trusted with a terminal */
		char v[512];
		size_t i, n = vl < sizeof(v) ? vl : sizeof(v);
		for (i = 0; i < n; i++)
			v[i] = (unsigned char)val[i] >= ' ' && val[i] != 0x7f ?
			    val[i] : '?';
		fprintf(stderr, "%s %.*s: %.*s%s\n", dir, (int)nl, name, (int)n,
		    v, n < vl ? "..." : "");
	}
}

static int
rx_status(void *ctx, int code)
{
	struct rx *r = ctx;

	r->c->status = code;
	r->ok_status = (code >= 200 && code < 300);
	if (r->c->t_first_byte_us == 0)
		r->c->t_first_byte_us = bk_port_mono_us();
	if (r->c->trace)
		fprintf(stderr, "< HTTP %d\n", code);
	return 0;
}

static int
rx_header(void *ctx, const char *name, size_t nl, const char *val, size_t vl)
{
	struct rx *r = ctx;

	if (r->c->trace)
		trace_line("<", name, nl, val, vl);
	if (nl == 16 && strncasecmp(name, "x-amzn-requestid", 16) == 0) {
		size_t i, n = vl < sizeof(r->c->request_id) - 1 ? vl :
		    sizeof(r->c->request_id) - 1;
		/* printed with -v and in errors: keep it to printable ASCII */
		for (i = 0; i < n; i++)
			r->c->request_id[i] = val[i] > ' ' && val[i] < 0x7f ?
			    val[i] : '?';
		r->c->request_id[n] = '\0';
	} else if (nl == 16 && strncasecmp(name, "x-amzn-errortype", 16) == 0) {
		size_t n = vl < sizeof(r->errtype) ? vl : sizeof(r->errtype);
		memcpy(r->errtype, val, n);
		r->errtype_len = n;
	} else if (nl == 4 && strncasecmp(name, "date", 4) == 0) {
		/* the server's clock, for a signature refused as skewed */
		if (bk_time_parse_http(val, vl, &r->c->server_date) != BK_OK)
			r->c->server_date = 0;
	} else if (nl == 11 && strncasecmp(name, "retry-after", 11) == 0) {
		size_t n = vl < sizeof(r->c->retry_after) - 1 ? vl :
		    sizeof(r->c->retry_after) - 1;
		memcpy(r->c->retry_after, val, n);
		r->c->retry_after[n] = '\0';
	} else if (nl == 12 && strncasecmp(name, "content-type", 12) == 0) {
		r->is_evs = (vl >= 31 &&
		    strncasecmp(val, "application/vnd.amazon.eventstream", 31)
		    == 0);
	}
	return 0;
}

/* Record a decoding failure as the call's error: it aborts the transfer. */
static int
rx_fail(struct rx *r, enum bk_err e, const char *what)
{
	struct bk_buf b;

	r->c->err = e;
	bk_buf_init(&b, r->c->detail, sizeof(r->c->detail));
	bk_buf_puts(&b, what);
	return 1;
}

static int
rx_body(void *ctx, const uint8_t *p, size_t n)
{
	struct rx *r = ctx;
	struct bk_call *c = r->c;

	if (!r->ok_status) {
		/* keep the error body (bounded) for the service message */
		size_t room = BK_ERROR_BODY_MAX - r->errbody_len;
		if (r->errbody == NULL) {
			r->errbody = malloc(BK_ERROR_BODY_MAX);
			if (r->errbody == NULL)
				return rx_fail(r, BK_E_NOMEM, "out of memory");
		}
		if (n > room)
			n = room;
		memcpy(r->errbody + r->errbody_len, p, n);
		r->errbody_len += n;
		return 0;
	}
	if (!r->is_evs)
		return rx_fail(r, BK_E_HTTP, "the response is not an event "
		    "stream (Content-Type is not "
		    "application/vnd.amazon.eventstream); is the endpoint a "
		    "Bedrock runtime endpoint?");
	while (n > 0) {
		struct bk_stream_event ev;
		size_t used;
		enum bk_evs_status s = bk_evs_push(&r->evs, p, n, &used);
		enum bk_err e;

		p += used;
		n -= used;
		if (s == BK_EVS_NEED_MORE)
			break;
		if (s == BK_EVS_ERROR) {
			char msg[256];
			struct bk_buf b;
			bk_buf_init(&b, msg, sizeof(msg));
			bk_evs_describe(&r->evs, &b);
			return rx_fail(r, r->evs.err, msg);
		}
		e = bk_stream_message(&r->st, &r->evs.msg, &ev);
		if (e != BK_OK) {
			c->err = e;
			return 1;
		}
		if (ev.raw != NULL && c->on_event != NULL)
			c->on_event(c->ctx, ev.raw, ev.raw_len);
		if (ev.kind == BK_SEV_TEXT && ev.text_len > 0) {
			if (c->t_first_text_us == 0)
				c->t_first_text_us = bk_port_mono_us();
			c->text_bytes += ev.text_len;
			if (c->on_text != NULL &&
			    c->on_text(c->ctx, ev.text, ev.text_len) != 0) {
				c->err = BK_E_INTERRUPTED;
				return 1;
			}
		}
	}
	return 0;
}

/* "https://host:port/prefix" -> authority "host:port" and the prefix. */
static enum bk_err
split_endpoint(const char *ep, const char **auth, size_t *alen,
    const char **prefix, size_t *plen)
{
	const char *p, *slash;

	if (strncmp(ep, "https://", 8) == 0)
		p = ep + 8;
	else if (strncmp(ep, "http://", 7) == 0)
		p = ep + 7;   /* an explicit plain-http override (LocalStack) */
	else
		return BK_E_ENDPOINT;
	slash = strchr(p, '/');
	*auth = p;
	*alen = slash ? (size_t)(slash - p) : strlen(p);
	*prefix = slash ? slash : "";
	*plen = strlen(*prefix);
	while (*plen > 0 && (*prefix)[*plen - 1] == '/')
		(*plen)--;
	if (*alen == 0 || memchr(p, '?', *alen) || memchr(p, '#', *alen) ||
	    memchr(p, '@', *alen) || memchr(p, ' ', *alen))
		return BK_E_ENDPOINT;
	return BK_OK;
}

enum bk_err
bk_call_stream(struct bk_call *c)
{
	static struct rx r;
	char url[4096], path[2048];
	struct bk_buf ub, pb;
	const char *auth, *prefix;
	size_t alen, plen;
	struct bk_header sh[3], hh[9];
	struct bk_sigv4_request sreq;
	struct bk_sigv4_params sp;
	struct bk_http_request hr;
	struct bk_http_sink sink;
	struct bk_svc_context sctx;
	size_t nh = 0;
	enum bk_err e;

	c->err = BK_OK;
	c->status = 0;
	c->detail[0] = c->request_id[0] = c->stop_reason[0] = '\0';
	c->retry_after[0] = '\0';
	c->server_date = 0;
	c->model_reported[0] = '\0';
	memset(&c->svc, 0, sizeof(c->svc));
	memset(&c->perr, 0, sizeof(c->perr));
	memset(&c->usage, 0, sizeof(c->usage));
	c->text_bytes = 0;
	c->t_start_us = bk_port_mono_us();
	c->t_first_byte_us = c->t_first_text_us = c->t_end_us = 0;

	if (evs_buf == NULL) {
		evs_buf = malloc(BK_EVS_MSG_MAX);
		scratch = malloc(SCRATCH_CAP);
		if (evs_buf == NULL || scratch == NULL) {
			bk_call_free_buffers();
			return c->err = BK_E_NOMEM;
		}
	}

	/* URL and the signed path: the model ID is percent-encoded once on
	 * the wire; the signer encodes it again for the canonical URI */
	if (split_endpoint(c->endpoint, &auth, &alen, &prefix, &plen) !=
	    BK_OK) {
		struct bk_buf b;
		bk_buf_init(&b, c->detail, sizeof(c->detail));
		bk_buf_puts(&b, "endpoint must look like https://host[:port]/: ");
		bk_buf_puts(&b, c->endpoint);
		return c->err = BK_E_ENDPOINT;
	}
	bk_buf_init(&pb, path, sizeof(path));
	bk_buf_put(&pb, prefix, plen);
	bk_model_path(&pb, c->model, "invoke-with-response-stream");
	bk_buf_init(&ub, url, sizeof(url));
	bk_buf_put(&ub, c->endpoint, (size_t)(auth - c->endpoint));
	bk_buf_put(&ub, auth, alen);
	bk_buf_put(&ub, path, pb.len);
	if (bk_buf_err(&pb) != BK_OK || bk_buf_err(&ub) != BK_OK)
		return c->err = BK_E_LIMIT;

	sh[0].name = "host";
	sh[0].name_len = 4;
	sh[0].value = auth;
	sh[0].value_len = alen;
	sh[1].name = "content-type";
	sh[1].name_len = 12;
	sh[1].value = "application/json";
	sh[1].value_len = 16;
	sh[2].name = "accept";
	sh[2].name_len = 6;
	sh[2].value = "application/vnd.amazon.eventstream";
	sh[2].value_len = 34;
	memset(&sreq, 0, sizeof(sreq));
	sreq.method = "POST";
	sreq.path = path;
	sreq.path_len = pb.len;
	sreq.headers = sh;
	sreq.nheaders = 3;
	sreq.body = c->body;
	sreq.body_len = c->body_len;
	memset(&sp, 0, sizeof(sp));
	sp.region = c->region;
	sp.service = c->service ? c->service : "bedrock";
	sp.now = bk_port_now() + c->clock_offset;
	sp.mode = BK_SIGV4_HEADER;
	sp.double_encode = 1;
	if (c->bearer != NULL || c->creds.akid == NULL)
		e = BK_OK;   /* an API key, or a gateway that signs for us */
	else
		e = bk_sigv4_sign(&sig, c->key_cache, &sreq, &c->creds, &sp);
	if (e != BK_OK) {
		struct bk_buf b;
		bk_sigv4_wipe(&sig);
		bk_buf_init(&b, c->detail, sizeof(c->detail));
		bk_buf_puts(&b, "cannot sign the request: ");
		bk_buf_puts(&b, bk_strerror(e));
		return c->err = e;
	}

	/* the wire headers: what was signed, plus what signing produced */
	hh[nh].name = "Host"; hh[nh].name_len = 4;
	hh[nh].value = auth; hh[nh++].value_len = alen;
	hh[nh].name = "Content-Type"; hh[nh].name_len = 12;
	hh[nh].value = sh[1].value; hh[nh++].value_len = sh[1].value_len;
	hh[nh].name = "Accept"; hh[nh].name_len = 6;
	hh[nh].value = sh[2].value; hh[nh++].value_len = sh[2].value_len;
	if (c->bearer != NULL) {
		struct bk_buf ab;
		bk_buf_init(&ab, sig.authorization, sizeof(sig.authorization));
		bk_buf_puts(&ab, "Bearer ");
		bk_buf_puts(&ab, c->bearer);
		if (bk_buf_err(&ab) != BK_OK) {
			bk_sigv4_wipe(&sig);
			return c->err = BK_E_LIMIT;
		}
	} else if (c->creds.akid == NULL) {
		/* CLAUDE_CODE_SKIP_BEDROCK_AUTH: no Authorization at all */
		sig.authorization[0] = '\0';
	} else {
		hh[nh].name = "X-Amz-Date"; hh[nh].name_len = 10;
		hh[nh].value = sig.amz_date; hh[nh++].value_len = 16;
		if (c->creds.token != NULL && c->creds.token[0] != '\0') {
			hh[nh].name = "X-Amz-Security-Token";
			hh[nh].name_len = 20;
			hh[nh].value = c->creds.token;
			hh[nh++].value_len = strlen(c->creds.token);
		}
	}
	if (sig.authorization[0] != '\0') {
		hh[nh].name = "Authorization"; hh[nh].name_len = 13;
		hh[nh].value = sig.authorization;
		hh[nh++].value_len = strlen(sig.authorization);
	}
	hh[nh].name = "User-Agent"; hh[nh].name_len = 10;
	hh[nh].value = "bedrock-claude/" BK_VERSION;
	hh[nh].value_len = sizeof("bedrock-claude/" BK_VERSION) - 1;
	nh++;
	if (c->trace) {
		size_t i;
		fprintf(stderr, "> POST %s\n", url);
		for (i = 0; i < nh; i++)
			trace_line(">", hh[i].name, hh[i].name_len, hh[i].value,
			    hh[i].value_len);
	}

	memset(&r, 0, sizeof(r));
	r.c = c;
	bk_evs_init(&r.evs, evs_buf, BK_EVS_MSG_MAX);
	bk_stream_init(&r.st, scratch, SCRATCH_CAP);
	memset(&hr, 0, sizeof(hr));
	hr.method = "POST";
	hr.url = url;
	hr.headers = hh;
	hr.nheaders = nh;
	hr.body = c->body;
	hr.body_len = c->body_len;
	hr.ca_file = c->ca_file;
	hr.ca_pem = c->ca_pem;
	hr.ca_pem_len = c->ca_pem_len;
	hr.connect_timeout_ms = c->connect_timeout_ms;
	hr.idle_timeout_ms = c->idle_timeout_ms;
	sink.ctx = &r;
	sink.status = rx_status;
	sink.header = rx_header;
	sink.body = rx_body;

	e = bk_port_http(&hr, &sink, &c->perr);
	bk_sigv4_wipe(&sig);
	c->t_end_us = bk_port_mono_us();

	/* results the stream gathered, complete or not */
	c->usage = r.st.usage;
	memcpy(c->stop_reason, r.st.stop_reason, sizeof(c->stop_reason));
	memcpy(c->model_reported, r.st.model, sizeof(c->model_reported));
	c->metric_latency_ms = r.st.metric_latency_ms;
	c->metric_first_byte_ms = r.st.metric_first_byte_ms;
	sctx.model = c->model;
	sctx.region = c->region;
	sctx.operation = "InvokeModelWithResponseStream";

	/*
	 * Which failure tells the story, in order: our own decode error or the
	 * caller stopping us (not curl's "write error"); a transport error,
	 * unless message_stop had already arrived (a connection dropped after
	 * a complete answer loses nothing); a service error reply; a stream
	 * that ended inside a frame or before message_stop.
	 */
	if (c->err != BK_OK) {
		if (r.st.err != BK_OK && r.st.err == c->err)
			bk_svc_error_stream(&c->svc, c->err, r.st.err_type,
			    r.st.err_msg, &sctx);
	} else if (e != BK_OK && !(r.ok_status && r.st.stopped)) {
		c->err = e;
	} else if (!r.ok_status) {
		bk_svc_error_http(&c->svc, c->status, r.errtype, r.errtype_len,
		    r.errbody, r.errbody_len, &sctx);
		c->err = c->svc.code;
	} else if ((e = bk_evs_finish(&r.evs)) != BK_OK) {
		struct bk_buf b;
		c->err = e;
		bk_buf_init(&b, c->detail, sizeof(c->detail));
		bk_evs_describe(&r.evs, &b);
	} else if ((e = bk_stream_finish(&r.st)) != BK_OK) {
		c->err = e;
	}
	free(r.errbody);
	r.errbody = NULL;
	return c->err;
}
