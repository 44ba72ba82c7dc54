/* merge.c -- joining results files of one suite (see merge.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/merge.h"
#include "bench/ob_json.h"
#include "bench/results.h"

json_t *ob_run_strip_timings(const json_t *run)
{
  json_t *r = json_deep_copy(run);
  if (!json_is_object(r)) return r;
  json_object_del(r, "time");
  json_object_del(json_object_get(r, "placement"), "observed");
  json_object_del(json_object_get(r, "memory"), "bandwidth_gbs");
  json_object_del(json_object_get(r, "trace"), "seconds");
  size_t i;
  json_t *t;
  json_array_foreach(json_object_get(r, "targets"), i, t) json_object_del(t, "seconds");
  return r;
}

static const char *str_at(const json_t *arr, size_t i, const char *key)
{
  return json_string_value(json_object_get(json_array_get(arr, i), key));
}

int ob_merge_cell_ids(const json_t *norm, json_t **ids, ob_error *err)
{
  const json_t *pr = json_object_get(norm, "problems"), *op = json_object_get(norm, "optimizers"),
               *pl = json_object_get(norm, "placements"), *th = json_object_get(norm, "threads"),
               *se = json_object_get(norm, "seeds");
  *ids = NULL;
  if (!json_is_array(pr) || !json_is_array(op) || !json_is_array(pl) || !json_is_array(th) || !json_is_array(se))
    return ob_error_at(err, OB_EDATA, "suite", "not a normalized suite (problems, optimizers, placements, "
                       "threads and seeds must be arrays)");
  json_t *out = json_array();
  char id[4 * 256 + 64];
  for (size_t p = 0; p < json_array_size(pr); p++)
    for (size_t o = 0; o < json_array_size(op); o++)
      for (size_t l = 0; l < json_array_size(pl); l++)
        for (size_t t = 0; t < json_array_size(th); t++)
          for (size_t k = 0; k < json_array_size(se); k++) {
            const char *pid = str_at(pr, p, "id"), *oid = str_at(op, o, "id"), *lid = str_at(pl, l, "name");
            json_t *tv = json_array_get(th, t), *sv = json_array_get(se, k);
            if (!pid || !oid || !lid || !json_is_integer(tv) || !json_is_integer(sv)) {
              json_decref(out);
              return ob_error_at(err, OB_EDATA, "suite", "not a normalized suite (an id, a placement name, "
                                 "a thread count or a seed is missing)");
            }
            snprintf(id, sizeof id, "%s/%s/%s/t%" JSON_INTEGER_FORMAT "/s%llu", pid, oid, lid,
                     json_integer_value(tv), (unsigned long long)json_integer_value(sv));
            json_array_append_new(out, json_string(id));
          }
  *ids = out;
  return OB_OK;
}

/* Checks that input `k` is mergeable with input 0. */
static int check_same(const char *const *paths, json_t *const *docs, size_t k, ob_error *err)
{
  char d0[17], dk[17];
  ob_json_digest(json_object_get(docs[0], "suite"), d0);
  ob_json_digest(json_object_get(docs[k], "suite"), dk);
  if (strcmp(d0, dk) != 0) {
    ob_error_source(err, paths[k]);
    const char *n0 = json_string_value(json_object_get(json_object_get(docs[0], "suite"), "name"));
    const char *nk = json_string_value(json_object_get(json_object_get(docs[k], "suite"), "name"));
    return ob_error_at(err, OB_EDATA, "suite", "holds suite '%s' (digest %s), not the suite of %s ('%s', digest "
                       "%s): only results of one suite can be merged", nk ? nk : "?", dk, paths[0],
                       n0 ? n0 : "?", d0);
  }
  const char *v0 = json_string_value(json_object_get(json_object_get(docs[0], "tool"), "version"));
  const char *vk = json_string_value(json_object_get(json_object_get(docs[k], "tool"), "version"));
  if (!v0 || !vk || strcmp(v0, vk) != 0) {
    ob_error_source(err, paths[k]);
    return ob_error_at(err, OB_EDATA, "tool.version", "written by optbench %s, but %s by optbench %s: merge only "
                       "results of one version", vk ? vk : "(none)", paths[0], v0 ? v0 : "(none)");
  }
  if (!json_is_array(json_object_get(docs[k], "runs"))) {
    ob_error_source(err, paths[k]);
    return ob_error_at(err, OB_EDATA, "runs", "expected an array of runs");
  }
  return OB_OK;
}

