/* ob_params.c -- checking suite entries against parameter tables (see ob_params.h).
 *
 * Messages name the JSON path of the offending key and say what was expected,
 * so a user never has to read a type's source to fix a suite.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/ob_params.h"

const ob_param_spec *ob_params_find(const ob_param_spec *specs, const char *name)
{
  for (const ob_param_spec *s = specs; s && s->name; s++)
    if (strcmp(s->name, name) == 0) return s;
  return NULL;
}

static size_t edit_distance(const char *a, const char *b)
{
  /* Optimal string alignment: Levenshtein plus the swap of two adjacent
   * letters as one edit, the most common typo ("rnu" for "run"). */
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 64;
  size_t d[64][64];
  for (size_t i = 0; i <= la; i++) d[i][0] = i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[la][lb];
}

const char *ob_did_you_mean(const char *word, const char *const *candidates)
{
  const char *best = NULL;
  size_t best_d = (size_t)-1, len = strlen(word);
  size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
  for (const char *const *c = candidates; *c; c++) {
    size_t d = edit_distance(word, *c);
    if (d < best_d) { best_d = d; best = *c; }
  }
  return best_d <= limit ? best : NULL;
}

void ob_params_names(const ob_param_spec *specs, char *buf, size_t size)
{
  size_t used = 0;
  buf[0] = '\0';
  for (const ob_param_spec *s = specs; s && s->name; s++) {
    int k = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", s->name);
    if (k < 0 || (size_t)k >= size - used) break;
    used += (size_t)k;
  }
}

static void fmt_num(char *buf, size_t size, double v)
{
  if (isinf(v)) snprintf(buf, size, "%sinf", v < 0 ? "-" : "");
  else if (fabs(v) >= 1e6) snprintf(buf, size, "%g", v);
  else snprintf(buf, size, "%.15g", v);
}

void ob_params_range(const ob_param_spec *s, char *buf, size_t size)
{
  char lo[32], hi[32];
  buf[0] = '\0';
  if (s->kind != OB_PARAM_REAL && s->kind != OB_PARAM_INT) return;
  if (isinf(s->min) && isinf(s->max)) return;
  fmt_num(lo, sizeof lo, s->min);
  fmt_num(hi, sizeof hi, s->max);
  snprintf(buf, size, "%c%s, %s%c", (s->flags & OB_PARAM_MIN_OPEN) || isinf(s->min) ? '(' : '[',
           lo, hi, (s->flags & OB_PARAM_MAX_OPEN) || isinf(s->max) ? ')' : ']');
}

static const char *kind_name(ob_param_kind k)
{
  switch (k) {
  case OB_PARAM_REAL: return "a number";
  case OB_PARAM_INT: return "an integer";
  case OB_PARAM_BOOL: return "true or false";
  case OB_PARAM_STRING: return "a string";
  case OB_PARAM_VECTOR: return "an array of numbers";
  case OB_PARAM_OBJECT: return "an object";
  }
  return "?";
}

static const char *json_kind(const json_t *v)
{
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "an array";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: return "an integer";
  case JSON_REAL: return "a number";
  case JSON_TRUE: case JSON_FALSE: return "a boolean";
  case JSON_NULL: return "null";
  }
  return "?";
}

static int in_choices(const char *choices, const char *v)
{
  size_t lv = strlen(v);
  for (const char *p = choices; *p;) {
    const char *bar = strchr(p, '|');
    size_t l = bar ? (size_t)(bar - p) : strlen(p);
    if (l == lv && strncmp(p, v, l) == 0) return 1;
    if (!bar) break;
    p = bar + 1;
  }
  return 0;
}

