/*
 * lineedit.c -- the chat's line editor (see lineedit.h for the contract).
 *
 * The design is linenoise's, kept correct rather than clever: after every
 * change the whole input is laid out again from the prompt's first row
 * and written with one write(2).  Only VT100/xterm sequences are used:
 * CR, CRLF, CSI n A (up), CSI n C (right), CSI J (clear below), and the
 * bracketed-paste switch CSI ?2004 h/l.  Rows are broken by explicit CRLFs
 * at our own idea of the width, so the terminal's autowrap (and its
 * "pending wrap" state at the last column) never decides anything.
 *
 * Redrawing happens only when no read-ahead input is left, so a paste that
 * arrives unbracketed costs one redraw per read(2), not one per byte.  An
 * input taller than the screen is shown through a window of screen rows
 * around the cursor, so redraws never scroll old copies into scrollback.
 *
 * Sections: 1. the OS (termios, signals, pselect, files), 2. UTF-8 and
 * column widths, 3. the buffer, 4. drawing, 5. keys, 6. plain-line mode
 * and the public calls, 7. history.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>   /* rename */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "lineedit.h"

/* le_getc() results other than a byte */
#define LE_IN_EOF (-1)
#define LE_IN_ERR (-2)
#define LE_IN_TIMEOUT (-3)
#define LE_IN_SIGNAL (-4)

/* Keys decoded from escape sequences (above any byte) */
enum { LE_K_UP = 256, LE_K_DOWN, LE_K_LEFT, LE_K_RIGHT, LE_K_HOME, LE_K_END,
	LE_K_DEL, LE_K_NEWLINE, LE_K_PASTE };

/* A lone ESC: if nothing follows within this, it was not a sequence. */
#define LE_ESC_MS 100

/* ==================================================================== */
/* 1. The OS                                                            */
/* ==================================================================== */

/*
 * Signal handlers must find the terminal to restore it, so the raw-mode
 * state is static: one terminal in raw mode at a time.  While raw, every
 * signal but the synchronous faults is blocked except inside pselect():
 * a flag (ours, or the program's) cannot be set between our check and
 * our sleep, and the state is only read by handlers, never torn.
 */
static const int le_sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGTSTP,
	SIGCONT, SIGWINCH };
#define LE_NSIGS (sizeof le_sigs / sizeof le_sigs[0])
static struct sigaction le_oldact[LE_NSIGS];
static int le_ours[LE_NSIGS];
static sigset_t le_blocked, le_oldmask;
static struct termios le_cooked, le_rawmode;
static int le_tty_in = -1, le_tty_out = -1;
/* le_cont: 1 continued, 2 continued after we stopped ourselves */
static volatile sig_atomic_t le_winch, le_cont;

static const char le_paste_on[] = "\x1b[?2004h";
static const char le_paste_off[] = "\x1b[?2004l";

static int
le_sys_write(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t r = write(fd, s, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		s += r;
		n -= (size_t)r;
	}
	return 0;
}

/* Async-signal-safe: only write(2) and tcsetattr(3). */
static void
le_sys_restore(void)
{
	ssize_t r;

	if (le_tty_in < 0)
		return;
	r = write(le_tty_out, le_paste_off, sizeof le_paste_off - 1);
	(void)r;
	tcsetattr(le_tty_in, TCSADRAIN, &le_cooked);
}

static void le_on_signal(int sig);

static void
le_sys_handle(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = le_on_signal;
	sa.sa_mask = le_blocked;   /* handlers never nest */
	sigaction(sig, &sa, NULL);
}

static void
le_on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGWINCH) {
		le_winch = 1;
	} else if (sig == SIGCONT) {
		if (!le_cont)   /* keep the 2 set just before */
			le_cont = 1;
	} else {
		/* A default action (die or stop) would leave the terminal
		 * raw: restore it, then take that action for real. */
		struct sigaction dfl;
		sigset_t one;
		le_sys_restore();
		memset(&dfl, 0, sizeof dfl);
		dfl.sa_handler = SIG_DFL;
		sigaction(sig, &dfl, NULL);
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		raise(sig);
		/* Only SIGTSTP comes back here, once continued (or at once in
		 * an orphaned process group, where the kernel drops it). */
		le_sys_handle(sig);
		le_cont = 2;
	}
	errno = saved;
}

static void
le_sys_raw_off(void)
{
	size_t i;

	le_sys_restore();
	le_tty_in = -1;
	for (i = 0; i < LE_NSIGS; i++)
		if (le_ours[i])
			sigaction(le_sigs[i], &le_oldact[i], NULL);
	sigprocmask(SIG_SETMASK, &le_oldmask, NULL);
}

