/*
 * lineedit.h -- a small line editor for the interactive chat.
 *
 * In the spirit of antirez's linenoise: raw mode only while a line is
 * read, the whole input redrawn on each change, no terminfo (VT100/xterm
 * sequences only).  What the chat needs beyond that: multi-line input
 * (a trailing backslash, Ctrl-J, Alt-Enter, bracketed paste), UTF-8 with
 * East Asian wide characters and emoji counted as two columns, and a
 * terminal that is restored on every way out, signals included.
 *
 * Lifecycle: the caller owns a struct bk_le (it is large: the history
 * pointers and a read-ahead buffer live inside), calls bk_le_init() once,
 * bk_le_read() per input, and bk_le_free() at the end.  bk_le_init()
 * cannot fail.  The fields are private to lineedit.c except `err`.
 *
 * When in_fd or out_fd is not a terminal, or TERM is unset or "dumb", no
 * escape sequence is ever written: bk_le_read() reads plain lines (a line
 * ending in a backslash still continues, so piped input can hold
 * multi-line messages), and shows the prompt only when in_fd is a
 * terminal, that is when a person is typing.
 *
 * Signals: while a line is read in raw mode, SIGWINCH and SIGCONT are
 * handled (redraw, raw mode again), and SIGHUP, SIGINT, SIGQUIT, SIGTERM
 * and SIGTSTP are handled only when their disposition is the default, so
 * that dying or stopping restores the terminal first; the program's own
 * handlers and SIG_IGN are left alone.  A signal the program handles
 * itself interrupts the read: bk_le_read() returns BK_LE_INTERRUPT and
 * the program can look at its flags (in plain mode only when the handler
 * was installed without SA_RESTART).  The previous handlers and signal
 * mask are back in place when bk_le_read() returns.
 *
 * Not thread-safe, not reentrant: one terminal is in raw mode at a time
 * (the signal handlers need to find it, so that state is static).
 */
#ifndef BK_LINEEDIT_H
#define BK_LINEEDIT_H

#include <stddef.h>

#define BK_LE_HISTORY_MAX 200              /* entries kept, oldest dropped */
#define BK_LE_INPUT_MAX (1024u * 1024u)    /* bytes in one input */
#define BK_LE_HISTFILE_MAX (8u * 1024u * 1024u)  /* history file read cap */

enum bk_le_status {
	BK_LE_LINE = 0,       /* *out holds the input */
	BK_LE_EOF = 1,        /* Ctrl-D on an empty input, or end of input */
	BK_LE_INTERRUPT = 2,  /* Ctrl-C (or a program-handled signal) */
	BK_LE_ERROR = 3       /* see le->err */
};

struct bk_le {
	int in_fd, out_fd;
	/* errno behind the last BK_LE_ERROR or failed history call: E2BIG
	 * for a plain-mode line over BK_LE_INPUT_MAX, ENOMEM, EIO... */
	int err;
	char *hist[BK_LE_HISTORY_MAX];  /* oldest first, malloc'd */
	size_t hist_n;
	/* private: the input being edited */
	char *buf;
	size_t len, cap, pos;           /* bytes used, allocated, cursor */
	char *saved;                    /* the draft while browsing history */
	size_t saved_len, hidx;
	const char *prompt;
	/* private: drawing */
	char *ob;                       /* one redraw, written at once */
	size_t ob_len, ob_cap;
	size_t cols, lines;             /* terminal size, lines 0: unknown */
	size_t row, top;                /* cursor's screen row; first shown */
	int raw, dirty;
	/* private: bytes read but not yet used (kept across calls) */
	unsigned char in[4096];
	size_t in_pos, in_len;
};

/* Zero the editor and bind it to two descriptors (usually 0 and 1). */
void bk_le_init(struct bk_le *le, int in_fd, int out_fd);

/*
 * Read one input, possibly several lines, with `prompt` shown before it
 * (the prompt may hold '\n' and CSI colour sequences; it must stay alive
 * during the call).  On BK_LE_LINE, *out is a malloc'd NUL-terminated
 * copy of the input (no final newline; inner newlines kept) that the
 * caller frees, and *len its length, which may be 0.  On every other
 * status *out is NULL and *len 0.  The input is not added to the history.
 */
enum bk_le_status bk_le_read(struct bk_le *le, const char *prompt,
    char **out, size_t *len);

/* Append a copy of `line` (empty lines and repeats of the newest entry are
 * skipped; when full the oldest is dropped).  Out of memory drops it. */
void bk_le_history_add(struct bk_le *le, const char *line);

/*
 * History file: one entry per line, "\n" and "\\" escaped.  load appends
 * the entries of `path` (a file of BK_LE_HISTFILE_MAX bytes or more is
 * refused with EFBIG); save replaces `path` through `path`.tmp renamed
 * over it, mode 0600, since the history holds whatever the user typed.
 * Both return 0, or -1 with le->err set (ENOENT: no file yet, on load).
 */
int bk_le_history_load(struct bk_le *le, const char *path);
int bk_le_history_save(struct bk_le *le, const char *path);

/*
 * While the program writes (a reply streaming) keys typed ahead must not
 * echo into its output nor lose their Enter: bk_le_hold(le, 1) turns off
 * ECHO and ICRNL (the terminal keeps the bytes, and the next bk_le_read
 * takes CR as Enter); Ctrl-C still sends SIGINT.  bk_le_hold(le, 0)
 * restores, and must come before the next bk_le_read.  No-op when not on
 * a terminal.
 */
void bk_le_hold(struct bk_le *le, int on);

/* Free the history and buffers; the editor may be initialised again. */
void bk_le_free(struct bk_le *le);

#endif
