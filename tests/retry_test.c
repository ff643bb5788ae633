/*
 * retry_test.c -- the retry policy of src/retry.c: which failures are
 * retried, backoff bounds, Retry-After, the quota, the adaptive limiter.
 */
#include "check.h"
#include "retry.h"

static void
test_classify(void)
{
	static const struct {
		enum bk_err e;
		int status;
		const char *msg;
		enum bk_retry_class want;
	} t[] = {
		{ BK_E_SVC_THROTTLING, 429, "Rate exceeded", BK_RETRY_THROTTLE },
		{ BK_E_SVC_OTHER, 429, NULL, BK_RETRY_THROTTLE },
		{ BK_E_SVC_QUOTA, 400, "Too many tokens, please wait before "
		    "trying again.", BK_RETRY_THROTTLE },
		{ BK_E_SVC_QUOTA, 400, "You have exceeded the quota",
		    BK_RETRY_NO },
		{ BK_E_SVC_INTERNAL, 500, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_SVC_UNAVAILABLE, 503, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_SVC_MODEL_NOT_READY, 429, NULL, BK_RETRY_THROTTLE },
		{ BK_E_SVC_MODEL_NOT_READY, 400, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_SVC_OTHER, 502, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_SVC_OTHER, 504, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_SVC_OTHER, 501, NULL, BK_RETRY_NO },
		{ BK_E_SVC_MODEL_STREAM, 200, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_SVC_MODEL_TIMEOUT, 200, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_NET, 0, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_TIMEOUT, 0, NULL, BK_RETRY_TIMEOUT },
		{ BK_E_DNS, 0, NULL, BK_RETRY_DNS },
		{ BK_E_EVS_MESSAGE_CRC, 200, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_EVS_PRELUDE_CRC, 200, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_STREAM_INCOMPLETE, 200, NULL, BK_RETRY_TRANSIENT },
		{ BK_E_SVC_ACCESS_DENIED, 403, NULL, BK_RETRY_NO },
		{ BK_E_SVC_VALIDATION, 400, NULL, BK_RETRY_NO },
		{ BK_E_SVC_EXPIRED_TOKEN, 403, NULL, BK_RETRY_NO },
		{ BK_E_TLS, 0, NULL, BK_RETRY_NO },
		{ BK_E_INTERRUPTED, 0, NULL, BK_RETRY_NO },
		{ BK_E_NO_CREDENTIALS, 0, NULL, BK_RETRY_NO },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		check_ctx = bk_errname(t[i].e);
		CHECK(bk_retry_classify(t[i].e, t[i].status, t[i].msg) ==
		    t[i].want);
	}
	check_ctx = "";
}

static void
test_delay(void)
{
	unsigned r;

	/* full jitter under min(cap, base * 2^(r-1)) */
	CHECK(bk_retry_delay_ms(1, 0.0, 1000, 0) == 0);
	CHECK(bk_retry_delay_ms(1, 0.999, 1000, 0) == 999);
	CHECK(bk_retry_delay_ms(2, 0.5, 1000, 0) == 1000);
	CHECK(bk_retry_delay_ms(3, 0.5, 1000, 0) == 2000);
	CHECK(bk_retry_delay_ms(5, 0.5, 1000, 0) == 8000);
	for (r = 6; r < 40; r++)
		CHECK(bk_retry_delay_ms(r, 0.999, 1000, 0) < BK_RETRY_CAP_MS);
	CHECK(bk_retry_delay_ms(1000000, 0.5, 1000, 0) == BK_RETRY_CAP_MS / 2);
	/* a bad random number is not trusted */
	CHECK(bk_retry_delay_ms(1, 7.0, 1000, 0) == 500);
	/* Retry-After is a floor, capped */
	CHECK(bk_retry_delay_ms(1, 0.1, 1000, 4000) == 4000);
	CHECK(bk_retry_delay_ms(5, 0.9, 1000, 10) == 14400);
	CHECK(bk_retry_delay_ms(1, 0.1, 1000, 999999) ==
	    BK_RETRY_AFTER_MAX_MS);
}

static void
test_retry_after(void)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT = 784111777 */
	int64_t now = 784111777;

	CHECK(bk_retry_after_ms("2", 1, now) == 2000);
	CHECK(bk_retry_after_ms("0", 1, now) == 0);
	CHECK(bk_retry_after_ms("15 ", 3, now) == 15000);
	CHECK(bk_retry_after_ms("120", 3, now) == BK_RETRY_AFTER_MAX_MS);
	CHECK(bk_retry_after_ms("99999999999999999999", 20, now) ==
	    BK_RETRY_AFTER_MAX_MS);
	CHECK(bk_retry_after_ms("Sun, 06 Nov 1994 08:49:40 GMT", 29, now) ==
	    3000);
	CHECK(bk_retry_after_ms("Sun, 06 Nov 1994 08:49:30 GMT", 29, now) == 0);
	CHECK(bk_retry_after_ms("soon", 4, now) == 0);
	CHECK(bk_retry_after_ms("", 0, now) == 0);
	CHECK(bk_retry_after_ms("-1", 2, now) == 0);
}

static void
test_quota(void)
{
	struct bk_retry_quota q;
	unsigned taken = 0, n = 0;

	bk_retry_quota_init(&q);
	while (bk_retry_quota_take(&q, BK_RETRY_TRANSIENT, &taken))
		n++;
	CHECK(n == 100 && taken == 500);     /* 500 tokens, 5 a retry */
	bk_retry_quota_ok(&q, 0);            /* a call with no retry: +1 */
	CHECK(q.tokens == 1);
	bk_retry_quota_ok(&q, 10);
	CHECK(q.tokens == 11);
	taken = 0;
	CHECK(bk_retry_quota_take(&q, BK_RETRY_TIMEOUT, &taken) && taken == 10);
	CHECK(!bk_retry_quota_take(&q, BK_RETRY_TIMEOUT, &taken));
	bk_retry_quota_ok(&q, 100000);
	CHECK(q.tokens == 500);              /* never above the start */
}

static void
test_rate(void)
{
	struct bk_rate r;
	double t = 1000.0, w, total = 0;
	int i;

	bk_rate_init(&r, t);
	CHECK(bk_rate_acquire(&r, t) == 0);  /* off until a throttle */
	/* ten calls a second, then a throttle */
	for (i = 0; i < 30; i++) {
		t += 0.1;
		bk_rate_update(&r, 0, t);
	}
	CHECK(!r.enabled);
	bk_rate_update(&r, 1, t);
	CHECK(r.enabled);
	CHECK(r.fill_rate > 0 && r.fill_rate < 10);  /* cut by beta */
	/* sending faster than the fill rate waits */
	for (i = 0; i < 20; i++)
		total += bk_rate_acquire(&r, t);
	CHECK(total > 1.0);
	/* it never waits forever: the minimum fill rate */
	bk_rate_init(&r, t);
	bk_rate_update(&r, 1, t);
	w = bk_rate_acquire(&r, t);
	CHECK(w > 1.999 && w < 2.001);      /* one token at 0.5 a second */
	w = bk_rate_acquire(&r, t);         /* queued behind the first */
	CHECK(w > 3.999 && w < 4.001);
	/* after the throttle, success raises the rate again (CUBIC) */
	{
		double before = r.fill_rate;
		for (i = 0; i < 100; i++) {
			t += 0.1;
			bk_rate_update(&r, 0, t);
		}
		CHECK(r.fill_rate >= before);
	}
}

int
main(void)
{
	test_classify();
	test_delay();
	test_retry_after();
	test_quota();
	test_rate();
	check_summary("retry policy");
	return check_fail ? 1 : 0;
}
