/* nadam.c -- NAdam (Adam with Nesterov momentum and the momentum schedule
 * mu_t), with L2 weight decay, as torch.optim.NAdam.
 *
 * Dozat, "Incorporating Nesterov Momentum into Adam", ICLR 2016 workshop,
 * Algorithm 2, with the momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi))
 * (psi = momentum_decay = 0.004, Dozat's section 3 / Sutskever et al. 2013).
 * The implementation follows torch.optim.NAdam (torch/optim/nadam.py,
 * _single_tensor_nadam, torch 1.13) in double precision, operation by
 * operation:
 *
 *   g     <- g + wd x                            (grad.add(param, alpha=wd); skipped when wd == 0)
 *   mu_t   = b1 (1 - 0.5 * 0.96^(t psi)),  mu_t1 = b1 (1 - 0.5 * 0.96^((t + 1) psi))
 *   P     <- P mu_t  (P = prod_{i<=t} mu_i),  Pn = P mu_t mu_t1     (float32, and mu_t twice: see below)
 *   m     <- m b1 + (1 - b1) g
 *   v     <- v b2 + ((1 - b2) g) g
 *   d      = sqrt(v / (1 - b2^t)) + eps          (exp_avg_sq.div(bc2).sqrt().add_(eps))
 *   x     <- x + (c1 g) / d,  c1 = (-lr (1 - mu_t)) / (1 - P)
 *   x     <- x + (c2 m) / d,  c2 = (-lr mu_t1) / (1 - Pn)
 *
 * The two additions to x are torch's two successive addcdiv_ calls, kept in
 * that order (x + a + b, not x + (a + b)).
 *
 * Relation to the paper and to double precision (torch's choices, which
 * optbench keeps so that trajectories match torch's):
 * - Pn, the bias correction of the momentum term, is P mu_t mu_t1 =
 *   (prod_{i<=t} mu_i) mu_t mu_t1: torch 1.13's single-tensor path multiplies
 *   by mu_t again after P already includes it. Dozat's Algorithm 2 (and torch
 *   1.13's own foreach path, and torch >= 2.0 after pytorch/pytorch#92699)
 *   use prod_{i<=t+1} mu_i = P mu_t1. The effect is a slightly smaller
 *   momentum term (c2 is about 12% smaller at t = 1 with the defaults, and the
 *   difference fades as P -> 0). optbench follows the single-tensor path,
 *   which is what its torch reference records;
 * - torch holds the product P in a 0-d tensor created by torch.tensor(1.),
 *   i.e. in float32 whatever the parameters' dtype: each step it computes
 *   P <- fl32(P * fl32(mu_t)) and Pn = fl32(fl32(P * fl32(mu_t)) * fl32(mu_t1)).
 *   optbench does the same (a float here), so c1 and c2 carry a relative
 *   error of about 1e-7 against an all-double evaluation; the direction of
 *   each step is unaffected;
 * - the second-moment correction uses v / (1 - b2^t) inside the sqrt (the
 *   paper's n_hat), with eps outside it;
 * - weight decay is an L2 term added to the gradient by default; with
 *   decoupled_weight_decay (NAdamW: Loshchilov & Hutter, "Decoupled Weight
 *   Decay Regularization", ICLR 2019, applied to NAdam; torch >= 2.1's
 *   NAdam(decoupled_weight_decay=True)) x <- x (1 - lr wd) first and the
 *   gradient stays raw; the rest of the step is unchanged. torch 1.13 has
 *   no such option, so this variant is checked against the numpy reference
 *   of tests/reference/gen_numpy_paper2.py instead.
 *
 * Defaults: lr 0.002, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0,
 * momentum_decay 0.004. State: m, v (two vectors) and the scalar P.
 * Traffic per coordinate: read x, g, m, v and write x, m, v = 7 * 8 bytes.
 * One OpenMP pass per step; bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, beta1, beta2, eps, weight_decay, momentum_decay;
  bool decoupled;
  size_t n;
  double *m, *v;         /* arena vectors (state class) */
  float mu_product;      /* P, float32 as in torch 1.13 */
  long long t;           /* completed steps */
} nadam_state;

