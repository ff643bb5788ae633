/*
 * posix.c -- port.h on POSIX (Linux, musl or glibc): clocks, entropy,
 * environment, files and the standard streams.  HTTP is in http_curl.c.
 */
#define _GNU_SOURCE /* getrandom on glibc; musl exposes it by default */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "port.h"

static void
set_err(struct bk_port_err *err, enum bk_err code, const char *what,
    const char *path, int errnum)
{
	struct bk_buf b;

	if (err == NULL)
		return;
	err->code = code;
	bk_buf_init(&b, err->msg, sizeof(err->msg));
	bk_buf_puts(&b, what);
	if (path != NULL) {
		bk_buf_puts(&b, " ");
		bk_buf_puts(&b, path);
	}
	if (errnum != 0) {
		bk_buf_puts(&b, ": ");
		bk_buf_puts(&b, strerror(errnum));
	}
}

int64_t
bk_port_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

uint64_t
bk_port_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t
bk_port_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
bk_port_mono_ms(void)
{
	return bk_port_mono_us() / 1000u;
}

void
bk_port_sleep_ms(uint32_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000u);
	ts.tv_nsec = (long)(ms % 1000u) * 1000000L;
	/* a signal ends the sleep early on purpose: Ctrl-C must not wait */
	if (bk_port_signal() == 0)
		nanosleep(&ts, NULL);
}

static volatile sig_atomic_t caught;

static void
on_signal(int sig)
{
	caught = sig;
}

void
bk_port_catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;
		/* a signal ignored by whoever started us (nohup) stays so */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int
bk_port_signal(void)
{
	return (int)caught;
}

void
bk_port_signal_clear(void)
{
	caught = 0;
}

enum bk_err
bk_port_random(void *buf, size_t n)
{
	uint8_t *p = buf;

	/* getrandom(2) needs no /dev/urandom: works in an empty root */
	while (n > 0) {
		ssize_t r = getrandom(p, n > 256 ? 256 : n, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return BK_E_IO;
		}
		p += r;
		n -= (size_t)r;
	}
	return BK_OK;
}

static const char *(*env_fb)(const void *, const char *);
static const void *env_fb_ctx;

void
bk_port_env_fallback(const char *(*fn)(const void *, const char *),
    const void *ctx)
{
	env_fb = fn;
	env_fb_ctx = ctx;
}

const char *
bk_port_getenv(const char *name)
{
	const char *v = getenv(name);

	if ((v == NULL || v[0] == '\0') && env_fb != NULL)
		return env_fb(env_fb_ctx, name);
	return v;
}

enum bk_err
bk_port_read_file(const char *path, uint8_t *buf, size_t cap, size_t *len,
    struct bk_port_err *err)
{
	int fd;
	size_t n = 0;

	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, BK_E_IO, "cannot open", path, errno);
		return BK_E_IO;
	}
	for (;;) {
		ssize_t r;
		if (n == cap) {
			/* one more byte tells "exactly cap" from "larger" */
			uint8_t probe;
			r = read(fd, &probe, 1);
			if (r > 0) {
				close(fd);
				set_err(err, BK_E_LIMIT, "file too large:", path,
				    0);
				return BK_E_LIMIT;
			}
			break;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			set_err(err, BK_E_IO, "cannot read", path, errno);
			close(fd);
			return BK_E_IO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*len = n;
	return BK_OK;
}

int
bk_port_readable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, R_OK) == 0;
}

int
bk_port_isatty(int fd)
{
	return isatty(fd);
}

enum bk_err
bk_port_write(int fd, const void *buf, size_t n, int *closed,
    struct bk_port_err *err)
{
	const uint8_t *p = buf;

	if (closed != NULL)
		*closed = 0;
	while (n > 0) {
		ssize_t r = write(fd, p, n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE && closed != NULL)
				*closed = 1;
			set_err(err, BK_E_IO, "write error:", NULL, errno);
			return BK_E_IO;
		}
		p += r;
		n -= (size_t)r;
	}
	return BK_OK;
}

unsigned
bk_port_stdio_guard(void)
{
	unsigned was_closed = 0;
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		int nfd, pfd[2];
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		was_closed |= 1u << fd;
		/* open() and pipe() take the lowest free descriptor: this one */
		nfd = open("/dev/null", O_RDWR);
		if (nfd == fd)
			continue;
		if (nfd >= 0)
			close(nfd);
		if (pipe(pfd) != 0)
			continue;
		/* fd 0 gets a read end whose writer is gone (EOF); 1 and 2
		 * get a write end whose reader is gone (EPIPE) */
		if (fd == 0) {
			close(pfd[1]);
		} else {
			dup2(pfd[1], fd);
			close(pfd[1]);
		}
	}
	return was_closed;
}

enum bk_err
bk_port_read_all(int fd, uint8_t **buf, size_t *len, size_t cap,
    struct bk_port_err *err)
{
	size_t n = 0, have = 0;
	uint8_t *p = NULL;

