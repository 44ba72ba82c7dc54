/* gd.c -- plain gradient descent: x <- x - lr * g.
 *
 * Cauchy's method of steepest descent with a constant step (Cauchy 1847;
 * Nocedal & Wright, "Numerical Optimization", 2nd ed., section 3.1) -- the
 * baseline every other method is measured against. It is exactly
 * torch.optim.SGD(lr=lr) with momentum, dampening and weight decay at zero:
 * torch computes param.add_(grad, alpha=-lr), i.e. x + (-lr) * g, which is the
 * same double as x - lr * g, so trajectories agree bit for bit.
 *
 * No state vectors. One pass over memory per step: read x and g, write x
 * (3 * 8 bytes per coordinate). No random numbers; bit-identical for every
 * thread count because every coordinate is updated independently.
 */
#include "config.h"

#include <math.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr;
  size_t n;
} gd_state;

static const ob_param_spec gd_params[] = {
  { "lr", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate (step length along -g)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int gd_configure(void *vs, const json_t *params, ob_error *err)
{
  gd_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  return OB_OK;
}

static int gd_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  gd_state *s = vs;
  (void)vec;
  (void)p;
  (void)err;
  s->n = n;
  return OB_OK;
}

OB_KERNEL static int gd_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  gd_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;   /* schedule (1 without one) */
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;

  const size_t n = s->n;
  const double neg_lr = -lr;
  double *restrict xp = x;
  const double *restrict gp = g;
  OB_VEC_FOR(i, n, xp[i] = xp[i] + neg_lr * gp[i];);
  return OB_OK;
}

static double gd_traffic(const void *vs)
{
  (void)vs;
  return 3.0 * sizeof(double);   /* read x, g; write x */
}

const ob_optimizer_type ob_optimizer_gd = {
  .name = "gd",
  .summary = "gradient descent with a constant step: x <- x - lr g",
  .reference = "Cauchy 1847, steepest descent; Nocedal & Wright 2006, section 3.1; = torch.optim.SGD(lr) without momentum",
  .params = gd_params,
  .state_size = sizeof(gd_state),
  .needs = OB_NEEDS_GRAD,
  .configure = gd_configure,
  .nvectors = NULL,
  .init = gd_init,
  .step = gd_step,
  .traffic = gd_traffic,
  .free = NULL,
};
