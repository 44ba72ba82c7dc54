/* polyak.c -- gradient descent with the classic Polyak step size (needs f*).
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
 * a problem without a known f* the run is skipped with that reason). The step
 * evaluates f and g together, so the run counts one f and one gradient
 * evaluation per step.
 * Deviations (documented): f - f* is clipped at 0, so rounding that puts f
 * below f* gives a zero step instead of an ascent step; when g == 0 exactly
 * x stays put and the step returns OB_OK if f <= f* (converged) and
 * OB_STALLED if f > f* (a stationary point above f*: no Polyak step exists).
 * There is no official code; the reference generator was written from the
 * formula above. lr * ctx->lr_scale replaces lr.
 *
 * Defaults: lr 1. State: none. Traffic per coordinate: norm pass reads g (8),
 * update reads x, g and writes x (24) = 32 bytes.
 */
#include "config.h"

#include <math.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr;
  size_t n;
  double f_opt;
} polyak_state;

static const ob_param_spec polyak_params[] = {
  { "lr", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "relaxation factor on the Polyak step (f - f*) / ||g||^2; 1 is the classic rule" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int polyak_configure(void *vs, const json_t *params, ob_error *err)
{
  polyak_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  return OB_OK;
}

static int polyak_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  polyak_state *s = vs;
  (void)vec;
  s->n = n;
  s->f_opt = p->f_opt;
  if (!isfinite(s->f_opt))
    return ob_error_set(err, OB_EINVAL, "optimizer 'polyak' needs the problem's optimal value f*, which is unknown");
  return OB_OK;
}

OB_KERNEL static int polyak_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  polyak_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  double f;
  int rc = ob_oracle_eval(o, x, &f, g, err);
  if (rc < 0) return rc;
  const size_t n = s->n;
  const double gg = ob_vec_dot(g, g, n);
  const double gap = fmax(f - s->f_opt, 0.0);
  if (gg == 0.0) return gap > 0.0 ? OB_STALLED : OB_OK;   /* stationary: above f* no step is defined */
  if (!(gg > 0.0)) return OB_OK;                          /* NaN: the runner sees the iterate diverge */
  const double step = lr * gap / gg;
#pragma omp parallel for simd schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) x[i] = x[i] - step * g[i];
  return OB_OK;
}

static double polyak_traffic(const void *vs)
{
  (void)vs;
  return 4.0 * sizeof(double);   /* norm: read g; update: read x, g, write x */
}

const ob_optimizer_type ob_optimizer_polyak = {
  .name = "polyak",
  .summary = "gradient descent with the Polyak step (f - f*) / ||g||^2 (needs f*)",
  .reference = "Polyak 1969, USSR Comput. Math. Math. Phys. 9(3); Polyak 1987, Introduction to Optimization, ch. 5",
  .params = polyak_params,
  .state_size = sizeof(polyak_state),
  .needs = OB_NEEDS_GRAD | OB_NEEDS_FOPT,
  .configure = polyak_configure,
  .nvectors = NULL,
  .init = polyak_init,
  .step = polyak_step,
  .traffic = polyak_traffic,
  .free = NULL,
};
