/* check_bilevel_algos.c -- the bilevel_quadratic problem and the bilevel
 * algorithms (aid_cg, itd, penalty, bo_rep, lv_hba).
 *
 * - bilevel_quadratic's view against central differences: upper and lower
 *   partial gradients, grad2_yy g v and grad2_xy g v; its hypergradient
 *   against central differences of F; f_opt = F(x*) with grad F(x*) = 0.
 * - every algorithm reaches x* of bilevel_quadratic, and lam* and F* of
 *   ridge_hpo, within stated tolerances in stated step budgets (the cases
 *   tables say which and why; lv_hba gets looser ridge_hpo tolerances, with
 *   the reason);
 * - oracle counters exact on small hand-checked cases;
 * - bad input rejected with clear messages.
 * Problems and optimizers are built the way the runner builds them
 * (normalized params, a local arena, ob_problem_alloc, ob_optimizer_init).
 */
#include "config.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/ob_params.h"
#include "memtier/memtier.h"
#include "optimizers/optimizer.h"
#include "problems/bilevel.h"
#include "problems/problem.h"
#include "tests/testutil.h"

static const char *const skip_keys[] = { "type", "id", NULL };

static json_t *jparse(const char *text)
{
  json_error_t je;
  json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
  ck_assert_msg(v != NULL, "bad test JSON '%s': %s", text, je.text);
  return v;
}

static const char *errtext(const ob_error *e)
{
  static char buf[1600];
  ob_error_format(e, buf, sizeof buf);
  return buf;
}

typedef struct {
  ob_placement *pl;
  ob_memtier *mem;
  ob_problem *prob;
  ob_optimizer *opt;
  ob_oracle orc;
  double *x, *g;
  ob_error err;
} run_t;

/* Builds the problem (returns its status; message in r->err). */
static int open_problem(run_t *r, const char *ptype, const char *pjson, uint64_t seed)
{
  memset(r, 0, sizeof *r);
  const ob_problem_type *pt = ob_problem_type_find(ptype);
  ck_assert_msg(pt != NULL, "problem '%s' is not registered", ptype);
  json_t *local = json_string("local"), *given = jparse(pjson), *norm = NULL;
  ck_assert_int_eq(ob_placement_parse(local, "placement", &r->pl, &r->err), OB_OK);
  json_decref(local);
  ck_assert_int_eq(ob_memtier_open(r->pl, &r->mem, &r->err), OB_OK);
  int rc = ob_params_normalize(pt->params, given, skip_keys, "problem", &norm, &r->err);
  if (rc == OB_OK) rc = ob_problem_alloc(pt, norm, seed, r->mem, &r->prob, &r->err);
  json_decref(norm);
  json_decref(given);
  return rc;
}

/* Builds the optimizer on r's problem (returns its status). */
static int open_optimizer(run_t *r, const char *ojson, long long horizon)
{
  json_t *given = jparse(ojson), *norm = NULL;
  const ob_optimizer_type *t = ob_optimizer_type_find(json_string_value(json_object_get(given, "type")));
  ck_assert_msg(t != NULL, "optimizer of '%s' is not registered", ojson);
  int rc = ob_optimizer_params_normalize(t, given, skip_keys, "optimizer", horizon, &norm, &r->err);
  if (rc == OB_OK) rc = ob_optimizer_alloc(t, norm, &r->opt, &r->err);
  json_decref(norm);
  json_decref(given);
  if (rc < 0) return rc;
  size_t n = r->prob->n;
  r->x = ob_memtier_alloc(r->mem, OB_MEM_PARAMS, n, &r->err);
  r->g = ob_memtier_alloc(r->mem, OB_MEM_GRADS, n, &r->err);
  ck_assert_msg(r->x && r->g, "arena: %s", errtext(&r->err));
  memcpy(r->x, r->prob->x0, n * sizeof *r->x);
  rc = ob_optimizer_init(r->opt, r->prob, r->mem, &r->err);
  ob_oracle_init(&r->orc, r->prob);
  return rc;
}

static void close_run(run_t *r)
{
  ob_optimizer_free(r->opt);
  ob_problem_free(r->prob);
  ob_memtier_close(r->mem);
  ob_placement_free(r->pl);
  memset(r, 0, sizeof *r);
}

static void steps(run_t *r, long long k)
{
  for (long long i = 0; i < k; i++) {
    r->orc.step = (uint64_t)(r->opt->t + 1);
    int rc = ob_optimizer_step(r->opt, &r->orc, r->x, r->g, &r->err);
    ck_assert_msg(rc >= 0, "%s: step %lld: %s", r->opt->type->name, r->opt->t + 1, errtext(&r->err));
  }
}

/* ---- the problem against finite differences -------------------------------- */

