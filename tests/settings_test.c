/*
 * settings_test.c -- src/settings.c over the fake port: the seed's two
 * settings.json examples, the file's location (--settings, XDG_CONFIG_HOME,
 * HOME), precedence of the environment over the file field by field,
 * file:line:col messages for malformed JSON and wrong types, warnings
 * for unknown keys, Claude Code's keys and its "env" object, and bad
 * environment values.
 *
 * Files live in a temporary directory mounted at "/" with
 * bk_fake_set_root(); the environment is the fake port's.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "bedrock.h"
#include "check.h"
#include "fake.h"
#include "settings.h"

static char root[256];
static char err[512];
static struct bk_settings S;

#define COUNTOF_(a) (sizeof(a) / sizeof((a)[0]))
#define HOME_FILE "/home/u/.config/claude-code/settings.json"

/* Write `text` (n bytes) at virtual path vp, creating directories. */
static void
wfile_n(const char *vp, const char *text, size_t n)
{
	char p[1024];
	size_t i;
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, vp);
	for (i = strlen(root) + 1; p[i] != '\0'; i++)
		if (p[i] == '/') {
			p[i] = '\0';
			mkdir(p, 0700);
			p[i] = '/';
		}
	f = fopen(p, "wb");
	if (f == NULL) {
		perror(p);
		exit(1);
	}
	fwrite(text, 1, n, f);
	fclose(f);
}

static void
wfile(const char *vp, const char *text)
{
	wfile_n(vp, text, strlen(text));
}

static void
rmfile(const char *vp)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s%s", root, vp);
	unlink(p);
}

/* A clean environment with HOME=/home/u and no settings file. */
static void
fresh(void)
{
	bk_fake_env_clear();
	bk_fake_set_root(root);
	bk_fake_setenv("HOME", "/home/u");
	rmfile(HOME_FILE);
}

static enum bk_err
load(const char *flag)
{
	return bk_settings_load(&S, flag, err, sizeof(err));
}

/* Load `text` as the HOME settings file. */
static enum bk_err
load_text(const char *text)
{
	wfile(HOME_FILE, text);
	return load(NULL);
}

/* err after "PATH:" for the HOME file, "" when err is about another. */
static const char *
msg(void)
{
	size_t n = strlen(HOME_FILE);

	if (strncmp(err, HOME_FILE, n) == 0 && err[n] == ':')
		return err + n + 1;
	return "";
}

static int
from_is(const char *from, const char *want)
{
	if (from == NULL || want == NULL)
		return from == want;
	return strcmp(from, want) == 0;
}

/* ---- the seed's examples ------------------------------------------------ */

static const char seed_template[] =
    "{\n"
    "    \"provider\": \"bedrock\",\n"
    "    \"model\": \"anthropic.claude-3-sonnet-20240229-v1:0\",\n"
    "    \"bedrock\": {\n"
    "        \"region\": \"us-east-1\",\n"
    "        \"profile\": \"claude-bedrock\",\n"
    "        \"inferenceProfile\": "
    "\"us.anthropic.claude-3-sonnet-20240229-v1:0\"\n"
    "    }\n"
    "}\n";

static const char seed_extended[] =
    "{\n"
    "    \"provider\": \"bedrock\",\n"
    "    \"model\": \"anthropic.claude-3-5-sonnet-20240620-v1:0\",\n"
    "    \"bedrock\": {\n"
    "        \"region\": \"us-east-1\",\n"
    "        \"profile\": \"claude-bedrock-prod\",\n"
    "        \"inferenceProfile\": "
    "\"us.anthropic.claude-3-5-sonnet-20240620-v1:0\",\n"
    "        \"maxRetries\": 3,\n"
    "        \"timeout\": 300000\n"
    "    },\n"
    "    \"defaults\": {\n"
    "        \"maxTokens\": 4096,\n"
    "        \"temperature\": 0.7\n"
    "    }\n"
    "}\n";

