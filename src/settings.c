/*
 * settings.c -- settings.json and the environment (see settings.h for the
 * rules, the precedence and the messages).
 *
 * Sections:
 *   1. the load context and messages
 *   2. a strict JSON checker that says where and what is wrong
 *   3. the file's keys
 *   4. the environment
 *   5. entry points
 *
 * The file is read whole (bounded), checked by section 2, tokenised by
 * jsmn through bk_json_parse(), walked by section 3, then the environment
 * goes on top (section 4).  Section 2 exists because jsmn, even strict,
 * accepts {"a": 1 "b": 2} (and builds a token tree that no longer matches
 * the text) and says nothing precise about what it rejects.
 */
#include <stdlib.h>
#include <string.h>

#include "port.h"
#include "settings.h"

#define COUNTOF(a) (sizeof(a) / sizeof((a)[0]))

/* ==================================================================== */
/* 1. The load context and messages                                     */
/* ==================================================================== */

#define QUOTE_MAX 64            /* bytes of a value quoted in a message */
#define WARN_RESERVE 40         /* kept for "... and N more warnings" */

struct ld {
	struct bk_settings *s;
	const char *name;       /* the file as messages name it */
	const char *js;         /* the JSON text (after a byte-order mark) */
	size_t len;
	struct bk_json j;
	jsmntok_t *tok;         /* malloc'd, exactly as many as needed */
	char *err;              /* msg: cut into the caller's buffer at the end */
	size_t cap;
	char msg[1024];
	size_t buf_used;        /* bytes of the file buffer that may hold data */
	unsigned dropped;       /* warnings that did not fit */
	int ignored_full;       /* s->ignored ends in "..." */
	/* values of the file that combine after the walk */
	char f_model[512];
	char f_ip[512];
	/* where each env object value is, for messages */
	size_t envpos[BK_SETTINGS_ENV_MAX];
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive equality of a C string and an ASCII word. */
static int
ieq(const char *s, size_t n, const char *word)
{
	size_t i;

	if (strlen(word) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (lower(s[i]) != word[i])
			return 0;
	return 1;
}

/* Exact equality of (s, n) and a C string. */
static int
keq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* "NAME:LINE:COL: " for byte pos of the text. */
static void
at(const struct ld *L, struct bk_buf *b, size_t pos)
{
	unsigned line, col;

	bk_text_linecol(L->js, L->len, pos, &line, &col);
	bk_buf_puts(b, L->name);
	bk_buf_putc(b, ':');
	bk_buf_put_u64(b, line);
	bk_buf_putc(b, ':');
	bk_buf_put_u64(b, col);
	bk_buf_puts(b, ": ");
}

/* A value as a JSON string, cut after QUOTE_MAX bytes (at a character
 * boundary), control characters escaped. */
static void
quote(struct bk_buf *b, const char *s, size_t n)
{
	size_t m = n, start;

	if (m > QUOTE_MAX) {
		m = QUOTE_MAX;
		while (m > 0 && ((unsigned char)s[m] & 0xC0) == 0x80)
			m--;
	}
	start = b->len;
	bk_json_put_str(b, (const uint8_t *)s, m, NULL);
	if (!b->overflow) {
		/* JSON escapes C0 controls but lets DEL and C1 controls
		 * through: the key is the file's and goes to a terminal
		 * (found by tests/fuzz/fuzz_settings.c) */
		bk_copy_clean(b->p + start, b->len - start + 1, b->p + start,
		    b->len - start);
		b->len = start + strlen(b->p + start);
	}
	if (m < n)
		bk_buf_puts(b, "...");
}

/* Where token i begins: a string's opening quote, else its first byte. */
static size_t
tpos(const struct ld *L, int i)
{
	const jsmntok_t *t = &L->j.t[i];

	return (size_t)t->start - (t->type == JSMN_STRING ? 1u : 0u);
}

/* What token i is, for "(found ...)". */
static void
describe(const struct ld *L, struct bk_buf *b, int i)
{
	const jsmntok_t *t = &L->j.t[i];
	const char *p = L->js + t->start;
	size_t n = (size_t)(t->end - t->start);

	switch (t->type) {
	case JSMN_OBJECT:
		bk_buf_puts(b, "an object");
		break;
	case JSMN_ARRAY:
		bk_buf_puts(b, "an array");
		break;
	case JSMN_STRING:
		/* the raw text: escapes shown as written */
		bk_buf_putc(b, '"');
		if (n > QUOTE_MAX) {
			n = QUOTE_MAX;
			while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
				n--;
			bk_buf_put(b, p, n);
			bk_buf_puts(b, "...\"");
		} else {
			bk_buf_put(b, p, n);
			bk_buf_putc(b, '"');
		}
		break;
	case JSMN_PRIMITIVE:
		bk_buf_put(b, p, n > QUOTE_MAX ? QUOTE_MAX : n);
		break;
	case JSMN_UNDEFINED:
		bk_buf_puts(b, "nothing");
		break;
	}
}

/* "PATH:L:C: WHAT must be RULE (found X)", pointing at value token i. */
static enum bk_err
bad_value(const struct ld *L, int i, const char *what, const char *rule)
{
	struct bk_buf b;

	bk_buf_init(&b, L->err, L->cap);
	at(L, &b, tpos(L, i));
	bk_buf_puts(&b, what);
	bk_buf_puts(&b, " must be ");
	bk_buf_puts(&b, rule);
	bk_buf_puts(&b, " (found ");
	describe(L, &b, i);
	bk_buf_putc(&b, ')');
	return BK_E_CONFIG;
}

/* "PATH:L:C: WHAT TEXT" at value token i. */
static enum bk_err
bad_at(const struct ld *L, int i, const char *what, const char *text)
{
	struct bk_buf b;

	bk_buf_init(&b, L->err, L->cap);
	at(L, &b, tpos(L, i));
	bk_buf_puts(&b, what);
	bk_buf_puts(&b, text);
	return BK_E_CONFIG;
}

/* "a whole number from MIN to MAX" */
static void
rule_range(char *out, size_t cap, uint64_t min, uint64_t max)
{
	struct bk_buf b;

	bk_buf_init(&b, out, cap);
	bk_buf_puts(&b, "a whole number from ");
	bk_buf_put_u64(&b, min);
	bk_buf_puts(&b, " to ");
	bk_buf_put_u64(&b, max);
}

/*
 * Add a warning line "PATH:L:C: M1"KEY"M2\n" (KEY quoted, may be NULL).
 * A line that does not fit whole is counted, not cut: the tail of the
 * buffer is kept for the "... and N more warnings" line.
 */
static void
warn(struct ld *L, size_t pos, const char *m1, const char *key, size_t kl,
    const char *m2)
{
	struct bk_settings *s = L->s;
	struct bk_buf b;
	char line[512];
	size_t used = strlen(s->warnings);

	bk_buf_init(&b, line, sizeof(line));
	at(L, &b, pos);
	bk_buf_puts(&b, m1);
	if (key != NULL)
		quote(&b, key, kl);
	bk_buf_puts(&b, m2);
	bk_buf_putc(&b, '\n');
	s->nwarnings++;
	if (bk_buf_err(&b) != BK_OK ||
	    b.len >= sizeof(s->warnings) - used - WARN_RESERVE) {
		L->dropped++;
		return;
	}
	memcpy(s->warnings + used, line, b.len + 1);
}

/* ==================================================================== */
/* 2. A strict JSON checker                                             */
/* ==================================================================== */

/*
 * RFC 8259 exactly, one pass, no recursion (an explicit stack of
 * BK_SETTINGS_DEPTH_MAX containers).  It also counts the tokens jsmn will
 * make (each value and each key), so the token array is allocated once at
 * the right size.  On failure `pos` is the byte the message is about:
 * the offending character, or the opening quote of an unterminated
 * string, or the end of the text.
 */
enum jstate {
	J_VALUE,            /* a value must come */
	J_VALUE_OR_CLOSE,   /* just after '[' */
	J_KEY,              /* after ',' in an object */
	J_KEY_OR_CLOSE,     /* just after '{' */
	J_COLON,            /* after a key */
	J_NEXT,             /* after a value in a container */
	J_END               /* after the top-level value */
};

struct jc {
	const char *s;
	size_t n;
	size_t ntok;
	size_t pos;
	struct bk_buf msg;
	char mem[256];
	unsigned depth;
	char kind[BK_SETTINGS_DEPTH_MAX];     /* '{' or '[' */
	size_t open[BK_SETTINGS_DEPTH_MAX];   /* where each one opened */
};

static int
jc_fail(struct jc *c, size_t pos, const char *what)
{
	c->pos = pos;
	bk_buf_puts(&c->msg, what);
	return -1;
}

/* What is at byte i, for "found ...". */
static void
jc_found(struct bk_buf *b, const char *s, size_t n, size_t i)
{
	uint8_t ch;

	if (i >= n) {
		bk_buf_puts(b, "the end of the file");
		return;
	}
	ch = (uint8_t)s[i];
	if (ch == '\n' || ch == '\r') {
		bk_buf_puts(b, "the end of the line");
	} else if (ch >= 0x20 && ch < 0x7f) {
		bk_buf_putc(b, '\'');
		bk_buf_putc(b, (char)ch);
		bk_buf_putc(b, '\'');
	} else if (ch >= 0x80) {
		bk_buf_puts(b, "a non-ASCII character");
	} else {
		bk_buf_puts(b, "control character 0x");
		bk_buf_put_hex(b, &ch, 1);
	}
}

static int
jc_eof(struct jc *c)
{
	c->pos = c->n;
	bk_buf_puts(&c->msg, "unexpected end of file");
	if (c->depth > 0) {
		unsigned line, col;
		size_t at_open = c->open[c->depth - 1];
		bk_text_linecol(c->s, c->n, at_open, &line, &col);
		bk_buf_puts(&c->msg, c->kind[c->depth - 1] == '{' ?
		    " (the object opened at " : " (the array opened at ");
		bk_buf_put_u64(&c->msg, line);
		bk_buf_putc(&c->msg, ':');
		bk_buf_put_u64(&c->msg, col);
		bk_buf_puts(&c->msg, " is not closed)");
	}
	return -1;
}

/* "expected WHAT, found X" at i (or the end-of-file message). */
static int
jc_expected(struct jc *c, size_t i, const char *what)
{
	if (i >= c->n)
		return jc_eof(c);
	c->pos = i;
	bk_buf_puts(&c->msg, "expected ");
	bk_buf_puts(&c->msg, what);
	bk_buf_puts(&c->msg, ", found ");
	jc_found(&c->msg, c->s, c->n, i);
	return -1;
}

/* Length of the valid UTF-8 sequence at p (a lead byte >= 0x80), or 0. */
static size_t
utf8_seq(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len, k;

	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		len = 2;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		len = 3;
		if (u[0] == 0xE0)
			lo = 0xA0;          /* overlong */
		if (u[0] == 0xED)
			hi = 0x9F;          /* surrogates */
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		len = 4;
		if (u[0] == 0xF0)
			lo = 0x90;          /* overlong */
		if (u[0] == 0xF4)
			hi = 0x8F;          /* past U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || u[1] < lo || u[1] > hi)
		return 0;
	for (k = 2; k < len; k++)
		if ((u[k] & 0xC0) != 0x80)
			return 0;
	return len;
}

static int
is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char m_uesc[] = "invalid \\u escape: it needs four hex digits";
static const char m_esc[] = "invalid escape in a string (JSON has \\\" "
    "\\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX)";

/* A string from its opening quote at *pi; *pi moves past the closing one. */
static int
jc_string(struct jc *c, size_t *pi)
{
	const char *s = c->s;
	size_t n = c->n, q = *pi, i = q + 1, k;

	while (i < n) {
		uint8_t ch = (uint8_t)s[i];
		if (ch == '"') {
			*pi = i + 1;
			return 0;
		}
		if (ch == '\\') {
			if (i + 1 >= n)
				break;
			switch (s[i + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				i += 2;
				continue;
			case 'u':
				for (k = i + 2; k < i + 6; k++)
					if (k >= n || !is_hex(s[k]))
						return jc_fail(c, i, m_uesc);
				i += 6;
				continue;
			default:
				return jc_fail(c, i, m_esc);
			}
		}
		if (ch == '\n' || ch == '\r')
			return jc_fail(c, q, "unterminated string: the line "
			    "ends before the closing quote");
		if (ch < 0x20)
			return jc_fail(c, i, "control character in a string "
			    "(write it as an escape such as \\t)");
		if (ch >= 0x80) {
			k = utf8_seq(s + i, n - i);
			if (k == 0)
				return jc_fail(c, i,
				    "invalid UTF-8 in a string");
			i += k;
			continue;
		}
		i++;
	}
	return jc_fail(c, q, "unterminated string: the file ends before the "
	    "closing quote");
}

static int
jc_number(struct jc *c, size_t *pi)
{
	const char *s = c->s;
	size_t n = c->n, st = *pi, i = st;

	if (s[i] == '-')
		i++;
	if (i >= n || !is_digit(s[i]))
		return jc_fail(c, st, "invalid number");
	if (s[i] == '0') {
		i++;
		if (i < n && is_digit(s[i]))
			return jc_fail(c, st, "invalid number: leading zeros "
			    "are not allowed");
	} else {
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || !is_digit(s[i]))
			return jc_fail(c, st, "invalid number: digits must "
			    "follow '.'");
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			return jc_fail(c, st, "invalid number: digits must "
			    "follow the exponent");
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && (is_alnum(s[i]) || s[i] == '.' || s[i] == '+' ||
	    s[i] == '-'))
		return jc_fail(c, st, "invalid number");
	*pi = i;
	return 0;
}

/* true, false or null; any other bare word is an error. */
static int
jc_word(struct jc *c, size_t *pi)
{
	const char *s = c->s;
	size_t st = *pi, i = st, len;

	while (i < c->n && (is_alnum(s[i]) || s[i] == '_'))
		i++;
	len = i - st;
	if ((len == 4 && memcmp(s + st, "true", 4) == 0) ||
	    (len == 5 && memcmp(s + st, "false", 5) == 0) ||
	    (len == 4 && memcmp(s + st, "null", 4) == 0)) {
		*pi = i;
		return 0;
	}
	c->pos = st;
	bk_buf_puts(&c->msg, "unexpected word '");
	bk_buf_put(&c->msg, s + st, len > 32 ? 32 : len);
	bk_buf_puts(&c->msg, "': text must be in double quotes, and the only "
	    "bare words are true, false and null");
	return -1;
}

/* A value at *pi (not end of text); sets the state that follows it. */
static int
jc_value(struct jc *c, size_t *pi, enum jstate *st)
{
	size_t i = *pi;
	char ch = c->s[i];

	if (ch == '{' || ch == '[') {
		if (c->depth == BK_SETTINGS_DEPTH_MAX) {
			c->pos = i;
			bk_buf_puts(&c->msg, "nested too deeply (more than ");
			bk_buf_put_u64(&c->msg, BK_SETTINGS_DEPTH_MAX);
			bk_buf_puts(&c->msg, " levels)");
			return -1;
		}
		c->kind[c->depth] = ch;
		c->open[c->depth] = i;
		c->depth++;
		c->ntok++;
		*pi = i + 1;
		*st = ch == '{' ? J_KEY_OR_CLOSE : J_VALUE_OR_CLOSE;
		return 0;
	}
	if (ch == '"') {
		if (jc_string(c, pi) < 0)
			return -1;
	} else if (ch == '-' || is_digit(ch)) {
		if (jc_number(c, pi) < 0)
			return -1;
	} else if (is_alnum(ch) || ch == '_') {
		if (jc_word(c, pi) < 0)
			return -1;
	} else if (ch == '\'') {
		return jc_fail(c, i, "strings must be in double quotes, not "
		    "single quotes");
	} else {
		return jc_expected(c, i, "a value");
	}
	c->ntok++;
	*st = c->depth == 0 ? J_END : J_NEXT;
	return 0;
}

static void
jc_close(struct jc *c, size_t *pi, enum jstate *st)
{
	c->depth--;
	(*pi)++;
	*st = c->depth == 0 ? J_END : J_NEXT;
}

/* 0 if s[0..n) is one JSON value; else -1 with c->pos and c->msg. */
static int
jc_run(struct jc *c)
{
	const char *s = c->s;
	size_t n = c->n, i = 0, comma = 0;
	enum jstate st = J_VALUE;
	int after_comma = 0;    /* J_VALUE reached by ',' in an array */

	for (;;) {
		char top;
		while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
		    s[i] == '\r'))
			i++;
		if (i + 1 < n && s[i] == '/' && (s[i + 1] == '/' ||
		    s[i + 1] == '*'))
			return jc_fail(c, i,
			    "comments are not allowed in JSON");
		top = c->depth > 0 ? c->kind[c->depth - 1] : 0;
		switch (st) {
		case J_END:
			if (i == n)
				return 0;
			c->pos = i;
			bk_buf_puts(&c->msg, "trailing data after the object "
			    "(found ");
			jc_found(&c->msg, s, n, i);
			bk_buf_putc(&c->msg, ')');
			return -1;
		case J_VALUE_OR_CLOSE:
			if (i < n && s[i] == ']') {
				jc_close(c, &i, &st);
				break;
			}
			st = J_VALUE;
			break;
		case J_VALUE:
			if (i >= n)
				return jc_eof(c);
			if (after_comma && s[i] == ']')
				return jc_fail(c, comma,
				    "trailing comma before ']'");
			after_comma = 0;
			if (jc_value(c, &i, &st) < 0)
				return -1;
			break;
		case J_KEY:
		case J_KEY_OR_CLOSE:
			if (i >= n)
				return jc_eof(c);
			if (s[i] == '}') {
				if (st == J_KEY)
					return jc_fail(c, comma,
					    "trailing comma before '}'");
				jc_close(c, &i, &st);
				break;
			}
			if (s[i] == '"') {
				if (jc_string(c, &i) < 0)
					return -1;
				c->ntok++;
				st = J_COLON;
				break;
			}
			if (s[i] == '\'')
				return jc_fail(c, i, "keys must be in double "
				    "quotes, not single quotes");
			if (is_alnum(s[i]) || s[i] == '_')
				return jc_fail(c, i, "keys must be strings in "
				    "double quotes");
			return jc_expected(c, i, st == J_KEY ?
			    "a key in double quotes" :
			    "a key in double quotes or '}'");
		case J_COLON:
			if (i < n && s[i] == ':') {
				i++;
				st = J_VALUE;
				break;
			}
			return jc_expected(c, i, "':' after the key");
		case J_NEXT:
			if (i < n && s[i] == ',') {
				comma = i++;
				st = top == '{' ? J_KEY : J_VALUE;
				after_comma = top == '[';
				break;
			}
			if (i < n && s[i] == (top == '{' ? '}' : ']')) {
				jc_close(c, &i, &st);
				break;
			}
			return jc_expected(c, i, top == '{' ?
			    "',' or '}' after a value in an object" :
			    "',' or ']' after a value in an array");
		}
	}
}

/* ==================================================================== */
/* 3. The file's keys                                                   */
/* ==================================================================== */

static const char *const top_keys[] = {
	"provider", "model", "bedrock", "defaults", "env"
};
static const char *const bedrock_keys[] = {
	"region", "profile", "inferenceProfile", "maxRetries", "timeout"
};
static const char *const defaults_keys[] = {
	"maxTokens", "temperature"
};

/*
 * Claude Code's settings.json keys that this program does not use,
 * known so that a file shared with Claude Code loads without warnings.
 * From Claude Code's settings documentation and its JSON schema
 * (json.schemastore.org/claude-code-settings.json, 2026), plus a few
 * older names still found in files ("autoUpdates", "mcpServers",
 * "thinkingBudgetTokens", "maxSkillDescriptionChars").  "model" and "env"
 * are ours too.  Alphabetical, for whoever adds the next one.
 */
static const char *const claude_code_keys[] = {
	"$schema", "advisorModel", "agent", "agentPushNotifEnabled",
	"allowAllClaudeAiMcps", "allowManagedHooksOnly",
	"allowManagedMcpServersOnly", "allowManagedPermissionRulesOnly",
	"allowedChannelPlugins", "allowedHttpHookUrls", "allowedMcpServers",
	"alwaysThinkingEnabled", "apiKeyHelper", "attribution",
	"autoCompactEnabled", "autoMemoryDirectory", "autoMemoryEnabled",
	"autoMode", "autoScrollEnabled", "autoUpdates", "autoUpdatesChannel",
	"availableModels", "awaySummaryEnabled", "awsAuthRefresh",
	"awsCredentialExport", "axScreenReader", "blockedMarketplaces",
	"channelsEnabled", "claudeMd", "claudeMdExcludes", "cleanupPeriodDays",
	"companyAnnouncements", "defaultShell", "deniedMcpServers",
	"disableAgentView", "disableAllHooks", "disableArtifact",
	"disableAutoMode", "disableBundledSkills", "disableClaudeAiConnectors",
	"disableDeepLinkRegistration", "disableRemoteControl",
	"disableSkillShellExecution", "disableWorkflows",
	"disabledMcpjsonServers", "editorMode", "effortLevel",
	"enableAllProjectMcpServers", "enabledMcpjsonServers",
	"enabledPlugins",
	"enforceAvailableModels", "extraKnownMarketplaces", "fallbackModel",
	"fastMode", "fastModePerSessionOptIn", "feedbackSurveyRate",
	"fileCheckpointingEnabled", "fileSuggestion", "footerLinksRegexes",
	"forceLoginMethod", "forceLoginOrgUUID", "forceRemoteSettingsRefresh",
	"gcpAuthRefresh", "hooks", "httpHookAllowedEnvVars",
	"includeCoAuthoredBy", "includeGitInstructions",
	"inputNeededNotifEnabled", "language", "leftArrowOpensAgents",
	"managedMcpServers", "maxSkillDescriptionChars", "mcpServers",
	"minimumVersion", "modelOverrides", "otelHeadersHelper", "outputStyle",
	"parentSettingsBehavior", "permissions", "plansDirectory",
	"pluginConfigs", "pluginSuggestionMarketplaces", "pluginTrustMessage",
	"policyHelper", "prUrlTemplate", "preferredNotifChannel",
	"prefersReducedMotion", "remoteControlAtStartup",
	"requiredMaximumVersion", "requiredMinimumVersion", "respectGitignore",
	"respondToBashCommands", "sandbox", "showClearContextOnPlanAccept",
	"showThinkingSummaries", "showTurnDuration",
	"skillListingBudgetFraction", "skillListingMaxDescChars",
	"skillOverrides", "skipDangerousModePermissionPrompt",
	"skipWebFetchPreflight", "skippedMarketplaces", "skippedPlugins",
	"spinnerTipsEnabled", "spinnerTipsOverride", "spinnerVerbs",
	"sshConfigs", "sshHostAllowlist", "statusLine",
	"strictKnownMarketplaces", "strictPluginOnlyCustomization",
	"subagentStatusLine", "syntaxHighlightingDisabled", "teammateMode",
	"terminalProgressBarEnabled", "theme", "thinkingBudgetTokens", "tui",
	"useAutoModeDuringPlan", "verbose", "viewMode", "voice",
	"voiceEnabled", "wheelScrollAccelerationEnabled",
	"workflowKeywordTriggerEnabled", "worktree",
	"wslInheritsWindowsSettings"
};

static int
in_list(const char *const *list, size_t n, const char *k, size_t kl)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (keq(k, kl, list[i]))
			return 1;
	return 0;
}

