/* suite.c -- loading, checking, normalizing and expanding suite files (see suite.h).
 *
 * Checking is done key by key so every message names the JSON path of the
 * offending value (jansson's unpack does not). Grid expansion is a Cartesian
 * product over the array-valued keys of an entry, in the order the keys appear
 * in the file, so cell order and ids are stable across runs and machines.
 */
#include "config.h"

#include <errno.h>
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/ob_fs.h"
#include "bench/ob_json.h"
#include "bench/suite.h"

static const char *const top_keys[] = {
  "schema_version", "name", "description", "seeds", "budget", "targets", "trace", "threads",
  "record_x", "problems", "optimizers", "placements", NULL
};

static const double default_targets[] = { 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8 };

#define DEFAULT_MAX_STEPS 1000
#define DEFAULT_TRACE_POINTS 100

/* ---- small checks ------------------------------------------------------ */

static int unknown_key(const char *key, const char *const *valid, const char *path, ob_error *err)
{
  char list[512] = "";
  size_t used = 0;
  const char *hint = ob_did_you_mean(key, valid);
  if (hint) return ob_error_at(err, OB_EINVAL, path, "unknown key '%s' (did you mean '%s'?)", key, hint);
  for (const char *const *v = valid; *v; v++)
    used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0, "%s%s", used ? ", " : "", *v);
  return ob_error_at(err, OB_EINVAL, path, "unknown key '%s' (valid keys: %s)", key, list);
}

static int check_keys(const json_t *obj, const char *const *valid, const char *path, ob_error *err)
{
  const char *key;
  json_t *v;
  char kp[256];
  json_object_foreach((json_t *)obj, key, v) {
    int ok = 0;
    for (const char *const *p = valid; *p; p++) if (strcmp(*p, key) == 0) { ok = 1; break; }
    if (!ok) {
      snprintf(kp, sizeof kp, "%s%s%s", path, path[0] ? "." : "", key);
      return unknown_key(key, valid, kp, err);
    }
  }
  return OB_OK;
}

/* An integer or an array of integers in [lo, hi], into a fresh array. */
static int int_list(const json_t *v, const char *path, long long lo, long long hi,
                    long long **out, size_t *n, ob_error *err)
{
  char p2[256];
  size_t cnt = json_is_array(v) ? json_array_size(v) : 1;
  if (json_is_array(v) && cnt == 0) return ob_error_at(err, OB_EINVAL, path, "must not be empty");
  long long *a = calloc(cnt, sizeof *a);
  if (!a) return ob_error_set(err, OB_ENOMEM, "out of memory");
  for (size_t i = 0; i < cnt; i++) {
    const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
    if (json_is_array(v)) snprintf(p2, sizeof p2, "%s[%zu]", path, i);
    else snprintf(p2, sizeof p2, "%s", path);
    if (!json_is_integer(e)) {
      free(a);
      return ob_error_at(err, OB_EINVAL, p2, "expected an integer%s", json_is_array(v) ? "" : " or an array of integers");
    }
    long long x = json_integer_value(e);
    if (x < lo || x > hi) {
      free(a);
      return ob_error_at(err, OB_EINVAL, p2, "%lld is out of range: expected a value in [%lld, %lld]", x, lo, hi);
    }
    for (size_t j = 0; j < i; j++)
      if (a[j] == x) { free(a); return ob_error_at(err, OB_EINVAL, p2, "%lld is listed twice", x); }
    a[i] = x;
  }
  *out = a;
  *n = cnt;
  return OB_OK;
}

static int cmp_desc(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? 1 : x > y ? -1 : 0;
}

/* ---- grid expansion ------------------------------------------------------ */

typedef struct {
  const ob_param_spec *specs;      /* type's own */
  const ob_param_spec *common;     /* shared by every type of the family (may be NULL) */
  ob_param_spec *merged;           /* both, for ob_params_normalize */
} spec_set;

static const ob_param_spec *spec_lookup(const spec_set *ss, const char *key)
{
  const ob_param_spec *s = ob_params_find(ss->specs, key);
  return s ? s : ob_params_find(ss->common, key);
}

static int merge_specs(spec_set *ss, ob_error *err)
{
  size_t a = 0, b = 0;
  for (const ob_param_spec *s = ss->specs; s && s->name; s++) a++;
  for (const ob_param_spec *s = ss->common; s && s->name; s++) b++;
  ss->merged = calloc(a + b + 1, sizeof *ss->merged);
  if (!ss->merged) return ob_error_set(err, OB_ENOMEM, "out of memory");
  if (a) memcpy(ss->merged, ss->specs, a * sizeof *ss->merged);
  if (b) memcpy(ss->merged + a, ss->common, b * sizeof *ss->merged);
  return OB_OK;
}

static int is_axis(const spec_set *ss, const char *key, const json_t *v)
{
  if (!json_is_array(v) || strcmp(key, "type") == 0 || strcmp(key, "id") == 0) return 0;
  const ob_param_spec *s = spec_lookup(ss, key);
  if (!s) return 0;      /* unknown: normalize reports it */
  return s->kind != OB_PARAM_VECTOR && !(s->flags & OB_PARAM_NO_GRID);
}