static void
test_seed(void)
{
	fresh();
	CHECK(load_text(seed_template) == BK_OK);
	CHECK(S.loaded == 1);
	CHECK_EQ_STR(S.path, HOME_FILE);
	CHECK_EQ_STR(S.provider, "bedrock");
	CHECK(from_is(S.provider_from, "settings provider"));
	CHECK_EQ_STR(S.model, "us.anthropic.claude-3-sonnet-20240229-v1:0");
	CHECK(from_is(S.model_from, "settings bedrock.inferenceProfile"));
	CHECK_EQ_STR(S.region, "us-east-1");
	CHECK(from_is(S.region_from, "settings bedrock.region"));
	CHECK_EQ_STR(S.profile, "claude-bedrock");
	CHECK(from_is(S.profile_from, "settings bedrock.profile"));
	CHECK(S.max_tokens == 0 && S.max_tokens_from == NULL);
	CHECK(S.temperature_milli == -1 && S.temperature_from == NULL);
	CHECK(S.max_retries == -1 && S.max_retries_from == NULL);
	CHECK(S.timeout_ms == 0 && S.timeout_from == NULL);
	CHECK(S.use_bedrock == 0 && S.skip_auth == 0);
	CHECK_EQ_STR(S.warnings, "");
	CHECK(S.nwarnings == 0);
	CHECK_EQ_STR(S.ignored, "");
	CHECK_EQ_STR(err, "");

	fresh();
	CHECK(load_text(seed_extended) == BK_OK);
	CHECK_EQ_STR(S.model, "us.anthropic.claude-3-5-sonnet-20240620-v1:0");
	CHECK_EQ_STR(S.profile, "claude-bedrock-prod");
	CHECK(S.max_retries == 3);
	CHECK(from_is(S.max_retries_from, "settings bedrock.maxRetries"));
	CHECK(S.timeout_ms == 300000);
	CHECK(from_is(S.timeout_from, "settings bedrock.timeout"));
	CHECK(S.max_tokens == 4096);
	CHECK(from_is(S.max_tokens_from, "settings defaults.maxTokens"));
	CHECK(S.temperature_milli == 700);
	CHECK(from_is(S.temperature_from, "settings defaults.temperature"));
	CHECK_EQ_STR(S.warnings, "");

	/* "model" is used when there is no inferenceProfile */
	fresh();
	CHECK(load_text("{\"model\": \"m1\", \"bedrock\": {}}") == BK_OK);
	CHECK_EQ_STR(S.model, "m1");
	CHECK(from_is(S.model_from, "settings model"));
	/* an empty string is an absent key */
	fresh();
	CHECK(load_text("{\"model\": \"m1\", \"bedrock\": "
	    "{\"inferenceProfile\": \"\", \"region\": \"\"}}") == BK_OK);
	CHECK_EQ_STR(S.model, "m1");
	CHECK(S.region[0] == '\0' && S.region_from == NULL);
	/* temperatures */
	fresh();
	CHECK(load_text("{\"defaults\": {\"temperature\": 0}}") == BK_OK &&
	    S.temperature_milli == 0);
	CHECK(load_text("{\"defaults\": {\"temperature\": 1}}") == BK_OK &&
	    S.temperature_milli == 1000);
	CHECK(load_text("{\"defaults\": {\"temperature\": 2.5e-1}}") ==
	    BK_OK && S.temperature_milli == 250);
	CHECK(load_text("{\"defaults\": {\"temperature\": 0.0005}}") ==
	    BK_OK && S.temperature_milli == 1);
	{
		/* exact decimal rounding to thousandths, half up */
		static const struct { const char *t; int milli; } temps[] = {
			{ "0.0015", 2 }, { "0.0014999", 1 },
			{ "0.9999", 1000 },
			{ "0.9994", 999 }, { "1.0", 1000 }, { "1.000", 1000 },
			{ "10e-1", 1000 }, { "100E-2", 1000 }, { "5E-1", 500 },
			{ "0.25e0", 250 }, { "-0", 0 }, { "-0.0e5", 0 },
			{ "1e-400", 0 }, { "0.123456789", 123 },
			{ "1.5", -2 }, { "1.0001", -2 }, { "10", -2 },
			{ "1e400", -2 }, { "0.12345e1", -2 }, { "-1e-9", -2 },
			{ "true", -2 },
		};
		size_t i;
		char t[96];
		for (i = 0; i < COUNTOF_(temps); i++) {
			snprintf(t, sizeof(t), "{\"defaults\": "
			    "{\"temperature\": %s}}", temps[i].t);
			check_ctx = temps[i].t;
			if (temps[i].milli >= 0)
				CHECK(load_text(t) == BK_OK &&
				    S.temperature_milli == temps[i].milli);
			else
				CHECK(load_text(t) == BK_E_CONFIG);
		}
		check_ctx = "";
	}
	/* no settings file at all */
	fresh();
	CHECK(load(NULL) == BK_OK);
	CHECK(S.loaded == 0);
	CHECK_EQ_STR(S.path, HOME_FILE);
	CHECK_EQ_STR(S.provider, "bedrock");
	CHECK(from_is(S.provider_from, "default"));
	CHECK(S.model[0] == '\0' && S.model_from == NULL);
	/* nor anywhere to look */
	bk_fake_env_clear();
	CHECK(load(NULL) == BK_OK && S.loaded == 0 && S.path[0] == '\0');
	check_summary("settings seed");
}

/* ---- precedence: environment > settings --------------------------------- */

static void
test_precedence(void)
{
	fresh();
	wfile(HOME_FILE, seed_extended);

	bk_fake_setenv("ANTHROPIC_MODEL", "env-anthropic");
	bk_fake_setenv("CLAUDE_MODEL", "env-claude");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.model, "env-anthropic");
	CHECK(from_is(S.model_from, "ANTHROPIC_MODEL"));
	bk_fake_setenv("ANTHROPIC_MODEL", "");     /* empty: unset */
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.model, "env-claude");
	CHECK(from_is(S.model_from, "CLAUDE_MODEL"));
	bk_fake_setenv("CLAUDE_MODEL", "");
	CHECK(load(NULL) == BK_OK);
	CHECK(from_is(S.model_from, "settings bedrock.inferenceProfile"));

	bk_fake_setenv("CLAUDE_CODE_MAX_OUTPUT_TOKENS", "8192");
	bk_fake_setenv("API_TIMEOUT_MS", "1000");
	bk_fake_setenv("CLAUDE_CODE_MAX_RETRIES", "0");
	bk_fake_setenv("CLAUDE_PROVIDER", "Bedrock");
	CHECK(load(NULL) == BK_OK);
	CHECK(S.max_tokens == 8192);
	CHECK(from_is(S.max_tokens_from, "CLAUDE_CODE_MAX_OUTPUT_TOKENS"));
	CHECK(S.timeout_ms == 1000);
	CHECK(from_is(S.timeout_from, "API_TIMEOUT_MS"));
	CHECK(S.max_retries == 0);
	CHECK(from_is(S.max_retries_from, "CLAUDE_CODE_MAX_RETRIES"));
	CHECK(from_is(S.provider_from, "CLAUDE_PROVIDER"));
	/* the file's own values stay where the environment says nothing */
	CHECK(S.temperature_milli == 700);
	CHECK_EQ_STR(S.region, "us-east-1");

	bk_fake_setenv("ANTHROPIC_DEFAULT_SONNET_MODEL", "s-id");
	bk_fake_setenv("ANTHROPIC_DEFAULT_OPUS_MODEL", "o-id");
	bk_fake_setenv("ANTHROPIC_SMALL_FAST_MODEL", "h-old");
	bk_fake_setenv("ANTHROPIC_BEDROCK_BASE_URL", "https://gw.example/br");
	bk_fake_setenv("CLAUDE_CODE_USE_BEDROCK", "1");
	bk_fake_setenv("CLAUDE_CODE_SKIP_BEDROCK_AUTH", "true");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.sonnet_model, "s-id");
	CHECK_EQ_STR(S.opus_model, "o-id");
	CHECK_EQ_STR(S.haiku_model, "h-old");   /* the deprecated name */
	CHECK_EQ_STR(S.base_url, "https://gw.example/br");
	CHECK(S.use_bedrock == 1 && S.skip_auth == 1);
	bk_fake_setenv("ANTHROPIC_DEFAULT_HAIKU_MODEL", "h-id");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.haiku_model, "h-id");     /* the new name wins */

	/* the environment applies without a settings file too */
	rmfile(HOME_FILE);
	bk_fake_setenv("ANTHROPIC_MODEL", "only-env");
	CHECK(load(NULL) == BK_OK && S.loaded == 0);
	CHECK_EQ_STR(S.model, "only-env");
	check_summary("settings precedence");
}

/* ---- where the file is -------------------------------------------------- */

