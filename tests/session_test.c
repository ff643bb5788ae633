/*
 * session_test.c -- sessions (JSON lines on disk, resuming, alternation
 * repair) and the usage ledger (append, sums, tables), against a real
 * temporary directory made with mkdtemp.
 *
 * Prints "session ...: N passed, M failed" and "ledger ...: N passed,
 * M failed" (check.h).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "bedrock.h"
#include "port.h"
#include "port_fs.h"
#include "session.h"
#include "ledger.h"

static char tmp_root[256];
static char err[1024];

/* --- helpers ----------------------------------------------------------- */

static void
path_join(char *out, size_t cap, const char *a, const char *b)
{
	snprintf(out, cap, "%s/%s", a, b);
}

/* A fresh directory under the temporary root. */
static void
fresh_dir(char *out, size_t cap, const char *name)
{
	path_join(out, cap, tmp_root, name);
	mkdir(out, 0700);
}

static unsigned
file_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0xFFFFu;
	return (unsigned)st.st_mode & 07777u;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static long
file_size(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -1;
	return (long)st.st_size;
}

static void
write_file(const char *path, const char *data, size_t n, const char *mode)
{
	FILE *f = fopen(path, mode);

	if (f == NULL)
		return;
	fwrite(data, 1, n, f);
	fclose(f);
}

static void
append_str(const char *path, const char *s)
{
	write_file(path, s, strlen(s), "ab");
}

static size_t
count_lines(const char *path)
{
	size_t n = 0, len, i;
	char *p = check_slurp(path, &len);

	if (p == NULL)
		return 0;
	for (i = 0; i < len; i++)
		n += p[i] == '\n';
	free(p);
	return n;
}

static void
set_mtime(const char *path, long sec)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = sec;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, path, ts, 0);
}

static int64_t
iso(const char *s)
{
	int64_t t = 0;

	bk_time_parse_iso8601(s, strlen(s), &t);
	return t;
}

static int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* Start a session in state dir `st` for cwd, optionally with an ID. */
static enum bk_err
start(struct bk_session *s, const char *st, const char *cwd, const char *id,
    const char *model)
{
	struct bk_session_start o;

	memset(&o, 0, sizeof(o));
	o.state_dir = st;
	o.cwd = cwd;
	o.id = id;
	o.model = model;
	o.region = "us-west-2";
	o.now = iso("2026-11-25T12:00:00Z");
	return bk_session_new(s, &o, err, sizeof(err));
}

static enum bk_err
user(struct bk_session *s, const char *text)
{
	return bk_session_append_user(s, iso("2026-11-25T12:00:01Z"),
	    (const uint8_t *)text, strlen(text), err, sizeof(err));
}

static enum bk_err
answer(struct bk_session *s, const char *text, int interrupted,
    const char *error)
{
	struct bk_answer a;
	struct bk_usage u = { 10, 20, 3, 4 };

	memset(&a, 0, sizeof(a));
	a.time = iso("2026-11-25T12:00:02Z");
	a.text = (const uint8_t *)text;
	a.len = strlen(text);
	a.model = "us.anthropic.claude-sonnet-4-6";
	a.stop_reason = interrupted || error ? NULL : "end_turn";
	a.usage = &u;
	a.cost_nusd = 12300000;   /* $0.0123 */
	a.request_id = "req-1";
	a.interrupted = interrupted;
	a.error = error;
	return bk_session_append_assistant(s, &a, err, sizeof(err));
}

/* The alternation invariant the Messages API wants. */
static int
alternates(const struct bk_message *m, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	if (m[0].role != BK_ROLE_USER)
		return 0;
	for (i = 1; i < n; i++)
		if (m[i].role == m[i - 1].role)
			return 0;
	for (i = 0; i < n; i++)
		if (m[i].len == 0 || strlen((const char *)m[i].text) != m[i].len)
			return 0;
	return 1;
}

/* ======================================================================== */
/* session                                                                  */
/* ======================================================================== */

static void
test_state_dir(void)
{
	char out[256];
	char big[300];

	CHECK(bk_state_dir("/x/state", "/home/u", out, sizeof(out), err,
	    sizeof(err)) == BK_OK);
	CHECK_EQ_STR(out, "/x/state/bedrock-claude");
	CHECK(bk_state_dir("/x/state/", NULL, out, sizeof(out), err,
	    sizeof(err)) == BK_OK);
	CHECK_EQ_STR(out, "/x/state/bedrock-claude");
	/* relative XDG_STATE_HOME is ignored (XDG spec) */
	CHECK(bk_state_dir("rel/state", "/home/u", out, sizeof(out), err,
	    sizeof(err)) == BK_OK);
	CHECK_EQ_STR(out, "/home/u/.local/state/bedrock-claude");
	CHECK(bk_state_dir("", "/home/u", out, sizeof(out), err,
	    sizeof(err)) == BK_OK);
	CHECK_EQ_STR(out, "/home/u/.local/state/bedrock-claude");
	CHECK(bk_state_dir("/", NULL, out, sizeof(out), err,
	    sizeof(err)) == BK_OK);
	CHECK_EQ_STR(out, "/bedrock-claude");
	/* neither: persistence off, and the message says where */
	err[0] = '\0';
	CHECK(bk_state_dir(NULL, NULL, out, sizeof(out), err, sizeof(err)) ==
	    BK_E_NOT_FOUND);
	CHECK(out[0] == '\0');
	CHECK(contains(err, "$HOME/.local/state/bedrock-claude"));
	CHECK(contains(err, "XDG_STATE_HOME"));
	CHECK(bk_state_dir("", "", out, sizeof(out), err, sizeof(err)) ==
	    BK_E_NOT_FOUND);
	CHECK(bk_state_dir(NULL, "relative", out, sizeof(out), err,
	    sizeof(err)) == BK_E_NOT_FOUND);
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	CHECK(bk_state_dir(big, NULL, out, sizeof(out), err, sizeof(err)) ==
	    BK_E_LIMIT);
}

static void
test_ids(void)
{
	char id[BK_SESSION_ID_LEN + 1], id2[BK_SESSION_ID_LEN + 1];

	CHECK(bk_session_id_parse("0B4C6F2E-3D1A-4C7E-9F55-2A9E8D1C6B70", id) ==
	    BK_OK);
	CHECK_EQ_STR(id, "0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70");
	CHECK(bk_session_id_parse("0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b7", id) ==
	    BK_E_ARG);
	CHECK(id[0] == '\0');
	CHECK(bk_session_id_parse("0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b700",
	    id) == BK_E_ARG);
	CHECK(bk_session_id_parse("0b4c6f2e03d1a-4c7e-9f55-2a9e8d1c6b70", id) ==
	    BK_E_ARG);
	CHECK(bk_session_id_parse("0b4c6f2g-3d1a-4c7e-9f55-2a9e8d1c6b70", id) ==
	    BK_E_ARG);
	CHECK(bk_session_id_parse("../../../../etc/passwd-xxxxxxxxxxxxxx", id) ==
	    BK_E_ARG);
	CHECK(bk_session_id_parse("", id) == BK_E_ARG);
	CHECK(bk_session_id_parse(NULL, id) == BK_E_ARG);
	CHECK(bk_session_id_new(id) == BK_OK);
	CHECK(bk_session_id_new(id2) == BK_OK);
	CHECK(strcmp(id, id2) != 0);
	CHECK(bk_session_id_parse(id, id2) == BK_OK && strcmp(id, id2) == 0);
	CHECK(id[14] == '4');                              /* version */
	CHECK(strchr("89ab", id[19]) != NULL);              /* variant */
}

