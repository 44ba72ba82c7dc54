/* check_compare.c -- reports/compare.h on hand-made results documents.
 *
 * Small documents built in memory exercise every check of `optbench compare`:
 * pairing by id and runs found in one file only, run-by-run steps and final
 * gap comparisons (exact and with tolerances), the success rate, the U test
 * plus threshold for step time and bandwidth (4 seeds per side: exact
 * p = 2/70 when fully separated), weak checks below 4 samples, skipped pairs,
 * --fail-on selection, document checks and the Markdown rendering.
 */
#include "config.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/ob_error.h"
#include "reports/compare.h"
#include "tests/testutil.h"

/* One run record; steps < 0 means the target was not reached, gap NAN is null. */
static json_t *mkrun(const char *id, const char *status, int steps, double gap, double step_s, double gbs)
{
  json_t *t = json_pack("{s:f, s:o, s:o}", "f_gap", 0.1, "steps", steps < 0 ? json_null() : json_integer(steps),
                        "evals", steps < 0 ? json_null() : json_integer(steps));
  return json_pack("{s:s, s:s, s:{s:s}, s:{s:s}, s:{s:s}, s:i, s:i, s:[o], s:{s:o, s:f}, s:{s:f}, s:{s:f}}", "id", id,
                   "status", status, "problem", "id", "quad", "optimizer", "id", "gd", "placement", "name", "local",
                   "threads", 1, "steps", steps < 0 ? 100 : steps, "targets", t, "final", "f_gap",
                   isnan(gap) ? json_null() : json_real(gap), "f", 1.0, "time", "step_median_s", step_s, "memory",
                   "bandwidth_gbs", gbs);
}

static json_t *mkdoc(void)
{
  return json_pack("{s:i, s:{s:s, s:i}, s:[]}", "schema_version", 1, "context", "cpu", "test cpu", "cores", 2, "runs");
}

static void add(json_t *doc, json_t *run)
{
  ck_assert_int_eq(json_array_append_new(json_object_get(doc, "runs"), run), 0);
}

/* The check row of `group` and `metric`, or NULL. */
static const json_t *row(const json_t *cmp, const char *group, const char *metric)
{
  size_t i;
  const json_t *r;
  json_array_foreach(json_object_get(cmp, "checks"), i, r)
    if (strcmp(json_string_value(json_object_get(r, "group")), group) == 0 &&
        strcmp(json_string_value(json_object_get(r, "metric")), metric) == 0)
      return r;
  return NULL;
}

static const char *verdict(const json_t *cmp, const char *group, const char *metric)
{
  const json_t *r = row(cmp, group, metric);
  ck_assert_msg(r != NULL, "no %s row for %s", metric, group);
  return json_string_value(json_object_get(r, "verdict"));
}

static json_t *compare(const json_t *b, const json_t *c, const ob_compare_opts *o)
{
  ob_error err;
  ob_error_clear(&err);
  ck_assert_int_eq(ob_compare_check_doc(b, "base.json", &err), OB_OK);
  ck_assert_int_eq(ob_compare_check_doc(c, "cur.json", &err), OB_OK);
  json_t *cmp = NULL;
  ck_assert_int_eq(ob_compare_docs(b, "base.json", c, "cur.json", o, &cmp, &err), OB_OK);
  ck_assert_ptr_nonnull(cmp);
  return cmp;
}

START_TEST(test_identical_is_clean)
{
  json_t *b = mkdoc();
  char id[64];
  for (int s = 0; s < 4; s++) {
    snprintf(id, sizeof id, "quad/gd/local/t1/s%d", s);
    add(b, mkrun(id, "target_reached", 10 + s, 1e-3, 1e-6 * (s + 1), 1.0 + s));
  }
  ob_compare_opts o;
  ob_compare_opts_default(&o);
  json_t *cmp = compare(b, b, &o);
  ck_assert_uint_eq(ob_compare_failing(cmp), 0);
  ck_assert_int_eq(json_integer_value(json_object_get(cmp, "groups")), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(cmp, "counts"), "regressed")), 0);
  ck_assert_str_eq(verdict(cmp, "quad/gd/local/t1", "steps"), "same");
  ck_assert_str_eq(verdict(cmp, "quad/gd/local/t1", "step_time"), "same");
  ck_assert_double_eq_tol(json_real_value(json_object_get(row(cmp, "quad/gd/local/t1", "step_time"), "p_value")), 1.0,
                          1e-12);
  json_decref(cmp);
  json_decref(b);
}
END_TEST

