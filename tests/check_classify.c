/* check_classify.c -- the classification optimizers of the large-step study
 * (Tyurin, arXiv 2412.08424): perceptron (Batch Perceptron, sec. 3, and the
 * Normalized Batch Perceptron, Thm. 5.3) and nlr_gd (Normalized LR+GD, sec. 6)
 * on logreg problems, through the real driver, memtier arena and oracle.
 *
 * First steps are checked against hand computation on the two-sample data set
 * of the paper's Theorem 4.1 (a_1 = (1, -1), y_1 = +1; a_2 = (-1, -4),
 * y_2 = -1), where the paper gives theta_1 / gamma = (1/2, 3/4) and
 * theta_2 / gamma -> (1, 1/4). Separation is checked on the worst case of
 * Theorem 5.1 (the batch perceptron needs Omega(n) steps, the normalized
 * methods at most R^2/mu^2 = 5) and on the synthetic separable generator.
 * Data files go to $TMPDIR (default /tmp) and are removed.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/ob_params.h"
#include "memtier/memtier.h"
#include "optimizers/optimizer.h"
#include "problems/logreg.h"
#include "problems/problem.h"
#include "tests/opt_harness.h"
#include "tests/testutil.h"

/* Opens optimizer `name` (params text `op`) on a logreg problem (params text
 * `pp`); returns the status of ob_optimizer_init (the harness stays open
 * only on OB_OK). */
static int harness_try(harness *h, const char *name, const char *op, const char *ptype, const char *pp)
{
  memset(h, 0, sizeof *h);
  const ob_optimizer_type *t = ob_optimizer_type_find(name);
  const ob_problem_type *pt = ob_problem_type_find(ptype);
  ck_assert_msg(t && pt, "optimizer '%s' or problem '%s' is not registered", name, ptype);
  json_t *given = jparse(op), *norm = NULL, *local = json_string("local"), *pgiven = jparse(pp), *pnorm = NULL;
  int rc = ob_params_normalize(t->params, given, skip_keys, "optimizer", &norm, &h->err);
  ck_assert_msg(rc == OB_OK, "%s: normalize: %s", name, errtext(&h->err));
  rc = ob_optimizer_alloc(t, norm, &h->opt, &h->err);
  ck_assert_msg(rc == OB_OK, "%s: alloc: %s", name, errtext(&h->err));
  rc = ob_params_normalize(pt->params, pgiven, skip_keys, "problem", &pnorm, &h->err);
  ck_assert_msg(rc == OB_OK, "problem: normalize: %s", errtext(&h->err));
  json_object_set_new(pnorm, "x0", json_null());
  rc = ob_placement_parse(local, "placement", &h->pl, &h->err);
  ck_assert_msg(rc == OB_OK, "placement: %s", errtext(&h->err));
  rc = ob_memtier_open(h->pl, &h->mem, &h->err);
  ck_assert_msg(rc == OB_OK, "memtier: %s", errtext(&h->err));
  rc = ob_problem_alloc(pt, pnorm, 0, h->mem, &h->prob, &h->err);
  ck_assert_msg(rc == OB_OK, "problem: %s", errtext(&h->err));
  json_decref(given);
  json_decref(norm);
  json_decref(local);
  json_decref(pgiven);
  json_decref(pnorm);
  h->n = h->prob->n;
  h->x = ob_memtier_alloc(h->mem, OB_MEM_PARAMS, h->n, &h->err);
  h->g = ob_memtier_alloc(h->mem, OB_MEM_GRADS, h->n, &h->err);
  ck_assert_msg(h->x && h->g, "arena: %s", errtext(&h->err));
  memcpy(h->x, h->prob->x0, h->n * sizeof *h->x);
  ob_oracle_init(&h->orc, h->prob);
  rc = ob_optimizer_init(h->opt, h->prob, h->mem, &h->err);
  if (rc != OB_OK) {
    ob_error keep = h->err;
    ob_optimizer_free(h->opt);
    ob_problem_free(h->prob);
    ob_memtier_close(h->mem);
    ob_placement_free(h->pl);
    memset(h, 0, sizeof *h);
    h->err = keep;
  }
  return rc;
}

static void logreg_open(harness *h, const char *name, const char *op, const char *pp)
{
  int rc = harness_try(h, name, op, "logreg", pp);
  ck_assert_msg(rc == OB_OK, "%s: init: %s", name, errtext(&h->err));
}

static size_t misclassified(harness *h)
{
  size_t nmis;
  ob_logreg_classify(h->prob, 0, h->x, 0, 0, 0, NULL, NULL, &nmis);
  return nmis;
}