static const char nasty[] =
    "quote \" backslash \\ slash / newline\nCRLF\r\ntab\t bell\x07 "
    "emoji \xF0\x9F\xA6\x80 accents \xC3\xA9\xC3\xA0 literal \\u0000 "
    "{\"json\":[1,2]}";

static void
test_round_trip(void)
{
	char st[512], sdir[512], path[BK_SESSION_PATH_MAX];
	struct bk_session s;
	struct bk_transcript t;
	const struct bk_message *m;
	size_t n, len;
	char *file, *nl;
	/* invalid UTF-8 and a NUL in the middle: both become U+FFFD */
	static const char bad[] = "a\xFF" "b\0c";

	fresh_dir(st, sizeof(st), "rt");
	path_join(st, sizeof(st), tmp_root, "rt/state");
	CHECK(start(&s, st, "/work/proj", NULL, "us.anthropic.claude-x") ==
	    BK_OK);
	CHECK(s.warn[0] == '\0');
	path_join(sdir, sizeof(sdir), st, "sessions");
	CHECK(file_mode(st) == 0700);
	CHECK(file_mode(sdir) == 0700);
	/* lazy: no file before the first prompt */
	CHECK(!exists(s.path));
	CHECK(contains(s.path, s.id) && contains(s.path, "/sessions/"));
	CHECK(bk_session_append_model(&s, 0, "model-b", err, sizeof(err)) ==
	    BK_OK);
	CHECK(bk_session_append_system(&s, iso("2026-11-25T12:00:00Z"),
	    (const uint8_t *)"be brief", 8, err, sizeof(err)) == BK_OK);
	CHECK(!exists(s.path));
	/* an answer before a question is refused */
	CHECK(answer(&s, "x", 0, NULL) == BK_E_ARG);

	CHECK(user(&s, nasty) == BK_OK);
	CHECK(exists(s.path));
	CHECK(file_mode(s.path) == 0600);
	CHECK(answer(&s, "answer \"one\"\n\xF0\x9F\x98\x80", 0, NULL) == BK_OK);
	CHECK(bk_session_append_user(&s, iso("2026-11-25T12:01:00Z"),
	    (const uint8_t *)bad, sizeof(bad) - 1, err, sizeof(err)) == BK_OK);
	CHECK(s.replaced == 2);
	CHECK(answer(&s, "partial", 1, NULL) == BK_OK);
	CHECK(user(&s, "third") == BK_OK);
	CHECK(answer(&s, "", 0, "throttled: \"slow down\"") == BK_OK);
	CHECK(bk_session_append_model(&s, 0, "model-c", err, sizeof(err)) ==
	    BK_OK);
	CHECK(bk_session_append_system(&s, 0, (const uint8_t *)"new system",
	    10, err, sizeof(err)) == BK_OK);
	CHECK(count_lines(s.path) == 10);

	/* the header: first line, all fields */
	file = check_slurp(s.path, &len);
	CHECK(file != NULL);
	if (file != NULL) {
		nl = strchr(file, '\n');
		if (nl != NULL)
			*nl = '\0';
		CHECK(strncmp(file, "{\"type\":\"session\",\"id\":\"", 24) == 0);
		CHECK(contains(file, s.id));
		CHECK(contains(file, "\"cwd\":\"/work/proj\""));
		CHECK(contains(file, "\"created\":\"2026-11-25T12:00:00Z\""));
		CHECK(contains(file, "\"model\":\"model-b\""));
		CHECK(contains(file, "\"region\":\"us-west-2\""));
		CHECK(contains(file, "\"version\":1}"));
		if (nl != NULL) {
			*nl = '\n';
			/* the pending system prompt comes right after */
			CHECK(strncmp(nl + 1, "{\"type\":\"system\"", 16) == 0);
		}
		/* NUL never reaches the file; the literal text does */
		CHECK(!contains(file, "\\u0000\""));
		CHECK(contains(file, "literal \\\\u0000"));
		CHECK(contains(file, "\"interrupted\":true"));
		CHECK(contains(file, "\"cost_usd\":0.0123"));
		CHECK(contains(file, "\"usage\":{\"input_tokens\":10,"
		    "\"output_tokens\":20,\"cache_creation_input_tokens\":3,"
		    "\"cache_read_input_tokens\":4}"));
		CHECK(contains(file, "\"error\":\"throttled: \\\"slow down\\\"\""));
		free(file);
	}

	CHECK(bk_session_load(s.path, &t, err, sizeof(err)) == BK_OK);
	CHECK(t.n == 6);
	CHECK_EQ_STR(t.id, s.id);
	CHECK_EQ_STR(t.cwd, "/work/proj");
	CHECK_EQ_STR(t.region, "us-west-2");
	CHECK(t.created == iso("2026-11-25T12:00:00Z"));
	CHECK_EQ_STR(t.model, "model-c");
	CHECK(t.system != NULL && strcmp(t.system, "new system") == 0);
	CHECK(t.torn == 0 && t.skipped == 0 && t.replaced == 0);
	CHECK(t.warn[0] == '\0');
	if (t.n == 6) {
		CHECK(t.turn[0].role == BK_ROLE_USER);
		CHECK(t.turn[0].len == strlen(nasty) &&
		    memcmp(t.turn[0].text, nasty, t.turn[0].len) == 0);
		CHECK(t.turn[0].time == iso("2026-11-25T12:00:01Z"));
		CHECK(t.turn[1].role == BK_ROLE_ASSISTANT);
		CHECK_EQ_STR(t.turn[1].text, "answer \"one\"\n\xF0\x9F\x98\x80");
		CHECK(t.turn[1].flags == 0);
		CHECK_EQ_STR(t.turn[2].text, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c");
		CHECK(t.turn[3].flags == BK_TURN_INTERRUPTED);
		CHECK_EQ_STR(t.turn[4].text, "third");
		CHECK(t.turn[5].flags == BK_TURN_ERROR && t.turn[5].len == 0);
	}
	CHECK(t.usage.input_tokens == 30 && t.usage.output_tokens == 60);
	CHECK(t.usage.cache_creation_input_tokens == 9 &&
	    t.usage.cache_read_input_tokens == 12);
	CHECK(t.cost_nusd == 3 * 12300000 && t.unknown_cost == 0);
	/* the failed, empty answer is dropped; the partial one kept */
	CHECK(bk_transcript_messages(&t, &m, &n) == BK_OK);
	CHECK(n == 5 && alternates(m, n));
	/* the program adds its prompt: joined with the unanswered "third" */
	CHECK(bk_transcript_add(&t, BK_ROLE_USER, (const uint8_t *)"fourth", 6,
	    0, 0) == BK_OK);
	CHECK(bk_transcript_messages(&t, &m, &n) == BK_OK);
	CHECK(n == 5 && alternates(m, n));
	if (n == 5) {
		CHECK(m[4].role == BK_ROLE_USER);
		CHECK_EQ_STR((const char *)m[4].text, "third\n\nfourth");
		CHECK_EQ_STR((const char *)m[3].text, "partial");
	}
	bk_transcript_free(&t);
	CHECK(t.n == 0 && t.turn == NULL);

	/* resume: same file, appended to; model from the file */
	strcpy(path, s.path);
	{
		struct bk_session r;
		char id[BK_SESSION_ID_LEN + 1];
		strcpy(id, s.id);
		CHECK(bk_session_resume(&r, st, id, &t, err, sizeof(err)) ==
		    BK_OK);
		CHECK_EQ_STR(r.path, path);
		CHECK_EQ_STR(r.model, "model-c");
		CHECK_EQ_STR(r.cwd, "/work/proj");
		CHECK(r.exists == 1);
		CHECK(t.n == 6);
		bk_transcript_free(&t);
		CHECK(user(&r, "after resume") == BK_OK);
		CHECK(count_lines(path) == 11);
		CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_OK);
		CHECK(t.n == 7);
		bk_transcript_free(&t);
		bk_session_free(&r);
	}
	bk_session_free(&s);
}