#define BQ "{\"nx\": 3, \"ny\": 4, \"rho\": 0.2, \"condition\": 20}"

static void fill(double *v, size_t n, unsigned k)
{
  for (size_t i = 0; i < n; i++) v[i] = sin(1.7 * (double)(i + 1) + 0.9 * k) + 0.3 * cos(0.4 * (double)(i * k + 1));
}

static double fval(const struct ob_bilevel_view *v, int lower, const double *x, const double *y)
{
  double f;
  ob_error e;
  int rc = lower ? v->lower(v->ctx, x, y, &f, NULL, NULL, &e) : v->upper(v->ctx, x, y, &f, NULL, NULL, &e);
  ck_assert_int_eq(rc, OB_OK);
  return f;
}

START_TEST(test_view_vs_fd)
{
  run_t r;
  ck_assert_msg(open_problem(&r, "bilevel_quadratic", BQ, 7) == OB_OK, "%s", errtext(&r.err));
  const struct ob_bilevel_view *v = ob_bilevel_of(r.prob);
  ck_assert_ptr_nonnull(v);
  ck_assert_uint_eq(v->nx, 3);
  ck_assert_uint_eq(v->ny, 4);
  ck_assert_uint_eq(r.prob->n, 7);
  double x[3], y[4], d[4], gx[3], gy[4], xp[3], yp[4], hv[4], hx[3], gyp[4], gym[4];
  const double h = 1e-5;
  ob_error e;
  for (unsigned trial = 0; trial < 3; trial++) {
    fill(x, 3, trial);
    fill(y, 4, trial + 10);
    fill(d, 4, trial + 20);
    for (int lower = 0; lower <= 1; lower++) {
      if (lower) ck_assert_int_eq(v->lower(v->ctx, x, y, NULL, gx, gy, &e), OB_OK);
      else ck_assert_int_eq(v->upper(v->ctx, x, y, NULL, gx, gy, &e), OB_OK);
      for (size_t j = 0; j < 3; j++) {
        memcpy(xp, x, sizeof x);
        xp[j] = x[j] + h;
        double fp = fval(v, lower, xp, y);
        xp[j] = x[j] - h;
        double fd = (fp - fval(v, lower, xp, y)) / (2 * h);
        ck_assert_msg(fabs(fd - gx[j]) < 1e-6 * (1 + fabs(fd)), "%s grad_x[%zu]: %g vs fd %g",
                      lower ? "g" : "f", j, gx[j], fd);
      }
      for (size_t i = 0; i < 4; i++) {
        memcpy(yp, y, sizeof y);
        yp[i] = y[i] + h;
        double fp = fval(v, lower, x, yp);
        yp[i] = y[i] - h;
        double fd = (fp - fval(v, lower, x, yp)) / (2 * h);
        ck_assert_msg(fabs(fd - gy[i]) < 1e-6 * (1 + fabs(fd)), "%s grad_y[%zu]: %g vs fd %g",
                      lower ? "g" : "f", i, gy[i], fd);
      }
    }
    /* grad2_yy g d: directional difference of grad_y g along d */
    ck_assert_int_eq(v->lower_hyy(v->ctx, x, y, d, hv, &e), OB_OK);
    for (size_t i = 0; i < 4; i++) { yp[i] = y[i] + h * d[i]; }
    ck_assert_int_eq(v->lower(v->ctx, x, yp, NULL, NULL, gyp, &e), OB_OK);
    for (size_t i = 0; i < 4; i++) { yp[i] = y[i] - h * d[i]; }
    ck_assert_int_eq(v->lower(v->ctx, x, yp, NULL, NULL, gym, &e), OB_OK);
    for (size_t i = 0; i < 4; i++) {
      double fd = (gyp[i] - gym[i]) / (2 * h);
      ck_assert_msg(fabs(fd - hv[i]) < 1e-6 * (1 + fabs(fd)), "hyy[%zu]: %g vs fd %g", i, hv[i], fd);
    }
    /* grad2_xy g d: x-gradient of <grad_y g, d> */
    ck_assert_int_eq(v->lower_hxy(v->ctx, x, y, d, hx, &e), OB_OK);
    for (size_t j = 0; j < 3; j++) {
      memcpy(xp, x, sizeof x);
      xp[j] = x[j] + h;
      ck_assert_int_eq(v->lower(v->ctx, xp, y, NULL, NULL, gyp, &e), OB_OK);
      xp[j] = x[j] - h;
      ck_assert_int_eq(v->lower(v->ctx, xp, y, NULL, NULL, gym, &e), OB_OK);
      double fd = 0.0;
      for (size_t i = 0; i < 4; i++) fd += (gyp[i] - gym[i]) * d[i] / (2 * h);
      ck_assert_msg(fabs(fd - hx[j]) < 1e-6 * (1 + fabs(fd)), "hxy[%zu]: %g vs fd %g", j, hx[j], fd);
    }
  }
  close_run(&r);
}
END_TEST

