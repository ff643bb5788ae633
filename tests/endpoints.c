/*
 * endpoints.c -- endpoint resolution against botocore's
 * vectors, partitions.json and hand-written cases.  Prints:
 *
 *   vectors endpoints-bedrock-runtime: N passed, M failed  (21 cases)
 *   endpoints partitions: ...   (every region partitions.json lists)
 *   endpoints unit: ...
 *
 * usage: endpoints [VECTORS_DIR]
 */
#include "bedrock.h"
#include "check.h"

static jsmntok_t jt[4096];
static const char *vdir = "tests/vectors";

/* String member `key` of `obj` into out; 0 if absent. */
static int
jstr(const struct bk_json *j, int obj, const char *key, char *out,
    size_t cap)
{
	size_t n;
	int k = obj >= 0 ? bk_json_get(j, obj, key) : -1;

	out[0] = '\0';
	return k >= 0 && j->t[k].type == JSMN_STRING &&
	    bk_json_str(j, k, out, cap, &n) == BK_OK;
}

static int
jtrue(const struct bk_json *j, int obj, const char *key)
{
	int k = obj >= 0 ? bk_json_get(j, obj, key) : -1;
	return k >= 0 && j->t[k].type == JSMN_PRIMITIVE &&
	    j->js[j->t[k].start] == 't';
}

static char *
slurp_vec(const char *name, size_t *len)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/endpoints-bedrock-runtime/%s", vdir,
	    name);
	return check_slurp(path, len);
}

/* ---- endpoint-tests-1.json ------------------------------------------- */

static void
suite_vectors(void)
{
	struct bk_json j;
	size_t len;
	char *txt = slurp_vec("endpoint-tests-1.json", &len);
	unsigned pass = 0, fail = 0;
	int cases, k, i;

	if (txt == NULL || bk_json_parse(&j, txt, len, jt, 4096) != BK_OK ||
	    (cases = bk_json_get(&j, 0, "testCases")) < 0) {
		fprintf(stderr, "FAIL cannot read endpoint-tests-1.json\n");
		fail++;
		goto out;
	}
	k = cases + 1;
	for (i = 0; i < j.t[cases].size; i++, k = bk_json_skip(&j, k)) {
		char doc[256], region[64], endpoint[512], want_url[512],
		    want_err[256];
		int pa = bk_json_get(&j, k, "params");
		int ex = bk_json_get(&j, k, "expect");
		int ep = ex >= 0 ? bk_json_get(&j, ex, "endpoint") : -1;
		struct bk_endpoint_params p;
		struct bk_endpoint out;
		enum bk_err e;
		int ok;

		jstr(&j, k, "documentation", doc, sizeof(doc));
		memset(&p, 0, sizeof(p));
		p.service = "bedrock-runtime";
		p.region = jstr(&j, pa, "Region", region, sizeof(region)) ?
		    region : NULL;
		p.endpoint = jstr(&j, pa, "Endpoint", endpoint,
		    sizeof(endpoint)) ? endpoint : NULL;
		p.use_fips = jtrue(&j, pa, "UseFIPS");
		p.use_dualstack = jtrue(&j, pa, "UseDualStack");
		e = bk_endpoint_resolve(&p, &out);
		if (jstr(&j, ep, "url", want_url, sizeof(want_url))) {
			ok = e == BK_OK && strcmp(out.url, want_url) == 0 &&
			    strcmp(out.signing_name, "bedrock") == 0;
			if (!ok)
				fprintf(stderr, "  got [%s] (%s) want [%s]\n",
				    out.url, out.error, want_url);
		} else {
			jstr(&j, ex, "error", want_err, sizeof(want_err));
			ok = e != BK_OK && want_err[0] != '\0' &&
			    strcmp(out.error, want_err) == 0 &&
			    out.url[0] == '\0';
			if (!ok)
				fprintf(stderr, "  got [%s] (%s) want error "
				    "[%s]\n", out.url, out.error, want_err);
		}
		if (ok) {
			pass++;
		} else {
			fail++;
			fprintf(stderr, "FAIL vectors endpoints-bedrock-"
			    "runtime: %s\n", doc);
		}
	}
	if (pass + fail != 21) {
		fprintf(stderr, "FAIL expected 21 cases, ran %u\n",
		    pass + fail);
		fail++;
	}
out:
	printf("vectors endpoints-bedrock-runtime: %u passed, %u failed\n",
	    pass, fail);
	check_total_fail += fail;
	free(txt);
}