static void
test_off(void)
{
	struct bk_session s;

	bk_session_off(&s);
	CHECK(user(&s, "hello") == BK_OK);
	CHECK(answer(&s, "hi", 0, NULL) == BK_OK);
	CHECK(bk_session_append_system(&s, 0, (const uint8_t *)"x", 1, err,
	    sizeof(err)) == BK_OK);
	CHECK(s.path[0] == '\0' && !s.exists);
}

static void
test_dir_modes(void)
{
	char base[512], st[512], sdir[512];
	struct bk_session s;

	fresh_dir(base, sizeof(base), "modes");
	path_join(st, sizeof(st), base, "state");
	mkdir(st, 0755);
	chmod(st, 0755);
	path_join(sdir, sizeof(sdir), st, "sessions");
	mkdir(sdir, 0777);
	chmod(sdir, 0777);
	CHECK(start(&s, st, "/", NULL, NULL) == BK_OK);
	CHECK(file_mode(st) == 0700);
	CHECK(file_mode(sdir) == 0700);
	CHECK(contains(s.warn, "open to other users"));
	CHECK(contains(s.warn, "0755") && contains(s.warn, "0777"));
	/* bk_state_mkdir alone, on a fine directory: nothing to say */
	{
		char w[256];
		CHECK(bk_state_mkdir(st, w, sizeof(w), err, sizeof(err)) ==
		    BK_OK);
		CHECK(w[0] == '\0');
	}
	/* a file in the way */
	{
		char f[600], w[256];
		path_join(f, sizeof(f), base, "afile");
		write_file(f, "x", 1, "wb");
		path_join(f, sizeof(f), base, "afile/sub");
		CHECK(bk_state_mkdir(f, w, sizeof(w), err, sizeof(err)) ==
		    BK_E_IO);
	}
}

static void
test_session_id_option(void)
{
	char st[512];
	struct bk_session s, s2;

	fresh_dir(st, sizeof(st), "sid");
	CHECK(start(&s, st, "/p", "not-a-uuid", NULL) == BK_E_ARG);
	CHECK(contains(err, "must be a UUID"));
	CHECK(start(&s, st, "/p", "0B4C6F2E-3D1A-4C7E-9F55-2A9E8D1C6B70",
	    NULL) == BK_OK);
	CHECK_EQ_STR(s.id, "0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70");
	CHECK(contains(s.path,
	    "/sessions/0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70.jsonl"));
	CHECK(user(&s, "hello") == BK_OK);
	/* the ID now names a conversation: a new one may not take it */
	CHECK(start(&s2, st, "/p", "0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70",
	    NULL) == BK_E_USAGE);
	CHECK(contains(err, "already in use") && contains(err, "--resume"));
	bk_session_free(&s);
}

static void
test_torn(void)
{
	char st[512], path[BK_SESSION_PATH_MAX], id[BK_SESSION_ID_LEN + 1];
	struct bk_session s, r;
	struct bk_transcript t;
	long good;

	fresh_dir(st, sizeof(st), "torn");
	CHECK(start(&s, st, "/p", NULL, "m") == BK_OK);
	CHECK(user(&s, "one") == BK_OK);
	CHECK(answer(&s, "two", 0, NULL) == BK_OK);
	strcpy(path, s.path);
	strcpy(id, s.id);
	good = file_size(path);
	/* a crash in the middle of writing the next line */
	append_str(path, "{\"type\":\"user\",\"time\":\"2026-11-25T12:05:00Z\","
	    "\"text\":\"cut he");
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_OK);
	CHECK(t.n == 2);
	CHECK(t.torn > 0 && (long)t.valid_len == good);
	CHECK(contains(t.warn, "torn last line") && contains(t.warn, ":4:"));
	bk_transcript_free(&t);
	/* zero-filled tail (power loss on some file systems) */
	{
		char zeros[64];
		memset(zeros, 0, sizeof(zeros));
		write_file(path, zeros, sizeof(zeros), "ab");
	}
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_OK);
	CHECK(t.n == 2 && t.torn > 64);
	bk_transcript_free(&t);
	/* resuming cuts it, then appends cleanly */
	CHECK(bk_session_resume(&r, st, id, &t, err, sizeof(err)) == BK_OK);
	CHECK(file_size(path) == good);
	CHECK(contains(r.warn, "cut off"));
	bk_transcript_free(&t);
	CHECK(user(&r, "three") == BK_OK);
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_OK);
	CHECK(t.n == 3 && t.torn == 0);
	bk_transcript_free(&t);

	/* a complete last record without its '\n' is kept, and the next
	 * append starts a new line */
	append_str(path, "{\"type\":\"assistant\",\"text\":\"four\"}");
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_OK);
	CHECK(t.n == 4 && t.torn == 0);
	bk_transcript_free(&t);
	CHECK(user(&r, "five") == BK_OK);
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_OK);
	CHECK(t.n == 5);
	if (t.n == 5)
		CHECK_EQ_STR(t.turn[4].text, "five");
	bk_transcript_free(&t);
	bk_session_free(&s);
}

