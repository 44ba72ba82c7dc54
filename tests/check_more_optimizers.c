/* check_more_optimizers.c -- conformance tests for sophia, zo_sgd, aegd and
 * damped_newton.
 *
 * The central test replays tests/reference/numpy_curv_reference.json
 * (written by tests/reference/gen_numpy_curv.py, an independent float64
 * numpy transcription of each method's algorithm box or official code)
 * through the real driver -- parameter normalization,
 * ob_optimizer_alloc/init/step, a local memtier arena, the counting oracle --
 * and requires every recorded iterate to match to 1e-10 relative and the
 * oracle counts (f, gradients, Hessian- and Gauss-Newton-vector products) to
 * match exactly: zo_sgd's trajectory shows f evaluations only. The
 * reference problems (a 5-D quadratic, chained Rosenbrock in 2-D and 4-D, and
 * 2-D Rosenbrock from a point where the Hessian is indefinite) are the
 * test-local ones of tests/opt_harness.h, with the generator's formulas and
 * operation order, including their Hessian-vector and Gauss-Newton products. The random vectors of sophia and
 * zo_sgd come from bench/ob_rng.h, which the generator reimplements.
 *
 * The other tests: convergence on the quadratic and on 2-D Rosenbrock
 * within stated budgets, bit-identical trajectories for 1 and 2 OpenMP
 * threads (parallel path, n = 40000; damped Newton on n = 60), the skipped
 * reasons (sophia's estimator-dependent need, damped Newton's max_dim),
 * the seed dependence of the random streams, configuration errors with
 * their suite paths, state/traffic accounting, AEGD's energy, damped
 * Newton's non-positive-definite handling and its composition inside
 * lookahead and cautious (check_wrappers.c composes the element-wise ones).
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
#include "memtier/memtier.h"
#include "optimizers/optimizer.h"
#include "problems/problem.h"
#include "tests/opt_harness.h"
#include "tests/testutil.h"

Suite *make_more_optimizers_suite(void);

/* ---- test-local problems --------------------------------------------------- */

/* The reference problems are ref_quad_type and ref_rosen_type of
 * tests/opt_harness.h, both with Hessian-vector and Gauss-Newton products.
 * The quadratic again with fewer oracles, for the skipped reasons: */
