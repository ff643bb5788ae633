/*
 * fuzz_session.c -- libFuzzer target for session files (session.c): the
 * JSON-lines loader (bk_session_load), the conversation it yields
 * (bk_transcript_messages), resuming (bk_session_resume, which cuts a
 * torn last line), --continue's header scan (bk_session_latest_for_cwd)
 * and the writers, whose output the loader must read back unchanged.
 * Files live in tests/fuzz/fuzz_port.c's memory.
 *
 * Input: one flags byte, then the text.
 *   flags & 3   0, 1: the text is a session file: load it and check the
 *               result, write the transcript again with the writers and
 *               load that (parse(serialize(x)) == x), look for it with
 *               bk_session_latest_for_cwd; 2: the text is a session file
 *               to resume, then a user line is appended and the file
 *               loaded again; 3: the text is raw message texts separated
 *               by "\n~~~\n" (any bytes: NULs, invalid UTF-8, escapes),
 *               written as a conversation and read back
 *   flags & 4   (mode 3) the first text is a system prompt
 *   flags & 8   a short error buffer (24 bytes)
 *
 * Checks (abort() on a violation):
 *  - the error is NUL-terminated, one clean line, set exactly when the
 *    load fails, and a failed load leaves an empty transcript;
 *  - a loaded transcript keeps its promises: a normalised UUID, turn
 *    texts NUL-terminated at their length, without NUL, valid UTF-8,
 *    known roles and flags; header strings NUL-terminated; valid_len +
 *    torn within the file, a torn line only at its end; warnings one
 *    clean line;
 *  - the API conversation starts with a user turn, alternates, has no
 *    blank text, and each text is NUL-terminated;
 *  - every line the writers make is valid JSON (a strict grammar);
 *  - writing the transcript again and loading it gives the same turns
 *    (roles, texts, times in range, interrupted and error flags), the same
 *    system prompt, id, cwd, model and region;
 *  - resuming cuts a torn line, and the appended line loads as the last
 *    turn after the old ones;
 *  - raw texts written and read back equal what bk_transcript_add() makes
 *    of them (NUL and invalid UTF-8 as U+FFFD), and the count of
 *    replacements matches.
 *
 * Built with clang -fsanitize=fuzzer (make build/fuzz/fuzz_session) and,
 * with -DREPLAY, included by replay.c: every helper is static, prefix fn_.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock.h"
#include "fuzz_port.h"
#include "session.h"

#define FN_PATH "/home/fuzz/s.jsonl"
#define FN_STATE "/state"
#define FN_STATE2 "/state2"
#define FN_ID "0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70"
#define FN_SEP "\n~~~\n"

static size_t fn_cap;

/* A failed call's message: NUL-terminated in its buffer, one clean line. */
static void
fn_check_err(const char *err)
{
	FP_ASSERT(fp_terminated(err, fn_cap));
	FP_ASSERT(fp_clean(err, 0));
	FP_ASSERT(err[0] != '\0');
}

static enum bk_err
fn_load(const char *path, struct bk_transcript *t)
{
	char err[512];
	enum bk_err e;

	memset(err, 'Z', sizeof(err));
	e = bk_session_load(path, t, err, fn_cap);
	FP_ASSERT(e == BK_OK || e == BK_E_JSON || e == BK_E_LIMIT ||
	    e == BK_E_NOT_FOUND || e == BK_E_IO);
	if (e != BK_OK) {
		fn_check_err(err);
		FP_ASSERT(t->n == 0 && t->turn == NULL && t->system == NULL);
	}
	return e;
}

