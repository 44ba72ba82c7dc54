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
 * defined here with the generator's formulas and operation order.
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

/* ---- test-local problems (the generator's formulas) ------------------------- */

/* f = 1/2 x^T A x - b^T x from "A" and "b"; "f_opt"; x0 through the common
 * "x0" param. Rows of A x are summed left to right from 0.0. */
typedef struct {
  size_t n;
  double *a, *b;
  double f_opt;
} tquad_state;

static int tquad_configure(void *st, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  tquad_state *s = st;
  const json_t *A = json_object_get(params, "A"), *b = json_object_get(params, "b");
  (void)seed;
  if (!json_is_array(A) || !json_is_array(b) || json_array_size(A) != json_array_size(b) || !json_array_size(b))
    return ob_error_set(err, OB_EINVAL, "test quadratic needs a square \"A\" and a matching \"b\"");
  s->n = json_array_size(b);
  s->a = ob_memtier_alloc(mem, OB_MEM_DATA, s->n * s->n, err);
  s->b = ob_memtier_alloc(mem, OB_MEM_DATA, s->n, err);
  if (!s->a || !s->b) return err->code;
  for (size_t i = 0; i < s->n; i++) {
    const json_t *row = json_array_get(A, i);
    if (json_array_size(row) != s->n) return ob_error_set(err, OB_EINVAL, "test quadratic: row %zu of A", i);
    for (size_t j = 0; j < s->n; j++) s->a[i * s->n + j] = json_number_value(json_array_get(row, j));
    s->b[i] = json_number_value(json_array_get(b, i));
  }
  const json_t *fo = json_object_get(params, "f_opt");
  s->f_opt = json_is_number(fo) ? json_number_value(fo) : NAN;
  return OB_OK;
}

static size_t tquad_dim(const void *st) { return ((const tquad_state *)st)->n; }

static int tquad_eval(void *st, const double *x, double *f, double *g, ob_error *err)
{
  tquad_state *s = st;
  double fx = 0.0;
  (void)err;
  for (size_t i = 0; i < s->n; i++) {
    double ax = 0.0;
    for (size_t j = 0; j < s->n; j++) ax = ax + s->a[i * s->n + j] * x[j];
    if (g) g[i] = ax - s->b[i];
    fx = fx + (0.5 * x[i] * ax - s->b[i] * x[i]);
  }
  if (f) *f = fx;
  return OB_OK;
}

static void tquad_x0(const void *st, double *x)
{
  const tquad_state *s = st;
  memset(x, 0, s->n * sizeof *x);
}

static double tquad_fopt(const void *st) { return ((const tquad_state *)st)->f_opt; }

