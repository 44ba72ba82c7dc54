/* ranger.c -- Ranger: RAdam inside Lookahead (+ gradient centralization
 * where it applies).
 *
 * Wright, "Ranger" (2019, github.com/lessw2020/Ranger-Deep-Learning-Optimizer,
 * ranger.py) combining RAdam (Liu et al., ICLR 2020, Algorithm 2) with
 * Lookahead (Zhang et al., NeurIPS 2019, Algorithm 1); Ranger 2020 added
 * gradient centralization (Yong, Huang, Hua & Zhang, "Gradient
 * Centralization", ECCV 2020, eq. 3). Ranger21 (Wright & Demeure,
 * arXiv:2106.13731) adds further components that are not reproduced here.
 *
 *   fast step:  optbench's radam (torch.optim.RAdam form, see radam.c):
 *               m, v as Adam; rectified step when rho_t > 5, else lr m_hat
 *   every k:    phi <- (1 - alpha) phi + alpha x;  x <- phi   (lookahead.c)
 *
 * Gradient centralization subtracts from a weight tensor's gradient its mean
 * over all dimensions but the first (each output unit's fan-in); Ranger
 * applies it to tensors of dimension > 1 only, leaving vectors (biases)
 * untouched. Every optbench problem exposes one flat parameter vector, so GC
 * does not apply and Ranger here is exactly RAdam + Lookahead; centralizing
 * the whole vector instead would change the problem's minimizer.
 * The rectified-step formula of ranger.py equals torch's RAdam algebraically
 * (eps added to the raw sqrt(v) in both); optbench uses radam.c's arithmetic.
 *
 * Defaults (ranger.py): lr 1e-3, beta1 0.95, beta2 0.999, eps 1e-5,
 * weight_decay 0, k 6, alpha 0.5. Implementation: a lookahead optimizer
 * with a radam inner built through the driver, so state and traffic are
 * theirs: m, v, phi; 56 + 32 / k bytes per coordinate per step.
 */
#include "config.h"

#include <math.h>

#include "optimizers/optimizer.h"

typedef struct {
  ob_optimizer *la;      /* lookahead(radam) */
} ranger_state;

static const ob_param_spec ranger_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL, "learning rate of the RAdam steps" },
  { "beta1", OB_PARAM_REAL, "0.95", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1", "RAdam first-moment decay" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2", "RAdam second-moment decay" },
  { "eps", OB_PARAM_REAL, "1e-5", 0.0, HUGE_VAL, 0, NULL, NULL, "added to sqrt(v) in the rectified steps" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd", "L2 coefficient added to the gradient" },
  { "k", OB_PARAM_INT, "6", 1, 1e9, 0, NULL, NULL, "Lookahead synchronization period" },
  { "alpha", OB_PARAM_REAL, "0.5", 0.0, 1.0, 0, NULL, NULL, "Lookahead slow-weight step" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int ranger_configure(void *vs, const json_t *params, ob_error *err)
{
  ranger_state *s = vs;
  const ob_optimizer_type *la = ob_optimizer_type_find("lookahead");
  if (!la) return ob_error_set(err, OB_EINTERNAL, "ranger needs the lookahead optimizer in the registry");
  json_t *spec = json_pack("{s:I, s:f, s:{s:s, s:f, s:f, s:f, s:f, s:f}}",
                           "k", (json_int_t)ob_params_int(params, "k"), "alpha", ob_params_real(params, "alpha"),
                           "inner", "type", "radam", "lr", ob_params_real(params, "lr"),
                           "beta1", ob_params_real(params, "beta1"), "beta2", ob_params_real(params, "beta2"),
                           "eps", ob_params_real(params, "eps"),
                           "weight_decay", ob_params_real(params, "weight_decay"));
  json_t *norm = NULL;
  int rc = spec ? ob_optimizer_params_normalize(la, spec, NULL, "ranger", 0, &norm, err)
                : ob_error_set(err, OB_ENOMEM, "out of memory");
  if (rc == OB_OK) rc = ob_optimizer_alloc(la, norm, &s->la, err);
  json_decref(norm);
  json_decref(spec);
  return rc;
}

static size_t ranger_nvectors(const void *vs)
{
  const ranger_state *s = vs;
  return ob_optimizer_nvectors(s->la);
}

static int ranger_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  ranger_state *s = vs;
  (void)n;
  return ob_optimizer_init_vectors(s->la, p, vec, err);
}

static int ranger_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  ranger_state *s = vs;
  s->la->lr_scale = ctx->lr_scale;
  return ob_optimizer_step(s->la, o, x, g, err);
}

static double ranger_traffic(const void *vs)
{
  const ranger_state *s = vs;
  return ob_optimizer_traffic(s->la);
}

static void ranger_free(void *vs)
{
  ranger_state *s = vs;
  ob_optimizer_free(s->la);
}

const ob_optimizer_type ob_optimizer_ranger = {
  .name = "ranger",
  .summary = "Ranger: RAdam + Lookahead (gradient centralization is a no-op on vector problems)",
  .reference = "Wright 2019 (lessw2020/Ranger-Deep-Learning-Optimizer); RAdam: Liu et al. 2020; Lookahead: Zhang et al. 2019",
  .params = ranger_params,
  .state_size = sizeof(ranger_state),
  .needs = OB_NEEDS_GRAD,
  .configure = ranger_configure,
  .nvectors = ranger_nvectors,
  .init = ranger_init,
  .step = ranger_step,
  .traffic = ranger_traffic,
  .free = ranger_free,
};