/* Steps until every sample is classified correctly (at most `cap`; cap + 1 when never). */
static long steps_to_separate(harness *h, long cap)
{
  for (long k = 0; k <= cap; k++) {
    if (misclassified(h) == 0) return k;
    if (k < cap) harness_step(h);
  }
  return cap + 1;
}

/* ---- data files ------------------------------------------------------------------ */

static char thm41_path[512], thm51_path[512];

static void write_file(char *path, size_t size, const char *stem, const char *text)
{
  const char *dir = getenv("TMPDIR");
  snprintf(path, size, "%s/ob_classify_%s_%ld.svm", dir && *dir ? dir : "/tmp", stem, (long)getpid());
  FILE *f = fopen(path, "w");
  ck_assert_msg(f != NULL, "cannot create %s", path);
  fputs(text, f);
  fclose(f);
}

#define THM51_N 40

static void setup(void)
{
  write_file(thm41_path, sizeof thm41_path, "thm41", "+1 1:1 2:-1\n-1 1:-1 2:-4\n");
  /* Theorem 5.1: (0.5, -1) in class +1, n - 1 copies of (-0.5, -1) in class -1 */
  char buf[THM51_N * 32] = "+1 1:0.5 2:-1\n";
  for (int i = 1; i < THM51_N; i++) strcat(buf, "-1 1:-0.5 2:-1\n");
  write_file(thm51_path, sizeof thm51_path, "thm51", buf);
}

static void teardown(void)
{
  unlink(thm41_path);
  unlink(thm51_path);
}

static const char *data_params(const char *path)
{
  static char buf[700];
  snprintf(buf, sizeof buf, "{\"data\": {\"libsvm\": \"%s\"}, \"l2\": 0, \"format\": \"dense\"}", path);
  return buf;
}

/* ---- first steps against hand computation ------------------------------------------ */

START_TEST(test_perceptron_first_steps)
{
  harness h;
  logreg_open(&h, "perceptron", "{}", data_params(thm41_path));
  ck_assert_uint_eq(h.n, 2);
  /* theta_1 = (1/(2n)) sum y_i a_i = (1/4) ((1, -1) + (1, 4)) = (1/2, 3/4) */
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0], 0.5, 1e-15);
  ck_assert_double_eq_tol(h.x[1], 0.75, 1e-15);
  /* z_1 = 1/2 - 3/4 < 0, z_2 = (1, 4).(1/2, 3/4) = 7/2 > 0: theta_2 = theta_1 + (1/2)(1, -1) = (1, 1/4) */
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0], 1.0, 1e-15);
  ck_assert_double_eq_tol(h.x[1], 0.25, 1e-15);
  ck_assert_uint_eq(misclassified(&h), 0);
  /* separated: x stays put; every step counts one gradient and no f */
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0], 1.0, 1e-15);
  ck_assert_double_eq_tol(h.x[1], 0.25, 1e-15);
  ck_assert_uint_eq(h.orc.n_grad, 3);
  ck_assert_uint_eq(h.orc.n_f, 0);
  harness_close(&h);

  /* lr scales the iterates */
  logreg_open(&h, "perceptron", "{\"lr\": 4}", data_params(thm41_path));
  harness_step(&h);
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0], 4.0, 1e-14);
  ck_assert_double_eq_tol(h.x[1], 1.0, 1e-14);
  harness_close(&h);

  /* normalized: S_0 = both samples (z = 0): theta_1 = (1/2)(2, 3) = (1, 3/2); then
   * z_1 = -1/2 (S_1 = {1}): theta_2 = (1, 3/2) + (1, -1) = (2, 1/2) */
  logreg_open(&h, "perceptron", "{\"normalized\": true}", data_params(thm41_path));
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0], 1.0, 1e-15);
  ck_assert_double_eq_tol(h.x[1], 1.5, 1e-15);
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0], 2.0, 1e-15);
  ck_assert_double_eq_tol(h.x[1], 0.5, 1e-15);
  ck_assert_uint_eq(misclassified(&h), 0);
  harness_close(&h);
}
END_TEST

