/* adam.c -- Adam and AMSGrad with L2 (coupled) weight decay, as torch.optim.Adam.
 *
 * Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
 * Algorithm 1; AMSGrad from Reddi, Kale & Kumar, "On the Convergence of Adam
 * and Beyond", ICLR 2018, Algorithm 2 (the running maximum of v). The
 * implementation follows torch.optim.Adam (torch/optim/adam.py,
 * _single_tensor_adam, torch 1.13) in double precision, operation by operation
 * (see optimizers/adam_kernel.h):
 *
 *   g <- g + wd x;  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   [AMSGrad: vmax <- max(vmax, v), used in place of v below]
 *   x <- x - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *
 * Relation to the paper (torch's choices, which optbench keeps):
 * - eps placement: as in Algorithm 1, eps is added to the bias-corrected
 *   sqrt(v_hat), not to the raw sqrt(v) of the paper's "efficient version"
 *   (end of section 2), so small eps values act the same at every t.
 * - bias-correction arithmetic: m is not divided by 1 - b1^t; the correction
 *   is folded into the step size lr / (1 - b1^t), and sqrt(v) is divided by
 *   sqrt(1 - b2^t). Mathematically Algorithm 1; in floating point it differs
 *   from a literal transcription in the last bits.
 * - AMSGrad takes the maximum of the raw v, as Reddi et al.'s Algorithm 2 does,
 *   but then applies Adam's bias correction, which Algorithm 2 omits.
 * - weight decay is an L2 term added to the gradient (for decoupled decay use
 *   adamw).
 *
 * Defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0.
 * State: m, v (+ vmax with amsgrad). Traffic per coordinate: read x, g, m, v
 * and write x, m, v = 7 * 8 bytes (amsgrad: + read/write vmax = 9 * 8).
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "optimizers/adam_kernel.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, beta1, beta2, eps, weight_decay;
  bool amsgrad;
  size_t n;
  double *m, *v, *vmax;   /* arena vectors (state class); vmax NULL without amsgrad */
  long long t;            /* completed steps */
} adam_state;

static const ob_param_spec adam_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate (step size alpha in Kingma & Ba)" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the first-moment (mean) estimate" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the second-moment (uncentered variance) estimate" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to the bias-corrected sqrt(v) in the denominator" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "L2 penalty coefficient: wd * x is added to the gradient before the moments" },
  { "amsgrad", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, "ams",
    "AMSGrad: normalize by the running maximum of v (Reddi et al. 2018)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int adam_configure(void *vs, const json_t *params, ob_error *err)
{
  adam_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->amsgrad = ob_params_bool(params, "amsgrad");
  return OB_OK;
}

static size_t adam_nvectors(const void *vs)
{
  const adam_state *s = vs;
  return s->amsgrad ? 3 : 2;
}

static int adam_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  adam_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m = vec[0];
  s->v = vec[1];
  s->vmax = s->amsgrad ? vec[2] : NULL;
  return OB_OK;
}

static int adam_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  adam_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;   /* schedule (1 without one) */
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  adam_coef c;
  s->t++;
  adam_coef_set(&c, lr, s->beta1, s->beta2, s->eps, s->weight_decay, 1.0, s->t);
  adam_update(s->n, x, g, s->m, s->v, s->vmax, &c);
  return OB_OK;
}

static double adam_traffic(const void *vs)
{
  const adam_state *s = vs;
  return (s->amsgrad ? 9.0 : 7.0) * sizeof(double);
}

const ob_optimizer_type ob_optimizer_adam = {
  .name = "adam",
  .summary = "Adam / AMSGrad with L2 weight decay (torch.optim.Adam)",
  .reference = "Kingma & Ba 2015, Algorithm 1; AMSGrad: Reddi et al. 2018, Algorithm 2; = torch.optim.Adam, double precision",
  .params = adam_params,
  .state_size = sizeof(adam_state),
  .needs = OB_NEEDS_GRAD,
  .configure = adam_configure,
  .nvectors = adam_nvectors,
  .init = adam_init,
  .step = adam_step,
  .traffic = adam_traffic,
  .free = NULL,
};