START_TEST(test_hypergradient_vs_fd)
{
  run_t r;
  ck_assert_msg(open_problem(&r, "bilevel_quadratic", BQ, 3) == OB_OK, "%s", errtext(&r.err));
  const struct ob_bilevel_view *v = ob_bilevel_of(r.prob);
  double x[3], xp[3], gF[3], ys[4], F, Fp, Fm, z[7], gz[7], f;
  ob_error e;
  for (unsigned trial = 0; trial < 3; trial++) {
    fill(x, 3, trial + 5);
    ck_assert_int_eq(v->hyper(v->ctx, x, &F, gF, ys, &e), OB_OK);
    for (size_t j = 0; j < 3; j++) {
      const double h = 1e-5;
      memcpy(xp, x, sizeof x);
      xp[j] += h;
      v->hyper(v->ctx, xp, &Fp, NULL, NULL, &e);
      xp[j] -= 2 * h;
      v->hyper(v->ctx, xp, &Fm, NULL, NULL, &e);
      double fd = (Fp - Fm) / (2 * h);
      ck_assert_msg(fabs(fd - gF[j]) < 1e-6 * (1 + fabs(fd)), "grad F[%zu]: %g vs fd %g", j, gF[j], fd);
    }
    /* y*(x) minimizes g: grad_y g(x, y*) = 0 */
    double gy[4];
    v->lower(v->ctx, x, ys, NULL, NULL, gy, &e);
    for (size_t i = 0; i < 4; i++) ck_assert_double_eq_tol(gy[i], 0.0, 1e-10);
    /* the plain eval on z = [x; y] is F(x) with gradient [grad F; 0], whatever y is */
    memcpy(z, x, sizeof x);
    fill(z + 3, 4, 99);
    ck_assert_int_eq(r.prob->type->eval(r.prob->state, z, &f, gz, &e), OB_OK);
    ck_assert_double_eq_tol(f, F, 1e-12 * (1 + fabs(F)));
    for (size_t j = 0; j < 3; j++) ck_assert_double_eq_tol(gz[j], gF[j], 1e-12 * (1 + fabs(gF[j])));
    for (size_t i = 3; i < 7; i++) ck_assert_double_eq(gz[i], 0.0);
  }
  /* x*: f_opt = F(x*), grad F(x*) = 0, and F(x*) <= F elsewhere */
  ck_assert_int_eq(r.prob->type->x_opt(r.prob->state, z), OB_OK);
  ck_assert_int_eq(v->hyper(v->ctx, z, &F, gF, NULL, &e), OB_OK);
  ck_assert_double_eq_tol(F, r.prob->f_opt, 1e-13 * (1 + fabs(F)));
  for (size_t j = 0; j < 3; j++) ck_assert_double_eq_tol(gF[j], 0.0, 1e-10);
  for (size_t j = 0; j < 3; j++) {
    memcpy(xp, z, sizeof xp);
    xp[j] += 1e-3;
    v->hyper(v->ctx, xp, &Fp, NULL, NULL, &e);
    ck_assert(Fp > F);
  }
  /* metrics at z* = [x*; y*(x*)] are zero; at a shifted y the gap is positive */
  json_t *fin = json_object();
  ck_assert_int_eq(r.prob->type->metrics(r.prob->state, z, fin, &e), OB_OK);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "hypergrad_norm")), 0.0, 1e-10);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "lower_gap")), 0.0, 1e-20);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "y_error")), 0.0, 1e-12);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "x_error")), 0.0, 1e-12);
  double g0, g1;
  v->lower(v->ctx, z, z + 3, &g0, NULL, NULL, &e);
  z[3] += 0.5;
  v->lower(v->ctx, z, z + 3, &g1, NULL, NULL, &e);
  ck_assert_int_eq(r.prob->type->metrics(r.prob->state, z, fin, &e), OB_OK);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "lower_gap")), g1 - g0, 1e-10);
  ck_assert_double_eq_tol(json_real_value(json_object_get(fin, "y_error")), 0.5, 1e-12);
  json_decref(fin);
  close_run(&r);
}
END_TEST

/* Explicit matrices give the documented closed form: nx = ny = 1, H = 2,
 * B = 1, c = 0, y_t = 1, rho = 0.5: y* = x/2, F = 1/2 (x/2 - 1)^2 + x^2/4,
 * F' = (x/2 - 1)/2 + x/2 = 0 at x* = 2/3, F(x*) = 1/2 (2/3)^2 + 1/9 = 1/3. */