/* Edit distance, case-insensitive; 99 past 63 bytes. */
static size_t
distance(const char *a, size_t an, const char *b, size_t bn)
{
	size_t row[64], i, j;

	if (an >= 64 || bn >= 64)
		return 99;
	for (j = 0; j <= bn; j++)
		row[j] = j;
	for (i = 1; i <= an; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (j = 1; j <= bn; j++) {
			size_t here = row[j], best;
			best = prev + (lower(a[i - 1]) != lower(b[j - 1]));
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = here;
		}
	}
	return row[bn];
}

/* k equals name but for case: distance 0, without the table. */
static int
same_key(const char *k, size_t kl, const char *name)
{
	size_t i;

	if (kl != strlen(name) || kl >= 64)
		return 0;
	for (i = 0; i < kl; i++)
		if (lower(k[i]) != lower(name[i]))
			return 0;
	return 1;
}

/* The closest name in list to k, if close enough to be a typo. */
static const char *
nearest(const char *const *list, size_t n, const char *k, size_t kl)
{
	size_t i, d, best = 99, limit = kl <= 4 ? 1 : 2;
	const char *hit = NULL;

	for (i = 0; i < n; i++) {
		size_t ln = strlen(list[i]);
		/* the distance is at least the length difference: most names
		 * need no table (a file of unknown keys stays cheap) */
		if ((ln > kl ? ln - kl : kl - ln) > limit)
			continue;
		d = distance(k, kl, list[i], ln);
		if (d <= limit && d < best) {
			best = d;
			hit = list[i];
		}
	}
	return hit;
}