/* What a loaded transcript promises. */
static void
fn_check_transcript(const struct bk_transcript *t, size_t file_len)
{
	char id[BK_SESSION_ID_LEN + 1];
	const struct bk_message *m;
	struct bk_transcript *tt = (struct bk_transcript *)t;
	size_t i, n;

	FP_ASSERT(bk_session_id_parse(t->id, id) == BK_OK &&
	    strcmp(id, t->id) == 0);
	FP_ASSERT(fp_terminated(t->cwd, sizeof(t->cwd)));
	FP_ASSERT(fp_terminated(t->model, sizeof(t->model)));
	FP_ASSERT(fp_terminated(t->region, sizeof(t->region)));
	FP_ASSERT(fp_terminated(t->warn, sizeof(t->warn)));
	FP_ASSERT(fp_clean(t->warn, 0));
	FP_ASSERT(t->valid_len <= file_len);
	if (t->torn > 0)
		FP_ASSERT(t->valid_len + t->torn == file_len);
	FP_ASSERT(t->n <= BK_SESSION_MAX_MESSAGES);
	for (i = 0; i < t->n; i++) {
		const struct bk_turn *u = &t->turn[i];
		FP_ASSERT(u->role == BK_ROLE_USER ||
		    u->role == BK_ROLE_ASSISTANT);
		FP_ASSERT(u->text != NULL && u->text[u->len] == '\0' &&
		    strlen(u->text) == u->len);
		FP_ASSERT(bk_utf8_invalid((const uint8_t *)u->text, u->len) ==
		    0);
		FP_ASSERT((u->flags & ~(unsigned)(BK_TURN_INTERRUPTED |
		    BK_TURN_ERROR)) == 0);
		if (u->role == BK_ROLE_USER)
			FP_ASSERT(u->flags == 0);
	}
	if (t->system != NULL) {
		FP_ASSERT(strlen(t->system) == t->system_len);
		FP_ASSERT(bk_utf8_invalid((const uint8_t *)t->system,
		    t->system_len) == 0);
	}
	/* the conversation for the API */
	FP_ASSERT(bk_transcript_messages(tt, &m, &n) == BK_OK);
	FP_ASSERT(n <= t->n);
	for (i = 0; i < n; i++) {
		size_t k;
		int blank = 1;
		FP_ASSERT(m[i].role == (i % 2 == 0 ? BK_ROLE_USER :
		    BK_ROLE_ASSISTANT));
		FP_ASSERT(m[i].text[m[i].len] == '\0');
		for (k = 0; k < m[i].len; k++)
			if (!strchr(" \t\r\n", m[i].text[k]))
				blank = 0;
		FP_ASSERT(!blank);
	}
}

/* Write t again with the writers (into FN_STATE2), return the path. */
static int
fn_rewrite(const struct bk_transcript *t, char *path, size_t cap)
{
	static struct bk_session s;
	struct bk_session_start o;
	char err[512];
	size_t i;

	memset(&o, 0, sizeof(o));
	o.state_dir = FN_STATE2;
	o.cwd = t->cwd;
	o.id = t->id;
	o.model = t->model;
	o.region = t->region;
	o.now = t->created;
	FP_ASSERT(bk_session_new(&s, &o, err, sizeof(err)) == BK_OK);
	if (t->system != NULL)
		FP_ASSERT(bk_session_append_system(&s, 0,
		    (const uint8_t *)t->system, t->system_len, err,
		    sizeof(err)) == BK_OK);
	for (i = 0; i < t->n; i++) {
		const struct bk_turn *u = &t->turn[i];
		if (u->role == BK_ROLE_USER) {
			FP_ASSERT(bk_session_append_user(&s, u->time,
			    (const uint8_t *)u->text, u->len, err,
			    sizeof(err)) == BK_OK);
		} else {
			struct bk_answer a;
			memset(&a, 0, sizeof(a));
			a.time = u->time;
			a.text = (const uint8_t *)u->text;
			a.len = u->len;
			a.cost_nusd = BK_COST_UNKNOWN;
			a.interrupted = (u->flags & BK_TURN_INTERRUPTED) != 0;
			a.error = (u->flags & BK_TURN_ERROR) ? "failed" : NULL;
			FP_ASSERT(bk_session_append_assistant(&s, &a, err,
			    sizeof(err)) == BK_OK);
		}
	}
	snprintf(path, cap, "%s", s.path);
	bk_session_free(&s);
	return s.exists;
}

/* Every line the writers made is one valid JSON object (a strict
 * grammar, not jsmn). */
static void
fn_lines_valid(const char *path)
{
	size_t len, pos = 0;
	const uint8_t *w = fp_file_get(path, &len);

	FP_ASSERT(w != NULL && len > 0 && w[len - 1] == '\n');
	while (pos < len) {
		const uint8_t *nl = memchr(w + pos, '\n', len - pos);
		size_t n = (size_t)(nl - (w + pos));
		FP_ASSERT(n > 0 && w[pos] == '{');
		FP_ASSERT(fp_json_valid((const char *)w + pos, n));
		pos += n + 1;
	}
}

static int
fn_time_ok(int64_t t)
{
	return t >= 0 && t <= INT64_C(253402300799);
}