START_TEST(test_explicit_closed_form)
{
  run_t r;
  ck_assert_msg(open_problem(&r, "bilevel_quadratic", "{\"nx\": 1, \"ny\": 1, \"rho\": 0.5, \"H\": [2], "
                             "\"B\": [1], \"c\": [0], \"y_target\": [1]}", 0) == OB_OK, "%s", errtext(&r.err));
  double z[2];
  r.prob->type->x_opt(r.prob->state, z);
  ck_assert_double_eq_tol(z[0], 2.0 / 3.0, 1e-15);
  ck_assert_double_eq_tol(z[1], 1.0 / 3.0, 1e-15);
  ck_assert_double_eq_tol(r.prob->f_opt, 1.0 / 3.0, 1e-15);
  close_run(&r);
}
END_TEST

/* ---- convergence to x* -------------------------------------------------------- */

static const struct conv_case {
  const char *opt;      /* optimizer spec */
  long long steps;      /* budget */
  double tol;           /* on ||x - x*|| (x* is about unit size here) */
  const char *why;
} conv_cases[] = {
  { "{\"type\": \"aid_cg\"}", 400, 1e-4, "exact CG solve: hypergradient descent, linear rate" },
  { "{\"type\": \"aid_cg\", \"inner\": {\"type\": \"adam\", \"lr\": 0.05}, \"K\": 20}", 600, 1e-3,
    "a different lower-level solver" },
  { "{\"type\": \"itd\", \"K\": 50}", 1500, 1e-3, "unrolling bias (1 - alpha mu)^K = 0.9^50 = 5e-3" },
  { "{\"type\": \"penalty\", \"sigma\": 0.001}", 2000, 1e-3, "fixed sigma: O(sigma) bias" },
  { "{\"type\": \"penalty\", \"sigma\": 0.1, \"sigma_schedule\": \"decreasing\", \"sigma_min\": 1e-4}", 2000, 1e-3,
    "decreasing sigma" },
  { "{\"type\": \"penalty\", \"single_loop\": true, \"lr\": 0.01, \"sigma\": 0.001}", 3000, 1e-2,
    "single loop: one lower step per upper step" },
  { "{\"type\": \"bo_rep\", \"lr\": 0.05, \"schedule\": {\"type\": \"cosine\"}}", 3000, 1e-3,
    "normalized steps need a decaying lr" },
  { "{\"type\": \"lv_hba\", \"c\": 1, \"p\": 0.3}", 6000, 5e-2, "O(1/c_k) bias, c_k = (k+1)^0.3 ~ 14 at the end" },
};

START_TEST(test_converges)
{
  const struct conv_case *c = &conv_cases[_i];
  run_t r;
  ck_assert_msg(open_problem(&r, "bilevel_quadratic", "{}", 0) == OB_OK, "%s", errtext(&r.err));
  ck_assert_msg(open_optimizer(&r, c->opt, c->steps) == OB_OK, "%s: %s", c->opt, errtext(&r.err));
  double xe0 = 0.0, xe = 0.0, zs[15];
  r.prob->type->x_opt(r.prob->state, zs);
  for (size_t j = 0; j < 5; j++) xe0 += (r.x[j] - zs[j]) * (r.x[j] - zs[j]);
  steps(&r, c->steps);
  for (size_t j = 0; j < 5; j++) xe += (r.x[j] - zs[j]) * (r.x[j] - zs[j]);
  ck_assert_msg(sqrt(xe) < c->tol, "%s: ||x - x*|| = %g after %lld steps (from %g), want < %g (%s)", c->opt,
                sqrt(xe), c->steps, sqrt(xe0), c->tol, c->why);
  ck_assert_uint_eq(r.orc.n_f, 0);     /* bilevel methods never call eval */
  ck_assert_uint_eq(r.orc.n_grad, 0);
  close_run(&r);
}
END_TEST

/* ---- convergence on ridge_hpo ------------------------------------------------------
 *
 * The default instance (d = 20, n_train = 50, n_val = 200): lam* = -0.79925,
 * F* = 0.58474, lam0 = 0, F(lam0) - F* = 0.0207. F is flat around lam*
 * (F'' = 0.074), so F - F* = 1e-8 is |lam - lam*| = 5e-4: both are asked for.
 * At lam*, grad2_yy g = A + e^lam I has eigenvalues in [0.585, 2.845]
 * (mu and L_g). Steps: the first step from which both tolerances held for good
 * in a run of 3000 or more steps (bo_rep: the smallest horizon from which the
 * tolerances held at the end of every horizon on a grid of 50 up to 2600, as
 * its cosine schedule depends on the horizon); budgets are about 1.3 times that. */