static void
test_corrupt(void)
{
	char st[1024], path[1024], base[512];
	struct bk_transcript t;
	static const char hdr[] = "{\"type\":\"session\",\"id\":"
	    "\"11111111-2222-4333-8444-555555555555\",\"cwd\":\"/p\","
	    "\"created\":\"2026-11-25T12:00:00Z\",\"model\":\"m\","
	    "\"region\":\"r\",\"version\":1}\n";
	static const char u[] = "{\"type\":\"user\",\"text\":\"hi\"}\n";

	fresh_dir(base, sizeof(base), "corrupt");
	snprintf(st, sizeof(st), "%s/s.jsonl", base);
	strcpy(path, st);

	/* a corrupt middle line: error with file:line */
	write_file(path, hdr, strlen(hdr), "wb");
	append_str(path, u);
	append_str(path, "{\"type\":\"assistant\",\"text\":\"a\"\n");
	append_str(path, u);
	err[0] = '\0';
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);
	CHECK(contains(err, path) && contains(err, ":3: not valid JSON"));
	CHECK(t.n == 0 && t.turn == NULL);

	/* no text */
	write_file(path, hdr, strlen(hdr), "wb");
	append_str(path, "{\"type\":\"user\",\"txt\":\"hi\"}\n");
	append_str(path, u);
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);
	CHECK(contains(err, ":2: no \"text\""));

	/* not an object; a string that is not a string */
	write_file(path, hdr, strlen(hdr), "wb");
	append_str(path, "[1,2]\n");
	append_str(path, u);
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);
	CHECK(contains(err, ":2: not a JSON object"));
	write_file(path, hdr, strlen(hdr), "wb");
	append_str(path, "{\"type\":\"assistant\",\"text\":\"a\",\"model\":7}\n");
	append_str(path, u);
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);
	CHECK(contains(err, ":2: \"model\" is not a string"));

	/* bad escape (lone surrogate) */
	write_file(path, hdr, strlen(hdr), "wb");
	append_str(path, "{\"type\":\"user\",\"text\":\"\\ud800\"}\n");
	append_str(path, u);
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);
	CHECK(contains(err, ":2: bad \"text\""));

	/* no header; a second header; a newer format */
	write_file(path, u, strlen(u), "wb");
	append_str(path, u);
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);
	CHECK(contains(err, ":1: not a bedrock-claude session"));
	write_file(path, hdr, strlen(hdr), "wb");
	append_str(path, hdr);
	append_str(path, u);
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);
	CHECK(contains(err, ":2: a second session header"));
	{
		static const char v2[] = "{\"type\":\"session\",\"id\":"
		    "\"11111111-2222-4333-8444-555555555555\",\"cwd\":\"/p\","
		    "\"version\":2}\n";
		write_file(path, v2, strlen(v2), "wb");
	}
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);
	CHECK(contains(err, ":1: format version 2 is newer"));
	write_file(path, "", 0, "wb");
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);
	CHECK(contains(err, "no session header"));
	/* only a torn header */
	write_file(path, hdr, 30, "wb");
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_JSON);

	/* unknown types are skipped; blank lines and \u0000 tolerated */
	write_file(path, hdr, strlen(hdr), "wb");
	append_str(path, "\n");
	append_str(path, "{\"type\":\"tool_use\",\"name\":\"x\"}\n");
	{
		/* a later record type with more values than the first token
		 * array holds */
		char big[2048];
		size_t k, o = 0;
		o += (size_t)snprintf(big, sizeof(big), "{\"type\":\"x\",\"v\":[");
		for (k = 0; k < 300; k++)
			o += (size_t)snprintf(big + o, sizeof(big) - o, "%s%u",
			    k ? "," : "", (unsigned)(k % 10));
		snprintf(big + o, sizeof(big) - o, "]}\n");
		append_str(path, big);
	}
	append_str(path, "{\"type\":\"user\",\"text\":\"n\\u0000ul\"}\n");
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_OK);
	CHECK(t.n == 1 && t.skipped == 2 && t.replaced == 1);
	if (t.n == 1)
		CHECK_EQ_STR(t.turn[0].text, "n\xEF\xBF\xBDul");
	CHECK(contains(t.warn, "unknown type") && contains(t.warn, "U+FFFD"));
	bk_transcript_free(&t);
	/* raw invalid bytes in a hand-edited file */
	write_file(path, hdr, strlen(hdr), "wb");
	append_str(path, "{\"type\":\"user\",\"text\":\"x\xC3(y\xE2\x82\"}\n");
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_OK);
	if (t.n == 1)
		CHECK_EQ_STR(t.turn[0].text, "x\xEF\xBF\xBD(y\xEF\xBF\xBD");
	CHECK(t.replaced == 2);
	bk_transcript_free(&t);

	/* missing file */
	snprintf(st, sizeof(st), "%s/none.jsonl", base);
	CHECK(bk_session_load(st, &t, err, sizeof(err)) == BK_E_NOT_FOUND);
}

static void
test_limits(void)
{
	char base[512], path[600];
	struct bk_transcript t;
	FILE *f;
	unsigned i;
	static const char hdr[] = "{\"type\":\"session\",\"id\":"
	    "\"11111111-2222-4333-8444-555555555555\",\"cwd\":\"/p\","
	    "\"version\":1}\n";

	fresh_dir(base, sizeof(base), "limits");
	/* 10,000 messages load; 10,001 do not */
	snprintf(path, sizeof(path), "%s/many.jsonl", base);
	f = fopen(path, "wb");
	if (f != NULL) {
		fputs(hdr, f);
		for (i = 0; i < BK_SESSION_MAX_MESSAGES; i++)
			fputs(i % 2 ? "{\"type\":\"assistant\",\"text\":\"a\"}\n" :
			    "{\"type\":\"user\",\"text\":\"u\"}\n", f);
		fclose(f);
	}
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_OK);
	CHECK(t.n == BK_SESSION_MAX_MESSAGES);
	/* and the transcript will not grow past it in memory either */
	CHECK(bk_transcript_add(&t, BK_ROLE_USER, (const uint8_t *)"x", 1, 0,
	    0) == BK_E_LIMIT);
	bk_transcript_free(&t);
	append_str(path, "{\"type\":\"user\",\"text\":\"u\"}\n");
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_LIMIT);
	CHECK(contains(err, ":10002: more than 10000 messages"));

	/* 64 MiB + 1 (sparse: costs nothing) */
	snprintf(path, sizeof(path), "%s/big.jsonl", base);
	write_file(path, hdr, strlen(hdr), "wb");
	CHECK(truncate(path, (off_t)BK_SESSION_MAX_FILE + 1) == 0);
	CHECK(bk_session_load(path, &t, err, sizeof(err)) == BK_E_LIMIT);
	CHECK(contains(err, "larger than the 64 MiB"));
	unlink(path);
}

static void
test_latest(void)
{
	char st[512], sdir[512], p[600];
	struct bk_session a, b, c, d;
	char id[BK_SESSION_ID_LEN + 1];
	static const char weird[] = "/tmp/we\"ird\\dir/\xC3\xA9\n";

	fresh_dir(st, sizeof(st), "latest");
	/* nothing yet: the sessions directory does not even exist */
	CHECK(bk_session_latest_for_cwd(st, "/x", id, err, sizeof(err)) ==
	    BK_E_NOT_FOUND);
	CHECK(start(&a, st, "/x", NULL, NULL) == BK_OK && user(&a, "a") == BK_OK);
	CHECK(start(&b, st, "/y", NULL, NULL) == BK_OK && user(&b, "b") == BK_OK);
	CHECK(start(&c, st, "/x", NULL, NULL) == BK_OK && user(&c, "c") == BK_OK);
	CHECK(start(&d, st, weird, NULL, NULL) == BK_OK &&
	    user(&d, "d") == BK_OK);
	set_mtime(a.path, 1000300);
	set_mtime(b.path, 1000400);     /* newest overall, other cwd */
	set_mtime(c.path, 1000200);
	set_mtime(d.path, 1000100);
	/* noise: foreign files, a torn header, a prefix of /x */
	path_join(sdir, sizeof(sdir), st, "sessions");
	path_join(p, sizeof(p), sdir, "notes.txt");
	write_file(p, "hello\n", 6, "wb");
	path_join(p, sizeof(p), sdir, "99999999-9999-4999-8999-999999999999.jsonl");
	write_file(p, "{\"type\":\"session\",\"cwd\":\"/x\"", 28, "wb");
	set_mtime(p, 2000000);
	path_join(p, sizeof(p), sdir, "88888888-8888-4888-8888-888888888888.jsonl");
	write_file(p, "{\"type\":\"session\",\"cwd\":\"/x/\"}\n", 31, "wb");
	set_mtime(p, 2000000);

	CHECK(bk_session_latest_for_cwd(st, "/x", id, err, sizeof(err)) ==
	    BK_OK);
	CHECK_EQ_STR(id, a.id);
	set_mtime(c.path, 1000350);     /* c written to more recently */
	CHECK(bk_session_latest_for_cwd(st, "/x", id, err, sizeof(err)) ==
	    BK_OK);
	CHECK_EQ_STR(id, c.id);
	CHECK(bk_session_latest_for_cwd(st, "/y", id, err, sizeof(err)) ==
	    BK_OK);
	CHECK_EQ_STR(id, b.id);
	CHECK(bk_session_latest_for_cwd(st, weird, id, err, sizeof(err)) ==
	    BK_OK);
	CHECK_EQ_STR(id, d.id);
	CHECK(bk_session_latest_for_cwd(st, "/z", id, err, sizeof(err)) ==
	    BK_E_NOT_FOUND);
	CHECK(id[0] == '\0' && contains(err, "/z"));
	/* a tie on mtime: the larger ID, whatever the listing order */
	set_mtime(a.path, 1000350);
	CHECK(bk_session_latest_for_cwd(st, "/x", id, err, sizeof(err)) ==
	    BK_OK);
	CHECK_EQ_STR(id, strcmp(a.id, c.id) > 0 ? a.id : c.id);
}