static void
fn_same(const struct bk_transcript *a, const struct bk_transcript *b)
{
	size_t i;

	FP_ASSERT(a->n == b->n);
	for (i = 0; i < a->n; i++) {
		const struct bk_turn *x = &a->turn[i], *y = &b->turn[i];
		FP_ASSERT(x->role == y->role && x->len == y->len &&
		    memcmp(x->text, y->text, x->len) == 0);
		FP_ASSERT(x->flags == y->flags);
		if (fn_time_ok(x->time))
			FP_ASSERT(x->time == y->time);
	}
	FP_ASSERT((a->system == NULL) == (b->system == NULL));
	if (a->system != NULL)
		FP_ASSERT(a->system_len == b->system_len &&
		    memcmp(a->system, b->system, a->system_len) == 0);
	FP_ASSERT(strcmp(a->id, b->id) == 0);
	if (bk_utf8_invalid((const uint8_t *)a->cwd, strlen(a->cwd)) == 0)
		FP_ASSERT(strcmp(a->cwd, b->cwd) == 0);
	if (bk_utf8_invalid((const uint8_t *)a->model, strlen(a->model)) == 0)
		FP_ASSERT(strcmp(a->model, b->model) == 0);
	if (bk_utf8_invalid((const uint8_t *)a->region, strlen(a->region)) ==
	    0)
		FP_ASSERT(strcmp(a->region, b->region) == 0);
	if (fn_time_ok(a->created))
		FP_ASSERT(a->created == b->created);
}

static void
fn_mode_load(const char *text, size_t n)
{
	static struct bk_transcript t, t2;
	char path[BK_SESSION_PATH_MAX];
	enum bk_err e;

	fp_file(FN_PATH, text, n);
	e = fn_load(FN_PATH, &t);
	if (e != BK_OK)
		return;
	fn_check_transcript(&t, n);
	/* parse(serialize(x)) */
	if (t.n > 0 && t.turn[0].role == BK_ROLE_USER &&
	    fn_rewrite(&t, path, sizeof(path))) {
		size_t len;
		const uint8_t *w = fp_file_get(path, &len);
		FP_ASSERT(w != NULL);
		fn_lines_valid(path);
		FP_ASSERT(fn_load(path, &t2) == BK_OK);
		fn_check_transcript(&t2, len);
		fn_same(&t, &t2);
		FP_ASSERT(t2.torn == 0 && t2.skipped == 0 && t2.replaced == 0);
		bk_transcript_free(&t2);
	}
	/* --continue finds it by its header's cwd */
	{
		char id[BK_SESSION_ID_LEN + 1], err[512], p2[256];
		const char *nl = memchr(text, '\n', n);
		size_t hl = nl ? (size_t)(nl - text) : n;
		err[0] = '\0';
		e = BK_E_NOT_FOUND;
		snprintf(p2, sizeof(p2), FN_STATE "/sessions/%s.jsonl", t.id);
		fp_file(p2, text, n);
		if (strlen(t.cwd) > 0)
			e = bk_session_latest_for_cwd(FN_STATE, t.cwd, id, err,
			    sizeof(err));
		if (e == BK_OK) {
			FP_ASSERT(strcmp(id, t.id) == 0);
		} else if (strlen(t.cwd) > 0 && nl != NULL && hl < 4096 &&
		    text[0] == '{') {
			/* the header is the first line: the scan must find it
			 * when it parses in the scanner's 256 tokens and its
			 * cwd holds no NUL */
			static jsmntok_t tok[256];
			static char cwd[BK_SESSION_PATH_MAX];
			struct bk_json j;
			size_t cl = 0;
			int k;
			FP_ASSERT(fp_terminated(err, sizeof(err)) &&
			    fp_clean(err, 0));
			if (bk_json_parse(&j, text, hl, tok, 256) == BK_OK &&
			    bk_json_is(&j, bk_json_get(&j, 0, "type"),
			    "session") && (k = bk_json_get(&j, 0, "cwd")) >= 0 &&
			    bk_json_str(&j, k, cwd, sizeof(cwd), &cl) ==
			    BK_OK && cl == strlen(t.cwd))
				FP_ASSERT(!"--continue missed the session");
		}
	}
	bk_transcript_free(&t);
}