int ob_params_check_value(const ob_param_spec *s, const json_t *v, const char *path, ob_error *err)
{
  if (json_is_null(v)) {
    if (s->flags & OB_PARAM_NULLABLE) return OB_OK;
    return ob_error_at(err, OB_EINVAL, path, "expected %s, got null", kind_name(s->kind));
  }
  switch (s->kind) {
  case OB_PARAM_REAL:
  case OB_PARAM_INT: {
    if (s->kind == OB_PARAM_INT && json_is_real(v)) {
      char val[32];
      fmt_num(val, sizeof val, json_real_value(v));
      return ob_error_at(err, OB_EINVAL, path, "expected an integer, got %s", val);
    }
    if (s->kind == OB_PARAM_INT ? !json_is_integer(v) : !json_is_number(v))
      return ob_error_at(err, OB_EINVAL, path, "expected %s, got %s", kind_name(s->kind), json_kind(v));
    double x = json_number_value(v);
    int lo_bad = (s->flags & OB_PARAM_MIN_OPEN) ? !(x > s->min) : !(x >= s->min);
    int hi_bad = (s->flags & OB_PARAM_MAX_OPEN) ? !(x < s->max) : !(x <= s->max);
    if (lo_bad || hi_bad) {
      char range[80], val[32];
      ob_params_range(s, range, sizeof range);
      fmt_num(val, sizeof val, x);
      return ob_error_at(err, OB_EINVAL, path, "%s is out of range: expected a value in %s", val, range);
    }
    return OB_OK;
  }
  case OB_PARAM_BOOL:
    if (!json_is_boolean(v))
      return ob_error_at(err, OB_EINVAL, path, "expected true or false, got %s", json_kind(v));
    return OB_OK;
  case OB_PARAM_STRING:
    if (!json_is_string(v))
      return ob_error_at(err, OB_EINVAL, path, "expected a string, got %s", json_kind(v));
    if (s->choices && !in_choices(s->choices, json_string_value(v))) {
      char alt[256];
      snprintf(alt, sizeof alt, "%s", s->choices);
      for (char *p = alt; *p; p++) if (*p == '|') *p = ',';
      return ob_error_at(err, OB_EINVAL, path, "'%s' is not one of: %s", json_string_value(v), alt);
    }
    return OB_OK;
  case OB_PARAM_VECTOR: {
    if (!json_is_array(v))
      return ob_error_at(err, OB_EINVAL, path, "expected an array of numbers, got %s", json_kind(v));
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
      if (!json_is_number(e)) {
        char p2[256];
        snprintf(p2, sizeof p2, "%s[%zu]", path, i);
        return ob_error_at(err, OB_EINVAL, p2, "expected a number, got %s", json_kind(e));
      }
      double x = json_number_value(e);
      if (x < s->min || x > s->max) {
        char p2[256];
        snprintf(p2, sizeof p2, "%s[%zu]", path, i);
        return ob_error_at(err, OB_EINVAL, p2, "%.15g is out of range", x);
      }
    }
    return OB_OK;
  }
  case OB_PARAM_OBJECT:
    if (!json_is_object(v))
      return ob_error_at(err, OB_EINVAL, path, "expected an object, got %s", json_kind(v));
    return OB_OK;
  }
  return ob_error_at(err, OB_EINTERNAL, path, "unknown parameter kind");
}

static int is_skipped(const char *key, const char *const *skip)
{
  for (; skip && *skip; skip++)
    if (strcmp(*skip, key) == 0) return 1;
  return 0;
}

int ob_params_normalize(const ob_param_spec *specs, const json_t *given,
                        const char *const *skip, const char *path,
                        json_t **out, ob_error *err)
{
  const char *key;
  json_t *v;
  char kpath[256];
  *out = NULL;
  json_object_foreach((json_t *)given, key, v) {
    if (is_skipped(key, skip)) continue;
    const ob_param_spec *s = ob_params_find(specs, key);
    snprintf(kpath, sizeof kpath, "%s.%s", path, key);
    if (!s) {
      const char *names[128];
      size_t k = 0;
      for (const ob_param_spec *q = specs; q && q->name && k < 127; q++) names[k++] = q->name;
      names[k] = NULL;
      const char *hint = ob_did_you_mean(key, names);
      char list[512];
      ob_params_names(specs, list, sizeof list);
      if (hint)
        return ob_error_at(err, OB_EINVAL, kpath, "unknown key '%s' (did you mean '%s'?)", key, hint);
      return ob_error_at(err, OB_EINVAL, kpath, "unknown key '%s' (valid keys: %s)", key,
                         list[0] ? list : "none");
    }
    int rc = ob_params_check_value(s, v, kpath, err);
    if (rc < 0) return rc;
  }
  json_t *res = json_object();
  if (!res) return ob_error_set(err, OB_ENOMEM, "out of memory");
  for (const ob_param_spec *s = specs; s && s->name; s++) {
    json_t *gv = json_object_get(given, s->name);
    if (gv) {
      json_object_set(res, s->name, gv);
      continue;
    }
    if (!s->def) {
      snprintf(kpath, sizeof kpath, "%s", path);
      json_decref(res);
      return ob_error_at(err, OB_EINVAL, kpath, "missing required key '%s'", s->name);
    }
    json_error_t je;
    json_t *dv = json_loads(s->def, JSON_DECODE_ANY, &je);
    if (!dv) {
      json_decref(res);
      return ob_error_set(err, OB_EINTERNAL, "bad default for '%s': %s", s->name, je.text);
    }
    json_object_set_new(res, s->name, dv);
  }
  *out = res;
  return OB_OK;
}

double ob_params_real(const json_t *p, const char *name)
{
  json_t *v = json_object_get(p, name);
  return v && json_is_number(v) ? json_number_value(v) : NAN;
}

long long ob_params_int(const json_t *p, const char *name)
{
  json_t *v = json_object_get(p, name);
  return v && json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

bool ob_params_bool(const json_t *p, const char *name)
{
  return json_is_true(json_object_get(p, name));
}

const char *ob_params_string(const json_t *p, const char *name)
{
  json_t *v = json_object_get(p, name);
  return v && json_is_string(v) ? json_string_value(v) : NULL;
}

bool ob_params_is_null(const json_t *p, const char *name)
{
  json_t *v = json_object_get(p, name);
  return !v || json_is_null(v);
}