static int id_append(char *id, size_t size, const char *key, const json_t *v)
{
  char val[128], part[192];
  ob_json_fmt_scalar(val, sizeof val, v);
  snprintf(part, sizeof part, "-%s%s", key, val);
  for (char *p = part; *p; p++)
    if (*p == '/' || isspace((unsigned char)*p)) *p = '_';
  size_t used = strlen(id);
  if (used + strlen(part) >= size) return -1;
  snprintf(id + used, size - used, "%s", part);
  return 0;
}

/* The id part of an object-valued optimizer parameter: a schedule adds
 * "-sched<type>", a wrapper's inner spec adds "+<inner type>" followed by the
 * inner's given scalar keys ("lookahead-k5+adam-lr0.01"). Other objects add
 * nothing. */
static int object_id_append(char *id, size_t size, const char *key, const json_t *v)
{
  if (!json_is_object(v)) return 0;
  const json_t *ty = json_object_get(v, "type");
  if (!json_is_string(ty)) return 0;
  if (strcmp(key, "schedule") == 0) return id_append(id, size, "sched", ty);
  if (strcmp(key, "inner") != 0) return 0;
  size_t used = strlen(id);
  if (used + 1 + json_string_length(ty) >= size) return -1;
  snprintf(id + used, size - used, "+%s", json_string_value(ty));
  const char *k;
  json_t *e;
  json_object_foreach((json_t *)v, k, e) {
    if (strcmp(k, "type") == 0) continue;
    if (json_is_object(e)) {
      if (object_id_append(id, size, k, e) < 0) return -1;
    } else if (!json_is_array(e) && !json_is_null(e) && id_append(id, size, k, e) < 0) {
      return -1;
    }
  }
  return 0;
}

typedef int (*variant_fn)(void *ctx, const json_t *variant, const char *id, ob_error *err);

/* Expands one entry into its variants and calls fn(ctx, variant, id) for each. */
static int expand_entry(const json_t *entry, const char *path, const spec_set *ss,
                        const char *type_name, variant_fn fn, void *ctx, ob_error *err)
{
  const char *keys[64];
  const json_t *vals[64];
  size_t nax = 0, idx[64];
  const char *key;
  json_t *v;
  char kp[256];
  json_object_foreach((json_t *)entry, key, v) {
    if (!is_axis(ss, key, v)) continue;
    snprintf(kp, sizeof kp, "%s.%s", path, key);
    if (json_array_size(v) == 0) return ob_error_at(err, OB_EINVAL, kp, "empty grid: give at least one value");
    if (nax == 64) return ob_error_at(err, OB_EINVAL, kp, "too many grid axes");
    const ob_param_spec *s = spec_lookup(ss, key);
    for (size_t i = 0; i < json_array_size(v); i++) {
      char ep[300];
      snprintf(ep, sizeof ep, "%s[%zu]", kp, i);
      int rc = ob_params_check_value(s, json_array_get(v, i), ep, err);
      if (rc < 0) return rc;
      for (size_t k = 0; k < i; k++)
        if (json_equal(json_array_get(v, k), json_array_get(v, i))) {
          char val[64];
          ob_json_fmt_scalar(val, sizeof val, json_array_get(v, i));
          return ob_error_at(err, OB_EINVAL, ep, "%s is listed twice in this grid", val);
        }
    }
    keys[nax] = key;
    vals[nax] = v;
    idx[nax++] = 0;
  }
  const json_t *given_id = json_object_get(entry, "id");
  for (;;) {
    json_t *variant = json_deep_copy(entry);
    char id[OB_ID_MAX];
    if (!variant) return ob_error_set(err, OB_ENOMEM, "out of memory");
    for (size_t a = 0; a < nax; a++) json_object_set(variant, keys[a], json_array_get(vals[a], idx[a]));
    if (given_id) snprintf(id, sizeof id, "%s", json_string_value(given_id));
    else snprintf(id, sizeof id, "%s", type_name);
    json_object_foreach(variant, key, v) {
      if (strcmp(key, "type") == 0 || strcmp(key, "id") == 0) continue;
      const ob_param_spec *s = spec_lookup(ss, key);
      if (!s || (s->flags & OB_PARAM_HIDE_IN_ID) || s->kind == OB_PARAM_VECTOR) continue;
      int axis = 0;
      for (size_t a = 0; a < nax; a++) if (strcmp(keys[a], key) == 0) axis = 1;
      if (given_id && !axis) continue;
      if (s->kind == OB_PARAM_OBJECT ? object_id_append(id, sizeof id, key, v) < 0
                                     : id_append(id, sizeof id, s->id_key ? s->id_key : key, v) < 0) {
        json_decref(variant);
        return ob_error_at(err, OB_EINVAL, path, "the generated id is longer than %d characters; give a shorter \"id\"",
                           OB_ID_MAX - 1);
      }
    }
    int rc = fn(ctx, variant, id, err);
    json_decref(variant);
    if (rc < 0) return rc;
    size_t a = nax;
    while (a > 0) {
      a--;
      if (++idx[a] < json_array_size(vals[a])) break;
      idx[a] = 0;
      if (a == 0) return OB_OK;
    }
    if (nax == 0) return OB_OK;
  }
}

