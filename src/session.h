/*
 * session.h -- conversations kept on disk as JSON lines, for -c/--continue,
 * -r/--resume, --session-id and --no-session-persistence.
 *
 * Where: the state directory, $XDG_STATE_HOME/bedrock-claude, else
 * $HOME/.local/state/bedrock-claude (bk_state_dir).  Sessions live in its
 * sessions/ subdirectory, one file per conversation, named <uuid>.jsonl.
 * Directories are 0700, files 0600 (created O_CREAT|O_EXCL|O_APPEND).
 *
 * File format, one self-contained JSON object per line, '\n'-terminated:
 *
 *   {"type":"session","id":"<uuid v4>","cwd":"/path",
 *    "created":"2026-11-25T12:00:00Z","model":"...","region":"...",
 *    "version":1}                                   first line, once
 *   {"type":"user","time":"...","text":"..."}      before the request
 *   {"type":"assistant","time":"...","text":"...","model":"...",
 *    "stop_reason":"end_turn","usage":{"input_tokens":N,
 *    "output_tokens":N,"cache_creation_input_tokens":N,
 *    "cache_read_input_tokens":N},"cost_usd":0.0123,"request_id":"..."}
 *        plus "interrupted":true for a partial answer (Ctrl-C) and/or
 *        "error":"..." when the call failed; cost_usd is null when the
 *        price is unknown
 *   {"type":"system","time":"...","text":"..."}    system prompt changed
 *   {"type":"model","time":"...","model":"..."}    /model switched
 *
 * Every line is built whole in memory, then written with one write(2) and
 * fsync'd, so a crash loses nothing already said and leaves at worst one
 * torn last line.  The loader ignores a torn last line (with a warning),
 * and resuming cuts it off before appending; a corrupt line anywhere else
 * is an error naming file:line.  Lines of an unknown "type" are skipped,
 * so later versions can add record types; "version" changes only for
 * incompatible formats.
 *
 * Text is UTF-8 without NUL: invalid sequences and NUL bytes are written
 * as U+FFFD (counted in bk_session.replaced); the loader does the same to
 * a hand-edited file.  Loaded texts are therefore valid C strings.
 *
 * The file is created lazily, by the first user message: a chat that is
 * opened and closed without a prompt leaves no file behind, and every
 * session file holds at least one user line (so -c never resumes an empty
 * conversation).  A system prompt or model set before that is kept in
 * memory and written with it.
 *
 * Ownership: struct bk_session is caller-owned (about 9 KiB); it holds
 * paths, not descriptors: each append opens, writes, syncs and closes.
 * bk_session_free() releases the copy of a pending system prompt.
 * struct bk_transcript is caller-owned and malloc-backed (this is program
 * code, not the core): bk_transcript_free() releases it.
 *
 * Errors: an enum bk_err, and a one-line message in a caller buffer
 * (err, cap); err may be NULL.
 */
#ifndef BK_SESSION_H
#define BK_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "bedrock.h"

#define BK_SESSION_ID_LEN 36                    /* 8-4-4-4-12 */
#define BK_SESSION_PATH_MAX 4096                /* paths, NUL included */
#define BK_SESSION_MAX_MESSAGES 10000u          /* user + assistant lines */
#define BK_SESSION_MAX_FILE (64u * 1024u * 1024u)
#define BK_SESSION_VERSION 1
#define BK_SESSION_MODEL_MAX 256
#define BK_COST_UNKNOWN (-1)                    /* cost_nusd: no price */

/* ==================================================================== */
/* State directory                                                      */
/* ==================================================================== */

/*
 * The state directory from the environment's values (the caller reads
 * XDG_STATE_HOME and HOME; NULL or "" when unset): XDG_STATE_HOME +
 * "/bedrock-claude" if it is an absolute path (the XDG spec says to
 * ignore a relative one), else HOME + "/.local/state/bedrock-claude".
 * Returns BK_OK, BK_E_NOT_FOUND when neither is usable (err then says
 * that sessions and the ledger are off and where state would go), or
 * BK_E_LIMIT when the path does not fit in cap bytes.
 */
enum bk_err bk_state_dir(const char *xdg_state_home, const char *home,
    char *out, size_t cap, char *err, size_t ecap);

/*
 * Create `dir` and missing parents with mode 0700.  If `dir` already
 * exists with group or other permission bits, they are removed (chmod
 * 0700) and warn says so; if that fails, warn says the directory is open
 * to others.  warn is "" when there is nothing to say.  BK_E_IO, BK_E_LIMIT.
 */
enum bk_err bk_state_mkdir(const char *dir, char *warn, size_t wcap,
    char *err, size_t ecap);

/* ==================================================================== */
/* Session IDs                                                          */
/* ==================================================================== */

/*
 * Normalise a session ID: any RFC 4122 textual UUID (8-4-4-4-12 hex
 * digits, either case) becomes lowercase in out.  BK_E_ARG otherwise.
 * New IDs are random version-4 UUIDs; a --session-id may be any UUID.
 */
enum bk_err bk_session_id_parse(const char *s,
    char out[BK_SESSION_ID_LEN + 1]);

