/*
 * retry.h -- when to try a Bedrock call again, and how long to wait.
 *
 * The AWS SDKs' "standard" retry mode, with the persistence Claude Code
 * shows: which failures are worth another attempt, capped exponential
 * backoff with full jitter, Retry-After honoured, and a retry quota (a
 * token bucket) so a storm of failures does not multiply the load;
 * "adaptive" mode adds the SDKs' client-side rate limiter (CUBIC).
 *
 * Pure: no clock, no randomness, no I/O.  The caller passes the time and
 * a random number in [0, 1) and does the sleeping (run.c).
 */
#ifndef BK_RETRY_H
#define BK_RETRY_H

#include <stdint.h>

#include "bedrock.h"

#define BK_RETRY_DEFAULT_ATTEMPTS 8u   /* survives three 503s in a row */
#define BK_RETRY_MAX_ATTEMPTS 21u      /* --max-retries 20 */
#define BK_RETRY_BASE_MS 1000u         /* the SDKs' base delay */
#define BK_RETRY_CAP_MS 20000u         /* the SDKs' MAX_BACKOFF */
#define BK_RETRY_AFTER_MAX_MS 60000u   /* a longer Retry-After is capped */

enum bk_retry_class {
	BK_RETRY_NO = 0,          /* stop: the error has its own fix */
	BK_RETRY_THROTTLE,        /* 429, ThrottlingException, Too many tokens */
	BK_RETRY_TRANSIENT,       /* 5xx, cut or corrupt streams, resets */
	BK_RETRY_TIMEOUT,         /* no byte for too long, connect timeout */
	BK_RETRY_DNS              /* a name that did not resolve: once */
};

/*
 * Classify a failed call: its error, HTTP status (0 if none) and the
 * service's message (may be NULL; "Too many tokens" is throttling
 * whatever the type says).
 */
enum bk_retry_class bk_retry_classify(enum bk_err e, int status,
    const char *message);
/* "throttled", "the service failed", "the stream broke", ... */
const char *bk_retry_reason(enum bk_err e, enum bk_retry_class k);

/*
 * The delay before retry number `retry` (1 for the first retry): full
 * jitter, rnd * min(cap, base * 2^(retry-1)); at least retry_after_ms
 * (the server's Retry-After, 0 if none, capped at BK_RETRY_AFTER_MAX_MS).
 */
uint32_t bk_retry_delay_ms(unsigned retry, double rnd, uint32_t base_ms,
    uint32_t retry_after_ms);

/*
 * Retry-After: delay-seconds or an HTTP date (now = the local clock).
 * Returns milliseconds, 0 if unusable.
 */
uint32_t bk_retry_after_ms(const char *v, size_t n, int64_t now);

/* The retry quota of the standard mode: 500 tokens, 5 per retry, 10 per
 * retry after a timeout, 1 back per call that needed no retry. */
struct bk_retry_quota {
	unsigned tokens;
};
void bk_retry_quota_init(struct bk_retry_quota *q);
/* Take the cost of one retry; 0 if the quota is spent (do not retry). */
int bk_retry_quota_take(struct bk_retry_quota *q, enum bk_retry_class k,
    unsigned *taken);
/* A call ended well: give back what its retries took, or 1. */
void bk_retry_quota_ok(struct bk_retry_quota *q, unsigned taken);

/*
 * The adaptive mode's client-side rate limiter (the SDKs' CUBIC token
 * bucket).  Disabled until the first throttle; then every send first
 * takes a token, waiting for the fill rate.
 */
struct bk_rate {
	int enabled;
	double fill_rate, max_capacity, current_capacity, last_timestamp;
	double measured_tx_rate, last_tx_rate_bucket, request_count;
	double last_max_rate, last_throttle_time, time_window;
};
void bk_rate_init(struct bk_rate *r, double now);
/* Seconds to wait before sending (0 if none), taking the token. */
double bk_rate_acquire(struct bk_rate *r, double now);
/* After each response: throttled or not. */
void bk_rate_update(struct bk_rate *r, int throttled, double now);

#endif