/* ---- problems and optimizers ------------------------------------------- */

typedef struct {
  ob_suite *s;
  const char *path;
  const spec_set *ss;
  const ob_problem_type *ptype;
  const ob_optimizer_type *otype;
} add_ctx;

static void prefix_path(ob_error *err, const char *prefix)
{
  if (!err) return;
  char p[256];
  if (err->path[0]) snprintf(p, sizeof p, "%s.%s", prefix, err->path);
  else snprintf(p, sizeof p, "%s", prefix);
  snprintf(err->path, sizeof err->path, "%s", p);
}

static const char *const entry_skip[] = { "type", "id", NULL };

static int resolve_paths(json_t *params, const spec_set *ss, const char *dir)
{
  for (const ob_param_spec *s = ss->merged; s->name; s++) {
    if (!(s->flags & OB_PARAM_PATH)) continue;
    json_t *v = json_object_get(params, s->name);
    char buf[PATH_MAX];
    if (v && json_is_object(v)) {
      /* an object with OB_PARAM_PATH: each string member names a file (logreg's
       * {"libsvm": PATH}); copied, so the suite's own object stays as given */
      json_t *c = json_deep_copy(v), *m;
      const char *k;
      if (!c) continue;
      json_object_foreach(c, k, m) {
        if (!json_is_string(m)) continue;
        ob_fs_resolve(dir, json_string_value(m), buf, sizeof buf);
        json_object_set_new(c, k, json_string(buf));
      }
      json_object_set_new(params, s->name, c);
      continue;
    }
    if (!v || !json_is_string(v)) continue;
    ob_fs_resolve(dir, json_string_value(v), buf, sizeof buf);
    json_object_set_new(params, s->name, json_string(buf));
  }
  return OB_OK;
}

static int add_problem(void *vctx, const json_t *variant, const char *id, ob_error *err)
{
  add_ctx *c = vctx;
  ob_suite *s = c->s;
  json_t *params;
  int rc = ob_params_normalize(c->ss->merged, variant, entry_skip, c->path, &params, err);
  if (rc < 0) return rc;
  resolve_paths(params, c->ss, s->dir);
  ob_suite_problem *np = realloc(s->problems, (s->nproblems + 1) * sizeof *np);
  if (!np) { json_decref(params); return ob_error_set(err, OB_ENOMEM, "out of memory"); }
  s->problems = np;
  ob_suite_problem *p = &s->problems[s->nproblems++];
  memset(p, 0, sizeof *p);
  snprintf(p->id, sizeof p->id, "%s", id);
  snprintf(p->path, sizeof p->path, "%s", c->path);
  p->type = c->ptype;
  p->params = params;
  /* Trial configuration: catches x0 of the wrong length, missing data files,
   * impossible sizes -- at validate time, not an hour into a run. */
  ob_placement *pl;
  ob_memtier *mem = NULL;
  ob_problem *prob = NULL;
  json_t *local = json_string("local");
  rc = ob_placement_parse(local, "", &pl, err);
  json_decref(local);
  if (rc < 0) return rc;
  rc = ob_memtier_open(pl, &mem, err);
  if (rc == OB_OK) rc = ob_problem_alloc(c->ptype, params, s->nseeds ? s->seeds[0] : 0, mem, &prob, err);
  if (rc == OB_OK) p->n = prob->n;
  else prefix_path(err, c->path);
  ob_problem_free(prob);
  ob_memtier_close(mem);
  ob_placement_free(pl);
  return rc;
}

static int add_optimizer(void *vctx, const json_t *variant, const char *id, ob_error *err)
{
  add_ctx *c = vctx;
  ob_suite *s = c->s;
  json_t *params;
  /* the driver's normalization: own + common params, the schedule (horizon
   * defaulting to the step budget) and nested "inner" specs */
  int rc = ob_optimizer_params_normalize(c->otype, variant, entry_skip, c->path, s->max_steps, &params, err);
  if (rc < 0) return rc;
  resolve_paths(params, c->ss, s->dir);
  ob_suite_optimizer *no = realloc(s->optimizers, (s->noptimizers + 1) * sizeof *no);
  if (!no) { json_decref(params); return ob_error_set(err, OB_ENOMEM, "out of memory"); }
  s->optimizers = no;
  ob_suite_optimizer *o = &s->optimizers[s->noptimizers++];
  memset(o, 0, sizeof *o);
  snprintf(o->id, sizeof o->id, "%s", id);
  snprintf(o->path, sizeof o->path, "%s", c->path);
  o->type = c->otype;
  o->params = params;
  ob_optimizer *trial = NULL;
  rc = ob_optimizer_alloc(c->otype, params, &trial, err);
  if (rc < 0) prefix_path(err, c->path);
  ob_optimizer_free(trial);
  return rc;
}

