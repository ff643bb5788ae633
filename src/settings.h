/*
 * settings.h -- settings.json and the environment, as Claude Code and the
 * seed tutorial define them.
 *
 * bk_settings_load() fills a caller-owned struct bk_settings from one
 * settings file and the environment; the command line comes on top in
 * main.c.  Precedence, highest first:
 *
 *     flags  >  environment  >  settings "env" object  >  settings keys
 *            >  built-in defaults
 *
 * Fields left unset here (empty string, 0 or -1, *_from NULL) are for the
 * caller to default: the default model depends on the region, which the
 * AWS chain decides.  Only `provider` is filled with its one possible
 * value, "bedrock" (provider_from "default").
 *
 * --- Where the file is -------------------------------------------------
 *
 *  1. --settings FILE: that file, which must exist and be readable
 *     (BK_E_IO otherwise).  As in Claude Code, the argument may also be
 *     the JSON text itself ("--settings '{\"model\":\"...\"}'"): an argument
 *     whose first non-blank character is '{' is parsed as the settings,
 *     and messages name it "--settings".
 *  2. $XDG_CONFIG_HOME/claude-code/settings.json when XDG_CONFIG_HOME is an
 *     absolute path (a relative one is ignored, as the XDG spec says).
 *     When it is set, ~/.config is not looked at.
 *  3. $HOME/.config/claude-code/settings.json.
 *  For 2 and 3 a missing (or unreadable) file means "no settings": not an
 *  error.  s->path is the file used or looked for ("" when neither
 *  variable is set); s->loaded is 1 when one was read.  At most
 *  BK_SETTINGS_FILE_MAX bytes; an empty (all-blank) file is an empty
 *  object.  A UTF-8 byte-order mark is skipped.
 *
 * --- What the file may hold ------------------------------------------
 *
 *   provider                 "bedrock" only (case-insensitive)
 *   model                    model ID, alias, inference profile or ARN
 *   bedrock.region           a region name (a-z, 0-9, '-')
 *   bedrock.profile          AWS profile name
 *   bedrock.inferenceProfile model or inference profile; beats "model"
 *   bedrock.maxRetries       whole number 0..BK_SETTINGS_RETRIES_MAX
 *   bedrock.timeout          milliseconds, 1..BK_SETTINGS_TIMEOUT_MAX
 *   defaults.maxTokens       whole number 1..BK_SETTINGS_TOKENS_MAX
 *   defaults.temperature     number 0..1, kept in thousandths (exact
 *                            decimal rounding, half up: 0.0005 -> 1)
 *   env                      object of NAME: "value" (see below)
 *
 * The JSON is checked strictly (RFC 8259: no comments, no trailing commas,
 * double-quoted keys, valid UTF-8 in strings) before jsmn tokenises it,
 * because jsmn alone accepts missing commas and colons and would mis-read
 * such a file silently.  Malformed JSON, a wrong type or a value out of
 * range is BK_E_CONFIG with err = "PATH:LINE:COL: what is wrong", LINE and
 * COL 1-based, COL counting characters (a multi-byte UTF-8 character is
 * one column), pointing at the offending character or value.  Every
 * value in the file is checked, also one the environment overrides.  An
 * empty string value is the same as an absent key (Claude Code templates
 * carry "model": "").
 *
 * Unknown keys are not errors: each adds a line "PATH:LINE:COL: unknown
 * key \"foo\" (ignored)" to s->warnings, with a hint when the key looks
 * like a known one ("did you mean ...?").  A duplicated key warns too; the
 * last one wins, as with JSON.parse.  The many keys of Claude Code's own
 * settings.json (permissions, hooks, statusLine, apiKeyHelper,
 * awsAuthRefresh, modelOverrides, ...) are known and ignored without a
 * warning, so one file can serve both programs; their names are listed in
 * s->ignored for `doctor` and --verbose.  Nothing inside them is read.
 *
 * --- The environment ---------------------------------------------------
 *
 * An empty variable counts as unset.  Read here (each also from the
 * settings "env" object, see below):
 *
 *   CLAUDE_PROVIDER                 "bedrock" only
 *   ANTHROPIC_MODEL, CLAUDE_MODEL   the model (in that order)
 *   ANTHROPIC_DEFAULT_SONNET_MODEL  what the alias "sonnet" means
 *   ANTHROPIC_DEFAULT_OPUS_MODEL    ... "opus"
 *   ANTHROPIC_DEFAULT_HAIKU_MODEL   ... "haiku" (else the deprecated
 *                                   ANTHROPIC_SMALL_FAST_MODEL)
 *   ANTHROPIC_BEDROCK_BASE_URL      endpoint override (checked later by
 *                                   bk_endpoint_resolve)
 *   CLAUDE_CODE_USE_BEDROCK         boolean
 *   CLAUDE_CODE_SKIP_BEDROCK_AUTH   boolean: send requests unsigned
 *   CLAUDE_CODE_MAX_OUTPUT_TOKENS   whole number 1..BK_SETTINGS_TOKENS_MAX
 *   API_TIMEOUT_MS                  whole number 1..BK_SETTINGS_TIMEOUT_MAX
 *   CLAUDE_CODE_MAX_RETRIES         whole number 0..BK_SETTINGS_RETRIES_MAX
 *
 * Booleans are Claude Code's words, case-insensitive, blanks around them
 * ignored: 1 true yes on / 0 false no off.  Anything else, and a number
 * with anything but digits, is BK_E_CONFIG naming the variable and its
 * value: "CLAUDE_CODE_MAX_OUTPUT_TOKENS=\"12abc\": must be a whole number
 * from 1 to 1000000".  Only the value that wins is checked.
 *
 * AWS_REGION, AWS_PROFILE and the credential variables are the AWS
 * chain's business and are not read here; the chain may consult
 * bk_settings_env() for them.
 *
 * --- The settings "env" object ---------------------------------------
 *
 * Claude Code's settings.json carries {"env": {"NAME": "value"}} and
 * exports those variables to itself.  Here they act as environment
 * variables of the lowest environment precedence: a variable set (and not
 * empty) in the real environment always wins, and for a field fed by
 * several variables every real variable is consulted before any from the
 * file.  So the model is the first of: $ANTHROPIC_MODEL, $CLAUDE_MODEL,
 * env.ANTHROPIC_MODEL, env.CLAUDE_MODEL, bedrock.inferenceProfile, model.
 * (Claude Code itself lets the file override the shell; we keep the
 * documented "environment beats settings" order instead.)  Values must be
 * strings; numbers and true/false are taken as their JSON text, as
 * Node's process.env would.  At most BK_SETTINGS_ENV_MAX variables and
 * BK_SETTINGS_ENV_BYTES bytes of names and values.  A bad value is
 * reported at its place in the file: "PATH:LINE:COL: env.API_TIMEOUT_MS=
 * \"soon\": must be ...".
 *
 * --- Lifetime ------------------------------------------------------------
 *
 * The struct is self-contained (no pointers into freed memory; the *_from
 * strings are static).  It may hold secrets from the env object (an
 * AWS_SECRET_ACCESS_KEY someone put there): bk_settings_wipe() it when
 * done.  The file buffer is wiped before it is freed.
 */