static void
test_location(void)
{
	fresh();
	wfile(HOME_FILE, "{\"model\": \"from-home\"}");
	wfile("/xdg/claude-code/settings.json", "{\"model\": \"from-xdg\"}");
	wfile("/etc/flag.json", "{\"model\": \"from-flag\"}");

	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.model, "from-home");

	bk_fake_setenv("XDG_CONFIG_HOME", "/xdg");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.model, "from-xdg");
	CHECK_EQ_STR(S.path, "/xdg/claude-code/settings.json");
	bk_fake_setenv("XDG_CONFIG_HOME", "/xdg//");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.path, "/xdg/claude-code/settings.json");

	/* XDG_CONFIG_HOME set: ~/.config is not consulted */
	bk_fake_setenv("XDG_CONFIG_HOME", "/elsewhere");
	CHECK(load(NULL) == BK_OK);
	CHECK(S.loaded == 0 && S.model[0] == '\0');
	CHECK_EQ_STR(S.path, "/elsewhere/claude-code/settings.json");

	/* a relative XDG_CONFIG_HOME is invalid: ignored */
	bk_fake_setenv("XDG_CONFIG_HOME", "xdg");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.model, "from-home");
	bk_fake_setenv("XDG_CONFIG_HOME", "");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.model, "from-home");

	/* --settings FILE beats both */
	bk_fake_setenv("XDG_CONFIG_HOME", "/xdg");
	CHECK(load("/etc/flag.json") == BK_OK);
	CHECK_EQ_STR(S.model, "from-flag");
	CHECK_EQ_STR(S.path, "/etc/flag.json");
	CHECK(S.loaded == 1);

	/* --settings FILE must exist */
	CHECK(load("/etc/missing.json") == BK_E_IO);
	CHECK(strncmp(err, "--settings: cannot open /etc/missing.json",
	    strlen("--settings: cannot open /etc/missing.json")) == 0);
	CHECK(load("/etc") == BK_E_IO);          /* a directory */
	CHECK(strncmp(err, "--settings: ", 12) == 0);
	CHECK(load("") == BK_E_IO);

	/* --settings with the JSON itself, as Claude Code allows */
	CHECK(load("  {\"model\": \"inline\"}") == BK_OK);
	CHECK_EQ_STR(S.model, "inline");
	CHECK_EQ_STR(S.path, "--settings");
	CHECK(load("{\"model\" \"inline\"}") == BK_E_CONFIG);
	CHECK_EQ_STR(err, "--settings:1:10: expected ':' after the key, "
	    "found '\"'");
	check_summary("settings location");
}

/* ---- malformed JSON: what and where ------------------------------------- */

struct bad_json {
	const char *text;
	enum bk_err e;
	const char *msg;        /* after "PATH:" */
};

static const struct bad_json bad_json[] = {
	/* a missing comma between members on separate lines */
	{ "{\n  \"model\": \"x\",\n  \"bedrock\": {\n    \"region\": "
	  "\"us-east-1\"\n    \"profile\": \"p\"\n  }\n}\n", BK_E_CONFIG,
	  "5:5: expected ',' or '}' after a value in an object, found '\"'" },
	{ "{\"model\": \"x\",}", BK_E_CONFIG,
	  "1:14: trailing comma before '}'" },
	{ "{\"permissions\": {\"allow\": [\"a\",]}}", BK_E_CONFIG,
	  "1:31: trailing comma before ']'" },
	{ "{\"model\": \"x\"", BK_E_CONFIG,
	  "1:14: unexpected end of file (the object opened at 1:1 is not "
	  "closed)" },
	{ "{\n  \"bedrock\": {\n    \"region\": \"x\"\n", BK_E_CONFIG,
	  "4:1: unexpected end of file (the object opened at 2:14 is not "
	  "closed)" },
	{ "{\"a\": [1, 2", BK_E_CONFIG,
	  "1:12: unexpected end of file (the array opened at 1:7 is not "
	  "closed)" },
	/* multi-byte UTF-8 before the error: one column per character */
	{ "{\"model\": \"h\xc3\xa9llo\", x}", BK_E_CONFIG,
	  "1:20: keys must be strings in double quotes" },
	{ "{\n\"model\": \"\xe6\x97\xa5\xe6\x9c\xac\" oops}", BK_E_CONFIG,
	  "2:15: expected ',' or '}' after a value in an object, found 'o'" },
	{ "{\"m\": \"\xf0\x9f\x98\x80\", \"n\": nul}", BK_E_CONFIG,
	  "1:17: unexpected word 'nul': text must be in double quotes, and "
	  "the only bare words are true, false and null" },
	/* CRLF: the \r before a line break does not shift the next line */
	{ "{\r\n  \"model\": \"x\"\r\n  oops\r\n}", BK_E_CONFIG,
	  "3:3: expected ',' or '}' after a value in an object, found 'o'" },
	{ "{} x", BK_E_CONFIG,
	  "1:4: trailing data after the object (found 'x')" },
	{ "{}{}", BK_E_CONFIG,
	  "1:3: trailing data after the object (found '{')" },
	{ "{\n  // a comment\n  \"model\": \"x\"\n}", BK_E_CONFIG,
	  "2:3: comments are not allowed in JSON" },
	{ "{\"model\": \"x\" /* c */}", BK_E_CONFIG,
	  "1:15: comments are not allowed in JSON" },
	{ "{'model': 'x'}", BK_E_CONFIG,
	  "1:2: keys must be in double quotes, not single quotes" },
	{ "{\"model\": 'x'}", BK_E_CONFIG,
	  "1:11: strings must be in double quotes, not single quotes" },
	{ "{model: \"x\"}", BK_E_CONFIG,
	  "1:2: keys must be strings in double quotes" },
	{ "{\"model\": \"a\tb\"}", BK_E_CONFIG,
	  "1:13: control character in a string (write it as an escape such "
	  "as \\t)" },
	{ "{\"model\": \"a\\qb\"}", BK_E_CONFIG,
	  "1:13: invalid escape in a string (JSON has \\\" \\\\ \\/ \\b "
	  "\\f \\n \\r \\t and \\uXXXX)" },
	{ "{\"model\": \"a\\u12G4\"}", BK_E_CONFIG,
	  "1:13: invalid \\u escape: it needs four hex digits" },
	{ "{\"model\": \"abc\n}", BK_E_CONFIG,
	  "1:11: unterminated string: the line ends before the closing "
	  "quote" },
	{ "{\"model\": \"abc", BK_E_CONFIG,
	  "1:11: unterminated string: the file ends before the closing "
	  "quote" },
	{ "{\"model\": \"a\xff\"}", BK_E_CONFIG,
	  "1:13: invalid UTF-8 in a string" },
	{ "{\"model\": \"a\xed\xa0\x80\"}", BK_E_CONFIG,    /* surrogate */
	  "1:13: invalid UTF-8 in a string" },
	{ "{\"model\" \"x\"}", BK_E_CONFIG,
	  "1:10: expected ':' after the key, found '\"'" },
	{ "{\"model\": }", BK_E_CONFIG,
	  "1:11: expected a value, found '}'" },
	{ "{\"model\": True}", BK_E_CONFIG,
	  "1:11: unexpected word 'True': text must be in double quotes, and "
	  "the only bare words are true, false and null" },
	{ "{\"defaults\": {\"maxTokens\": 0123}}", BK_E_CONFIG,
	  "1:28: invalid number: leading zeros are not allowed" },
	{ "{\"a\": 1.}", BK_E_CONFIG,
	  "1:7: invalid number: digits must follow '.'" },
	{ "{\"a\": 1e}", BK_E_CONFIG,
	  "1:7: invalid number: digits must follow the exponent" },
	{ "{\"a\": -x}", BK_E_CONFIG, "1:7: invalid number" },
	{ "{\"a\": 12abc}", BK_E_CONFIG, "1:7: invalid number" },
	{ "{\"a\": +1}", BK_E_CONFIG, "1:7: expected a value, found '+'" },
	{ "{\"a\": [1 2]}", BK_E_CONFIG,
	  "1:10: expected ',' or ']' after a value in an array, found '2'" },
	{ "{\"a\": [1}", BK_E_CONFIG,
	  "1:9: expected ',' or ']' after a value in an array, found '}'" },
	{ "{\"a\": 1,\n\"b\"", BK_E_CONFIG,
	  "2:4: unexpected end of file (the object opened at 1:1 is not "
	  "closed)" },
	{ "{\"a\": \x01}", BK_E_CONFIG,
	  "1:7: expected a value, found control character 0x01" },
	{ "[\"model\"]", BK_E_CONFIG,
	  "1:1: the settings must be a JSON object ({ ... }), found '['" },
	{ "\n  \"model\"", BK_E_CONFIG,
	  "2:3: the settings must be a JSON object ({ ... }), found '\"'" },
	{ "{\"a\": 1, }", BK_E_CONFIG, "1:8: trailing comma before '}'" },
	{ "{,}", BK_E_CONFIG,
	  "1:2: expected a key in double quotes or '}', found ','" },
	{ "{\"a\" : 1 , , \"b\": 2}", BK_E_CONFIG,
	  "1:12: expected a key in double quotes, found ','" },
};

