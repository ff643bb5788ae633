/*
 * creds.h -- AWS configuration, credentials, region and endpoints,
 * resolved the way the AWS SDKs resolve them.
 *
 * bk_awsconf_load() gathers what every later step reads: the selected
 * profile and the two shared files.  bk_creds_resolve() runs the chain:
 *
 *   1. environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN)
 *   2. web identity (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), unless
 *      AWS_PROFILE selects a profile that configures credentials
 *   3. the profile: static keys, role chains (source_profile,
 *      credential_source), web_identity_token_file, SSO, credential_process
 *   4. the container endpoint (ECS, EKS Pod Identity)
 *   5. EC2 instance metadata (IMDSv2)
 *
 * An explicit --profile skips 1 and 2, as the AWS CLI does.  Each source
 * that does not apply is noted in the report, so "no credentials" can say
 * what was tried.  Secrets live only in struct bk_credentials; wipe it.
 */
#ifndef BK_CREDS_H
#define BK_CREDS_H

#include "bedrock.h"
#include "port.h"

#define BK_CONFIG_FILE_MAX (1024u * 1024u)   /* refuse larger files */

struct bk_awsconf {
	char profile[128];
	const char *profile_from;     /* "--profile", "AWS_PROFILE", "default" */
	int profile_explicit;         /* --profile: env credentials skipped */
	char home[1024];
	char config_path[1024];
	char credentials_path[1024];
	char *config_text;            /* malloc'd; wiped on free */
	char *credentials_text;
	struct bk_profile_files files;
	char region[64];              /* filled by bk_region_resolve */
	char region_bad[128];         /* the value refused, for the message */
	const char *region_from;
	/* trust and tracing for the calls the chain makes */
	const char *ca_file;
	const char *ca_pem;
	size_t ca_pem_len;
	int trace;
	int64_t clock_offset;
	int no_prompt;                /* never ask for an MFA code */
};

/* Load the files of the selected profile (profile_flag: --profile or
 * NULL).  A malformed file gives BK_E_CONFIG with "file:line: what" in msg.
 * Call bk_awsconf_free() afterwards whatever the result. */
enum bk_err bk_awsconf_load(struct bk_awsconf *c, const char *profile_flag,
    char *msg, size_t cap);
void bk_awsconf_free(struct bk_awsconf *c);
/* A setting of the selected profile (BK_E_NOT_FOUND if unset). */
enum bk_err bk_awsconf_get(const struct bk_awsconf *c, const char *key,
    char *out, size_t cap);
/* "true"/"false" settings, env first then profile; -1 for an invalid
 * value. */
int bk_awsconf_flag(const struct bk_awsconf *c, const char *env,
    const char *key);

struct bk_credentials {
	char akid[160];
	char secret[320];
	char token[8192];
	char account_id[32];
	int64_t expiration;           /* seconds since epoch; 0: none */
	char source[512];             /* how they were found, no secret */
	char bearer[4096];            /* AWS_BEARER_TOKEN_BEDROCK */
};

struct bk_chain_report {
	char tried[2048];             /* one line per source tried */
	char error[768];              /* why the chain stopped */
	enum bk_err code;
};

enum bk_err bk_creds_resolve(struct bk_awsconf *c, struct bk_credentials *out,
    struct bk_chain_report *rep);
void bk_credentials_wipe(struct bk_credentials *cr);
/* Wipe what the chain keeps between calls (the IMDS session token). */
void bk_creds_forget(void);
/* 1 if the credentials expire within `margin` seconds of now. */
int bk_creds_expiring(const struct bk_credentials *cr, int64_t now,
    int64_t margin);

/* Region: flag, AWS_REGION, AWS_DEFAULT_REGION, the profile, then the
 * instance's region from IMDS.  BK_E_NO_REGION if none. */
enum bk_err bk_region_resolve(struct bk_awsconf *c, const char *flag);

/*
 * The endpoint of a service as the SDKs choose it: AWS_ENDPOINT_URL_<ID>,
 * AWS_ENDPOINT_URL, the profile's [services] section, its endpoint_url
 * (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS), else the rules with FIPS
 * and dual-stack settings.  env_id: "BEDROCK_RUNTIME"; services_key:
 * "bedrock_runtime"; prefix: the host prefix ("bedrock-runtime").
 * *from says which source won.
 */
enum bk_err bk_service_endpoint(const struct bk_awsconf *c, const char *env_id,
    const char *services_key, const char *prefix, const char *region,
    struct bk_endpoint *out, const char **from);

/* The container endpoint's URL from AWS_CONTAINER_CREDENTIALS_*_URI, and
 * the instance metadata base URL: exposed for their table tests. */
enum bk_err bk_container_uri(char *out, size_t cap, char *why, size_t wcap);
enum bk_err bk_imds_base(const struct bk_awsconf *c, char *out, size_t cap,
    char *why, size_t wcap);

#endif