static json_t *part_json(const char *path, const json_t *doc)
{
  json_t *shard = json_object_get(doc, "shard");
  return json_pack("{s:s, s:I, s:O, s:O}", "file", path, "runs", (json_int_t)json_array_size(json_object_get(doc, "runs")),
                   "shard", shard ? shard : json_null(), "context", json_object_get(doc, "context"));
}

int ob_merge_files(const char *const *paths, size_t n, const char *command, json_t **out,
                   ob_merge_report *rep, ob_error *err)
{
  json_t **docs = calloc(n ? n : 1, sizeof *docs);
  json_t *ids = NULL, *byid = json_object(), *from = json_object(), *merged = NULL;
  int rc = OB_OK;
  *out = NULL;
  memset(rep, 0, sizeof *rep);
  if (!docs || !byid || !from) { rc = ob_error_set(err, OB_ENOMEM, "out of memory"); goto out; }
  if (n == 0) { rc = ob_error_set(err, OB_EINVAL, "nothing to merge"); goto out; }
  for (size_t k = 0; k < n; k++) {
    if ((rc = ob_results_load(paths[k], &docs[k], err)) < 0) goto out;
    if ((rc = check_same(paths, docs, k, err)) < 0) goto out;
  }
  if ((rc = ob_merge_cell_ids(json_object_get(docs[0], "suite"), &ids, err)) < 0) {
    ob_error_source(err, paths[0]);
    goto out;
  }
  json_t *known = json_object();
  size_t i;
  json_t *v;
  json_array_foreach(ids, i, v) json_object_set_new(known, json_string_value(v), json_integer((json_int_t)i));
  for (size_t k = 0; k < n && rc == OB_OK; k++) {
    json_array_foreach(json_object_get(docs[k], "runs"), i, v) {
      char path[64];
      snprintf(path, sizeof path, "runs[%zu].id", i);
      const char *id = json_string_value(json_object_get(v, "id"));
      if (!id) {
        ob_error_source(err, paths[k]);
        rc = ob_error_at(err, OB_EDATA, path, "expected the run's id (a string)");
        break;
      }
      if (!json_object_get(known, id)) {
        ob_error_source(err, paths[k]);
        rc = ob_error_at(err, OB_EDATA, path, "run '%s' is not a cell of the suite", id);
        break;
      }
      json_t *prev = json_object_get(byid, id);
      if (prev) {
        json_t *a = ob_run_strip_timings(prev), *b = ob_run_strip_timings(v);
        int same = json_equal(a, b);
        json_decref(a);
        json_decref(b);
        const char *pf = paths[json_integer_value(json_object_get(from, id))];
        if (!same) {
          ob_error_source(err, paths[k]);
          rc = ob_error_at(err, OB_EDATA, path, "run '%s' is also in %s with different results (beyond "
                           "timings): the inputs disagree", id, pf);
          break;
        }
        rep->nduplicates++;
        continue;
      }
      json_object_set(byid, id, v);
      json_object_set_new(from, id, json_integer((json_int_t)k));
    }
  }
  json_decref(known);
  if (rc < 0) goto out;

  merged = json_object();
  json_object_set(merged, "schema_version", json_object_get(docs[0], "schema_version"));
  json_object_set(merged, "tool", json_object_get(docs[0], "tool"));
  json_t *ctx = json_deep_copy(json_object_get(docs[0], "context"));
  if (!json_is_object(ctx)) { json_decref(ctx); ctx = json_object(); }
  json_t *parts = json_array();
  for (size_t k = 0; k < n; k++) json_array_append_new(parts, part_json(paths[k], docs[k]));
  json_object_set_new(ctx, "parts", parts);
  json_object_set(merged, "suite", json_object_get(docs[0], "suite"));
  json_t *runs = json_array();
  rep->missing = json_array();
  rep->ncells = json_array_size(ids);
  json_array_foreach(ids, i, v) {
    json_t *r = json_object_get(byid, json_string_value(v));
    if (r) json_array_append(runs, r);
    else json_array_append(rep->missing, v);
  }
  rep->nruns = json_array_size(runs);
  char date[64];
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_object_set_new(ctx, "merge", json_pack("{s:s, s:s, s:I}", "command", command ? command : "", "date", date,
                                              "missing", (json_int_t)json_array_size(rep->missing)));
  json_object_set_new(merged, "context", ctx);
  json_object_set_new(merged, "runs", runs);
  *out = merged;
out:
  if (rc < 0) ob_merge_report_free(rep);
  for (size_t k = 0; docs && k < n; k++) json_decref(docs[k]);
  free(docs);
  json_decref(ids);
  json_decref(byid);
  json_decref(from);
  return rc;
}

void ob_merge_report_free(ob_merge_report *rep)
{
  json_decref(rep->missing);
  rep->missing = NULL;
}