static const struct ridge_case {
  const char *opt;
  long long steps;      /* budget (measured: in `why`) */
  double gap_tol;       /* on F(lam) - F* */
  double lam_tol;       /* on |lam - lam*| */
  const char *why;
} ridge_cases[] = {
  { "{\"type\": \"aid_cg\"}", 1300, 1e-8, 1e-3,
    "exact CG solve: hypergradient descent at lr 0.1, rate 1 - 0.1 F''; measured 1004 steps" },
  { "{\"type\": \"aid_cg\", \"inner\": {\"type\": \"adam\", \"lr\": 0.05}, \"K\": 20}", 1350, 1e-8, 1e-3,
    "a different lower-level solver; measured 1033" },
  { "{\"type\": \"itd\", \"K\": 20, \"alpha\": 0.5}", 1320, 1e-8, 1e-3,
    "bias (1 - alpha mu)^K = 0.708^20 = 1e-3 (alpha = 0.1 leaves 0.94^20 = 0.3: |lam - lam*| = 0.076); "
    "alpha < 2/L_g = 0.70; measured 1015" },
  { "{\"type\": \"penalty\", \"sigma\": 1e-4, \"K\": 20}", 1280, 1e-8, 1e-3,
    "fixed sigma: O(sigma) bias, |lam - lam*| = 0.86 sigma = 8.6e-5; measured 984" },
  { "{\"type\": \"penalty\", \"sigma\": 0.1, \"sigma_schedule\": \"decreasing\", \"sigma_power\": 1, "
    "\"sigma_min\": 1e-4, \"K\": 20}", 1250, 1e-8, 1e-3,
    "sigma_t = 0.1/t reaches sigma_min at t = 1000 (power 0.5: 1.4e-3 at t = 5000, |lam - lam*| = 1.2e-3); "
    "measured 956" },
  { "{\"type\": \"penalty\", \"single_loop\": true, \"lr\": 0.1, \"sigma\": 1e-4, \"inner\": {\"type\": \"gd\", "
    "\"lr\": 0.5}}", 1250, 1e-8, 1e-3,
    "one lower step per upper step: the inner step 0.5 (< 2/L_g) lets y and z track lam; measured 961" },
  { "{\"type\": \"bo_rep\", \"lr\": 0.02, \"nu\": 0.5, \"schedule\": {\"type\": \"cosine\"}}", 1400, 1e-8, 1e-3,
    "normalized steps need a decaying lr; nu = 0.5 so v tracks H^-1 grad_y f (lr 0.05 with nu = 0.1 lags: "
    "1.9e-3 in lam at horizon 1600); measured horizon 1050" },
  { "{\"type\": \"lv_hba\", \"alpha\": 0.3, \"beta\": 0.3, \"eta\": 0.3, \"c\": 1, \"p\": 0.49}", 7100, 1e-5, 1e-2,
    "cannot reach 1e-3 in lam: its fixed point is O(1/c_k) from lam* (|lam - lam*| c_k = 1.1 at 20000 and "
    "40000 steps), c_k = (k+1)^p with p < 1/2, and f enters with weight 1/c_k, so lam moves at rate alpha F''/c_k; "
    "1e-3 needs c_k = 1000, about 10^6 steps; measured 5454 for these tolerances" },
};

START_TEST(test_converges_ridge)
{
  const struct ridge_case *c = &ridge_cases[_i];
  run_t r;
  ck_assert_msg(open_problem(&r, "ridge_hpo", "{}", 0) == OB_OK, "%s", errtext(&r.err));
  ck_assert_msg(isfinite(r.prob->f_opt), "ridge_hpo: no interior minimum on the default instance");
  ck_assert_msg(open_optimizer(&r, c->opt, c->steps) == OB_OK, "%s: %s", c->opt, errtext(&r.err));
  double zs[21], f;
  ck_assert_uint_eq(r.prob->n, 21);
  ck_assert_int_eq(r.prob->type->x_opt(r.prob->state, zs), OB_OK);
  steps(&r, c->steps);
  ck_assert_int_eq(r.prob->type->eval(r.prob->state, r.x, &f, NULL, &r.err), OB_OK);
  double gap = f - r.prob->f_opt, dlam = fabs(r.x[0] - zs[0]);
  ck_assert_msg(gap < c->gap_tol && dlam < c->lam_tol,
                "%s on ridge_hpo: F - F* = %g, |lam - lam*| = %g after %lld steps, want < %g and < %g (%s)", c->opt,
                gap, dlam, c->steps, c->gap_tol, c->lam_tol, c->why);
  ck_assert_uint_eq(r.orc.n_f, 0);
  ck_assert_uint_eq(r.orc.n_grad, 0);
  close_run(&r);
}
END_TEST

