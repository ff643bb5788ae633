/*
 * retry.c -- the retry policy (see retry.h).
 */
#include <math.h>
#include <string.h>

#include "retry.h"

enum bk_retry_class
bk_retry_classify(enum bk_err e, int status, const char *message)
{
	/* Bedrock says "Too many tokens, please wait before trying again."
	 * under more than one exception type */
	if (status == 429 || (message != NULL &&
	    (strstr(message, "Too many tokens") != NULL ||
	    strstr(message, "Too many requests") != NULL)))
		return BK_RETRY_THROTTLE;
	switch ((int)e) {
	case BK_E_SVC_THROTTLING:
		return BK_RETRY_THROTTLE;
	case BK_E_SVC_INTERNAL:
	case BK_E_SVC_UNAVAILABLE:
	case BK_E_SVC_MODEL_NOT_READY:
	case BK_E_SVC_MODEL_STREAM:
	case BK_E_SVC_MODEL_TIMEOUT:
	case BK_E_STREAM_ERROR_EVENT:   /* overloaded_error and the like */
	case BK_E_NET:                  /* refused, reset, cut */
	case BK_E_HTTP:                 /* garbled framing (a proxy, a cut) */
	case BK_E_STREAM_INCOMPLETE:
	case BK_E_EVS_PRELUDE_CRC:
	case BK_E_EVS_MESSAGE_CRC:
	case BK_E_EVS_TRUNCATED:
		return BK_RETRY_TRANSIENT;
	case BK_E_TIMEOUT:
		return BK_RETRY_TIMEOUT;
	case BK_E_DNS:
		return BK_RETRY_DNS;
	case BK_E_SVC_OTHER:
		return status == 500 || status == 502 || status == 503 ||
		    status == 504 ? BK_RETRY_TRANSIENT : BK_RETRY_NO;
	default:
		return BK_RETRY_NO;
	}
}

const char *
bk_retry_reason(enum bk_err e, enum bk_retry_class k)
{
	switch (k) {
	case BK_RETRY_THROTTLE:
		return "throttled";
	case BK_RETRY_TIMEOUT:
		return "no data for too long";
	case BK_RETRY_DNS:
		return "the host name did not resolve";
	case BK_RETRY_TRANSIENT:
		if (e == BK_E_NET)
			return "the connection failed";
		if (e >= BK_E_SVC_ACCESS_DENIED && e <= BK_E_SVC_OTHER)
			return "the service failed";
		return "the stream broke";
	case BK_RETRY_NO:
	default:
		return "failed";
	}
}

uint32_t
bk_retry_delay_ms(unsigned retry, double rnd, uint32_t base_ms,
    uint32_t retry_after_ms)
{
	double ceil_ms = base_ms;
	uint32_t d;

	while (retry > 1 && ceil_ms < BK_RETRY_CAP_MS) {
		ceil_ms *= 2;
		retry--;
	}
	if (ceil_ms > BK_RETRY_CAP_MS)
		ceil_ms = BK_RETRY_CAP_MS;
	if (rnd < 0 || rnd >= 1)
		rnd = 0.5;
	d = (uint32_t)(rnd * ceil_ms);
	if (retry_after_ms > BK_RETRY_AFTER_MAX_MS)
		retry_after_ms = BK_RETRY_AFTER_MAX_MS;
	return d > retry_after_ms ? d : retry_after_ms;
}

uint32_t
bk_retry_after_ms(const char *v, size_t n, int64_t now)
{
	uint64_t s = 0;
	size_t i;
	int64_t t;

	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	for (i = 0; i < n && v[i] >= '0' && v[i] <= '9'; i++)
		if ((s = s * 10 + (uint64_t)(v[i] - '0')) > 86400)
			return BK_RETRY_AFTER_MAX_MS;
	if (n > 0 && i == n)
		return s * 1000 > BK_RETRY_AFTER_MAX_MS ?
		    BK_RETRY_AFTER_MAX_MS : (uint32_t)(s * 1000);
	if (bk_time_parse_http(v, n, &t) != BK_OK || t <= now)
		return 0;
	return t - now > 60 ? BK_RETRY_AFTER_MAX_MS : (uint32_t)(t - now) * 1000u;
}

