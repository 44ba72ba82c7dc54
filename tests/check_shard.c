/* check_shard.c -- shard assignment (bench/shard.h) and merging (bench/merge.h).
 *
 * Every cell lands in exactly one shard for N = 1..7, the assignment is a pure
 * function of the suite and stays within LPT's bound; shards run through the
 * library and merged equal a full run except timings; merge refuses inputs
 * that do not fit together, naming both files.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/merge.h"
#include "bench/ob_json.h"
#include "bench/results.h"
#include "bench/runner.h"
#include "bench/shard.h"
#include "bench/suite.h"
#include "tests/testutil.h"

/* 7 problems x 5 optimizers x 5 seeds = 175 cells of very different costs. */
static const char *big_suite =
  "{\"name\": \"many\", \"seeds\": [0, 1, 2, 3, 4], \"budget\": {\"max_steps\": 50},"
  " \"problems\": [{\"type\": \"rosenbrock\", \"dim\": [2, 5, 10, 50, 100]},"
  "                {\"type\": \"quadratic\", \"dim\": [3, 30]}],"
  " \"optimizers\": [{\"type\": \"gd\", \"lr\": [1e-4, 1e-3, 1e-2]}, {\"type\": \"adam\", \"lr\": [1e-3, 1e-2]}]}";

/* Small and deterministic (step budget only) for the round trip. */
static const char *small_suite =
  "{\"name\": \"small\", \"seeds\": [0, 1], \"budget\": {\"max_steps\": 40}, \"trace\": {\"points\": 8},"
  " \"problems\": [{\"type\": \"rosenbrock\", \"dim\": [2, 6]}, {\"type\": \"quadratic\", \"dim\": 5}],"
  " \"optimizers\": [{\"type\": \"gd\", \"lr\": 1e-3}, {\"type\": \"adam\", \"lr\": 1e-2}]}";

static ob_suite *load(const char *text)
{
  json_error_t je;
  json_t *root = json_loads(text, 0, &je);
  ck_assert_msg(root != NULL, "test suite is not JSON: %s", je.text);
  ob_suite *s = NULL;
  ob_error err;
  ob_error_clear(&err);
  int rc = ob_suite_from_json(root, "mem/suite.json", &s, &err);
  json_decref(root);
  ck_assert_msg(rc == OB_OK, "suite rejected: %s", err.text);
  return s;
}

static char scratch[64];

static void make_scratch(void)
{
  snprintf(scratch, sizeof scratch, "/tmp/check_shard.XXXXXX");
  ck_assert(mkdtemp(scratch) != NULL);
}

static void remove_scratch(void)
{
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", scratch);
  ck_assert_int_eq(system(cmd), 0);
}

/* ---- parsing ---------------------------------------------------------------- */

START_TEST(test_parse)
{
  size_t i, n;
  ob_error err;
  ck_assert_int_eq(ob_shard_parse("1/1", &i, &n, &err), OB_OK);
  ck_assert(i == 1 && n == 1);
  ck_assert_int_eq(ob_shard_parse("3/8", &i, &n, &err), OB_OK);
  ck_assert(i == 3 && n == 8);
  static const char *const bad[] = { "0/0", "5/4", "x", "0/3", "1/0", "1/", "/3", "2/3x", "-1/3", "1/-3",
                                     " 1/3", "1/3 ", "1.0/3", "1/100001", "99999999999999999999/3", "" };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    ob_error_clear(&err);
    ck_assert_msg(ob_shard_parse(bad[k], &i, &n, &err) == OB_EINVAL, "'%s' accepted", bad[k]);
    ck_assert_msg(strstr(err.text, "--shard") != NULL, "message '%s' does not name --shard", err.text);
  }
}
END_TEST

/* ---- assignment ------------------------------------------------------------- */

START_TEST(test_every_cell_once)
{
  size_t n = (size_t)_i;   /* 1..7 shards */
  ob_suite *s = load(big_suite);
  ck_assert_uint_eq(s->ncells, 175);
  size_t *of = malloc(s->ncells * sizeof *of), *count = calloc(n, sizeof *count);
  double *cost = malloc(s->ncells * sizeof *cost), *load_ = calloc(n, sizeof *load_);
  ob_error err;
  ck_assert_int_eq(ob_shard_assign(s, n, of, &err), OB_OK);
  ck_assert_int_eq(ob_shard_costs(s, cost, &err), OB_OK);
  double total = 0, biggest = 0;
  for (size_t i = 0; i < s->ncells; i++) {
    ck_assert_msg(of[i] < n, "cell %zu in shard %zu of %zu", i, of[i], n);
    count[of[i]]++;
    load_[of[i]] += cost[i];
    total += cost[i];
    if (cost[i] > biggest) biggest = cost[i];
    ck_assert_msg(cost[i] > 0, "cell %s has no cost", s->cells[i].id);
  }
  size_t sum = 0;
  for (size_t j = 0; j < n; j++) {
    sum += count[j];
    ck_assert_msg(count[j] > 0, "shard %zu of %zu is empty", j + 1, n);
    /* greedy list scheduling: no shard exceeds the mean by more than one cell */
    ck_assert_msg(load_[j] <= total / (double)n + biggest * (1 + 1e-12), "shard %zu of %zu overloaded: %g > %g + %g",
                  j + 1, n, load_[j], total / (double)n, biggest);
  }
  ck_assert_uint_eq(sum, s->ncells);   /* with of[i] single-valued: every cell in exactly one shard */
  free(of);
  free(count);
  free(cost);
  free(load_);
  ob_suite_free(s);
}
END_TEST

