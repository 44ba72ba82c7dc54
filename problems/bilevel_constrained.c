/* bilevel_constrained.c -- a bilevel toy whose lower level has constraints
 * coupling x and y, for LV-HBA (Yao, Ye, Zhang, Zeng & Wang, "Constrained
 * Bi-Level Optimization: Proximal Lagrangian Value Function Approach and
 * Hessian-free Algorithm", ICLR 2024) and for showing where the unconstrained
 * implicit formula goes wrong. The catalog's toy 5 (seeds-catalog.md, 2.4).
 *
 * x, y in R^n, beta in [0, 1), rho > 0:
 *   lower  min_y g(x, y) = 1/2 ||y - c - beta x||^2   s.t.  h(x, y) = y - x <= 0
 *   upper  f(x, y) = 1/2 ||y - t||^2 + (rho/2) ||x||^2
 * y*(x) is the projection of c + beta x on {y <= x}: y*_i = min(c_i + beta x_i,
 * x_i). With kappa_i = c_i / (1 - beta) the constraint is active (y*_i = x_i)
 * for x_i <= kappa_i and inactive (y*_i = c_i + beta x_i) for x_i > kappa_i, so
 *   F(x)  = sum_i 1/2 (y*_i - t_i)^2 + (rho/2) x_i^2         (continuous)
 *   dF/dx_i = (y*_i - t_i) J_i + rho x_i,  J_i = 1 (active) or beta (inactive)
 * F is not differentiable at x_i = kappa_i; there gradF takes the active
 * branch (the left derivative). x* per coordinate: the minimizer of each
 * convex quadratic piece clipped to its interval, t_i/(1 + rho) on (-inf,
 * kappa_i] and beta (t_i - c_i)/(beta^2 + rho) on [kappa_i, inf), whichever
 * gives the smaller F (ties: the active piece); x* may sit at a kink. F*
 * = F(x*): exact up to rounding. c and t are drawn N(0, 1) from GSL mt19937
 * seeded with `instance`, in the order c_1, t_1, c_2, ...
 *
 * Derivatives: grad_x g = -beta (y - c - beta x), grad_y g = y - c - beta x,
 * grad2_yy g = I (strongly convex in y), grad2_xy g v = -beta v; constraints
 * ncons = n, dh/dx = -I, dh/dy = I. At an active constraint the unconstrained
 * formula grad F = grad_x f - grad2_xy g H^-1 grad_y f gives
 * rho x_i + beta (y_i - t_i) instead of rho x_i + (y_i - t_i).
 *
 * Metrics: hypergrad_norm (of gradF above), lower_gap = g(x, y) - g(x, y*(x))
 * (negative when y is infeasible), y_error = ||y - y*(x)||, cons_violation =
 * max(0, max_i h_i(x, y)). x0 = 0 for x and y.
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
  size_t n;
  double beta, rho;
  double *c, *t;         /* n each (arena) */
  double *ys, *gf;       /* n each, scratch (arena) */
  struct ob_bilevel_view view;
} cons_state;