/* A random UUID v4 (bk_port_random).  BK_E_IO if there is no entropy. */
enum bk_err bk_session_id_new(char out[BK_SESSION_ID_LEN + 1]);

/* ==================================================================== */
/* Writing                                                              */
/* ==================================================================== */

struct bk_session {
	char id[BK_SESSION_ID_LEN + 1];
	char path[BK_SESSION_PATH_MAX];   /* <state>/sessions/<id>.jsonl */
	char cwd[BK_SESSION_PATH_MAX];
	char model[BK_SESSION_MODEL_MAX]; /* for the header while unwritten */
	char region[64];
	int64_t created;
	int exists;        /* the file has been created */
	int off;           /* persistence disabled: appends do nothing */
	size_t replaced;   /* invalid UTF-8 sequences and NULs replaced */
	char *pending_system;  /* set before the file exists (malloc'd) */
	size_t pending_system_len;
	int64_t pending_system_time;
	char warn[512];    /* non-fatal news ("" if none), e.g. a fixed mode */
};

struct bk_session_start {
	const char *state_dir;  /* from bk_state_dir() */
	const char *cwd;        /* bk_port_getcwd() */
	const char *id;         /* --session-id, or NULL for a random one */
	const char *model;      /* may be NULL */
	const char *region;     /* may be NULL */
	int64_t now;            /* seconds since the epoch */
};

/* A session that records nothing (no state directory, or
 * --no-session-persistence): every append returns BK_OK. */
void bk_session_off(struct bk_session *s);

/*
 * Start a new session: creates <state>/ and <state>/sessions/ (0700,
 * tightening an existing one, see s->warn), picks a random ID or takes
 * o->id.  The file itself is created by the first user message.
 *
 * A given --session-id must be a UUID (BK_E_ARG otherwise) and must not
 * name an existing session: it starts a new conversation under that ID,
 * as in Claude Code, and reusing one would mix two conversations in a
 * file, so that is BK_E_USAGE ("already in use; --resume it").
 */
enum bk_err bk_session_new(struct bk_session *s,
    const struct bk_session_start *o, char *err, size_t cap);

/* Append a user message.  Call it BEFORE sending the request: what the
 * user typed is on disk even if the call or the program dies.  The first
 * call creates the file with the header (one write). */
enum bk_err bk_session_append_user(struct bk_session *s, int64_t now,
    const uint8_t *text, size_t len, char *err, size_t cap);

/* An answer, complete or not. */
struct bk_answer {
	int64_t time;
	const uint8_t *text;     /* what was received (may be partial) */
	size_t len;
	const char *model;       /* the model ID used; may be NULL */
	const char *stop_reason; /* may be NULL */
	const struct bk_usage *usage; /* may be NULL */
	int64_t cost_nusd;       /* nano-USD, or BK_COST_UNKNOWN */
	const char *request_id;  /* may be NULL */
	int interrupted;         /* cut short by the user */
	const char *error;       /* the call failed: why; NULL if it did not */
};

/* Append an answer (after it ends, complete, interrupted or failed).
 * BK_E_ARG if the session has no user message yet. */
enum bk_err bk_session_append_assistant(struct bk_session *s,
    const struct bk_answer *a, char *err, size_t cap);

/* The system prompt changed (or was set).  Before the first user message
 * it is kept (copied) and written with it. */
enum bk_err bk_session_append_system(struct bk_session *s, int64_t now,
    const uint8_t *text, size_t len, char *err, size_t cap);

/* /model switched.  Before the file exists this only changes the model
 * the header will name. */
enum bk_err bk_session_append_model(struct bk_session *s, int64_t now,
    const char *model, char *err, size_t cap);

/* Release the pending system prompt copy (the struct stays usable). */
void bk_session_free(struct bk_session *s);

/* ==================================================================== */
/* Reading                                                              */
/* ==================================================================== */

enum bk_turn_flag {
	BK_TURN_INTERRUPTED = 1,  /* partial answer, cut by the user */
	BK_TURN_ERROR = 2,        /* the call failed */
	BK_TURN_RAW = 4           /* bk_transcript_add: keep the bytes as
	                             given (a prompt about to be sent: the
	                             request body escapes NUL and reports
	                             invalid UTF-8 itself) */
};

struct bk_turn {
	enum bk_role role;
	char *text;               /* malloc'd, NUL-terminated, valid UTF-8 */
	size_t len;
	int64_t time;             /* 0 if unknown */
	unsigned flags;           /* enum bk_turn_flag bits */
};

struct bk_transcript {
	/* the header */
	char id[BK_SESSION_ID_LEN + 1];
	char cwd[BK_SESSION_PATH_MAX];
	char region[64];
	int64_t created;
	/* the conversation, in file order, unrepaired */
	struct bk_turn *turn;
	size_t n, cap;
	char model[BK_SESSION_MODEL_MAX]; /* the last model named */
	char *system;             /* the last system prompt, or NULL */
	size_t system_len;
	/* sums over the answers (for /cost after resuming) */
	struct bk_usage usage;
	int64_t cost_nusd;        /* known costs only */
	uint64_t unknown_cost;    /* answers without a price */
	/* how the load went */
	size_t valid_len;         /* bytes up to the last good line */
	size_t torn;              /* bytes of a torn last line (0: none) */
	size_t skipped;           /* lines of unknown type */
	size_t replaced;          /* invalid UTF-8 / NUL replaced */
	char warn[512];           /* "" or warnings, "; "-separated */
	/* bk_transcript_messages() output */
	struct bk_message *msg;
	size_t nmsg;
	char *joined;
};

