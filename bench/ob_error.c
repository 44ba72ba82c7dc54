/* ob_error.c -- filling and formatting ob_error (see ob_error.h).
 *
 * Formatting follows the GNU "program:file:line:column: message" convention;
 * the program name is added by the command layer, not here.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "bench/ob_error.h"

void ob_error_clear(ob_error *e)
{
  if (e) memset(e, 0, sizeof *e);
}

static int vset(ob_error *e, int code, const char *fmt, va_list ap)
{
  if (!e) return code;
  e->code = code;
  vsnprintf(e->text, sizeof e->text, fmt, ap);
  return code;
}

int ob_error_set(ob_error *e, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vset(e, code, fmt, ap);
  va_end(ap);
  return code;
}

int ob_error_at(ob_error *e, int code, const char *path, const char *fmt, ...)
{
  va_list ap;
  if (e && path) snprintf(e->path, sizeof e->path, "%s", path);
  va_start(ap, fmt);
  vset(e, code, fmt, ap);
  va_end(ap);
  return code;
}

void ob_error_source(ob_error *e, const char *source)
{
  if (e && source && !e->source[0]) snprintf(e->source, sizeof e->source, "%s", source);
}

static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
  va_list ap;
  if (*used >= size - 1) return;
  va_start(ap, fmt);
  int k = vsnprintf(buf + *used, size - *used, fmt, ap);
  va_end(ap);
  if (k > 0) *used += (size_t)k;
  if (*used >= size) *used = size - 1;
}

void ob_error_format(const ob_error *e, char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  if (e->source[0]) {
    append(buf, size, &used, "%s", e->source);
    if (e->line > 0) append(buf, size, &used, ":%d", e->line);
    if (e->line > 0 && e->column > 0) append(buf, size, &used, ":%d", e->column);
    append(buf, size, &used, ": ");
  }
  if (e->path[0]) append(buf, size, &used, "%s: ", e->path);
  append(buf, size, &used, "%s", e->text[0] ? e->text : ob_status_name(e->code));
}

int ob_status_exit_code(int code)
{
  switch (code) {
  case OB_OK: return EX_OK;
  case OB_EINVAL: case OB_EDATA: return EX_DATAERR;
  case OB_ENOINPUT: return EX_NOINPUT;
  case OB_ECANTCREAT: return EX_CANTCREAT;
  case OB_EIO: return EX_IOERR;
  case OB_ENOMEM: return EX_OSERR;
  default: return EX_SOFTWARE;
  }
}

const char *ob_status_name(int code)
{
  switch (code) {
  case OB_OK: return "success";
  case OB_STALLED: return "no progress";
  case OB_EINVAL: return "invalid value";
  case OB_ENOMEM: return "out of memory";
  case OB_EIO: return "input/output error";
  case OB_EDATA: return "malformed data";
  case OB_ENUMERIC: return "numerical failure";
  case OB_ENOINPUT: return "no such file";
  case OB_ECANTCREAT: return "cannot create output";
  case OB_EUNSUPPORTED: return "not supported here";
  default: return "internal error";
  }
}