static const ob_param_spec cons_params[] = {
  { "dim", OB_PARAM_INT, "2", 1, 1e7, 0, NULL, "d", "n: dimension of x, of y and number of constraints" },
  { "beta", OB_PARAM_REAL, "0.5", 0, 1, OB_PARAM_MAX_OPEN, NULL, NULL,
    "coupling in the lower objective 1/2||y - c - beta x||^2, in [0, 1)" },
  { "rho", OB_PARAM_REAL, "0.1", 0, 1e6, OB_PARAM_MIN_OPEN, NULL, NULL, "weight of (rho/2)||x||^2 in the upper level" },
  { "instance", OB_PARAM_INT, "1", 1, 4294967295.0, 0, NULL, "i", "seeds c and t (never the run seed)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* Whether constraint i is active at the lower solution for this x_i. */
static int active(const cons_state *s, size_t i, double xi)
{
  return s->c[i] + s->beta * xi >= xi;
}

static int cons_upper(void *ctx, const double *x, const double *y, double *f, double *fx, double *fy,
                      ob_error *err)
{
  cons_state *s = ctx;
  (void)err;
  double a = 0.0, b = 0.0;
  for (size_t i = 0; i < s->n; i++) {
    double e = y[i] - s->t[i];
    a += e * e;
    b += x[i] * x[i];
    if (fx) fx[i] = s->rho * x[i];
    if (fy) fy[i] = e;
  }
  if (f) *f = 0.5 * a + 0.5 * s->rho * b;
  return OB_OK;
}

static int cons_lower(void *ctx, const double *x, const double *y, double *g, double *gx, double *gy,
                      ob_error *err)
{
  cons_state *s = ctx;
  (void)err;
  double a = 0.0;
  for (size_t i = 0; i < s->n; i++) {
    double e = y[i] - s->c[i] - s->beta * x[i];
    a += e * e;
    if (gx) gx[i] = -s->beta * e;
    if (gy) gy[i] = e;
  }
  if (g) *g = 0.5 * a;
  return OB_OK;
}

static int cons_hyy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  cons_state *s = ctx;
  (void)x;
  (void)y;
  (void)err;
  memcpy(out, v, s->n * sizeof *out);
  return OB_OK;
}

static int cons_hxy(void *ctx, const double *x, const double *y, const double *v, double *out, ob_error *err)
{
  cons_state *s = ctx;
  (void)x;
  (void)y;
  (void)err;
  for (size_t i = 0; i < s->n; i++) out[i] = -s->beta * v[i];
  return OB_OK;
}

static int cons_h(void *ctx, const double *x, const double *y, double *h, ob_error *err)
{
  cons_state *s = ctx;
  (void)err;
  for (size_t i = 0; i < s->n; i++) h[i] = y[i] - x[i];
  return OB_OK;
}

static int cons_vjp(void *ctx, const double *x, const double *y, const double *lam, double *ox, double *oy,
                    ob_error *err)
{
  cons_state *s = ctx;
  (void)x;
  (void)y;
  (void)err;
  for (size_t i = 0; i < s->n; i++) {
    if (ox) ox[i] = -lam[i];
    if (oy) oy[i] = lam[i];
  }
  return OB_OK;
}

static int cons_hyper(void *ctx, const double *x, double *F, double *gradF, double *ystar, ob_error *err)
{
  cons_state *s = ctx;
  (void)err;
  double acc = 0.0;
  for (size_t i = 0; i < s->n; i++) {
    int act = active(s, i, x[i]);
    double yi = act ? x[i] : s->c[i] + s->beta * x[i], e = yi - s->t[i];
    acc += 0.5 * e * e + 0.5 * s->rho * x[i] * x[i];
    if (gradF) gradF[i] = e * (act ? 1.0 : s->beta) + s->rho * x[i];
    if (ystar) ystar[i] = yi;
  }
  if (F) *F = acc;
  return OB_OK;
}

/* F restricted to coordinate i. */
static double F_i(const cons_state *s, size_t i, double xi)
{
  double yi = active(s, i, xi) ? xi : s->c[i] + s->beta * xi, e = yi - s->t[i];
  return 0.5 * e * e + 0.5 * s->rho * xi * xi;
}

/* The minimizer of F_i (header comment). */
static double xopt_i(const cons_state *s, size_t i)
{
  double kappa = s->c[i] / (1.0 - s->beta);
  double xa = fmin(s->t[i] / (1.0 + s->rho), kappa);                                   /* active piece */
  double xb = fmax(s->beta * (s->t[i] - s->c[i]) / (s->beta * s->beta + s->rho), kappa); /* inactive piece */
  return F_i(s, i, xa) <= F_i(s, i, xb) ? xa : xb;
}

static int cons_configure(void *vs, const json_t *params, uint64_t seed, ob_memtier *mem, ob_error *err)
{
  cons_state *s = vs;
  (void)seed;
  s->n = (size_t)ob_params_int(params, "dim");
  s->beta = ob_params_real(params, "beta");
  s->rho = ob_params_real(params, "rho");
  if (s->n < 1) return ob_error_at(err, OB_EINVAL, "dim", "must be at least 1");
  if (!(s->beta >= 0.0 && s->beta < 1.0)) return ob_error_at(err, OB_EINVAL, "beta", "%g must be in [0, 1)", s->beta);
  if (!(s->rho > 0.0)) return ob_error_at(err, OB_EINVAL, "rho", "%g must be positive", s->rho);
  s->c = ob_memtier_alloc(mem, OB_MEM_DATA, 4 * s->n, err);
  if (!s->c) return err ? err->code : OB_ENOMEM;
  s->t = s->c + s->n;
  s->ys = s->t + s->n;
  s->gf = s->ys + s->n;
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) return ob_error_set(err, OB_ENOMEM, "out of memory");
  gsl_rng_set(rng, (unsigned long)((uint64_t)ob_params_int(params, "instance") & 0xffffffffu));
  for (size_t i = 0; i < s->n; i++) {
    s->c[i] = gsl_ran_gaussian(rng, 1.0);
    s->t[i] = gsl_ran_gaussian(rng, 1.0);
  }
  gsl_rng_free(rng);
  s->view = (struct ob_bilevel_view){
    .nx = s->n, .ny = s->n, .ctx = s,
    .upper = cons_upper, .lower = cons_lower, .lower_hyy = cons_hyy, .lower_hxy = cons_hxy,
    .ncons = s->n, .cons = cons_h, .cons_vjp = cons_vjp,
    .hyper = cons_hyper, .lower_strongly_convex = true,
  };
  return OB_OK;
}