/* Empty transcript; cannot fail. */
void bk_transcript_init(struct bk_transcript *t);
/* Release everything and re-init. */
void bk_transcript_free(struct bk_transcript *t);

/*
 * Add a turn in memory (the chat loop keeps its conversation here, loaded
 * or new).  The text is copied, invalid UTF-8 and NUL replaced.
 * BK_E_LIMIT past BK_SESSION_MAX_MESSAGES, BK_E_NOMEM.
 */
enum bk_err bk_transcript_add(struct bk_transcript *t, enum bk_role role,
    const uint8_t *text, size_t len, int64_t time, unsigned flags);

/*
 * The conversation as the Messages API accepts it: starts with a user
 * turn and alternates.  Repairs, in order:
 *   - turns whose text is empty or only whitespace are dropped (the API
 *     refuses them: an answer that failed before its first token);
 *   - assistant turns before the first user turn are dropped;
 *   - consecutive turns of one role are joined with a blank line ("\n\n").
 *     Two user turns in a row mean the first one's answer failed (or the
 *     program died): joining keeps everything the user typed, as Claude
 *     Code and the Messages API itself do with consecutive user turns.
 * Partial answers (interrupted, or cut by an error) are kept: the user
 * saw them.
 *
 * The list ends with the last turn's role.  The program adds the new
 * prompt with bk_transcript_add(BK_ROLE_USER) first, so the list ends with
 * a user turn; a trailing unanswered user turn is then joined with it.
 *
 * *out points into t (valid until the next call, add or free).
 * BK_E_NOMEM.
 */
enum bk_err bk_transcript_messages(struct bk_transcript *t,
    const struct bk_message **out, size_t *n);

/*
 * Load a session file into t (which must be freshly initialised or
 * freed).  Tolerant of a torn last line (ignored: t->torn, t->warn), and
 * of unknown record types (t->skipped); strict about everything else:
 * BK_E_JSON with "file:line: what" for a corrupt line or a missing or
 * second header, BK_E_LIMIT for a file over 64 MiB or more than 10,000
 * messages, BK_E_NOT_FOUND / BK_E_IO for the file.  On error t is freed.
 */
enum bk_err bk_session_load(const char *path, struct bk_transcript *t,
    char *err, size_t cap);

/* <state_dir>/sessions/<id>.jsonl into out.  BK_E_LIMIT if too long. */
enum bk_err bk_session_path(const char *state_dir, const char *id, char *out,
    size_t cap);

/*
 * --resume ARG: a full session ID, or a unique prefix of one (4 or more
 * characters), to a normalised ID.  BK_E_NOT_FOUND (no such session),
 * BK_E_ARG (not an ID, or an ambiguous prefix: err lists the count).
 */
enum bk_err bk_session_find(const char *state_dir, const char *arg,
    char id[BK_SESSION_ID_LEN + 1], char *err, size_t cap);

/*
 * --continue: the most recently written session (file mtime; then the
 * larger ID, to be deterministic) whose header names `cwd` exactly.
 * Files that are not <uuid>.jsonl or whose first line is not a session
 * header are ignored.  BK_E_NOT_FOUND if there is none.
 */
enum bk_err bk_session_latest_for_cwd(const char *state_dir, const char *cwd,
    char id[BK_SESSION_ID_LEN + 1], char *err, size_t cap);

/*
 * Resume session `id`: load it into t (see bk_session_load) and set s up
 * to append to the same file.  A torn last line is cut off first (so the
 * next line does not land after half a line), said in s->warn.  The
 * session's cwd, region and model come from the file (the caller may
 * then bk_session_append_model() if it uses another model).
 */
enum bk_err bk_session_resume(struct bk_session *s, const char *state_dir,
    const char *id, struct bk_transcript *t, char *err, size_t cap);

/* ==================================================================== */
/* Shared with the ledger                                               */
/* ==================================================================== */

/* "2026-11-25T12:00:00Z" (years 1970..9999; else the epoch). */
void bk_put_time_iso(struct bk_buf *b, int64_t t);
/* nano-USD as a JSON number ("0.0123"), or null for BK_COST_UNKNOWN. */
void bk_put_cost_json(struct bk_buf *b, int64_t nusd);
/* A JSON number (e.g. 0.0123, 1.5e-3, -1) to nano-USD, rounded;
 * negative numbers and null give BK_COST_UNKNOWN.  BK_E_JSON_SHAPE if
 * it is not a number, BK_E_LIMIT past 10^9 USD. */
enum bk_err bk_cost_parse(const char *s, size_t n, int64_t *nusd);

#endif /* BK_SESSION_H */