static int
le_sys_raw_on(int in, int out)
{
	size_t i;

	if (tcgetattr(in, &le_cooked) != 0)
		return -1;
	le_rawmode = le_cooked;
	le_rawmode.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP |
	    IXON);
	le_rawmode.c_oflag &= ~(tcflag_t)OPOST;
	le_rawmode.c_cflag |= (tcflag_t)CS8;
	le_rawmode.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
	le_rawmode.c_cc[VMIN] = 1;
	le_rawmode.c_cc[VTIME] = 0;
	sigfillset(&le_blocked);
	sigdelset(&le_blocked, SIGSEGV);
	sigdelset(&le_blocked, SIGBUS);
	sigdelset(&le_blocked, SIGFPE);
	sigdelset(&le_blocked, SIGILL);
	sigdelset(&le_blocked, SIGTRAP);
	sigprocmask(SIG_BLOCK, &le_blocked, &le_oldmask);
	le_winch = le_cont = 0;
	le_tty_in = in;
	le_tty_out = out;
	for (i = 0; i < LE_NSIGS; i++) {
		int s = le_sigs[i];
		sigaction(s, NULL, &le_oldact[i]);
		le_ours[i] = s == SIGWINCH || s == SIGCONT ||
		    (!(le_oldact[i].sa_flags & SA_SIGINFO) &&
		    le_oldact[i].sa_handler == SIG_DFL);
		if (le_ours[i])
			le_sys_handle(s);
	}
	/* TCSADRAIN, not TCSAFLUSH: keys typed ahead must not be lost. */
	if (tcsetattr(in, TCSADRAIN, &le_rawmode) != 0) {
		le_sys_raw_off();
		return -1;
	}
	le_sys_write(out, le_paste_on, sizeof le_paste_on - 1);
	return 0;
}

/* After SIGCONT: the shell may have reset the terminal while we slept. */
static void
le_sys_raw_again(void)
{
	tcsetattr(le_tty_in, TCSADRAIN, &le_rawmode);
	le_sys_write(le_tty_out, le_paste_on, sizeof le_paste_on - 1);
}

/* 1 readable, 0 timed out (ms >= 0), -1 error, -2 a signal arrived. */
static int
le_sys_wait(int fd, int ms)
{
	fd_set r;
	struct timespec ts;
	int n;

	FD_ZERO(&r);
	FD_SET((size_t)fd, &r);   /* musl divides it by a size_t */
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	n = pselect(fd + 1, &r, NULL, NULL, ms < 0 ? NULL : &ts, &le_oldmask);
	if (n < 0)
		return errno == EINTR ? -2 : -1;
	return n > 0;
}

static void
le_sys_size(int fd, size_t *cols, size_t *lines)
{
	struct winsize ws;

	*cols = 80;
	*lines = 0;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) {
		*cols = ws.ws_col;
		*lines = ws.ws_row;
	}
}

static ssize_t
le_sys_read(int fd, void *p, size_t n)
{
	return read(fd, p, n);
}

static int
le_sys_isatty(int fd)
{
	return isatty(fd);
}

/* Raw mode needs two terminals that understand escape sequences. */
static int
le_sys_usable(int in, int out)
{
	const char *t = getenv("TERM");

	return in >= 0 && in < FD_SETSIZE && isatty(in) && isatty(out) &&
	    t != NULL && t[0] != '\0' && strcmp(t, "dumb") != 0;
}

static void
le_sys_suspend(void)
{
	raise(SIGTSTP);   /* pending until pselect(); our handler stops us */
}

