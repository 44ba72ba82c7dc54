/* ob_json.c -- jansson helpers (see ob_json.h). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/ob_json.h"

json_t *ob_json_num(double v)
{
  return isfinite(v) ? json_real(v) : json_null();
}

json_t *ob_json_vec(const double *v, size_t n)
{
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) json_array_append_new(a, ob_json_num(v[i]));
  return a;
}

int ob_json_load_file(const char *path, json_t **out, ob_error *err)
{
  json_error_t je;
  FILE *f = fopen(path, "rb");
  *out = NULL;
  if (!f) {
    int e = errno;
    ob_error_source(err, path);
    return ob_error_set(err, e == ENOENT ? OB_ENOINPUT : OB_EIO, "cannot open: %s", strerror(e));
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
    fclose(f);
    ob_error_source(err, path);
    return ob_error_set(err, S_ISDIR(st.st_mode) ? OB_ENOINPUT : OB_EIO, "cannot read: %s",
                        S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
  }
  if (fstat(fileno(f), &st) == 0 && st.st_size == 0) {
    fclose(f);
    ob_error_source(err, path);
    return ob_error_set(err, OB_EDATA, "empty file: expected a JSON document");
  }
  json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
  int read_failed = ferror(f);
  fclose(f);
  if (!root && read_failed) {
    ob_error_source(err, path);
    return ob_error_set(err, OB_EIO, "read error");
  }
  if (!root) {
    ob_error_source(err, path);
    if (err && je.line > 0) { err->line = je.line; err->column = je.column; }
    return ob_error_set(err, OB_EDATA, "%s", je.text);
  }
  *out = root;
  return OB_OK;
}

void ob_json_fmt_double(char *buf, size_t size, double v)
{
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(buf, size, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) return;
  }
}

void ob_json_fmt_scalar(char *buf, size_t size, const json_t *v)
{
  switch (json_typeof(v)) {
  case JSON_INTEGER: snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
  case JSON_REAL: ob_json_fmt_double(buf, size, json_real_value(v)); break;
  case JSON_STRING: snprintf(buf, size, "%s", json_string_value(v)); break;
  case JSON_TRUE: snprintf(buf, size, "true"); break;
  case JSON_FALSE: snprintf(buf, size, "false"); break;
  case JSON_NULL: snprintf(buf, size, "null"); break;
  default: {
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(buf, size, "%s", s ? s : "?");
    free(s);
  }
  }
}

void ob_json_digest(const json_t *v, char out[17])
{
  char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
  uint64_t h = 1469598103934665603ull;
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
    h ^= *p;
    h *= 1099511628211ull;
  }
  free(s);
  snprintf(out, 17, "%016llx", (unsigned long long)h);
}
