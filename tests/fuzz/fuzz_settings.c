/*
 * fuzz_settings.c -- libFuzzer target for settings.json (settings.c): the
 * strict RFC 8259 checker, the walk of the keys, the "env" object and the
 * environment on top, through bk_settings_load(), bk_settings_env() and
 * bk_settings_file_env() over tests/fuzz/fuzz_port.c.
 *
 * The loader's own text entry point is the one Claude Code has:
 * "--settings '{...}'", an argument whose first non-blank byte is '{' is
 * the JSON itself.  Text that cannot go that way (a NUL in it, another
 * first byte, a byte-order mark) goes through a file instead, which
 * bk_port_read_file() serves from memory.
 *
 * Input: one flags byte, then the text.
 *   flags & 1     through a file ($XDG_CONFIG_HOME/claude-code/settings.json,
 *                 or --settings PATH when flags & 0x80); else as text when
 *                 it can be (loaded twice; with flags & 0x80 also through
 *                 the file, and the results compared)
 *   flags & 2     ANTHROPIC_MODEL is set in the real environment
 *   flags & 4     CLAUDE_CODE_MAX_OUTPUT_TOKENS=12abc (a bad value)
 *   flags & 8     API_TIMEOUT_MS=5000 and CLAUDE_CODE_USE_BEDROCK=yes
 *   flags & 0x10  a short error buffer (17 bytes)
 *   flags & 0x20  XDG_CONFIG_HOME is relative (ignored): $HOME is used
 *   flags & 0x40  '{"env":{"AWS_SECRET_ACCESS_KEY":"<marker>"},' replaces
 *                 the first '{' (a secret in the env object)
 *
 * Checks (abort() on a violation):
 *  - the error is NUL-terminated inside its buffer, one clean line, ""
 *    on success, set on failure, never the "not reached" jsmn message,
 *    and never shows the marker; so for each warning line and the list
 *    of Claude Code keys;
 *  - on success every field is in its documented range: provider
 *    "bedrock", strings NUL-terminated without control characters, a
 *    valid region, max_tokens <= 1000000, temperature -1..1000, retries
 *    -1..100, a *_from for each field set; the env object is well formed
 *    ("NAME\0VALUE\0" pairs, env_count of them filling env_len, names
 *    without '=' or control characters) and bk_settings_file_env() and
 *    bk_settings_env() answer from it and the real environment as
 *    documented; a real ANTHROPIC_MODEL wins;
 *  - the same text gives the same result twice, and as text or as file.
 *
 * A load from a file costs settings.c's 1 MiB buffer, malloc'd and wiped:
 * text goes that way only when it must (a NUL, another first byte) or when
 * flags & 1 says so, to keep the target fast.
 *
 * Built with clang -fsanitize=fuzzer (make build/fuzz/fuzz_settings) and,
 * with -DREPLAY, included by replay.c: every helper is static, prefix fg_.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"
#include "fuzz_port.h"
#include "settings.h"

#define FG_SECRET "fsSecretKeyMARKER/1d6b8e3a7c"
#define FG_PATH "/cfg/claude-code/settings.json"
#define FG_HOME_PATH "/home/fuzz/.config/claude-code/settings.json"

static int
fg_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static void
fg_check_str(const char *s, size_t cap)
{
	FP_ASSERT(fp_terminated(s, cap));
	FP_ASSERT(fg_printable(s));
}

static void
fg_check_ok(const struct bk_settings *s)
{
	size_t off = 0;
	unsigned i;
	const char *line;

	FP_ASSERT(strcmp(s->provider, "bedrock") == 0);
	FP_ASSERT(s->provider_from != NULL);
	fg_check_str(s->model, sizeof(s->model));
	fg_check_str(s->region, sizeof(s->region));
	fg_check_str(s->profile, sizeof(s->profile));
	fg_check_str(s->sonnet_model, sizeof(s->sonnet_model));
	fg_check_str(s->opus_model, sizeof(s->opus_model));
	fg_check_str(s->haiku_model, sizeof(s->haiku_model));
	fg_check_str(s->base_url, sizeof(s->base_url));
	FP_ASSERT((s->model[0] != '\0') == (s->model_from != NULL));
	FP_ASSERT((s->region[0] != '\0') == (s->region_from != NULL));
	FP_ASSERT((s->profile[0] != '\0') == (s->profile_from != NULL));
	FP_ASSERT(s->region[0] == '\0' || bk_region_valid(s->region));
	FP_ASSERT(s->max_tokens <= BK_SETTINGS_TOKENS_MAX);
	FP_ASSERT((s->max_tokens != 0) == (s->max_tokens_from != NULL));
	FP_ASSERT(s->temperature_milli >= -1 && s->temperature_milli <= 1000);
	FP_ASSERT((s->temperature_milli >= 0) ==
	    (s->temperature_from != NULL));
	FP_ASSERT(s->max_retries >= -1 &&
	    s->max_retries <= BK_SETTINGS_RETRIES_MAX);
	FP_ASSERT((s->max_retries >= 0) == (s->max_retries_from != NULL));
	FP_ASSERT(s->timeout_ms <= BK_SETTINGS_TIMEOUT_MAX);
	FP_ASSERT((s->timeout_ms != 0) == (s->timeout_from != NULL));
	FP_ASSERT(s->skip_auth == 0 || s->skip_auth == 1);
	FP_ASSERT(s->use_bedrock == 0 || s->use_bedrock == 1);
	FP_ASSERT(fp_terminated(s->path, sizeof(s->path)));
	FP_ASSERT(fp_terminated(s->ignored, sizeof(s->ignored)));
	FP_ASSERT(fp_clean(s->ignored, 0));
	/* warnings: lines, each clean and ended by '\n' */
	FP_ASSERT(fp_terminated(s->warnings, sizeof(s->warnings)));
	FP_ASSERT(fp_clean(s->warnings, 1));
	for (line = s->warnings, i = 0; *line != '\0'; i++) {
		const char *nl = strchr(line, '\n');
		FP_ASSERT(nl != NULL);
		line = nl + 1;
	}
	FP_ASSERT(i <= s->nwarnings + 1);
	FP_ASSERT(!fp_has(s->warnings, FG_SECRET) &&
	    !fp_has(s->ignored, FG_SECRET));
	/* the env object: env_count pairs filling env_len */
	FP_ASSERT(s->env_len <= sizeof(s->env) &&
	    s->env_count <= BK_SETTINGS_ENV_MAX);
	for (i = 0; i < s->env_count; i++) {
		const char *k = s->env + off, *v, *got;
		size_t kl, vl, j;
		FP_ASSERT(off < s->env_len);
		kl = strnlen(k, s->env_len - off);
		FP_ASSERT(kl > 0 && kl < s->env_len - off);
		for (j = 0; j < kl; j++)
			FP_ASSERT((unsigned char)k[j] >= 0x20 && k[j] != '=');
		v = k + kl + 1;
		vl = strnlen(v, s->env_len - off - kl - 1);
		FP_ASSERT(vl < s->env_len - off - kl - 1);
		off += kl + 1 + vl + 1;
		/* names are unique (duplicates keep the last), so the value
		 * is this one */
		got = bk_settings_file_env(s, k);
		FP_ASSERT(vl == 0 ? got == NULL : got == v);
		got = bk_settings_env(s, k);
		if (bk_port_getenv(k) != NULL && bk_port_getenv(k)[0] != '\0')
			FP_ASSERT(got == bk_port_getenv(k));
		else
			FP_ASSERT(vl == 0 ? got == NULL : got == v);
	}
	FP_ASSERT(off == s->env_len);
	if (bk_port_getenv("ANTHROPIC_MODEL") != NULL) {
		FP_ASSERT(strcmp(s->model, bk_port_getenv("ANTHROPIC_MODEL")) ==
		    0);
		FP_ASSERT(strcmp(s->model_from, "ANTHROPIC_MODEL") == 0);
	}
	FP_ASSERT(bk_settings_env(s, "BK_FUZZ_NOT_SET") == NULL ||
	    bk_settings_file_env(s, "BK_FUZZ_NOT_SET") != NULL);
}

