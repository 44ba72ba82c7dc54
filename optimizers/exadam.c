/* exadam.c -- EXAdam: Adam with cross-moment debiasing, a gradient term and a growing step.
 *
 * Adly, "EXAdam: The Power of Adaptive Cross-Moments", arXiv:2412.20302
 * (2024), Algorithm 1. Checked against the author's official code,
 * AhmedMostafa16/EXAdam exadam.py, of which two versions are stored: commit
 * 9ff8463 multiplies the step by ln(sqrt(2) sqrt(t + 1)) (the growing step
 * size of the paper's section 3.3 and abstract), commit 5ad536f drops that
 * factor. Both are offered ("step_size": "growing" | "constant"); the paper's
 * growing step is the default.
 *
 *   x <- x - lr wd x                          (decoupled decay before the step; skipped when wd == 0)
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   d1 = 1 + b2^t v / (v + eps);  d2 = 1 + b1^t m^2 / (m^2 + eps)
 *   m~ = m / (1 - b1^t) d1;  v~ = v / (1 - b2^t) d2;  g~ = g / (1 - b1^t) d1
 *   a_t = lr ln(sqrt(t + 1) sqrt(2))   (growing)   or   a_t = lr   (constant)
 *   x <- x - a_t (m~ + g~) / (sqrt(v~) + eps)
 *
 * The loop computes m~ + g~ as (m + g) d1 ibc1 and v~ as v d2 ibc2 with
 * ibc1 = 1 / (1 - b1^t), ibc2 = 1 / (1 - b2^t) taken once per step: the same
 * values as the official code's order of operations up to rounding (a few
 * ulp; the numpy reference of tests/reference/gen_numpy.py follows the code's
 * order and agrees to 1e-10 relative), with three divisions per coordinate
 * instead of six, so the step runs at memory speed. lr * ctx->lr_scale replaces lr in
 * both the decay and a_t. The code's "weight_decay" says "(L2 penalty)" but
 * acts on x directly, as written above; optbench follows the code.
 *
 * Defaults (official): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8,
 * weight_decay 0. State: m, v. Traffic per coordinate: read x, g, m, v;
 * write x, m, v = 7 * 8 bytes. One OpenMP pass; bit-identical for every
 * thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, beta1, beta2, eps, weight_decay;
  bool growing;
  size_t n;
  double *m, *v;         /* arena vectors (state class) */
  long long t;
} exadam_state;

static const ob_param_spec exadam_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate (base step size)" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the first-moment estimate" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the second-moment estimate" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "in the debiasing ratios v / (v + eps), m^2 / (m^2 + eps) and the denominator" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decay x <- x - lr wd x before the step" },
  { "step_size", OB_PARAM_STRING, "\"growing\"", 0, 0, 0, "growing|constant", "ss",
    "growing: a_t = lr ln(sqrt(2 (t + 1))) (paper; code at 9ff8463); constant: a_t = lr (code at 5ad536f)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int exadam_configure(void *vs, const json_t *params, ob_error *err)
{
  exadam_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->growing = strcmp(ob_params_string(params, "step_size"), "growing") == 0;
  if (s->lr * s->weight_decay >= 1.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay",
                       "lr * weight_decay must be below 1 (got %g * %g): the decay factor 1 - lr wd would not be positive",
                       s->lr, s->weight_decay);
  return OB_OK;
}

static size_t exadam_nvectors(const void *vs)
{
  (void)vs;
  return 2;
}

static int exadam_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  exadam_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m = vec[0];
  s->v = vec[1];
  return OB_OK;
}

typedef struct { double neg_lr_wd, b1, omb1, b2, omb2, b1t, b2t, ibc1, ibc2, eps, neg_step; } exadam_coef;

static inline __attribute__((always_inline)) void
exadam_elem(size_t i, double *restrict x, const double *restrict g, double *restrict m, double *restrict v,
            const exadam_coef c, const bool wd)
{
  const double xi = wd ? x[i] + x[i] * c.neg_lr_wd : x[i];
  const double gi = g[i];
  const double mi = m[i] * c.b1 + gi * c.omb1;
  const double vi = v[i] * c.b2 + gi * gi * c.omb2;
  m[i] = mi;
  v[i] = vi;
  const double d1 = 1.0 + vi / (vi + c.eps) * c.b2t;
  const double d2 = 1.0 + mi * mi / (mi * mi + c.eps) * c.b1t;
  const double mgt = (mi + gi) * (d1 * c.ibc1), vt = vi * (d2 * c.ibc2);
  x[i] = xi + c.neg_step * mgt / (sqrt(vt) + c.eps);
}

#define EX_LOOP(WD)                                                                     \
  do {                                                                                  \
    OB_VEC_FOR(i, n, exadam_elem(i, x, g, m, v, c, WD););                               \
  } while (0)

OB_KERNEL static int exadam_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  exadam_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  s->t++;
  const double t = (double)s->t;
  const double b1t = pow(s->beta1, t), b2t = pow(s->beta2, t);
  const double a_t = s->growing ? lr * log(sqrt(t + 1.0) * sqrt(2.0)) : lr;
  const exadam_coef c = {
    lr * -s->weight_decay, s->beta1, 1.0 - s->beta1, s->beta2, 1.0 - s->beta2, b1t, b2t,
    1.0 / (1.0 - b1t), 1.0 / (1.0 - b2t), s->eps, -a_t,
  };
  const size_t n = s->n;
  double *m = s->m, *v = s->v;
  if (s->weight_decay != 0.0) EX_LOOP(true);
  else EX_LOOP(false);
  return OB_OK;
}

#undef EX_LOOP

static double exadam_traffic(const void *vs)
{
  (void)vs;
  return 7.0 * sizeof(double);   /* read x, g, m, v; write x, m, v */
}

const ob_optimizer_type ob_optimizer_exadam = {
  .name = "exadam",
  .summary = "EXAdam: cross-moment debiasing, gradient term, growing or constant step (Adly 2024)",
  .reference = "Adly 2024, arXiv:2412.20302, Algorithm 1; = AhmedMostafa16/EXAdam exadam.py (9ff8463 growing, 5ad536f constant)",
  .params = exadam_params,
  .state_size = sizeof(exadam_state),
  .needs = OB_NEEDS_GRAD,
  .configure = exadam_configure,
  .nvectors = exadam_nvectors,
  .init = exadam_init,
  .step = exadam_step,
  .traffic = exadam_traffic,
  .free = NULL,
};
