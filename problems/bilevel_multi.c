/* bilevel_multi.c -- a bilevel toy whose lower level has a continuum of
 * solutions, for the claims of the penalty method (Kwon, Kwon, Wright &
 * Nowak, "On Penalty Methods for Nonconvex Bilevel Optimization and
 * First-Order Stochastic Approximation", ICLR 2024): a hypergradient exists
 * and first-order penalty methods find it although grad2_yy g is singular.
 * The paper's own toy was not available to us; this is the catalog's example
 * g = (y1 + y2 - x)^2 (seeds-catalog.md, sec. 2.4, toy 4) made m-dimensional.
 *
 * x in R^m, y in R^2m as pairs y = (u_1, v_1, ..., u_m, v_m):
 *   lower  g(x, y) = 1/2 sum_i (u_i + v_i - x_i)^2
 *   upper  f(x, y) = 1/2 sum_i [(u_i - p_i)^2 + (v_i - q_i)^2] + (rho/2) ||x - r||^2
 * The lower solution set is S(x) = {u_i + v_i = x_i}, a line per pair; g is
 * convex, not strongly convex (lower_strongly_convex = false), and satisfies
 * the PL / proximal error-bound condition with constant 2. F is the
 * optimistic value min_{y in S(x)} f: the projection of (p_i, q_i) on the
 * line gives, with s = p + q,
 *   y*(x):  u_i = p_i + (x_i - s_i)/2,  v_i = q_i + (x_i - s_i)/2
 *   F(x)  = sum_i (x_i - s_i)^2 / 4 + (rho/2)(x_i - r_i)^2
 *   grad F = (x - s)/2 + rho (x - r)
 *   x*    = (s + 2 rho r) / (1 + 2 rho),   F* = rho / (2 (1 + 2 rho)) ||s - r||^2
 * all exact (closed form, rounding only). p, q, r are drawn N(0, 1) from GSL
 * mt19937 seeded with `instance`, in the order p_1, q_1, r_1, p_2, ...
 * Derivatives: grad_x g = -(u + v - x), grad_y g = (u_i + v_i - x_i)(1, 1) per
 * pair, grad2_yy g v = (v_u + v_v)(1, 1), [grad2_xy g v]_i = -(v_u + v_v).
 *
 * Metrics: hypergrad_norm, lower_gap = g(x, y) (min g = 0), y_error = ||y -
 * y*(x)|| (distance to the optimistic selection), lower_set_distance =
 * dist(y, S(x)), selection_gap = f(x, y) - F(x). x0 = 0 for x and y.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "bench/ob_json.h"
#include "problems/bilevel.h"
#include "problems/problem.h"

typedef struct {
  size_t m;
  double rho;
  double *p, *q, *r;     /* m each (arena) */
  double *ys;            /* 2m scratch (arena) */
  struct ob_bilevel_view view;
} multi_state;

static const ob_param_spec multi_params[] = {
  { "dim", OB_PARAM_INT, "2", 1, 1e7, 0, NULL, "d", "m: upper dimension (the lower one is 2m)" },
  { "rho", OB_PARAM_REAL, "1", 0, 1e6, 0, NULL, NULL, "weight of (rho/2)||x - r||^2 in the upper level" },
  { "instance", OB_PARAM_INT, "1", 1, 4294967295.0, 0, NULL, "i", "seeds p, q, r (never the run seed)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int multi_upper(void *ctx, const double *x, const double *y, double *f, double *fx, double *fy,
                       ob_error *err)
{
  multi_state *s = ctx;
  (void)err;
  double a = 0.0, b = 0.0;
  for (size_t i = 0; i < s->m; i++) {
    double du = y[2 * i] - s->p[i], dv = y[2 * i + 1] - s->q[i], dx = x[i] - s->r[i];
    a += du * du + dv * dv;
    b += dx * dx;
    if (fx) fx[i] = s->rho * dx;
    if (fy) { fy[2 * i] = du; fy[2 * i + 1] = dv; }
  }
  if (f) *f = 0.5 * a + 0.5 * s->rho * b;
  return OB_OK;
}

static int multi_lower(void *ctx, const double *x, const double *y, double *g, double *gx, double *gy,
                       ob_error *err)
{
  multi_state *s = ctx;
  (void)err;
  double a = 0.0;
  for (size_t i = 0; i < s->m; i++) {
    double e = y[2 * i] + y[2 * i + 1] - x[i];
    a += e * e;
    if (gx) gx[i] = -e;
    if (gy) gy[2 * i] = gy[2 * i + 1] = e;
  }
  if (g) *g = 0.5 * a;
  return OB_OK;
}

static int multi_hyy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  multi_state *s = ctx;
  (void)x;
  (void)y;
  (void)err;
  for (size_t i = 0; i < s->m; i++) out[2 * i] = out[2 * i + 1] = v[2 * i] + v[2 * i + 1];
  return OB_OK;
}

static int multi_hxy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  multi_state *s = ctx;
  (void)x;
  (void)y;
  (void)err;
  for (size_t i = 0; i < s->m; i++) out[i] = -(v[2 * i] + v[2 * i + 1]);
  return OB_OK;
}

