/* adagrad_norm.c -- AdaGrad-Norm: gradient descent with one scalar AdaGrad stepsize.
 *
 * Ward, Wu & Bottou, "AdaGrad Stepsizes: Sharp Convergence Over Nonconvex
 * Landscapes", ICML 2019 (JMLR 21(219), 2020), Algorithm 1 (AdaGrad-Norm):
 *
 *   b^2 <- b^2 + ||g||^2              (b^2 starts at b0^2)
 *   x   <- x - (lr / b) g
 *
 * i.e. the stepsize is lr / sqrt(b0^2 + sum_{s<=t} ||g_s||^2), one scalar for
 * all coordinates. The paper proves convergence for any b0 > 0 and lr > 0
 * without knowing the Lipschitz constant. There is no official code; the
 * rule is the paper's algorithm box, and the reference generator
 * (tests/reference/gen_numpy.py) was written from it. ||g||^2 is the
 * fixed-block ob_vec sum, so the scalar is identical for every thread count.
 * lr * ctx->lr_scale replaces lr.
 *
 * Defaults (optbench's choice; the paper sweeps b0 and uses lr = 1):
 * lr 1, b0 0.01. State: none but the scalar b^2. Traffic per coordinate:
 * read g for the norm (8), then read x, g and write x (24) = 32 bytes.
 */
#include "config.h"

#include <math.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, b0;
  size_t n;
  double b2;             /* b0^2 + sum of ||g||^2 so far */
} adagrad_norm_state;

static const ob_param_spec adagrad_norm_params[] = {
  { "lr", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "step-size numerator eta (about the distance to travel)" },
  { "b0", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "initial accumulator b0 > 0 (b^2 starts at b0^2)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int adagrad_norm_configure(void *vs, const json_t *params, ob_error *err)
{
  adagrad_norm_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->b0 = ob_params_real(params, "b0");
  return OB_OK;
}

static int adagrad_norm_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  adagrad_norm_state *s = vs;
  (void)vec;
  (void)p;
  (void)err;
  s->n = n;
  s->b2 = s->b0 * s->b0;
  return OB_OK;
}

OB_KERNEL static int adagrad_norm_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  adagrad_norm_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  const size_t n = s->n;
  s->b2 = s->b2 + ob_vec_dot(g, g, n);
  const double step = lr / sqrt(s->b2);
  OB_VEC_FOR(i, n, x[i] = x[i] - step * g[i];);
  return OB_OK;
}

static double adagrad_norm_traffic(const void *vs)
{
  (void)vs;
  return 4.0 * sizeof(double);   /* norm: read g; update: read x, g, write x */
}

const ob_optimizer_type ob_optimizer_adagrad_norm = {
  .name = "adagrad_norm",
  .summary = "AdaGrad-Norm: x <- x - lr g / sqrt(b0^2 + sum ||g||^2), one scalar stepsize (Ward et al. 2019)",
  .reference = "Ward, Wu & Bottou 2019, ICML, Algorithm 1 (AdaGrad-Norm)",
  .params = adagrad_norm_params,
  .state_size = sizeof(adagrad_norm_state),
  .needs = OB_NEEDS_GRAD,
  .configure = adagrad_norm_configure,
  .nvectors = NULL,
  .init = adagrad_norm_init,
  .step = adagrad_norm_step,
  .traffic = adagrad_norm_traffic,
  .free = NULL,
};
