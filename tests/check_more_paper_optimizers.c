/* check_more_paper_optimizers.c -- conformance and convergence tests for the
 * second batch of issue 3: gravity, core, muon, polyak's momentum (ALR-MAG),
 * adabelief's amsgrad, dog's averaging and the cautious wrapper's weight
 * decay outside the mask; plus a convergence test over the whole registry.
 *
 * The reference test replays tests/reference/numpy_paper2_reference.json
 * (written by tests/reference/gen_numpy_paper2.py, an independent float64
 * numpy transcription of each method's paper or official code) through the
 * real driver -- normalization, ob_optimizer_alloc/init/step, a local memtier
 * arena, the counting oracle -- and requires every recorded iterate of every
 * case (60 steps) to match to 1e-10 relative. The reference problems are
 * the test-local ones of tests/opt_harness.h, with the generator's formulas
 * and operation order.
 *
 * The convergence test walks the registry: every optimizer that can run on a
 * plain problem must reach its tolerance on the registry's convex quadratic
 * (dim 12, condition 10) and on 2-D Rosenbrock within the budget of its row
 * in conv_rows[] (the table of docs/optimizers.md, "Convergence tests").
 * Skipped, with the reason in skip_reason(): linear solvers (they need the
 * linear-system view), bilevel algorithms (the bilevel view), and the
 * perceptron / normalized LR+GD (logreg data). A new optimizer without a row
 * fails test_conv_coverage.
 *
 * Also: muon's applicability (no shape: skipped with the reason; wrong shape:
 * an error; bad shapes rejected at validate time), thread determinism (1 vs
 * 2 OpenMP threads) of the new code paths, and first-step checks.
 * Nothing is printed unless OB_TEST_VERBOSE is set.
 */
#include "config.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench/ob_error.h"
#include "bench/ob_params.h"
#include "bench/ob_vec.h"
#include "bench/runner.h"
#include "bench/suite.h"
#include "memtier/memtier.h"
#include "optimizers/optimizer.h"
#include "problems/logreg.h"
#include "problems/problem.h"
#include "tests/opt_harness.h"
#include "tests/testutil.h"

Suite *make_more_paper_optimizers_suite(void);

/* ---- numpy reference trajectories ----------------------------------------------- */

#define REF_TOL 1e-10

static const char *const ref_names[] = { "gravity", "core", "muon", "polyak", "adabelief", "dog", "cautious",
                                         "nadam", NULL };

/* Every optimizer of the batch: >= 3 settings, each on >= 2 problems. */
START_TEST(test_reference_loaded)
{
  ck_assert_msg(ref_doc() != NULL, "cannot load the numpy reference: %s", ref_error());
  ck_assert_int_ge(json_integer_value(json_object_get(ref_doc(), "steps")), 50);
  for (const char *const *name = ref_names; *name; name++) {
    char labels[16][64];
    size_t nl = 0, i;
    json_t *c;
    json_array_foreach(ref_cases(), i, c) {
      if (strcmp(json_string_value(json_object_get(c, "optimizer")), *name) != 0) continue;
      const char *id = json_string_value(json_object_get(c, "id"));
      const char *a = strchr(id, '/'), *b = a ? strchr(a + 1, '/') : NULL;
      ck_assert_msg(a && b && (size_t)(b - a) < 64, "case id '%s' is not optimizer/label/problem", id);
      char lab[64];
      snprintf(lab, sizeof lab, "%.*s", (int)(b - a - 1), a + 1);
      size_t k = 0;
      while (k < nl && strcmp(labels[k], lab) != 0) k++;
      if (k == nl && nl < 16) snprintf(labels[nl++], sizeof labels[0], "%s", lab);
    }
    ck_assert_msg(nl >= 3, "optimizer '%s': %zu reference settings, want >= 3", *name, nl);
    for (size_t k = 0; k < nl; k++) {
      size_t probs = 0;
      json_array_foreach(ref_cases(), i, c) {
        char want[160];
        snprintf(want, sizeof want, "%s/%s/", *name, labels[k]);
        probs += strncmp(json_string_value(json_object_get(c, "id")), want, strlen(want)) == 0;
      }
      ck_assert_msg(probs >= 2, "optimizer '%s' setting '%s': %zu problems, want >= 2", *name, labels[k], probs);
    }
  }
}
END_TEST

