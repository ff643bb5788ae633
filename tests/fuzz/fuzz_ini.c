/*
 * fuzz_ini.c -- libFuzzer target for the shared config and credentials
 * files: the walker (bk_ini_init/next), the lookups built on it
 * (bk_profile_get/exists/check, bk_ini_subprop), credential plans
 * (bk_profile_plan: role chains, named sources, web identity, SSO and
 * sso-session sections, credential_process) and what creds.c reads
 * through them ([services] endpoints, flags, the region).
 *
 * Input: one flags byte, then the config file, then optionally
 * "\0CREDENTIALS\0" and the credentials file.  flags & 7 picks the
 * line of the credentials file before which the target plants a profile
 * holding a marker secret key and session token; flags & 8 picks a small
 * value buffer for the walker (64 bytes instead of BK_INI_VALUE_MAX);
 * flags & 0x30 == 0x30 makes the lookups parse every line even when
 * bk_profile_check() passed (otherwise they jump section to section).
 *
 * Checks (abort() on a violation):
 *  - the walker: every item lies inside the text, section and property
 *    names are valid when their section is not ignored, values are
 *    NUL-terminated inside the buffer, line numbers never go back and
 *    stay within the file, an error is a static one-line text and ends
 *    the walk, the walk ends;
 *  - bk_profile_get() returns, for the first 16 (section, key) pairs the
 *    files define and some they do not, the value a model of the documented rules
 *    gives (the last definition wins, credentials over config, "[profile
 *    default]" hides "[default]" in the config file, keys are
 *    case-insensitive, sso-session and services sections live in the
 *    config file only); bk_profile_exists() and bk_profile_check() agree
 *    with the walk;
 *  - bk_ini_subprop() results are NUL-terminated and trimmed;
 *  - bk_profile_plan() of "default" and the first two profiles named: a
 *    documented result, NUL-terminated fields, at most 32 links, each
 *    link's profile exists, a base that matches the profile's keys, the
 *    same plan twice (the first); the error is one clean line; the marker
 *    secret appears in no field of the plan and in no message;
 *  - creds.c on the same files: bk_service_endpoint() gives an http(s)
 *    URL or a clean error, bk_region_resolve() a valid region or none.
 *
 * Built with clang -fsanitize=fuzzer (make build/fuzz/fuzz_ini) and,
 * with -DREPLAY, included by replay.c: every helper is static, prefix fi_.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bedrock.h"
#include "creds.h"
#include "fuzz_port.h"

#define FI_SECRET "fiSecretKeyMARKER/4a7c1e9b3d"
#define FI_TOKEN "fiSessionTokenMARKER+8d2f6a0c"
#define FI_SEP "\0CREDENTIALS\0"
#define FI_SEP_LEN 13
#define FI_MAX_PROPS 4096
#define FI_PLAN_NAMES 3    /* profiles planned per input */
#define FI_GETS 16         /* properties whose lookups are checked */

/* One property of the walk, for the model. */
struct fi_prop {
	enum bk_ini_file file;
	enum bk_ini_kind kind;
	const char *name;
	size_t name_len;
	int prefixed;
	const char *key;
	size_t key_len;
	char *value;            /* malloc'd copy */
	size_t value_len;
};

/* A section header of the walk. */
struct fi_sect {
	enum bk_ini_file file;
	enum bk_ini_kind kind;
	const char *name;
	size_t name_len;
	int prefixed;
};

static struct fi_prop fi_props[FI_MAX_PROPS];
static struct fi_sect fi_sects[FI_MAX_PROPS];
static size_t fi_nprops, fi_nsects;
static char fi_val[BK_INI_VALUE_MAX];

static int
fi_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_/.%@:+", c) != NULL) ||
		    c == '\0')
			return 0;
	}
	return 1;
}

static int
fi_within(const char *p, size_t n, const char *text, size_t len)
{
	return p >= text && p <= text + len && n <= (size_t)(text + len - p);
}

