/* polyak.c -- gradient descent with the classic Polyak step size (needs f*),
 * and its generalization to momentum (moving-average gradient).
 *
 * B. T. Polyak, "Minimization of unsmooth functionals", USSR Comput. Math.
 * Math. Phys. 9(3), 1969; textbook form in Polyak, "Introduction to
 * Optimization", Optimization Software (1987), ch. 5 (subgradient method with
 * the known optimal value):
 *
 *   gamma = (f(x) - f*) / ||g||^2,   x <- x - lr gamma g
 *
 * with lr = 1 the classic rule (lr is a relaxation factor; lr in (0, 2)
 * keeps the convergence proof). f* comes from the problem (OB_NEEDS_FOPT: on
 * a problem without a known f* the run is skipped with that reason).
 *
 * momentum > 0: the generalized Polyak step for the moving-average-gradient
 * method of X. Wang, M. Johansson & T. Zhang, "Generalized Polyak Step Size
 * for First Order Optimization with Momentum", ICML 2023 (arXiv:2305.12939),
 * ALR-MAG (deterministic) and ALR-SMAG (its stochastic form with c and the
 * step cap gamma_b); the rule was confirmed against two independent
 * implementations that cite the paper (an ALRMAG class: d <- beta d + g,
 * t = f / ||d||^2, x <- x - t d; F. Schaipp's AlrSmag: d <- beta d + g,
 * tau = min(lr, (f - lb) / (c ||d||^2)), x <- x - tau d). Here, with d = 0
 * before step 1:
 *
 *   d <- beta d + g;   tau = lr (f(x) - f*) / (c ||d||^2)  [min max_step];   x <- x - tau d
 *
 * (the paper's "lb" is f*, its lr cap gamma_b is max_step; lr = 1, c = 1 and
 * no cap give ALR-MAG). With momentum 0, c 1 and no cap the classic rule
 * above is reproduced bit for bit. The paper's heavy-ball variant (ALR-HB)
 * is not offered: its step could not be confirmed from an implementation.
 *
 * The step evaluates f and g together, so the run counts one f and one
 * gradient evaluation per step.
 * Deviations (documented): f - f* is clipped at 0, so rounding that puts f
 * below f* gives a zero step instead of an ascent step; when the direction
 * (g, or d with momentum) is exactly 0 x stays put and the step returns
 * OB_OK if f <= f* (converged) and OB_STALLED if f > f* (a stationary point
 * above f*: no Polyak step exists). There is no official code; the reference
 * generators were written from the formulas above. lr * ctx->lr_scale
 * replaces lr.
 *
 * Defaults: lr 1, momentum 0, c 1, max_step null (no cap). State: none (d
 * with momentum). Traffic per coordinate: without momentum the norm pass
 * reads g (8), the update reads x, g and writes x (24) = 32 bytes; with
 * momentum the fused direction/norm pass reads d, g and writes d (24), the
 * update reads x, d and writes x (24) = 48 bytes.
 */
#include "config.h"

#include <math.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, momentum, c, max_step;   /* max_step: HUGE_VAL = no cap */
  size_t n;
  double f_opt;
  double *d;             /* arena vector with momentum, else NULL */
} polyak_state;

static const ob_param_spec polyak_params[] = {
  { "lr", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "relaxation factor on the Polyak step (f - f*) / ||g||^2; 1 is the classic rule" },
  { "momentum", OB_PARAM_REAL, "0", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "mom",
    "beta of the moving-average direction d <- beta d + g (ALR-MAG, Wang et al. 2023); 0 = classic" },
  { "c", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "divides the step: tau = lr (f - f*) / (c ||d||^2) (ALR-SMAG's c)" },
  { "max_step", OB_PARAM_REAL, "null", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN | OB_PARAM_NULLABLE, NULL, "cap",
    "upper bound on tau (ALR-SMAG's gamma_b); null = none" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int polyak_configure(void *vs, const json_t *params, ob_error *err)
{
  polyak_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->momentum = ob_params_real(params, "momentum");
  s->c = ob_params_real(params, "c");
  s->max_step = ob_params_is_null(params, "max_step") ? HUGE_VAL : ob_params_real(params, "max_step");
  return OB_OK;
}

static size_t polyak_nvectors(const void *vs)
{
  const polyak_state *s = vs;
  return s->momentum > 0.0 ? 1 : 0;
}

static int polyak_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  polyak_state *s = vs;
  s->n = n;
  s->d = s->momentum > 0.0 ? vec[0] : NULL;
  s->f_opt = p->f_opt;
  if (!isfinite(s->f_opt))
    return ob_error_set(err, OB_EINVAL, "optimizer 'polyak' needs the problem's optimal value f*, which is unknown");
  return OB_OK;
}

typedef struct { double *d; const double *g; double beta; } polyak_ctx;

/* d <- beta d + g on [lo, hi), returning the block's sum of d^2. */
static double polyak_dir_block(void *vctx, size_t lo, size_t hi)
{
  const polyak_ctx *c = vctx;
  double acc = 0.0;
  for (size_t i = lo; i < hi; i++) {
    const double di = c->d[i] * c->beta + c->g[i];
    c->d[i] = di;
    acc += di * di;
  }
  return acc;
}

OB_KERNEL static int polyak_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  polyak_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  double f;
  int rc = ob_oracle_eval(o, x, &f, g, err);
  if (rc < 0) return rc;
  const size_t n = s->n;
  const double *dir = g;
  double dd;
  if (s->d) {
    polyak_ctx c = { s->d, g, s->momentum };
    dd = ob_vec_reduce(polyak_dir_block, &c, n);
    dir = s->d;
  } else {
    dd = ob_vec_dot(g, g, n);
  }
  const double gap = fmax(f - s->f_opt, 0.0);
  if (dd == 0.0) return gap > 0.0 ? OB_STALLED : OB_OK;   /* stationary: above f* no step is defined */
  if (!(dd > 0.0)) return OB_OK;                          /* NaN: the runner sees the iterate diverge */
  const double step = fmin(lr * gap / (s->c * dd), s->max_step);
  OB_VEC_FOR(i, n, x[i] = x[i] - step * dir[i];);
  return OB_OK;
}

static double polyak_traffic(const void *vs)
{
  const polyak_state *s = vs;
  /* no momentum: norm reads g, update reads x, g, writes x; momentum: d pass reads d, g,
   * writes d, update reads x, d, writes x */
  return (s->momentum > 0.0 ? 6.0 : 4.0) * sizeof(double);
}

const ob_optimizer_type ob_optimizer_polyak = {
  .name = "polyak",
  .summary = "gradient descent with the Polyak step (f - f*) / ||g||^2, optionally with momentum (ALR-MAG; needs f*)",
  .reference = "Polyak 1969, USSR Comput. Math. Math. Phys. 9(3); Polyak 1987, ch. 5; momentum: Wang, Johansson & Zhang, ICML 2023 (arXiv:2305.12939), ALR-MAG / ALR-SMAG",
  .params = polyak_params,
  .state_size = sizeof(polyak_state),
  .needs = OB_NEEDS_GRAD | OB_NEEDS_FOPT,
  .configure = polyak_configure,
  .nvectors = polyak_nvectors,
  .init = polyak_init,
  .step = polyak_step,
  .traffic = polyak_traffic,
  .free = NULL,
};
