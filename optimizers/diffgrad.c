/* diffgrad.c -- diffGrad: Adam with a per-coordinate friction from |g_{t-1} - g_t|.
 *
 * Dubey, Chakraborty, Roy, Mukherjee, Singh & Chaudhuri, "diffGrad: An
 * Optimization Method for Convolutional Neural Networks", IEEE TNNLS 31(11),
 * 2020 (arXiv:1909.11015), Algorithm 1, eq. (5)-(6). Checked against the
 * authors' official code, shivram1987/diffGrad diffGrad_v2.py:
 *
 *   g  <- g + wd x                          (L2; skipped when wd == 0)
 *   m  <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   xi  = 1 / (1 + exp(-|g_prev - g|))      (diffGrad friction coefficient, in [1/2, 1))
 *   x  <- x - (lr sqrt(1 - b2^t) / (1 - b1^t)) (m xi) / (sqrt(v) + eps)
 *   g_prev <- g                             (a copy: g_prev starts at 0)
 *
 * The documented choice: the corrected form. The repository's first
 * diffGrad.py (the code the paper's experiments used) stores
 * `state['previous_grad'] = grad`, an alias of the gradient tensor, so from
 * step 2 on g_prev *is* g and xi == 1/2 on every coordinate: diffGrad
 * degenerates to Adam with half the step. diffGrad_v2.py fixes this with
 * grad.clone(); optbench implements v2 (g_prev is its own state vector) and
 * tests/check_paper_optimizers.c checks that the second step's xi differs
 * from 1/2. g_prev stores the L2-augmented gradient, as v2 does (its in-place
 * grad.add_ precedes the clone). Step 1 uses g_prev = 0, as both versions do.
 * eps is added to the raw sqrt(v) (the bias correction is folded into the
 * step size). lr * ctx->lr_scale is the step.
 *
 * Defaults (official): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0.
 * State: m, v, g_prev. Traffic per coordinate: read x, g, m, v, g_prev; write
 * x, m, v, g_prev = 9 * 8 bytes. One OpenMP pass; bit-identical for every
 * thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, beta1, beta2, eps, weight_decay;
  size_t n;
  double *m, *v, *gp;    /* arena vectors (state class); gp = previous gradient */
  long long t;
} diffgrad_state;

static const ob_param_spec diffgrad_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the first-moment estimate" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the second-moment estimate" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to the raw sqrt(v) in the denominator" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "L2 coefficient: wd x is added to the gradient (and so to g_prev)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int diffgrad_configure(void *vs, const json_t *params, ob_error *err)
{
  diffgrad_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  return OB_OK;
}

static size_t diffgrad_nvectors(const void *vs)
{
  (void)vs;
  return 3;
}

static int diffgrad_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  diffgrad_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m = vec[0];
  s->v = vec[1];
  s->gp = vec[2];
  return OB_OK;
}

typedef struct { double b1, omb1, b2, omb2, eps, wd, neg_step; } diffgrad_coef;

static inline __attribute__((always_inline)) void
diffgrad_elem(size_t i, double *restrict x, const double *restrict g, double *restrict m, double *restrict v,
              double *restrict gp, const diffgrad_coef c, const bool wd)
{
  const double gi = wd ? g[i] + x[i] * c.wd : g[i];
  const double mi = m[i] * c.b1 + gi * c.omb1;
  const double vi = v[i] * c.b2 + gi * gi * c.omb2;
  const double denom = sqrt(vi) + c.eps;
  const double dfc = 1.0 / (1.0 + exp(-fabs(gp[i] - gi)));
  m[i] = mi;
  v[i] = vi;
  gp[i] = gi;
  x[i] = x[i] + c.neg_step * (mi * dfc) / denom;
}

#define DG_LOOP(WD)                                                                     \
  do {                                                                                  \
    _Pragma("omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)")               \
    for (size_t i = 0; i < n; i++) diffgrad_elem(i, x, g, m, v, gp, c, WD);             \
  } while (0)

OB_KERNEL static int diffgrad_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  diffgrad_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  s->t++;
  const double t = (double)s->t;
  const double bc1 = 1.0 - pow(s->beta1, t), bc2 = 1.0 - pow(s->beta2, t);
  const diffgrad_coef c = {
    s->beta1, 1.0 - s->beta1, s->beta2, 1.0 - s->beta2, s->eps, s->weight_decay,
    -(lr * sqrt(bc2) / bc1),
  };
  const size_t n = s->n;
  double *m = s->m, *v = s->v, *gp = s->gp;
  if (c.wd != 0.0) DG_LOOP(true);
  else DG_LOOP(false);
  return OB_OK;
}

#undef DG_LOOP

static double diffgrad_traffic(const void *vs)
{
  (void)vs;
  return 9.0 * sizeof(double);   /* read x, g, m, v, g_prev; write x, m, v, g_prev */
}

const ob_optimizer_type ob_optimizer_diffgrad = {
  .name = "diffgrad",
  .summary = "diffGrad: Adam with friction sigmoid(|g_prev - g|), previous gradient copied (Dubey et al. 2020)",
  .reference = "Dubey et al. 2020, IEEE TNNLS, Algorithm 1; = shivram1987/diffGrad diffGrad_v2.py (aliasing bug fixed)",
  .params = diffgrad_params,
  .state_size = sizeof(diffgrad_state),
  .needs = OB_NEEDS_GRAD,
  .configure = diffgrad_configure,
  .nvectors = diffgrad_nvectors,
  .init = diffgrad_init,
  .step = diffgrad_step,
  .traffic = diffgrad_traffic,
  .free = NULL,
};