static void
test_malformed(void)
{
	size_t i;
	char deep[200];

	for (i = 0; i < COUNTOF_(bad_json); i++) {
		fresh();
		check_ctx = bad_json[i].text;
		CHECK(load_text(bad_json[i].text) == bad_json[i].e);
		CHECK_EQ_STR(msg(), bad_json[i].msg);
	}
	check_ctx = "";

	/* nesting deeper than BK_SETTINGS_DEPTH_MAX */
	memset(deep, 0, sizeof(deep));
	deep[0] = '{';
	memcpy(deep + 1, "\"a\":", 4);
	memset(deep + 5, '[', 70);
	fresh();
	CHECK(load_text(deep) == BK_E_CONFIG);
	CHECK_EQ_STR(msg(), "1:69: nested too deeply (more than 64 levels)");

	/* a UTF-8 byte-order mark is skipped and not counted */
	fresh();
	CHECK(load_text("\xef\xbb\xbf{\"model\": \"bom\"}") == BK_OK);
	CHECK_EQ_STR(S.model, "bom");
	CHECK(load_text("\xef\xbb\xbf{\"model\": x}") == BK_E_CONFIG);
	CHECK_EQ_STR(msg(), "1:11: unexpected word 'x': text must be in "
	    "double quotes, and the only bare words are true, false and null");
	/* an empty or blank file is an empty object */
	CHECK(load_text("") == BK_OK && S.loaded == 1);
	CHECK(load_text(" \n\t\n") == BK_OK && S.loaded == 1);
	/* a NUL byte is not the end of the text */
	fresh();
	wfile_n(HOME_FILE, "{\"model\": \"x\"}\0{", 16);
	CHECK(load(NULL) == BK_E_CONFIG);
	CHECK_EQ_STR(msg(), "1:15: trailing data after the object (found "
	    "control character 0x00)");
	/* bigger than 1 MiB */
	{
		size_t n = BK_SETTINGS_FILE_MAX + 1;
		char *big = malloc(n);
		memset(big, ' ', n);
		big[0] = '{';
		big[n - 1] = '}';
		fresh();
		wfile_n(HOME_FILE, big, n);
		CHECK(load(NULL) == BK_E_CONFIG);
		CHECK(strstr(err, "larger than 1 MiB") != NULL);
		/* exactly 1 MiB is fine */
		wfile_n(HOME_FILE, big, n - 1);
		big[n - 2] = '}';
		wfile_n(HOME_FILE, big, n - 1);
		CHECK(load(NULL) == BK_OK);
		free(big);
	}
	check_summary("settings malformed");
}

/* ---- wrong types and values --------------------------------------------- */

