/* lv_hba.c -- LV-HBA: the proximal Lagrangian value function approach,
 * single loop and Hessian-free, for lower levels with or without constraints.
 *
 * Yao, Yu, Zeng & Zhang, "Constrained Bi-level Optimization: Proximal
 * Lagrangian Value Function Approach and Hessian-free Algorithm", ICLR 2024
 * (arXiv 2401.16164), Algorithm 1. For the lower level min_y g(x, y) s.t.
 * h(x, y) <= 0 the proximal Lagrangian value function is
 *
 *   v(x, y, z) = min_theta max_{lam >= 0}  g(x, theta) + lam'h(x, theta)
 *                        + ||theta - y||^2 / (2 gamma1) - ||lam - z||^2 / (2 gamma2)
 *
 * and the bilevel problem becomes min f(x, y) s.t. g(x, y) - v(x, y, z) <= 0,
 * (x, y) feasible. One step (k = t - 1; theta starts at y, lam and z at 0)
 * tracks the saddle point with one projected gradient step and moves
 * (x, y, z) on f / c_k + g - v:
 *
 *   theta <- theta - eta (grad_y g(x, theta) + dh/dy(x, theta)' lam + (theta - y) / gamma1)
 *   lam   <- Proj_Z(lam + eta (h(x, theta) - (lam - z) / gamma2)),   Z = [0, lam_max]^m
 *   d_x = grad_x f(x, y) / c_k + grad_x g(x, y) - grad_x g(x, theta) - dh/dx(x, theta)' lam
 *   d_y = grad_y f(x, y) / c_k + grad_y g(x, y) - (y - theta) / gamma1
 *   d_z = (z - lam) / gamma2
 *   x <- Proj_X(x - alpha d_x),  y <- y - alpha d_y,  z <- Proj_Z(z - beta d_z),
 *   c_k = c (k + 1)^p
 *
 * (theta and lam use the new values in d_x, d_y, d_z, as in the paper.)
 * Deviation: the paper projects (x, y) onto the feasible set {h(x, y) <= 0};
 * the bilevel view has no projection oracle, so a quadratic penalty
 * feas_penalty/2 ||max(h(x, y), 0)||^2 is added to the (x, y) objective
 * instead (its gradient feas_penalty dh'max(h, 0) goes into d_x, d_y; zero at
 * feasible points). Proj_X is the box [x_lo, x_hi] when the view has one.
 * Without constraints (ncons = 0) lam, z and h drop out and v is the Moreau
 * envelope of g(x, .).
 *
 * Oracle calls per step, unconstrained: 1 upper_grad, 3 lower_grad
 * (theta step; at y; at the new theta). Constrained: also 2 cons (h and
 * dh'lam at theta), 1 cons (dh'lam at the new theta), 1 cons for h(x, y) and,
 * when some h(x, y) > 0, 1 more for the penalty gradient.
 * Params: alpha = 0.05, beta = 0.05, eta = 0.05, gamma1 = 10, gamma2 = 10,
 * c = 1, p = 0.3, lam_max = 10, feas_penalty = 10. State vectors: theta, [grad_x f;
 * grad_y f], [grad_x g; grad_y g], [grad_x g(theta); grad_y g(theta)], two Jacobian-product buffers;
 * lam, z and h (length ncons, which the driver cannot know before init) are
 * malloc'd in init and freed with the optimizer.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "optimizers/bilevel/lower_problem.h"
#include "optimizers/optimizer.h"
#include "problems/bilevel.h"

typedef struct {
  double alpha, beta, eta, gamma1, gamma2, c, p, mu, lam_max;
  const struct ob_bilevel_view *v;
  size_t nx, ny, m;
  double *theta, *u, *w, *q, *r, *r2;
  double *lam, *zl, *h;          /* malloc'd, length m (NULL when m = 0) */
  long long t;
} lvhba_state;