/* ---- partitions.json: every listed region, every variant ------------- */

static int
resolves(const char *svc, const char *region, int fips, int ds,
    const char *want)
{
	struct bk_endpoint_params p = { svc, region, fips, ds, NULL };
	struct bk_endpoint out;
	enum bk_err e = bk_endpoint_resolve(&p, &out);
	int ok = e == BK_OK && strcmp(out.url, want) == 0 &&
	    strcmp(out.signing_region, region) == 0 && !out.custom &&
	    !out.vpce;

	if (!ok)
		fprintf(stderr, "  %s %s fips=%d ds=%d: got [%s] (%s) want "
		    "[%s]\n", svc, region, fips, ds, out.url, out.error, want);
	return ok;
}

static void
suite_partitions(void)
{
	struct bk_json j;
	size_t len;
	char *txt = slurp_vec("partitions.json", &len);
	int parts = -1, k, i, r, m;

	if (!CHECK(txt != NULL && bk_json_parse(&j, txt, len, jt, 4096) ==
	    BK_OK && (parts = bk_json_get(&j, 0, "partitions")) >= 0))
		goto out;
	CHECK(j.t[parts].size == 8);
	k = parts + 1;
	for (i = 0; i < j.t[parts].size; i++, k = bk_json_skip(&j, k)) {
		char dns[64], dual[64], id[32], want[256];
		int o = bk_json_get(&j, k, "outputs");
		int regs = bk_json_get(&j, k, "regions");

		jstr(&j, k, "id", id, sizeof(id));
		jstr(&j, o, "dnsSuffix", dns, sizeof(dns));
		jstr(&j, o, "dualStackDnsSuffix", dual, sizeof(dual));
		check_ctx = id;
		/* the table's flags assume every partition supports both */
		CHECK(jtrue(&j, o, "supportsFIPS"));
		CHECK(jtrue(&j, o, "supportsDualStack"));
		r = regs + 1;
		for (m = 0; m < j.t[regs].size; m++) {
			char reg[64];
			size_t n;
			bk_json_str(&j, r, reg, sizeof(reg), &n);
			snprintf(want, sizeof(want),
			    "https://bedrock-runtime.%s.%s", reg, dns);
			CHECK(resolves("bedrock-runtime", reg, 0, 0, want));
			snprintf(want, sizeof(want),
			    "https://bedrock-runtime-fips.%s.%s", reg, dual);
			CHECK(resolves("bedrock-runtime", reg, 1, 1, want));
			snprintf(want, sizeof(want), "https://bedrock.%s.%s",
			    reg, dual);
			CHECK(resolves("bedrock", reg, 0, 1, want));
			r = bk_json_skip(&j, r + 1);  /* past the value */
		}
	}
	check_ctx = "";
out:
	free(txt);
	check_summary("endpoints partitions");
}

/* ---- hand-written cases ---------------------------------------------- */

/* Resolve with fips/dualstack off; returns the error code. */
static enum bk_err
custom(const char *url, const char *region, struct bk_endpoint *out)
{
	struct bk_endpoint_params p = { "bedrock-runtime", region, 0, 0, url };
	return bk_endpoint_resolve(&p, out);
}

static int
custom_ok(const char *url, const char *region, const char *want_url,
    const char *want_sign, int want_vpce)
{
	struct bk_endpoint out;
	int ok = custom(url, region, &out) == BK_OK &&
	    strcmp(out.url, want_url) == 0 &&
	    strcmp(out.signing_region, want_sign) == 0 &&
	    out.vpce == want_vpce && out.custom == 1 &&
	    strcmp(out.signing_name, "bedrock") == 0 && out.error[0] == '\0';

	if (!ok)
		fprintf(stderr, "  %s: got [%s] sign [%s] vpce %d (%s)\n", url,
		    out.url, out.signing_region, out.vpce, out.error);
	return ok;
}

