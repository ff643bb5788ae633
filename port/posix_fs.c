/*
 * posix_fs.c -- port_fs.h on POSIX: directories, append-only files,
 * stat, listings, reads at an offset, the working directory.  To be
 * merged into posix.c (fs_err() is its set_err()).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "port_fs.h"

#define FS_PATH_MAX 4096

static void
fs_err(struct bk_port_err *err, enum bk_err code, const char *what,
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

/* mkdir one component; an existing directory is fine. */
static enum bk_err
mkdir_one(const char *p, unsigned mode, struct bk_port_err *err)
{
	struct stat st;

	if (mkdir(p, (mode_t)mode) == 0)
		return BK_OK;
	if (errno == EEXIST || errno == EROFS || errno == EACCES) {
		int saved = errno;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			return BK_OK;
		if (saved == EEXIST) {
			fs_err(err, BK_E_IO, "not a directory:", p, 0);
			return BK_E_IO;
		}
		errno = saved;
	}
	fs_err(err, BK_E_IO, "cannot create directory", p, errno);
	return BK_E_IO;
}

enum bk_err
bk_port_mkdir_p(const char *path, unsigned mode, struct bk_port_err *err)
{
	char buf[FS_PATH_MAX];
	size_t n = strlen(path), i;
	enum bk_err e;

	if (n == 0) {
		fs_err(err, BK_E_ARG, "empty directory name", NULL, 0);
		return BK_E_ARG;
	}
	if (n >= sizeof(buf)) {
		fs_err(err, BK_E_LIMIT, "path too long:", path, 0);
		return BK_E_LIMIT;
	}
	memcpy(buf, path, n + 1);
	/* each prefix ending before a '/' (not the root's) */
	for (i = 1; i < n; i++) {
		if (buf[i] != '/' || buf[i - 1] == '/')
			continue;
		buf[i] = '\0';
		e = mkdir_one(buf, mode, err);
		buf[i] = '/';
		if (e != BK_OK)
			return e;
	}
	return mkdir_one(buf, mode, err);
}

static void
sync_parent(const char *path)
{
	char dir[FS_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (slash == NULL) {
		dir[0] = '.';
		n = 1;
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return;
		memcpy(dir, path, n);
	}
	dir[n] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* the new name must survive a crash, not only the bytes */
	(void)fsync(fd);
	close(fd);
}

/* write(2) all of p, retrying on EINTR; *done receives what was written */
static int
write_all(int fd, const uint8_t *p, size_t n, size_t *done)
{
	*done = 0;
	while (*done < n) {
		ssize_t r = write(fd, p + *done, n - *done);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		*done += (size_t)r;
	}
	return 0;
}

enum bk_err
bk_port_append(const char *path, const void *data, size_t n, unsigned flags,
    struct bk_port_err *err)
{
	int oflags = O_APPEND | O_CLOEXEC, fd, saved;
	struct stat st;
	off_t before;
	size_t done = 0;

	/* reading the last byte needs a readable descriptor */
	oflags |= (flags & BK_PORT_APPEND_LINE) ? O_RDWR : O_WRONLY;
	if (!(flags & BK_PORT_APPEND_NOCREATE))
		oflags |= O_CREAT;
	if (flags & BK_PORT_APPEND_EXCL)
		oflags |= O_CREAT | O_EXCL;
	fd = open(path, oflags, 0600);
	if (fd < 0) {
		fs_err(err, BK_E_IO, "cannot open", path, errno);
		return BK_E_IO;
	}
	if (fstat(fd, &st) != 0) {
		fs_err(err, BK_E_IO, "cannot stat", path, errno);
		close(fd);
		return BK_E_IO;
	}
	before = st.st_size;
	if ((flags & BK_PORT_APPEND_LINE) && before > 0) {
		char last = '\n';
		if (pread(fd, &last, 1, before - 1) == 1 && last != '\n') {
			/* a torn record: end it, so it stays a line of its own
			 * and ours is not glued to it */
			if (write_all(fd, (const uint8_t *)"\n", 1, &done) !=
			    0) {
				fs_err(err, BK_E_IO, "cannot write", path,
				    errno);
				close(fd);
				return BK_E_IO;
			}
			before++;
		}
	}
	if (write_all(fd, data, n, &done) != 0) {
		saved = errno;
		/* cut back a partial record, unless someone else appended */
		if (done > 0 && fstat(fd, &st) == 0 &&
		    st.st_size == before + (off_t)done)
			(void)ftruncate(fd, before);
		fs_err(err, BK_E_IO, "cannot write", path, saved);
		close(fd);
		return BK_E_IO;
	}
	if ((flags & BK_PORT_APPEND_SYNC) && fsync(fd) != 0) {
		fs_err(err, BK_E_IO, "cannot sync", path, errno);
		close(fd);
		return BK_E_IO;
	}
	if (close(fd) != 0) {
		fs_err(err, BK_E_IO, "cannot close", path, errno);
		return BK_E_IO;
	}
	if ((flags & BK_PORT_APPEND_SYNC) && before == 0)
		sync_parent(path);
	return BK_OK;
}

enum bk_err
bk_port_stat(const char *path, struct bk_port_stat *out,
    struct bk_port_err *err)
{
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			fs_err(err, BK_E_NOT_FOUND, "no such file:", path, 0);
			return BK_E_NOT_FOUND;
		}
		fs_err(err, BK_E_IO, "cannot stat", path, errno);
		return BK_E_IO;
	}
	out->size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
	out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
	    (int64_t)st.st_mtim.tv_nsec;
	out->mode = (unsigned)st.st_mode & 07777u;
	out->is_dir = S_ISDIR(st.st_mode);
	out->is_reg = S_ISREG(st.st_mode);
	return BK_OK;
}