/* Walk one file, check the walker, record what it reports.  Returns 1 if
 * the file has a syntax error. */
static int
fi_walk(enum bk_ini_file file, const char *text, size_t len, size_t cap)
{
	struct bk_ini it;
	enum bk_ini_item r;
	unsigned last = 0, lines = 1, items = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			lines++;
	bk_ini_init(&it, file, text, len);
	memset(fi_val, 'Z', sizeof(fi_val));
	while ((r = bk_ini_next(&it, fi_val, cap)) != BK_INI_END) {
		FP_ASSERT(++items <= lines);
		FP_ASSERT(it.line >= last && it.line <= lines);
		last = it.line;
		if (r == BK_INI_ERROR) {
			FP_ASSERT(it.error != NULL && it.error[0] != '\0');
			FP_ASSERT(fp_clean(it.error, 0));
			FP_ASSERT(bk_ini_next(&it, fi_val, cap) == BK_INI_END);
			return 1;
		}
		FP_ASSERT((unsigned)it.kind <= BK_INI_IGNORED);
		FP_ASSERT(fi_within(it.name, it.name_len, text, len));
		if (it.kind != BK_INI_IGNORED)
			FP_ASSERT(fi_name_ok(it.name, it.name_len));
		if (r == BK_INI_SECTION) {
			FP_ASSERT(it.key == NULL);
			if (fi_nsects < FI_MAX_PROPS) {
				struct fi_sect *s = &fi_sects[fi_nsects++];
				s->file = file;
				s->kind = it.kind;
				s->name = it.name;
				s->name_len = it.name_len;
				s->prefixed = it.profile_prefix;
			}
			continue;
		}
		FP_ASSERT(r == BK_INI_PROPERTY);
		FP_ASSERT(it.have_section && it.kind != BK_INI_IGNORED);
		FP_ASSERT(it.key != NULL && fi_within(it.key, it.key_len, text,
		    len));
		FP_ASSERT(fi_name_ok(it.key, it.key_len));
		FP_ASSERT(it.value == fi_val && it.value_len < cap &&
		    fi_val[it.value_len] == '\0');
		if (fi_nprops < FI_MAX_PROPS) {
			struct fi_prop *p = &fi_props[fi_nprops++];
			p->file = file;
			p->kind = it.kind;
			p->name = it.name;
			p->name_len = it.name_len;
			p->prefixed = it.profile_prefix;
			p->key = it.key;
			p->key_len = it.key_len;
			p->value = malloc(it.value_len + 1);
			FP_ASSERT(p->value != NULL);
			memcpy(p->value, fi_val, it.value_len + 1);
			p->value_len = it.value_len;
		}
		/* a sub-property block: its lookups */
		if (it.value_len > 0 && fi_val[0] == '\n') {
			char out[64];
			const char *probe[] = { "endpoint_url", "region", "x" };
			size_t k;
			for (k = 0; k < 3; k++) {
				enum bk_err e;
				memset(out, 'Z', sizeof(out));
				e = bk_ini_subprop(fi_val, probe[k], out,
				    sizeof(out));
				FP_ASSERT(e == BK_OK || e == BK_E_BUFSZ ||
				    e == BK_E_NOT_FOUND);
				if (e == BK_OK) {
					size_t n = strlen(out);
					FP_ASSERT(n < sizeof(out));
					FP_ASSERT(n == 0 || (out[0] != ' ' &&
					    out[0] != '\t' && out[n - 1] != ' ' &&
					    out[n - 1] != '\t'));
				}
			}
		}
	}
	FP_ASSERT(it.pos >= it.n);
	return 0;
}