START_TEST(test_deterministic)
{
  ob_suite *a = load(big_suite), *b = load(big_suite);
  size_t *x = malloc(a->ncells * sizeof *x), *y = malloc(b->ncells * sizeof *y);
  ob_error err;
  for (size_t n = 1; n <= 7; n++) {
    ck_assert_int_eq(ob_shard_assign(a, n, x, &err), OB_OK);
    ck_assert_int_eq(ob_shard_assign(b, n, y, &err), OB_OK);
    ck_assert_msg(memcmp(x, y, a->ncells * sizeof *x) == 0, "assignment to %zu shards differs between loads", n);
    ck_assert_int_eq(ob_shard_assign(a, n, y, &err), OB_OK);
    ck_assert(memcmp(x, y, a->ncells * sizeof *x) == 0);
  }
  /* A dim-100 cell costs more than a dim-2 cell of the same optimizer. */
  double *c = malloc(a->ncells * sizeof *c);
  ck_assert_int_eq(ob_shard_costs(a, c, &err), OB_OK);
  ck_assert(c[4 * 25] > c[0]);   /* rosenbrock-d100/... vs rosenbrock-d2/... */
  ck_assert_int_eq(ob_shard_assign(a, 0, x, &err), OB_EINVAL);
  free(c);
  free(x);
  free(y);
  ob_suite_free(a);
  ob_suite_free(b);
}
END_TEST

START_TEST(test_cell_ids)
{
  ob_suite *s = load(big_suite);
  json_t *ids;
  ob_error err;
  ck_assert_int_eq(ob_merge_cell_ids(s->normalized, &ids, &err), OB_OK);
  ck_assert_uint_eq(json_array_size(ids), s->ncells);
  for (size_t i = 0; i < s->ncells; i++)
    ck_assert_str_eq(json_string_value(json_array_get(ids, i)), s->cells[i].id);
  json_decref(ids);
  ob_suite_free(s);
}
END_TEST

/* ---- merge ------------------------------------------------------------------ */

/* Runs the cells of shard `index` (1-based) of `count` (count 0: every cell)
 * through the runner and writes a results file; returns its path in buf. */
static void run_part(const ob_suite *s, size_t index, size_t count, const char *name, char *buf, size_t size)
{
  static volatile sig_atomic_t never;
  size_t *of = malloc(s->ncells * sizeof *of);
  ob_error err;
  if (count) ck_assert_int_eq(ob_shard_assign(s, count, of, &err), OB_OK);
  json_t *doc = ob_results_new(s, "check_shard"), *ids = json_array();
  for (size_t i = 0; i < s->ncells; i++) {
    if (count && of[i] != index - 1) continue;
    json_t *rec;
    ck_assert_int_eq(ob_runner_cell(s, i, &never, &rec), OB_OK);
    json_array_append_new(ids, json_string(s->cells[i].id));
    ob_results_add_run(doc, rec);
  }
  if (count) json_object_set_new(doc, "shard", json_pack("{s:I, s:I, s:o}", "index", (json_int_t)index, "count",
                                                         (json_int_t)count, "cells", ids));
  else json_decref(ids);
  snprintf(buf, size, "%s/%s", scratch, name);
  ck_assert_int_eq(ob_results_write(buf, doc, &err), OB_OK);
  json_decref(doc);
  free(of);
}

static void write_text(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  ck_assert(f != NULL);
  fputs(text, f);
  fclose(f);
}

/* Copies results file `src` to `dst` after applying `edit` to the document. */
static void edit_copy(const char *src, const char *dst, void (*edit)(json_t *))
{
  json_t *doc;
  ob_error err;
  ck_assert_int_eq(ob_results_load(src, &doc, &err), OB_OK);
  edit(doc);
  ck_assert_int_eq(ob_results_write(dst, doc, &err), OB_OK);
  json_decref(doc);
}