static void
test_find(void)
{
	char st[512], id[BK_SESSION_ID_LEN + 1];
	struct bk_session s;

	fresh_dir(st, sizeof(st), "find");
	CHECK(start(&s, st, "/p", "aaaa1111-2222-4333-8444-555555555555", NULL)
	    == BK_OK && user(&s, "1") == BK_OK);
	CHECK(start(&s, st, "/p", "aaaa2222-2222-4333-8444-555555555555", NULL)
	    == BK_OK && user(&s, "2") == BK_OK);
	CHECK(bk_session_find(st, "AAAA1111-2222-4333-8444-555555555555", id,
	    err, sizeof(err)) == BK_OK);
	CHECK_EQ_STR(id, "aaaa1111-2222-4333-8444-555555555555");
	CHECK(bk_session_find(st, "aaaa2", id, err, sizeof(err)) == BK_OK);
	CHECK_EQ_STR(id, "aaaa2222-2222-4333-8444-555555555555");
	CHECK(bk_session_find(st, "aaaa", id, err, sizeof(err)) == BK_E_ARG);
	CHECK(contains(err, "2 sessions start with aaaa"));
	CHECK(bk_session_find(st, "bbbb", id, err, sizeof(err)) ==
	    BK_E_NOT_FOUND);
	CHECK(bk_session_find(st, "bbbb1111-2222-4333-8444-555555555555", id,
	    err, sizeof(err)) == BK_E_NOT_FOUND);
	CHECK(bk_session_find(st, "aa", id, err, sizeof(err)) == BK_E_ARG);
	CHECK(bk_session_find(st, "../x", id, err, sizeof(err)) == BK_E_ARG);
	CHECK(bk_session_find(st, "aaaa1111x", id, err, sizeof(err)) == BK_E_ARG);
	/* resume refuses a non-ID and a missing session */
	{
		struct bk_session r;
		struct bk_transcript t;
		CHECK(bk_session_resume(&r, st, "../../etc/passwd", &t, err,
		    sizeof(err)) == BK_E_ARG);
		CHECK(bk_session_resume(&r, st,
		    "bbbb1111-2222-4333-8444-555555555555", &t, err,
		    sizeof(err)) == BK_E_NOT_FOUND);
	}
}

static void
test_alternation(void)
{
	struct bk_transcript t;
	const struct bk_message *m;
	size_t n;

#define ADD(role, s) bk_transcript_add(&t, role, (const uint8_t *)(s), \
    strlen(s), 0, 0)
	bk_transcript_init(&t);
	CHECK(bk_transcript_messages(&t, &m, &n) == BK_OK && n == 0);
	ADD(BK_ROLE_ASSISTANT, "orphan answer");   /* before any question */
	ADD(BK_ROLE_USER, "U1");
	ADD(BK_ROLE_USER, "U2");                   /* U1's call failed */
	ADD(BK_ROLE_ASSISTANT, "A1");
	ADD(BK_ROLE_ASSISTANT, "A1b");             /* two answers in a row */
	ADD(BK_ROLE_USER, "U3");
	ADD(BK_ROLE_ASSISTANT, "");                /* failed before a token */
	ADD(BK_ROLE_USER, " \n\t");                /* blank prompt */
	ADD(BK_ROLE_ASSISTANT, "\n");
	ADD(BK_ROLE_USER, "U5");
	CHECK(bk_transcript_messages(&t, &m, &n) == BK_OK);
	CHECK(n == 3 && alternates(m, n));
	if (n == 3) {
		CHECK_EQ_STR((const char *)m[0].text, "U1\n\nU2");
		CHECK(m[0].len == 6);
		CHECK_EQ_STR((const char *)m[1].text, "A1\n\nA1b");
		CHECK_EQ_STR((const char *)m[2].text, "U3\n\nU5");
		CHECK(m[2].role == BK_ROLE_USER);
	}
	/* the raw turns are untouched */
	CHECK(t.n == 10 && strcmp(t.turn[1].text, "U1") == 0);
	ADD(BK_ROLE_ASSISTANT, "A5");
	CHECK(bk_transcript_messages(&t, &m, &n) == BK_OK);
	CHECK(n == 4 && alternates(m, n) && m[3].role == BK_ROLE_ASSISTANT);
	/* a plain conversation points at the turns, no copies */
	bk_transcript_free(&t);
	ADD(BK_ROLE_USER, "q");
	ADD(BK_ROLE_ASSISTANT, "a");
	ADD(BK_ROLE_USER, "q2");
	CHECK(bk_transcript_messages(&t, &m, &n) == BK_OK);
	CHECK(n == 3 && alternates(m, n) && t.joined == NULL);
	CHECK(n == 3 && (const char *)m[2].text == t.turn[2].text);
	/* only answers: nothing to send */
	bk_transcript_free(&t);
	ADD(BK_ROLE_ASSISTANT, "a");
	CHECK(bk_transcript_messages(&t, &m, &n) == BK_OK && n == 0);
	/* NUL and invalid bytes are replaced on add too */
	CHECK(bk_transcript_add(&t, BK_ROLE_USER, (const uint8_t *)"a\0b", 3, 0,
	    0) == BK_OK);
	CHECK(t.n == 2 && t.turn[1].len == 5 && t.replaced == 1);
	bk_transcript_free(&t);
#undef ADD
}