/*
 * Warn about unknown key k (prefix "" at the top level, "bedrock." or
 * "defaults." inside), with a hint: a typo of a key of the same object,
 * or at the top level a key that belongs inside bedrock or defaults.
 */
static void
unknown_key(struct ld *L, int kt, const char *prefix, const char *k,
    size_t kl, const char *const *known, size_t nknown)
{
	char full[160], tail[160];
	const char *hit = NULL, *hit_prefix = prefix;
	struct bk_buf f, t;
	size_t i;

	bk_buf_init(&f, full, sizeof(full));
	bk_buf_puts(&f, prefix);
	bk_buf_put(&f, k, kl > 96 ? 96 : kl);
	/* a key of bedrock or defaults put at the top level, then a typo of
	 * a key of this object, then of a Claude Code key */
	if (prefix[0] == '\0') {
		for (i = 0; i < COUNTOF(bedrock_keys) && hit == NULL; i++)
			if (same_key(k, kl, bedrock_keys[i])) {
				hit = bedrock_keys[i];
				hit_prefix = "bedrock.";
			}
		for (i = 0; i < COUNTOF(defaults_keys) && hit == NULL; i++)
			if (same_key(k, kl, defaults_keys[i])) {
				hit = defaults_keys[i];
				hit_prefix = "defaults.";
			}
	}
	if (hit == NULL)
		hit = nearest(known, nknown, k, kl);
	if (hit == NULL && prefix[0] == '\0')
		hit = nearest(claude_code_keys, COUNTOF(claude_code_keys), k,
		    kl);
	bk_buf_init(&t, tail, sizeof(tail));
	bk_buf_puts(&t, " (ignored");
	if (hit != NULL) {
		bk_buf_puts(&t, "; did you mean \"");
		bk_buf_puts(&t, hit_prefix);
		bk_buf_puts(&t, hit);
		bk_buf_puts(&t, "\"?");
	}
	bk_buf_putc(&t, ')');
	warn(L, tpos(L, kt), "unknown key ", full, f.len, tail);
}