static const ob_problem_type cquad_grad_only_type = {
  .name = "test_quadratic_grad", .summary = "1/2 x^T A x - b^T x, gradients only",
  .reference = "tests/reference/gen_numpy_curv.py", .state_size = sizeof(ref_quad_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_FOPT,
  .configure = ref_quad_configure, .dim = ref_quad_dim, .eval = ref_quad_eval, .x0 = ref_quad_x0,
  .f_opt = ref_quad_fopt,
};

/* ... and with Hessian-vector but no Gauss-Newton products. */
static const ob_problem_type cquad_hvp_only_type = {
  .name = "test_quadratic_hvp", .summary = "1/2 x^T A x - b^T x, no Gauss-Newton products",
  .reference = "tests/reference/gen_numpy_curv.py", .state_size = sizeof(ref_quad_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_FOPT | OB_PROVIDES_HVP,
  .configure = ref_quad_configure, .dim = ref_quad_dim, .eval = ref_quad_eval, .hvp = ref_quad_hvp,
  .x0 = ref_quad_x0, .f_opt = ref_quad_fopt,
};

/* A large diagonal quadratic 1/2 sum d_i x_i^2 - sum x_i, d_i = 1 + (i mod 7),
 * x0 = 0 ("dim"), for the thread test: element-wise oracles, OpenMP-free. */
typedef struct { size_t n; } cdiag_state;

static int cdiag_configure(void *st, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  cdiag_state *s = st;
  (void)seed;
  (void)mem;
  (void)err;
  s->n = (size_t)json_integer_value(json_object_get(params, "dim"));
  return OB_OK;
}

static size_t cdiag_dim(const void *st) { return ((const cdiag_state *)st)->n; }

static int cdiag_eval(void *st, const double *x, double *f, double *g, ob_error *err)
{
  cdiag_state *s = st;
  double fx = 0.0;
  (void)err;
  for (size_t i = 0; i < s->n; i++) {
    const double d = 1.0 + (double)(i % 7);
    if (g) g[i] = d * x[i] - 1.0;
    fx += 0.5 * d * x[i] * x[i] - x[i];
  }
  if (f) *f = fx;
  return OB_OK;
}

static int cdiag_hvp(void *st, const double *x, const double *v, double *out, ob_error *err)
{
  cdiag_state *s = st;
  (void)x;
  (void)err;
  for (size_t i = 0; i < s->n; i++) out[i] = (1.0 + (double)(i % 7)) * v[i];
  return OB_OK;
}

static void cdiag_x0(const void *st, double *x)
{
  const cdiag_state *s = st;
  for (size_t i = 0; i < s->n; i++) x[i] = 0.0;
}

static const ob_problem_type cdiag_type = {
  .name = "test_diag", .summary = "diagonal quadratic", .reference = "test", .state_size = sizeof(cdiag_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_HVP | OB_PROVIDES_GNVP, .configure = cdiag_configure,
  .dim = cdiag_dim, .eval = cdiag_eval, .hvp = cdiag_hvp, .x0 = cdiag_x0, .gnvp = cdiag_hvp,
};

/* The reference quadratic, also used by the other tests. */
static const char quad5[] =
  "{\"A\": [[4.0, 1.0, 0.5, 0.0, 0.2], [1.0, 3.0, 0.3, 0.1, 0.0], [0.5, 0.3, 2.0, 0.4, 0.1],"
  " [0.0, 0.1, 0.4, 1.5, 0.3], [0.2, 0.0, 0.1, 0.3, 0.8]], \"b\": [1.0, -2.0, 0.5, 3.0, -1.0],"
  " \"x0\": [1.0, 1.0, -1.0, 0.5, 2.0], \"f_opt\": -6.256580410765923}";

/* ---- numpy reference trajectories ------------------------------------------------ */

#define REF_TOL 1e-10

static const char *const curv_names[] = { "sophia", "zo_sgd", "aegd", "damped_newton", NULL };

/* Each optimizer: >= 3 settings, each on >= 2 problems; >= 50 steps except
 * damped Newton, which is compared while it has not converged (the
 * generator stops recording at |g|_inf <= 1e-9) but needs one case of
 * >= 20 steps. */
START_TEST(test_reference_loaded)
{
  ck_assert_msg(ref_doc() != NULL, "cannot load the numpy reference: %s", ref_error());
  ck_assert_int_eq(json_integer_value(json_object_get(ref_doc(), "seed")), 0);
  for (const char *const *name = curv_names; *name; name++) {
    size_t i, found = 0, on_quad = 0, longest = 0;
    json_t *c;
    json_array_foreach(ref_cases(), i, c) {
      if (strcmp(json_string_value(json_object_get(c, "optimizer")), *name) != 0) continue;
      found++;
      on_quad += strcmp(json_string_value(json_object_get(c, "problem")), "quad5") == 0;
      const size_t ns = json_array_size(json_object_get(c, "iterates"));
      if (ns > longest) longest = ns;
      if (strcmp(*name, "damped_newton") != 0)
        ck_assert_msg(ns >= 50, "%s: only %zu steps", json_string_value(json_object_get(c, "id")), ns);
    }
    ck_assert_msg(on_quad >= 3 && found >= 2 * on_quad, "optimizer '%s': %zu cases, %zu settings", *name, found,
                  on_quad);
    ck_assert_uint_ge(longest, strcmp(*name, "damped_newton") == 0 ? 20 : 50);
  }
}
END_TEST

START_TEST(test_numpy_reference)
{
  ref_case c;
  ref_case_get(_i, &c);
  json_t *counts = json_object_get(c.json, "counts");
  ck_assert_msg(json_is_object(counts), "case %s has no \"counts\"", c.id);
  ck_assert_uint_ge(json_array_size(c.iterates), 1);
  harness h;
  ref_case_open(&h, &c);
  ref_dev d;
  ref_replay(&h, &c, &d);
  ck_assert_msg(h.orc.n_f == (uint64_t)json_integer_value(json_object_get(counts, "f")) &&
                h.orc.n_grad == (uint64_t)json_integer_value(json_object_get(counts, "grad")) &&
                h.orc.n_hvp == (uint64_t)json_integer_value(json_object_get(counts, "hvp")) &&
                h.orc.n_gnvp == (uint64_t)json_integer_value(json_object_get(counts, "gnvp")),
                "case %s: counts f %llu grad %llu hvp %llu gnvp %llu differ from the reference's", c.id,
                (unsigned long long)h.orc.n_f, (unsigned long long)h.orc.n_grad, (unsigned long long)h.orc.n_hvp,
                (unsigned long long)h.orc.n_gnvp);
  harness_close(&h);
  ref_verdict(&c, &d, "numpy", REF_TOL);
}
END_TEST

/* ---- convergence -------------------------------------------------------------------- */

/* Each setting must reach f - f* <= tol within its step budget, on the
 * 5-D quadratic (f(x0) - f* = 15.1) or 2-D Rosenbrock from (-1.2, 1)
 * (f(x0) = 24.2). Budgets are about 1.3x the steps measured when this was
 * written (the comment of each line). Honest exceptions: zo_sgd on
 * Rosenbrock is held to 1e-4 (its random directions make progress along the
 * curved valley slow: 1e-4 after 18505 steps at lr 5e-4), and Newton's
 * budgets are tight because it converges in a handful of steps. */
static const struct { const char *name, *params, *problem; int steps; double tol; } conv[] = {
  /* sophia: lr = gamma makes the unclipped update m / h, a diagonal Newton step */
  { "sophia", "{\"lr\": 0.05, \"gamma\": 0.05, \"weight_decay\": 0}", "quad", 850, 1e-8 },      /* 631 */
  { "sophia", "{\"lr\": 0.05, \"gamma\": 0.05, \"weight_decay\": 0, \"estimator\": \"gn_hutchinson\", \"k\": 1}", "quad",
    800, 1e-8 },                                                                  /* 600 */
  { "sophia", "{\"lr\": 0.01, \"gamma\": 0.01, \"weight_decay\": 0, \"k\": 1}", "rosen", 8000, 1e-8 },   /* 6030 */
  { "sophia", "{\"lr\": 0.01, \"gamma\": 0.01, \"weight_decay\": 0, \"estimator\": \"gn_hutchinson\", \"k\": 1}", "rosen",
    8000, 1e-8 },                                                                 /* 6030 */
  { "zo_sgd", "{\"lr\": 0.02, \"eps\": 1e-4}", "quad", 1100, 1e-8 },                                  /* 804 */
  { "zo_sgd", "{\"lr\": 0.01, \"eps\": 1e-4, \"n_directions\": 4, \"momentum\": 0.5}", "quad", 1000, 1e-8 },   /* 760 */
  { "zo_sgd", "{\"lr\": 0.0005, \"eps\": 1e-5}", "rosen", 24000, 1e-4 },   /* 18505 */
  { "aegd", "{\"lr\": 0.1, \"c\": 10}", "quad", 120, 1e-8 },                                              /* 88 */
  { "aegd", "{\"lr\": 0.1, \"c\": 10, \"energy\": \"scalar\"}", "quad", 210, 1e-8 },                      /* 160 */
  { "aegd", "{\"lr\": 0.0004, \"c\": 1}", "rosen", 24000, 1e-8 },   /* 18036; quad_rosen.py's lr */
  { "damped_newton", "{}", "quad", 10, 1e-12 },                                                 /* 7 */
  { "damped_newton", "{\"stepsize\": \"plain\"}", "quad", 2, 1e-12 },
  { "damped_newton", "{\"stepsize\": \"backtracking\"}", "quad", 2, 1e-12 },
  { "damped_newton", "{}", "rosen", 33, 1e-12 },                                                /* 25 */
  { "damped_newton", "{\"stepsize\": \"plain\"}", "rosen", 8, 1e-12 },                              /* 6 */
  { "damped_newton", "{\"stepsize\": \"backtracking\"}", "rosen", 28, 1e-12 },                       /* 21 */
};
#define N_CONV (sizeof conv / sizeof conv[0])

START_TEST(test_converges)
{
  harness h;
  const int quad = strcmp(conv[_i].problem, "quad") == 0;
  if (quad) harness_open_text(&h, conv[_i].name, conv[_i].params, &ref_quad_type, quad5);
  else harness_open_text(&h, conv[_i].name, conv[_i].params, &ref_rosen_type, "{\"dim\": 2}");
  const double fopt = h.prob->f_opt;
  double gap = harness_f(&h) - fopt;
  int k = 0;
  for (; k < conv[_i].steps && !(gap <= conv[_i].tol); k++) {
    int rc = ob_optimizer_step(h.opt, &h.orc, h.x, h.g, &h.err);
    ck_assert_msg(rc == OB_OK, "%s %s on %s: step %d: %s", conv[_i].name, conv[_i].params, conv[_i].problem, k + 1,
                  errtext(&h.err));
    gap = harness_f(&h) - fopt;
  }
  if (getenv("OB_TEST_VERBOSE"))
    printf("convergence %-13s %-90s %s: f - f* = %.3g after %d steps (tol %g, budget %d)\n", conv[_i].name,
           conv[_i].params, conv[_i].problem, gap, k, conv[_i].tol, conv[_i].steps);
  ck_assert_msg(gap <= conv[_i].tol, "%s %s on %s: f - f* = %.3g after %d steps, want <= %g", conv[_i].name,
                conv[_i].params, conv[_i].problem, gap, k, conv[_i].tol);
  harness_close(&h);
}
END_TEST

START_TEST(test_conv_coverage)
{
  for (const char *const *name = curv_names; *name; name++) {
    size_t q = 0, r = 0;
    for (size_t k = 0; k < N_CONV; k++)
      if (strcmp(conv[k].name, *name) == 0) {
        q += strcmp(conv[k].problem, "quad") == 0;
        r += strcmp(conv[k].problem, "rosen") == 0;
      }
    ck_assert_msg(q > 0 && r > 0, "optimizer '%s' lacks a quadratic or a Rosenbrock convergence setting", *name);
  }
}
END_TEST

/* ---- thread-count determinism ------------------------------------------------------- */

#define DET_N 40000
#define DET_STEPS 12

static const char *const det_settings[][2] = {
  { "sophia", "{\"lr\": 0.01, \"k\": 3}" },
  { "sophia", "{\"lr\": 0.01, \"k\": 1, \"estimator\": \"gn_hutchinson\", \"gamma\": 0.5}" },
  { "zo_sgd", "{\"lr\": 1e-5}" },
  { "zo_sgd", "{\"lr\": 1e-5, \"n_directions\": 3, \"momentum\": 0.9, \"weight_decay\": 0.01}" },
  { "aegd", "{\"lr\": 0.1, \"c\": 1e5}" },
  { "aegd", "{\"lr\": 0.1, \"c\": 1e5, \"energy\": \"scalar\", \"weight_decay\": 0.01}" },
  { "damped_newton", "{}" },
  { "damped_newton", "{\"stepsize\": \"backtracking\"}" },
};
#define N_DET (sizeof det_settings / sizeof det_settings[0])

static double *det_run(const char *name, const char *params, int threads, size_t *n)
{
#ifdef _OPENMP
  omp_set_num_threads(threads);
  ck_assert_int_eq(omp_get_max_threads(), threads);
#else
  (void)threads;
#endif
  harness h;
  /* damped Newton: n HVPs and a dense factorization per step; it has no
   * parallel loop of its own, the dot products are fixed-block */
  if (strcmp(name, "damped_newton") == 0) harness_open_text(&h, name, params, &ref_rosen_type, "{\"dim\": 60}");
  else harness_open_text(&h, name, params, &cdiag_type, "{\"dim\": 40000}");
  if (strcmp(name, "damped_newton") != 0) ck_assert_uint_ge(h.n, OB_VEC_PAR_MIN);   /* parallel path */
  for (int k = 0; k < DET_STEPS; k++) harness_step(&h);
  double *x = malloc(h.n * sizeof *x);
  ck_assert_ptr_nonnull(x);
  memcpy(x, h.x, h.n * sizeof *x);
  *n = h.n;
  harness_close(&h);
  return x;
}

START_TEST(test_threads_bit_identical)
{
  const char *name = det_settings[_i][0], *params = det_settings[_i][1];
  size_t n1, n2, moved = 0;
  double *x1 = det_run(name, params, 1, &n1);
  double *x2 = det_run(name, params, 2, &n2);
  ck_assert_uint_eq(n1, n2);
  for (size_t i = 0; i < n1; i++) {
    ck_assert_msg(memcmp(&x1[i], &x2[i], sizeof(double)) == 0,
                  "%s %s: x[%zu] after %d steps differs: %.17g with 1 thread, %.17g with 2", name, params, i,
                  DET_STEPS, x1[i], x2[i]);
    moved += x1[i] != (strcmp(name, "damped_newton") == 0 ? (i % 2 ? 1.0 : -1.2) : 0.0);
  }
  ck_assert_msg(moved == n1, "%s %s: only %zu of %zu coordinates moved", name, params, moved, n1);
  free(x1);
  free(x2);
}
END_TEST

/* ---- needs and skipped reasons -------------------------------------------------------- */

/* init of `name` with `params` on `pt`: the status, with the message in err. */
static int try_init(const char *name, const char *params, const ob_problem_type *pt, const char *pparams,
                    ob_error *err)
{
  json_t *op = jparse(params), *pp = jparse(pparams), *norm = NULL, *local = json_string("local");
  const ob_optimizer_type *t = ob_optimizer_type_find(name);
  ob_placement *pl = NULL;
  ob_memtier *mem = NULL;
  ob_problem *prob = NULL;
  ob_optimizer *o = NULL;
  ck_assert_int_eq(ob_params_normalize(t->params, op, skip_keys, "optimizer", &norm, err), OB_OK);
  ck_assert_int_eq(ob_optimizer_alloc(t, norm, &o, err), OB_OK);
  ck_assert_int_eq(ob_placement_parse(local, "placement", &pl, err), OB_OK);
  ck_assert_int_eq(ob_memtier_open(pl, &mem, err), OB_OK);
  ck_assert_int_eq(ob_problem_alloc(pt, pp, 0, mem, &prob, err), OB_OK);
  ob_error_clear(err);
  int rc = ob_optimizer_init(o, prob, mem, err);
  ob_optimizer_free(o);
  ob_problem_free(prob);
  ob_memtier_close(mem);
  ob_placement_free(pl);
  json_decref(local);
  json_decref(norm);
  json_decref(op);
  json_decref(pp);
  return rc;
}

START_TEST(test_needs_and_skips)
{
  ob_error err;
  /* sophia's static needs are gradients only: the estimator decides the rest */
  const ob_optimizer_type *sophia = ob_optimizer_type_find("sophia");
  ck_assert_uint_eq(sophia->needs, OB_NEEDS_GRAD);
  ck_assert_ptr_nonnull(sophia->needs_of);
  ck_assert_int_eq(try_init("sophia", "{}", &cquad_grad_only_type, quad5, &err), OB_EUNSUPPORTED);
  ck_assert_msg(strstr(err.text, "Hessian-vector products") != NULL, "sophia hutchinson: '%s'", err.text);
  ck_assert_int_eq(try_init("sophia", "{\"estimator\": \"gn_hutchinson\"}", &cquad_hvp_only_type, quad5, &err),
                   OB_EUNSUPPORTED);
  ck_assert_msg(strstr(err.text, "Gauss-Newton products") != NULL, "sophia gn_hutchinson: '%s'", err.text);
  ck_assert_int_eq(try_init("sophia", "{}", &cquad_hvp_only_type, quad5, &err), OB_OK);
  ck_assert_int_eq(try_init("sophia", "{\"estimator\": \"gn_hutchinson\"}", &ref_quad_type, quad5, &err), OB_OK);
  /* ... also as the inner optimizer of a wrapper */
  ck_assert_int_eq(try_init("lookahead", "{\"inner\": {\"type\": \"sophia\", \"estimator\": \"gn_hutchinson\"}}",
                            &cquad_hvp_only_type, quad5, &err), OB_EUNSUPPORTED);
  ck_assert_msg(strstr(err.text, "Gauss-Newton products") != NULL, "lookahead(sophia gn_hutchinson): '%s'", err.text);
  /* damped Newton: HVPs statically; n above max_dim refused with the reason */
  const ob_optimizer_type *dn = ob_optimizer_type_find("damped_newton");
  ck_assert(dn->needs & OB_NEEDS_HVP);
  ck_assert_int_eq(try_init("damped_newton", "{\"max_dim\": 4}", &ref_quad_type, quad5, &err), OB_EUNSUPPORTED);
  ck_assert_msg(strstr(err.text, "n = 5 exceeds max_dim = 4") != NULL, "damped_newton: '%s'", err.text);
  ck_assert_int_eq(try_init("damped_newton", "{\"max_dim\": 5}", &ref_quad_type, quad5, &err), OB_OK);
  ck_assert_int_eq(try_init("damped_newton", "{}", &cquad_grad_only_type, quad5, &err), OB_EUNSUPPORTED);
  /* zo_sgd needs nothing but f */
  ck_assert_uint_eq(ob_optimizer_type_find("zo_sgd")->needs, 0);
  ck_assert_int_eq(try_init("zo_sgd", "{}", &cquad_grad_only_type, quad5, &err), OB_OK);
}
END_TEST

/* The random streams depend on the run seed: another seed gives another
 * trajectory, the same seed the same one. */
START_TEST(test_seed_dependence)
{
  static const char *const names[][2] = {
    { "zo_sgd", "{\"lr\": 0.001}" }, { "sophia", "{\"lr\": 0.01, \"gamma\": 50, \"k\": 1}" },
  };
  for (size_t k = 0; k < 2; k++) {
    double x[3][5];
    for (int run = 0; run < 3; run++) {
      harness h;
      harness_open_text(&h, names[k][0], names[k][1], &ref_quad_type, quad5);
      h.prob->seed = run == 1 ? 12345 : 0;
      ck_assert_int_eq(ob_optimizer_init(h.opt, h.prob, h.mem, &h.err), OB_OK);   /* re-reads the seed */
      for (int s = 0; s < 20; s++) harness_step(&h);
      memcpy(x[run], h.x, sizeof x[run]);
      harness_close(&h);
    }
    ck_assert_msg(memcmp(x[0], x[2], sizeof x[0]) == 0, "%s: same seed, different trajectory", names[k][0]);
    ck_assert_msg(memcmp(x[0], x[1], sizeof x[0]) != 0, "%s: the seed does not matter", names[k][0]);
  }
}
END_TEST

/* ---- method-specific checks ------------------------------------------------------------ */

START_TEST(test_aegd_energy)
{
  /* r starts at sqrt(f(x0) + c) and never increases, whatever lr */
  harness h;
  harness_open_text(&h, "aegd", "{\"lr\": 0.5, \"c\": 1}", &ref_rosen_type, "{\"dim\": 4}");
  const double r0 = sqrt(harness_f(&h) + 1.0);
  const double *r = h.opt->vec[0];
  double prev[4] = { r0, r0, r0, r0 };
  for (int k = 0; k < 200; k++) {
    harness_step(&h);
    for (size_t i = 0; i < 4; i++) {
      ck_assert_msg(r[i] <= prev[i] && r[i] >= 0.0, "aegd r[%zu] grew at step %d: %.17g > %.17g", i, k + 1, r[i],
                    prev[i]);
      prev[i] = r[i];
    }
  }
  harness_close(&h);
  /* f + c <= 0: the step fails and says to raise c */
  harness_open_text(&h, "aegd", "{\"c\": 1}", &ref_quad_type,
                    "{\"A\": [[1]], \"b\": [4], \"x0\": [4], \"f_opt\": -8}");   /* f(x0) = -8 */
  ck_assert_int_eq(ob_optimizer_step(h.opt, &h.orc, h.x, h.g, &h.err), OB_ENUMERIC);
  ck_assert_msg(strstr(h.err.text, "raise 'c'") != NULL, "aegd: '%s'", h.err.text);
  harness_close(&h);
}
END_TEST

START_TEST(test_newton_special_cases)
{
  /* at (0, 1) the Rosenbrock Hessian is diag(-398, 200) */
  harness h;
  harness_open_text(&h, "damped_newton", "{\"nonpd\": \"error\"}", &ref_rosen_type, "{\"dim\": 2, \"x0\": [0, 1]}");
  ck_assert_int_eq(ob_optimizer_step(h.opt, &h.orc, h.x, h.g, &h.err), OB_ENUMERIC);
  ck_assert_msg(strstr(h.err.text, "not positive definite") != NULL, "'%s'", h.err.text);
  ck_assert(h.x[0] == 0.0 && h.x[1] == 1.0);
  harness_close(&h);
  /* the shift: tau = beta - min A_ii = 0.4 + 398, so the first step is
   * d = (-2 / 0.4, 200 / 598.4) taken in full (plain) */
  harness_open_text(&h, "damped_newton", "{\"stepsize\": \"plain\"}", &ref_rosen_type, "{\"dim\": 2, \"x0\": [0, 1]}");
  harness_step(&h);
  const double tau = 1e-3 * 398.0 + 398.0;
  ck_assert_msg(fabs(h.x[0] - (0.0 - (-2.0) / (-398.0 + tau))) <= 1e-12 &&
                fabs(h.x[1] - (1.0 - 200.0 / (200.0 + tau))) <= 1e-12, "shifted step: x = (%.17g, %.17g)", h.x[0],
                h.x[1]);
  ck_assert_uint_eq(h.orc.n_hvp, 2);
  harness_close(&h);
  /* backtracking gives up after max_backtracks reductions: stalled, x kept */
  harness_open_text(&h, "damped_newton", "{\"stepsize\": \"backtracking\", \"c1\": 0.99, \"max_backtracks\": 1}",
                    &ref_rosen_type, "{\"dim\": 2}");
  ck_assert_int_eq(ob_optimizer_step(h.opt, &h.orc, h.x, h.g, &h.err), OB_STALLED);
  ck_assert_msg(strstr(h.err.text, "no Armijo step after 1 reductions") != NULL, "'%s'", h.err.text);
  ck_assert(h.x[0] == -1.2 && h.x[1] == 1.0);
  ck_assert_uint_eq(h.orc.n_f, 3);   /* f(x), then alpha = 1 and 1/2 */
  harness_close(&h);
  /* at the minimizer (g = 0 exactly) nothing is evaluated beyond g */
  harness_open_text(&h, "damped_newton", "{}", &ref_rosen_type, "{\"dim\": 2, \"x0\": [1, 1]}");
  harness_step(&h);
  ck_assert(h.x[0] == 1.0 && h.x[1] == 1.0);
  ck_assert_uint_eq(h.orc.n_hvp, 0);
  harness_close(&h);
}
END_TEST

/* damped Newton has no lr, so check_wrappers.c does not compose it: do it
 * here, inside lookahead and cautious, on the quadratic. */
START_TEST(test_newton_wrapped)
{
  static const char *const specs[] = {
    "{\"inner\": {\"type\": \"damped_newton\", \"stepsize\": \"plain\"}}",
    "{\"inner\": {\"type\": \"damped_newton\"}}",
  };
  static const char *const wrappers[] = { "lookahead", "cautious" };
  for (size_t w = 0; w < 2; w++)
    for (size_t k = 0; k < 2; k++) {
      json_t *given = jparse(specs[k]), *pp = jparse(quad5);
      harness h;
      harness_open(&h, wrappers[w], given, &ref_quad_type, pp);
      double gap = 0.0;
      int s = 0;
      for (; s < 200; s++) {
        harness_step(&h);
        gap = harness_f(&h) - h.prob->f_opt;
        if (gap <= 1e-12) break;
      }
      ck_assert_msg(gap <= 1e-12, "%s %s: f - f* = %.3g after %d steps", wrappers[w], specs[k], gap, s);
      harness_close(&h);
      json_decref(given);
      json_decref(pp);
    }
}
END_TEST

/* ---- configuration ------------------------------------------------------------------ */

START_TEST(test_config_rejects)
{
  for (const char *const *name = curv_names; *name; name++) {
    expect_reject(*name, "{\"learning_rate\": 0.1}", "optimizer.learning_rate", "unknown key 'learning_rate'");
    if (strcmp(*name, "damped_newton") != 0) {
      expect_reject(*name, "{\"lr\": 0}", "optimizer.lr", "0 is out of range: expected a value in (0, inf)");
      expect_reject(*name, "{\"lr\": -1}", "optimizer.lr", "out of range");
    }
  }
  expect_reject("sophia", "{\"beta1\": 1}", "optimizer.beta1", "expected a value in [0, 1)");
  expect_reject("sophia", "{\"beta2\": 1.5}", "optimizer.beta2", "out of range");
  expect_reject("sophia", "{\"k\": 0}", "optimizer.k", "out of range");
  expect_reject("sophia", "{\"k\": 2.5}", "optimizer.k", "expected an integer");
  expect_reject("sophia", "{\"gamma\": 0}", "optimizer.gamma", "expected a value in (0, inf)");
  expect_reject("sophia", "{\"eps\": -1e-12}", "optimizer.eps", "out of range");
  expect_reject("sophia", "{\"estimator\": \"gauss-newton\"}", "optimizer.estimator",
                "'gauss-newton' is not one of: hutchinson,gnb,gn_hutchinson");
  expect_reject("sophia", "{\"lr\": 0.5, \"weight_decay\": 2}", NULL, "lr * weight_decay must be below 1");
  expect_reject("zo_sgd", "{\"eps\": 0}", "optimizer.eps", "expected a value in (0, inf)");
  expect_reject("zo_sgd", "{\"n_directions\": 0}", "optimizer.n_directions", "out of range");
  expect_reject("zo_sgd", "{\"n_directions\": 5000}", "optimizer.n_directions", "out of range");
  expect_reject("zo_sgd", "{\"momentum\": 1}", "optimizer.momentum", "expected a value in [0, 1)");
  expect_reject("aegd", "{\"energy\": \"global\"}", "optimizer.energy", "'global' is not one of: elementwise,scalar");
  expect_reject("aegd", "{\"weight_decay\": -1}", "optimizer.weight_decay", "out of range");
  expect_reject("aegd", "{\"aegdw\": true, \"weight_decay\": 20}", NULL, "lr * weight_decay must be below 1");
  expect_reject("damped_newton", "{\"stepsize\": \"armijo\"}", "optimizer.stepsize",
                "'armijo' is not one of: hanzely,plain,backtracking");
  expect_reject("damped_newton", "{\"L\": 0}", "optimizer.L", "expected a value in (0, inf)");
  expect_reject("damped_newton", "{\"c1\": 1}", "optimizer.c1", "out of range");
  expect_reject("damped_newton", "{\"rho\": 0}", "optimizer.rho", "out of range");
  expect_reject("damped_newton", "{\"max_dim\": 100000}", "optimizer.max_dim", "out of range");
  expect_reject("damped_newton", "{\"nonpd\": \"ignore\"}", "optimizer.nonpd", "is not one of: shift,error");
  expect_reject("damped_newton", "{\"lr\": 1}", "optimizer.lr", "unknown key 'lr'");

  ob_error err;
  ck_assert_int_eq(try_configure("sophia", "{\"beta1\": 0, \"beta2\": 0, \"k\": 1}", &err), OB_OK);
  ck_assert_int_eq(try_configure("aegd", "{\"c\": -1}", &err), OB_OK);   /* fine while f > 1 */
  ck_assert_int_eq(try_configure("aegd", "{\"weight_decay\": 20}", &err), OB_OK);   /* L2: no factor */
  ck_assert_int_eq(try_configure("zo_sgd", "{\"n_directions\": 1024, \"momentum\": 0}", &err), OB_OK);
}
END_TEST

START_TEST(test_state_and_traffic)
{
  static const struct { const char *name, *params; size_t nvec; double bytes; } cases[] = {
    { "sophia", "{}", 4, 48 + 40.0 / 10 },
    { "sophia", "{\"k\": 1, \"estimator\": \"gn_hutchinson\"}", 4, 88 },
    { "zo_sgd", "{}", 0, 48 },
    { "zo_sgd", "{\"n_directions\": 3, \"momentum\": 0.9}", 1, 128 },
    { "aegd", "{}", 1, 40 },
    { "aegd", "{\"energy\": \"scalar\"}", 0, 56 },
    { "damped_newton", "{}", 3, (7 * 5 + 5) * 8 },
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    harness h;
    harness_open_text(&h, cases[k].name, cases[k].params, &ref_quad_type, quad5);
    harness_expect_state(&h, cases[k].params, cases[k].nvec, cases[k].bytes);
    harness_close(&h);
  }
}
END_TEST

/* ---- suite ------------------------------------------------------------------------------ */

/* ---- SophiaG with the Gauss-Newton-Bartlett estimator on logistic regression ---------- */

/* tests/reference/gen_numpy_gnb.py replays Algorithm 2 + 3 of the paper on a
 * committed 40-sample data set, drawing the model's labels from the stream
 * documented in bench/ob_rng.h: 2 ridge weights x 3 settings, 60 steps,
 * every iterate within 1e-10 (relative), and the oracle counts exact (one
 * gradient per step plus one GNB sample, counted as a gradient, per refresh). */
START_TEST(test_sophia_gnb_reference)
{
  char path[512], data[512];
  json_error_t je;
  ob_test_srcpath(path, sizeof path, "tests/reference/numpy_gnb_reference.json");
  ob_test_srcpath(data, sizeof data, "tests/data/logreg/gnb40.csv");
  json_t *doc = json_load_file(path, 0, &je);
  ck_assert_msg(doc != NULL, "%s:%d: %s", path, je.line, je.text);
  json_t *cases = json_object_get(doc, "cases");
  ck_assert_int_eq(json_array_size(cases), 6);
  const ob_problem_type *lt = ob_problem_type_find("logreg");
  ck_assert_ptr_nonnull(lt);
  size_t ci;
  json_t *c;
  json_array_foreach(cases, ci, c) {
    const char *name = json_string_value(json_object_get(c, "name"));
    json_t *given = json_pack("{s:{s:s, s:i}, s:O}", "data", "csv", data, "header", 0, "l2",
                              json_object_get(c, "l2"));
    json_t *pp = NULL;
    ob_error err;
    ck_assert_int_eq(ob_params_normalize(lt->params, given, skip_keys, "problem", &pp, &err), OB_OK);
    json_object_set_new(pp, "x0", json_null());
    harness h;
    harness_open(&h, "sophia", json_object_get(c, "params"), lt, pp);
    ck_assert_uint_eq(h.n, 4);
    json_t *xs = json_object_get(c, "x");
    const size_t steps = json_array_size(xs);
    ck_assert_uint_ge(steps, 50);
    double worst = 0.0;
    for (size_t k = 0; k < steps; k++) {
      h.orc.step = k + 1;   /* the runner's step number: the label draws depend on it */
      harness_step(&h);
      for (size_t i = 0; i < h.n; i++) {
        const double ref = json_number_value(json_array_get(json_array_get(xs, k), i));
        const double dev = fabs(h.x[i] - ref) / fmax(1.0, fabs(ref));
        if (!(dev <= worst)) worst = dev;
      }
    }
    if (getenv("OB_TEST_VERBOSE"))
      printf("numpy reference sophia-gnb/%-28s worst relative deviation %.3g%s\n", name, worst,
             worst == 0.0 ? " (bit-identical)" : "");
    ck_assert_msg(worst <= 1e-10, "sophia gnb %s: worst relative deviation %g", name, worst);
    const long long k = json_integer_value(json_object_get(json_object_get(c, "params"), "k"));
    ck_assert_uint_eq(h.orc.n_grad, steps + (steps + (size_t)k - 1) / (size_t)k);
    ck_assert_uint_eq(h.orc.n_hvp + h.orc.n_gnvp + h.orc.n_f, 0);
    for (size_t i = 0; i < h.n; i++)   /* B g_hat * g_hat: the GNB estimate is never negative */
      ck_assert_msg(h.opt->vec[1][i] >= 0.0, "sophia gnb %s: h[%zu] = %g", name, i, h.opt->vec[1][i]);
    harness_close(&h);
    json_decref(pp);
    json_decref(given);
  }
  json_decref(doc);
}
END_TEST

Suite *make_more_optimizers_suite(void)
{
  Suite *s = suite_create("more_optimizers");
  ref_load("tests/reference/numpy_curv_reference.json");
  TCase *tc = tcase_create("numpy_reference");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_reference_loaded);
  if (ref_doc()) tcase_add_loop_test(tc, test_numpy_reference, 0, (int)ref_ncases());
  suite_add_tcase(s, tc);

  tc = tcase_create("convergence");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_conv_coverage);
  tcase_add_loop_test(tc, test_converges, 0, (int)N_CONV);
  suite_add_tcase(s, tc);

  tc = tcase_create("threads");
  tcase_set_timeout(tc, 120);
  tcase_add_loop_test(tc, test_threads_bit_identical, 0, (int)N_DET);
  suite_add_tcase(s, tc);

  tc = tcase_create("behaviour");
  tcase_add_test(tc, test_needs_and_skips);
  tcase_add_test(tc, test_sophia_gnb_reference);
  tcase_add_test(tc, test_seed_dependence);
  tcase_add_test(tc, test_aegd_energy);
  tcase_add_test(tc, test_newton_special_cases);
  tcase_add_test(tc, test_newton_wrapped);
  suite_add_tcase(s, tc);

  tc = tcase_create("config");
  tcase_add_test(tc, test_config_rejects);
  tcase_add_test(tc, test_state_and_traffic);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_more_optimizers_suite());
}