static void
test_costs(void)
{
	int64_t c;
	char out[64];
	struct bk_buf b;

	CHECK(bk_cost_parse("0.0123", 6, &c) == BK_OK && c == 12300000);
	CHECK(bk_cost_parse("1.5e-3", 6, &c) == BK_OK && c == 1500000);
	CHECK(bk_cost_parse("12", 2, &c) == BK_OK && c == INT64_C(12000000000));
	CHECK(bk_cost_parse("0", 1, &c) == BK_OK && c == 0);
	CHECK(bk_cost_parse("0.0000000005", 12, &c) == BK_OK && c == 1);
	CHECK(bk_cost_parse("0.0000000004", 12, &c) == BK_OK && c == 0);
	CHECK(bk_cost_parse("1E2", 3, &c) == BK_OK && c == INT64_C(100000000000));
	CHECK(bk_cost_parse("-1", 2, &c) == BK_OK && c == BK_COST_UNKNOWN);
	CHECK(bk_cost_parse("null", 4, &c) == BK_OK && c == BK_COST_UNKNOWN);
	CHECK(bk_cost_parse("1e10", 4, &c) == BK_E_LIMIT);
	CHECK(bk_cost_parse("abc", 3, &c) == BK_E_JSON_SHAPE);
	CHECK(bk_cost_parse("1.", 2, &c) == BK_OK && c == INT64_C(1000000000));
	CHECK(bk_cost_parse(".", 1, &c) == BK_E_JSON_SHAPE);
	CHECK(bk_cost_parse("1e", 2, &c) == BK_E_JSON_SHAPE);
	CHECK(bk_cost_parse("true", 4, &c) == BK_E_JSON_SHAPE);
	CHECK(bk_cost_parse("0.12345678901234567890123", 25, &c) == BK_OK &&
	    c == 123456789);
	bk_buf_init(&b, out, sizeof(out));
	bk_put_cost_json(&b, 12300000);
	bk_buf_putc(&b, ' ');
	bk_put_cost_json(&b, 0);
	bk_buf_putc(&b, ' ');
	bk_put_cost_json(&b, INT64_C(2000000001));
	bk_buf_putc(&b, ' ');
	bk_put_cost_json(&b, BK_COST_UNKNOWN);
	CHECK_EQ_STR(out, "0.0123 0 2.000000001 null");
	bk_buf_init(&b, out, sizeof(out));
	bk_put_time_iso(&b, iso("2026-02-28T23:59:59Z"));
	bk_buf_putc(&b, ' ');
	bk_put_time_iso(&b, -5);
	CHECK_EQ_STR(out, "2026-02-28T23:59:59Z 1970-01-01T00:00:00Z");
}

/* ======================================================================== */
/* ledger                                                                   */
/* ======================================================================== */

static const char ledger_text[] =
    /* 1 */ "{\"time\":\"2026-10-31T23:59:59Z\",\"model\":\"m-a\",\"region\":\"r\","
    "\"profile\":null,\"request_id\":\"1\",\"input_tokens\":100,"
    "\"output_tokens\":10,\"cache_creation_input_tokens\":0,"
    "\"cache_read_input_tokens\":0,\"cost_usd\":0.5,\"session\":null}\n"
    /* 2 */ "{\"time\":\"2026-11-01T00:00:00Z\",\"model\":\"m-b\","
    "\"input_tokens\":200,\"output_tokens\":20,"
    "\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":7,"
    "\"cost_usd\":1.25}\n"
    /* 3 */ "this is not json\n"
    /* 4 */ "\n"
    /* 5 */ "{\"time\":\"2026-11-01T10:00:00+02:00\",\"model\":\"m-a\","
    "\"input_tokens\":1,\"output_tokens\":2,\"cost_usd\":null}\n"
    /* 6 */ "{\"time\":\"2026-11-02T08:00:00Z\",\"model\":\"m-a\","
    "\"input_tokens\":1000,\"output_tokens\":2000,\"cost_usd\":0.0001}\n"
    /* 7 */ "{\"time\":\"bad\",\"model\":\"m-a\"}\n"
    /* 8 */ "{\"time\":\"2026-11-02T09:00:00Z\",\"model\":\"m-c\","
    "\"input_tokens\":-5}\n"
    /* 9 */ "{\"time\":\"2026-12-01T00:00:00Z\",\"input_tokens\":3,"
    "\"cost_usd\":-1}\n"
    /* 10, torn */ "{\"time\":\"2026-12-02T00:00:00Z\",\"model\":\"m-a\",\"inp";

static struct bk_usage_row rows[64];

static void
test_ledger_line(void)
{
	char out[1024];
	struct bk_buf b;
	struct bk_ledger_entry e;

	memset(&e, 0, sizeof(e));
	e.time = iso("2026-11-25T12:00:00Z");
	e.model = "us.anthropic.claude-sonnet-4-6";
	e.region = "us-east-1";
	e.profile = "dev \"team\"";
	e.request_id = "abc-123";
	e.session = "0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70";
	e.usage.input_tokens = 1200;
	e.usage.output_tokens = 345;
	e.usage.cache_creation_input_tokens = 6;
	e.usage.cache_read_input_tokens = 7;
	e.cost_nusd = 12345000;
	bk_buf_init(&b, out, sizeof(out));
	CHECK(bk_ledger_line(&b, &e) == BK_OK);
	CHECK_EQ_STR(out, "{\"time\":\"2026-11-25T12:00:00Z\","
	    "\"model\":\"us.anthropic.claude-sonnet-4-6\","
	    "\"region\":\"us-east-1\",\"profile\":\"dev \\\"team\\\"\","
	    "\"request_id\":\"abc-123\",\"input_tokens\":1200,"
	    "\"output_tokens\":345,\"cache_creation_input_tokens\":6,"
	    "\"cache_read_input_tokens\":7,\"cost_usd\":0.012345,"
	    "\"session\":\"0b4c6f2e-3d1a-4c7e-9f55-2a9e8d1c6b70\"}\n");
	e.profile = NULL;
	e.request_id = NULL;
	e.session = NULL;
	e.cost_nusd = BK_COST_UNKNOWN;
	bk_buf_init(&b, out, sizeof(out));
	CHECK(bk_ledger_line(&b, &e) == BK_OK);
	CHECK(contains(out, "\"profile\":null,\"request_id\":null,"));
	CHECK(contains(out, "\"cost_usd\":null,\"session\":null}\n"));
	bk_buf_init(&b, out, 40);
	CHECK(bk_ledger_line(&b, &e) == BK_E_BUFSZ);
}