static const struct bad_json bad_types[] = {
	{ "{\"defaults\": {\"maxTokens\": \"big\"}}", BK_E_CONFIG,
	  "1:28: defaults.maxTokens must be a whole number from 1 to "
	  "1000000 (found \"big\")" },
	{ "{\"defaults\": {\"maxTokens\": 0}}", BK_E_CONFIG,
	  "1:28: defaults.maxTokens must be a whole number from 1 to "
	  "1000000 (found 0)" },
	{ "{\"defaults\": {\"maxTokens\": 1000001}}", BK_E_CONFIG,
	  "1:28: defaults.maxTokens must be a whole number from 1 to "
	  "1000000 (found 1000001)" },
	{ "{\"defaults\": {\"maxTokens\": 4096.5}}", BK_E_CONFIG,
	  "1:28: defaults.maxTokens must be a whole number from 1 to "
	  "1000000 (found 4096.5)" },
	{ "{\"defaults\": {\"maxTokens\": null}}", BK_E_CONFIG,
	  "1:28: defaults.maxTokens must be a whole number from 1 to "
	  "1000000 (found null)" },
	{ "{\"defaults\": {\"temperature\": 2}}", BK_E_CONFIG,
	  "1:30: defaults.temperature must be a number from 0 to 1 "
	  "(found 2)" },
	{ "{\"defaults\": {\"temperature\": -0.1}}", BK_E_CONFIG,
	  "1:30: defaults.temperature must be a number from 0 to 1 "
	  "(found -0.1)" },
	{ "{\"defaults\": {\"temperature\": \"0.5\"}}", BK_E_CONFIG,
	  "1:30: defaults.temperature must be a number from 0 to 1 "
	  "(found \"0.5\")" },
	{ "{\"bedrock\": {\"timeout\": -5}}", BK_E_CONFIG,
	  "1:25: bedrock.timeout must be a whole number from 1 to "
	  "2147483647 (found -5)" },
	{ "{\"bedrock\": {\"timeout\": 0}}", BK_E_CONFIG,
	  "1:25: bedrock.timeout must be a whole number from 1 to "
	  "2147483647 (found 0)" },
	{ "{\"bedrock\": {\"maxRetries\": 101}}", BK_E_CONFIG,
	  "1:28: bedrock.maxRetries must be a whole number from 0 to 100 "
	  "(found 101)" },
	{ "{\"bedrock\": {\"maxRetries\": true}}", BK_E_CONFIG,
	  "1:28: bedrock.maxRetries must be a whole number from 0 to 100 "
	  "(found true)" },
	{ "{\"provider\": 5}", BK_E_CONFIG,
	  "1:14: provider must be a string (found 5)" },
	{ "{\"provider\": \"anthropic\"}", BK_E_CONFIG,
	  "1:14: provider \"anthropic\" is not supported: bedrock-claude only "
	  "talks to Amazon Bedrock (use \"bedrock\" or remove the key)" },
	{ "{\"bedrock\": \"us-east-1\"}", BK_E_CONFIG,
	  "1:13: bedrock must be an object (found \"us-east-1\")" },
	{ "{\"bedrock\": [1]}", BK_E_CONFIG,
	  "1:13: bedrock must be an object (found an array)" },
	{ "{\"defaults\": 3}", BK_E_CONFIG,
	  "1:14: defaults must be an object (found 3)" },
	{ "{\"model\": {\"id\": \"x\"}}", BK_E_CONFIG,
	  "1:11: model must be a string (found an object)" },
	{ "{\"model\": \"a\\nb\"}", BK_E_CONFIG,
	  "1:11: model must not contain control characters" },
	{ "{\"model\": \"\\ud800\"}", BK_E_CONFIG,
	  "1:11: model has an invalid \\u escape (a lone surrogate)" },
	{ "{\"bedrock\": {\"region\": \"US East\"}}", BK_E_CONFIG,
	  "1:24: bedrock.region must be a region name such as us-east-1 "
	  "(found \"US East\")" },
	{ "{\"bedrock\": {\"profile\": 7}}", BK_E_CONFIG,
	  "1:25: bedrock.profile must be a string (found 7)" },
	{ "{\"env\": \"A=1\"}", BK_E_CONFIG,
	  "1:9: env must be an object of \"NAME\": \"value\" pairs "
	  "(found \"A=1\")" },
	{ "{\"env\": {\"A\": null}}", BK_E_CONFIG,
	  "1:15: env.A must be a string (found null)" },
	{ "{\"env\": {\"A\": [\"x\"]}}", BK_E_CONFIG,
	  "1:15: env.A must be a string (found an array)" },
	{ "{\"env\": {\"A=B\": \"x\"}}", BK_E_CONFIG,
	  "1:10: env key \"A=B\" is not a valid environment variable name" },
	{ "{\"env\": {\"\": \"x\"}}", BK_E_CONFIG,
	  "1:10: env key \"\" is not a valid environment variable name" },
	{ "{\"env\": {\"A\": \"x\\u0000y\"}}", BK_E_CONFIG,
	  "1:15: env.A must not contain a NUL character" },
};

static void
test_types(void)
{
	size_t i;
	char longm[700];

	for (i = 0; i < COUNTOF_(bad_types); i++) {
		fresh();
		check_ctx = bad_types[i].text;
		CHECK(load_text(bad_types[i].text) == bad_types[i].e);
		CHECK_EQ_STR(msg(), bad_types[i].msg);
	}
	check_ctx = "";

	/* a value that does not fit its field */
	snprintf(longm, sizeof(longm), "{\"model\": \"%0600d\"}", 0);
	fresh();
	CHECK(load_text(longm) == BK_E_CONFIG);
	CHECK_EQ_STR(msg(), "1:11: model is too long (at most 511 bytes)");
	/* values are checked even when the environment overrides them */
	fresh();
	bk_fake_setenv("CLAUDE_CODE_MAX_OUTPUT_TOKENS", "100");
	CHECK(load_text("{\"defaults\": {\"maxTokens\": -1}}") == BK_E_CONFIG);
	/* the provider, case-insensitive */
	fresh();
	CHECK(load_text("{\"provider\": \"BEDROCK\"}") == BK_OK);
	CHECK_EQ_STR(S.provider, "bedrock");
	/* err may be absent */
	fresh();
	wfile(HOME_FILE, "{\"model\": 1}");
	CHECK(bk_settings_load(&S, NULL, NULL, 0) == BK_E_CONFIG);
	check_summary("settings types");
}

/* ---- unknown keys, Claude Code's keys, duplicates ----------------------- */