static void
note_ignored(struct ld *L, const char *k)
{
	char *p = L->s->ignored;
	size_t used = strlen(p), kl = strlen(k), cap = sizeof(L->s->ignored);

	/* invariant: used + 6 <= cap, room for ", ..." and the NUL */
	if (L->ignored_full)
		return;
	if (used + 2 + kl + 6 > cap) {
		memcpy(p + used, used ? ", ..." : "...", used ? 6 : 4);
		L->ignored_full = 1;
		return;
	}
	if (used > 0) {
		memcpy(p + used, ", ", 2);
		used += 2;
	}
	memcpy(p + used, k, kl + 1);
}

/*
 * The key token indices of object token obj into keys[].  More than
 * BK_SETTINGS_KEYS_MAX members is an error (what names the object).
 */
static int
members(struct ld *L, int obj, int *keys, const char *what)
{
	int n = L->j.t[obj].size, m, i = obj + 1;

	if (n > BK_SETTINGS_KEYS_MAX) {
		char text[64];
		struct bk_buf b;
		bk_buf_init(&b, text, sizeof(text));
		bk_buf_puts(&b, " has more than ");
		bk_buf_put_u64(&b, BK_SETTINGS_KEYS_MAX);
		bk_buf_puts(&b, " keys");
		bad_at(L, obj, what, text);
		return -1;
	}
	for (m = 0; m < n; m++) {
		keys[m] = i;
		i = bk_json_skip(&L->j, i + 1);
	}
	return n;
}

/* 1 if a later member of the same object has key token keys[m]'s text. */
static int
dup_later(const struct ld *L, const int *keys, int m, int n)
{
	const jsmntok_t *a = &L->j.t[keys[m]];
	int x;

	for (x = m + 1; x < n; x++) {
		const jsmntok_t *b = &L->j.t[keys[x]];
		if (b->end - b->start == a->end - a->start &&
		    memcmp(L->js + a->start, L->js + b->start,
		    (size_t)(a->end - a->start)) == 0)
			return 1;
	}
	return 0;
}

/*
 * Key token kt unescaped into out.  0 if it does not fit or is not valid
 * (then out holds its raw text, cut, for messages).
 */
static int
key_text(const struct ld *L, int kt, char *out, size_t cap, size_t *kl)
{
	const jsmntok_t *t = &L->j.t[kt];
	size_t n = (size_t)(t->end - t->start);

	if (bk_json_str(&L->j, kt, out, cap, kl) == BK_OK)
		return 1;
	if (n > cap - 1)
		n = cap - 1;
	memcpy(out, L->js + t->start, n);
	out[n] = '\0';
	*kl = n;
	return 0;
}

/* Skip an earlier duplicate of member m, with a warning. */
static int
skip_dup(struct ld *L, const int *keys, int m, int n, const char *prefix,
    const char *k, size_t kl)
{
	char full[160];
	struct bk_buf f;

	if (!dup_later(L, keys, m, n))
		return 0;
	bk_buf_init(&f, full, sizeof(full));
	bk_buf_puts(&f, prefix);
	bk_buf_put(&f, k, kl > 96 ? 96 : kl);
	warn(L, tpos(L, keys[m]), "duplicate key ", full, f.len,
	    " (ignored: the last one wins)");
	return 1;
}

/*
 * A string value into out (cap bytes with the NUL).  "" is unset.  A
 * value that does not fit, or with control characters, is an error.
 */
static enum bk_err
f_string(struct ld *L, int v, const char *what, char *out, size_t cap)
{
	size_t n, i;
	enum bk_err e;

	if (L->j.t[v].type != JSMN_STRING)
		return bad_value(L, v, what, "a string");
	e = bk_json_str(&L->j, v, out, cap, &n);
	if (e == BK_E_BUFSZ) {
		char text[64];
		struct bk_buf b;
		out[0] = '\0';
		bk_buf_init(&b, text, sizeof(text));
		bk_buf_puts(&b, " is too long (at most ");
		bk_buf_put_u64(&b, cap - 1);
		bk_buf_puts(&b, " bytes)");
		return bad_at(L, v, what, text);
	}
	if (e != BK_OK) {
		out[0] = '\0';
		return bad_at(L, v, what, " has an invalid \\u escape (a lone "
		    "surrogate)");
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f) {
			out[0] = '\0';
			return bad_at(L, v, what, " must not contain control "
			    "characters");
		}
	return BK_OK;
}