static const ob_problem_type tquad_type = {
  .name = "test_quadratic", .summary = "1/2 x^T A x - b^T x with explicit A, b",
  .reference = "tests/reference/gen_numpy_paper2.py", .state_size = sizeof(tquad_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_FOPT, .configure = tquad_configure, .dim = tquad_dim,
  .eval = tquad_eval, .x0 = tquad_x0, .f_opt = tquad_fopt,
};

/* Chained Rosenbrock, f* = 0, the generator's operation order. */
typedef struct { size_t n; } trosen_state;

static int trosen_configure(void *st, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  trosen_state *s = st;
  (void)seed;
  (void)mem;
  json_int_t n = json_integer_value(json_object_get(params, "dim"));
  if (n < 2) return ob_error_set(err, OB_EINVAL, "test rosenbrock needs \"dim\" >= 2");
  s->n = (size_t)n;
  return OB_OK;
}

static size_t trosen_dim(const void *st) { return ((const trosen_state *)st)->n; }

static int trosen_eval(void *st, const double *x, double *f, double *g, ob_error *err)
{
  trosen_state *s = st;
  double fx = 0.0;
  (void)err;
  if (g) memset(g, 0, s->n * sizeof *g);
  for (size_t i = 0; i + 1 < s->n; i++) {
    const double t = x[i + 1] - x[i] * x[i];
    fx = fx + (100.0 * t * t + (1.0 - x[i]) * (1.0 - x[i]));
    if (g) {
      g[i] = g[i] + (-400.0 * x[i] * t - 2.0 * (1.0 - x[i]));
      g[i + 1] = g[i + 1] + 200.0 * t;
    }
  }
  if (f) *f = fx;
  return OB_OK;
}

static void trosen_x0(const void *st, double *x)
{
  const trosen_state *s = st;
  for (size_t i = 0; i < s->n; i++) x[i] = i % 2 ? 1.0 : -1.2;
}

static double trosen_fopt(const void *st) { (void)st; return 0.0; }

static const ob_problem_type trosen_type = {
  .name = "test_rosenbrock", .summary = "chained Rosenbrock", .reference = "Rosenbrock 1960; chained form",
  .state_size = sizeof(trosen_state), .provides = OB_PROVIDES_GRAD | OB_PROVIDES_FOPT,
  .configure = trosen_configure, .dim = trosen_dim, .eval = trosen_eval, .x0 = trosen_x0, .f_opt = trosen_fopt,
};

/* ---- numpy reference trajectories ----------------------------------------------- */

#define REF_TOL 1e-10

static const char *const ref_names[] = { "gravity", "core", "muon", "polyak", "adabelief", "dog", "cautious", NULL };

static json_t *ref_doc;
static char ref_error[2048];

static void ref_free(void)
{
  json_decref(ref_doc);
  ref_doc = NULL;
}

static void ref_load(void)
{
  char path[512];
  json_error_t je;
  ob_test_srcpath(path, sizeof path, "tests/reference/numpy_paper2_reference.json");
  ref_doc = json_load_file(path, 0, &je);
  if (!ref_doc) {
    snprintf(ref_error, sizeof ref_error, "%s:%d:%d: %s", path, je.line, je.column, je.text);
    return;
  }
  if (!json_is_array(json_object_get(ref_doc, "cases")) || !json_is_object(json_object_get(ref_doc, "problems"))) {
    snprintf(ref_error, sizeof ref_error, "%s: no \"cases\" array or \"problems\" object", path);
    ref_free();
    return;
  }
  atexit(ref_free);
}

static size_t ref_ncases(void)
{
  return ref_doc ? json_array_size(json_object_get(ref_doc, "cases")) : 0;
}

/* Every optimizer of the batch: >= 3 settings, each on >= 2 problems. */
START_TEST(test_reference_loaded)
{
  ck_assert_msg(ref_doc != NULL, "cannot load the numpy reference: %s", ref_error);
  ck_assert_int_ge(json_integer_value(json_object_get(ref_doc, "steps")), 50);
  for (const char *const *name = ref_names; *name; name++) {
    char labels[16][64];
    size_t nl = 0, i;
    json_t *c;
    json_array_foreach(json_object_get(ref_doc, "cases"), i, c) {
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
      json_array_foreach(json_object_get(ref_doc, "cases"), i, c) {
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
  json_t *c = json_array_get(json_object_get(ref_doc, "cases"), (size_t)_i);
  const char *id = json_string_value(json_object_get(c, "id"));
  const char *opt = json_string_value(json_object_get(c, "optimizer"));
  const char *pname = json_string_value(json_object_get(c, "problem"));
  json_t *prob = json_object_get(json_object_get(ref_doc, "problems"), pname);
  json_t *its = json_object_get(c, "iterates");
  ck_assert_msg(id && opt && prob && json_is_array(its), "case %d is malformed", _i);
  const char *kind = json_string_value(json_object_get(prob, "kind"));
  ck_assert_msg(strcmp(kind, "quadratic") == 0 || strcmp(kind, "rosenbrock") == 0,
                "case %s: unknown problem kind '%s'", id, kind);
  const ob_problem_type *pt = strcmp(kind, "quadratic") == 0 ? &tquad_type : &trosen_type;

  harness h;
  harness_open(&h, opt, json_object_get(c, "params"), pt, prob);
  ck_assert_uint_eq(h.n, (size_t)json_integer_value(json_object_get(prob, "dim")));

  double worst = 0.0, worst_mine = 0.0, worst_ref = 0.0;
  size_t worst_step = 0, worst_i = 0, nsteps = json_array_size(its);
  ck_assert_uint_ge(nsteps, 50);
  for (size_t k = 0; k < nsteps; k++) {
    harness_step(&h);
    json_t *row = json_array_get(its, k);
    ck_assert_uint_eq(json_array_size(row), h.n);
    for (size_t i = 0; i < h.n; i++) {
      const double ref = json_number_value(json_array_get(row, i));
      const double dev = fabs(h.x[i] - ref) / fmax(1.0, fabs(ref));
      if (!(dev <= worst) && !isnan(worst)) {
        worst = dev;
        worst_step = k + 1;
        worst_i = i;
        worst_mine = h.x[i];
        worst_ref = ref;
      }
    }
  }
  /* one gradient per step; f too for polyak */
  ck_assert_uint_eq(h.orc.n_grad, nsteps);
  ck_assert_uint_eq(h.orc.n_f, strcmp(opt, "polyak") == 0 ? nsteps : 0);
  harness_close(&h);
  if (getenv("OB_TEST_VERBOSE"))
    printf("numpy reference %-40s worst relative deviation %.3g%s\n", id, worst,
           worst == 0.0 ? " (bit-identical)" : "");
  ck_assert_msg(worst <= REF_TOL,
                "case %s: worst relative deviation from numpy %.3g > %g at step %zu, x[%zu]: "
                "optbench %.17g, numpy %.17g", id, worst, REF_TOL, worst_step, worst_i, worst_mine, worst_ref);
}
END_TEST

/* ---- hand-checked steps ----------------------------------------------------------- */

static const char quad3[] =
  "{\"A\": [[2,0,0],[0,1,0],[0,0,0.5]], \"b\": [1, -1, 0.25], \"x0\": [3, 1, -2], \"f_opt\": -1.0625}";

static void open_tquad(harness *h, const char *name, const char *op, const char *pq)
{
  json_t *o = jparse(op), *p = jparse(pq);
  harness_open(h, name, o, &tquad_type, p);
  json_decref(o);
  json_decref(p);
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
  harness_open(&c, "cautious", co, &trosen_type, pp);
  harness_open(&s, "sgd", so, &trosen_type, pp);
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

static void expect_reject(const char *name, const char *params, const char *path, const char *text)
{
  ob_error err;
  int rc = try_configure(name, params, &err);
  ck_assert_msg(rc == OB_EINVAL, "%s %s: status %d, want %d (%s)", name, params, rc, OB_EINVAL, errtext(&err));
  ck_assert_msg(strstr(err.text, text) != NULL, "%s %s: message '%s' lacks '%s'", name, params, err.text, text);
  if (path)
    ck_assert_msg(strcmp(err.path, path) == 0, "%s %s: path '%s', want '%s'", name, params, err.path, path);
}

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
    harness_open(&h, cases[k].name, op, &tquad_type, pp);
    ck_assert_msg(h.opt->nvec == cases[k].nvec, "%s %s: %zu state vectors, want %zu", cases[k].name,
                  cases[k].params, h.opt->nvec, cases[k].nvec);
    ck_assert_msg(ob_optimizer_traffic(h.opt) == cases[k].bytes, "%s %s: traffic %g, want %g", cases[k].name,
                  cases[k].params, ob_optimizer_traffic(h.opt), cases[k].bytes);
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
  ref_load();
  TCase *tc = tcase_create("numpy_reference");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_reference_loaded);
  if (ref_doc) tcase_add_loop_test(tc, test_numpy_reference, 0, (int)ref_ncases());
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