static void
test_unknown(void)
{
	static const char text[] =
	    "{\n"
	    "  \"model\": \"m\",\n"
	    "  \"foo\": 1,\n"
	    "  \"bedrock\": {\"regoin\": \"us-east-1\", \"timeout\": 5},\n"
	    "  \"region\": \"us-west-2\",\n"
	    "  \"defaults\": {\"maxToken\": 10},\n"
	    "  \"modle\": \"x\",\n"
	    "  \"permisions\": {},\n"
	    "  \"permissions\": {\"allow\": [\"Bash(ls)\"], \"deny\": []},\n"
	    "  \"hooks\": {\"PreToolUse\": []},\n"
	    "  \"statusLine\": {\"type\": \"command\", \"command\": \"x\"}\n"
	    "}\n";
	char keys[8192];
	size_t i;
	struct bk_buf b;

	fresh();
	CHECK(load_text(text) == BK_OK);
	CHECK_EQ_STR(S.model, "m");
	CHECK(S.timeout_ms == 5);
	CHECK_EQ_STR(S.warnings,
	    HOME_FILE ":3:3: unknown key \"foo\" (ignored)\n"
	    HOME_FILE ":4:15: unknown key \"bedrock.regoin\" (ignored; "
	    "did you mean \"bedrock.region\"?)\n"
	    HOME_FILE ":5:3: unknown key \"region\" (ignored; did you mean "
	    "\"bedrock.region\"?)\n"
	    HOME_FILE ":6:16: unknown key \"defaults.maxToken\" (ignored; did "
	    "you mean \"defaults.maxTokens\"?)\n"
	    HOME_FILE ":7:3: unknown key \"modle\" (ignored; did you mean "
	    "\"model\"?)\n"
	    HOME_FILE ":8:3: unknown key \"permisions\" (ignored; did you "
	    "mean \"permissions\"?)\n");
	CHECK(S.nwarnings == 6);
	CHECK_EQ_STR(S.ignored, "permissions, hooks, statusLine");

	/* a file shared with Claude Code, as its docs show one for Bedrock */
	fresh();
	CHECK(load_text(
	    "{\n"
	    "  \"$schema\": \"https://json.schemastore.org/"
	    "claude-code-settings.json\",\n"
	    "  \"model\": \"sonnet\",\n"
	    "  \"awsAuthRefresh\": \"aws sso login --profile p\",\n"
	    "  \"awsCredentialExport\": \"/bin/creds.sh\",\n"
	    "  \"modelOverrides\": {\"claude-opus-4-6\": \"arn:aws:...\"},\n"
	    "  \"apiKeyHelper\": \"/bin/k.sh\",\n"
	    "  \"cleanupPeriodDays\": 20,\n"
	    "  \"includeCoAuthoredBy\": false,\n"
	    "  \"env\": {\"CLAUDE_CODE_USE_BEDROCK\": \"1\", "
	    "\"AWS_REGION\": \"us-east-1\"}\n"
	    "}\n") == BK_OK);
	CHECK_EQ_STR(S.warnings, "");
	CHECK(S.use_bedrock == 1);
	CHECK_EQ_STR(S.model, "sonnet");
	CHECK_EQ_STR(S.ignored, "$schema, awsAuthRefresh, "
	    "awsCredentialExport, modelOverrides, apiKeyHelper, "
	    "cleanupPeriodDays, "
	    "includeCoAuthoredBy");

	/* duplicates: the last one wins, the others warn */
	fresh();
	CHECK(load_text("{\"model\": \"a\",\n \"model\": \"b\"}") == BK_OK);
	CHECK_EQ_STR(S.model, "b");
	CHECK_EQ_STR(S.warnings, HOME_FILE ":1:2: duplicate key \"model\" "
	    "(ignored: the last one wins)\n");
	fresh();
	CHECK(load_text("{\"bedrock\": {\"region\": \"bad region\"}, "
	    "\"bedrock\": {\"region\": \"eu-west-1\"}}") == BK_OK);
	CHECK_EQ_STR(S.region, "eu-west-1");  /* the first is not even read */
	CHECK(S.nwarnings == 1);

	/* too many warnings: counted, and the buffer says so */
	bk_buf_init(&b, keys, sizeof(keys));
	bk_buf_puts(&b, "{");
	for (i = 0; i < 60; i++) {
		char k[32];
		snprintf(k, sizeof(k), "%s\"unknown%02u\": 1", i ? ", " : "",
		    (unsigned)i);
		bk_buf_puts(&b, k);
	}
	bk_buf_puts(&b, "}");
	fresh();
	CHECK(load_text(keys) == BK_OK);
	CHECK(S.nwarnings == 60);
	CHECK(strlen(S.warnings) < sizeof(S.warnings));
	CHECK(strstr(S.warnings, "more warnings\n") != NULL);
	CHECK(strstr(S.warnings, "unknown00") != NULL);

	/* every Claude Code key at once: ignored quietly, the list cut */
	bk_buf_init(&b, keys, sizeof(keys));
	bk_buf_puts(&b, "{\"hooks\": 1, \"permissions\": 1, "
	    "\"statusLine\": 1, \"sandbox\": 1, \"enabledPlugins\": 1, "
	    "\"attribution\": 1, "
	    "\"alwaysThinkingEnabled\": 1, \"outputStyle\": 1, "
	    "\"spinnerTipsEnabled\": 1, \"theme\": 1, \"verbose\": 1, "
	    "\"language\": 1, \"autoUpdatesChannel\": 1, \"editorMode\": 1, "
	    "\"extraKnownMarketplaces\": 1, "
	    "\"enableAllProjectMcpServers\": 1, "
	    "\"enabledMcpjsonServers\": 1, \"disabledMcpjsonServers\": 1, "
	    "\"allowedMcpServers\": 1, \"deniedMcpServers\": 1, "
	    "\"companyAnnouncements\": 1, \"forceLoginMethod\": 1, "
	    "\"forceLoginOrgUUID\": 1, \"otelHeadersHelper\": 1, "
	    "\"skipWebFetchPreflight\": 1, \"terminalProgressBarEnabled\": 1, "
	    "\"showTurnDuration\": 1, \"prefersReducedMotion\": 1, "
	    "\"fileSuggestion\": 1, \"respectGitignore\": 1, "
	    "\"plansDirectory\": 1, \"includeGitInstructions\": 1, "
	    "\"autoMemoryEnabled\": 1, \"claudeMdExcludes\": 1, "
	    "\"availableModels\": 1, \"fallbackModel\": 1, "
	    "\"advisorModel\": 1, \"effortLevel\": 1, \"fastMode\": 1}");
	fresh();
	CHECK(load_text(keys) == BK_OK);
	CHECK(S.nwarnings == 0);
	CHECK(strncmp(S.ignored, "hooks, permissions, statusLine, ", 32) == 0);
	CHECK(strlen(S.ignored) < sizeof(S.ignored));
	CHECK(strcmp(S.ignored + strlen(S.ignored) - 5, ", ...") == 0);
	check_summary("settings unknown keys");
}

/* ---- the settings "env" object ------------------------------------------ */