/* A whole number in [min, max]. */
static enum bk_err
f_uint(struct ld *L, int v, const char *what, uint64_t min, uint64_t max,
    uint64_t *out)
{
	char rule[64];
	uint64_t x;

	if (bk_json_u64(&L->j, v, &x) == BK_OK && x >= min && x <= max) {
		*out = x;
		return BK_OK;
	}
	rule_range(rule, sizeof(rule), min, max);
	return bad_value(L, v, what, rule);
}

/*
 * The JSON number s[0..n) (valid: the checker passed it) in thousandths,
 * rounded half up, when it is from 0 to 1; else -1.  Exact decimal
 * arithmetic: no floating point, no locale.  The digits are read as
 * 0.d0d1d2... times 10^p.
 */
static int
milli_0_1(const char *s, size_t n)
{
	char dig[64];
	size_t i = 0, nd = 0, ni = 0, f, k;
	long e = 0, p, q;
	int neg = 0, eneg = 0, m = 0;

	if (n >= sizeof(dig))
		return -1;
	if (s[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < n && is_digit(s[i]); i++, ni++)
		dig[nd++] = s[i];
	if (i < n && s[i] == '.')
		for (i++; i < n && is_digit(s[i]); i++)
			dig[nd++] = s[i];
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			eneg = s[i++] == '-';
		for (; i < n && is_digit(s[i]); i++)
			if (e < 100000)     /* far past any useful scale */
				e = e * 10 + (s[i] - '0');
	}
	p = (long)ni + (eneg ? -e : e);
	for (f = 0; f < nd && dig[f] == '0'; f++)
		;
	if (f == nd)
		return 0;               /* zero, "-0" included */
	if (neg || (long)f < p - 1)
		return -1;              /* negative, or 10 and more */
	if ((long)f == p - 1) {        /* from 1 to 10: only 1 itself */
		if (dig[f] != '1')
			return -1;
		for (k = f + 1; k < nd; k++)
			if (dig[k] != '0')
				return -1;
		return 1000;
	}
	/* below 1: the digits worth 10^-1, 10^-2, 10^-3, then rounding */
	for (q = p; q <= p + 3; q++) {
		int d = (q >= 0 && q < (long)nd) ? dig[q] - '0' : 0;
		if (q < p + 3)
			m = m * 10 + d;
		else if (d >= 5)
			m++;
	}
	return m;
}

static enum bk_err
f_temperature(struct ld *L, int v)
{
	const jsmntok_t *t = &L->j.t[v];
	int m = -1;

	if (t->type == JSMN_PRIMITIVE && (L->js[t->start] == '-' ||
	    is_digit(L->js[t->start])))
		m = milli_0_1(L->js + t->start, (size_t)(t->end - t->start));
	if (m < 0)
		return bad_value(L, v, "defaults.temperature",
		    "a number from 0 to 1");
	L->s->temperature_milli = m;
	L->s->temperature_from = "settings defaults.temperature";
	return BK_OK;
}

static enum bk_err
f_provider(struct ld *L, int v)
{
	char p[32];
	enum bk_err e;
	size_t n;

	if (L->j.t[v].type != JSMN_STRING)
		return bad_value(L, v, "provider", "a string");
	e = bk_json_str(&L->j, v, p, sizeof(p), &n);
	if (e == BK_OK && n == 0)
		return BK_OK;
	if (e != BK_OK || !ieq(p, n, "bedrock")) {
		struct bk_buf b;
		bk_buf_init(&b, L->err, L->cap);
		at(L, &b, tpos(L, v));
		bk_buf_puts(&b, "provider ");
		describe(L, &b, v);
		bk_buf_puts(&b, " is not supported: bedrock-claude only talks "
		    "to Amazon Bedrock (use \"bedrock\" or remove the key)");
		return BK_E_CONFIG;
	}
	memcpy(L->s->provider, "bedrock", sizeof("bedrock"));
	L->s->provider_from = "settings provider";
	return BK_OK;
}

static enum bk_err
walk_bedrock(struct ld *L, int obj)
{
	struct bk_settings *s = L->s;
	int keys[BK_SETTINGS_KEYS_MAX], n, m;
	char k[128];
	size_t kl;
	uint64_t x;
	enum bk_err e = BK_OK;

	if (L->j.t[obj].type != JSMN_OBJECT)
		return bad_value(L, obj, "bedrock", "an object");
	if ((n = members(L, obj, keys, "bedrock")) < 0)
		return BK_E_CONFIG;
	for (m = 0; m < n && e == BK_OK; m++) {
		int kt = keys[m], v = kt + 1;
		int ok = key_text(L, kt, k, sizeof(k), &kl);
		if (skip_dup(L, keys, m, n, "bedrock.", k, kl))
			continue;
		if (ok && keq(k, kl, "region")) {
			e = f_string(L, v, "bedrock.region", s->region,
			    sizeof(s->region));
			if (e == BK_OK && s->region[0] != '\0' &&
			    !bk_region_valid(s->region)) {
				s->region[0] = '\0';
				e = bad_value(L, v, "bedrock.region",
				    "a region name such as us-east-1");
			}
			s->region_from = s->region[0] ?
			    "settings bedrock.region" : NULL;
		} else if (ok && keq(k, kl, "profile")) {
			e = f_string(L, v, "bedrock.profile", s->profile,
			    sizeof(s->profile));
			s->profile_from = s->profile[0] ?
			    "settings bedrock.profile" : NULL;
		} else if (ok && keq(k, kl, "inferenceProfile")) {
			e = f_string(L, v, "bedrock.inferenceProfile", L->f_ip,
			    sizeof(L->f_ip));
		} else if (ok && keq(k, kl, "maxRetries")) {
			e = f_uint(L, v, "bedrock.maxRetries", 0,
			    BK_SETTINGS_RETRIES_MAX, &x);
			if (e == BK_OK) {
				s->max_retries = (int)x;
				s->max_retries_from =
				    "settings bedrock.maxRetries";
			}
		} else if (ok && keq(k, kl, "timeout")) {
			e = f_uint(L, v, "bedrock.timeout", 1,
			    BK_SETTINGS_TIMEOUT_MAX, &x);
			if (e == BK_OK) {
				s->timeout_ms = (uint32_t)x;
				s->timeout_from = "settings bedrock.timeout";
			}
		} else {
			unknown_key(L, kt, "bedrock.", k, kl, bedrock_keys,
			    COUNTOF(bedrock_keys));
		}
	}
	return e;
}

static enum bk_err
walk_defaults(struct ld *L, int obj)
{
	struct bk_settings *s = L->s;
	int keys[BK_SETTINGS_KEYS_MAX], n, m;
	char k[128];
	size_t kl;
	uint64_t x;
	enum bk_err e = BK_OK;

	if (L->j.t[obj].type != JSMN_OBJECT)
		return bad_value(L, obj, "defaults", "an object");
	if ((n = members(L, obj, keys, "defaults")) < 0)
		return BK_E_CONFIG;
	for (m = 0; m < n && e == BK_OK; m++) {
		int kt = keys[m], v = kt + 1;
		int ok = key_text(L, kt, k, sizeof(k), &kl);
		if (skip_dup(L, keys, m, n, "defaults.", k, kl))
			continue;
		if (ok && keq(k, kl, "maxTokens")) {
			e = f_uint(L, v, "defaults.maxTokens", 1,
			    BK_SETTINGS_TOKENS_MAX, &x);
			if (e == BK_OK) {
				s->max_tokens = (uint32_t)x;
				s->max_tokens_from =
				    "settings defaults.maxTokens";
			}
		} else if (ok && keq(k, kl, "temperature")) {
			e = f_temperature(L, v);
		} else {
			unknown_key(L, kt, "defaults.", k, kl, defaults_keys,
			    COUNTOF(defaults_keys));
		}
	}
	return e;
}

/*
 * The env object: NAME -> value pairs appended to s->env as
 * "NAME\0VALUE\0", unescaped.  Strings, numbers and true/false are
 * accepted (the last two as their JSON text).
 */
