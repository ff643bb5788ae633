/*
 * control.h -- the Bedrock control plane: which Claude models and
 * inference profiles this identity can see in this region.
 *
 *   bedrock-claude models   [--output json]   ListFoundationModels
 *   bedrock-claude profiles [--output json]   ListInferenceProfiles
 *
 * Both are SigV4 GETs (signing name "bedrock") to the control-plane
 * endpoint, chosen as the SDKs choose it (AWS_ENDPOINT_URL_BEDROCK,
 * AWS_ENDPOINT_URL, the profile's services section or endpoint_url, else
 * https://bedrock.REGION.amazonaws.com with FIPS and dual-stack rules).
 * A Bedrock API key (credentials with only `bearer` set) is sent as
 * "Authorization: Bearer" instead.
 *
 * Two layers:
 *  - bk_ctl_list_models() / bk_ctl_list_profiles() fetch and parse into
 *    row arrays the caller frees; a failure is described in a struct
 *    bk_ctl_result (service error with its fix, transport detail, the
 *    server's Date for a clock check).  doctor.c uses these.
 *  - bk_cmd_models() / bk_cmd_profiles() are the commands: an aligned
 *    table (or a JSON array) on stdout, or one line "what; fix: how" on
 *    stderr, and an exit code (0 ok, 1 service, 2 configuration,
 *    3 credentials, 4 network or TLS, 5 corrupt reply).
 *
 * The caller has loaded the configuration (bk_awsconf_load), resolved the
 * region (bk_region_resolve), set conf->ca_* and resolved credentials, as
 * run.c's bk_ctx_setup(BK_SETUP_REGION) and bk_ctx_credentials() do.
 * Nothing here prints a secret: service messages are scrubbed of the
 * secret key, session token and API key before they are shown.
 */
#ifndef BK_CONTROL_H
#define BK_CONTROL_H

#include <stdio.h>

#include "bedrock.h"
#include "creds.h"

/*
 * Page size asked of ListInferenceProfiles.  Not the API's maximum (1000):
 * a summary is ~0.8 KiB and bk_awsreq caps a reply at 256 KiB, so 100 a
 * page stays far below the cap; nextToken pages are followed.
 */
#define BK_CTL_PAGE_SIZE 100u
/* Pages followed at most (a server that never stops paging is an error). */
#define BK_CTL_MAX_PAGES 200u

struct bk_model_row {
	char id[160];             /* "anthropic.claude-sonnet-4-6" */
	char name[96];            /* "Claude Sonnet 4.6" */
	char lifecycle[16];       /* "ACTIVE", "LEGACY", "" if absent */
	char inference[64];       /* inferenceTypesSupported, joined by ',':
	                             ON_DEMAND, INFERENCE_PROFILE, PROVISIONED */
	int streaming;            /* responseStreamingSupported: 1, 0; -1
	                             when absent */
};

struct bk_profile_row {
	char id[160];             /* "us.anthropic.claude-sonnet-4-6" */
	char name[128];
	char status[16];          /* "ACTIVE" */
	char type[16];            /* "SYSTEM_DEFINED" or "APPLICATION" */
	char model[160];          /* the foundation model's ID */
	char regions[512];        /* regions of models[].modelArn, in order,
	                             each once, joined by ',' */
	int global;               /* a model ARN without a region: routes to
	                             any commercial region */
	char arn[320];
};

/* Rows are malloc'd and grow; free with the matching _free(). */
struct bk_model_list {
	struct bk_model_row *row;
	size_t n, cap;
};

struct bk_profile_list {
	struct bk_profile_row *row;
	size_t n, cap;
	unsigned pages;           /* HTTP requests it took */
};

/* What a listing call did; err BK_OK means the rows are complete. */
struct bk_ctl_result {
	enum bk_err err;
	const char *operation;    /* "ListFoundationModels", ... */
	int status;               /* HTTP status of the last reply, 0: none */
	struct bk_svc_error svc;  /* when err is BK_E_SVC_* */
	struct bk_port_err perr;  /* transport detail */
	char detail[256];         /* other failures (malformed reply...) */
	char endpoint[BK_ENDPOINT_URL_MAX];
	const char *endpoint_from;/* which setting chose the endpoint */
	int default_host;         /* the endpoint came from the rules (not
	                             configured): DNS failure = region issue */
	int bearer;               /* sent with a Bedrock API key */
	char request_id[96];
	int64_t server_date;      /* Date of the first reply, 0: none */
	int64_t local_date;       /* this machine's clock at that reply */
};

/*
 * ListFoundationModels?byProvider=Anthropic into out (rows appended).
 * c: loaded conf with region and CA set; cr: resolved credentials.
 * Returns res->err.  Free out with bk_model_list_free() either way.
 */
enum bk_err bk_ctl_list_models(const struct bk_awsconf *c,
    const struct bk_credentials *cr, struct bk_model_list *out,
    struct bk_ctl_result *res);
/*
 * ListInferenceProfiles, SYSTEM_DEFINED then APPLICATION, every page
 * (page_size per request, 1..1000; 0: BK_CTL_PAGE_SIZE), keeping the
 * profiles of Anthropic models.  Returns res->err.
 */
enum bk_err bk_ctl_list_profiles(const struct bk_awsconf *c,
    const struct bk_credentials *cr, uint32_t page_size,
    struct bk_profile_list *out, struct bk_ctl_result *res);
void bk_model_list_free(struct bk_model_list *l);
void bk_profile_list_free(struct bk_profile_list *l);

/*
 * Explain a failed listing: `what` gets "ListFoundationModels: HTTP 403
 * AccessDeniedException: ..." and `fix` what to do (the IAM action to
 * allow, the region, the CA bundle...).  Either buffer may be NULL.
 */
void bk_ctl_explain(const struct bk_ctl_result *res, const char *region,
    char *what, size_t wcap, char *fix, size_t fcap);

/* The program's exit code for an error (0 ok, 1 service, 2 usage or
 * configuration, 3 credentials, 4 network, 5 corrupt reply, 130). */
int bk_ctl_exit_code(enum bk_err e);

struct bk_ctl_opts {
	int json;                 /* --output json: a JSON array */
	uint32_t page_size;       /* --page-size (profiles); 0: default */
	FILE *out;                /* the listing (stdout) */
	FILE *err;                /* the error line (stderr) */
	const char *prog;         /* "bedrock-claude", prefix of the error */
};

/* The commands.  Return the exit code. */
int bk_cmd_models(const struct bk_awsconf *c, const struct bk_credentials *cr,
    const struct bk_ctl_opts *o);
int bk_cmd_profiles(const struct bk_awsconf *c,
    const struct bk_credentials *cr, const struct bk_ctl_opts *o);

#endif
