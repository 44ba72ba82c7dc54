/* ob_fs.h -- file-system helpers: atomic writes, output checks, paths.
 *
 * Results files are never half-written: ob_fs_write_atomic writes a temporary
 * file in the destination directory, flushes and fsyncs it, renames it over
 * the destination and fsyncs the directory (Redis rdbSave, git lockfile).
 */
#ifndef OB_FS_H
#define OB_FS_H

#include <stddef.h>
#include <stdio.h>

#include "bench/ob_error.h"

/* Writes `path` atomically through emit(f, ctx) (which returns 0 on success).
 * On failure nothing at `path` changes; OB_ECANTCREAT or OB_EIO with errno's text. */
int ob_fs_write_atomic(const char *path, int (*emit)(FILE *f, void *ctx), void *ctx, ob_error *err);
/* Checks, before any work, that `path` can be created: its directory exists
 * (after creating it when `make_dir`) and accepts a new file. */
int ob_fs_check_writable(const char *path, int make_dir, ob_error *err);
/* Creates a directory and its parents (mode 0777 & ~umask). */
int ob_fs_mkdir_p(const char *dir, ob_error *err);
/* The directory part of a path ("." when none) into buf. */
void ob_fs_dirname(const char *path, char *buf, size_t size);
/* Resolves `rel` against directory `base` unless it is absolute. */
void ob_fs_resolve(const char *base, const char *rel, char *buf, size_t size);
/* 1 when the path exists. */
int ob_fs_exists(const char *path);

#endif