#ifndef BK_SETTINGS_H
#define BK_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "bedrock.h"

#define BK_SETTINGS_FILE_MAX (1024u * 1024u)   /* bytes of settings.json */
#define BK_SETTINGS_DEPTH_MAX 64        /* JSON nesting */
#define BK_SETTINGS_KEYS_MAX 1024       /* members in one object we read */
#define BK_SETTINGS_ENV_MAX 128         /* variables in the env object */
#define BK_SETTINGS_ENV_BYTES 8192      /* their names and values */
#define BK_SETTINGS_TOKENS_MAX 1000000u /* max_tokens */
#define BK_SETTINGS_TIMEOUT_MAX 2147483647u /* ms: Node's timer limit,
                                               Claude Code's maximum */
#define BK_SETTINGS_RETRIES_MAX 100

struct bk_settings {
	char provider[32];      /* "bedrock" */
	const char *provider_from;
	char model[512];        /* "" unset */
	const char *model_from;
	char region[64];        /* bedrock.region; AWS_REGION is the chain's */
	const char *region_from;
	char profile[128];      /* bedrock.profile; AWS_PROFILE likewise */
	const char *profile_from;
	char sonnet_model[512]; /* ANTHROPIC_DEFAULT_SONNET_MODEL, "" unset */
	char opus_model[512];   /* ANTHROPIC_DEFAULT_OPUS_MODEL */
	char haiku_model[512];  /* ANTHROPIC_DEFAULT_HAIKU_MODEL */
	char base_url[512];     /* ANTHROPIC_BEDROCK_BASE_URL */
	int skip_auth;          /* CLAUDE_CODE_SKIP_BEDROCK_AUTH truthy */
	int use_bedrock;        /* CLAUDE_CODE_USE_BEDROCK truthy */
	uint32_t max_tokens;    /* 0 unset */
	const char *max_tokens_from;
	int temperature_milli;  /* 0..1000, -1 unset */
	const char *temperature_from;
	int max_retries;        /* -1 unset */
	const char *max_retries_from;
	uint32_t timeout_ms;    /* 0 unset */
	const char *timeout_from;
	char path[1024];        /* the settings file used or looked for */
	int loaded;             /* 1 if a settings file was read */
	char warnings[1024];    /* "PATH:L:C: ...\n" per warning */
	unsigned nwarnings;     /* including any that did not fit */
	char ignored[512];      /* Claude Code keys present: "hooks, ..." */
	/* the settings "env" object: "NAME\0VALUE\0" pairs, in file order */
	char env[BK_SETTINGS_ENV_BYTES];
	size_t env_len;
	unsigned env_count;
};

/*
 * Load the settings into *s (fully overwritten).
 *
 * settings_flag: the --settings argument, or NULL.
 * err, cap: receives a one-line message on failure ("" on success).
 *
 * Returns BK_OK; BK_E_IO when --settings names a file that cannot be read
 * or a found settings file cannot be read; BK_E_CONFIG for malformed JSON,
 * a wrong type or range in the file, a file over BK_SETTINGS_FILE_MAX, a
 * provider other than Bedrock, a bad environment value or a path too
 * long; BK_E_NOMEM.  After an error the fields are not to be used.
 * Warnings never fail the load.
 */
enum bk_err bk_settings_load(struct bk_settings *s, const char *settings_flag,
    char *err, size_t cap);

/*
 * The value of environment variable `name` as this program sees it: the
 * real environment's when set and not empty, else the settings env
 * object's when present and not empty (the last one if it repeats), else
 * NULL.  s may be NULL (real environment only).  The string belongs to the
 * port or to *s.
 */
const char *bk_settings_env(const struct bk_settings *s, const char *name);

/* The settings env object's own value for `name` (not empty), or NULL. */
const char *bk_settings_file_env(const struct bk_settings *s,
    const char *name);

/* Overwrite the whole struct (it may hold secrets from the env object). */
void bk_settings_wipe(struct bk_settings *s);

#endif /* BK_SETTINGS_H */