START_TEST(test_merge_round_trip)
{
  make_scratch();
  ob_suite *s = load(small_suite);
  char full[128], p[3][128];
  run_part(s, 0, 0, "full.json", full, sizeof full);
  run_part(s, 3, 3, "p3.json", p[2], sizeof p[2]);   /* input order must not matter */
  run_part(s, 1, 3, "p1.json", p[0], sizeof p[0]);
  run_part(s, 2, 3, "p2.json", p[1], sizeof p[1]);
  const char *paths[3] = { p[2], p[0], p[1] };
  json_t *merged, *ref;
  ob_merge_report rep;
  ob_error err;
  ob_error_clear(&err);
  ck_assert_msg(ob_merge_files(paths, 3, "merge", &merged, &rep, &err) == OB_OK, "merge failed: %s", err.text);
  ck_assert_uint_eq(rep.ncells, s->ncells);
  ck_assert_uint_eq(rep.nruns, s->ncells);
  ck_assert_uint_eq(json_array_size(rep.missing), 0);
  ck_assert_uint_eq(rep.nduplicates, 0);
  ck_assert_int_eq(ob_results_load(full, &ref, &err), OB_OK);
  json_t *a = json_object_get(ref, "runs"), *b = json_object_get(merged, "runs");
  ck_assert_uint_eq(json_array_size(a), json_array_size(b));
  for (size_t i = 0; i < json_array_size(a); i++) {
    json_t *x = ob_run_strip_timings(json_array_get(a, i)), *y = ob_run_strip_timings(json_array_get(b, i));
    ck_assert_msg(json_equal(x, y), "run %zu (%s) differs after merging", i,
                  json_string_value(json_object_get(x, "id")));
    json_decref(x);
    json_decref(y);
  }
  ck_assert(json_equal(json_object_get(ref, "suite"), json_object_get(merged, "suite")));
  json_t *parts = json_object_get(json_object_get(merged, "context"), "parts");
  ck_assert_uint_eq(json_array_size(parts), 3);
  ck_assert_str_eq(json_string_value(json_object_get(json_array_get(parts, 0), "file")), p[2]);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(parts, 0), "shard"), "index")), 3);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(merged, "context"), "merge"),
                                                      "missing")), 0);
  json_decref(ref);
  json_decref(merged);
  ob_merge_report_free(&rep);

  /* Two of three shards: the third's cells are reported missing, in cell order. */
  ck_assert_int_eq(ob_merge_files(paths + 1, 2, "merge", &merged, &rep, &err), OB_OK);
  json_t *p3;
  ck_assert_int_eq(ob_results_load(p[2], &p3, &err), OB_OK);
  json_t *want = json_object_get(json_object_get(p3, "shard"), "cells");
  ck_assert_uint_eq(json_array_size(rep.missing), json_array_size(want));
  ck_assert(json_equal(rep.missing, want));
  ck_assert_uint_eq(rep.nruns + json_array_size(rep.missing), s->ncells);
  json_decref(p3);
  json_decref(merged);
  ob_merge_report_free(&rep);

  /* The same shard twice: identical duplicates are dropped. */
  const char *twice[4] = { p[0], p[1], p[2], p[0] };
  ck_assert_int_eq(ob_merge_files(twice, 4, "merge", &merged, &rep, &err), OB_OK);
  json_t *p1;
  ck_assert_int_eq(ob_results_load(p[0], &p1, &err), OB_OK);
  ck_assert_uint_eq(rep.nduplicates, json_array_size(json_object_get(p1, "runs")));
  json_decref(p1);
  ck_assert_uint_eq(rep.nruns, s->ncells);
  json_decref(merged);
  ob_merge_report_free(&rep);
  ob_suite_free(s);
  remove_scratch();
}
END_TEST

static void change_steps(json_t *doc)
{
  json_t *r = json_array_get(json_object_get(doc, "runs"), 0);
  json_object_set_new(r, "steps", json_integer(json_integer_value(json_object_get(r, "steps")) + 1));
}

static void change_timing(json_t *doc)
{
  json_t *r = json_array_get(json_object_get(doc, "runs"), 0);
  json_object_set_new(json_object_get(r, "time"), "total_s", json_real(123.0));
  json_object_set_new(json_object_get(r, "memory"), "bandwidth_gbs", json_real(0.5));
}

static void change_version(json_t *doc)
{
  json_object_set_new(json_object_get(doc, "tool"), "version", json_string("9.9.9"));
}

static void change_schema(json_t *doc)
{
  json_object_set_new(doc, "schema_version", json_integer(2));
}

static void unknown_run(json_t *doc)
{
  json_object_set_new(json_array_get(json_object_get(doc, "runs"), 0), "id", json_string("nosuch/cell/local/t1/s0"));
}

/* Expects merging {a, b} to fail with `code`, the error naming `source` and
 * the text containing `needle`. */