START_TEST(test_numpy_reference)
{
  ref_case c;
  ref_case_get(_i, &c);
  ck_assert_uint_ge(json_array_size(c.iterates), 50);
  harness h;
  ref_case_open(&h, &c);
  ref_dev d;
  ref_replay(&h, &c, &d);
  /* one gradient per step; f too for polyak */
  ck_assert_uint_eq(h.orc.n_grad, d.nsteps);
  ck_assert_uint_eq(h.orc.n_f, strcmp(c.optimizer, "polyak") == 0 ? d.nsteps : 0);
  harness_close(&h);
  ref_verdict(&c, &d, "numpy", REF_TOL);
}
END_TEST

/* ---- hand-checked steps ----------------------------------------------------------- */

static const char quad3[] =
  "{\"A\": [[2,0,0],[0,1,0],[0,0,0.5]], \"b\": [1, -1, 0.25], \"x0\": [3, 1, -2], \"f_opt\": -1.0625}";

static void open_tquad(harness *h, const char *name, const char *op, const char *pq)
{
  harness_open_text(h, name, op, &ref_quad_type, pq);
}

START_TEST(test_first_steps)
{
  harness h;
  double g0[3];
  const double x0[3] = { 3, 1, -2 };
  /* gravity with alpha = 0: v1 = (1 - beta_hat_1) zeta, beta_hat_1 = (beta + 1)/3 */
  open_tquad(&h, "gravity", "{\"lr\": 0.1, \"alpha\": 0}", quad3);
  ck_assert_int_eq(h.prob->type->eval(h.prob->state, h.x, NULL, g0, &h.err), OB_OK);
  harness_step(&h);
  {
    double big = 0.0;
    for (int i = 0; i < 3; i++) big = fmax(big, fabs(g0[i]));
    const double bh = (0.9 + 1.0) / 3.0;
    for (int i = 0; i < 3; i++) {
      const double zeta = g0[i] / (1.0 + (g0[i] * big) * (g0[i] * big));
      const double want = x0[i] - 0.1 * ((1.0 - bh) * zeta);
      ck_assert_msg(fabs(h.x[i] - want) <= 1e-15, "gravity x1[%d] = %.17g, want %.17g", i, h.x[i], want);
    }
  }
  harness_close(&h);
  /* polyak with momentum: step 1 is the classic Polyak step (d = g) */
  harness a, b;
  open_tquad(&a, "polyak", "{\"momentum\": 0.9}", quad3);
  open_tquad(&b, "polyak", "{}", quad3);
  harness_step(&a);
  harness_step(&b);
  ck_assert(memcmp(a.x, b.x, 3 * sizeof(double)) == 0);
  ck_assert_uint_eq(a.opt->nvec, 1);
  ck_assert_uint_eq(b.opt->nvec, 0);
  harness_close(&a);
  harness_close(&b);
  /* dog with averaging: w_1 = 1, so the first averaged iterate is DoG's x1 */
  open_tquad(&a, "dog", "{\"average\": 8}", quad3);
  open_tquad(&b, "dog", "{}", quad3);
  harness_step(&a);
  harness_step(&b);
  ck_assert(memcmp(a.x, b.x, 3 * sizeof(double)) == 0);
  harness_step(&a);
  harness_step(&b);
  ck_assert(memcmp(a.x, b.x, 3 * sizeof(double)) != 0);   /* xbar_2 = (1 - 9/10) x1 + 9/10 x2 */
  harness_close(&a);
  harness_close(&b);
  /* adabelief amsgrad without rectification: step 1 equals plain (smax = s) */
  open_tquad(&a, "adabelief", "{\"amsgrad\": true, \"rectify\": false, \"lr\": 0.01}", quad3);
  open_tquad(&b, "adabelief", "{\"rectify\": false, \"lr\": 0.01}", quad3);
  harness_step(&a);
  harness_step(&b);
  ck_assert(memcmp(a.x, b.x, 3 * sizeof(double)) == 0);
  ck_assert_uint_eq(a.opt->nvec, 3);
  harness_close(&a);
  harness_close(&b);
  /* core, step 1: m0 = 0 so the step sizes keep lr; u = sign(g) up to eps, scaled by lr */
  open_tquad(&h, "core", "{\"lr\": 0.001, \"weight_decay\": 0}", quad3);
  harness_step(&h);
  for (int i = 0; i < 3; i++) {
    const double want = x0[i] - 0.001 * (g0[i] > 0 ? 1.0 : -1.0);
    ck_assert_msg(fabs(h.x[i] - want) <= 1e-9, "core x1[%d] = %.17g, want %.17g", i, h.x[i], want);
  }
  harness_close(&h);
}
END_TEST