START_TEST(test_regressions_found)
{
  json_t *b = mkdoc(), *c = mkdoc();
  char id[64];
  for (int s = 0; s < 4; s++) {
    snprintf(id, sizeof id, "quad/gd/local/t1/s%d", s);
    add(b, mkrun(id, "target_reached", 10, 1e-3, 1e-6 * (s + 1), 2.0 + 0.1 * s));
    /* seed 2 needs one more step; every step is 4 us slower; bandwidth halves */
    add(c, mkrun(id, "target_reached", s == 2 ? 11 : 10, 1e-3, 1e-6 * (s + 5), 1.0 + 0.1 * s));
  }
  add(b, mkrun("quad/adam/local/t1/s0", "target_reached", 7, 1e-3, 1e-6, 1.0));
  add(c, mkrun("quad/adam/local/t1/s0", "max_steps", -1, NAN, 1e-6, 1.0));
  add(b, mkrun("gone/gd/local/t1/s0", "target_reached", 7, 1e-3, 1e-6, 1.0));
  add(c, mkrun("new/gd/local/t1/s0", "target_reached", 7, 1e-3, 1e-6, 1.0));
  ob_compare_opts o;
  ob_compare_opts_default(&o);
  json_t *cmp = compare(b, c, &o);

  const json_t *steps = row(cmp, "quad/gd/local/t1", "steps");
  ck_assert_str_eq(json_string_value(json_object_get(steps, "verdict")), "regressed");
  ck_assert_str_eq(json_string_value(json_object_get(steps, "note")), "1 of 4 runs need more steps");
  ck_assert(json_is_true(json_object_get(steps, "fails")));

  const json_t *t = row(cmp, "quad/gd/local/t1", "step_time");
  ck_assert_str_eq(json_string_value(json_object_get(t, "verdict")), "regressed");
  ck_assert_str_eq(json_string_value(json_object_get(t, "test")), "exact");
  /* 4 vs 4, fully separated: p = 2 / C(8, 4) = 2/70; medians 2.5 us -> 6.5 us */
  ck_assert_double_eq_tol(json_real_value(json_object_get(t, "p_value")), 2.0 / 70.0, 1e-14);
  ck_assert_double_eq_tol(json_real_value(json_object_get(t, "change")), 6.5 / 2.5 - 1, 1e-12);
  ck_assert_str_eq(verdict(cmp, "quad/gd/local/t1", "bandwidth"), "regressed");
  ck_assert_str_eq(verdict(cmp, "quad/gd/local/t1", "final_gap"), "same");

  /* one seed: success lost, target lost, gap null (= inf); time only weak */
  ck_assert_str_eq(verdict(cmp, "quad/adam/local/t1", "success"), "regressed");
  ck_assert_str_eq(verdict(cmp, "quad/adam/local/t1", "steps"), "regressed");
  ck_assert_str_eq(verdict(cmp, "quad/adam/local/t1", "final_gap"), "regressed");
  ck_assert_str_eq(verdict(cmp, "quad/adam/local/t1", "step_time"), "weak");

  ck_assert_int_eq(json_array_size(json_object_get(cmp, "only_in_baseline")), 1);
  ck_assert_str_eq(json_string_value(json_array_get(json_object_get(cmp, "only_in_current"), 0)),
                   "new/gd/local/t1/s0");
  ck_assert_ptr_null(row(cmp, "gone/gd/local/t1", "steps"));
  ck_assert_uint_eq(ob_compare_failing(cmp), 8); /* gd: steps, evals, time, bandwidth; adam: success, steps, evals, gap */
  json_decref(cmp);

  /* only time may fail: the convergence regressions are still reported */
  o.fail_on = OB_COMPARE_TIME;
  cmp = compare(b, c, &o);
  ck_assert_uint_eq(ob_compare_failing(cmp), 1);
  ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(cmp, "counts"), "regressed")), 8);
  char *md = NULL;
  size_t mdlen = 0;
  FILE *f = open_memstream(&md, &mdlen);
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(ob_compare_write_md(f, cmp, 0), 0);
  fclose(f);
  ck_assert_msg(strstr(md, "| quad/gd/local/t1 | step time | 2.5 us | 6.5 us | +160.0% | 0.0286 | **regressed** |"),
                "%s", md);
  ck_assert_msg(strstr(md, "| quad/gd/local/t1 | steps to 0.1 | 10 | 10 | +0.0% | — | **regressed** (not failing) |"),
                "%s", md);
  ck_assert_msg(strstr(md, "Result: REGRESSION: 8 regressed checks (1 failing), 0 improved."), "%s", md);
  free(md);
  json_decref(cmp);

  /* tolerances: 10% more steps and a slower time within a 200% threshold pass */
  o.fail_on = OB_COMPARE_ALL;
  o.steps_tol = 0.1;
  o.threshold = 2.0;
  o.success_tol = 1.0;
  o.gap_tol = INFINITY;
  json_t *cs = json_deep_copy(c), *bs = json_deep_copy(b);
  json_array_remove(json_object_get(cs, "runs"), 4); /* drop the adam run from both */
  json_array_remove(json_object_get(bs, "runs"), 4);
  cmp = compare(bs, cs, &o);
  ck_assert_str_eq(verdict(cmp, "quad/gd/local/t1", "steps"), "same");
  ck_assert_str_eq(verdict(cmp, "quad/gd/local/t1", "step_time"), "same");
  ck_assert_str_eq(json_string_value(json_object_get(row(cmp, "quad/gd/local/t1", "step_time"), "note")),
                   "significant but within the 200% threshold");
  ck_assert_uint_eq(ob_compare_failing(cmp), 0);
  json_decref(cmp);
  json_decref(cs);
  json_decref(bs);
  json_decref(b);
  json_decref(c);
}
END_TEST