static void
fn_mode_resume(const char *text, size_t n)
{
	static struct bk_session s;
	static struct bk_transcript t, t2;
	char err[512], path[256];
	size_t len;
	const uint8_t *w;
	enum bk_err e;

	snprintf(path, sizeof(path), FN_STATE "/sessions/" FN_ID ".jsonl");
	fp_file(path, text, n);
	memset(err, 'Z', sizeof(err));
	e = bk_session_resume(&s, FN_STATE, FN_ID, &t, err, fn_cap);
	if (e != BK_OK) {
		fn_check_err(err);
		return;
	}
	fn_check_transcript(&t, n);
	FP_ASSERT(fp_terminated(s.warn, sizeof(s.warn)) && fp_clean(s.warn, 0));
	w = fp_file_get(path, &len);
	FP_ASSERT(w != NULL && len == (t.torn > 0 ? t.valid_len : n));
	FP_ASSERT(bk_session_append_user(&s, 1764072000,
	    (const uint8_t *)"resumed", 7, err, sizeof(err)) == BK_OK);
	FP_ASSERT(fn_load(path, &t2) == BK_OK);
	FP_ASSERT(t2.n == t.n + 1 && t2.torn == 0);
	FP_ASSERT(t2.turn[t.n].role == BK_ROLE_USER &&
	    strcmp(t2.turn[t.n].text, "resumed") == 0);
	t2.n--;
	fn_same(&t, &t2);
	t2.n++;
	bk_transcript_free(&t);
	bk_transcript_free(&t2);
	bk_session_free(&s);
}

static void
fn_mode_texts(const char *text, size_t n, int system)
{
	static struct bk_session s;
	static struct bk_transcript want, got;
	struct bk_session_start o;
	char err[512];
	size_t start = 0, i, k = 0;

	memset(&o, 0, sizeof(o));
	o.state_dir = FN_STATE;
	o.cwd = "/home/fuzz/project";
	o.id = FN_ID;
	o.model = "us.anthropic.claude-sonnet-4-6";
	o.region = "us-east-1";
	o.now = 1764072000;
	FP_ASSERT(bk_session_new(&s, &o, err, sizeof(err)) == BK_OK);
	bk_transcript_init(&want);
	for (i = 0; i <= n; i++) {
		const uint8_t *p;
		size_t len, j;
		if (i < n && !(n - i >= 5 && memcmp(text + i, FN_SEP, 5) == 0))
			continue;
		p = (const uint8_t *)text + start;
		len = i - start;
		start = i + 5;
		/* the system prompt first (if any), then user and assistant
		 * turns in turn */
		j = k++ - (system ? 1 : 0);
		if (system && k == 1) {
			FP_ASSERT(bk_session_append_system(&s, 1, p, len, err,
			    sizeof(err)) == BK_OK);
		} else if (j % 2 == 0) {
			FP_ASSERT(bk_session_append_user(&s, 2, p, len, err,
			    sizeof(err)) == BK_OK);
			FP_ASSERT(bk_transcript_add(&want, BK_ROLE_USER, p, len,
			    2, 0) == BK_OK);
		} else {
			struct bk_answer a;
			memset(&a, 0, sizeof(a));
			a.time = 3;
			a.text = p;
			a.len = len;
			a.cost_nusd = (int64_t)len * 1000;
			a.interrupted = (int)(len & 1);
			FP_ASSERT(bk_session_append_assistant(&s, &a, err,
			    sizeof(err)) == BK_OK);
			FP_ASSERT(bk_transcript_add(&want, BK_ROLE_ASSISTANT, p,
			    len, 3, a.interrupted ? BK_TURN_INTERRUPTED : 0) ==
			    BK_OK);
		}
		if (i == n)
			break;
		i += 4;
	}
	if (s.exists) {
		fn_lines_valid(s.path);
		FP_ASSERT(fn_load(s.path, &got) == BK_OK);
		FP_ASSERT(got.n == want.n);
		for (i = 0; i < want.n; i++) {
			FP_ASSERT(got.turn[i].role == want.turn[i].role);
			FP_ASSERT(got.turn[i].len == want.turn[i].len &&
			    memcmp(got.turn[i].text, want.turn[i].text,
			    want.turn[i].len) == 0);
			FP_ASSERT(got.turn[i].flags == want.turn[i].flags);
		}
		/* every replacement counted once, on either side */
		FP_ASSERT(s.replaced == want.replaced || system);
		FP_ASSERT(got.replaced == 0);
		bk_transcript_free(&got);
	}
	bk_transcript_free(&want);
	bk_session_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	size_t n;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	n = size - 1;
	text = malloc(n > 0 ? n : 1);
	FP_ASSERT(text != NULL);
	memcpy(text, data + 1, n);
	fn_cap = (flags & 8) ? 24 : 512;
	fp_reset();
	switch (flags & 3) {
	case 0:
	case 1:
		fn_mode_load(text, n);
		break;
	case 2:
		fn_mode_resume(text, n);
		break;
	default:
		fn_mode_texts(text, n, (flags & 4) != 0);
		break;
	}
	fp_reset();
	free(text);
	return 0;
}