static enum bk_err
walk_env(struct ld *L, int obj)
{
	struct bk_settings *s = L->s;
	int keys[BK_SETTINGS_KEYS_MAX], n, m;
	char k[128];
	size_t kl;

	if (L->j.t[obj].type != JSMN_OBJECT)
		return bad_value(L, obj, "env", "an object of \"NAME\": "
		    "\"value\" pairs");
	if ((n = members(L, obj, keys, "env")) < 0)
		return BK_E_CONFIG;
	for (m = 0; m < n; m++) {
		int kt = keys[m], v = kt + 1;
		const jsmntok_t *vt = &L->j.t[v];
		char *p = s->env + s->env_len;
		size_t room = sizeof(s->env) - s->env_len, nl, vl, i = 0;
		char what[160];
		struct bk_buf w;
		enum bk_err e;

		key_text(L, kt, k, sizeof(k), &kl);
		if (skip_dup(L, keys, m, n, "env.", k, kl))
			continue;
		if (s->env_count == BK_SETTINGS_ENV_MAX) {
			char text[64];
			struct bk_buf b;
			bk_buf_init(&b, text, sizeof(text));
			bk_buf_puts(&b, " has more than ");
			bk_buf_put_u64(&b, BK_SETTINGS_ENV_MAX);
			bk_buf_puts(&b, " variables");
			return bad_at(L, obj, "env", text);
		}
		/* the name */
		e = bk_json_str(&L->j, kt, p, room, &nl);
		if (e == BK_E_BUFSZ)
			goto full;
		if (e == BK_OK) {
			for (i = 0; i < nl; i++)
				if ((unsigned char)p[i] < 0x20 || p[i] == '=')
					break;
		}
		if (e != BK_OK || nl == 0 || i < nl) {
			struct bk_buf b;
			bk_buf_init(&b, L->err, L->cap);
			at(L, &b, tpos(L, kt));
			bk_buf_puts(&b, "env key ");
			quote(&b, k, kl);
			bk_buf_puts(&b, " is not a valid environment variable "
			    "name");
			return BK_E_CONFIG;
		}
		bk_buf_init(&w, what, sizeof(what));
		bk_buf_puts(&w, "env.");
		bk_buf_put(&w, p, nl > 96 ? 96 : nl);
		p += nl + 1;
		room -= nl + 1;
		/* the value */
		if (vt->type == JSMN_STRING) {
			e = bk_json_str(&L->j, v, p, room, &vl);
			if (e == BK_E_BUFSZ)
				goto full;
			if (e != BK_OK)
				return bad_at(L, v, what, " has an invalid "
				    "\\u escape (a lone surrogate)");
			if (memchr(p, '\0', vl) != NULL)
				return bad_at(L, v, what, " must not contain "
				    "a NUL character");
		} else if (vt->type == JSMN_PRIMITIVE &&
		    L->js[vt->start] != 'n') {
			vl = (size_t)(vt->end - vt->start);
			if (vl + 1 > room)
				goto full;
			memcpy(p, L->js + vt->start, vl);
			p[vl] = '\0';
		} else {
			return bad_value(L, v, what, "a string");
		}
		L->envpos[s->env_count] = tpos(L, v);
		s->env_len += nl + 1 + vl + 1;
		s->env_count++;
	}
	return BK_OK;
full:
	/* a full buffer has no byte left to clear: env_len may equal its
	 * size when the pairs before filled it exactly (found by
	 * tests/fuzz/fuzz_settings.c) */
	if (s->env_len < sizeof(s->env))
		s->env[s->env_len] = '\0';
	{
		char text[96];
		struct bk_buf b;
		bk_buf_init(&b, text, sizeof(text));
		bk_buf_puts(&b, " holds more than ");
		bk_buf_put_u64(&b, BK_SETTINGS_ENV_BYTES);
		bk_buf_puts(&b, " bytes of names and values");
		return bad_at(L, obj, "env", text);
	}
}

static enum bk_err
walk_top(struct ld *L)
{
	int keys[BK_SETTINGS_KEYS_MAX], n, m;
	char k[128];
	size_t kl;
	enum bk_err e = BK_OK;

	if ((n = members(L, 0, keys, "the settings object")) < 0)
		return BK_E_CONFIG;
	for (m = 0; m < n && e == BK_OK; m++) {
		int kt = keys[m], v = kt + 1;
		int ok = key_text(L, kt, k, sizeof(k), &kl);
		if (skip_dup(L, keys, m, n, "", k, kl))
			continue;
		if (ok && keq(k, kl, "provider"))
			e = f_provider(L, v);
		else if (ok && keq(k, kl, "model"))
			e = f_string(L, v, "model", L->f_model,
			    sizeof(L->f_model));
		else if (ok && keq(k, kl, "bedrock"))
			e = walk_bedrock(L, v);
		else if (ok && keq(k, kl, "defaults"))
			e = walk_defaults(L, v);
		else if (ok && keq(k, kl, "env"))
			e = walk_env(L, v);
		else if (ok && in_list(claude_code_keys,
		    COUNTOF(claude_code_keys), k, kl))
			note_ignored(L, k);
		else
			unknown_key(L, kt, "", k, kl, top_keys,
			    COUNTOF(top_keys));
	}
	return e;
}

/* Check, tokenise and walk L->js; the model combines at the end. */
static enum bk_err
parse_text(struct ld *L)
{
	struct bk_settings *s = L->s;
	struct jc c;
	size_t i = 0;
	enum bk_err e;

	while (i < L->len && (L->js[i] == ' ' || L->js[i] == '\t' ||
	    L->js[i] == '\n' || L->js[i] == '\r'))
		i++;
	if (i == L->len)
		return BK_OK;           /* blank: an empty object */
	memset(&c, 0, sizeof(c));
	c.s = L->js;
	c.n = L->len;
	bk_buf_init(&c.msg, c.mem, sizeof(c.mem));
	if (L->js[i] != '{') {
		struct bk_buf b;
		bk_buf_init(&b, L->err, L->cap);
		at(L, &b, i);
		bk_buf_puts(&b, "the settings must be a JSON object "
		    "({ ... }), found ");
		jc_found(&b, L->js, L->len, i);
		return BK_E_CONFIG;
	}
	if (jc_run(&c) < 0) {
		struct bk_buf b;
		bk_buf_init(&b, L->err, L->cap);
		at(L, &b, c.pos);
		bk_buf_puts(&b, c.mem);
		return BK_E_CONFIG;
	}
	/* c.ntok <= len/2 + 1 for valid JSON: no overflow in the product */
	L->tok = malloc(c.ntok * sizeof(jsmntok_t));
	if (L->tok == NULL)
		return BK_E_NOMEM;
	e = bk_json_parse(&L->j, L->js, L->len, L->tok, (unsigned)c.ntok);
	if (e != BK_OK) {
		/* the checker accepts nothing jsmn rejects: not reached */
		struct bk_buf b;
		bk_buf_init(&b, L->err, L->cap);
		at(L, &b, L->j.err_pos);
		bk_buf_puts(&b, "invalid JSON (");
		bk_buf_puts(&b, bk_strerror(e));
		bk_buf_putc(&b, ')');
		return BK_E_CONFIG;
	}
	e = walk_top(L);
	if (e != BK_OK)
		return e;
	/* bedrock.inferenceProfile beats model */
	if (L->f_ip[0] != '\0') {
		memcpy(s->model, L->f_ip, sizeof(s->model));
		s->model_from = "settings bedrock.inferenceProfile";
	} else if (L->f_model[0] != '\0') {
		memcpy(s->model, L->f_model, sizeof(s->model));
		s->model_from = "settings model";
	}
	return BK_OK;
}

/* ==================================================================== */
/* 4. The environment                                                   */
/* ==================================================================== */

/* A variable, with the *_from strings for both places it may come from. */
struct var {
	const char *name;
	const char *from_env;
	const char *from_file;
};