static int entry_type(const json_t *entry, const char *path, const char *family,
                      const char *const *names, const char **type, ob_error *err)
{
  char kp[256];
  if (!json_is_object(entry))
    return ob_error_at(err, OB_EINVAL, path, "expected an object with a \"type\"");
  json_t *t = json_object_get(entry, "type");
  if (!t) return ob_error_at(err, OB_EINVAL, path, "missing required key 'type'");
  snprintf(kp, sizeof kp, "%s.type", path);
  if (!json_is_string(t)) return ob_error_at(err, OB_EINVAL, kp, "expected a string");
  json_t *id = json_object_get(entry, "id");
  if (id) {
    snprintf(kp, sizeof kp, "%s.id", path);
    if (!json_is_string(id) || json_string_length(id) == 0 || json_string_length(id) > 120)
      return ob_error_at(err, OB_EINVAL, kp, "expected a non-empty string of at most 120 characters");
    for (const char *p = json_string_value(id); *p; p++)
      if (*p == '/' || isspace((unsigned char)*p))
        return ob_error_at(err, OB_EINVAL, kp, "'%s' may not contain '/' or spaces", json_string_value(id));
  }
  *type = json_string_value(t);
  for (const char *const *n = names; *n; n++) if (strcmp(*n, *type) == 0) return OB_OK;
  snprintf(kp, sizeof kp, "%s.type", path);
  const char *hint = ob_did_you_mean(*type, names);
  if (hint) return ob_error_at(err, OB_EINVAL, kp, "unknown %s '%s' (did you mean '%s'?)", family, *type, hint);
  /* the registries grow: point at the list rather than print all of it */
  return ob_error_at(err, OB_EINVAL, kp, "unknown %s '%s' (see 'optbench list %ss')", family, *type, family);
}

static int load_problems(ob_suite *s, const json_t *arr, ob_error *err)
{
  const char *names[256];
  size_t k = 0;
  for (const ob_problem_type *const *t = ob_problem_types(); *t && k < 255; t++) names[k++] = (*t)->name;
  names[k] = NULL;
  if (!arr) return ob_error_at(err, OB_EINVAL, "", "missing required key 'problems'");
  if (!json_is_array(arr) || json_array_size(arr) == 0)
    return ob_error_at(err, OB_EINVAL, "problems", "expected a non-empty array of problem objects");
  for (size_t i = 0; i < json_array_size(arr); i++) {
    char path[64];
    const char *type;
    snprintf(path, sizeof path, "problems[%zu]", i);
    const json_t *e = json_array_get(arr, i);
    int rc = entry_type(e, path, "problem", names, &type, err);
    if (rc < 0) return rc;
    spec_set ss = { ob_problem_type_find(type)->params, ob_problem_common_params, NULL };
    if ((rc = merge_specs(&ss, err)) < 0) return rc;
    add_ctx c = { s, path, &ss, ob_problem_type_find(type), NULL };
    rc = expand_entry(e, path, &ss, type, add_problem, &c, err);
    free(ss.merged);
    if (rc < 0) return rc;
  }
  return OB_OK;
}

static int load_optimizers(ob_suite *s, const json_t *arr, ob_error *err)
{
  const char *names[256];
  size_t k = 0;
  for (const ob_optimizer_type *const *t = ob_optimizer_types(); *t && k < 255; t++) names[k++] = (*t)->name;
  names[k] = NULL;
  if (!arr) return ob_error_at(err, OB_EINVAL, "", "missing required key 'optimizers'");
  if (!json_is_array(arr) || json_array_size(arr) == 0)
    return ob_error_at(err, OB_EINVAL, "optimizers", "expected a non-empty array of optimizer objects");
  for (size_t i = 0; i < json_array_size(arr); i++) {
    char path[64];
    const char *type;
    snprintf(path, sizeof path, "optimizers[%zu]", i);
    const json_t *e = json_array_get(arr, i);
    int rc = entry_type(e, path, "optimizer", names, &type, err);
    if (rc < 0) return rc;
    spec_set ss = { ob_optimizer_type_find(type)->params, ob_optimizer_common_params, NULL };
    if ((rc = merge_specs(&ss, err)) < 0) return rc;
    add_ctx c = { s, path, &ss, NULL, ob_optimizer_type_find(type) };
    rc = expand_entry(e, path, &ss, type, add_optimizer, &c, err);
    free(ss.merged);
    if (rc < 0) return rc;
  }
  return OB_OK;
}

/* ---- top level ----------------------------------------------------------- */

static int load_budget(ob_suite *s, const json_t *b, ob_error *err)
{
  static const char *const keys[] = { "max_steps", "max_seconds", NULL };
  s->max_steps = DEFAULT_MAX_STEPS;
  s->max_seconds = 0;
  if (!b) return OB_OK;
  if (!json_is_object(b)) return ob_error_at(err, OB_EINVAL, "budget", "expected an object");
  int rc = check_keys(b, keys, "budget", err);
  if (rc < 0) return rc;
  json_t *ms = json_object_get(b, "max_steps"), *sec = json_object_get(b, "max_seconds");
  if (ms) {
    if (json_is_null(ms)) s->max_steps = 0;
    else if (!json_is_integer(ms) || json_integer_value(ms) < 1)
      return ob_error_at(err, OB_EINVAL, "budget.max_steps", "expected a positive integer or null");
    else s->max_steps = json_integer_value(ms);
  }
  if (sec && !json_is_null(sec)) {
    if (!json_is_number(sec) || !(json_number_value(sec) > 0) || !isfinite(json_number_value(sec)))
      return ob_error_at(err, OB_EINVAL, "budget.max_seconds", "expected a positive number of seconds or null");
    s->max_seconds = json_number_value(sec);
  }
  if (!s->max_steps && !s->max_seconds)
    return ob_error_at(err, OB_EINVAL, "budget", "max_steps and max_seconds are both null: a run would never end");
  return OB_OK;
}