	*buf = NULL;
	*len = 0;
	for (;;) {
		ssize_t r;
		if (have - n < 4096) {
			size_t grow = have ? have * 2 : 65536;
			uint8_t *q;
			if (grow > cap + 1)
				grow = cap + 1;
			if (grow <= have) {
				free(p);
				set_err(err, BK_E_LIMIT, "standard input is larger"
				    " than the limit", NULL, 0);
				return BK_E_LIMIT;
			}
			q = realloc(p, grow);
			if (q == NULL) {
				free(p);
				set_err(err, BK_E_NOMEM, "out of memory reading"
				    " standard input", NULL, 0);
				return BK_E_NOMEM;
			}
			p = q;
			have = grow;
		}
		r = read(fd, p + n, have - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			set_err(err, BK_E_IO, "cannot read standard input", NULL,
			    errno);
			free(p);
			return BK_E_IO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > cap) {
			free(p);
			set_err(err, BK_E_LIMIT, "standard input is larger than "
			    "the limit", NULL, 0);
			return BK_E_LIMIT;
		}
	}
	*buf = p;
	*len = n;
	return BK_OK;
}

enum bk_err
bk_port_write_file_atomic(const char *path, const void *data, size_t n,
    struct bk_port_err *err)
{
	char tmp[4096];
	struct bk_buf b;
	int fd;
	enum bk_err e;

	bk_buf_init(&b, tmp, sizeof(tmp));
	bk_buf_puts(&b, path);
	bk_buf_puts(&b, ".tmp.");
	bk_buf_put_u64(&b, (uint64_t)getpid());
	if (bk_buf_err(&b) != BK_OK) {
		set_err(err, BK_E_LIMIT, "path too long:", path, 0);
		return BK_E_LIMIT;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		set_err(err, BK_E_IO, "cannot create", tmp, errno);
		return BK_E_IO;
	}
	e = bk_port_write(fd, data, n, NULL, err);
	if (e == BK_OK && fsync(fd) != 0) {
		set_err(err, BK_E_IO, "cannot sync", tmp, errno);
		e = BK_E_IO;
	}
	if (close(fd) != 0 && e == BK_OK) {
		set_err(err, BK_E_IO, "cannot close", tmp, errno);
		e = BK_E_IO;
	}
	if (e == BK_OK && rename(tmp, path) != 0) {
		set_err(err, BK_E_IO, "cannot replace", path, errno);
		e = BK_E_IO;
	}
	if (e != BK_OK)
		unlink(tmp);
	return e;
}

enum bk_err
bk_port_run(const char *cmd, char *out, size_t cap, size_t *len,
    uint32_t timeout_ms, int *status, struct bk_port_err *err)
{
	int pfd[2], st = 0;
	pid_t pid;
	size_t n = 0;
	uint64_t deadline = bk_port_mono_ms() + timeout_ms;
	enum bk_err e = BK_OK;

	*len = 0;
	*status = -1;
	if (pipe(pfd) != 0) {
		set_err(err, BK_E_IO, "cannot create a pipe", NULL, errno);
		return BK_E_IO;
	}
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		set_err(err, BK_E_IO, "cannot fork", NULL, errno);
		return BK_E_IO;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0) {
			dup2(nul, 0);
			close(nul);
		}
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		/* a process group of its own, so a timeout kills it all */
		setpgid(0, 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p;
		uint64_t now = bk_port_mono_ms();
		ssize_t r;
		int w;
		if (now >= deadline) {
			e = BK_E_TIMEOUT;
			break;
		}
		p.fd = pfd[0];
		p.events = POLLIN;
		w = poll(&p, 1, (int)(deadline - now));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w == 0 ? BK_E_TIMEOUT : BK_E_IO;
			break;
		}
		if (n == cap) {
			e = BK_E_LIMIT;
			break;
		}
		r = read(pfd[0], out + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(pfd[0]);
	if (e != BK_OK) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st))
		*status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		*status = 128 + WTERMSIG(st);
	*len = n;
	if (e == BK_E_TIMEOUT)
		set_err(err, e, "credential_process timed out", NULL, 0);
	else if (e == BK_E_LIMIT)
		set_err(err, e, "credential_process printed too much", NULL, 0);
	return e;
}

enum bk_err
bk_port_prompt(const char *question, char *out, size_t cap, int secret)
{
	struct termios old, raw;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC), restore = 0;
	size_t n = 0;
	enum bk_err e = BK_OK;

	if (fd < 0 || cap == 0)
		return BK_E_IO;
	if (secret && tcgetattr(fd, &old) == 0) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fd, TCSAFLUSH, &raw) == 0;
	}
	bk_port_write(fd, question, strlen(question), NULL, NULL);
	for (;;) {
		char c;
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = BK_E_IO;
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (n + 1 < cap)
			out[n++] = c;
	}
	out[n] = '\0';
	if (restore) {
		tcsetattr(fd, TCSAFLUSH, &old);
		bk_port_write(fd, "\n", 1, NULL, NULL);
	}
	close(fd);
	return e;
}
