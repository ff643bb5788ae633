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
#include <sys/stat.h>
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
	nanosleep(&ts, NULL);
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

const char *
bk_port_getenv(const char *name)
{
	return getenv(name);
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