static void
test_env_object(void)
{
	static const char text[] =
	    "{\n"
	    "  \"model\": \"file-model\",\n"
	    "  \"bedrock\": {\"inferenceProfile\": \"file-ip\", "
	    "\"timeout\": 9000},\n"
	    "  \"env\": {\n"
	    "    \"AWS_REGION\": \"us-east-1\",\n"
	    "    \"AWS_PROFILE\": \"\",\n"
	    "    \"ANTHROPIC_MODEL\": \"env-obj-model\",\n"
	    "    \"API_TIMEOUT_MS\": 5000,\n"
	    "    \"CLAUDE_CODE_USE_BEDROCK\": true,\n"
	    "    \"DISABLE_PROMPT_CACHING\": \"1\",\n"
	    "    \"http_proxy\": \"http://p:3128\"\n"
	    "  }\n"
	    "}\n";

	fresh();
	CHECK(load_text(text) == BK_OK);
	CHECK(S.env_count == 7);
	/* env object > settings keys */
	CHECK_EQ_STR(S.model, "env-obj-model");
	CHECK(from_is(S.model_from, "settings env.ANTHROPIC_MODEL"));
	CHECK(S.timeout_ms == 5000);   /* a number, taken as its text */
	CHECK(from_is(S.timeout_from, "settings env.API_TIMEOUT_MS"));
	CHECK(S.use_bedrock == 1);     /* true, likewise */
	/* what the program asks for AWS_REGION and friends */
	CHECK_EQ_STR(bk_settings_env(&S, "AWS_REGION"), "us-east-1");
	CHECK_EQ_STR(bk_settings_file_env(&S, "AWS_REGION"), "us-east-1");
	CHECK(bk_settings_env(&S, "AWS_PROFILE") == NULL);      /* "" */
	CHECK_EQ_STR(bk_settings_env(&S, "http_proxy"), "http://p:3128");
	CHECK(bk_settings_env(&S, "NOPE") == NULL);
	CHECK(bk_settings_env(NULL, "AWS_REGION") == NULL);
	CHECK(bk_settings_env(&S, "HOME") != NULL);              /* real */

	/* the real environment beats the env object */
	bk_fake_setenv("AWS_REGION", "eu-west-1");
	bk_fake_setenv("API_TIMEOUT_MS", "7000");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(bk_settings_env(&S, "AWS_REGION"), "eu-west-1");
	CHECK_EQ_STR(bk_settings_file_env(&S, "AWS_REGION"), "us-east-1");
	CHECK(S.timeout_ms == 7000);
	CHECK(from_is(S.timeout_from, "API_TIMEOUT_MS"));
	/* ... and every real variable of a field beats the env object:
	 * $CLAUDE_MODEL outranks env.ANTHROPIC_MODEL */
	bk_fake_setenv("CLAUDE_MODEL", "real-claude-model");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(S.model, "real-claude-model");
	CHECK(from_is(S.model_from, "CLAUDE_MODEL"));
	/* an empty real variable does not hide the env object's */
	bk_fake_setenv("AWS_REGION", "");
	CHECK(load(NULL) == BK_OK);
	CHECK_EQ_STR(bk_settings_env(&S, "AWS_REGION"), "us-east-1");

	/* a bad value in the env object: reported where it is */
	fresh();
	CHECK(load_text("{\"env\": {\n  \"CLAUDE_CODE_MAX_OUTPUT_TOKENS\": "
	    "\"lots\"}}") == BK_E_CONFIG);
	CHECK_EQ_STR(msg(), "2:36: env.CLAUDE_CODE_MAX_OUTPUT_TOKENS="
	    "\"lots\": must be a whole number from 1 to 1000000");
	/* ... unless the real environment overrides it: only the winner
	 * is checked */
	bk_fake_setenv("CLAUDE_CODE_MAX_OUTPUT_TOKENS", "64");
	CHECK(load(NULL) == BK_OK && S.max_tokens == 64);
	fresh();
	CHECK(load_text("{\"env\": {\"CLAUDE_CODE_SKIP_BEDROCK_AUTH\": "
	    "\"maybe\"}}") == BK_E_CONFIG);
	CHECK_EQ_STR(msg(), "1:43: env.CLAUDE_CODE_SKIP_BEDROCK_AUTH="
	    "\"maybe\": must be 1, true, yes or on, or 0, false, no or off");
	fresh();
	CHECK(load_text("{\"env\": {\"CLAUDE_PROVIDER\": \"vertex\"}}") ==
	    BK_E_CONFIG);
	CHECK(strstr(err, "env.CLAUDE_PROVIDER=\"vertex\": not supported") !=
	    NULL);

	/* repeated names: the last one wins, with a warning */
	fresh();
	CHECK(load_text("{\"env\": {\"X\": \"1\", \"X\": \"2\"}}") == BK_OK);
	CHECK_EQ_STR(bk_settings_env(&S, "X"), "2");
	CHECK(S.nwarnings == 1 && S.env_count == 1);
	/* escapes are decoded */
	fresh();
	CHECK(load_text("{\"env\": {\"P\\u0041TH_X\": \"a\\\\b\\u00e9\"}}") ==
	    BK_OK);
	CHECK_EQ_STR(bk_settings_env(&S, "PATH_X"), "a\\b\xc3\xa9");

	/* limits: variables, bytes */
	{
		char big[12000];
		struct bk_buf b;
		unsigned i;
		bk_buf_init(&b, big, sizeof(big));
		bk_buf_puts(&b, "{\"env\": {");
		for (i = 0; i < BK_SETTINGS_ENV_MAX + 1; i++) {
			char kv[40];
			snprintf(kv, sizeof(kv), "%s\"V%u\": \"x\"",
			    i ? "," : "", i);
			bk_buf_puts(&b, kv);
		}
		bk_buf_puts(&b, "}}");
		fresh();
		CHECK(load_text(big) == BK_E_CONFIG);
		CHECK_EQ_STR(msg(), "1:9: env has more than 128 variables");

		bk_buf_init(&b, big, sizeof(big));
		bk_buf_puts(&b, "{\"env\": {\"A\": \"");
		for (i = 0; i < 9000; i++)
			bk_buf_putc(&b, 'x');
		bk_buf_puts(&b, "\"}}");
		fresh();
		CHECK(load_text(big) == BK_E_CONFIG);
		CHECK_EQ_STR(msg(), "1:9: env holds more than 8192 bytes of "
		    "names and values");
	}

	/* the struct may hold secrets: wiping clears it all */
	fresh();
	CHECK(load_text("{\"env\": {\"AWS_SECRET_ACCESS_KEY\": \"s3cr3t\"}}")
	    == BK_OK);
	CHECK_EQ_STR(bk_settings_file_env(&S, "AWS_SECRET_ACCESS_KEY"),
	    "s3cr3t");
	bk_settings_wipe(&S);
	{
		static const struct bk_settings zero;
		CHECK(memcmp(&S, &zero, sizeof(S)) == 0);
	}
	check_summary("settings env object");
}