/* The cautious wrapper's decay acts on every coordinate, masked or not. */
START_TEST(test_cautious_decay_outside_mask)
{
  harness c, s;
  const char *prob = "{\"dim\": 6}";
  json_t *pp = jparse(prob);
  json_t *co = jparse("{\"scale\": \"none\", \"weight_decay\": 0.5, \"inner\": {\"type\": \"sgd\", \"lr\": 0.0005, "
                      "\"momentum\": 0.9}}");
  json_t *so = jparse("{\"lr\": 0.0005, \"momentum\": 0.9}");
  harness_open(&c, "cautious", co, &ref_rosen_type, pp);
  harness_open(&s, "sgd", so, &ref_rosen_type, pp);
  long long masked = 0;
  for (int t = 1; t <= 60; t++) {
    double xo[6];
    memcpy(xo, c.x, sizeof xo);
    memcpy(s.x, c.x, sizeof xo);
    harness_step(&s);
    harness_step(&c);
    for (int i = 0; i < 6; i++) {
      const double d = s.x[i] - xo[i];
      const int keep = d * s.g[i] < 0.0;
      masked += !keep;
      const double want = (keep ? s.x[i] : xo[i]) - 0.0005 * 0.5 * xo[i];
      ck_assert_msg(c.x[i] == want, "step %d x[%d] = %.17g, want %.17g", t, i, c.x[i], want);
    }
  }
  ck_assert_msg(masked > 0, "the mask never triggered: the test proves nothing");
  harness_close(&c);
  harness_close(&s);
  json_decref(co);
  json_decref(so);
  json_decref(pp);
}
END_TEST

/* ---- muon's applicability ------------------------------------------------------------ */

START_TEST(test_muon_applicability)
{
  ob_error err;
  /* configure-time shape checks (validate reports them with the key's path) */
  static const char *const bad[] = { "{\"shape\": [12]}", "{\"shape\": [3, 4, 1]}", "{\"shape\": [0, 4]}",
                                     "{\"shape\": [2.5, 4]}", "{\"shape\": \"3x4\"}" };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    int rc = try_configure("muon", bad[k], &err);
    ck_assert_msg(rc == OB_EINVAL, "muon %s: status %d", bad[k], rc);
    ck_assert_msg(strstr(err.path, "shape") != NULL, "muon %s: path '%s' (%s)", bad[k], err.path, err.text);
  }
  ck_assert_int_eq(try_configure("muon", "{\"shape\": [3, 4]}", &err), OB_OK);
  ck_assert_int_eq(try_configure("muon", "{}", &err), OB_OK);
  /* through the runner: no shape is a skipped run with the reason; a wrong shape an error */
  ob_suite *s = NULL;
  char text[] = "{\"name\": \"m\", \"budget\": {\"max_steps\": 20}, \"problems\": [{\"type\": \"quadratic\", "
                "\"dim\": 12}], \"optimizers\": [{\"type\": \"muon\", \"id\": \"a\"}, {\"type\": \"muon\", \"id\": "
                "\"b\", \"shape\": [5, 2]}, {\"type\": \"muon\", \"id\": \"c\", \"shape\": [3, 4]}]}";
  json_t *root = jparse(text);
  ob_error_clear(&err);
  ck_assert_msg(ob_suite_from_json(root, NULL, &s, &err) == OB_OK, "%s", errtext(&err));
  static const char *const want_status[] = { "skipped", "error", NULL };
  static const char *const want_reason[] = { "\"shape\": [rows, cols] with rows * cols = 12",
                                             "shape [5, 2] has 10 entries but the problem has dimension 12", NULL };
  for (size_t k = 0; k < 3; k++) {
    json_t *rec = NULL;
    ck_assert_int_eq(ob_runner_cell(s, k, NULL, &rec), OB_OK);
    const char *status = json_string_value(json_object_get(rec, "status"));
    const char *reason = json_string_value(json_object_get(rec, "reason"));
    if (want_status[k]) {
      ck_assert_msg(status && strcmp(status, want_status[k]) == 0, "cell %zu: status %s", k, status ? status : "?");
      ck_assert_msg(reason && strstr(reason, want_reason[k]), "cell %zu: reason '%s'", k, reason ? reason : "");
    } else {
      ck_assert_msg(status && strcmp(status, "skipped") != 0 && strcmp(status, "error") != 0,
                    "cell %zu: status %s (%s)", k, status ? status : "?", reason ? reason : "");
    }
    json_decref(rec);
  }
  json_decref(root);
  ob_suite_free(s);
}
END_TEST