static void merge_fails(const char *a, const char *b, int code, const char *source, const char *needle)
{
  const char *paths[2] = { a, b };
  json_t *out = NULL;
  ob_merge_report rep;
  ob_error err;
  ob_error_clear(&err);
  char msg[2048];
  int rc = ob_merge_files(paths, 2, "merge", &out, &rep, &err);
  ob_error_format(&err, msg, sizeof msg);
  ck_assert_msg(rc == code, "merge of %s and %s gave %d (%s), expected %d", a, b, rc, msg, code);
  ck_assert_ptr_null(out);
  ck_assert_msg(strcmp(err.source, source) == 0, "error names '%s', expected '%s'", err.source, source);
  ck_assert_msg(strstr(msg, needle) != NULL, "message '%s' lacks '%s'", msg, needle);
}

START_TEST(test_merge_errors)
{
  make_scratch();
  ob_suite *s = load(small_suite), *other = load(big_suite);
  char p1[128], p2[128], o1[128], path[192];
  run_part(s, 1, 2, "p1.json", p1, sizeof p1);
  run_part(s, 2, 2, "p2.json", p2, sizeof p2);
  ob_suite_free(other);
  other = load("{\"name\": \"small\", \"seeds\": [0, 1], \"budget\": {\"max_steps\": 41}, \"trace\": {\"points\": 8},"
               " \"problems\": [{\"type\": \"rosenbrock\", \"dim\": [2, 6]}, {\"type\": \"quadratic\", \"dim\": 5}],"
               " \"optimizers\": [{\"type\": \"gd\", \"lr\": 1e-3}, {\"type\": \"adam\", \"lr\": 1e-2}]}");
  run_part(other, 1, 2, "other.json", o1, sizeof o1);

  /* a different suite (same name, one budget changed): both files named */
  merge_fails(p1, o1, OB_EDATA, o1, p1);
  merge_fails(p1, o1, OB_EDATA, o1, "only results of one suite");

  /* the same run with different results: both files named */
  char conflict[192];
  snprintf(conflict, sizeof conflict, "%s/conflict.json", scratch);
  edit_copy(p1, conflict, change_steps);
  merge_fails(p1, conflict, OB_EDATA, conflict, p1);
  merge_fails(p1, conflict, OB_EDATA, conflict, "different results");

  /* ... but differing timings only are the same run */
  snprintf(path, sizeof path, "%s/timing.json", scratch);
  edit_copy(p1, path, change_timing);
  const char *ok[3] = { p1, path, p2 };
  json_t *out;
  ob_merge_report rep;
  ob_error err;
  ck_assert_int_eq(ob_merge_files(ok, 3, "merge", &out, &rep, &err), OB_OK);
  ck_assert_uint_eq(rep.nruns, s->ncells);
  ck_assert_uint_gt(rep.nduplicates, 0);
  json_decref(out);
  ob_merge_report_free(&rep);

  /* another tool version */
  snprintf(path, sizeof path, "%s/version.json", scratch);
  edit_copy(p1, path, change_version);
  merge_fails(p2, path, OB_EDATA, path, "9.9.9");

  /* a schema_version this optbench does not read */
  snprintf(path, sizeof path, "%s/schema.json", scratch);
  edit_copy(p1, path, change_schema);
  merge_fails(p2, path, OB_EDATA, path, "schema_version");

  /* a run that is not a cell of the suite */
  snprintf(path, sizeof path, "%s/unknown.json", scratch);
  edit_copy(p1, path, unknown_run);
  merge_fails(p2, path, OB_EDATA, path, "not a cell of the suite");

  /* malformed JSON: the position is reported */
  snprintf(path, sizeof path, "%s/broken.json", scratch);
  write_text(path, "{\"schema_version\": 1,\n \"runs\": [}\n");
  merge_fails(p1, path, OB_EDATA, path, ":2:");

  /* a missing input */
  snprintf(path, sizeof path, "%s/absent.json", scratch);
  merge_fails(p1, path, OB_ENOINPUT, path, "absent.json");

  ob_suite_free(s);
  ob_suite_free(other);
  remove_scratch();
}
END_TEST

static Suite *make_shard_suite(void)
{
  Suite *su = suite_create("shard");
  TCase *tc = tcase_create("assign");
  tcase_add_test(tc, test_parse);
  tcase_add_loop_test(tc, test_every_cell_once, 1, 8);
  tcase_add_test(tc, test_deterministic);
  tcase_add_test(tc, test_cell_ids);
  suite_add_tcase(su, tc);
  tc = tcase_create("merge");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_merge_round_trip);
  tcase_add_test(tc, test_merge_errors);
  suite_add_tcase(su, tc);
  return su;
}

int main(void)
{
  return ob_test_main(make_shard_suite());
}