static size_t cons_dim(const void *vs)
{
  return 2 * ((const cons_state *)vs)->n;
}

static int cons_eval(void *vs, const double *x, double *f, double *g, ob_error *err)
{
  cons_state *s = vs;
  int rc = cons_hyper(s, x, f, g, NULL, err);
  if (g) memset(g + s->n, 0, s->n * sizeof *g);
  return rc;
}

static void cons_x0(const void *vs, double *x)
{
  memset(x, 0, cons_dim(vs) * sizeof *x);
}

static double cons_f_opt(const void *vs)
{
  const cons_state *s = vs;
  double acc = 0.0;
  for (size_t i = 0; i < s->n; i++) acc += F_i(s, i, xopt_i(s, i));
  return acc;
}

static int cons_x_opt(const void *vs, double *x)
{
  const cons_state *s = vs;
  for (size_t i = 0; i < s->n; i++) x[i] = xopt_i(s, i);
  for (size_t i = 0; i < s->n; i++) x[s->n + i] = active(s, i, x[i]) ? x[i] : s->c[i] + s->beta * x[i];
  return OB_OK;
}

static const struct ob_bilevel_view *cons_bilevel(void *vs)
{
  return &((cons_state *)vs)->view;
}

static int cons_metrics(void *vs, const double *x, json_t *final, ob_error *err)
{
  cons_state *s = vs;
  size_t n = s->n;
  const double *y = x + n;
  double g, gs, ye = 0.0, viol = 0.0, gn = 0.0;
  cons_hyper(s, x, NULL, s->gf, s->ys, err);
  cons_lower(s, x, y, &g, NULL, NULL, err);
  cons_lower(s, x, s->ys, &gs, NULL, NULL, err);
  for (size_t i = 0; i < n; i++) {
    ye += (y[i] - s->ys[i]) * (y[i] - s->ys[i]);
    viol = fmax(viol, y[i] - x[i]);
    gn += s->gf[i] * s->gf[i];
  }
  json_object_set_new(final, "hypergrad_norm", ob_json_num(sqrt(gn)));
  json_object_set_new(final, "lower_gap", ob_json_num(g - gs));
  json_object_set_new(final, "y_error", ob_json_num(sqrt(ye)));
  json_object_set_new(final, "cons_violation", ob_json_num(viol));
  return OB_OK;
}

const ob_problem_type ob_problem_bilevel_constrained = {
  .name = "bilevel_constrained",
  .summary = "bilevel toy with lower-level constraints y <= x coupling both levels (projection, kinks)",
  .reference = "Yao et al., ICLR 2024 (LV-HBA, constrained lower levels)",
  .params = cons_params,
  .state_size = sizeof(cons_state),
  .provides = OB_PROVIDES_GRAD | OB_PROVIDES_FOPT | OB_PROVIDES_BILEVEL,
  .configure = cons_configure,
  .dim = cons_dim,
  .eval = cons_eval,
  .x0 = cons_x0,
  .f_opt = cons_f_opt,
  .x_opt = cons_x_opt,
  .free = NULL,
  .bilevel = cons_bilevel,
  .metrics = cons_metrics,
};
