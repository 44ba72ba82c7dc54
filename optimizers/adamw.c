/* adamw.c -- AdamW (decoupled weight decay) and its AMSGrad variant, as
 * torch.optim.AdamW.
 *
 * Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019,
 * Algorithm 2 (Adam with decoupled weight decay); the moments are Kingma &
 * Ba 2015, Algorithm 1; AMSGrad is Reddi et al. 2018, Algorithm 2. The
 * implementation follows torch.optim.AdamW (torch/optim/adamw.py,
 * _single_tensor_adamw, torch 1.13) in double precision, operation by
 * operation (see optimizers/adam_kernel.h):
 *
 *   x <- x (1 - lr wd)                        (decay first, with the old x)
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   [AMSGrad: vmax <- max(vmax, v), used in place of v below]
 *   x <- x - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 *
 * Relation to the paper (torch's choices, which optbench keeps):
 * - the decay is scaled by lr: torch's lr and wd are the paper's schedule
 *   multiplier eta_t and lambda with alpha = 1 (Algorithm 2, line 12), so
 *   wd = 0.01 at lr 1e-3 shrinks x by 1e-5 per step;
 *   it is applied to the x at which the gradient was taken, before the Adam step.
 * - eps placement and bias-correction arithmetic as in torch's Adam: eps is
 *   added to the bias-corrected sqrt(v_hat) (Algorithm 2, line 12), but the
 *   first-moment correction is folded into the step size lr / (1 - b1^t) and
 *   sqrt(v) is divided by sqrt(1 - b2^t), which differs from a literal
 *   transcription in the last bits.
 * - AMSGrad takes the maximum of the raw v (Reddi et al.) and then applies
 *   Adam's bias correction, which their Algorithm 2 omits.
 * - optbench's own deviation: it rejects lr * wd >= 1, where the decay factor
 *   would flip or zero x (torch accepts it).
 *
 * Defaults: lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0.01.
 * State: m, v (+ vmax with amsgrad). Traffic per coordinate: read x, g, m, v
 * and write x, m, v = 7 * 8 bytes (amsgrad: 9 * 8).
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
} adamw_state;

static const ob_param_spec adamw_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate (also scales the decoupled weight decay)" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the first-moment (mean) estimate" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the second-moment (uncentered variance) estimate" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to the bias-corrected sqrt(v) in the denominator" },
  { "weight_decay", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decoupled decay: x is multiplied by 1 - lr * wd before each Adam update" },
  { "amsgrad", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, "ams",
    "AMSGrad: normalize by the running maximum of v (Reddi et al. 2018)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int adamw_configure(void *vs, const json_t *params, ob_error *err)
{
  adamw_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->amsgrad = ob_params_bool(params, "amsgrad");
  /* A factor <= 0 would flip or zero x every step: a configuration mistake,
   * not an experiment (torch accepts it silently). */
  if (!(1.0 - s->lr * s->weight_decay > 0.0))
    return ob_error_at(err, OB_EINVAL, "weight_decay",
                        "'weight_decay' times 'lr' must be below 1 (got %g * %g): the decay factor "
                        "1 - lr * weight_decay would not be positive", s->weight_decay, s->lr);
  return OB_OK;
}

static size_t adamw_nvectors(const void *vs)
{
  const adamw_state *s = vs;
  return s->amsgrad ? 3 : 2;
}

static int adamw_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  adamw_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m = vec[0];
  s->v = vec[1];
  s->vmax = s->amsgrad ? vec[2] : NULL;
  return OB_OK;
}

static int adamw_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  adamw_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;   /* schedule (1 without one) */
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  adam_coef c;
  s->t++;
  /* torch: param.mul_(1 - lr * weight_decay), computed in Python floats */
  adam_coef_set(&c, lr, s->beta1, s->beta2, s->eps, 0.0, 1.0 - lr * s->weight_decay, s->t);
  adam_update(s->n, x, g, s->m, s->v, s->vmax, &c);
  return OB_OK;
}

static double adamw_traffic(const void *vs)
{
  const adamw_state *s = vs;
  return (s->amsgrad ? 9.0 : 7.0) * sizeof(double);
}

const ob_optimizer_type ob_optimizer_adamw = {
  .name = "adamw",
  .summary = "AdamW: Adam with decoupled weight decay, optional AMSGrad (torch.optim.AdamW)",
  .reference = "Loshchilov & Hutter 2019, Algorithm 2; Kingma & Ba 2015; AMSGrad: Reddi et al. 2018; = torch.optim.AdamW, double precision",
  .params = adamw_params,
  .state_size = sizeof(adamw_state),
  .needs = OB_NEEDS_GRAD,
  .configure = adamw_configure,
  .nvectors = adamw_nvectors,
  .init = adamw_init,
  .step = adamw_step,
  .traffic = adamw_traffic,
  .free = NULL,
};