static const ob_param_spec lvhba_params[] = {
  { "alpha", OB_PARAM_REAL, "0.05", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, "step of (x, y)" },
  { "beta", OB_PARAM_REAL, "0.05", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, "step of z (constrained lower levels)" },
  { "eta", OB_PARAM_REAL, "0.05", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, "step of the saddle-point variables theta, lam" },
  { "gamma1", OB_PARAM_REAL, "10", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, "g1", "proximal parameter of theta" },
  { "gamma2", OB_PARAM_REAL, "10", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, "g2", "proximal parameter of lam" },
  { "c", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, "initial penalty c_0 of c_k = c (k + 1)^p" },
  { "p", OB_PARAM_REAL, "0.3", 0.0, 0.5, OB_PARAM_MAX_OPEN, NULL, NULL, "growth exponent of c_k (the paper needs p < 1/2)" },
  { "lam_max", OB_PARAM_REAL, "10", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "r: lam and z are projected onto the box Z = [0, r]^m (the paper's compact multiplier set)" },
  { "feas_penalty", OB_PARAM_REAL, "10", 0.0, HUGE_VAL, 0, NULL, "mu",
    "weight of 1/2 ||max(h(x, y), 0)||^2, which stands in for the projection onto h <= 0" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int lvhba_configure(void *vs, const json_t *params, ob_error *err)
{
  lvhba_state *s = vs;
  (void)err;
  s->alpha = ob_params_real(params, "alpha");
  s->beta = ob_params_real(params, "beta");
  s->eta = ob_params_real(params, "eta");
  s->gamma1 = ob_params_real(params, "gamma1");
  s->gamma2 = ob_params_real(params, "gamma2");
  s->c = ob_params_real(params, "c");
  s->p = ob_params_real(params, "p");
  s->mu = ob_params_real(params, "feas_penalty");
  s->lam_max = ob_params_real(params, "lam_max");
  return OB_OK;
}

static size_t lvhba_nvectors(const void *vs)
{
  (void)vs;
  return 6;
}

static void lvhba_free(void *vs)
{
  lvhba_state *s = vs;
  free(s->lam);
  s->lam = s->zl = s->h = NULL;
}

static int lvhba_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  lvhba_state *s = vs;
  const struct ob_bilevel_view *v = ob_bilevel_of(p);
  (void)n;
  if (!v) return ob_error_set(err, OB_EUNSUPPORTED, "lv_hba needs a bilevel problem");
  s->v = v;
  s->nx = v->nx;
  s->ny = v->ny;
  s->m = v->ncons && v->cons && v->cons_vjp ? v->ncons : 0;
  s->theta = vec[0];
  s->u = vec[1];
  s->w = vec[2];
  s->q = vec[3];
  s->r = vec[4];
  s->r2 = vec[5];
  s->t = 0;
  lvhba_free(s);
  if (s->m) {
    s->lam = calloc(3 * s->m, sizeof *s->lam);
    if (!s->lam) return ob_error_set(err, OB_ENOMEM, "out of memory for %zu lower-level multipliers", s->m);
    s->zl = s->lam + s->m;
    s->h = s->zl + s->m;
  }
  return OB_OK;
}

static int lvhba_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *zj, double *g, ob_error *err)
{
  lvhba_state *s = vs;
  const size_t nx = s->nx, ny = s->ny, m = s->m;
  double *x = zj, *y = zj + nx, *th = s->theta;
  double *fx = s->u, *fy = s->u + nx, *gx = s->w, *gy = s->w + nx, *gxt = s->q, *gyt = s->q + nx;
  double *ox = s->r, *oy = s->r + nx;
  int rc;
  if (++s->t == 1) memcpy(th, y, ny * sizeof *y);
  const double ck = s->c * pow((double)s->t, s->p);   /* c_k with k = t - 1 */
  const double eta = s->eta, g1 = s->gamma1, g2 = s->gamma2;

  /* theta, lam: one projected gradient step on the proximal Lagrangian */
  if ((rc = ob_oracle_lower(o, x, th, NULL, NULL, gyt, err)) < 0) return rc;
  if (m) {
    if ((rc = ob_oracle_cons(o, x, th, s->h, err)) < 0) return rc;
    if ((rc = ob_oracle_cons_vjp(o, x, th, s->lam, NULL, oy, err)) < 0) return rc;
  }
  for (size_t i = 0; i < ny; i++) th[i] -= eta * (gyt[i] + (m ? oy[i] : 0.0) + (th[i] - y[i]) / g1);
  for (size_t i = 0; i < m; i++)
    s->lam[i] = fmin(s->lam_max, fmax(0.0, s->lam[i] + eta * (s->h[i] - (s->lam[i] - s->zl[i]) / g2)));

  /* (x, y, z) */
  if ((rc = ob_oracle_upper(o, x, y, NULL, fx, fy, err)) < 0) return rc;
  if ((rc = ob_oracle_lower(o, x, y, NULL, gx, gy, err)) < 0) return rc;
  if ((rc = ob_oracle_lower(o, x, th, NULL, gxt, NULL, err)) < 0) return rc;
  if (m && (rc = ob_oracle_cons_vjp(o, x, th, s->lam, ox, NULL, err)) < 0) return rc;
  for (size_t j = 0; j < nx; j++) g[j] = fx[j] / ck + gx[j] - gxt[j] - (m ? ox[j] : 0.0);
  for (size_t i = 0; i < ny; i++) g[nx + i] = fy[i] / ck + gy[i] - (y[i] - th[i]) / g1;
  if (m && s->mu > 0) {
    if ((rc = ob_oracle_cons(o, x, y, s->h, err)) < 0) return rc;
    int viol = 0;
    for (size_t i = 0; i < m; i++) {
      s->h[i] = fmax(0.0, s->h[i]);
      viol |= s->h[i] > 0;
    }
    if (viol) {
      double *px = s->r2, *py = s->r2 + nx;
      if ((rc = ob_oracle_cons_vjp(o, x, y, s->h, px, py, err)) < 0) return rc;
      for (size_t j = 0; j < nx; j++) g[j] += s->mu * px[j];
      for (size_t i = 0; i < ny; i++) g[nx + i] += s->mu * py[i];
    }
  }
  const double a = s->alpha * ctx->lr_scale;
  for (size_t j = 0; j < nx; j++) x[j] -= a * g[j];
  ob_bilevel_clip_x(s->v, x);
  for (size_t i = 0; i < ny; i++) y[i] -= a * g[nx + i];
  for (size_t i = 0; i < m; i++) s->zl[i] = fmin(s->lam_max, fmax(0.0, s->zl[i] - s->beta * (s->zl[i] - s->lam[i]) / g2));
  return OB_OK;
}

const ob_optimizer_type ob_optimizer_lv_hba = {
  .name = "lv_hba",
  .summary = "bilevel LV-HBA: proximal Lagrangian value function, single loop, Hessian-free, constrained lower levels",
  .reference = "Yao, Yu, Zeng & Zhang, ICLR 2024 (arXiv 2401.16164), Algorithm 1",
  .params = lvhba_params,
  .state_size = sizeof(lvhba_state),
  .needs = OB_NEEDS_BILEVEL,
  .configure = lvhba_configure,
  .nvectors = lvhba_nvectors,
  .init = lvhba_init,
  .step = lvhba_step,
  .traffic = NULL,
  .free = lvhba_free,
};
