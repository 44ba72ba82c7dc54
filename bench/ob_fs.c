/* ob_fs.c -- atomic writes and path helpers (see ob_fs.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/ob_fs.h"

void ob_fs_dirname(const char *path, char *buf, size_t size)
{
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(buf, size, ".");
  else if (slash == path) snprintf(buf, size, "/");
  else snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

void ob_fs_resolve(const char *base, const char *rel, char *buf, size_t size)
{
  if (rel[0] == '/' || !base || !base[0] || strcmp(base, ".") == 0) snprintf(buf, size, "%s", rel);
  else snprintf(buf, size, "%s/%s", base, rel);
}

int ob_fs_exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

static int fsync_dir(const char *path)
{
  char dir[PATH_MAX];
  ob_fs_dirname(path, dir, sizeof dir);
  int fd = open(dir, O_RDONLY);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  int e = errno;
  close(fd);
  errno = e;
  return rc;
}

int ob_fs_write_atomic(const char *path, int (*emit)(FILE *f, void *ctx), void *ctx, ob_error *err)
{
  char tmp[PATH_MAX];
  if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp) {
    ob_error_source(err, path);
    return ob_error_set(err, OB_ECANTCREAT, "path too long");
  }
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    ob_error_source(err, path);
    return ob_error_set(err, OB_ECANTCREAT, "cannot create: %s", strerror(e));
  }
  const char *step = "write";
  FILE *f = fdopen(fd, "w");
  int ok = f != NULL;
  if (ok && emit(f, ctx) != 0) ok = 0;
  if (ok && fflush(f) != 0) ok = 0;
  if (ok && (step = "fsync", fsync(fd) != 0)) ok = 0;
  int saved = errno;
  if ((f ? fclose(f) : close(fd)) != 0 && ok) { ok = 0; saved = errno; step = "close"; }
  if (ok) {
    mode_t um = umask(0);
    umask(um);
    chmod(tmp, 0666 & ~um);          /* mkstemp makes 0600; results are meant to be shared */
    if (rename(tmp, path) != 0) { ok = 0; saved = errno; step = "rename"; }
  }
  if (!ok) {
    unlink(tmp);
    ob_error_source(err, path);
    return ob_error_set(err, OB_EIO, "%s failed: %s", step, strerror(saved ? saved : EIO));
  }
  fsync_dir(path);
  return OB_OK;
}

int ob_fs_mkdir_p(const char *dir, ob_error *err)
{
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", dir);
  for (char *p = buf + 1; ; p++) {
    if (*p == '/' || *p == '\0') {
      char c = *p;
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        int e = errno;
        ob_error_source(err, buf);
        return ob_error_set(err, OB_ECANTCREAT, "cannot create directory: %s", strerror(e));
      }
      *p = c;
      if (!c) break;
    }
  }
  return OB_OK;
}

int ob_fs_check_writable(const char *path, int make_dir, ob_error *err)
{
  char dir[PATH_MAX], tmp[PATH_MAX];
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    ob_error_source(err, path);
    return ob_error_set(err, OB_ECANTCREAT, "cannot write results: is a directory (give -o a file name)");
  }
  ob_fs_dirname(path, dir, sizeof dir);
  if (make_dir) {
    int rc = ob_fs_mkdir_p(dir, err);
    if (rc < 0) return rc;
  }
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
    ob_error_source(err, path);
    return ob_error_set(err, OB_ECANTCREAT, "cannot create: directory '%s' does not exist", dir);
  }
  snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    ob_error_source(err, path);
    return ob_error_set(err, OB_ECANTCREAT, "cannot create: %s", strerror(e));
  }
  close(fd);
  unlink(tmp);
  return OB_OK;
}