#define VAR(n) { n, n, "settings env." n }
static const struct var v_provider[] = { VAR("CLAUDE_PROVIDER") };
static const struct var v_model[] = {
	VAR("ANTHROPIC_MODEL"), VAR("CLAUDE_MODEL")
};
static const struct var v_sonnet[] = {
	VAR("ANTHROPIC_DEFAULT_SONNET_MODEL")
};
static const struct var v_opus[] = { VAR("ANTHROPIC_DEFAULT_OPUS_MODEL") };
static const struct var v_haiku[] = {
	VAR("ANTHROPIC_DEFAULT_HAIKU_MODEL"), VAR("ANTHROPIC_SMALL_FAST_MODEL")
};
static const struct var v_base_url[] = { VAR("ANTHROPIC_BEDROCK_BASE_URL") };
static const struct var v_use_bedrock[] = { VAR("CLAUDE_CODE_USE_BEDROCK") };
static const struct var v_skip_auth[] = {
	VAR("CLAUDE_CODE_SKIP_BEDROCK_AUTH")
};
static const struct var v_max_tokens[] = {
	VAR("CLAUDE_CODE_MAX_OUTPUT_TOKENS")
};
static const struct var v_timeout[] = { VAR("API_TIMEOUT_MS") };
static const struct var v_retries[] = { VAR("CLAUDE_CODE_MAX_RETRIES") };
#undef VAR

/* The value that won, and where from. */
struct pick {
	const char *name;
	const char *val;
	const char *from;
	int file;               /* from the env object (pos is valid) */
	size_t pos;
};

/* Index of the last "name" in the env object (value in *val), or -1. */
static int
env_find(const struct bk_settings *s, const char *name, const char **val)
{
	size_t off = 0, nl = strlen(name);
	unsigned i;
	int hit = -1;

	for (i = 0; i < s->env_count && off < s->env_len; i++) {
		const char *k = s->env + off;
		size_t kl = strlen(k);
		const char *v = k + kl + 1;
		if (kl == nl && memcmp(k, name, nl) == 0) {
			hit = (int)i;
			*val = v;
		}
		off += kl + 1 + strlen(v) + 1;
	}
	return hit;
}

/* Every real variable of the list, then every env-object one. */
static int
pick(const struct ld *L, const struct var *v, size_t nv, struct pick *p)
{
	const char *val;
	size_t k;
	int i;

	for (k = 0; k < nv; k++) {
		val = bk_port_getenv(v[k].name);
		if (val != NULL && val[0] != '\0') {
			p->name = v[k].name;
			p->val = val;
			p->from = v[k].from_env;
			p->file = 0;
			p->pos = 0;
			return 1;
		}
	}
	for (k = 0; k < nv; k++) {
		i = env_find(L->s, v[k].name, &val);
		if (i >= 0 && val[0] != '\0') {
			p->name = v[k].name;
			p->val = val;
			p->from = v[k].from_file;
			p->file = 1;
			p->pos = L->envpos[i];
			return 1;
		}
	}
	return 0;
}

/* NAME="value": RULE (in the env object: PATH:L:C: env.NAME=...). */
static enum bk_err
env_bad(const struct ld *L, const struct pick *p, const char *rule)
{
	struct bk_buf b;

	bk_buf_init(&b, L->err, L->cap);
	if (p->file) {
		at(L, &b, p->pos);
		bk_buf_puts(&b, "env.");
	}
	bk_buf_puts(&b, p->name);
	bk_buf_putc(&b, '=');
	quote(&b, p->val, strlen(p->val));
	bk_buf_puts(&b, ": ");
	bk_buf_puts(&b, rule);
	return BK_E_CONFIG;
}

/* A string variable into out; *from set when one was found. */
static enum bk_err
env_str(const struct ld *L, const struct var *v, size_t nv, char *out,
    size_t cap, const char **from)
{
	struct pick p;
	size_t n, i;

	if (!pick(L, v, nv, &p))
		return BK_OK;
	n = strlen(p.val);
	if (n >= cap) {
		char rule[64];
		struct bk_buf b;
		bk_buf_init(&b, rule, sizeof(rule));
		bk_buf_puts(&b, "too long (at most ");
		bk_buf_put_u64(&b, cap - 1);
		bk_buf_puts(&b, " bytes)");
		return env_bad(L, &p, rule);
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)p.val[i] < 0x20 || p.val[i] == 0x7f)
			return env_bad(L, &p, "must not contain control "
			    "characters");
	memcpy(out, p.val, n + 1);
	if (from != NULL)
		*from = p.from;
	return BK_OK;
}