/* ---- thread determinism ------------------------------------------------------------- */

static const char *const det_cases[][3] = {
  { "gravity", "{\"lr\": 0.01}", "{\"dim\": 40000, \"condition\": 100, \"rotate\": false}" },
  { "core", "{}", "{\"dim\": 40000, \"condition\": 100, \"rotate\": false}" },
  { "core", "{\"beta2\": -1}", "{\"dim\": 40000, \"condition\": 100, \"rotate\": false}" },
  { "polyak", "{\"momentum\": 0.9, \"c\": 2}", "{\"dim\": 40000, \"condition\": 100, \"rotate\": false}" },
  { "adabelief", "{\"amsgrad\": true, \"rectify\": false}", "{\"dim\": 40000, \"condition\": 100, \"rotate\": false}" },
  { "dog", "{\"average\": 8}", "{\"dim\": 40000, \"condition\": 100, \"rotate\": false}" },
  { "cautious", "{\"weight_decay\": 0.1}", "{\"dim\": 40000, \"condition\": 100, \"rotate\": false}" },
  { "muon", "{\"shape\": [200, 200]}", "{\"dim\": 40000, \"condition\": 100, \"rotate\": false}" },
  { "muon", "{\"shape\": [400, 100], \"nesterov\": false}", "{\"dim\": 40000, \"condition\": 100, \"rotate\": false}" },
};
#define N_DET (sizeof det_cases / sizeof det_cases[0])

static double *det_run(int k, int threads)
{
#ifdef _OPENMP
  omp_set_num_threads(threads);
#else
  (void)threads;
#endif
  json_t *op = jparse(det_cases[k][1]), *pp = jparse(det_cases[k][2]);
  harness h;
  harness_open(&h, det_cases[k][0], op, ob_problem_type_find("quadratic"), pp);
  ck_assert_uint_ge(h.n, OB_VEC_PAR_MIN);
  for (int t = 0; t < 8; t++) harness_step(&h);
  double *x = malloc(h.n * sizeof *x);
  ck_assert_ptr_nonnull(x);
  memcpy(x, h.x, h.n * sizeof *x);
  harness_close(&h);
  json_decref(op);
  json_decref(pp);
  return x;
}

START_TEST(test_threads_bit_identical)
{
  double *a = det_run(_i, 1), *b = det_run(_i, 2);
  for (size_t i = 0; i < 40000; i++)
    ck_assert_msg(memcmp(&a[i], &b[i], sizeof(double)) == 0, "%s %s: x[%zu] %.17g (1 thread) vs %.17g (2)",
                  det_cases[_i][0], det_cases[_i][1], i, a[i], b[i]);
  free(a);
  free(b);
}
END_TEST

/* ---- convergence over the registry --------------------------------------------------- */

/* Why optimizer t has no convergence row, or NULL when it must have one. */
static const char *skip_reason(const ob_optimizer_type *t)
{
  if (t->needs & OB_NEEDS_LINSYS) return "linear solver: needs the linear-system view (check_linsys.c)";
  if (t->needs & OB_NEEDS_BILEVEL) return "bilevel algorithm: needs the bilevel view";
  if (t->needs & OB_NEEDS_LOGREG_DATA) return "needs logistic-regression data and has no f* target (check_classify.c)";
  return NULL;
}

