/* adamax.c -- AdaMax (Adam with the infinity norm) with L2 weight decay, as
 * torch.optim.Adamax.
 *
 * Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015,
 * section 7.1, Algorithm 2. The implementation follows torch.optim.Adamax
 * (torch/optim/adamax.py, _single_tensor_adamax, torch 1.13) in double
 * precision, operation by operation:
 *
 *   g <- g + wd x                               (grad.add(param, alpha=wd); skipped when wd == 0)
 *   m <- m b1 + (1 - b1) g                      (exp_avg.mul_(b1).add_(g, alpha=1-b1))
 *   u <- max(u b2, |g| + eps)                   (amax of exp_inf.mul_(b2) and grad.abs().add_(eps))
 *   x <- x + ((-lr / (1 - b1^t)) m) / u         (param.addcdiv_(m, u, value=-clr))
 *
 * Relation to the paper (torch's choices, which optbench keeps):
 * - eps is added to |g| inside the maximum, so u >= eps always and a zero
 *   gradient never divides by zero; Algorithm 2 has no eps at all;
 * - the bias correction of m is folded into the step size lr / (1 - b1^t),
 *   as in Algorithm 2;
 * - weight decay is an L2 term added to the gradient.
 * torch.amax propagates NaN; here max is a > b ? a : b with b = |g| + eps, so
 * a NaN gradient propagates into u and m on that step, and from then on m
 * (and x) stay NaN as in torch; u can differ from torch's only after x is NaN.
 *
 * Defaults: lr 0.002, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0.
 * State: m, u. Traffic per coordinate: read x, g, m, u and write x, m, u =
 * 7 * 8 bytes. One OpenMP pass per step; bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, beta1, beta2, eps, weight_decay;
  size_t n;
  double *m, *u;         /* arena vectors (state class) */
  long long t;           /* completed steps */
} adamax_state;

static const ob_param_spec adamax_params[] = {
  { "lr", OB_PARAM_REAL, "0.002", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate (step size alpha in Kingma & Ba)" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the first-moment (mean) estimate" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the exponentially weighted infinity norm u" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to |g| inside the maximum (a floor for u)" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "L2 penalty coefficient: wd * x is added to the gradient before the moments" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int adamax_configure(void *vs, const json_t *params, ob_error *err)
{
  adamax_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  return OB_OK;
}

static size_t adamax_nvectors(const void *vs)
{
  (void)vs;
  return 2;
}

static int adamax_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  adamax_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m = vec[0];
  s->u = vec[1];
  return OB_OK;
}

typedef struct { double b1, omb1, b2, neg_clr, eps, wd; } adamax_coef;

static inline __attribute__((always_inline)) void
adamax_elem(size_t i, double *restrict x, const double *restrict g, double *restrict m,
            double *restrict u, const adamax_coef c, const bool wd)
{
  const double gi = wd ? g[i] + c.wd * x[i] : g[i];
  const double mi = m[i] * c.b1 + c.omb1 * gi;
  const double a = u[i] * c.b2, b = fabs(gi) + c.eps;
  const double ui = a > b ? a : b;
  m[i] = mi;
  u[i] = ui;
  x[i] = x[i] + c.neg_clr * mi / ui;
}

#define ADAMAX_LOOP(WD)                                                                 \
  do {                                                                                  \
    OB_VEC_FOR(i, n, adamax_elem(i, x, g, m, u, c, WD););                               \
  } while (0)

OB_KERNEL static int adamax_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  adamax_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;   /* schedule (1 without one) */
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  s->t++;
  /* torch: clr = lr / (1 - beta1 ** step), Python floats; value = -clr */
  const adamax_coef c = { s->beta1, 1.0 - s->beta1, s->beta2,
                          -(lr / (1.0 - pow(s->beta1, (double)s->t))), s->eps, s->weight_decay };
  const size_t n = s->n;
  double *m = s->m, *u = s->u;
  if (c.wd != 0.0) ADAMAX_LOOP(true);
  else ADAMAX_LOOP(false);
  return OB_OK;
}

#undef ADAMAX_LOOP

static double adamax_traffic(const void *vs)
{
  (void)vs;
  return 7.0 * sizeof(double);   /* read x, g, m, u; write x, m, u */
}

const ob_optimizer_type ob_optimizer_adamax = {
  .name = "adamax",
  .summary = "AdaMax: Adam with the infinity norm, L2 weight decay (torch.optim.Adamax)",
  .reference = "Kingma & Ba 2015, section 7.1, Algorithm 2; = torch.optim.Adamax, double precision",
  .params = adamax_params,
  .state_size = sizeof(adamax_state),
  .needs = OB_NEEDS_GRAD,
  .configure = adamax_configure,
  .nvectors = adamax_nvectors,
  .init = adamax_init,
  .step = adamax_step,
  .traffic = adamax_traffic,
  .free = NULL,
};