/* ---- the retry quota -------------------------------------------------- */

#define QUOTA_INITIAL 500u
#define QUOTA_RETRY 5u
#define QUOTA_TIMEOUT 10u

void
bk_retry_quota_init(struct bk_retry_quota *q)
{
	q->tokens = QUOTA_INITIAL;
}

int
bk_retry_quota_take(struct bk_retry_quota *q, enum bk_retry_class k,
    unsigned *taken)
{
	unsigned cost = k == BK_RETRY_TIMEOUT ? QUOTA_TIMEOUT : QUOTA_RETRY;

	if (q->tokens < cost)
		return 0;
	q->tokens -= cost;
	*taken += cost;
	return 1;
}

void
bk_retry_quota_ok(struct bk_retry_quota *q, unsigned taken)
{
	q->tokens += taken > 0 ? taken : 1;
	if (q->tokens > QUOTA_INITIAL)
		q->tokens = QUOTA_INITIAL;
}

/* ---- the adaptive mode's rate limiter --------------------------------- */
/* Constants and steps of the SDKs' client rate limiter (CUBIC). */
#define MIN_FILL_RATE 0.5
#define MIN_CAPACITY 1.0
#define SMOOTH 0.8
#define BETA 0.7
#define SCALE_CONSTANT 0.4

void
bk_rate_init(struct bk_rate *r, double now)
{
	memset(r, 0, sizeof(*r));
	r->last_timestamp = now;
	r->last_tx_rate_bucket = floor(now);
	r->last_throttle_time = now;
}

static void
rate_refill(struct bk_rate *r, double now)
{
	double c = r->current_capacity + (now - r->last_timestamp) *
	    r->fill_rate;

	r->current_capacity = c < r->max_capacity ? c : r->max_capacity;
	r->last_timestamp = now;
}

double
bk_rate_acquire(struct bk_rate *r, double now)
{
	double wait;

	if (!r->enabled)
		return 0;
	rate_refill(r, now);
	if (r->current_capacity >= 1) {
		r->current_capacity -= 1;
		return 0;
	}
	/* wait for the missing fraction of a token, then spend it */
	wait = (1 - r->current_capacity) / r->fill_rate;
	r->current_capacity = 0;
	r->last_timestamp = now + wait;
	return wait;
}

static void
rate_measure(struct bk_rate *r, double now)
{
	double bucket = floor(now * 2) / 2;

	r->request_count += 1;
	if (bucket > r->last_tx_rate_bucket) {
		double rate = r->request_count / (bucket -
		    r->last_tx_rate_bucket);
		r->measured_tx_rate = rate * SMOOTH + r->measured_tx_rate *
		    (1 - SMOOTH);
		r->request_count = 0;
		r->last_tx_rate_bucket = bucket;
	}
}

void
bk_rate_update(struct bk_rate *r, int throttled, double now)
{
	double calculated, new_rate;

	rate_measure(r, now);
	if (throttled) {
		double use = r->enabled && r->fill_rate < r->measured_tx_rate ?
		    r->fill_rate : r->measured_tx_rate;
		r->last_max_rate = use;
		r->time_window = cbrt(r->last_max_rate * (1 - BETA) /
		    SCALE_CONSTANT);
		r->last_throttle_time = now;
		calculated = use * BETA;
		r->enabled = 1;
	} else {
		double dt;
		r->time_window = cbrt(r->last_max_rate * (1 - BETA) /
		    SCALE_CONSTANT);
		dt = now - r->last_throttle_time - r->time_window;
		calculated = SCALE_CONSTANT * dt * dt * dt + r->last_max_rate;
	}
	new_rate = calculated < 2 * r->measured_tx_rate ? calculated :
	    2 * r->measured_tx_rate;
	rate_refill(r, now);
	r->fill_rate = new_rate > MIN_FILL_RATE ? new_rate : MIN_FILL_RATE;
	r->max_capacity = new_rate > MIN_CAPACITY ? new_rate : MIN_CAPACITY;
	if (r->current_capacity > r->max_capacity)
		r->current_capacity = r->max_capacity;
}