static int load_targets(ob_suite *s, const json_t *t, ob_error *err)
{
  static const char *const keys[] = { "f_gap", "stop", NULL };
  const json_t *fg = NULL;
  s->stop_at_target = true;
  if (t) {
    if (!json_is_object(t)) return ob_error_at(err, OB_EINVAL, "targets", "expected an object");
    int rc = check_keys(t, keys, "targets", err);
    if (rc < 0) return rc;
    fg = json_object_get(t, "f_gap");
    json_t *stop = json_object_get(t, "stop");
    if (stop) {
      if (!json_is_boolean(stop)) return ob_error_at(err, OB_EINVAL, "targets.stop", "expected true or false");
      s->stop_at_target = json_is_true(stop);
    }
  }
  if (!fg) {
    s->ntargets = sizeof default_targets / sizeof default_targets[0];
    s->targets = malloc(sizeof default_targets);
    if (!s->targets) return ob_error_set(err, OB_ENOMEM, "out of memory");
    memcpy(s->targets, default_targets, sizeof default_targets);
    return OB_OK;
  }
  size_t n = json_is_array(fg) ? json_array_size(fg) : 1;
  if (json_is_array(fg) && n == 0) return ob_error_at(err, OB_EINVAL, "targets.f_gap", "must not be empty");
  s->targets = calloc(n, sizeof *s->targets);
  if (!s->targets) return ob_error_set(err, OB_ENOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const json_t *e = json_is_array(fg) ? json_array_get(fg, i) : fg;
    char p[64];
    if (json_is_array(fg)) snprintf(p, sizeof p, "targets.f_gap[%zu]", i);
    else snprintf(p, sizeof p, "targets.f_gap");
    if (!json_is_number(e) || !(json_number_value(e) > 0) || !isfinite(json_number_value(e)))
      return ob_error_at(err, OB_EINVAL, p, "expected a positive number (a gap to the optimum)");
    s->targets[i] = json_number_value(e);
  }
  s->ntargets = n;
  qsort(s->targets, n, sizeof *s->targets, cmp_desc);
  return OB_OK;
}

static int load_placements(ob_suite *s, const json_t *pls, ob_error *err)
{
  json_t *def = NULL;
  if (!pls) pls = def = json_pack("[s]", "local");
  size_t n = json_is_array(pls) ? json_array_size(pls) : 1;
  if (json_is_array(pls) && n == 0) return ob_error_at(err, OB_EINVAL, "placements", "must not be empty");
  if (json_is_array(pls)) {   /* "@presets" stands for every named preset (memtier.h) */
    json_t *expanded = ob_placement_expand_presets(pls);
    json_decref(def);
    pls = def = expanded;
    n = json_array_size(pls);
  }
  s->placements = calloc(n, sizeof *s->placements);
  int rc = s->placements ? OB_OK : ob_error_set(err, OB_ENOMEM, "out of memory");
  for (size_t i = 0; rc == OB_OK && i < n; i++) {
    char p[64];
    snprintf(p, sizeof p, json_is_array(pls) ? "placements[%zu]" : "placements", i);
    rc = ob_placement_parse(json_is_array(pls) ? json_array_get(pls, i) : pls, p, &s->placements[i], err);
    if (rc < 0) break;
    s->nplacements++;
    for (size_t j = 0; j < i; j++)
      if (strcmp(ob_placement_name(s->placements[j]), ob_placement_name(s->placements[i])) == 0) {
        rc = ob_error_at(err, OB_EINVAL, p, "placement name '%s' is used twice", ob_placement_name(s->placements[i]));
        break;
      }
  }
  json_decref(def);
  return rc;
}

static int check_unique_ids(const ob_suite *s, ob_error *err)
{
  for (size_t i = 0; i < s->nproblems; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp(s->problems[i].id, s->problems[j].id) == 0)
        return ob_error_at(err, OB_EINVAL, s->problems[i].path,
                           "problem id '%s' is also produced by %s; give one of them an explicit \"id\"",
                           s->problems[i].id, s->problems[j].path);
  for (size_t i = 0; i < s->noptimizers; i++)
    for (size_t j = 0; j < i; j++)
      if (strcmp(s->optimizers[i].id, s->optimizers[j].id) == 0)
        return ob_error_at(err, OB_EINVAL, s->optimizers[i].path,
                           "optimizer id '%s' is also produced by %s; give one of them an explicit \"id\"",
                           s->optimizers[i].id, s->optimizers[j].path);
  return OB_OK;
}