/* ---- exact counts -------------------------------------------------------------- */

static const struct count_case {
  const char *opt;
  long long steps;
  uint64_t upper_grad, lower_grad, hyy, hxy;
} count_cases[] = {
  /* K lower, 1 upper, cg_iters hyy (tol 0: no early stop on ny = 6), 1 hxy */
  { "{\"type\": \"aid_cg\", \"K\": 2, \"cg_iters\": 3, \"cg_tol\": 0}", 1, 1, 2, 3, 1 },
  /* step 2 adds the warm-start residual: 2 * 3 + 1 hyy */
  { "{\"type\": \"aid_cg\", \"K\": 2, \"cg_iters\": 3, \"cg_tol\": 0}", 2, 2, 4, 7, 2 },
  { "{\"type\": \"aid_cg\", \"K\": 2, \"cg_iters\": 3, \"cg_tol\": 0, \"warm_start\": false}", 2, 2, 4, 6, 2 },
  /* the inner optimizer's gradients are lower_grad, whatever the optimizer */
  { "{\"type\": \"aid_cg\", \"K\": 4, \"cg_iters\": 1, \"inner\": {\"type\": \"adam\"}}", 1, 1, 4, 1, 1 },
  /* K lower, 1 upper, K hxy, K - 1 hyy */
  { "{\"type\": \"itd\", \"K\": 3}", 1, 1, 3, 2, 3 },
  /* y: K (upper + lower); z: K lower; x step: 1 upper + 2 lower */
  { "{\"type\": \"penalty\", \"K\": 2}", 1, 3, 6, 0, 0 },
  { "{\"type\": \"penalty\", \"K\": 5, \"single_loop\": true}", 2, 4, 8, 0, 0 },
  /* T0 at step 1, N at steps 3 and 5 (I = 2); per step 1 upper, 1 hxy, 1 hyy */
  { "{\"type\": \"bo_rep\", \"T0\": 5, \"I\": 2, \"N\": 3}", 5, 5, 11, 5, 5 },
  /* unconstrained: 1 upper, 3 lower per step */
  { "{\"type\": \"lv_hba\"}", 2, 2, 6, 0, 0 },
};

START_TEST(test_counts_exact)
{
  const struct count_case *c = &count_cases[_i];
  run_t r;
  ck_assert_msg(open_problem(&r, "bilevel_quadratic", "{\"nx\": 2, \"ny\": 6}", 1) == OB_OK, "%s", errtext(&r.err));
  ck_assert_msg(open_optimizer(&r, c->opt, 0) == OB_OK, "%s: %s", c->opt, errtext(&r.err));
  steps(&r, c->steps);
  const ob_oracle *o = &r.orc;
  ck_assert_msg(o->n_upper_grad == c->upper_grad && o->n_lower_grad == c->lower_grad && o->n_hyy == c->hyy &&
                o->n_hxy == c->hxy && o->n_upper_f == 0 && o->n_lower_f == 0 && o->n_cons == 0 && o->n_f == 0 &&
                o->n_grad == 0 && o->n_hvp == 0,
                "%s, %lld steps: upper_grad %llu lower_grad %llu hyy %llu hxy %llu (upper_f %llu lower_f %llu "
                "cons %llu f %llu grad %llu), want %llu %llu %llu %llu",
                c->opt, c->steps, (unsigned long long)o->n_upper_grad, (unsigned long long)o->n_lower_grad,
                (unsigned long long)o->n_hyy, (unsigned long long)o->n_hxy, (unsigned long long)o->n_upper_f,
                (unsigned long long)o->n_lower_f, (unsigned long long)o->n_cons, (unsigned long long)o->n_f,
                (unsigned long long)o->n_grad, (unsigned long long)c->upper_grad, (unsigned long long)c->lower_grad,
                (unsigned long long)c->hyy, (unsigned long long)c->hxy);
  close_run(&r);
}
END_TEST

/* aid_cg, one step by hand on nx = ny = 1 (H = 2, B = 1, c = 0, y_t = 1,
 * rho = 0.5) from x = 1, y = 0 with K = 1 gd step of lr 0.25, cg, lr 0.5:
 * y <- 0 - 0.25 (2*0 - 1) = 0.25; grad_y f = 0.25 - 1 = -0.75, v = -0.375;
 * grad2_xy g v = -1 * v = 0.375; x <- 1 - 0.5 (0.5 - 0.375) = 0.9375. */