/* Each row: one optimizer setting on the registry's convex quadratic (dim 12,
 * condition 10, rotated; f(x0) - f* is the initial gap) and on 2-D Rosenbrock
 * from (-1.2, 1) (f(x0) = 24.2, f* = 0). A run passes when
 * f - f* <= qtol (f(x0) - f*) within qsteps steps, and f <= rtol within
 * rsteps. Budgets are at least 1.2x the steps measured when the row was
 * written (OB_TEST_VERBOSE prints them; docs/optimizers.md, "Convergence
 * tests", lists both). Tolerances above the default 1e-10 / 1e-8 are honest
 * plateaus: Lion and Muon take steps of norm ~ lr whatever the gradient, RMSprop
 * and AEGD slow down in the valley, GSL's steepest descent zigzags. A zero
 * budget means the problem is not run for that row, with the reason in the
 * comment. */
typedef struct {
  const char *name, *params;
  int qsteps;
  double qtol;
  int rsteps;
  double rtol;
  const char *rparams;   /* NULL: params */
} conv_row;

static const conv_row conv_rows[] = {
  { "gd", "{\"lr\": 0.1}", 600, 1e-10, 30000, 1e-6, "{\"lr\": 0.001}" },
  { "sgd", "{\"lr\": 0.05, \"momentum\": 0.9, \"nesterov\": true}", 300, 1e-10, 5000, 1e-8,
    "{\"lr\": 0.001, \"momentum\": 0.9}" },
  { "adam", "{\"lr\": 0.05}", 1500, 1e-10, 6000, 1e-8, "{\"lr\": 0.01}" },
  { "adamw", "{\"lr\": 0.05, \"weight_decay\": 0}", 1500, 1e-10, 6000, 1e-8, "{\"lr\": 0.01, \"weight_decay\": 0}" },
  { "adagrad", "{\"lr\": 0.5}", 1500, 1e-10, 20000, 1e-6, "{\"lr\": 0.5}" },
  { "rmsprop", "{\"lr\": 0.01}", 1500, 1e-6, 30000, 1e-3, "{\"lr\": 0.0003}" },
  { "nadam", "{\"lr\": 0.05}", 1500, 1e-10, 20000, 1e-8, "{\"lr\": 0.003}" },
  { "lbfgs", "{\"lr\": 1}", 1500, 1e-10, 20000, 1e-8, "{\"lr\": 0.5}" },
  { "radam", "{\"lr\": 0.05}", 1500, 1e-10, 30000, 1e-6, "{\"lr\": 0.001}" },
  { "adamax", "{\"lr\": 0.05}", 1500, 1e-10, 8000, 1e-8, "{\"lr\": 0.01}" },
  { "lion", "{\"lr\": 0.001}", 3000, 1e-5, 4000, 1e-8, NULL },
  { "adabelief", "{\"lr\": 0.05, \"rectify\": false}", 1500, 1e-10, 9000, 1e-8, "{\"lr\": 0.003, \"rectify\": false}" },
  { "adabelief", "{\"lr\": 0.05, \"rectify\": false, \"amsgrad\": true}", 1500, 1e-10, 6000, 1e-6,
    "{\"lr\": 0.03, \"rectify\": false, \"amsgrad\": true}" },
  { "diffgrad", "{\"lr\": 0.05}", 1500, 1e-10, 8000, 1e-8, "{\"lr\": 0.01}" },
  { "adamp", "{\"lr\": 0.05}", 1500, 1e-10, 6000, 1e-8, "{\"lr\": 0.01}" },
  { "sgdp", "{\"lr\": 0.05, \"momentum\": 0.9, \"nesterov\": true}", 1500, 1e-10, 2600, 1e-8,
    "{\"lr\": 0.001, \"momentum\": 0.9}" },
  { "exadam", "{\"lr\": 0.01, \"step_size\": \"constant\"}", 3000, 1e-10, 18000, 1e-8,
    "{\"lr\": 0.0003, \"step_size\": \"constant\"}" },
  { "ademamix", "{\"lr\": 0.05, \"beta3\": 0.999}", 5000, 1e-10, 7500, 1e-8, "{\"lr\": 0.003, \"beta3\": 0.999}" },
  { "adagrad_norm", "{\"lr\": 5}", 3000, 1e-10, 16000, 1e-8, "{\"lr\": 1}" },
  { "dog", "{}", 5000, 1e-10, 23000, 1e-8, NULL },
  { "dog", "{\"average\": 8}", 6000, 1e-8, 30000, 1e-6, NULL },
  { "polyak", "{}", 1500, 1e-10, 1200, 1e-8, NULL },
  { "polyak", "{\"momentum\": 0.5}", 1500, 1e-10, 3000, 1e-8, NULL },
  /* gravity: no Rosenbrock run. Its step zeta = g / (1 + (g max|g|)^2) is
   * about 1 / (g max|g|^2) once |g| max|g| >> 1: from (-1.2, 1), |g| ~ 216,
   * the steps are ~1e-7 lr, and f stayed >= 21 after 30000 steps for every
   * lr in {0.01, 0.1, 1, 3} x beta in {0.5, 0.9, 0.99} (measured); an lr
   * large enough to move there overshoots once |g| << 1. The method is
   * built for |g| << 1 (network gradients), as the quadratic row shows. */
  { "gravity", "{\"lr\": 0.05}", 5000, 1e-8, 0, 0, NULL },
  { "core", "{\"weight_decay\": 0, \"step_max\": 0.05}", 3000, 1e-8, 10000, 1e-6, "{\"weight_decay\": 0}" },
  { "muon", "{\"shape\": [3, 4], \"lr\": 0.02}", 3000, 1e-4, 20000, 1e-2,
    "{\"shape\": [1, 2], \"lr\": 0.002}" },
  { "lookahead", "{\"inner\": {\"type\": \"adam\", \"lr\": 0.05}}", 3000, 1e-10, 12000, 1e-8,
    "{\"inner\": {\"type\": \"adam\", \"lr\": 0.01}}" },
  { "cautious", "{\"inner\": {\"type\": \"adam\", \"lr\": 0.05}}", 1500, 1e-10, 6000, 1e-8,
    "{\"inner\": {\"type\": \"adam\", \"lr\": 0.01}}" },
  { "fast_forward", "{\"inner\": {\"type\": \"adam\", \"lr\": 0.05}}", 1500, 1e-10, 6000, 1e-8,
    "{\"inner\": {\"type\": \"adam\", \"lr\": 0.01}}" },
  { "ranger", "{\"lr\": 0.05}", 3000, 1e-10, 30000, 1e-6, "{\"lr\": 0.001}" },
  { "aegd", "{\"lr\": 0.1}", 3000, 1e-8, 10000, 1e-6, "{\"lr\": 0.001}" },
  { "damped_newton", "{}", 100, 1e-10, 200, 1e-8, NULL },
  { "sophia", "{\"lr\": 0.01, \"weight_decay\": 0}", 3000, 1e-8, 40000, 1e-4,
    "{\"lr\": 0.001, \"weight_decay\": 0}" },
  { "zo_sgd", "{\"lr\": 0.02}", 5000, 1e-6, 30000, 1e-2, "{\"lr\": 0.0005}" },
  { "gsl_bfgs2", "{}", 200, 1e-10, 200, 1e-8, NULL },
  { "gsl_cg_fr", "{}", 400, 1e-10, 400, 1e-6, NULL },
  { "gsl_cg_pr", "{}", 400, 1e-10, 400, 1e-6, NULL },
  { "gsl_steepest", "{}", 2000, 1e-6, 20000, 1e-2, NULL },
  { "gsl_nm", "{}", 4000, 1e-8, 1000, 1e-8, NULL },
};
#define N_CONV (sizeof conv_rows / sizeof conv_rows[0])