/* ---- bad environment values --------------------------------------------- */

struct bad_env {
	const char *name, *value, *msg;
};

static const struct bad_env bad_env[] = {
	{ "CLAUDE_CODE_MAX_OUTPUT_TOKENS", "12abc",
	  "CLAUDE_CODE_MAX_OUTPUT_TOKENS=\"12abc\": must be a whole number "
	  "from 1 to 1000000" },
	{ "CLAUDE_CODE_MAX_OUTPUT_TOKENS", "0",
	  "CLAUDE_CODE_MAX_OUTPUT_TOKENS=\"0\": must be a whole number from 1 "
	  "to 1000000" },
	{ "CLAUDE_CODE_MAX_OUTPUT_TOKENS", "99999999999999999999999",
	  "CLAUDE_CODE_MAX_OUTPUT_TOKENS=\"99999999999999999999999\": must be "
	  "a whole number from 1 to 1000000" },
	{ "CLAUDE_CODE_MAX_OUTPUT_TOKENS", " 100",
	  "CLAUDE_CODE_MAX_OUTPUT_TOKENS=\" 100\": must be a whole number "
	  "from 1 to 1000000" },
	{ "API_TIMEOUT_MS", "-1",
	  "API_TIMEOUT_MS=\"-1\": must be a whole number from 1 to "
	  "2147483647" },
	{ "API_TIMEOUT_MS", "2147483648",
	  "API_TIMEOUT_MS=\"2147483648\": must be a whole number from 1 to "
	  "2147483647" },
	{ "API_TIMEOUT_MS", "10s",
	  "API_TIMEOUT_MS=\"10s\": must be a whole number from 1 to "
	  "2147483647" },
	{ "CLAUDE_CODE_MAX_RETRIES", "101",
	  "CLAUDE_CODE_MAX_RETRIES=\"101\": must be a whole number from 0 to "
	  "100" },
	{ "CLAUDE_CODE_MAX_RETRIES", "three",
	  "CLAUDE_CODE_MAX_RETRIES=\"three\": must be a whole number from 0 "
	  "to 100" },
	{ "CLAUDE_CODE_USE_BEDROCK", "maybe",
	  "CLAUDE_CODE_USE_BEDROCK=\"maybe\": must be 1, true, yes or on, or "
	  "0, false, no or off" },
	{ "CLAUDE_CODE_USE_BEDROCK", "2",
	  "CLAUDE_CODE_USE_BEDROCK=\"2\": must be 1, true, yes or on, or 0, "
	  "false, no or off" },
	{ "CLAUDE_CODE_SKIP_BEDROCK_AUTH", "y",
	  "CLAUDE_CODE_SKIP_BEDROCK_AUTH=\"y\": must be 1, true, yes or on, "
	  "or 0, false, no or off" },
	{ "CLAUDE_PROVIDER", "anthropic",
	  "CLAUDE_PROVIDER=\"anthropic\": not supported: bedrock-claude only "
	  "talks to Amazon Bedrock (use bedrock)" },
	{ "ANTHROPIC_MODEL", "a\tb",
	  "ANTHROPIC_MODEL=\"a\\tb\": must not contain control characters" },
};

static void
test_bad_env(void)
{
	static const struct { const char *v; int want; } bools[] = {
		{ "1", 1 }, { "true", 1 }, { "TRUE", 1 }, { "Yes", 1 },
		{ "on", 1 }, { " yes ", 1 }, { "0", 0 }, { "false", 0 },
		{ "No", 0 }, { "OFF", 0 },
	};
	char longv[700];
	size_t i;

	for (i = 0; i < COUNTOF_(bad_env); i++) {
		fresh();
		wfile(HOME_FILE, seed_extended);
		check_ctx = bad_env[i].value;
		bk_fake_setenv(bad_env[i].name, bad_env[i].value);
		CHECK(load(NULL) == BK_E_CONFIG);
		CHECK_EQ_STR(err, bad_env[i].msg);
	}
	check_ctx = "";

	for (i = 0; i < COUNTOF_(bools); i++) {
		fresh();
		check_ctx = bools[i].v;
		bk_fake_setenv("CLAUDE_CODE_USE_BEDROCK", bools[i].v);
		bk_fake_setenv("CLAUDE_CODE_SKIP_BEDROCK_AUTH", bools[i].v);
		CHECK(load(NULL) == BK_OK);
		CHECK(S.use_bedrock == bools[i].want);
		CHECK(S.skip_auth == bools[i].want);
	}
	check_ctx = "";

	/* the limits themselves are fine */
	fresh();
	bk_fake_setenv("API_TIMEOUT_MS", "2147483647");
	bk_fake_setenv("CLAUDE_CODE_MAX_OUTPUT_TOKENS", "1000000");
	bk_fake_setenv("CLAUDE_CODE_MAX_RETRIES", "100");
	CHECK(load(NULL) == BK_OK);
	CHECK(S.timeout_ms == 2147483647u && S.max_tokens == 1000000u &&
	    S.max_retries == 100);

	/* too long for the field */
	memset(longv, 'm', 600);
	longv[600] = '\0';
	fresh();
	bk_fake_setenv("ANTHROPIC_DEFAULT_OPUS_MODEL", longv);
	CHECK(load(NULL) == BK_E_CONFIG);
	CHECK(strstr(err, "\"...: too long (at most 511 bytes)") != NULL);
	CHECK(strncmp(err, "ANTHROPIC_DEFAULT_OPUS_MODEL=\"mmm", 33) == 0);
	check_summary("settings bad env");
}

int
main(void)
{
	char tmpl[] = "/tmp/settings_test.XXXXXX";

	if (mkdtemp(tmpl) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(root, sizeof(root), "%s", tmpl);
	bk_fake_reset();
	test_seed();
	test_precedence();
	test_location();
	test_malformed();
	test_types();
	test_unknown();
	test_env_object();
	test_bad_env();
	bk_fake_reset();
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", root);
	}
	return check_total_fail == 0 ? 0 : 1;
}