static void
test_ledger_sums(void)
{
	struct bk_ledger_stats st;
	size_t n;

	/* by day, everything */
	CHECK(bk_ledger_sum(ledger_text, strlen(ledger_text), 0,
	    BK_LEDGER_BY_DAY, rows, 64, &n, &st) == BK_OK);
	CHECK(st.lines == 9 && st.counted == 5);
	CHECK(st.corrupt == 3 && st.first_corrupt == 3);
	CHECK(st.torn == 1);
	CHECK(st.total.calls == 5);
	CHECK(st.total.tokens.input_tokens == 1304);
	CHECK(st.total.tokens.output_tokens == 2032);
	CHECK(st.total.tokens.cache_creation_input_tokens == 5);
	CHECK(st.total.tokens.cache_read_input_tokens == 7);
	CHECK(st.total.cost_nusd == INT64_C(1750100000));
	CHECK(st.total.unknown_cost == 2);
	CHECK(n == 4);
	if (n == 4) {
		CHECK_EQ_STR(rows[0].key, "2026-10-31");
		CHECK_EQ_STR(rows[1].key, "2026-11-01");
		CHECK(rows[1].calls == 2 && rows[1].unknown_cost == 1);
		CHECK(rows[1].cost_nusd == INT64_C(1250000000));
		CHECK_EQ_STR(rows[2].key, "2026-11-02");
		CHECK_EQ_STR(rows[3].key, "2026-12-01");
	}
	/* "+02:00" was normalised to UTC: 08:00Z on the 1st */

	/* by month since 2026-11-01 */
	CHECK(bk_ledger_parse_date("2026-11-01", &st.since) == BK_OK);
	CHECK(bk_ledger_sum(ledger_text, strlen(ledger_text),
	    iso("2026-11-01T00:00:00Z"), BK_LEDGER_BY_MONTH, rows, 64, &n, &st)
	    == BK_OK);
	CHECK(st.counted == 4 && st.before_since == 1);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_EQ_STR(rows[0].key, "2026-11");
		CHECK(rows[0].calls == 3);
		CHECK(rows[0].tokens.input_tokens == 1201);
		CHECK_EQ_STR(rows[1].key, "2026-12");
		CHECK(rows[1].calls == 1 && rows[1].unknown_cost == 1 &&
		    rows[1].cost_nusd == 0);
	}

	/* by model: highest cost first; no model is "(unknown)" */
	CHECK(bk_ledger_sum(ledger_text, strlen(ledger_text), 0,
	    BK_LEDGER_BY_MODEL, rows, 64, &n, &st) == BK_OK);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_EQ_STR(rows[0].key, "m-b");
		CHECK_EQ_STR(rows[1].key, "m-a");
		CHECK(rows[1].calls == 3 && rows[1].cost_nusd == 500100000);
		CHECK_EQ_STR(rows[2].key, "(unknown)");
	}

	/* none: a total only */
	CHECK(bk_ledger_sum(ledger_text, strlen(ledger_text), 0,
	    BK_LEDGER_BY_NONE, rows, 64, &n, &st) == BK_OK);
	CHECK(n == 0 && st.total.calls == 5);

	/* too few rows: the total is still right */
	CHECK(bk_ledger_sum(ledger_text, strlen(ledger_text), 0,
	    BK_LEDGER_BY_DAY, rows, 2, &n, &st) == BK_E_LIMIT);
	CHECK(n == 2 && st.total.calls == 5);

	/* a very long model name is cut, visibly */
	{
		char line[600], model[300];
		memset(model, 'q', 200);
		model[200] = '\0';
		snprintf(line, sizeof(line), "{\"time\":\"2026-11-01T00:00:00Z\","
		    "\"model\":\"%s\"}\n", model);
		CHECK(bk_ledger_sum(line, strlen(line), 0, BK_LEDGER_BY_MODEL,
		    rows, 64, &n, &st) == BK_OK);
		CHECK(n == 1 && strlen(rows[0].key) == BK_USAGE_KEY_MAX - 1);
		CHECK(n == 1 && strcmp(rows[0].key + BK_USAGE_KEY_MAX - 4,
		    "...") == 0);
	}

	/* empty input */
	CHECK(bk_ledger_sum("", 0, 0, BK_LEDGER_BY_DAY, rows, 64, &n, &st) ==
	    BK_OK);
	CHECK(n == 0 && st.total.calls == 0 && st.lines == 0 && !st.torn);

	/* --by and --since parsing */
	{
		enum bk_ledger_by by;
		int64_t t;
		CHECK(bk_ledger_by_parse("day", &by) == BK_OK &&
		    by == BK_LEDGER_BY_DAY);
		CHECK(bk_ledger_by_parse("month", &by) == BK_OK &&
		    by == BK_LEDGER_BY_MONTH);
		CHECK(bk_ledger_by_parse("model", &by) == BK_OK &&
		    by == BK_LEDGER_BY_MODEL);
		CHECK(bk_ledger_by_parse("week", &by) == BK_E_ARG);
		CHECK(bk_ledger_parse_date("2026-11-02", &t) == BK_OK &&
		    t == iso("2026-11-02T00:00:00Z"));
		CHECK(bk_ledger_parse_date("2026-11", &t) == BK_OK &&
		    t == iso("2026-11-01T00:00:00Z"));
		CHECK(bk_ledger_parse_date("2026-11-02T10:00:00Z", &t) == BK_OK
		    && t == iso("2026-11-02T10:00:00Z"));
		CHECK(bk_ledger_parse_date("2026-13-01", &t) == BK_E_ARG);
		CHECK(bk_ledger_parse_date("2026-02-30", &t) == BK_E_ARG);
		CHECK(bk_ledger_parse_date("yesterday", &t) == BK_E_ARG);
		CHECK(bk_ledger_parse_date("", &t) == BK_E_ARG);
	}
}

/* Push the text split at every point, and byte by byte: same sums. */
static void
test_ledger_split(void)
{
	static struct bk_ledger_sum s;
	static struct bk_usage_row r2[64];
	struct bk_ledger_stats whole;
	size_t n, len = strlen(ledger_text), cut, i;
	int same = 1;

	CHECK(bk_ledger_sum(ledger_text, len, 0, BK_LEDGER_BY_DAY, rows, 64,
	    &n, &whole) == BK_OK);
	for (cut = 0; cut <= len; cut++) {
		bk_ledger_sum_init(&s, BK_LEDGER_BY_DAY, 0, r2, 64);
		bk_ledger_sum_push(&s, ledger_text, cut);
		bk_ledger_sum_push(&s, ledger_text + cut, len - cut);
		if (bk_ledger_sum_finish(&s) != BK_OK || s.n != n ||
		    memcmp(&s.st, &whole, sizeof(whole)) != 0 ||
		    memcmp(r2, rows, n * sizeof(rows[0])) != 0)
			same = 0;
	}
	CHECK(same);
	bk_ledger_sum_init(&s, BK_LEDGER_BY_DAY, 0, r2, 64);
	for (i = 0; i < len; i++)
		bk_ledger_sum_push(&s, ledger_text + i, 1);
	CHECK(bk_ledger_sum_finish(&s) == BK_OK);
	CHECK(s.n == n && memcmp(&s.st, &whole, sizeof(whole)) == 0);

	/* a line longer than BK_LEDGER_LINE_MAX: corrupt, skipped */
	{
		size_t big = BK_LEDGER_LINE_MAX + 100;
		char *p = malloc(big + 200);
		if (p != NULL) {
			memset(p, 'x', big);
			p[big] = '\n';
			strcpy(p + big + 1, "{\"time\":\"2026-11-01T00:00:00Z\","
			    "\"input_tokens\":1}\n");
			bk_ledger_sum_init(&s, BK_LEDGER_BY_NONE, 0, NULL, 0);
			bk_ledger_sum_push(&s, p, 5000);
			bk_ledger_sum_push(&s, p + 5000, strlen(p + 5000));
			CHECK(bk_ledger_sum_finish(&s) == BK_OK);
			CHECK(s.st.corrupt == 1 && s.st.first_corrupt == 1);
			CHECK(s.st.total.calls == 1 && s.st.lines == 2);
			free(p);
		}
	}
}

