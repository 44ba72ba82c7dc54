/* report.c -- loading and joining results files for `optbench report` (see report.h).
 *
 * Each file goes through ob_results_load (JSON syntax with line and column,
 * schema_version). Runs are joined in input order with a jansson object as
 * the id index; the equality rule for duplicates is merge.c's
 * ob_run_strip_timings, so a report and `optbench merge` agree on what a
 * conflicting duplicate is.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bench/merge.h"
#include "bench/results.h"
#include "reports/report.h"

static char *dup_str(const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* Fills the view of one record, or fails naming the first missing field. */
static int view_run(const json_t *rec, size_t i, size_t file, ob_report_run *v, ob_error *err)
{
  char path[96];
  static const struct { const char *obj, *key; } str_fields[] = {
    { NULL, "id" }, { "problem", "id" }, { "optimizer", "id" }, { "placement", "name" }, { NULL, "status" },
  };
  const char *vals[5];
  if (!json_is_object(rec)) {
    snprintf(path, sizeof path, "runs[%zu]", i);
    return ob_error_at(err, OB_EDATA, path, "expected a run record (an object)");
  }
  for (size_t k = 0; k < 5; k++) {
    const json_t *o = str_fields[k].obj ? json_object_get(rec, str_fields[k].obj) : rec;
    vals[k] = json_string_value(json_object_get(o, str_fields[k].key));
    if (!vals[k] || !vals[k][0]) {
      if (str_fields[k].obj) snprintf(path, sizeof path, "runs[%zu].%s.%s", i, str_fields[k].obj, str_fields[k].key);
      else snprintf(path, sizeof path, "runs[%zu].%s", i, str_fields[k].key);
      return ob_error_at(err, OB_EDATA, path, "expected a non-empty string");
    }
  }
  static const char *const int_fields[] = { "threads", "seed" };
  json_int_t ints[2];
  for (size_t k = 0; k < 2; k++) {
    const json_t *x = json_object_get(rec, int_fields[k]);
    if (!json_is_integer(x) || json_integer_value(x) < 0) {
      snprintf(path, sizeof path, "runs[%zu].%s", i, int_fields[k]);
      return ob_error_at(err, OB_EDATA, path, "expected a non-negative integer");
    }
    ints[k] = json_integer_value(x);
  }
  const json_t *tg = json_object_get(rec, "targets");
  if (tg && !json_is_array(tg)) {
    snprintf(path, sizeof path, "runs[%zu].targets", i);
    return ob_error_at(err, OB_EDATA, path, "expected an array of targets");
  }
  v->rec = rec;
  v->id = vals[0];
  v->problem = vals[1];
  v->optimizer = vals[2];
  v->placement = vals[3];
  v->status = vals[4];
  v->threads = (long)ints[0];
  v->seed = (long)ints[1];
  v->file = file;
  return OB_OK;
}

int ob_report_load(ob_report *r, const char *const *paths, size_t n, ob_error *err)
{
  json_t *byid = json_object(), *from = json_object();
  int rc = OB_OK;
  memset(r, 0, sizeof *r);
  r->runs = json_array();
  r->files = calloc(n ? n : 1, sizeof *r->files);
  if (!byid || !from || !r->runs || !r->files) { rc = ob_error_set(err, OB_ENOMEM, "out of memory"); goto out; }
  if (n == 0) { rc = ob_error_set(err, OB_EINVAL, "no results file to report on"); goto out; }
  for (size_t k = 0; k < n; k++) {
    if (!(r->files[k] = dup_str(paths[k]))) { rc = ob_error_set(err, OB_ENOMEM, "out of memory"); goto out; }
    r->nfiles = k + 1;
  }
  for (size_t k = 0; k < n && rc == OB_OK; k++) {
    json_t *doc;
    if ((rc = ob_results_load(paths[k], &doc, err)) < 0) goto out;
    json_t *runs = json_object_get(doc, "runs");
    if (!json_is_array(runs)) {
      json_decref(doc);
      ob_error_source(err, paths[k]);
      rc = ob_error_at(err, OB_EDATA, "runs", "expected an array of runs");
      goto out;
    }
    size_t i;
    json_t *v;
    json_array_foreach(runs, i, v) {
      ob_report_run tmp;
      if ((rc = view_run(v, i, k, &tmp, err)) < 0) {
        ob_error_source(err, paths[k]);
        break;
      }
      json_t *prev = json_object_get(byid, tmp.id);
      if (prev) {
        json_t *a = ob_run_strip_timings(prev), *b = ob_run_strip_timings(v);
        int same = json_equal(a, b);
        json_decref(a);
        json_decref(b);
        if (!same) {
          char path[64];
          snprintf(path, sizeof path, "runs[%zu]", i);
          ob_error_source(err, paths[k]);
          rc = ob_error_at(err, OB_EDATA, path, "run '%s' is also in %s with different results (beyond timings): "
                           "the inputs disagree", tmp.id, paths[json_integer_value(json_object_get(from, tmp.id))]);
          break;
        }
        r->nduplicates++;
        continue;
      }
      json_object_set(byid, tmp.id, v);
      json_object_set_new(from, tmp.id, json_integer((json_int_t)k));
      json_array_append(r->runs, v);
    }
    json_decref(doc);
  }
  if (rc < 0) goto out;
  r->nruns = json_array_size(r->runs);
  r->run = calloc(r->nruns ? r->nruns : 1, sizeof *r->run);
  if (!r->run) { rc = ob_error_set(err, OB_ENOMEM, "out of memory"); goto out; }
  for (size_t i = 0; i < r->nruns; i++) {
    const json_t *rec = json_array_get(r->runs, i);
    size_t file = (size_t)json_integer_value(json_object_get(from, json_string_value(json_object_get(rec, "id"))));
    if ((rc = view_run(rec, i, file, &r->run[i], err)) < 0) goto out; /* cannot fail: checked above */
  }
out:
  json_decref(byid);
  json_decref(from);
  if (rc < 0) ob_report_free(r);
  return rc;
}

void ob_report_free(ob_report *r)
{
  json_decref(r->runs);
  free(r->run);
  for (size_t k = 0; k < r->nfiles; k++) free(r->files[k]);
  free(r->files);
  memset(r, 0, sizeof *r);
}