START_TEST(test_conv_coverage)
{
  for (const ob_optimizer_type *const *t = ob_optimizer_types(); *t; t++) {
    size_t found = skip_reason(*t) != NULL;
    for (size_t k = 0; k < N_CONV; k++) found += strcmp(conv_rows[k].name, (*t)->name) == 0;
    ck_assert_msg(found > 0, "optimizer '%s' has no row in conv_rows[] and no skip reason", (*t)->name);
  }
  for (size_t k = 0; k < N_CONV; k++)
    ck_assert_msg(ob_optimizer_type_find(conv_rows[k].name) != NULL, "conv_rows[%zu]: '%s' is not registered", k,
                  conv_rows[k].name);
}
END_TEST

/* Runs until f - f* <= tol (f0 - f*) or the budget is spent; GSL's "stalled"
 * ends the run early. Returns the final relative gap, *used the steps taken. */
static double conv_run(const char *name, const char *params, const char *ptype, const char *pparams, int steps,
                       double tol, int *used)
{
  json_t *op = jparse(params), *pp = jparse(pparams), *pn = NULL;
  const ob_problem_type *pt = ob_problem_type_find(ptype);
  ob_error err;
  ck_assert_ptr_nonnull(pt);
  ck_assert_int_eq(ob_params_normalize(pt->params, pp, skip_keys, "problem", &pn, &err), OB_OK);
  harness h;
  harness_open(&h, name, op, pt, pn);
  const double f0 = harness_f(&h) - h.prob->f_opt;
  double gap = f0;
  int k = 0;
  for (; k < steps && !(gap <= tol * f0); k++) {
    int rc = ob_optimizer_step(h.opt, &h.orc, h.x, h.g, &h.err);
    ck_assert_msg(rc >= 0, "%s %s on %s: step %d: %s", name, params, ptype, k + 1, errtext(&h.err));
    gap = harness_f(&h) - h.prob->f_opt;
    ck_assert_msg(isfinite(gap), "%s %s on %s: f is not finite at step %d", name, params, ptype, k + 1);
    if (rc == OB_STALLED) { k++; break; }
  }
  *used = k;
  harness_close(&h);
  json_decref(op);
  json_decref(pp);
  json_decref(pn);
  return gap / f0;
}