static void
test_ledger_format(void)
{
	struct bk_ledger_stats st;
	char out[4096];
	struct bk_buf b;
	size_t n;

	CHECK(bk_ledger_sum(ledger_text, strlen(ledger_text), 0,
	    BK_LEDGER_BY_DAY, rows, 64, &n, &st) == BK_OK);
	bk_buf_init(&b, out, sizeof(out));
	bk_ledger_format_table(&b, rows, n, &st);
	CHECK(bk_buf_err(&b) == BK_OK);
	CHECK_EQ_STR(out,
	    "Day         Calls  Input  Output  Cache write  Cache read     Cost\n"
	    "2026-10-31      1    100      10            0           0  $0.5000\n"
	    "2026-11-01      2    201      22            5           7  $1.2500*\n"
	    "2026-11-02      1  1,000   2,000            0           0  $0.0001\n"
	    "2026-12-01      1      3       0            0           0  $0.0000*\n"
	    "Total           5  1,304   2,032            5           7  $1.7501*\n"
	    "* not counted: 2 calls to models with no known price\n");
	bk_buf_init(&b, out, sizeof(out));
	bk_ledger_format_notes(&b, "ledger.jsonl", &st);
	CHECK_EQ_STR(out,
	    "ledger.jsonl: skipped 3 corrupt lines (first: line 3)\n"
	    "ledger.jsonl: ignored a torn last line (a write was interrupted)\n");

	CHECK(bk_ledger_sum(ledger_text, strlen(ledger_text),
	    iso("2026-12-01T00:00:00Z"), BK_LEDGER_BY_MONTH, rows, 64, &n, &st)
	    == BK_OK);
	bk_buf_init(&b, out, sizeof(out));
	bk_ledger_format_json(&b, rows, n, &st);
	CHECK_EQ_STR(out, "{\"by\":\"month\",\"since\":\"2026-12-01T00:00:00Z\","
	    "\"rows\":[{\"key\":\"2026-12\",\"calls\":1,\"input_tokens\":3,"
	    "\"output_tokens\":0,\"cache_creation_input_tokens\":0,"
	    "\"cache_read_input_tokens\":0,\"cost_usd\":0,"
	    "\"unknown_cost_calls\":1}],\"total\":{\"calls\":1,"
	    "\"input_tokens\":3,\"output_tokens\":0,"
	    "\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,"
	    "\"cost_usd\":0,\"unknown_cost_calls\":1},\"skipped_lines\":3,"
	    "\"torn_last_line\":true}\n");

	/* by none: a Total row only; every price known: no footnote */
	CHECK(bk_ledger_sum(ledger_text, (size_t)(strchr(ledger_text, '\n') -
	    ledger_text) + 1, 0, BK_LEDGER_BY_NONE, rows, 64, &n, &st) ==
	    BK_OK);
	bk_buf_init(&b, out, sizeof(out));
	bk_ledger_format_table(&b, rows, n, &st);
	CHECK_EQ_STR(out,
	    "       Calls  Input  Output  Cache write  Cache read     Cost\n"
	    "Total      1    100      10            0           0  $0.5000\n");
	bk_buf_init(&b, out, sizeof(out));
	bk_ledger_format_notes(&b, "x", &st);
	CHECK(st.corrupt == 0 && !st.torn && out[0] == '\0');

	/* costs to 4 decimals, half up; grouping */
	bk_buf_init(&b, out, sizeof(out));
	bk_put_cost_usd(&b, INT64_C(1234567890123));
	bk_buf_putc(&b, ' ');
	bk_put_cost_usd(&b, 49999);
	bk_buf_putc(&b, ' ');
	bk_put_cost_usd(&b, 50000);
	CHECK_EQ_STR(out, "$1234.5679 $0.0000 $0.0001");
}

static void
test_ledger_file(void)
{
	char st[512], path[600], st2[512];
	struct bk_ledger_entry e;
	static struct bk_ledger_sum s;
	struct bk_usage_row r[8];
	long before;

	fresh_dir(st, sizeof(st), "ledger");
	path_join(st, sizeof(st), tmp_root, "ledger/state");   /* not yet */
	bk_ledger_sum_init(&s, BK_LEDGER_BY_DAY, 0, r, 8);
	CHECK(bk_ledger_sum_file(st, &s, err, sizeof(err)) == BK_E_NOT_FOUND);
	CHECK(contains(err, "no usage recorded yet"));

	memset(&e, 0, sizeof(e));
	e.time = iso("2026-11-25T12:00:00Z");
	e.model = "m";
	e.region = "us-east-1";
	e.usage.input_tokens = 10;
	e.cost_nusd = 1000;
	CHECK(bk_ledger_append(st, &e, err, sizeof(err)) == BK_OK);
	path_join(path, sizeof(path), st, BK_LEDGER_FILE);
	CHECK(file_mode(path) == 0600);
	CHECK(file_mode(st) == 0700);
	e.time += 86400;
	CHECK(bk_ledger_append(st, &e, err, sizeof(err)) == BK_OK);
	CHECK(count_lines(path) == 2);
	/* a torn line from a crashed writer: the next append ends it */
	append_str(path, "{\"time\":\"2026-11-26T00:00:00Z\",\"mo");
	before = file_size(path);
	CHECK(bk_ledger_append(st, &e, err, sizeof(err)) == BK_OK);
	CHECK(count_lines(path) == 4 && file_size(path) > before + 1);
	bk_ledger_sum_init(&s, BK_LEDGER_BY_DAY, 0, r, 8);
	CHECK(bk_ledger_sum_file(st, &s, err, sizeof(err)) == BK_OK);
	CHECK(s.n == 2 && s.st.total.calls == 3 && s.st.corrupt == 1 &&
	    s.st.first_corrupt == 3 && !s.st.torn);
	CHECK(s.st.total.cost_nusd == 3000 && s.st.total.tokens.input_tokens ==
	    30);
	/* a line the reader would refuse is refused here */
	{
		static char huge[BK_LEDGER_LINE_MAX];
		memset(huge, 'm', sizeof(huge) - 1);
		e.model = huge;
		CHECK(bk_ledger_append(st, &e, err, sizeof(err)) == BK_E_LIMIT);
		CHECK(count_lines(path) == 4);
	}
	/* a ledger bigger than one read chunk */
	{
		FILE *f;
		unsigned i;
		fresh_dir(st2, sizeof(st2), "ledger2");
		path_join(path, sizeof(path), st2, BK_LEDGER_FILE);
		f = fopen(path, "wb");
		if (f != NULL) {
			for (i = 0; i < 3000; i++)
				fprintf(f, "{\"time\":\"2026-11-%02uT00:00:00Z\","
				    "\"model\":\"m\",\"input_tokens\":1,"
				    "\"cost_usd\":0.001}\n", 1 + i % 30);
			fclose(f);
		}
		CHECK(file_size(path) > 65536);
		bk_ledger_sum_init(&s, BK_LEDGER_BY_DAY, 0, r, 8);
		CHECK(bk_ledger_sum_file(st2, &s, err, sizeof(err)) ==
		    BK_E_LIMIT);
		CHECK(contains(err, "rows"));
		CHECK(s.st.total.calls == 3000 && s.st.corrupt == 0);
		CHECK(s.st.total.cost_nusd == INT64_C(3000000000));
		bk_ledger_sum_init(&s, BK_LEDGER_BY_MONTH, 0, r, 8);
		CHECK(bk_ledger_sum_file(st2, &s, err, sizeof(err)) == BK_OK);
		CHECK(s.n == 1 && r[0].calls == 3000);
	}
}

/* ======================================================================== */

static void
rm_rf(const char *path)
{
	char cmd[600];

	/* tests may use libc freely; the path is our own mkdtemp result */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(tmp_root, sizeof(tmp_root), "%s/bk-session-XXXXXX",
	    tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(tmp_root) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	umask(022);

	test_state_dir();
	test_ids();
	test_round_trip();
	test_off();
	test_dir_modes();
	test_session_id_option();
	test_torn();
	test_corrupt();
	test_limits();
	test_latest();
	test_find();
	test_alternation();
	test_costs();
	check_summary("session files, resume, alternation");

	test_ledger_line();
	test_ledger_sums();
	test_ledger_split();
	test_ledger_format();
	test_ledger_file();
	check_summary("ledger append, sums, tables");

	if (getenv("BK_KEEP_TMP") == NULL)
		rm_rf(tmp_root);
	return check_total_fail != 0;
}