START_TEST(test_improvement_and_skipped)
{
  json_t *b = mkdoc(), *c = mkdoc();
  add(b, mkrun("q/gd/local/t1/s0", "target_reached", 20, 1e-3, 1e-6, 1.0));
  add(c, mkrun("q/gd/local/t1/s0", "target_reached", 15, 1e-4, 1e-6, 1.0));
  add(b, mkrun("q/gd/cxl/t1/s0", "target_reached", 20, 1e-3, 1e-6, 1.0));
  add(c, mkrun("q/gd/cxl/t1/s0", "skipped", -1, NAN, 0, 0));
  ob_compare_opts o;
  ob_compare_opts_default(&o);
  json_t *cmp = compare(b, c, &o);
  ck_assert_str_eq(verdict(cmp, "q/gd/local/t1", "steps"), "improved");
  ck_assert_str_eq(verdict(cmp, "q/gd/local/t1", "final_gap"), "improved");
  ck_assert_ptr_null(row(cmp, "q/gd/cxl/t1", "success")); /* skipped on one side: not compared */
  ck_assert_uint_eq(ob_compare_failing(cmp), 0);
  const json_t *notes = json_object_get(cmp, "notes");
  ck_assert_int_eq(json_array_size(notes), 2); /* weak timings, one skipped pair */
  ck_assert(strstr(json_string_value(json_array_get(notes, 1)), "1 paired runs were skipped") != NULL);
  json_decref(cmp);
  json_decref(b);
  json_decref(c);
}
END_TEST

START_TEST(test_doc_checks)
{
  ob_error err;
  ob_error_clear(&err);
  json_t *d = json_pack("{s:i, s:[]}", "schema_version", 2, "runs");
  ck_assert_int_eq(ob_compare_check_doc(d, "v2.json", &err), OB_EDATA);
  ck_assert_str_eq(err.source, "v2.json");
  ck_assert_str_eq(err.path, "schema_version");
  json_decref(d);
  ob_error_clear(&err);
  d = json_pack("{s:i, s:[{s:s}, {s:s}]}", "schema_version", 1, "runs", "id", "a/s0", "id", "a/s0");
  ck_assert_int_eq(ob_compare_check_doc(d, "dup.json", &err), OB_EDATA);
  ck_assert_str_eq(err.path, "runs[1].id");
  json_decref(d);
  unsigned bits = 0;
  ck_assert_int_eq(ob_compare_parse_fail_on("convergence,bandwidth", &bits, NULL), OB_OK);
  ck_assert_uint_eq(bits, OB_COMPARE_CONVERGENCE | OB_COMPARE_BANDWIDTH);
  ck_assert_int_eq(ob_compare_parse_fail_on("none", &bits, NULL), OB_OK);
  ck_assert_uint_eq(bits, 0);
  ob_error_clear(&err);
  ck_assert_int_eq(ob_compare_parse_fail_on("time,speed", &bits, &err), OB_EINVAL);
  ck_assert(strstr(err.text, "'speed'") != NULL);
  ck_assert_int_eq(ob_compare_parse_fail_on("", &bits, NULL), OB_EINVAL);
  json_t *out = NULL;
  ob_compare_opts o;
  ob_compare_opts_default(&o);
  ob_error_clear(&err);
  ck_assert_int_eq(ob_compare_files("/nonexistent/a.json", "/nonexistent/b.json", &o, &out, &err), OB_ENOINPUT);
  ck_assert_ptr_null(out);
}
END_TEST

static Suite *make_compare_suite(void)
{
  Suite *s = suite_create("compare");
  TCase *tc = tcase_create("compare");
  tcase_add_test(tc, test_identical_is_clean);
  tcase_add_test(tc, test_regressions_found);
  tcase_add_test(tc, test_improvement_and_skipped);
  tcase_add_test(tc, test_doc_checks);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_compare_suite());
}