static int build_cells(ob_suite *s, ob_error *err)
{
  size_t n = 1;
  const size_t f[5] = { s->nproblems, s->noptimizers, s->nplacements, s->nthreads, s->nseeds };
  for (int i = 0; i < 5; i++) {
    if (f[i] && n > OB_SUITE_MAX_CELLS / f[i])
      return ob_error_at(err, OB_EINVAL, "", "the suite expands to more than %d cells: shrink the grids",
                         OB_SUITE_MAX_CELLS);
    n *= f[i];
  }
  s->cells = calloc(n ? n : 1, sizeof *s->cells);
  if (!s->cells) return ob_error_set(err, OB_ENOMEM, "out of memory for %zu cells", n);
  for (size_t p = 0; p < s->nproblems; p++)
    for (size_t o = 0; o < s->noptimizers; o++)
      for (size_t l = 0; l < s->nplacements; l++)
        for (size_t t = 0; t < s->nthreads; t++)
          for (size_t k = 0; k < s->nseeds; k++) {
            ob_cell *c = &s->cells[s->ncells++];
            c->problem = p;
            c->optimizer = o;
            c->placement = l;
            c->threads = s->threads[t];
            c->seed = s->seeds[k];
            snprintf(c->id, sizeof c->id, "%s/%s/%s/t%d/s%llu", s->problems[p].id, s->optimizers[o].id,
                     ob_placement_name(s->placements[l]), c->threads, (unsigned long long)c->seed);
          }
  return OB_OK;
}

static json_t *normalized_json(const ob_suite *s)
{
  json_t *o = json_object(), *a;
  json_object_set_new(o, "schema_version", json_integer(OB_SUITE_SCHEMA_VERSION));
  json_object_set_new(o, "name", json_string(s->name));
  json_object_set_new(o, "description", json_string(s->description ? s->description : ""));
  a = json_array();
  for (size_t i = 0; i < s->nseeds; i++) json_array_append_new(a, json_integer((json_int_t)s->seeds[i]));
  json_object_set_new(o, "seeds", a);
  a = json_array();
  for (size_t i = 0; i < s->nthreads; i++) json_array_append_new(a, json_integer(s->threads[i]));
  json_object_set_new(o, "threads", a);
  json_object_set_new(o, "budget", json_pack("{s:o, s:o}",
      "max_steps", s->max_steps ? json_integer(s->max_steps) : json_null(),
      "max_seconds", s->max_seconds ? json_real(s->max_seconds) : json_null()));
  json_object_set_new(o, "targets", json_pack("{s:o, s:b}", "f_gap", ob_json_vec(s->targets, s->ntargets),
                                              "stop", s->stop_at_target));
  json_object_set_new(o, "trace", json_pack("{s:i}", "points", s->trace_points));
  json_object_set_new(o, "record_x", json_boolean(s->record_x));
  a = json_array();
  for (size_t i = 0; i < s->nproblems; i++)
    json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:O}", "id", s->problems[i].id, "type",
                                       s->problems[i].type->name, "dim", (json_int_t)s->problems[i].n,
                                       "params", s->problems[i].params));
  json_object_set_new(o, "problems", a);
  a = json_array();
  for (size_t i = 0; i < s->noptimizers; i++)
    json_array_append_new(a, json_pack("{s:s, s:s, s:O}", "id", s->optimizers[i].id, "type",
                                       s->optimizers[i].type->name, "params", s->optimizers[i].params));
  json_object_set_new(o, "optimizers", a);
  a = json_array();
  for (size_t i = 0; i < s->nplacements; i++)
    json_array_append_new(a, json_pack("{s:s, s:o}", "name", ob_placement_name(s->placements[i]),
                                       "requested", ob_placement_request_json(s->placements[i])));
  json_object_set_new(o, "placements", a);
  json_object_set_new(o, "cells", json_integer((json_int_t)s->ncells));
  return o;
}

static void default_name(const char *path, char *buf, size_t size)
{
  const char *base = path ? strrchr(path, '/') : NULL;
  base = base ? base + 1 : path ? path : "suite";
  snprintf(buf, size, "%s", base);
  char *dot = strrchr(buf, '.');
  if (dot && dot != buf) *dot = '\0';
  for (char *p = buf; *p; p++)       /* it names the results file */
    if (!isalnum((unsigned char)*p) && !strchr("._-", *p)) *p = '_';
}