START_TEST(test_converges_quadratic)
{
  const conv_row *r = &conv_rows[_i];
  if (r->qsteps == 0) return;
  int used;
  const double rel = conv_run(r->name, r->params, "quadratic", "{\"dim\": 12, \"condition\": 10}", r->qsteps,
                              r->qtol, &used);
  if (getenv("OB_TEST_VERBOSE"))
    printf("convergence quadratic  %-13s %-60s rel gap %.3g after %d steps (tol %g, budget %d)\n", r->name,
           r->params, rel, used, r->qtol, r->qsteps);
  ck_assert_msg(rel <= r->qtol, "%s %s: (f - f*) / (f0 - f*) = %.3g after %d steps, want <= %g", r->name, r->params,
                rel, used, r->qtol);
}
END_TEST

START_TEST(test_converges_rosenbrock)
{
  const conv_row *r = &conv_rows[_i];
  if (r->rsteps == 0) return;
  const char *params = r->rparams ? r->rparams : r->params;
  int used;
  /* f0 = 24.2 and f* = 0: the relative tolerance is rtol / 24.2 */
  const double rel = conv_run(r->name, params, "rosenbrock", "{\"dim\": 2}", r->rsteps, r->rtol / 24.2, &used);
  if (getenv("OB_TEST_VERBOSE"))
    printf("convergence rosenbrock %-13s %-60s f %.3g after %d steps (tol %g, budget %d)\n", r->name, params,
           rel * 24.2, used, r->rtol, r->rsteps);
  ck_assert_msg(rel * 24.2 <= r->rtol, "%s %s: f = %.3g after %d steps, want <= %g", r->name, params, rel * 24.2,
                used, r->rtol);
}
END_TEST

/* ---- configuration ------------------------------------------------------------------ */

START_TEST(test_config_rejects)
{
  expect_reject("gravity", "{\"beta\": 1}", "optimizer.beta", "expected a value in [0, 1)");
  expect_reject("gravity", "{\"alpha\": -1}", "optimizer.alpha", "out of range");
  expect_reject("gravity", "{\"lr\": 0}", "optimizer.lr", "out of range");
  expect_reject("core", "{\"eta_minus\": 1.5}", "optimizer.eta_minus", "out of range");
  expect_reject("core", "{\"eta_plus\": 0.5}", "optimizer.eta_plus", "out of range");
  expect_reject("core", "{\"step_min\": 0.1, \"step_max\": 0.01}", NULL, "step_min must not exceed step_max");
  expect_reject("core", "{\"beta2\": 1}", "optimizer.beta2", "out of range");
  expect_reject("muon", "{\"momentum\": 1}", "optimizer.momentum", "out of range");
  expect_reject("muon", "{\"scale\": \"rms\"}", "optimizer.scale", "rms");
  expect_reject("muon", "{\"lr\": 0.5, \"weight_decay\": 2}", NULL, "lr * weight_decay must be below 1");
  expect_reject("polyak", "{\"momentum\": 1}", "optimizer.momentum", "expected a value in [0, 1)");
  expect_reject("polyak", "{\"c\": 0}", "optimizer.c", "out of range");
  expect_reject("polyak", "{\"max_step\": 0}", "optimizer.max_step", "out of range");
  expect_reject("adabelief", "{\"amsgrad\": 1}", "optimizer.amsgrad", "expected true or false");
  expect_reject("dog", "{\"average\": -1}", "optimizer.average", "out of range");
  expect_reject("cautious", "{\"weight_decay\": 0.1, \"inner\": {\"type\": \"adamw\"}}", NULL, "not on both");
  expect_reject("cautious", "{\"weight_decay\": -0.1}", "optimizer.weight_decay", "out of range");
  ob_error err;
  ck_assert_int_eq(try_configure("cautious", "{\"weight_decay\": 0.1}", &err), OB_OK);
  ck_assert_int_eq(try_configure("cautious", "{\"weight_decay\": 0.1, \"inner\": {\"type\": \"adamw\", "
                                 "\"weight_decay\": 0}}", &err), OB_OK);
}
END_TEST

