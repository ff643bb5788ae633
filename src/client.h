/*
 * client.h -- one signed Bedrock call, streamed: the orchestration that
 * joins the core (signing, event stream, stream events, service errors)
 * to the port's HTTP exchange.
 *
 * The caller fills the inputs of a struct bk_call, then calls
 * bk_call_stream(); text deltas go to on_text as they arrive.  On return
 * the result fields say what happened; nothing is printed here.
 */
#ifndef BK_CLIENT_H
#define BK_CLIENT_H

#include "bedrock.h"
#include "port.h"

/* Error bodies are read up to this size; longer ones are cut. */
#define BK_ERROR_BODY_MAX 65536

struct bk_call {
	/* inputs */
	const char *endpoint;      /* "https://host[:port][/prefix]" */
	const char *region;        /* signing region */
	const char *service;       /* signing name, "bedrock" */
	const char *model;         /* model ID, profile ID or ARN */
	struct bk_creds creds;
	const char *bearer;        /* Bedrock API key: no SigV4 when set */
	const uint8_t *body;
	size_t body_len;
	const char *ca_file;       /* or ca_pem/ca_pem_len */
	const char *ca_pem;
	size_t ca_pem_len;
	uint32_t connect_timeout_ms;
	uint32_t idle_timeout_ms;
	int64_t clock_offset;      /* seconds added to the wall clock */
	struct bk_sigv4_cache *key_cache; /* may be NULL */
	int trace;                 /* request/response heads to stderr */
	int (*on_text)(void *ctx, const char *text, size_t n);
	/* every Anthropic stream event as Bedrock sent it (may be NULL) */
	void (*on_event)(void *ctx, const char *raw, size_t n);
	void *ctx;

	/* results */
	enum bk_err err;           /* BK_OK: a complete answer */
	int status;                /* HTTP status, 0 if none */
	struct bk_svc_error svc;   /* service error, when err is BK_E_SVC_* */
	struct bk_port_err perr;   /* transport detail */
	char detail[512];          /* one line for other errors */
	char request_id[128];
	int64_t server_date;       /* the reply's Date header; 0 if none */
	char retry_after[64];      /* its Retry-After, as sent; "" if none */
	struct bk_usage usage;
	char stop_reason[32];
	char model_reported[96];
	uint64_t text_bytes;       /* answer bytes handed to on_text */
	uint64_t t_start_us, t_first_byte_us, t_first_text_us, t_end_us;
	uint64_t metric_latency_ms, metric_first_byte_ms;
};

/* Bytes of memory bk_call_stream needs for decoding; allocated on first
 * use and kept (virtual until touched: a normal answer touches a few
 * KiB). */
enum bk_err bk_call_stream(struct bk_call *c);

/* Release the decode buffers (end of program). */
void bk_call_free_buffers(void);

#endif