static enum bk_err
fg_load(struct bk_settings *s, const char *flag, char *err, size_t cap)
{
	enum bk_err e;

	memset(err, 'Z', cap);
	e = bk_settings_load(s, flag, err, cap);
	FP_ASSERT(e == BK_OK || e == BK_E_CONFIG || e == BK_E_IO);
	FP_ASSERT(fp_terminated(err, cap));
	FP_ASSERT(fp_clean(err, 0));
	FP_ASSERT(!fp_has(err, FG_SECRET));
	FP_ASSERT(!fp_has(err, "invalid JSON ("));
	if (e == BK_OK)
		FP_ASSERT(err[0] == '\0');
	else
		FP_ASSERT(err[0] != '\0');
	if (e == BK_OK)
		fg_check_ok(s);
	return e;
}

/* The fields two loads of the same text share, wherever it came from. */
static void
fg_same(const struct bk_settings *a, const struct bk_settings *b)
{
	FP_ASSERT(strcmp(a->model, b->model) == 0);
	FP_ASSERT(strcmp(a->region, b->region) == 0);
	FP_ASSERT(strcmp(a->profile, b->profile) == 0);
	FP_ASSERT(strcmp(a->base_url, b->base_url) == 0);
	FP_ASSERT(a->max_tokens == b->max_tokens);
	FP_ASSERT(a->temperature_milli == b->temperature_milli);
	FP_ASSERT(a->max_retries == b->max_retries);
	FP_ASSERT(a->timeout_ms == b->timeout_ms);
	FP_ASSERT(a->nwarnings == b->nwarnings);
	FP_ASSERT(a->env_len == b->env_len && a->env_count == b->env_count &&
	    memcmp(a->env, b->env, a->env_len) == 0);
	FP_ASSERT(strcmp(a->ignored, b->ignored) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bk_settings a, b;
	static const char prefix[] =
	    "{\"env\":{\"AWS_SECRET_ACCESS_KEY\":\"" FG_SECRET "\"},";
	char err_a[1024], err_b[1024];
	size_t n, cap, i;
	char *text;
	int as_file, first;
	enum bk_err ea, eb;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	/* the text, NUL-terminated, with the secret spliced in */
	text = malloc(size + sizeof(prefix));
	FP_ASSERT(text != NULL);
	n = 0;
	for (i = 1; i < size && (data[i] == ' ' || data[i] == '\t' ||
	    data[i] == '\n' || data[i] == '\r'); i++)
		;
	first = i < size ? data[i] : -1;
	if ((flags & 0x40) && first == '{') {
		memcpy(text, data + 1, i - 1);
		n = i - 1;
		memcpy(text + n, prefix, sizeof(prefix) - 1);
		n += sizeof(prefix) - 1;
		memcpy(text + n, data + i + 1, size - i - 1);
		n += size - i - 1;
	} else {
		memcpy(text, data + 1, size - 1);
		n = size - 1;
	}
	text[n] = '\0';
	as_file = (flags & 1) || first != '{' || memchr(text, '\0', n) != NULL;
	cap = (flags & 0x10) ? 17 : sizeof(err_a);

	fp_reset();
	fp_setenv("HOME", "/home/fuzz");
	fp_setenv("XDG_CONFIG_HOME", (flags & 0x20) ? "cfg" : "/cfg");
	if (flags & 2)
		fp_setenv("ANTHROPIC_MODEL", "us.anthropic.fuzz-model-v1:0");
	if (flags & 4)
		fp_setenv("CLAUDE_CODE_MAX_OUTPUT_TOKENS", "12abc");
	if (flags & 8) {
		fp_setenv("API_TIMEOUT_MS", "5000");
		fp_setenv("CLAUDE_CODE_USE_BEDROCK", " yes ");
	}
	fp_file((flags & 0x20) ? FG_HOME_PATH : FG_PATH, text, n);

	/*
	 * A file costs a 1 MiB buffer that settings.c wipes: the text goes
	 * that way only when it must, or when flags & 1 asks; the
	 * comparison of both ways when flags & 0x80 asks.
	 */
	if (as_file) {
		const char *flag = (flags & 0x80) ? FG_PATH : NULL;
		ea = fg_load(&a, flag, err_a, cap);
		if ((flags & 0x80) && (flags & 0x20))
			FP_ASSERT(ea == BK_E_IO);   /* no such file */
	} else {
		ea = fg_load(&a, text, err_a, cap);
		if (flags & 0x80) {
			/* the same text from the file */
			eb = fg_load(&b, NULL, err_b, cap);
			FP_ASSERT(ea == eb);
			if (ea == BK_OK)
				fg_same(&a, &b);
			bk_settings_wipe(&b);
		}
		/* and again: nothing but the input decides */
		eb = fg_load(&b, text, err_b, cap);
		FP_ASSERT(ea == eb && strcmp(err_a, err_b) == 0);
		if (ea == BK_OK)
			FP_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
	}
	bk_settings_wipe(&a);
	bk_settings_wipe(&b);
	fp_reset();
	free(text);
	return 0;
}