START_TEST(test_state_and_traffic)
{
  static const struct { const char *name, *params; size_t nvec; double bytes; } cases[] = {
    { "gravity", "{}", 1, 48 },
    { "core", "{}", 3, 72 },
    { "muon", "{\"shape\": [3, 4]}", 5, 64 },
    { "polyak", "{}", 0, 32 },
    { "polyak", "{\"momentum\": 0.9}", 1, 48 },
    { "adabelief", "{}", 2, 56 },
    { "adabelief", "{\"amsgrad\": true}", 3, 72 },
    { "dog", "{}", 1, 48 },
    { "dog", "{\"average\": 8}", 2, 72 },
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    harness h;
    json_t *op = jparse(cases[k].params);
    json_t *pp = jparse("{\"A\": [[1,0,0,0,0,0,0,0,0,0,0,0],[0,1,0,0,0,0,0,0,0,0,0,0],[0,0,1,0,0,0,0,0,0,0,0,0],"
                        "[0,0,0,1,0,0,0,0,0,0,0,0],[0,0,0,0,1,0,0,0,0,0,0,0],[0,0,0,0,0,1,0,0,0,0,0,0],"
                        "[0,0,0,0,0,0,1,0,0,0,0,0],[0,0,0,0,0,0,0,1,0,0,0,0],[0,0,0,0,0,0,0,0,1,0,0,0],"
                        "[0,0,0,0,0,0,0,0,0,1,0,0],[0,0,0,0,0,0,0,0,0,0,1,0],[0,0,0,0,0,0,0,0,0,0,0,1]], "
                        "\"b\": [1,1,1,1,1,1,1,1,1,1,1,1], \"f_opt\": -6}");
    harness_open(&h, cases[k].name, op, &ref_quad_type, pp);
    harness_expect_state(&h, cases[k].params, cases[k].nvec, cases[k].bytes);
    harness_close(&h);
    json_decref(op);
    json_decref(pp);
  }
}
END_TEST

/* ---- suite ------------------------------------------------------------------------------ */

Suite *make_more_paper_optimizers_suite(void)
{
  Suite *s = suite_create("more_paper_optimizers");
  ref_load("tests/reference/numpy_paper2_reference.json");
  TCase *tc = tcase_create("numpy_reference");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_reference_loaded);
  if (ref_doc()) tcase_add_loop_test(tc, test_numpy_reference, 0, (int)ref_ncases());
  suite_add_tcase(s, tc);

  tc = tcase_create("steps");
  tcase_add_test(tc, test_first_steps);
  tcase_add_test(tc, test_cautious_decay_outside_mask);
  tcase_add_test(tc, test_muon_applicability);
  suite_add_tcase(s, tc);

  tc = tcase_create("threads");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_threads_bit_identical, 0, (int)N_DET);
  suite_add_tcase(s, tc);

  tc = tcase_create("convergence");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_conv_coverage);
  tcase_add_loop_test(tc, test_converges_quadratic, 0, (int)N_CONV);
  tcase_add_loop_test(tc, test_converges_rosenbrock, 0, (int)N_CONV);
  suite_add_tcase(s, tc);

  tc = tcase_create("config");
  tcase_add_test(tc, test_config_rejects);
  tcase_add_test(tc, test_state_and_traffic);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_more_paper_optimizers_suite());
}