static int
custom_bad(const char *url)
{
	struct bk_endpoint out;
	int ok = custom(url, "us-east-1", &out) == BK_E_ENDPOINT &&
	    out.url[0] == '\0' && out.error[0] != '\0';

	if (!ok)
		fprintf(stderr, "  %s: accepted as [%s]\n", url, out.url);
	return ok;
}

static void
suite_unit(void)
{
	struct bk_endpoint_params p;
	struct bk_endpoint out;
	static char longurl[700];

	/* control plane */
	CHECK(resolves("bedrock", "us-east-1", 0, 0,
	    "https://bedrock.us-east-1.amazonaws.com"));
	CHECK(resolves("bedrock", "us-east-1", 1, 0,
	    "https://bedrock-fips.us-east-1.amazonaws.com"));
	CHECK(resolves("bedrock", "eu-west-3", 0, 1,
	    "https://bedrock.eu-west-3.api.aws"));
	CHECK(resolves("bedrock", "us-gov-west-1", 1, 0,
	    "https://bedrock-fips.us-gov-west-1.amazonaws.com"));
	CHECK(resolves("bedrock", "cn-northwest-1", 1, 1,
	    "https://bedrock-fips.cn-northwest-1."
	    "api.amazonwebservices.com.cn"));
	/* China and GovCloud, FIPS x dual-stack */
	CHECK(resolves("bedrock-runtime", "cn-northwest-1", 0, 1,
	    "https://bedrock-runtime.cn-northwest-1."
	    "api.amazonwebservices.com.cn"));
	CHECK(resolves("bedrock-runtime", "cn-north-1", 1, 0,
	    "https://bedrock-runtime-fips.cn-north-1.amazonaws.com.cn"));
	CHECK(resolves("bedrock-runtime", "us-gov-west-1", 1, 1,
	    "https://bedrock-runtime-fips.us-gov-west-1.api.aws"));
	CHECK(resolves("bedrock-runtime", "us-gov-west-1", 0, 1,
	    "https://bedrock-runtime.us-gov-west-1.api.aws"));
	/* regions not listed: by regionRegex, else aws */
	CHECK(resolves("bedrock-runtime", "cn-south-7", 0, 0,
	    "https://bedrock-runtime.cn-south-7.amazonaws.com.cn"));
	CHECK(resolves("bedrock-runtime", "us-gov-north-2", 0, 1,
	    "https://bedrock-runtime.us-gov-north-2.api.aws"));
	CHECK(resolves("bedrock-runtime", "us-isob-west-9", 0, 0,
	    "https://bedrock-runtime.us-isob-west-9.sc2s.sgov.gov"));
	CHECK(resolves("bedrock-runtime", "us-isof-north-1", 0, 1,
	    "https://bedrock-runtime.us-isof-north-1.api.aws.hci.ic.gov"));
	CHECK(resolves("bedrock-runtime", "eu-isoe-north-2", 0, 0,
	    "https://bedrock-runtime.eu-isoe-north-2.cloud.adc-e.uk"));
	CHECK(resolves("bedrock-runtime", "eusc-de-west-3", 0, 1,
	    "https://bedrock-runtime.eusc-de-west-3."
	    "api.amazonwebservices.eu"));
	CHECK(resolves("bedrock-runtime", "us-iso-south-4", 1, 0,
	    "https://bedrock-runtime-fips.us-iso-south-4.c2s.ic.gov"));
	CHECK(resolves("bedrock-runtime", "eusc-fr-east-1", 0, 0,
	    "https://bedrock-runtime.eusc-fr-east-1.amazonaws.com"));
	CHECK(resolves("bedrock-runtime", "local", 0, 0,
	    "https://bedrock-runtime.local.amazonaws.com"));
	CHECK(resolves("bedrock-runtime", "aws-cn-global", 0, 0,
	    "https://bedrock-runtime.aws-cn-global.amazonaws.com.cn"));

	/* errors */
	memset(&p, 0, sizeof(p));
	p.service = "bedrock";
	CHECK(bk_endpoint_resolve(&p, &out) == BK_E_NO_REGION);
	CHECK_EQ_STR(out.error, "Invalid Configuration: Missing Region");
	p.region = "";
	p.use_fips = 1;
	CHECK(bk_endpoint_resolve(&p, &out) == BK_E_NO_REGION);
	p.region = "us-east-1.evil.com/#";
	CHECK(bk_endpoint_resolve(&p, &out) == BK_E_ENDPOINT);
	CHECK(out.url[0] == '\0' && out.error[0] != '\0');
	p.region = "US-EAST-1";
	CHECK(bk_endpoint_resolve(&p, &out) == BK_E_ENDPOINT);
	p.region = "us-east-1";
	p.service = "Bedrock/evil";
	CHECK(bk_endpoint_resolve(&p, &out) == BK_E_ARG);
	/* the prefixes the credential chain uses */
	p.service = "sts";
	p.use_fips = 0;
	CHECK(bk_endpoint_resolve(&p, &out) == BK_OK &&
	    strcmp(out.url, "https://sts.us-east-1.amazonaws.com") == 0 &&
	    strcmp(out.signing_name, "sts") == 0);
	p.service = "portal.sso";
	p.region = "us-east-2";
	p.use_fips = 1;
	p.use_dualstack = 1;
	CHECK(bk_endpoint_resolve(&p, &out) == BK_OK &&
	    strcmp(out.url, "https://portal.sso-fips.us-east-2.api.aws") == 0);
	p.use_dualstack = 0;
	p.region = "us-east-1";
	p.use_fips = 1;
	p.service = NULL;
	CHECK(bk_endpoint_resolve(&p, &out) == BK_E_ARG);
	/* the custom-endpoint errors win over a missing region */
	p.service = "bedrock-runtime";
	p.region = NULL;
	p.endpoint = "https://example.com";
	CHECK(bk_endpoint_resolve(&p, &out) == BK_E_ENDPOINT);
	CHECK_EQ_STR(out.error, "Invalid Configuration: FIPS and custom "
	    "endpoint are not supported");

	/* custom endpoints */
	CHECK(custom_ok("https://example.com/", "us-west-2",
	    "https://example.com", "us-west-2", 0));
	CHECK(custom_ok("https://Example.COM:8443/proxy/bedrock//", NULL,
	    "https://example.com:8443/proxy/bedrock", "", 0));
	CHECK(custom_ok("https://127.0.0.1:65535", "eu-west-1",
	    "https://127.0.0.1:65535", "eu-west-1", 0));
	CHECK(custom_ok("https://[::1]:8443/", "us-east-1",
	    "https://[::1]:8443", "us-east-1", 0));
	CHECK(custom_ok("https://host/a%3Ab/@c", "us-east-1",
	    "https://host/a%3Ab/@c", "us-east-1", 0));
	CHECK(custom_ok("https://bedrock-runtime.us-east-1.amazonaws.com",
	    "us-east-1", "https://bedrock-runtime.us-east-1.amazonaws.com",
	    "us-east-1", 0));
	/* plain http, as the SDKs accept it (LocalStack, a local gateway) */
	CHECK(custom_ok("http://localhost:4566/", "us-east-1",
	    "http://localhost:4566", "us-east-1", 0));
	CHECK(custom_bad("http://"));
	CHECK(custom_bad("http://u@h"));
	CHECK(custom_bad("ftp://example.com"));
	CHECK(custom_bad("HTTPS://example.com"));
	CHECK(custom_bad("https://"));
	CHECK(custom_bad("https:///path"));
	CHECK(custom_bad("https://:443"));
	CHECK(custom_bad("https://user:pw@example.com"));
	CHECK(custom_bad("https://user@example.com/"));
	CHECK(custom_bad("https://exa mple.com"));
	CHECK(custom_bad("https://example.com/a b"));
	CHECK(custom_bad("https://example.com?x=1"));
	CHECK(custom_bad("https://example.com/p?x=1"));
	CHECK(custom_bad("https://example.com#frag"));
	CHECK(custom_bad("https://example.com/p#frag"));
	CHECK(custom_bad("https://example.com:"));
	CHECK(custom_bad("https://example.com:0"));
	CHECK(custom_bad("https://example.com:65536"));
	CHECK(custom_bad("https://example.com:123456"));
	CHECK(custom_bad("https://example.com:44a3"));
	CHECK(custom_bad("https://example.com:-1"));
	CHECK(custom_bad("https://example..com"));
	CHECK(custom_bad("https://.example.com"));
	CHECK(custom_bad("https://example.com."));
	CHECK(custom_bad("https://-example.com"));
	CHECK(custom_bad("https://exa_mple.com"));
	CHECK(custom_bad("https://[::1"));
	CHECK(custom_bad("https://[]"));
	CHECK(custom_bad("https://example.com\\@evil.com"));
	CHECK(custom_bad("https://example.com/\x01"));
	memset(longurl, 'a', sizeof(longurl) - 1);
	memcpy(longurl, "https://x.com/", 14);
	CHECK(custom_bad(longurl));
	/* a region that is not a host label fails even with a custom URL */
	CHECK(custom("https://example.com", "bad/region", &out) ==
	    BK_E_ENDPOINT);

	/* VPC interface endpoints: sign for the host's region */
	CHECK(custom_ok("https://vpce-0a1b2c3d4e5f6a7b8-abcdefgh"
	    ".bedrock-runtime.us-east-1.vpce.amazonaws.com", "us-east-1",
	    "https://vpce-0a1b2c3d4e5f6a7b8-abcdefgh.bedrock-runtime"
	    ".us-east-1.vpce.amazonaws.com", "us-east-1", 1));
	CHECK(custom_ok("https://vpce-0a1b2c3d-xyz-us-west-2a.bedrock-runtime"
	    ".us-west-2.vpce.amazonaws.com/", "eu-central-1",
	    "https://vpce-0a1b2c3d-xyz-us-west-2a.bedrock-runtime"
	    ".us-west-2.vpce.amazonaws.com", "us-west-2", 1));
	CHECK(custom_ok("https://VPCE-0abc.Bedrock.eu-west-1"
	    ".VPCE.amazonaws.com", NULL,
	    "https://vpce-0abc.bedrock.eu-west-1.vpce.amazonaws.com",
	    "eu-west-1", 1));
	CHECK(custom_ok("https://vpce-0abc.bedrock-runtime-fips.us-gov-west-1"
	    ".vpce.amazonaws.com:443", NULL,
	    "https://vpce-0abc.bedrock-runtime-fips.us-gov-west-1"
	    ".vpce.amazonaws.com:443", "us-gov-west-1", 1));
	CHECK(custom_ok("https://vpce-0abc-def.bedrock-runtime.cn-north-1"
	    ".vpce.amazonaws.com.cn", "cn-northwest-1",
	    "https://vpce-0abc-def.bedrock-runtime.cn-north-1"
	    ".vpce.amazonaws.com.cn", "cn-north-1", 1));
	/* look-alikes are ordinary custom endpoints */
	CHECK(custom_ok("https://vpce-0abc.bedrock-agent.us-east-1"
	    ".vpce.amazonaws.com", "us-east-1", "https://vpce-0abc"
	    ".bedrock-agent.us-east-1.vpce.amazonaws.com", "us-east-1", 0));
	CHECK(custom_ok("https://bedrock-runtime.us-east-1.vpce.amazonaws.com",
	    "us-west-2",
	    "https://bedrock-runtime.us-east-1.vpce.amazonaws.com",
	    "us-west-2", 0));
	CHECK(custom_bad("https://vpce-.bedrock.us-east-1"
	    ".vpce.amazonaws.com"));
	CHECK(custom_ok("https://vpce-1.bedrock.us-east-1.vpce.amazonaws.com"
	    ".evil.com", "us-west-2", "https://vpce-1.bedrock.us-east-1"
	    ".vpce.amazonaws.com.evil.com", "us-west-2", 0));
	CHECK(custom_ok("https://vpce-1.bedrock.x.y.vpce.amazonaws.com",
	    "us-west-2", "https://vpce-1.bedrock.x.y.vpce.amazonaws.com",
	    "us-west-2", 0));
	check_summary("endpoints unit");
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		vdir = argv[1];
	suite_vectors();
	suite_partitions();
	suite_unit();
	return check_total_fail == 0 ? 0 : 1;
}
