/* adagrad.c -- diagonal AdaGrad with learning-rate decay, a non-zero initial
 * accumulator and L2 weight decay, as torch.optim.Adagrad.
 *
 * Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning
 * and Stochastic Optimization", JMLR 12 (2011), the diagonal update of
 * section 1 / Figure 1 (x <- x - eta diag(G)^(-1/2) g with G the running sum
 * of squared gradients). The implementation follows torch.optim.Adagrad
 * (torch/optim/adagrad.py, _single_tensor_adagrad, dense path, torch 1.13) in
 * double precision, operation by operation:
 *
 *   g   <- g + wd x                         (grad.add(param, alpha=wd); skipped when wd == 0)
 *   clr  = lr / (1 + (t - 1) lr_decay)      (Python floats, once per step)
 *   G   <- G + g g                          (state_sum.addcmul_(g, g, value=1))
 *   x   <- x + ((-clr) g) / (sqrt(G) + eps) (param.addcdiv_(g, std, value=-clr))
 *
 * with G initialised to initial_accumulator_value (torch.full_like).
 *
 * Relation to the paper (torch's choices, which optbench keeps):
 * - eps is added to sqrt(G) (the paper's diag(delta I + G^(1/2)) form, with
 *   delta = eps), and G may start at a positive value instead of 0;
 * - lr_decay is torch's extension, a 1/t-type schedule of the step size; the
 *   paper's eta is constant;
 * - weight decay is an L2 term added to the gradient, so it enters G.
 *
 * Defaults: lr 0.01, lr_decay 0, weight_decay 0, initial_accumulator_value 0,
 * eps 1e-10. State: G (one vector). Traffic per coordinate: read x, g, G and
 * write x, G = 5 * 8 bytes (weight decay reads x, which is read anyway).
 * One OpenMP pass per step; bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, lr_decay, weight_decay, init_acc, eps;
  size_t n;
  double *sum;           /* G (arena, state class) */
  long long t;           /* completed steps */
} adagrad_state;

static const ob_param_spec adagrad_params[] = {
  { "lr", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate (eta in Duchi et al.)" },
  { "lr_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "lrd",
    "step t uses lr / (1 + (t - 1) * lr_decay)" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "L2 penalty coefficient: wd * x is added to the gradient (and so enters the sum)" },
  { "initial_accumulator_value", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "acc0",
    "starting value of the sum of squared gradients G" },
  { "eps", OB_PARAM_REAL, "1e-10", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to sqrt(G) in the denominator" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int adagrad_configure(void *vs, const json_t *params, ob_error *err)
{
  adagrad_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->lr_decay = ob_params_real(params, "lr_decay");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->init_acc = ob_params_real(params, "initial_accumulator_value");
  s->eps = ob_params_real(params, "eps");
  return OB_OK;
}

static size_t adagrad_nvectors(const void *vs)
{
  (void)vs;
  return 1;
}

static int adagrad_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  adagrad_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->sum = vec[0];
  if (s->init_acc != 0.0) {
    double *restrict sum = s->sum;
    const double a = s->init_acc;
    /* same static partition as the step, so each thread touches its own pages */
    OB_VEC_FOR(i, n, sum[i] = a;);
  }
  return OB_OK;
}

/* The update of coordinate i; `wd` is a compile-time constant at both call
 * sites (one loop each, see adam_kernel.h for why). */
static inline __attribute__((always_inline)) void
adagrad_elem(size_t i, double *restrict x, const double *restrict g, double *restrict sum,
             const double neg_clr, const double wdc, const double eps, const bool wd)
{
  const double gi = wd ? g[i] + wdc * x[i] : g[i];
  const double si = sum[i] + gi * gi;
  sum[i] = si;
  x[i] = x[i] + neg_clr * gi / (sqrt(si) + eps);
}

#define ADAGRAD_LOOP(WD)                                                                \
  do {                                                                                  \
    OB_VEC_FOR(i, n, adagrad_elem(i, x, g, sum, neg_clr, wdc, eps, WD););               \
  } while (0)

OB_KERNEL static int adagrad_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  adagrad_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;   /* schedule (1 without one) */
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  s->t++;
  const size_t n = s->n;
  /* torch: clr = lr / (1 + (step - 1) * lr_decay), step a Python float */
  const double neg_clr = -(lr / (1.0 + ((double)s->t - 1.0) * s->lr_decay));
  const double wdc = s->weight_decay, eps = s->eps;
  double *sum = s->sum;
  if (wdc != 0.0) ADAGRAD_LOOP(true);
  else ADAGRAD_LOOP(false);
  return OB_OK;
}

#undef ADAGRAD_LOOP

static double adagrad_traffic(const void *vs)
{
  (void)vs;
  return 5.0 * sizeof(double);   /* read x, g, G; write x, G */
}

const ob_optimizer_type ob_optimizer_adagrad = {
  .name = "adagrad",
  .summary = "AdaGrad (diagonal) with lr decay, initial accumulator and L2 weight decay (torch.optim.Adagrad)",
  .reference = "Duchi, Hazan & Singer 2011, JMLR 12, diagonal AdaGrad; = torch.optim.Adagrad, double precision",
  .params = adagrad_params,
  .state_size = sizeof(adagrad_state),
  .needs = OB_NEEDS_GRAD,
  .configure = adagrad_configure,
  .nvectors = adagrad_nvectors,
  .init = adagrad_init,
  .step = adagrad_step,
  .traffic = adagrad_traffic,
  .free = NULL,
};
