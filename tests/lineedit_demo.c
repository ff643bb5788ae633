/*
 * lineedit_demo.c -- drives src/lineedit.c for tests/lineedit_test.py.
 *
 *   lineedit_demo [-s] [-i] [-p prompt] [-H histfile]
 *
 * Reads inputs with the prompt "> " (or -p's) from fd 0, the editor
 * drawing on fd 1, until EOF, and prints one line per result:
 * "GOT <len> <text>" (the text escaped: bytes outside 0x21..0x7e and the
 * backslash as \xHH, newline as \n), "EOF", "INTERRUPT" (after
 * "SIGNAL <n>" when one of -i's handlers ran) or "ERROR <errno>".  Every
 * input is added to the history.  -s prints "TTY echo=E icanon=I" for
 * fd 0 at exit, so the test can see the terminal was restored; -i
 * installs the program's own SIGTERM and SIGUSR1 handlers (no
 * SA_RESTART), which must interrupt a read, not be replaced; -H loads the
 * history file at start and saves it at exit.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

#include "lineedit.h"

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	got_signal = sig;
}

static void
print_got(const char *s, size_t n)
{
	size_t i;

	printf("GOT %zu ", n);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\n')
			fputs("\\n", stdout);
		else if (c > 0x20 && c < 0x7f && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct bk_le le;
	const char *hist = NULL, *prompt = "> ";
	int show_tty = 0, own_handlers = 0, i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0)
			show_tty = 1;
		else if (strcmp(argv[i], "-i") == 0)
			own_handlers = 1;
		else if (strcmp(argv[i], "-H") == 0 && i + 1 < argc)
			hist = argv[++i];
		else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			prompt = argv[++i];
	}
	if (own_handlers) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGUSR1, &sa, NULL);
	}
	bk_le_init(&le, 0, 1);
	if (hist != NULL && bk_le_history_load(&le, hist) != 0)
		printf("HISTLOAD %d\n", le.err);
	for (;;) {
		char *line;
		size_t n;
		enum bk_le_status st = bk_le_read(&le, prompt, &line, &n);

		switch (st) {
		case BK_LE_LINE:
			print_got(line, n);
			bk_le_history_add(&le, line);
			free(line);
			break;
		case BK_LE_INTERRUPT:
			if (got_signal != 0)
				printf("SIGNAL %d\n", (int)got_signal);
			got_signal = 0;
			puts("INTERRUPT");
			break;
		case BK_LE_EOF:
			puts("EOF");
			break;
		case BK_LE_ERROR:
			printf("ERROR %d\n", le.err);
			rc = 1;
			break;
		}
		fflush(stdout);
		if (st == BK_LE_EOF || st == BK_LE_ERROR)
			break;
	}
	if (hist != NULL && bk_le_history_save(&le, hist) != 0) {
		printf("HISTSAVE %d\n", le.err);
		rc = 1;
	}
	if (show_tty) {
		struct termios t;
		if (tcgetattr(0, &t) == 0)
			printf("TTY echo=%d icanon=%d\n", (t.c_lflag & ECHO) ?
			    1 : 0, (t.c_lflag & ICANON) ? 1 : 0);
	}
	bk_le_free(&le);
	return rc;
}
