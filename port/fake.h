/*
 * fake.h -- control of the fake port (port/fake.c) used by unit tests:
 * a fixed clock, a private environment, and scripted HTTP exchanges whose
 * bytes are delivered in pieces of a chosen size.
 */
#ifndef BK_FAKE_H
#define BK_FAKE_H

#include "port.h"

#define BK_FAKE_MAX_ENV 32
#define BK_FAKE_MAX_REPLIES 8

struct bk_fake_request {
	char method[16];
	char url[2048];
	char headers[8192];     /* "Name: value\n" lines */
	uint8_t body[65536];
	size_t body_len;
};

void bk_fake_reset(void);
void bk_fake_set_time(int64_t t);
void bk_fake_setenv(const char *name, const char *value);
/*
 * Queue a reply: status, header lines ("Name: value\n..."), body bytes
 * delivered `piece` bytes at a time (0: all at once), then `after`
 * (BK_OK for a clean end, BK_E_NET for a cut connection).
 */
void bk_fake_reply(int status, const char *headers, const void *body,
    size_t len, size_t piece, enum bk_err after);
/* Requests seen so far, oldest first. */
const struct bk_fake_request *bk_fake_request(size_t i);
size_t bk_fake_nrequests(void);

#endif