enum bk_err
bk_port_chmod(const char *path, unsigned mode, struct bk_port_err *err)
{
	if (chmod(path, (mode_t)mode) != 0) {
		fs_err(err, BK_E_IO, "cannot change the mode of", path, errno);
		return BK_E_IO;
	}
	return BK_OK;
}

enum bk_err
bk_port_truncate(const char *path, uint64_t len, struct bk_port_err *err)
{
	if (len > (uint64_t)INT64_MAX || truncate(path, (off_t)len) != 0) {
		fs_err(err, BK_E_IO, "cannot truncate", path, errno);
		return BK_E_IO;
	}
	return BK_OK;
}

enum bk_err
bk_port_list_dir(const char *dir, int (*cb)(void *ctx, const char *name),
    void *ctx, struct bk_port_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		if (errno == ENOENT) {
			fs_err(err, BK_E_NOT_FOUND, "no such directory:", dir,
			    0);
			return BK_E_NOT_FOUND;
		}
		fs_err(err, BK_E_IO, "cannot open directory", dir, errno);
		return BK_E_IO;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (cb(ctx, de->d_name) != 0)
			break;
	}
	if (de == NULL && errno != 0) {
		fs_err(err, BK_E_IO, "cannot read directory", dir, errno);
		closedir(d);
		return BK_E_IO;
	}
	closedir(d);
	return BK_OK;
}

enum bk_err
bk_port_read_at(const char *path, uint64_t off, void *buf, size_t cap,
    size_t *len, struct bk_port_err *err)
{
	uint8_t *p = buf;
	size_t n = 0;
	int fd;

	*len = 0;
	if (off > (uint64_t)INT64_MAX / 2) {
		fs_err(err, BK_E_ARG, "offset out of range for", path, 0);
		return BK_E_ARG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		enum bk_err e = errno == ENOENT ? BK_E_NOT_FOUND : BK_E_IO;
		fs_err(err, e, "cannot open", path, errno);
		return e;
	}
	while (n < cap) {
		ssize_t r = pread(fd, p + n, cap - n, (off_t)(off + n));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fs_err(err, BK_E_IO, "cannot read", path, errno);
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

enum bk_err
bk_port_getcwd(char *out, size_t cap, struct bk_port_err *err)
{
	if (cap == 0)
		return BK_E_BUFSZ;
	if (getcwd(out, cap) == NULL) {
		out[0] = '\0';
		if (errno == ERANGE) {
			fs_err(err, BK_E_BUFSZ, "working directory name too "
			    "long", NULL, 0);
			return BK_E_BUFSZ;
		}
		fs_err(err, BK_E_IO, "cannot get the working directory", NULL,
		    errno);
		return BK_E_IO;
	}
	return BK_OK;
}