/* The whole file in a malloc'd buffer with one spare byte. */
static int
le_sys_slurp(const char *path, char **data, size_t *n, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *p = NULL, *q;
	ssize_t r = -1;

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	for (;;) {
		if (p == NULL || cap - len < 2) {
			if (p != NULL && cap >= BK_LE_HISTFILE_MAX) {
				*err = EFBIG;
				break;
			}
			cap = p == NULL ? cap : 2 * cap;
			q = realloc(p, cap);
			if (q == NULL) {
				*err = ENOMEM;
				break;
			}
			p = q;
		}
		r = read(fd, p + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			*err = errno;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (p == NULL || r != 0) {
		free(p);
		return -1;
	}
	*data = p;
	*n = len;
	return 0;
}

/* Replace path: write a 0600 temporary beside it, then rename over. */
static int
le_sys_replace(const char *path, const char *data, size_t n, int *err)
{
	size_t pl = strlen(path);
	char *tmp = malloc(pl + 5);
	int fd, rc = -1;

	if (tmp == NULL) {
		*err = ENOMEM;
		return -1;
	}
	memcpy(tmp, path, pl);
	memcpy(tmp + pl, ".tmp", 5);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		int ok = le_sys_write(fd, data, n) == 0 && fsync(fd) == 0;
		if (close(fd) == 0 && ok && rename(tmp, path) == 0)
			rc = 0;
	}
	if (rc != 0) {
		*err = errno;
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

/* ==================================================================== */
/* 2. UTF-8 and column widths                                           */
/* ==================================================================== */

/* Approximations of wcwidth(): small on purpose; a terminal that
 * disagrees shifts the cursor on that row until the next redraw. */
static const uint32_t le_zero[][2] = {
	{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
	{0x064B, 0x065F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
	{0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
	{0xE0100, 0xE01EF}
};
static const uint32_t le_wide[][2] = {
	{0x1100, 0x115F}, {0x231A, 0x231B}, {0x23E9, 0x23EC}, {0x23F0, 0x23F3},
	{0x25FD, 0x25FE}, {0x2614, 0x2615}, {0x2648, 0x2653}, {0x26A1, 0x26A1},
	{0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26D4, 0x26D4},
	{0x26EA, 0x26EA}, {0x26F2, 0x26F5}, {0x26FA, 0x26FD}, {0x2705, 0x2705},
	{0x270A, 0x270B}, {0x2728, 0x2728}, {0x274C, 0x274E}, {0x2753, 0x2757},
	{0x2795, 0x2797}, {0x27B0, 0x27BF}, {0x2B1B, 0x2B1C}, {0x2B50, 0x2B55},
	{0x2E80, 0x303E}, {0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF},
	{0xA000, 0xA4CF}, {0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
	{0xFE30, 0xFE4F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6},
	{0x1F004, 0x1F004}, {0x1F200, 0x1F64F}, {0x1F680, 0x1F6FF},
	{0x1F900, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
	{0x30000, 0x3FFFD}
};

static int
le_in_table(const uint32_t (*t)[2], size_t n, uint32_t c)
{
	size_t i;

	for (i = 0; i < n && c >= t[i][0]; i++)
		if (c <= t[i][1])
			return 1;
	return 0;
}

static size_t
le_cwidth(uint32_t c)
{
	if (le_in_table(le_zero, sizeof le_zero / sizeof le_zero[0], c))
		return 0;
	if (le_in_table(le_wide, sizeof le_wide / sizeof le_wide[0], c))
		return 2;
	return 1;
}

/* Bytes in the UTF-8 sequence at s (n > 0): an invalid byte is one
 * character of its own, decoded as U+FFFD, so every byte string has
 * a well-defined split into characters. */
static size_t
le_dec(const char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char *u = (const unsigned char *)s;
	size_t k, len;
	uint32_t c;

	*cp = 0xFFFD;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] < 0xC0 || u[0] >= 0xF8)
		return 1;
	len = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : 2;
	if (len > n)
		return 1;
	c = (uint32_t)u[0] & (0x7Fu >> len);
	for (k = 1; k < len; k++) {
		if ((u[k] & 0xC0) != 0x80)
			return 1;
		c = c << 6 | (uint32_t)(u[k] & 0x3Fu);
	}
	if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 1;
	*cp = c;
	return len;
}

static uint32_t
le_cp(const struct bk_le *le, size_t i)
{
	uint32_t c;

	le_dec(le->buf + i, le->len - i, &c);
	return c;
}

static size_t
le_next(const struct bk_le *le, size_t i)
{
	uint32_t c;

	return i < le->len ? i + le_dec(le->buf + i, le->len - i, &c) : i;
}

/* The character before i: a lead byte up to 3 continuation bytes back
 * whose sequence ends exactly at i, else the single byte before i. */
static size_t
le_prev(const struct bk_le *le, size_t i)
{
	size_t k = i;
	uint32_t c;

	if (i == 0)
		return 0;
	while (k > 1 && i - k < 3 &&
	    ((unsigned char)le->buf[k - 1] & 0xC0) == 0x80)
		k--;
	if (k < i && le_dec(le->buf + k - 1, i - k + 1, &c) == i - k + 1)
		return k - 1;
	return i - 1;
}

/* ==================================================================== */
/* 3. The buffer                                                        */
/* ==================================================================== */

/* Room for n more bytes and a NUL, within BK_LE_INPUT_MAX. */
static int
le_reserve(struct bk_le *le, size_t n)
{
	size_t want;
	char *p;

	if (n > BK_LE_INPUT_MAX - le->len) {
		le->err = E2BIG;
		return -1;
	}
	if (n < le->cap - le->len)
		return 0;
	want = le->cap ? le->cap : 256;
	while (want - le->len <= n)
		want *= 2;
	p = realloc(le->buf, want);
	if (p == NULL) {
		le->err = ENOMEM;
		return -1;
	}
	le->buf = p;
	le->cap = want;
	return 0;
}

static int
le_insert(struct bk_le *le, const char *s, size_t n)
{
	if (le_reserve(le, n) != 0)
		return -1;
	memmove(le->buf + le->pos + n, le->buf + le->pos, le->len - le->pos);
	memcpy(le->buf + le->pos, s, n);
	le->len += n;
	le->pos += n;
	le->dirty = 1;
	return 0;
}

/* Delete bytes [a, b). */
static void
le_del(struct bk_le *le, size_t a, size_t b)
{
	if (a >= b)
		return;
	memmove(le->buf + a, le->buf + b, le->len - b);
	le->len -= b - a;
	if (le->pos >= b)
		le->pos -= b - a;
	else if (le->pos > a)
		le->pos = a;
	le->dirty = 1;
}

static void
le_set(struct bk_le *le, const char *s, size_t n)
{
	le->len = le->pos = 0;
	le->dirty = 1;
	(void)le_insert(le, s, n);   /* on failure the input is empty */
}

/* Start and end of the logical line (between '\n's) holding i. */
static size_t
le_bol(const struct bk_le *le, size_t i)
{
	while (i > 0 && le->buf[i - 1] != '\n')
		i--;
	return i;
}

static size_t
le_eol(const struct bk_le *le, size_t i)
{
	while (i < le->len && le->buf[i] != '\n')
		i++;
	return i;
}

/* ==================================================================== */
/* 4. Drawing                                                           */
/* ==================================================================== */

/* Appends to the redraw; out of memory makes it short, not wrong later:
 * the next redraw starts from our own idea of the cursor row. */
static void
le_out(struct bk_le *le, const char *s, size_t n)
{
	if (n >= le->ob_cap - le->ob_len) {
		size_t want = le->ob_cap ? le->ob_cap : 1024;
		char *p;
		while (want - le->ob_len <= n)
			want *= 2;
		p = realloc(le->ob, want);
		if (p == NULL)
			return;
		le->ob = p;
		le->ob_cap = want;
	}
	memcpy(le->ob + le->ob_len, s, n);
	le->ob_len += n;
}

static void
le_out_csi(struct bk_le *le, size_t n, char cmd)
{
	char t[32];
	size_t i = sizeof t;

	t[--i] = cmd;
	do {
		t[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	t[--i] = '[';
	t[--i] = '\x1b';
	le_out(le, t + i, sizeof t - i);
}

/* One layout pass over prompt and buffer; with emit, rows in [top,
 * bottom) are written.  The cursor's place is noted when reached. */
struct le_walk {
	struct bk_le *le;
	size_t row, col, top, bottom, crow, ccol;
	int emit, mark;
};

static void
le_mark(struct le_walk *w)
{
	if (w->mark) {
		w->crow = w->row;
		w->ccol = w->col < w->le->cols ? w->col : w->le->cols - 1;
		w->mark = 0;
	}
}

static void
le_newrow(struct le_walk *w)
{
	if (w->emit && w->row >= w->top && w->row + 1 < w->bottom)
		le_out(w->le, "\r\n", 2);
	w->row++;
	w->col = 0;
}

static void
le_glyph(struct le_walk *w, const char *s, size_t n, size_t width)
{
	if (w->col + width > w->le->cols && w->col > 0)
		le_newrow(w);
	le_mark(w);
	if (w->emit && w->row >= w->top && w->row < w->bottom)
		le_out(w->le, s, n);
	w->col += width;
}

/* Control characters show as ^X, C1 controls and invalid bytes as
 * U+FFFD: input is never echoed raw.  In the prompt (at == SIZE_MAX)
 * CSI sequences (colours) pass through with no width. */
static void
le_text(struct le_walk *w, const char *s, size_t n, size_t at)
{
	size_t i = 0, k, t;
	uint32_t c;

	while (i < n) {
		if (i == at)
			w->mark = 1;
		k = le_dec(s + i, n - i, &c);
		if (at == SIZE_MAX && c == 0x1b && i + 1 < n &&
		    s[i + 1] == '[') {
			for (k = 2; i + k < n &&
			    (s[i + k] < 0x40 || s[i + k] > 0x7e); k++)
				;
			if (i + k < n)
				k++;
			if (w->emit)
				le_out(w->le, s + i, k);
		} else if (c == '\n') {
			le_mark(w);
			le_newrow(w);
		} else if (c == '\t') {
			if (w->col >= w->le->cols)
				le_newrow(w);
			t = 8 - w->col % 8;
			if (t > w->le->cols - w->col)
				t = w->le->cols - w->col;
			le_glyph(w, "        ", t, t);
		} else if (c < 0x20 || c == 0x7f) {
			char cc[2];
			cc[0] = '^';
			cc[1] = (char)(c ^ 0x40);
			le_glyph(w, cc, 2, 2);
		} else if ((c >= 0x80 && c < 0xa0) || c == 0xFFFD) {
			le_glyph(w, "\xEF\xBF\xBD", 3, 1);
		} else {
			le_glyph(w, s + i, k, le_cwidth(c));
		}
		i += k;
	}
}

static void
le_layout(struct le_walk *w)
{
	struct bk_le *le = w->le;

	le_text(w, le->prompt, strlen(le->prompt), SIZE_MAX);
	le_text(w, le->buf, le->len, le->pos);
	if (le->pos == le->len) {   /* after the last glyph */
		w->crow = w->row;
		w->ccol = w->col;
		if (w->ccol >= le->cols) {
			w->crow++;
			w->ccol = 0;
		}
	}
}

/* Redraw from the prompt's first row (or the window's) down, put the
 * cursor in place, append `tail`, and write it all at once. */
static void
le_refresh(struct bk_le *le, const char *tail)
{
	struct le_walk w;
	size_t rows, top = 0, erow, trow;

	memset(&w, 0, sizeof w);
	w.le = le;
	w.bottom = SIZE_MAX;
	le_layout(&w);
	rows = (w.row > w.crow ? w.row : w.crow) + 1;
	if (le->lines > 0 && rows > le->lines) {
		top = le->top;
		if (w.crow < top)
			top = w.crow;
		if (w.crow >= top + le->lines)
			top = w.crow - le->lines + 1;
		if (top > rows - le->lines)
			top = rows - le->lines;
	}
	memset(&w, 0, sizeof w);
	w.le = le;
	w.emit = 1;
	w.top = top;
	w.bottom = le->lines > 0 ? top + le->lines : SIZE_MAX;
	le->ob_len = 0;
	le_out(le, "\r", 1);
	if (le->row > 0)
		le_out_csi(le, le->row, 'A');
	le_out(le, "\x1b[J", 3);
	le_layout(&w);
	/* where the terminal's cursor is now, and where it should be */
	erow = w.row < w.bottom ? w.row : w.bottom - 1;
	erow = erow < top ? 0 : erow - top;
	trow = w.crow - top;
	if (trow > erow) {
		le_out(le, "\r\n", 2);
		erow++;
	}
	le_out(le, "\r", 1);
	if (erow > trow)
		le_out_csi(le, erow - trow, 'A');
	if (w.ccol > 0)
		le_out_csi(le, w.ccol, 'C');
	le_out(le, tail, strlen(tail));
	le->row = trow;
	le->top = top;
	le->dirty = 0;
	le_sys_write(le->out_fd, le->ob, le->ob_len);
}

/* ==================================================================== */
/* 5. Keys                                                              */
/* ==================================================================== */

/* The next input byte, waiting at most ms (< 0: for ever).  In raw mode
 * the input is redrawn first, and resizes and resumes handled here. */
static int
le_getc(struct bk_le *le, int ms)
{
	ssize_t r;

	while (le->in_pos == le->in_len) {
		if (le->raw) {
			int s;
			if (le->dirty)
				le_refresh(le, "");
			s = le_sys_wait(le->in_fd, ms);
			if (s == -2 && !le_winch && !le_cont)
				return LE_IN_SIGNAL;
			if (s == -2) {
				if (le_cont) {
					if (le_cont == 2)   /* a fresh line */
						le->row = 0;
					le_cont = 0;
					le_sys_raw_again();
				}
				le_winch = 0;
				le_sys_size(le->out_fd, &le->cols, &le->lines);
				le->dirty = 1;
				continue;
			}
			if (s == 0)
				return LE_IN_TIMEOUT;
			if (s < 0) {
				le->err = errno;
				return LE_IN_ERR;
			}
		}
		r = le_sys_read(le->in_fd, le->in, sizeof le->in);
		if (r == 0)
			return LE_IN_EOF;
		if (r < 0) {
			le->err = errno;
			return errno == EINTR ? LE_IN_SIGNAL : LE_IN_ERR;
		}
		le->in_pos = 0;
		le->in_len = (size_t)r;
	}
	return le->in[le->in_pos++];
}

/* After ESC: a key, 0 for nothing bound, or a negative le_getc result. */
static int
le_escape(struct bk_le *le)
{
	int c = le_getc(le, LE_ESC_MS), num = 0, more = 1;

	if (c == '\r' || c == '\n')
		return LE_K_NEWLINE;   /* Alt-Enter */
	if (c == '[') {
		for (;;) {
			c = le_getc(le, LE_ESC_MS);
			if (c >= '0' && c <= '9' && more && num < 10000)
				num = num * 10 + (c - '0');
			else if (c == ';')
				more = 0;   /* modifiers: Ctrl-Left is Left */
			else if (c < 0x20 || c > 0x3f)
				break;
		}
	} else if (c == 'O') {
		c = le_getc(le, LE_ESC_MS);
	} else {
		return c < 0 && c != LE_IN_TIMEOUT ? c : 0;   /* Alt-key */
	}
	if (c == LE_IN_TIMEOUT)
		return 0;
	switch (c) {
	case 'A': return LE_K_UP;
	case 'B': return LE_K_DOWN;
	case 'C': return LE_K_RIGHT;
	case 'D': return LE_K_LEFT;
	case 'H': return LE_K_HOME;
	case 'F': return LE_K_END;
	case '~':
		if (num == 1 || num == 7)
			return LE_K_HOME;
		if (num == 4 || num == 8)
			return LE_K_END;
		return num == 3 ? LE_K_DEL : num == 200 ? LE_K_PASTE : 0;
	default:
		return c < 0 ? c : 0;
	}
}

static void
le_bell(struct bk_le *le)
{
	le_sys_write(le->out_fd, "\a", 1);
}

/* Bracketed paste: everything up to ESC[201~ goes in verbatim, CR and
 * CRLF (what terminals send for a pasted newline) becoming '\n'. */
static int
le_paste(struct bk_le *le)
{
	static const char end[] = "\x1b[201~";
	char chunk[512];
	size_t n = 0, m = 0, i;
	int c, cr = 0, full = 0;

	for (;;) {
		c = le_getc(le, -1);
		if (c >= 0 && c == (unsigned char)end[m]) {
			if (++m < sizeof end - 1)
				continue;
			c = -1000;   /* the end marker */
		}
		if (n + m + 1 >= sizeof chunk || c < 0) {
			if (!full && le_insert(le, chunk, n) != 0) {
				full = 1;
				le_bell(le);
			}
			n = 0;
		}
		if (c < 0)
			return c == -1000 ? 0 : c;
		for (i = 0; i < m; i++)   /* a false start of the marker */
			chunk[n++] = end[i];
		m = c == 0x1b;
		if (m || (c == '\n' && cr)) {
			cr = 0;
			continue;
		}
		cr = c == '\r';
		chunk[n++] = cr ? '\n' : (char)c;
	}
}

static void
le_history_move(struct bk_le *le, int up)
{
	const char *s;

	if (up ? le->hidx == 0 : le->hidx >= le->hist_n)
		return;
	if (le->hidx == le->hist_n) {   /* leaving the draft: keep it */
		free(le->saved);
		le->saved = malloc(le->len + 1);
		le->saved_len = le->saved ? le->len : 0;
		if (le->saved && le->len > 0)
			memcpy(le->saved, le->buf, le->len);
	}
	le->hidx = up ? le->hidx - 1 : le->hidx + 1;
	s = le->hidx < le->hist_n ? le->hist[le->hidx] : le->saved;
	le_set(le, s ? s : "", le->hidx < le->hist_n ? strlen(s) :
	    le->saved_len);
}

/* Up/Down: move between the lines of the input, and off its first or
 * last line into the history. */
static void
le_vertical(struct bk_le *le, int up)
{
	size_t b = le_bol(le, le->pos), n = 0, i, e;

	if (up ? b == 0 : le_eol(le, le->pos) == le->len) {
		le_history_move(le, up);
		return;
	}
	for (i = b; i < le->pos; i = le_next(le, i))
		n++;
	i = up ? le_bol(le, b - 1) : le_eol(le, le->pos) + 1;
	e = le_eol(le, i);
	for (; n > 0 && i < e; n--)
		i = le_next(le, i);
	le->pos = i;
	le->dirty = 1;
}

static int
le_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Left and Right step over a character and the combining marks after
 * it: the cursor never sits between a letter and its accent. */
static void
le_left_right(struct bk_le *le, int left)
{
	do
		le->pos = left ? le_prev(le, le->pos) : le_next(le, le->pos);
	while (le->pos > 0 && le->pos < le->len &&
	    le_cwidth(le_cp(le, le->pos)) == 0);
	le->dirty = 1;
}

/* Act on one key: -1 to read on, else the status bk_le_read returns. */
static int
le_key(struct bk_le *le, int c)
{
	size_t i;
	char b;

	switch (c) {
	case LE_IN_ERR:
		return BK_LE_ERROR;
	case LE_IN_EOF:   /* the terminal hung up */
		le_refresh(le, "\r\n");
		return le->len > 0 ? BK_LE_LINE : BK_LE_EOF;
	case LE_IN_SIGNAL:   /* one the program handles */
	case 3:   /* Ctrl-C */
		le->pos = le->len;
		le_refresh(le, c == 3 ? "^C\r\n" : "\r\n");
		return BK_LE_INTERRUPT;
	case 4:   /* Ctrl-D */
		if (le->len == 0) {
			le_refresh(le, "\r\n");
			return BK_LE_EOF;
		}
		/* fall through */
	case LE_K_DEL:
		le_del(le, le->pos, le_next(le, le->pos));
		break;
	case 13:   /* Enter */
		if (le->len > 0 && le->buf[le->len - 1] == '\\') {
			le->pos = --le->len;
			(void)le_insert(le, "\n", 1);
			break;
		}
		le->pos = le->len;
		le_refresh(le, "\r\n");
		return BK_LE_LINE;
	case 1: case LE_K_HOME:   /* Ctrl-A */
		le->pos = le_bol(le, le->pos);
		le->dirty = 1;
		break;
	case 5: case LE_K_END:   /* Ctrl-E */
		le->pos = le_eol(le, le->pos);
		le->dirty = 1;
		break;
	case 2: case LE_K_LEFT:   /* Ctrl-B */
	case 6: case LE_K_RIGHT:   /* Ctrl-F */
		le_left_right(le, c == 2 || c == LE_K_LEFT);
		break;
	case 8: case 127:   /* Ctrl-H, Backspace */
		le_del(le, le_prev(le, le->pos), le->pos);
		break;
	case 11:   /* Ctrl-K: to the end of the line, or join the next */
		i = le_eol(le, le->pos);
		le_del(le, le->pos, i > le->pos ? i : le_next(le, i));
		break;
	case 21:   /* Ctrl-U: to the start of the line */
		le_del(le, le_bol(le, le->pos), le->pos);
		break;
	case 23:   /* Ctrl-W: the word before the cursor */
		for (i = le->pos; i > 0 && le_space(le->buf[i - 1]); i--)
			;
		for (; i > 0 && !le_space(le->buf[i - 1]); i--)
			;
		le_del(le, i, le->pos);
		break;
	case 12:   /* Ctrl-L */
		le_sys_write(le->out_fd, "\x1b[H\x1b[2J", 7);
		le->row = 0;
		le->dirty = 1;
		break;
	case 16: case LE_K_UP:   /* Ctrl-P */
	case 14: case LE_K_DOWN:   /* Ctrl-N */
		le_vertical(le, c == 16 || c == LE_K_UP);
		break;
	case 26:   /* Ctrl-Z */
		le_sys_suspend();
		break;
	case 10: case LE_K_NEWLINE:   /* Ctrl-J, Alt-Enter */
		c = '\n';
		/* fall through */
	default:   /* other control keys do nothing */
		if (c >= 0x20 ? c < 0x100 && c != 0x7f :
		    c == '\t' || c == '\n') {
			b = (char)c;
			if (le_insert(le, &b, 1) != 0)
				le_bell(le);
		}
		break;
	}
	return -1;
}

static enum bk_le_status
le_edit(struct bk_le *le)
{
	int c, st;

	le_sys_size(le->out_fd, &le->cols, &le->lines);
	le->dirty = 1;
	do {
		c = le_getc(le, -1);
		if (c == 0x1b)
			c = le_escape(le);
		if (c == LE_K_PASTE)
			c = le_paste(le);
		st = le_key(le, c);
	} while (st < 0);
	return (enum bk_le_status)st;
}

/* ==================================================================== */
/* 6. Plain lines, and the public calls                                 */
/* ==================================================================== */

static enum bk_le_status
le_plain(struct bk_le *le)
{
	int c, over = 0;
	char b;

	if (le_sys_isatty(le->in_fd))
		le_sys_write(le->out_fd, le->prompt, strlen(le->prompt));
	for (;;) {
		c = le_getc(le, -1);
		if (c == LE_IN_SIGNAL)
			return BK_LE_INTERRUPT;
		if (c < 0 && c != LE_IN_EOF)
			return BK_LE_ERROR;
		if (c == LE_IN_EOF && le->len == 0 && !over)
			return BK_LE_EOF;
		if (c >= 0 && c != '\n') {
			/* a line over the cap is read to its end, then
			 * refused */
			b = (char)c;
			le->pos = le->len;
			if (!over && le_insert(le, &b, 1) != 0)
				over = 1;
			continue;
		}
		if (over)
			return BK_LE_ERROR;   /* le->err says why */
		if (c == LE_IN_EOF)
			return BK_LE_LINE;    /* a last line with no newline */
		if (le->len > 0 && le->buf[le->len - 1] == '\r')
			le->len--;
		if (le->len == 0 || le->buf[le->len - 1] != '\\')
			return BK_LE_LINE;
		le->buf[le->len - 1] = '\n';   /* continued */
	}
}

void
bk_le_init(struct bk_le *le, int in_fd, int out_fd)
{
	memset(le, 0, sizeof *le);
	le->in_fd = in_fd;
	le->out_fd = out_fd;
	le->cols = 80;
}

enum bk_le_status
bk_le_read(struct bk_le *le, const char *prompt, char **out, size_t *len)
{
	enum bk_le_status st;

	*out = NULL;
	*len = 0;
	le->len = le->pos = le->row = le->top = 0;
	le->hidx = le->hist_n;
	free(le->saved);
	le->saved = NULL;
	le->saved_len = 0;
	le->prompt = prompt ? prompt : "";
	if (le_sys_usable(le->in_fd, le->out_fd) &&
	    le_sys_raw_on(le->in_fd, le->out_fd) == 0) {
		le->raw = 1;
		st = le_edit(le);
		le->raw = 0;
		le_sys_raw_off();
	} else {
		st = le_plain(le);
	}
	if (st != BK_LE_LINE)
		return st;
	if (le_reserve(le, 0) != 0)
		return BK_LE_ERROR;
	le->buf[le->len] = '\0';
	*out = le->buf;
	*len = le->len;
	le->buf = NULL;
	le->len = le->cap = le->pos = 0;
	return st;
}

static struct termios le_held;
static int le_holding;

void
bk_le_hold(struct bk_le *le, int on)
{
	struct termios t;

	if (!on) {
		if (le_holding)
			tcsetattr(le->in_fd, TCSADRAIN, &le_held);
		le_holding = 0;
		return;
	}
	if (le_holding || !le_sys_usable(le->in_fd, le->out_fd) ||
	    tcgetattr(le->in_fd, &le_held) != 0)
		return;
	t = le_held;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_iflag &= ~(tcflag_t)ICRNL;
	if (tcsetattr(le->in_fd, TCSADRAIN, &t) == 0)
		le_holding = 1;
}

void
bk_le_free(struct bk_le *le)
{
	size_t i;

	for (i = 0; i < le->hist_n; i++)
		free(le->hist[i]);
	free(le->buf);
	free(le->saved);
	free(le->ob);
	bk_le_init(le, le->in_fd, le->out_fd);
}

/* ==================================================================== */
/* 7. History                                                           */
/* ==================================================================== */

void
bk_le_history_add(struct bk_le *le, const char *line)
{
	size_t n = strlen(line);
	char *p;

	if (n == 0 || (le->hist_n > 0 &&
	    strcmp(le->hist[le->hist_n - 1], line) == 0))
		return;
	p = malloc(n + 1);
	if (p == NULL)
		return;
	memcpy(p, line, n + 1);
	if (le->hist_n == BK_LE_HISTORY_MAX) {
		free(le->hist[0]);
		memmove(le->hist, le->hist + 1,
		    (BK_LE_HISTORY_MAX - 1) * sizeof le->hist[0]);
		le->hist_n--;
	}
	le->hist[le->hist_n++] = p;
}

int
bk_le_history_load(struct bk_le *le, const char *path)
{
	char *d;
	size_t n, r = 0, w = 0, start = 0;

	if (le_sys_slurp(path, &d, &n, &le->err) != 0)
		return -1;
	/* Unescape in place: the write index never passes the read one. */
	while (r < n) {
		char c = d[r++];
		if (c == '\\' && r < n && (d[r] == 'n' || d[r] == '\\'))
			c = d[r++] == 'n' ? '\n' : '\\';
		else if (c == '\n')
			c = '\0';
		d[w++] = c;
		if (c == '\0' || r == n) {
			if (c != '\0')
				d[w] = '\0';   /* slurp left a spare byte */
			bk_le_history_add(le, d + start);
			start = w;
		}
	}
	free(d);
	return 0;
}

int
bk_le_history_save(struct bk_le *le, const char *path)
{
	size_t i, n = 0;
	const char *s;
	char *d;
	int rc;

	for (i = 0; i < le->hist_n; i++)
		n += 2 * strlen(le->hist[i]) + 1;
	d = malloc(n + 1);
	if (d == NULL) {
		le->err = ENOMEM;
		return -1;
	}
	for (n = 0, i = 0; i < le->hist_n; i++) {
		for (s = le->hist[i]; *s; s++) {
			if (*s == '\n' || *s == '\\')
				d[n++] = '\\';
			d[n++] = *s == '\n' ? 'n' : *s;
		}
		d[n++] = '\n';
	}
	rc = le_sys_replace(path, d, n, &le->err);
	free(d);
	return rc;
}
