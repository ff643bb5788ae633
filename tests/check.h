/*
 * check.h -- the smallest test harness that can fail.
 *
 * CHECK(cond) counts a pass or prints the failed condition with its line
 * and counts a failure.  Each suite ends with check_summary("name"),
 * which prints "name: N passed, M failed"; tests/run.sh adds those lines
 * up.  Tests may use libc freely: only the core must not.
 */
#ifndef BK_CHECK_H
#define BK_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned check_pass, check_fail, check_total_fail;
static const char *check_ctx = "";

#define CHECK(cond) check_one((cond) != 0, #cond, __FILE__, __LINE__)
#define CHECK_EQ_STR(a, b) check_str((a), (b), #a, __FILE__, __LINE__)

static int check_one(int, const char *, const char *, int)
    __attribute__((unused));
static int check_str(const char *, const char *, const char *,
    const char *, int) __attribute__((unused));
static void check_summary(const char *) __attribute__((unused));
static char *check_slurp(const char *, size_t *) __attribute__((unused));

static int
check_one(int ok, const char *what, const char *file, int line)
{
	if (ok) {
		check_pass++;
	} else {
		check_fail++;
		fprintf(stderr, "FAIL %s:%d: %s%s%s\n", file, line, what,
		    check_ctx[0] ? " -- " : "", check_ctx);
	}
	return ok;
}

static int
check_str(const char *a, const char *b, const char *what, const char *file,
    int line)
{
	int ok = (a != NULL && b != NULL && strcmp(a, b) == 0);
	if (!ok)
		fprintf(stderr, "  got:      [%s]\n  expected: [%s]\n",
		    a ? a : "(null)", b ? b : "(null)");
	return check_one(ok, what, file, line);
}

static void
check_summary(const char *suite)
{
	printf("%s: %u passed, %u failed\n", suite, check_pass, check_fail);
	fflush(stdout);
	check_total_fail += check_fail;
	check_pass = check_fail = 0;
}

/* Read a whole file into a malloc'd NUL-terminated buffer (tests only). */
static char *
check_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t n = 0, cap = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			char *q;
			cap = cap ? cap * 2 : 8192;
			q = realloc(p, cap + 1);
			if (q == NULL) {
				free(p);
				fclose(f);
				return NULL;
			}
			p = q;
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	p[n] = '\0';
	if (len)
		*len = n;
	return p;
}

#endif