static int load(ob_suite *s, const json_t *root, ob_error *err)
{
  int rc;
  long long *tmp;
  if (!json_is_object(root))
    return ob_error_at(err, OB_EINVAL, "", "a suite must be a JSON object, got %s",
                       json_is_array(root) ? "an array" : "a scalar");
  if ((rc = check_keys(root, top_keys, "", err)) < 0) return rc;
  json_t *v = json_object_get(root, "schema_version");
  if (v && !json_is_integer(v))
    return ob_error_at(err, OB_EINVAL, "schema_version", "expected the integer %d", OB_SUITE_SCHEMA_VERSION);
  if (v && json_integer_value(v) != OB_SUITE_SCHEMA_VERSION)
    return ob_error_at(err, OB_EINVAL, "schema_version", "version %" JSON_INTEGER_FORMAT " is not supported: "
                       "this optbench reads version %d", json_integer_value(v), OB_SUITE_SCHEMA_VERSION);
  v = json_object_get(root, "name");
  if (v) {
    if (!json_is_string(v) || !json_string_length(v) || json_string_length(v) >= sizeof s->name)
      return ob_error_at(err, OB_EINVAL, "name", "expected a non-empty string of at most %zu characters",
                         sizeof s->name - 1);
    for (const char *p = json_string_value(v); *p; p++)
      if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
        return ob_error_at(err, OB_EINVAL, "name", "'%s' may contain only letters, digits, '.', '_' and '-' "
                           "(it names the results file)", json_string_value(v));
    snprintf(s->name, sizeof s->name, "%s", json_string_value(v));
  } else {
    default_name(s->path, s->name, sizeof s->name);
  }
  v = json_object_get(root, "description");
  if (v && !json_is_string(v)) return ob_error_at(err, OB_EINVAL, "description", "expected a string");
  s->description = strdup(v ? json_string_value(v) : "");
  if (!s->description) return ob_error_set(err, OB_ENOMEM, "out of memory");
  v = json_object_get(root, "seeds");
  if (v) {
    if ((rc = int_list(v, "seeds", 0, (long long)1 << 53, &tmp, &s->nseeds, err)) < 0) return rc;
    s->seeds = malloc(s->nseeds * sizeof *s->seeds);
    if (!s->seeds) { free(tmp); return ob_error_set(err, OB_ENOMEM, "out of memory"); }
    for (size_t i = 0; i < s->nseeds; i++) s->seeds[i] = (uint64_t)tmp[i];
    free(tmp);
  } else {
    s->seeds = calloc(1, sizeof *s->seeds);
    if (!s->seeds) return ob_error_set(err, OB_ENOMEM, "out of memory");
    s->nseeds = 1;
  }
  v = json_object_get(root, "threads");
  if (v) {
    if ((rc = int_list(v, "threads", 1, 1024, &tmp, &s->nthreads, err)) < 0) return rc;
    s->threads = malloc(s->nthreads * sizeof *s->threads);
    if (!s->threads) { free(tmp); return ob_error_set(err, OB_ENOMEM, "out of memory"); }
    for (size_t i = 0; i < s->nthreads; i++) s->threads[i] = (int)tmp[i];
    free(tmp);
  } else {
    s->threads = malloc(sizeof *s->threads);
    if (!s->threads) return ob_error_set(err, OB_ENOMEM, "out of memory");
    s->threads[0] = 1;
    s->nthreads = 1;
  }
  if ((rc = load_budget(s, json_object_get(root, "budget"), err)) < 0) return rc;
  if ((rc = load_targets(s, json_object_get(root, "targets"), err)) < 0) return rc;
  s->trace_points = DEFAULT_TRACE_POINTS;
  v = json_object_get(root, "trace");
  if (v) {
    static const char *const keys[] = { "points", NULL };
    if (!json_is_object(v)) return ob_error_at(err, OB_EINVAL, "trace", "expected an object");
    if ((rc = check_keys(v, keys, "trace", err)) < 0) return rc;
    json_t *pts = json_object_get(v, "points");
    if (pts) {
      if (!json_is_integer(pts) || json_integer_value(pts) < 2 || json_integer_value(pts) > 100000)
        return ob_error_at(err, OB_EINVAL, "trace.points", "expected an integer in [2, 100000]");
      s->trace_points = (int)json_integer_value(pts);
    }
  }
  v = json_object_get(root, "record_x");
  if (v) {
    if (!json_is_boolean(v)) return ob_error_at(err, OB_EINVAL, "record_x", "expected true or false");
    s->record_x = json_is_true(v);
  }
  if ((rc = load_placements(s, json_object_get(root, "placements"), err)) < 0) return rc;
  if ((rc = load_problems(s, json_object_get(root, "problems"), err)) < 0) return rc;
  if ((rc = load_optimizers(s, json_object_get(root, "optimizers"), err)) < 0) return rc;
  if ((rc = check_unique_ids(s, err)) < 0) return rc;
  if ((rc = build_cells(s, err)) < 0) return rc;
  s->normalized = normalized_json(s);
  return s->normalized ? OB_OK : ob_error_set(err, OB_ENOMEM, "out of memory");
}

int ob_suite_from_json(const json_t *root, const char *path, ob_suite **out, ob_error *err)
{
  char dir[PATH_MAX];
  ob_suite *s = calloc(1, sizeof *s);
  *out = NULL;
  if (!s) return ob_error_set(err, OB_ENOMEM, "out of memory");
  ob_fs_dirname(path ? path : "suite.json", dir, sizeof dir);
  s->path = strdup(path ? path : "");
  s->dir = strdup(dir);
  int rc = s->path && s->dir ? load(s, root, err) : ob_error_set(err, OB_ENOMEM, "out of memory");
  if (rc < 0) {
    if (path) ob_error_source(err, path);
    ob_suite_free(s);
    return rc;
  }
  *out = s;
  return OB_OK;
}

int ob_suite_load(const char *path, ob_suite **out, ob_error *err)
{
  json_t *root;
  *out = NULL;
  int rc = ob_json_load_file(path, &root, err);
  if (rc < 0) return rc;
  rc = ob_suite_from_json(root, path, out, err);
  json_decref(root);
  return rc;
}

