/*
 * replay.c -- run the fuzz corpus through every fuzz target, without
 * libFuzzer (built static with musl for `make test`, and with clang
 * ASan+UBSan by `make asan`).
 *
 *   replay [CORPUS [CRASHES]]
 *
 * CORPUS (default tests/fuzz/corpus) holds one directory per target, named
 * after it without "fuzz_" (evs/, stream/, http/, ini/, xml/, credjson/,
 * settings/, session/, ledger/, catalog/); every file of <name>/ goes
 * through fuzz_<name>.c.  CRASHES (default: "crashes" next to CORPUS, i.e.
 * tests/fuzz/crashes) is replayed the same way if it exists: its <name>/
 * directories hold reproducers of findings, which stay as regression
 * inputs once fixed; a file directly in it goes through fuzz_evs and
 * fuzz_stream.
 *
 * Each input that runs to the end is a pass.  A target that finds a
 * problem abort()s, so a failure is loud (and ASan's report, under
 * `make asan`, names it); an unreadable file, or a missing corpus
 * directory, counts as failed.  Ends with "fuzz replay: N passed, M
 * failed" and exit status 0 (the line carries the verdict; an abort is
 * the loud failure).  REPLAY_VERBOSE=1 names each input as it runs.
 *
 * The targets that drive program code (http, ini, xml, credjson,
 * settings, session) run over tests/fuzz/fuzz_port.c, an in-memory port:
 * replay links that instead of port/posix.c.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LLVMFuzzerTestOneInput fuzz_evs_one
#include "fuzz_evs.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_stream_one
#include "fuzz_stream.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_http_one
#include "fuzz_http.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_ini_one
#include "fuzz_ini.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_xml_one
#include "fuzz_xml.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_credjson_one
#include "fuzz_credjson.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_settings_one
#include "fuzz_settings.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_session_one
#include "fuzz_session.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_ledger_one
#include "fuzz_ledger.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_catalog_one
#include "fuzz_catalog.c"
#undef LLVMFuzzerTestOneInput

typedef int (*rp_target)(const uint8_t *, size_t);

/* Every target, with its corpus directory's name. */
static const struct {
	const char *name;
	rp_target fn;
} rp_targets[] = {
	{ "evs", fuzz_evs_one },
	{ "stream", fuzz_stream_one },
	{ "http", fuzz_http_one },
	{ "ini", fuzz_ini_one },
	{ "xml", fuzz_xml_one },
	{ "credjson", fuzz_credjson_one },
	{ "settings", fuzz_settings_one },
	{ "session", fuzz_session_one },
	{ "ledger", fuzz_ledger_one },
	{ "catalog", fuzz_catalog_one },
};

static unsigned rp_pass, rp_fail;
static const char *rp_current;  /* the input being run, for the report */

/* On abort(), name the input before dying. */
static void
rp_on_abort(int sig)
{
	static const char pre[] = "fuzz replay: FAILED on ";
	const char *f = rp_current ? rp_current : "?";
	ssize_t r;

	r = write(2, pre, sizeof(pre) - 1);
	r = write(2, f, strlen(f));
	r = write(2, "\n", 1);
	(void)r;
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
rp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a whole file into an exactly sized heap block (NULL on error). */
static uint8_t *
rp_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL, *q;
	size_t cap = 0, n = 0, r;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			q = realloc(p, cap);
			if (q == NULL)
				goto fail;
			p = q;
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
		goto fail;
	fclose(f);
	/* exactly sized, so a read past the end is an ASan report */
	q = malloc(n > 0 ? n : 1);
	if (q == NULL) {
		free(p);
		return NULL;
	}
	if (n > 0)
		memcpy(q, p, n);
	free(p);
	*len = n;
	return q;
fail:
	fclose(f);
	free(p);
	return NULL;
}

static int
rp_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Run every regular file of `dir` (sorted) through t1 (and t2). */
static void
rp_dir(const char *dir, rp_target t1, rp_target t2, int must_exist)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, **nn;
	size_t n = 0, cap = 0, i;

	if (d == NULL) {
		if (must_exist) {
			fprintf(stderr, "replay: %s: %s\n", dir,
			    strerror(errno));
			rp_fail++;
		}
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL)
				break;
			names = nn;
		}
		{
			size_t sz = strlen(dir) + strlen(de->d_name) + 2;
			names[n] = malloc(sz);
			if (names[n] == NULL)
				break;
			snprintf(names[n], sz, "%s/%s", dir, de->d_name);
		}
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), rp_cmp);
	for (i = 0; i < n; i++) {
		uint8_t *data;
		size_t len = 0;
		struct stat st;
		if (stat(names[i], &st) != 0 || !S_ISREG(st.st_mode)) {
			free(names[i]);
			continue;
		}
		data = rp_slurp(names[i], &len);
		if (data == NULL) {
			fprintf(stderr, "replay: %s: cannot read\n", names[i]);
			rp_fail++;
		} else {
			if (getenv("REPLAY_VERBOSE") != NULL)
				fprintf(stderr, "replay: %s\n", names[i]);
			rp_current = names[i];
			t1(data, len);
			if (t2 != NULL)
				t2(data, len);
			rp_current = NULL;
			rp_pass++;
			free(data);
		}
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	const char *corpus = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	char path[4200], crashes[4096];
	const char *slash;

	signal(SIGABRT, rp_on_abort);
	if (strlen(corpus) > 4000 || (argc > 2 && strlen(argv[2]) > 4000)) {
		fprintf(stderr, "replay: path too long\n");
		return 2;
	}
	if (argc > 2) {
		snprintf(crashes, sizeof(crashes), "%s", argv[2]);
	} else {
		/* "crashes" next to the corpus directory */
		size_t k = strlen(corpus);
		while (k > 1 && corpus[k - 1] == '/')
			k--;
		slash = NULL;
		{
			size_t i;
			for (i = 0; i < k; i++)
				if (corpus[i] == '/')
					slash = corpus + i;
		}
		if (slash == NULL)
			snprintf(crashes, sizeof(crashes), "crashes");
		else
			snprintf(crashes, sizeof(crashes), "%.*scrashes",
			    (int)(slash - corpus + 1), corpus);
	}

	{
		int k = (int)strlen(corpus);
		size_t t;
		while (k > 1 && corpus[k - 1] == '/')
			k--;
		for (t = 0; t < sizeof(rp_targets) / sizeof(rp_targets[0]);
		    t++) {
			snprintf(path, sizeof(path), "%.*s/%s", k, corpus,
			    rp_targets[t].name);
			rp_dir(path, rp_targets[t].fn, NULL, 1);
		}
	}
	if (rp_is_dir(crashes)) {
		/* a reproducer aborts here, by design: loud until fixed */
		size_t t;
		for (t = 0; t < sizeof(rp_targets) / sizeof(rp_targets[0]);
		    t++) {
			snprintf(path, sizeof(path), "%s/%s", crashes,
			    rp_targets[t].name);
			rp_dir(path, rp_targets[t].fn, NULL, 0);
		}
		rp_dir(crashes, fuzz_evs_one, fuzz_stream_one, 0);
	}
	printf("fuzz replay: %u passed, %u failed\n", rp_pass, rp_fail);
	return 0;
}
