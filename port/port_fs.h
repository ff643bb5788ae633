/*
 * port_fs.h -- the file-system operations sessions and the ledger need
 * beyond port.h: directories with a mode, append-only files, stat, a
 * directory listing, reads at an offset, the working directory.
 *
 * Meant to be merged into port.h (and posix_fs.c into posix.c); until
 * then it is a separate header so port.h stays untouched.  Same rules as
 * port.h: errors are an enum bk_err, the human detail goes into a
 * struct bk_port_err (which may be NULL), nothing is printed here.
 */
#ifndef BK_PORT_FS_H
#define BK_PORT_FS_H

#include <stddef.h>
#include <stdint.h>

#include "port.h"

/*
 * Create `path` and any missing parent directories with `mode` (e.g.
 * 0700; the umask still applies to the bits it clears).  Directories that
 * already exist are left as they are: see bk_port_stat / bk_port_chmod
 * to check or tighten them.  BK_E_IO if a component exists and is not a
 * directory, or creation fails; BK_E_LIMIT for a path of 4096 bytes or
 * more.
 */
enum bk_err bk_port_mkdir_p(const char *path, unsigned mode,
    struct bk_port_err *err);

/* Flags of bk_port_append(). */
#define BK_PORT_APPEND_EXCL     1u /* create; fail if it already exists */
#define BK_PORT_APPEND_NOCREATE 2u /* the file must already exist */
#define BK_PORT_APPEND_SYNC     4u /* fsync the file (and, when the file
                                      was new, its directory) */
#define BK_PORT_APPEND_LINE     8u /* `data` is one line: if the file does
                                      not end with '\n' (a torn write), a
                                      '\n' goes first so the new line
                                      stays whole */

/*
 * Append n bytes to `path` (O_APPEND; created with mode 0600 unless
 * NOCREATE), as one write(2) so concurrent appenders never interleave
 * inside a record.  If the write fails part way (disk full), the file is
 * cut back to its previous length when no one else appended meanwhile,
 * so a failed append leaves no partial line.  BK_E_IO with err->msg.
 */
enum bk_err bk_port_append(const char *path, const void *data, size_t n,
    unsigned flags, struct bk_port_err *err);

struct bk_port_stat {
	uint64_t size;           /* bytes */
	int64_t mtime_ns;        /* modification time, ns since the epoch */
	unsigned mode;           /* permission bits (07777) */
	int is_dir;
	int is_reg;
};

/*
 * stat(2) (following symbolic links).  BK_E_NOT_FOUND if the path does
 * not exist, BK_E_IO otherwise.
 */
enum bk_err bk_port_stat(const char *path, struct bk_port_stat *st,
    struct bk_port_err *err);

/* chmod(2).  BK_E_IO (e.g. not the owner). */
enum bk_err bk_port_chmod(const char *path, unsigned mode,
    struct bk_port_err *err);

/* Cut `path` to len bytes (truncate(2)).  BK_E_IO. */
enum bk_err bk_port_truncate(const char *path, uint64_t len,
    struct bk_port_err *err);

/*
 * Call cb(ctx, name) for every entry of `dir` but "." and "..", in no
 * particular order.  A non-zero return from cb stops the listing (still
 * BK_OK).  BK_E_NOT_FOUND if dir does not exist, BK_E_IO otherwise.
 */
enum bk_err bk_port_list_dir(const char *dir,
    int (*cb)(void *ctx, const char *name), void *ctx,
    struct bk_port_err *err);

/*
 * Read up to cap bytes of `path` from byte `off` (pread(2), retried until
 * cap bytes or the end of the file).  *len < cap means the end was
 * reached.  Unlike bk_port_read_file, a larger file is not an error: this
 * reads a head, or a big file in pieces.  BK_E_NOT_FOUND, BK_E_IO.
 */
enum bk_err bk_port_read_at(const char *path, uint64_t off, void *buf,
    size_t cap, size_t *len, struct bk_port_err *err);

/* The current working directory, NUL-terminated.  BK_E_BUFSZ if it does
 * not fit, BK_E_IO (e.g. the directory was removed). */
enum bk_err bk_port_getcwd(char *out, size_t cap, struct bk_port_err *err);

#endif /* BK_PORT_FS_H */