START_TEST(test_aid_cg_first_step_by_hand)
{
  run_t r;
  ck_assert_msg(open_problem(&r, "bilevel_quadratic", "{\"nx\": 1, \"ny\": 1, \"rho\": 0.5, \"H\": [2], "
                             "\"B\": [1], \"c\": [0], \"y_target\": [1]}", 0) == OB_OK, "%s", errtext(&r.err));
  ck_assert_msg(open_optimizer(&r, "{\"type\": \"aid_cg\", \"K\": 1, \"lr\": 0.5, \"inner\": {\"type\": \"gd\", "
                               "\"lr\": 0.25}}", 0) == OB_OK, "%s", errtext(&r.err));
  steps(&r, 1);
  ck_assert_double_eq_tol(r.x[1], 0.25, 1e-15);
  ck_assert_double_eq_tol(r.x[0], 0.9375, 1e-15);
  close_run(&r);
}
END_TEST

/* ---- bad input -------------------------------------------------------------------- */

static const struct bad_case {
  const char *problem, *opt;   /* opt NULL: the problem must fail */
  const char *expect;          /* a substring of the formatted message */
} bad_cases[] = {
  { "{\"nx\": 1, \"ny\": 2, \"H\": [1, 0, 0, -1]}", NULL, "H: the matrix is not positive definite" },
  { "{\"nx\": 1, \"ny\": 2, \"H\": [1, 2, 3, 1]}", NULL, "H: the matrix is not symmetric" },
  { "{\"nx\": 1, \"ny\": 2, \"H\": [1, 0, 0]}", NULL, "H: has 3 entries but ny x ny = 2 x 2 needs 4" },
  { "{\"nx\": 2, \"ny\": 2, \"B\": [1, 2, 3]}", NULL, "B: has 3 entries but ny x nx = 2 x 2 needs 4" },
  { "{\"nx\": 2, \"ny\": 3, \"c\": [1, 2]}", NULL, "c: has 2 entries but ny = 3 needs 3" },
  { "{\"nx\": 3, \"ny\": 1, \"rho\": 0}", NULL, "rho: 0 leaves F without a unique minimizer" },
  { "{}", "{\"type\": \"aid_cg\", \"inner\": {\"type\": \"adma\"}}", "unknown optimizer 'adma' (did you mean 'adam'?)" },
  { "{}", "{\"type\": \"penalty\", \"inner\": {\"lr\": 0.1}}", "missing required key 'type'" },
  { "{}", "{\"type\": \"bo_rep\", \"inner\": {\"type\": \"polyak\"}}",
    "optimizer 'polyak' needs the optimal value f*, but the lower-level solver sees only values and gradients" },
  { "{}", "{\"type\": \"penalty\", \"sigma\": 0.01, \"sigma_schedule\": \"decreasing\", \"sigma_min\": 0.1}",
    "sigma_min: 0.1 exceeds sigma = 0.01" },
};

START_TEST(test_bad_input)
{
  const struct bad_case *c = &bad_cases[_i];
  run_t r;
  int rc = open_problem(&r, "bilevel_quadratic", c->problem, 0);
  if (!c->opt) {
    ck_assert_msg(rc == OB_EINVAL, "%s: accepted (rc %d)", c->problem, rc);
  } else {
    ck_assert_msg(rc == OB_OK, "%s", errtext(&r.err));
    rc = open_optimizer(&r, c->opt, 0);
    ck_assert_msg(rc == OB_EINVAL, "%s: accepted (rc %d)", c->opt, rc);
  }
  ck_assert_msg(strstr(errtext(&r.err), c->expect) != NULL, "message '%s' lacks '%s'", errtext(&r.err), c->expect);
  close_run(&r);
}
END_TEST

/* The penalty paper's O(sigma) claim: at the stationary point of psi_sigma,
 * ||grad F|| is proportional to sigma. With fixed sigma = 0.1, 0.01, 0.001 and
 * K = 20, 3000 steps, ||grad F(x)|| / sigma agrees within 10% across the three
 * (measured 0.252, 0.257, 0.257 on bilevel_quadratic; 0.040, 0.041, 0.041 on
 * bilevel_multi, whose lower level has a line of solutions per pair). */
static double penalty_gradnorm(const char *ptype, double sigma)
{
  run_t r;
  char spec[128];
  ck_assert_msg(open_problem(&r, ptype, "{}", 0) == OB_OK, "%s", errtext(&r.err));
  snprintf(spec, sizeof spec, "{\"type\": \"penalty\", \"sigma\": %g, \"K\": 20}", sigma);
  ck_assert_msg(open_optimizer(&r, spec, 0) == OB_OK, "%s", errtext(&r.err));
  steps(&r, 3000);
  const struct ob_bilevel_view *v = ob_bilevel_of(r.prob);
  double gF[16], gn = 0.0;
  ck_assert_uint_le(v->nx, 16);
  ck_assert_int_eq(v->hyper(v->ctx, r.x, NULL, gF, NULL, &r.err), OB_OK);
  for (size_t j = 0; j < v->nx; j++) gn += gF[j] * gF[j];
  close_run(&r);
  return sqrt(gn);
}