static int
fi_key_eq(const char *a, size_t an, const char *b)
{
	size_t i;

	if (strlen(b) != an)
		return 0;
	for (i = 0; i < an; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return 1;
}

static int
fi_name_eq(const char *a, size_t an, const char *b)
{
	return strlen(b) == an && memcmp(a, b, an) == 0;
}

/* The model: "[profile default]" in the config file hides "[default]". */
static int
fi_skip_plain(enum bk_ini_kind kind, const char *name)
{
	size_t i;

	if (kind != BK_INI_PROFILE || strcmp(name, "default") != 0)
		return 0;
	for (i = 0; i < fi_nsects; i++)
		if (fi_sects[i].file == BK_INI_CONFIG &&
		    fi_sects[i].kind == BK_INI_PROFILE &&
		    fi_sects[i].prefixed &&
		    fi_name_eq(fi_sects[i].name, fi_sects[i].name_len,
		    "default"))
			return 1;
	return 0;
}

static const struct fi_prop *
fi_model_get(enum bk_ini_kind kind, const char *name, const char *key)
{
	const struct fi_prop *hit = NULL;
	int skip = fi_skip_plain(kind, name);
	size_t i;

	for (i = 0; i < fi_nprops; i++) {
		const struct fi_prop *p = &fi_props[i];
		if (p->kind != kind || !fi_name_eq(p->name, p->name_len, name) ||
		    !fi_key_eq(p->key, p->key_len, key))
			continue;
		if (p->file == BK_INI_CREDENTIALS && kind != BK_INI_PROFILE)
			continue;
		if (p->file == BK_INI_CONFIG && skip && !p->prefixed)
			continue;
		/* credentials come after config in fi_props: they win */
		hit = p;
	}
	return hit;
}

static int
fi_model_exists(enum bk_ini_kind kind, const char *name)
{
	int skip = fi_skip_plain(kind, name);
	size_t i;

	for (i = 0; i < fi_nsects; i++) {
		const struct fi_sect *s = &fi_sects[i];
		if (s->kind != kind || !fi_name_eq(s->name, s->name_len, name))
			continue;
		if (s->file == BK_INI_CREDENTIALS && kind != BK_INI_PROFILE)
			continue;
		if (s->file == BK_INI_CONFIG && skip && !s->prefixed)
			continue;
		return 1;
	}
	return 0;
}

static void
fi_check_get(const struct bk_profile_files *f, enum bk_ini_kind kind,
    const char *name, const char *key)
{
	static char out[BK_INI_VALUE_MAX];
	const struct fi_prop *want = fi_model_get(kind, name, key);
	struct bk_ini_error ie;
	enum bk_err e;

	memset(out, 'Z', sizeof(out));
	e = bk_profile_get(f, kind, name, key, out, sizeof(out), &ie);
	if (want == NULL) {
		FP_ASSERT(e == BK_E_NOT_FOUND && out[0] == '\0');
	} else {
		FP_ASSERT(e == BK_OK);
		FP_ASSERT(out[want->value_len] == '\0' &&
		    memcmp(out, want->value, want->value_len) == 0);
	}
	FP_ASSERT(bk_profile_exists(f, kind, name) ==
	    fi_model_exists(kind, name));
}

/* A C string of a section name (names with a NUL are not asked for). */
static int
fi_cstr(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap || memchr(s, '\0', n) != NULL)
		return 0;
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

static void
fi_plan_field(const char *s, size_t cap)
{
	FP_ASSERT(fp_terminated(s, cap));
	FP_ASSERT(!fp_has(s, FI_SECRET) && !fp_has(s, FI_TOKEN));
}

static int
fi_has(const struct bk_profile_files *f, const char *name, const char *key)
{
	char tmp[8];
	enum bk_err e = bk_profile_get(f, BK_INI_PROFILE, name, key, tmp,
	    sizeof(tmp), NULL);

	return e == BK_OK || e == BK_E_BUFSZ;
}

static void
fi_check_plan(const struct bk_profile_files *f, const char *profile,
    int twice)
{
	static struct bk_plan a, b;
	enum bk_err e, e2;
	size_t i;

	e = bk_profile_plan(f, profile, &a);
	FP_ASSERT(e == BK_OK || e == BK_E_CONFIG || e == BK_E_NOT_FOUND);
	fi_plan_field(a.error, sizeof(a.error));
	FP_ASSERT(fp_clean(a.error, 0));
	FP_ASSERT((e == BK_OK) == (a.error[0] == '\0'));
	if (e == BK_E_NOT_FOUND)
		FP_ASSERT(a.no_credentials);
	if (!fi_model_exists(BK_INI_PROFILE, profile))
		FP_ASSERT(e == BK_E_NOT_FOUND || e == BK_E_CONFIG);
	fi_plan_field(a.base_profile, sizeof(a.base_profile));
	fi_plan_field(a.named_source, sizeof(a.named_source));
	fi_plan_field(a.web_token_file, sizeof(a.web_token_file));
	fi_plan_field(a.web_role_arn, sizeof(a.web_role_arn));
	fi_plan_field(a.web_session_name, sizeof(a.web_session_name));
	fi_plan_field(a.sso_session, sizeof(a.sso_session));
	fi_plan_field(a.sso_start_url, sizeof(a.sso_start_url));
	fi_plan_field(a.sso_region, sizeof(a.sso_region));
	fi_plan_field(a.sso_account_id, sizeof(a.sso_account_id));
	fi_plan_field(a.sso_role_name, sizeof(a.sso_role_name));
	fi_plan_field(a.process, sizeof(a.process));
	FP_ASSERT(a.nlinks <= BK_PLAN_MAX_LINKS);
	for (i = 0; i < BK_PLAN_MAX_LINKS; i++) {
		const struct bk_plan_link *l = &a.link[i];
		fi_plan_field(l->profile, sizeof(l->profile));
		fi_plan_field(l->role_arn, sizeof(l->role_arn));
		fi_plan_field(l->external_id, sizeof(l->external_id));
		fi_plan_field(l->session_name, sizeof(l->session_name));
		fi_plan_field(l->mfa_serial, sizeof(l->mfa_serial));
		fi_plan_field(l->duration, sizeof(l->duration));
		if (e == BK_OK && i < a.nlinks) {
			FP_ASSERT(bk_profile_exists(f, BK_INI_PROFILE,
			    l->profile));
			FP_ASSERT(fi_has(f, l->profile, "role_arn"));
		}
	}
	if (e == BK_OK) {
		FP_ASSERT(a.base_profile[0] != '\0');
		FP_ASSERT(bk_profile_exists(f, BK_INI_PROFILE,
		    a.base_profile));
		switch (a.base) {
		case BK_BASE_STATIC:
			FP_ASSERT(fi_has(f, a.base_profile,
			    "aws_access_key_id"));
			FP_ASSERT(fi_has(f, a.base_profile,
			    "aws_secret_access_key"));
			break;
		case BK_BASE_NAMED:
			FP_ASSERT(strcmp(a.named_source, "Environment") == 0 ||
			    strcmp(a.named_source, "Ec2InstanceMetadata") == 0 ||
			    strcmp(a.named_source, "EcsContainer") == 0);
			FP_ASSERT(a.nlinks > 0);
			break;
		case BK_BASE_WEB_IDENTITY:
			/* the key is set (an empty value is a value: the
			 * token file then fails to open) */
			FP_ASSERT(fi_has(f, a.base_profile,
			    "web_identity_token_file"));
			break;
		case BK_BASE_SSO:
			FP_ASSERT(a.sso_session[0] != '\0' ||
			    (a.sso_start_url[0] != '\0' &&
			    a.sso_region[0] != '\0'));
			break;
		case BK_BASE_PROCESS:
			FP_ASSERT(fi_has(f, a.base_profile,
			    "credential_process"));
			break;
		default:
			FP_ASSERT(!"base out of range");
		}
	}
	/* pure: the same plan again (the first profile's) */
	if (twice) {
		e2 = bk_profile_plan(f, profile, &b);
		FP_ASSERT(e2 == e && memcmp(&a, &b, sizeof(a)) == 0);
	}
}

/* What creds.c reads through the same files. */
static void
fi_check_conf(const struct bk_profile_files *f, const char *profile)
{
	static struct bk_awsconf c;
	struct bk_endpoint ep;
	const char *from = NULL;
	enum bk_err e;

	memset(&c, 0, sizeof(c));
	if (strlen(profile) >= sizeof(c.profile))
		return;
	memcpy(c.profile, profile, strlen(profile) + 1);
	c.profile_from = "--profile";
	c.files = *f;
	fp_setenv("AWS_EC2_METADATA_DISABLED", "true");
	e = bk_service_endpoint(&c, "BEDROCK_RUNTIME", "bedrock_runtime",
	    "bedrock-runtime", "us-east-1", &ep, &from);
	FP_ASSERT(fp_terminated(ep.url, sizeof(ep.url)));
	FP_ASSERT(fp_terminated(ep.error, sizeof(ep.error)));
	FP_ASSERT(from != NULL);
	if (e == BK_OK) {
		FP_ASSERT(strncmp(ep.url, "https://", 8) == 0 ||
		    strncmp(ep.url, "http://", 7) == 0);
		FP_ASSERT(fp_clean(ep.url, 0));
	} else {
		FP_ASSERT(ep.error[0] != '\0');
	}
	FP_ASSERT(!fp_has(ep.url, FI_SECRET) && !fp_has(ep.error, FI_SECRET));
	e = bk_region_resolve(&c, NULL);
	FP_ASSERT(fp_terminated(c.region, sizeof(c.region)));
	FP_ASSERT(fp_terminated(c.region_bad, sizeof(c.region_bad)));
	if (e == BK_OK)
		FP_ASSERT(bk_region_valid(c.region));
	else
		FP_ASSERT(e == BK_E_NO_REGION || e == BK_E_USAGE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "region", "aws_access_key_id",
		"role_arn", "source_profile", "sso_session", "services",
		"endpoint_url", "nope" };
	struct bk_profile_files f;
	const char *text, *sep = NULL;
	char *cfg, *cred;
	size_t len, cl, crl, i, cap, nplan = 0;
	char names[FI_PLAN_NAMES][128];
	int cfg_err, cred_err;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	text = (const char *)data + 1;
	len = size - 1;
	for (i = 0; i + FI_SEP_LEN <= len; i++)
		if (memcmp(text + i, FI_SEP, FI_SEP_LEN) == 0) {
			sep = text + i;
			break;
		}
	cl = sep ? (size_t)(sep - text) : len;
	/* exactly sized copies: ASan sees a read past either file */
	cfg = malloc(cl > 0 ? cl : 1);
	FP_ASSERT(cfg != NULL);
	memcpy(cfg, text, cl);
	{
		/* the marker profile, planted before line flags & 7 */
		static const char plant[] = "[marked]\n"
		    "aws_access_key_id = AKIDMARKED\n"
		    "aws_secret_access_key = " FI_SECRET "\n"
		    "aws_session_token = " FI_TOKEN "\n";
		const char *ct = sep ? sep + FI_SEP_LEN : "";
		size_t ctl = sep ? len - cl - FI_SEP_LEN : 0, at = 0, o = 0;
		unsigned k = flags & 7;
		while (k > 0 && at < ctl) {
			const char *nl = memchr(ct + at, '\n', ctl - at);
			at = nl ? (size_t)(nl - ct) + 1 : ctl;
			k--;
		}
		crl = ctl + sizeof(plant) - 1 + 1;
		cred = malloc(crl);
		FP_ASSERT(cred != NULL);
		memcpy(cred, ct, at);
		o = at;
		if (at > 0 && ct[at - 1] != '\n')
			cred[o++] = '\n';
		memcpy(cred + o, plant, sizeof(plant) - 1);
		o += sizeof(plant) - 1;
		memcpy(cred + o, ct + at, ctl - at);
		o += ctl - at;
		crl = o;
	}
	memset(&f, 0, sizeof(f));
	f.config = cfg;
	f.config_len = cl;
	f.credentials = cred;
	f.credentials_len = crl;
	fp_reset();

	/* the walk, and the model it feeds */
	fi_nprops = fi_nsects = 0;
	cap = (flags & 8) ? 64 : BK_INI_VALUE_MAX;
	cfg_err = fi_walk(BK_INI_CONFIG, cfg, cl, cap);
	cred_err = fi_walk(BK_INI_CREDENTIALS, cred, crl, cap);
	if (cap != BK_INI_VALUE_MAX) {
		/* the model needs the values whole */
		for (i = 0; i < fi_nprops; i++)
			free(fi_props[i].value);
		fi_nprops = fi_nsects = 0;
		cfg_err = fi_walk(BK_INI_CONFIG, cfg, cl, BK_INI_VALUE_MAX);
		cred_err = fi_walk(BK_INI_CREDENTIALS, cred, crl,
		    BK_INI_VALUE_MAX);
	}
	{
		struct bk_ini_error ie;
		enum bk_err e = bk_profile_check(&f, &ie);
		FP_ASSERT((e == BK_OK) == (!cfg_err && !cred_err));
		FP_ASSERT(f.checked == (e == BK_OK));
		if (e != BK_OK) {
			FP_ASSERT(e == BK_E_CONFIG && ie.msg != NULL);
			FP_ASSERT(ie.file == (cfg_err ? BK_INI_CONFIG :
			    BK_INI_CREDENTIALS));
		}
		/* one input in four: the line-by-line lookups on a good
		 * file too, against the same model as the section jumps */
		if ((flags & 0x30) == 0x30)
			f.checked = 0;
	}
	if (!cfg_err && !cred_err) {
		/* (section, key) pairs defined, and absent ones: the first
		 * FI_GETS (every lookup scans both files whole) */
		for (i = 0; i < fi_nprops && i < FI_GETS; i++) {
			char name[128], key[64];
			size_t k;
			if (!fi_cstr(name, sizeof(name), fi_props[i].name,
			    fi_props[i].name_len) ||
			    !fi_cstr(key, sizeof(key), fi_props[i].key,
			    fi_props[i].key_len))
				continue;
			fi_check_get(&f, fi_props[i].kind, name, key);
			k = i % 3;
			fi_check_get(&f, (enum bk_ini_kind)k, name,
			    keys[(i + k) % 8]);
		}
		fi_check_get(&f, BK_INI_PROFILE, "default", "region");
		fi_check_get(&f, BK_INI_PROFILE, "marked",
		    "aws_secret_access_key");
	} else {
		/* (a value too long for a short buffer would say BK_E_BUFSZ
		 * before the scan reaches the error) */
		static char out[BK_INI_VALUE_MAX];
		FP_ASSERT(bk_profile_get(&f, BK_INI_PROFILE, "default",
		    "region", out, sizeof(out), NULL) == BK_E_CONFIG);
	}
	/* plans: "default", then the first profile sections */
	memcpy(names[nplan++], "default", 8);
	for (i = 0; i < fi_nsects && nplan < FI_PLAN_NAMES; i++)
		if (fi_sects[i].kind == BK_INI_PROFILE &&
		    fi_cstr(names[nplan], sizeof(names[0]), fi_sects[i].name,
		    fi_sects[i].name_len) && strcmp(names[nplan], "default"))
			nplan++;
	for (i = 0; i < nplan; i++) {
		fi_check_plan(&f, names[i], i == 0);
		if (!cfg_err && !cred_err && i < 2)
			fi_check_conf(&f, names[i]);
	}
	for (i = 0; i < fi_nprops; i++)
		free(fi_props[i].value);
	fi_nprops = fi_nsects = 0;
	fp_reset();
	free(cfg);
	free(cred);
	return 0;
}
