/*
 * awsreq.h -- one small AWS request with a bounded reply: STS, SSO, IMDS,
 * the container endpoint, the Bedrock control plane.  Optionally signed
 * with SigV4; the reply body is collected (these answers are a few KiB;
 * streams use client.c instead).
 */
#ifndef BK_AWSREQ_H
#define BK_AWSREQ_H

#include "bedrock.h"
#include "port.h"

#define BK_AWSREQ_BODY_MAX (256u * 1024u)

struct bk_awsreq {
	/* inputs */
	const char *method;
	const char *url;               /* http:// or https:// */
	const struct bk_header *headers; /* extra headers, signed if signing */
	size_t nheaders;
	const uint8_t *body;
	size_t body_len;
	const struct bk_creds *sign;   /* NULL: not signed */
	const char *region;            /* signing region */
	const char *service;           /* signing name */
	int64_t clock_offset;
	const char *ca_file;
	const char *ca_pem;
	size_t ca_pem_len;
	uint32_t timeout_ms;           /* whole exchange; 0: 10 s */
	uint32_t connect_timeout_ms;   /* 0: port default */
	int no_proxy;                  /* IMDS and container: never proxied */
	int trace;

	/* results */
	int status;
	char *resp;                    /* malloc'd, NUL-terminated; free it */
	size_t resp_len;
	char content_type[96];
	char request_id[96];
	char error_type[128];          /* x-amzn-ErrorType */
	int64_t server_date;           /* Date header, 0 if none */
	struct bk_port_err perr;
};

/* Perform the request.  BK_OK means an HTTP reply arrived (any status);
 * transport failures return their code with perr filled. */
enum bk_err bk_awsreq_do(struct bk_awsreq *r);

/* Free and wipe the reply (it may hold credentials). */
void bk_awsreq_free(struct bk_awsreq *r);

#endif