START_TEST(test_penalty_o_sigma)
{
  const char *ptype = _i == 0 ? "bilevel_quadratic" : "bilevel_multi";
  double q[3], sig[3] = { 0.1, 0.01, 0.001 };
  for (int k = 0; k < 3; k++) q[k] = penalty_gradnorm(ptype, sig[k]) / sig[k];
  for (int k = 1; k < 3; k++)
    ck_assert_msg(fabs(q[k] / q[0] - 1.0) < 0.1, "%s: ||grad F|| / sigma = %g, %g, %g for sigma = 0.1, 0.01, 0.001",
                  ptype, q[0], q[1], q[2]);
  ck_assert_msg(q[0] > 0, "%s: the penalty method reached grad F = 0 exactly: nothing measured", ptype);
}
END_TEST

/* lv_hba on a constrained lower level (bilevel_constrained: y <= x, from
 * z = 0): one step makes 1 upper_grad, 3 lower_grad and 4 cons (h and
 * dh'lam at theta, dh'lam at the new theta, h(x, y), which is not violated);
 * in 5000 steps the upper-level gap falls below 1e-2 (measured 2.6e-3). */
START_TEST(test_lv_hba_constrained)
{
  run_t r;
  ck_assert_msg(open_problem(&r, "bilevel_constrained", "{}", 0) == OB_OK, "%s", errtext(&r.err));
  const struct ob_bilevel_view *v = ob_bilevel_of(r.prob);
  ck_assert_uint_gt(v->ncons, 0);
  const char *spec = "{\"type\": \"lv_hba\", \"p\": 0.1, \"feas_penalty\": 15}";
  ck_assert_msg(open_optimizer(&r, spec, 0) == OB_OK, "%s", errtext(&r.err));
  steps(&r, 1);
  ck_assert_uint_eq(r.orc.n_upper_grad, 1);
  ck_assert_uint_eq(r.orc.n_lower_grad, 3);
  ck_assert_uint_eq(r.orc.n_cons, 4);
  ck_assert_uint_eq(r.orc.n_hyy + r.orc.n_hxy, 0);   /* Hessian-free */
  steps(&r, 4999);
  double f;
  ck_assert_int_eq(r.prob->type->eval(r.prob->state, r.x, &f, NULL, &r.err), OB_OK);
  ck_assert_msg(f - r.prob->f_opt < 1e-2, "lv_hba on bilevel_constrained: F - F* = %g after 5000 steps", f - r.prob->f_opt);
  close_run(&r);
}
END_TEST

/* A bilevel algorithm on a plain problem is refused (the run is skipped). */
START_TEST(test_needs_bilevel)
{
  run_t r;
  ck_assert_int_eq(open_problem(&r, "quadratic", "{\"dim\": 3}", 0), OB_OK);
  int rc = open_optimizer(&r, "{\"type\": \"aid_cg\"}", 0);
  ck_assert_int_eq(rc, OB_EUNSUPPORTED);
  ck_assert_msg(strstr(errtext(&r.err), "bilevel") != NULL, "%s", errtext(&r.err));
  close_run(&r);
}
END_TEST

static Suite *make_bilevel_algos_suite(void)
{
  Suite *s = suite_create("bilevel_algos");
  TCase *tc = tcase_create("problem");
  tcase_add_test(tc, test_view_vs_fd);
  tcase_add_test(tc, test_hypergradient_vs_fd);
  tcase_add_test(tc, test_explicit_closed_form);
  suite_add_tcase(s, tc);
  tc = tcase_create("algorithms");
  tcase_set_timeout(tc, 60);
  tcase_add_loop_test(tc, test_converges, 0, (int)(sizeof conv_cases / sizeof conv_cases[0]));
  tcase_add_loop_test(tc, test_converges_ridge, 0, (int)(sizeof ridge_cases / sizeof ridge_cases[0]));
  tcase_add_loop_test(tc, test_counts_exact, 0, (int)(sizeof count_cases / sizeof count_cases[0]));
  tcase_add_test(tc, test_aid_cg_first_step_by_hand);
  tcase_add_test(tc, test_lv_hba_constrained);
  tcase_add_loop_test(tc, test_penalty_o_sigma, 0, 2);
  suite_add_tcase(s, tc);
  tc = tcase_create("errors");
  tcase_add_loop_test(tc, test_bad_input, 0, (int)(sizeof bad_cases / sizeof bad_cases[0]));
  tcase_add_test(tc, test_needs_bilevel);
  suite_add_tcase(s, tc);
  return s;
}

int main(void)
{
  return ob_test_main(make_bilevel_algos_suite());
}