/* 1 true yes on / 0 false no off, case-insensitive, blanks trimmed. */
static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	size_t a = 0, b = strlen(v), i;

	while (a < b && (v[a] == ' ' || v[a] == '\t'))
		a++;
	while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
		b--;
	for (i = 0; i < COUNTOF(yes); i++) {
		if (ieq(v + a, b - a, yes[i])) {
			*out = 1;
			return 0;
		}
		if (ieq(v + a, b - a, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

static enum bk_err
env_bool(const struct ld *L, const struct var *v, int *out)
{
	struct pick p;

	if (!pick(L, v, 1, &p))
		return BK_OK;
	if (parse_bool(p.val, out) < 0)
		return env_bad(L, &p, "must be 1, true, yes or on, or 0, "
		    "false, no or off");
	return BK_OK;
}

/* Digits only, in [min, max]. */
static int
parse_uint(const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (v[0] == '\0')
		return -1;
	for (i = 0; v[i] != '\0'; i++) {
		if (!is_digit(v[i]))
			return -1;
		x = x * 10u + (uint64_t)(v[i] - '0');
		if (x > max)
			return -1;      /* also keeps x from overflowing */
	}
	if (x < min)
		return -1;
	*out = x;
	return 0;
}

static enum bk_err
env_uint(const struct ld *L, const struct var *v, uint64_t min, uint64_t max,
    uint64_t *out, const char **from)
{
	struct pick p;
	char rule[80];
	struct bk_buf b;

	if (!pick(L, v, 1, &p))
		return BK_OK;
	if (parse_uint(p.val, min, max, out) == 0) {
		*from = p.from;
		return BK_OK;
	}
	bk_buf_init(&b, rule, sizeof(rule));
	bk_buf_puts(&b, "must be ");
	rule_range(rule + b.len, sizeof(rule) - b.len, min, max);
	return env_bad(L, &p, rule);
}

/* The environment on top of the file. */
static enum bk_err
apply_env(struct ld *L)
{
	struct bk_settings *s = L->s;
	struct pick p;
	const char *from;
	uint64_t x;
	enum bk_err e;

	if (pick(L, v_provider, COUNTOF(v_provider), &p)) {
		if (!ieq(p.val, strlen(p.val), "bedrock"))
			return env_bad(L, &p, "not supported: bedrock-claude "
			    "only talks to Amazon Bedrock (use bedrock)");
		s->provider_from = p.from;
	}
	if ((e = env_str(L, v_model, COUNTOF(v_model), s->model,
	    sizeof(s->model), &s->model_from)) != BK_OK ||
	    (e = env_str(L, v_sonnet, COUNTOF(v_sonnet), s->sonnet_model,
	    sizeof(s->sonnet_model), NULL)) != BK_OK ||
	    (e = env_str(L, v_opus, COUNTOF(v_opus), s->opus_model,
	    sizeof(s->opus_model), NULL)) != BK_OK ||
	    (e = env_str(L, v_haiku, COUNTOF(v_haiku), s->haiku_model,
	    sizeof(s->haiku_model), NULL)) != BK_OK ||
	    (e = env_str(L, v_base_url, COUNTOF(v_base_url), s->base_url,
	    sizeof(s->base_url), NULL)) != BK_OK ||
	    (e = env_bool(L, v_use_bedrock, &s->use_bedrock)) != BK_OK ||
	    (e = env_bool(L, v_skip_auth, &s->skip_auth)) != BK_OK)
		return e;
	from = NULL;
	if ((e = env_uint(L, v_max_tokens, 1, BK_SETTINGS_TOKENS_MAX, &x,
	    &from)) != BK_OK)
		return e;
	if (from != NULL) {
		s->max_tokens = (uint32_t)x;
		s->max_tokens_from = from;
	}
	from = NULL;
	if ((e = env_uint(L, v_timeout, 1, BK_SETTINGS_TIMEOUT_MAX, &x,
	    &from)) != BK_OK)
		return e;
	if (from != NULL) {
		s->timeout_ms = (uint32_t)x;
		s->timeout_from = from;
	}
	from = NULL;
	if ((e = env_uint(L, v_retries, 0, BK_SETTINGS_RETRIES_MAX, &x,
	    &from)) != BK_OK)
		return e;
	if (from != NULL) {
		s->max_retries = (int)x;
		s->max_retries_from = from;
	}
	return BK_OK;
}

/* ==================================================================== */
/* 5. Entry points                                                      */
/* ==================================================================== */

/* s->path = a + b, or an error when it does not fit. */
static enum bk_err
set_path(struct ld *L, const char *a, size_t an, const char *b)
{
	struct bk_buf p;

	bk_buf_init(&p, L->s->path, sizeof(L->s->path));
	bk_buf_put(&p, a, an);
	bk_buf_puts(&p, b);
	if (bk_buf_err(&p) == BK_OK)
		return BK_OK;
	L->s->path[0] = '\0';
	bk_buf_init(&p, L->err, L->cap);
	bk_buf_puts(&p, "settings: the path is longer than ");
	bk_buf_put_u64(&p, sizeof(L->s->path) - 1);
	bk_buf_puts(&p, " bytes");
	return BK_E_CONFIG;
}

/*
 * Find and read the file: *buf (malloc'd, BK_SETTINGS_FILE_MAX bytes) and
 * L->js/L->len, or nothing when there is no settings file.
 */
static enum bk_err
read_settings(struct ld *L, const char *flag, uint8_t **buf)
{
	struct bk_settings *s = L->s;
	struct bk_port_err pe;
	const char *dir, *tail;
	size_t n = 0, dl;
	enum bk_err e;
	int must;

	*buf = NULL;
	if (flag != NULL) {
		size_t i = 0;
		while (flag[i] == ' ' || flag[i] == '\t' || flag[i] == '\n' ||
		    flag[i] == '\r')
			i++;
		if (flag[i] == '{') {   /* the JSON itself, as Claude Code */
			L->name = "--settings";
			L->js = flag;
			L->len = strlen(flag);
			memcpy(s->path, "--settings", sizeof("--settings"));
			if (L->len > BK_SETTINGS_FILE_MAX) {
				struct bk_buf b;
				bk_buf_init(&b, L->err, L->cap);
				bk_buf_puts(&b,
				    "--settings: larger than 1 MiB");
				return BK_E_CONFIG;
			}
			s->loaded = 1;
			return BK_OK;
		}
		if (flag[0] == '\0') {
			struct bk_buf b;
			bk_buf_init(&b, L->err, L->cap);
			bk_buf_puts(&b, "--settings: empty file name");
			return BK_E_IO;
		}
		if ((e = set_path(L, flag, strlen(flag), "")) != BK_OK)
			return e;
		must = 1;
	} else {
		dir = bk_port_getenv("XDG_CONFIG_HOME");
		tail = "/claude-code/settings.json";
		if (dir == NULL || dir[0] != '/') {
			dir = bk_port_getenv("HOME");
			tail = "/.config/claude-code/settings.json";
		}
		if (dir == NULL || dir[0] == '\0')
			return BK_OK;   /* nowhere to look */
		dl = strlen(dir);
		while (dl > 1 && dir[dl - 1] == '/')
			dl--;
		if (dl == 1 && dir[0] == '/')
			dl = 0;         /* "/" + "/.config/..." */
		if ((e = set_path(L, dir, dl, tail)) != BK_OK)
			return e;
		if (!bk_port_readable(s->path))
			return BK_OK;   /* no settings: fine */
		must = 0;
	}
	L->name = s->path;
	*buf = malloc(BK_SETTINGS_FILE_MAX);
	if (*buf == NULL)
		return BK_E_NOMEM;
	memset(&pe, 0, sizeof(pe));
	e = bk_port_read_file(s->path, *buf, BK_SETTINGS_FILE_MAX, &n, &pe);
	/* what the wipe must cover: the file's bytes, or all on a failure
	 * (a file past the limit filled the buffer) */
	L->buf_used = e == BK_OK && n <= BK_SETTINGS_FILE_MAX ? n :
	    BK_SETTINGS_FILE_MAX;
	if (e != BK_OK) {
		struct bk_buf b;
		bk_buf_init(&b, L->err, L->cap);
		bk_buf_puts(&b, must ? "--settings: " : "settings: ");
		if (e == BK_E_LIMIT) {
			bk_buf_puts(&b, s->path);
			bk_buf_puts(&b, " is larger than 1 MiB: is it "
			    "really a settings file?");
			return BK_E_CONFIG;
		}
		bk_buf_puts(&b, pe.msg[0] ? pe.msg : bk_strerror(e));
		return e == BK_E_NOMEM ? e : BK_E_IO;
	}
	L->js = (const char *)*buf;
	L->len = n;
	if (n >= 3 && (*buf)[0] == 0xEF && (*buf)[1] == 0xBB &&
	    (*buf)[2] == 0xBF) {
		L->js += 3;             /* a byte-order mark, from Notepad */
		L->len -= 3;
	}
	s->loaded = 1;
	return BK_OK;
}

enum bk_err
bk_settings_load(struct bk_settings *s, const char *settings_flag, char *err,
    size_t cap)
{
	struct ld *L;
	uint8_t *buf = NULL;
	char scratch[8];
	enum bk_err e;

	memset(s, 0, sizeof(*s));
	memcpy(s->provider, "bedrock", sizeof("bedrock"));
	s->provider_from = "default";
	s->temperature_milli = -1;
	s->max_retries = -1;
	if (err == NULL || cap == 0) {
		err = scratch;
		cap = sizeof(scratch);
	}
	err[0] = '\0';
	/* the context holds two 512-byte model buffers and the env
	 * positions: on the heap, as the walkers' key arrays are on the
	 * stack */
	L = calloc(1, sizeof(*L));
	if (L == NULL)
		return BK_E_NOMEM;
	L->s = s;
	/*
	 * Messages are built whole in L->msg and cut into the caller's
	 * buffer at the end: bk_buf drops a piece that does not fit, so a
	 * short buffer would otherwise get no message at all (found by
	 * tests/fuzz/fuzz_settings.c with a 17-byte buffer).
	 */
	L->err = L->msg;
	L->cap = sizeof(L->msg);
	L->name = "settings";
	e = read_settings(L, settings_flag, &buf);
	if (e == BK_OK && L->js != NULL)
		e = parse_text(L);
	if (e == BK_OK)
		e = apply_env(L);
	if (e == BK_OK && L->dropped > 0) {
		struct bk_buf b;
		size_t used = strlen(s->warnings);
		bk_buf_init(&b, s->warnings + used,
		    sizeof(s->warnings) - used);
		bk_buf_puts(&b, "... and ");
		bk_buf_put_u64(&b, L->dropped);
		bk_buf_puts(&b, " more warnings\n");
	}
	if (buf != NULL) {
		/* the env object may have held secrets */
		bk_wipe(buf, L->buf_used);
		free(buf);
	}
	if (e != BK_OK)
		bk_copy_clean(err, cap, L->msg, strlen(L->msg));
	free(L->tok);
	bk_wipe(L, sizeof(*L));
	free(L);
	return e;
}

const char *
bk_settings_file_env(const struct bk_settings *s, const char *name)
{
	const char *v = NULL;

	if (s == NULL || name == NULL || env_find(s, name, &v) < 0 ||
	    v[0] == '\0')
		return NULL;
	return v;
}

const char *
bk_settings_env(const struct bk_settings *s, const char *name)
{
	const char *v;

	if (name == NULL)
		return NULL;
	v = bk_port_getenv(name);
	if (v != NULL && v[0] != '\0')
		return v;
	return bk_settings_file_env(s, name);
}

void
bk_settings_wipe(struct bk_settings *s)
{
	if (s != NULL)
		bk_wipe(s, sizeof(*s));
}
