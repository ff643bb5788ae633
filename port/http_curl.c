/*
 * http_curl.c -- port.h's HTTP exchange over libcurl (HTTP/1.1, TLS by
 * BearSSL, proxies from the environment as curl reads them).
 *
 * One easy handle lives for the whole process so a chat reuses its TLS
 * connection.  The response is pushed into the caller's sink as curl
 * delivers it: nothing is buffered here.  Everything curl-specific stays
 * in this file, so a direct BearSSL-over-sockets transport can replace it
 * without touching the core (curl dropped BearSSL in 8.15).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "port.h"

static CURL *easy;

struct xfer {
	const struct bk_http_sink *sink;
	int aborted;          /* a sink callback asked to stop */
	int idle;             /* no byte for idle_ms: abandoned */
	uint64_t idle_ms, last_ms;
	int in_final;         /* headers of the final (non-1xx) response */
};

enum bk_err
bk_port_init(struct bk_port_err *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		if (err != NULL) {
			struct bk_buf b;
			err->code = BK_E_NET;
			bk_buf_init(&b, err->msg, sizeof(err->msg));
			bk_buf_puts(&b, "cannot initialise libcurl");
		}
		return BK_E_NET;
	}
	return BK_OK;
}

void
bk_port_cleanup(void)
{
	if (easy != NULL) {
		curl_easy_cleanup(easy);
		easy = NULL;
	}
	curl_global_cleanup();
}

const char *
bk_port_transport_version(void)
{
	return curl_version();
}

static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n, nl, vs;

	if (x->aborted)
		return 0;
	x->last_ms = bk_port_mono_ms();
	/* status line: "HTTP/1.1 200 OK"; 1xx interim responses are skipped */
	if (len >= 12 && memcmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', len);
		int code = 0, i;
		if (sp == NULL || (size_t)(sp - p) + 4 > len)
			return len;
		for (i = 1; i <= 3; i++) {
			char c = sp[i];
			if (c < '0' || c > '9')
				return len;
			code = code * 10 + (c - '0');
		}
		x->in_final = code >= 200;
		if (x->in_final && x->sink->status != NULL &&
		    x->sink->status(x->sink->ctx, code) != 0) {
			x->aborted = 1;
			return 0;
		}
		return len;
	}
	if (!x->in_final || x->sink->header == NULL)
		return len;
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	for (nl = 0; nl < len && p[nl] != ':'; nl++)
		;
	if (nl == 0 || nl == len)
		return size * n;
	vs = nl + 1;
	while (vs < len && (p[vs] == ' ' || p[vs] == '\t'))
		vs++;
	if (x->sink->header(x->sink->ctx, p, nl, p + vs, len - vs) != 0) {
		x->aborted = 1;
		return 0;
	}
	return size * n;
}

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	if (x->aborted)
		return 0;
	x->last_ms = bk_port_mono_ms();
	if (x->sink->body != NULL &&
	    x->sink->body(x->sink->ctx, (const uint8_t *)p, len) != 0) {
		x->aborted = 1;
		return 0;
	}
	return len;
}

/* Called by curl at least once a second and whenever poll() returns
 * (a signal makes it return EINTR): Ctrl-C stops the transfer at once,
 * and a stream that sent nothing for idle_ms is abandoned (curl's own
 * low-speed limit averages over several seconds and reacts late). */
static int
on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	struct xfer *x = ud;

	(void)dt, (void)dn, (void)ut, (void)un;
	if (bk_port_signal() != 0) {
		x->aborted = 1;
		return 1;
	}
	if (x->idle_ms > 0 && bk_port_mono_ms() - x->last_ms > x->idle_ms) {
		x->idle = 1;
		return 1;
	}
	return 0;
}

static enum bk_err
map_code(CURLcode rc)
{
	switch ((int)rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return BK_E_DNS;
	case CURLE_COULDNT_RESOLVE_PROXY:
		return BK_E_PROXY;
	case CURLE_OPERATION_TIMEDOUT:
		return BK_E_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return BK_E_TLS;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return BK_E_ENDPOINT;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_HTTP2:
	case CURLE_BAD_CONTENT_ENCODING:
		return BK_E_HTTP;
	case CURLE_OUT_OF_MEMORY:
		return BK_E_NOMEM;
	default:
		return BK_E_NET;
	}
}