START_TEST(test_nlr_gd_first_steps)
{
  const double gamma = 0.7;
  harness h;
  logreg_open(&h, "nlr_gd", "{\"lr\": 0.7}", data_params(thm41_path));
  /* theta_0 = 0: grad f = -(1/2) sum (1/2) y_i a_i = -(1/2, 3/4); beta_0 = 1 / (1/2) = 2,
   * so theta_1 = gamma (1, 3/2) */
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0], gamma * 1.0, 1e-15);
  ck_assert_double_eq_tol(h.x[1], gamma * 1.5, 1e-15);
  /* step 2 by hand: z_1 = gamma (1 - 3/2), z_2 = gamma (1 + 6);
   * c_i = 1 / (1 + exp(z_i)); grad = -(1/2)(c_1 (1, -1) + c_2 (1, 4)); beta = 2 / (c_1 + c_2) */
  double z1 = gamma * -0.5, z2 = gamma * 7.0;
  double c1 = 1.0 / (1.0 + exp(z1)), c2 = 1.0 / (1.0 + exp(z2));
  double g0 = -0.5 * (c1 + c2), g1 = -0.5 * (-c1 + 4.0 * c2), beta = 2.0 / (c1 + c2);
  double e0 = gamma - gamma * beta * g0, e1 = gamma * 1.5 - gamma * beta * g1;
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0], e0, 1e-14);
  ck_assert_double_eq_tol(h.x[1], e1, 1e-14);
  ck_assert_uint_eq(h.orc.n_grad, 2);
  harness_close(&h);
}
END_TEST

/* As gamma grows, theta_1 / gamma of nlr_gd tends to the normalized perceptron's
 * theta_1 and gd's to the batch perceptron's (Theorem 3.2). */
START_TEST(test_large_step_limit)
{
  harness h;
  logreg_open(&h, "gd", "{\"lr\": 1e6}", data_params(thm41_path));
  harness_step(&h);
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0] / 1e6, 1.0, 1e-12);
  ck_assert_double_eq_tol(h.x[1] / 1e6, 0.25, 1e-12);
  harness_close(&h);
  logreg_open(&h, "nlr_gd", "{\"lr\": 1e6}", data_params(thm41_path));
  harness_step(&h);
  harness_step(&h);
  ck_assert_double_eq_tol(h.x[0] / 1e6, 2.0, 1e-12);
  ck_assert_double_eq_tol(h.x[1] / 1e6, 0.5, 1e-12);
  harness_close(&h);
}
END_TEST

/* ---- separation --------------------------------------------------------------------- */

START_TEST(test_worst_case_separation)
{
  /* R^2 = 1.25, mu = 0.5 (theta = (1, 0)): the normalized methods need at most 5
   * steps (Thm. 5.3; Thm. 6.1 adds 2 log(2n - 1) / (gamma mu^2) < 1 at gamma 100),
   * the batch perceptron Omega(n) (Thm. 5.1) */
  harness h;
  logreg_open(&h, "perceptron", "{}", data_params(thm51_path));
  long batch = steps_to_separate(&h, 10 * THM51_N);
  harness_close(&h);
  logreg_open(&h, "perceptron", "{\"normalized\": true}", data_params(thm51_path));
  long norm = steps_to_separate(&h, 10 * THM51_N);
  harness_close(&h);
  logreg_open(&h, "nlr_gd", "{\"lr\": 100}", data_params(thm51_path));
  long nlr = steps_to_separate(&h, 10 * THM51_N);
  harness_close(&h);
  if (getenv("OB_TEST_VERBOSE"))
    printf("worst case n = %d: batch perceptron %ld steps, normalized %ld, nlr_gd(100) %ld\n", THM51_N, batch, norm,
           nlr);
  ck_assert_msg(norm <= 5, "normalized perceptron: %ld steps, bound 5", norm);
  ck_assert_msg(nlr <= 6, "nlr_gd: %ld steps, bound 5 + 2 log(79) / 25", nlr);
  ck_assert_msg(batch >= THM51_N / 4 && batch <= 10 * THM51_N, "batch perceptron: %ld steps, want Omega(n)", batch);
}
END_TEST

START_TEST(test_synthetic_separation)
{
  static const char *const runs[][2] = {
    { "perceptron", "{}" }, { "perceptron", "{\"normalized\": true}" },
    { "nlr_gd", "{\"lr\": 1}" }, { "nlr_gd", "{\"lr\": 1e4}" },
  };
  const char *pp = "{\"data\": {\"synthetic\": {\"n\": 400, \"d\": 8, \"separable\": true, \"margin\": 0.1, "
                   "\"radius\": 1, \"seed\": 3}}, \"l2\": 0}";
  for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
    harness h;
    logreg_open(&h, runs[k][0], runs[k][1], pp);
    /* (R/gamma)^2 = 100 bounds the normalized methods; the batch one gets n R^2/gamma^2 */
    long steps = steps_to_separate(&h, 4000);
    ck_assert_msg(steps <= 200, "%s %s: %ld steps to separate", runs[k][0], runs[k][1], steps);
    harness_close(&h);
  }
}
END_TEST

