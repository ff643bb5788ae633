/*
 * doctor.h -- `bedrock-claude doctor`: the seed's diagnostic script as one
 * command, without the AWS CLI.
 *
 * The doctor does the program's set-up itself, one step at a time, so
 * that a failing step is reported (with its fix) instead of ending the
 * run: configuration files, region, credentials, trust and endpoints are
 * resolved the way run.c resolves them (same functions, same order), and
 * the checks that need a failed step are shown as skipped with the
 * reason.  The caller only parses the command line and initialises the
 * port (bk_port_init); it passes the built-in Amazon roots because they
 * are generated into one translation unit only (amazon_roots.h, run.c).
 *
 * Output (to in->out), one line per check, in this order:
 *
 *   ✓ NAME: DETAIL
 *   ✗ NAME: DETAIL; fix: HOW
 *   - NAME: skipped: WHY
 *
 * NAME is one of: config, region, credentials, identity, endpoints,
 * proxy, trust, clock, models, profiles, invocation.  A ✓ line may end
 * with "; warning: ..." (clock skew over 60 s, LEGACY model, credentials
 * about to expire, plain-http endpoint).  A failed credential chain adds
 * the sources it tried as indented lines under its ✗ line.  The last
 * line is
 *
 *   doctor: N checks passed, M failed
 *
 * The exit code is 0 when nothing failed, else the class of the first
 * failure: 2 configuration, 3 credentials (clock skew included: SigV4
 * refuses it), 4 network or TLS, 1 service, 5 corrupt reply.
 *
 * No secret is ever printed: every line is scrubbed of the secret key,
 * session token and API key before it is written, proxy passwords are
 * replaced by "***", and access keys are shown by their last 4
 * characters.
 */
#ifndef BK_DOCTOR_H
#define BK_DOCTOR_H

#include <stdio.h>

#include "bedrock.h"
#include "creds.h"

/*
 * Trust, in the order of run.c's choose_ca: AWS_CA_BUNDLE, the profile's
 * ca_bundle, SSL_CERT_FILE, the first readable system bundle, the built-in
 * Amazon roots.  A configured bundle that cannot be read is an error
 * (BK_E_CONFIG with t->error), never a silent fall-back.
 */
struct bk_trust {
	char file[1024];          /* the PEM file; "" when pem is used */
	const char *pem;          /* the built-in roots (static storage) */
	size_t pem_len;
	const char *from;         /* "AWS_CA_BUNDLE", "the profile's
	                             ca_bundle", "SSL_CERT_FILE", "the system
	                             bundle", "built in" */
	char error[1200];         /* why a configured bundle was refused */
};

/* c: loaded configuration (its profile's ca_bundle is read).  BK_OK, or
 * BK_E_CONFIG with t->error.  t is fully overwritten. */
enum bk_err bk_trust_choose(const struct bk_awsconf *c,
    const char *builtin_pem, size_t builtin_len, struct bk_trust *t);

struct bk_doctor_in {
	const char *profile_flag;   /* --profile, or NULL */
	const char *region_flag;    /* --region, or NULL */
	const char *model;          /* --model as given, or NULL */
	/*
	 * Optional: the model ID to send, once the region is known (aliases
	 * such as "sonnet", the configured default).  BK_OK with the ID in
	 * out, or an error with a one-line reason in out.  NULL: `model` is
	 * used as given, else bk_model_default(region).
	 */
	enum bk_err (*model_for)(void *ctx, const char *model,
	    const char *region, char *out, size_t cap);
	void *model_ctx;
	const char *builtin_ca_pem; /* bk_amazon_roots_pem */
	size_t builtin_ca_len;      /* its length, without the NUL */
	int trace;                  /* --debug: HTTP heads on stderr */
	int no_prompt;              /* never ask for an MFA code (stderr is
	                               not a terminal) */
	FILE *out;                  /* the report: stdout */
};

/* Run every check, print the report, return the exit code (see above).
 * Everything it resolved is wiped and freed before it returns. */
int bk_doctor_run(const struct bk_doctor_in *in);

#endif