enum bk_err
bk_port_http(const struct bk_http_request *req,
    const struct bk_http_sink *sink, struct bk_port_err *err)
{
	struct curl_slist *hl = NULL, *it;
	struct xfer x;
	char ebuf[CURL_ERROR_SIZE];
	char line[8192];
	CURLcode rc;
	size_t i;
	enum bk_err e = BK_OK;

	memset(&x, 0, sizeof(x));
	x.sink = sink;
	ebuf[0] = '\0';
	if (easy == NULL) {
		easy = curl_easy_init();
		if (easy == NULL) {
			e = BK_E_NOMEM;
			goto fail;
		}
	} else {
		curl_easy_reset(easy);
	}
	for (i = 0; i < req->nheaders; i++) {
		const struct bk_header *h = &req->headers[i];
		struct bk_buf b;
		struct curl_slist *n;
		bk_buf_init(&b, line, sizeof(line));
		bk_buf_put(&b, h->name, h->name_len);
		if (h->value_len == 0) {
			bk_buf_putc(&b, ';');  /* curl's "send empty header" */
		} else {
			bk_buf_puts(&b, ": ");
			bk_buf_put(&b, h->value, h->value_len);
		}
		if (bk_buf_err(&b) != BK_OK) {
			e = BK_E_LIMIT;
			goto fail;
		}
		n = curl_slist_append(hl, line);
		if (n == NULL) {
			e = BK_E_NOMEM;
			goto fail;
		}
		hl = n;
	}
	/* curl < 8 adds "Expect: 100-continue" to POSTs over 1 KiB, which
	 * costs a round trip; and an empty Accept-Encoding keeps it plain */
	if ((it = curl_slist_append(hl, "Expect:")) == NULL) {
		e = BK_E_NOMEM;
		goto fail;
	}
	hl = it;

	curl_easy_setopt(easy, CURLOPT_URL, req->url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(easy, CURLOPT_XFERINFODATA, &x);
	if (req->ca_file != NULL) {
		curl_easy_setopt(easy, CURLOPT_CAINFO, req->ca_file);
	} else if (req->ca_pem != NULL) {
		struct curl_blob blob;
		blob.data = (void *)(uintptr_t)req->ca_pem;
		blob.len = req->ca_pem_len;
		blob.flags = CURL_BLOB_NOCOPY;
		curl_easy_setopt(easy, CURLOPT_CAINFO, NULL);
		curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(easy, CURLOPT_POST, 1L);
		curl_easy_setopt(easy, CURLOPT_POSTFIELDS,
		    req->body ? (const char *)req->body : "");
		curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		if (strcmp(req->method, "POST") != 0)
			curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST,
			    req->method);
	}
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(req->connect_timeout_ms ? req->connect_timeout_ms : 10000));
	x.idle_ms = req->idle_timeout_ms;
	x.last_ms = bk_port_mono_ms();
	if (req->no_proxy)
		curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
	if (req->total_timeout_ms > 0)
		curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS,
		    (long)req->total_timeout_ms);

	rc = curl_easy_perform(easy);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, NULL);
	if (rc == CURLE_OK)
		e = BK_OK;
	else if (x.aborted)
		e = BK_E_INTERRUPTED;
	else if (x.idle) {
		e = BK_E_TIMEOUT;
		snprintf(ebuf, sizeof(ebuf), "no data for %llu s",
		    (unsigned long long)(x.idle_ms / 1000));
	}
	else if (rc == CURLE_RECV_ERROR && strstr(ebuf, "chunked") != NULL)
		e = BK_E_HTTP;  /* broken chunked framing: a corrupt reply */
	else if (rc == CURLE_OUT_OF_MEMORY) {
		/* curl's answer to a header line past its 100 KiB limit; a real
		 * shortage of memory is far less likely here */
		e = BK_E_HTTP;
		snprintf(ebuf, sizeof(ebuf), "the response head is too large "
		    "(a header line over 100 KiB), or memory ran out");
	}
	else
		e = map_code(rc);
fail:
	if (e != BK_OK && err != NULL) {
		struct bk_buf b;
		err->code = e;
		bk_buf_init(&b, err->msg, sizeof(err->msg));
		bk_buf_puts(&b, ebuf[0] ? ebuf : bk_strerror(e));
	}
	/* the slist holds Authorization and the session token */
	for (it = hl; it != NULL; it = it->next)
		bk_wipe(it->data, strlen(it->data));
	curl_slist_free_all(hl);
	bk_wipe(line, sizeof(line));
	return e;
}