static int multi_hyper(void *ctx, const double *x, double *F, double *gradF, double *ystar, ob_error *err)
{
  multi_state *s = ctx;
  (void)err;
  double acc = 0.0;
  for (size_t i = 0; i < s->m; i++) {
    double e = x[i] - (s->p[i] + s->q[i]), dx = x[i] - s->r[i];
    acc += 0.25 * e * e + 0.5 * s->rho * dx * dx;
    if (gradF) gradF[i] = 0.5 * e + s->rho * dx;
    if (ystar) { ystar[2 * i] = s->p[i] + 0.5 * e; ystar[2 * i + 1] = s->q[i] + 0.5 * e; }
  }
  if (F) *F = acc;
  return OB_OK;
}

static int multi_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  multi_state *s = vs;
  (void)seed;
  s->m = (size_t)ob_params_int(params, "dim");
  s->rho = ob_params_real(params, "rho");
  if (s->m < 1) return ob_error_at(err, OB_EINVAL, "dim", "must be at least 1");
  if (!(s->rho >= 0.0)) return ob_error_at(err, OB_EINVAL, "rho", "must be at least 0");
  s->p = ob_memtier_alloc(mem, OB_MEM_DATA, 5 * s->m, err);
  if (!s->p) return err ? err->code : OB_ENOMEM;
  s->q = s->p + s->m;
  s->r = s->q + s->m;
  s->ys = s->r + s->m;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) return ob_error_set(err, OB_ENOMEM, "out of memory");
  gsl_rng_set(rng, (unsigned long)((uint64_t)ob_params_int(params, "instance") & 0xffffffffu));
  for (size_t i = 0; i < s->m; i++) {
    s->p[i] = gsl_ran_gaussian(rng, 1.0);
    s->q[i] = gsl_ran_gaussian(rng, 1.0);
    s->r[i] = gsl_ran_gaussian(rng, 1.0);
  }
  gsl_rng_free(rng);
  s->view = (struct ob_bilevel_view){
    .nx = s->m, .ny = 2 * s->m, .ctx = s,
    .upper = multi_upper, .lower = multi_lower, .lower_hyy = multi_hyy, .lower_hxy = multi_hxy,
    .hyper = multi_hyper, .lower_strongly_convex = false,
  };
  return OB_OK;
}

static size_t multi_dim(const void *vs)
{
  return 3 * ((const multi_state *)vs)->m;
}

static int multi_eval(void *vs, const double *x, double *f, double *g, ob_error *err)
{
  multi_state *s = vs;
  int rc = multi_hyper(s, x, f, g, NULL, err);
  if (g) memset(g + s->m, 0, 2 * s->m * sizeof *g);
  return rc;
}

static void multi_x0(const void *vs, double *x)
{
  memset(x, 0, multi_dim(vs) * sizeof *x);
}

static double multi_f_opt(const void *vs)
{
  const multi_state *s = vs;
  double acc = 0.0;
  for (size_t i = 0; i < s->m; i++) {
    double e = s->p[i] + s->q[i] - s->r[i];
    acc += e * e;
  }
  return s->rho / (2.0 * (1.0 + 2.0 * s->rho)) * acc;
}

static int multi_x_opt(const void *vs, double *x)
{
  const multi_state *s = vs;
  for (size_t i = 0; i < s->m; i++) x[i] = (s->p[i] + s->q[i] + 2.0 * s->rho * s->r[i]) / (1.0 + 2.0 * s->rho);
  return multi_hyper((void *)s->view.ctx, x, NULL, NULL, x + s->m, NULL);
}

static const struct ob_bilevel_view *multi_bilevel(void *vs)
{
  return &((multi_state *)vs)->view;
}

static int multi_metrics(void *vs, const double *x, json_t *final, ob_error *err)
{
  multi_state *s = vs;
  size_t m = s->m;
  const double *y = x + m;
  double F, f, g, gn = 0.0, ye = 0.0, sd = 0.0;
  multi_hyper(s, x, &F, NULL, s->ys, err);
  multi_upper(s, x, y, &f, NULL, NULL, err);
  multi_lower(s, x, y, &g, NULL, NULL, err);
  for (size_t i = 0; i < m; i++) {
    double e = x[i] - (s->p[i] + s->q[i]), gi = 0.5 * e + s->rho * (x[i] - s->r[i]);
    double du = y[2 * i] - s->ys[2 * i], dv = y[2 * i + 1] - s->ys[2 * i + 1], l = y[2 * i] + y[2 * i + 1] - x[i];
    gn += gi * gi;
    ye += du * du + dv * dv;
    sd += 0.5 * l * l;
  }
  json_object_set_new(final, "hypergrad_norm", ob_json_num(sqrt(gn)));
  json_object_set_new(final, "lower_gap", ob_json_num(g));
  json_object_set_new(final, "y_error", ob_json_num(sqrt(ye)));
  json_object_set_new(final, "lower_set_distance", ob_json_num(sqrt(sd)));
  json_object_set_new(final, "selection_gap", ob_json_num(f - F));
  return OB_OK;
}

const ob_problem_type ob_problem_bilevel_multi = {
  .name = "bilevel_multi",
  .summary = "bilevel toy with a continuum of lower-level solutions (u + v = x per pair), optimistic F",
  .reference = "Kwon, Kwon, Wright & Nowak, ICLR 2024 (penalty methods; lower levels with many solutions)",
  .params = multi_params,
  .state_size = sizeof(multi_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_FOPT | OB_PROVIDES_BILEVEL,
  .configure = multi_configure,
  .dim = multi_dim,
  .eval = multi_eval,
  .x0 = multi_x0,
  .f_opt = multi_f_opt,
  .x_opt = multi_x_opt,
  .free = NULL,
  .bilevel = multi_bilevel,
  .metrics = multi_metrics,
};
