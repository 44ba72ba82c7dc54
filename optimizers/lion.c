/* lion.c -- Lion (EvoLved Sign Momentum) with decoupled weight decay.
 *
 * Chen, Liang, Huang, Real, Wang, Pham, Dong, Luong, Hsieh, Lu & Le,
 * "Symbolic Discovery of Optimization Algorithms", NeurIPS 2023, Algorithm 2
 * (arXiv:2302.06675). Checked against the authors' official code,
 * google/automl lion/lion_pytorch.py, whose order of operations is kept:
 *
 *   x <- x (1 - lr wd)                       (decoupled weight decay first)
 *   c  = b1 m + (1 - b1) g                   (interpolation, not stored)
 *   x <- x - lr sign(c)                      (sign(0) = 0, as torch.sign)
 *   m <- b2 m + (1 - b2) g
 *
 * Every coordinate moves by exactly lr (plus the decay) whatever the
 * gradient's scale; the first step is x1 = x0 (1 - lr wd) - lr sign(g0).
 * Algorithm 2 writes x <- x - lr (sign(c) + wd x), the same update.
 * Deviations: none in double precision. lr * ctx->lr_scale is the step.
 *
 * Defaults (official code): lr 1e-4, beta1 0.9, beta2 0.99, weight_decay 0.
 * The paper advises an lr 3-10x smaller than AdamW's and a weight decay 3-10x
 * larger. State: m. Traffic per coordinate: read x, g, m; write x, m = 5 * 8
 * bytes. One OpenMP pass; bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, beta1, beta2, weight_decay;
  size_t n;
  double *m;             /* arena vector (state class) */
} lion_state;

static const ob_param_spec lion_params[] = {
  { "lr", OB_PARAM_REAL, "0.0001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate: every coordinate moves by exactly lr per step" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "interpolation weight of the momentum in the update direction sign(b1 m + (1 - b1) g)" },
  { "beta2", OB_PARAM_REAL, "0.99", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the momentum m <- b2 m + (1 - b2) g" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decoupled weight decay: x <- x (1 - lr wd) before the sign step" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int lion_configure(void *vs, const json_t *params, ob_error *err)
{
  lion_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->weight_decay = ob_params_real(params, "weight_decay");
  if (s->lr * s->weight_decay >= 1.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay",
                       "lr * weight_decay must be below 1 (got %g * %g): the decay factor 1 - lr wd would not be positive",
                       s->lr, s->weight_decay);
  return OB_OK;
}

static size_t lion_nvectors(const void *vs)
{
  (void)vs;
  return 1;
}

static int lion_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  lion_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->m = vec[0];
  return OB_OK;
}

OB_KERNEL static int lion_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  lion_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  const double decay = 1.0 - lr * s->weight_decay, b1 = s->beta1, omb1 = 1.0 - s->beta1;
  const double b2 = s->beta2, omb2 = 1.0 - s->beta2, neg_lr = -lr;
  const size_t n = s->n;
  double *restrict m = s->m;
  double *restrict xr = x;
  const double *restrict gr = g;
  OB_VEC_FOR(i, n, {
    const double c = m[i] * b1 + gr[i] * omb1;
    /* torch.sign without a select (GCC does not if-convert floating-point
     * selects under -ftrapping-math, and the loop would not vectorize):
     * copysign gives +-1 or +-0, and c - c adds +0 for finite c (turning -0
     * into +0) and NaN for NaN. It differs from torch.sign only at c = +-inf
     * (NaN instead of +-1), which needs an infinite gradient or momentum: a
     * run that has already diverged. */
    const double sg = copysign((double)(c != 0.0), c) + (c - c);
    xr[i] = xr[i] * decay + neg_lr * sg;
    m[i] = m[i] * b2 + gr[i] * omb2;
  });
  return OB_OK;
}

static double lion_traffic(const void *vs)
{
  (void)vs;
  return 5.0 * sizeof(double);   /* read x, g, m; write x, m */
}

const ob_optimizer_type ob_optimizer_lion = {
  .name = "lion",
  .summary = "Lion: sign of interpolated momentum, decoupled weight decay (Chen et al. 2023)",
  .reference = "Chen et al. 2023, NeurIPS, Algorithm 2; = google/automl lion/lion_pytorch.py",
  .params = lion_params,
  .state_size = sizeof(lion_state),
  .needs = OB_NEEDS_GRAD,
  .configure = lion_configure,
  .nvectors = lion_nvectors,
  .init = lion_init,
  .step = lion_step,
  .traffic = lion_traffic,
  .free = NULL,
};