/* ---- the separated_at_step metric ---------------------------------------------------- */

static json_t *final_metrics(harness *h)
{
  json_t *fin = json_object();
  ck_assert_int_eq(h->prob->type->metrics(h->prob->state, h->x, fin, &h->err), OB_OK);
  return fin;
}

START_TEST(test_separated_at_step)
{
  /* Theorem 4.1 data: the batch perceptron separates after step 2 (hand computation
   * above); the oracle's step k sees x_{k-1}, as the runner sets orc.step */
  harness h;
  logreg_open(&h, "perceptron", "{}", data_params(thm41_path));
  json_t *fin = final_metrics(&h);
  ck_assert(json_is_null(json_object_get(fin, "separated_at_step")));   /* x0 = 0 does not separate */
  json_decref(fin);
  for (uint64_t k = 1; k <= 4; k++) {
    h.orc.step = k;
    harness_step(&h);
  }
  fin = final_metrics(&h);
  ck_assert_int_eq(json_integer_value(json_object_get(fin, "separated_at_step")), 2);
  json_decref(fin);
  harness_close(&h);

  /* gd through the oracle: lr 1e6 also separates after 2 steps (Theorem 3.2); after
   * exactly 2 steps only the final x shows it */
  logreg_open(&h, "gd", "{\"lr\": 1e6}", data_params(thm41_path));
  for (uint64_t k = 1; k <= 2; k++) {
    h.orc.step = k;
    harness_step(&h);
  }
  fin = final_metrics(&h);
  ck_assert_int_eq(json_integer_value(json_object_get(fin, "separated_at_step")), 2);
  json_decref(fin);
  h.orc.step = 3;
  harness_step(&h);
  fin = final_metrics(&h);
  ck_assert_int_eq(json_integer_value(json_object_get(fin, "separated_at_step")), 2);
  json_decref(fin);
  harness_close(&h);
}
END_TEST

/* ---- compatibility and configuration ---------------------------------------------------- */

START_TEST(test_refuses_other_problems)
{
  static const char *const names[] = { "perceptron", "nlr_gd" };
  for (size_t k = 0; k < 2; k++) {
    harness h;
    int rc = harness_try(&h, names[k], "{}", "sphere", "{\"dim\": 4}");
    ck_assert_int_eq(rc, OB_EUNSUPPORTED);
    ck_assert_msg(strstr(h.err.text, "needs the data of a logreg problem"), "%s: '%s'", names[k], h.err.text);
    rc = harness_try(&h, names[k], "{}", "logreg",
                     "{\"data\": {\"synthetic\": {\"n\": 50, \"d\": 3}}, \"batch\": 10}");
    ck_assert_int_eq(rc, OB_EUNSUPPORTED);
    ck_assert_msg(strstr(h.err.text, "full-batch method"), "%s: '%s'", names[k], h.err.text);
  }
}
END_TEST

/* Invalid parameters: expect_reject of tests/opt_harness.h checks status, message and path. */
START_TEST(test_config_rejects)
{
  expect_reject("perceptron", "{\"lr\": 0}", "optimizer.lr", "out of range");
  expect_reject("perceptron", "{\"normalized\": \"yes\"}", "optimizer.normalized", "expected true or false");
  expect_reject("perceptron", "{\"normalise\": true}", "optimizer.normalise", "did you mean 'normalized'?");
  expect_reject("nlr_gd", "{\"lr\": -1}", "optimizer.lr", "out of range");
  expect_reject("nlr_gd", "{\"gamma\": 10}", "optimizer.gamma", "unknown key 'gamma'");
}
END_TEST

static Suite *make_classify_suite(void)
{
  Suite *s = suite_create("classify");
  TCase *tc = tcase_create("steps");
  tcase_set_timeout(tc, 60);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_perceptron_first_steps);
  tcase_add_test(tc, test_nlr_gd_first_steps);
  tcase_add_test(tc, test_large_step_limit);
  tcase_add_test(tc, test_worst_case_separation);
  tcase_add_test(tc, test_synthetic_separation);
  tcase_add_test(tc, test_separated_at_step);
  tcase_add_test(tc, test_refuses_other_problems);
  tcase_add_test(tc, test_config_rejects);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_classify_suite());
}