static const ob_param_spec nadam_params[] = {
  { "lr", OB_PARAM_REAL, "0.002", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the first moment; also the scale of the momentum schedule mu_t" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the second-moment (uncentered variance) estimate" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to the bias-corrected sqrt(v) in the denominator" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "L2 penalty coefficient: wd * x is added to the gradient before the moments (decoupled: x <- x (1 - lr wd))" },
  { "decoupled_weight_decay", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, "dwd",
    "NAdamW: decay x by (1 - lr weight_decay) before the step instead of adding wd * x to the gradient" },
  { "momentum_decay", OB_PARAM_REAL, "0.004", 0.0, HUGE_VAL, 0, NULL, "psi",
    "psi of the momentum schedule mu_t = beta1 (1 - 0.5 * 0.96^(t psi))" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int nadam_configure(void *vs, const json_t *params, ob_error *err)
{
  nadam_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->momentum_decay = ob_params_real(params, "momentum_decay");
  s->decoupled = ob_params_bool(params, "decoupled_weight_decay");
  return OB_OK;
}

static size_t nadam_nvectors(const void *vs)
{
  (void)vs;
  return 2;
}

static int nadam_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  nadam_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m = vec[0];
  s->v = vec[1];
  s->mu_product = 1.0f;
  return OB_OK;
}

typedef struct { double b1, omb1, b2, omb2, bc2, eps, wd, decay, c1, c2; } nadam_coef;

static inline __attribute__((always_inline)) void
nadam_elem(size_t i, double *restrict x, const double *restrict g, double *restrict m,
           double *restrict v, const nadam_coef c, const bool wd)
{
  const double gi = wd ? g[i] + c.wd * x[i] : g[i];
  const double mi = m[i] * c.b1 + c.omb1 * gi;
  const double vi = v[i] * c.b2 + c.omb2 * gi * gi;
  m[i] = mi;
  v[i] = vi;
  const double d = sqrt(vi / c.bc2) + c.eps;
  const double xi = x[i] * c.decay + c.c1 * gi / d;   /* decay is exactly 1 unless decoupled */
  x[i] = xi + c.c2 * mi / d;
}

#define NADAM_LOOP(WD)                                                                  \
  do {                                                                                  \
    OB_VEC_FOR(i, n, nadam_elem(i, x, g, m, v, c, WD););                                \
  } while (0)

OB_KERNEL static int nadam_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  nadam_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;   /* schedule (1 without one) */
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  s->t++;
  /* Per-step scalars in Python-float order (step is a float in torch). */
  const double step = (double)s->t, b1 = s->beta1;
  const double mu = b1 * (1.0 - 0.5 * pow(0.96, step * s->momentum_decay));
  const double mu_next = b1 * (1.0 - 0.5 * pow(0.96, (step + 1.0) * s->momentum_decay));
  /* float32 tensor times a Python float: the scalar is rounded to float32 and
   * multiplied in float32 (C's float * float with FLT_EVAL_METHOD 0). */
  s->mu_product = s->mu_product * (float)mu;
  const float mu_product_next = s->mu_product * (float)mu * (float)mu_next;
  const nadam_coef c = {
    b1, 1.0 - b1, s->beta2, 1.0 - s->beta2, 1.0 - pow(s->beta2, step), s->eps,
    s->decoupled ? 0.0 : s->weight_decay, s->decoupled ? 1.0 - lr * s->weight_decay : 1.0,
    -lr * (1.0 - mu) / (1.0 - (double)s->mu_product),
    -lr * mu_next / (1.0 - (double)mu_product_next)
  };
  const size_t n = s->n;
  double *m = s->m, *v = s->v;
  if (c.wd != 0.0) NADAM_LOOP(true);
  else NADAM_LOOP(false);
  return OB_OK;
}

#undef NADAM_LOOP

static double nadam_traffic(const void *vs)
{
  (void)vs;
  return 7.0 * sizeof(double);   /* read x, g, m, v; write x, m, v */
}

const ob_optimizer_type ob_optimizer_nadam = {
  .name = "nadam",
  .summary = "NAdam: Adam with Nesterov momentum and the mu_t schedule, L2 or decoupled (NAdamW) weight decay (torch.optim.NAdam)",
  .reference = "Dozat 2016, ICLR workshop, Algorithm 2 with the mu_t schedule; = torch.optim.NAdam, double precision "
  "(float32 momentum product as torch)",
  .params = nadam_params,
  .state_size = sizeof(nadam_state),
  .needs = OB_NEEDS_GRAD,
  .configure = nadam_configure,
  .nvectors = nadam_nvectors,
  .init = nadam_init,
  .step = nadam_step,
  .traffic = nadam_traffic,
  .free = NULL,
};