/* Rebuilds cells and the normalized suite after an override. */
static int rebuild(ob_suite *s, ob_error *err)
{
  free(s->cells);
  s->cells = NULL;
  s->ncells = 0;
  int rc = build_cells(s, err);
  if (rc < 0) return rc;
  json_decref(s->normalized);
  s->normalized = normalized_json(s);
  return s->normalized ? OB_OK : ob_error_set(err, OB_ENOMEM, "out of memory");
}

int ob_suite_override_threads(ob_suite *s, int threads, ob_error *err)
{
  if (threads < 1 || threads > 1024)
    return ob_error_set(err, OB_EINVAL, "--threads %d is out of range: expected a value in [1, 1024]", threads);
  s->threads[0] = threads;
  s->nthreads = 1;
  return rebuild(s, err);
}

#define OB_SEED_MAX ((uint64_t)1 << 53)

static int cmp_u64(const void *x, const void *y)
{
  const uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return a < b ? -1 : a > b;
}
#define OB_SEEDS_MAX 1000000

int ob_suite_parse_seeds(const char *text, uint64_t **out, size_t *n, ob_error *err)
{
  uint64_t *a = NULL;
  size_t cnt = 0, cap = 0;
  const char *p = text;
  *out = NULL;
  *n = 0;
  if (!*p) return ob_error_set(err, OB_EINVAL, "--seeds: empty list");
  while (*p) {
    uint64_t lo, hi;
    char *end;
    if (*p < '0' || *p > '9') goto syntax;
    errno = 0;
    lo = strtoull(p, &end, 10);
    if (errno || lo > OB_SEED_MAX) goto range;
    hi = lo;
    p = end;
    if (*p == '-') {
      p++;
      if (*p < '0' || *p > '9') goto syntax;
      hi = strtoull(p, &end, 10);
      if (errno || hi > OB_SEED_MAX) goto range;
      if (hi < lo) {
        free(a);
        return ob_error_set(err, OB_EINVAL, "--seeds: range %llu-%llu is empty (write it low-high)",
                            (unsigned long long)lo, (unsigned long long)hi);
      }
      p = end;
    }
    if (hi - lo >= OB_SEEDS_MAX || cnt + (hi - lo) >= OB_SEEDS_MAX) {
      free(a);
      return ob_error_set(err, OB_EINVAL, "--seeds: more than %d seeds", OB_SEEDS_MAX);
    }
    for (uint64_t v = lo;; v++) {
      if (cnt == cap) {
        size_t nc = cap ? 2 * cap : 16;
        uint64_t *na = realloc(a, nc * sizeof *na);
        if (!na) { free(a); return ob_error_set(err, OB_ENOMEM, "out of memory"); }
        a = na;
        cap = nc;
      }
      a[cnt++] = v;
      if (v == hi) break;
    }
    if (*p == ',') {
      p++;
      if (!*p) goto syntax;
    } else if (*p) {
      goto syntax;
    }
  }
  /* no seed twice: a sorted copy, so that 10^6 seeds stay O(n log n) */
  uint64_t *sorted = malloc(cnt * sizeof *sorted);
  if (!sorted) { free(a); return ob_error_set(err, OB_ENOMEM, "out of memory"); }
  memcpy(sorted, a, cnt * sizeof *sorted);
  qsort(sorted, cnt, sizeof *sorted, cmp_u64);
  for (size_t j = 1; j < cnt; j++)
    if (sorted[j] == sorted[j - 1]) {
      const unsigned long long dup = (unsigned long long)sorted[j];
      free(sorted);
      free(a);
      return ob_error_set(err, OB_EINVAL, "--seeds: seed %llu is listed twice", dup);
    }
  free(sorted);
  *out = a;
  *n = cnt;
  return OB_OK;
syntax:
  free(a);
  return ob_error_set(err, OB_EINVAL, "--seeds '%s': expected a list of seeds and ranges such as 0-39 or 1,5,7-9",
                      text);
range:
  free(a);
  return ob_error_set(err, OB_EINVAL, "--seeds '%s': seeds must be integers in [0, 2^53]", text);
}

int ob_suite_override_seeds(ob_suite *s, const uint64_t *seeds, size_t n, ob_error *err)
{
  if (n == 0) return ob_error_set(err, OB_EINVAL, "--seeds: empty list");
  uint64_t *a = malloc(n * sizeof *a);
  if (!a) return ob_error_set(err, OB_ENOMEM, "out of memory");
  memcpy(a, seeds, n * sizeof *a);
  free(s->seeds);
  s->seeds = a;
  s->nseeds = n;
  return rebuild(s, err);
}

void ob_suite_free(ob_suite *s)
{
  if (!s) return;
  free(s->description);
  for (size_t i = 0; i < s->nproblems; i++) json_decref(s->problems[i].params);
  for (size_t i = 0; i < s->noptimizers; i++) json_decref(s->optimizers[i].params);
  for (size_t i = 0; i < s->nplacements; i++) ob_placement_free(s->placements[i]);
  free(s->problems);
  free(s->optimizers);
  free(s->placements);
  free(s->cells);
  free(s->seeds);
  free(s->threads);
  free(s->targets);
  json_decref(s->normalized);
  free(s->path);
  free(s->dir);
  free(s);
}
