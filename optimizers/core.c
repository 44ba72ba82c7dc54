/* core.c -- CoRe, the Continual Resilient optimizer: Adam-like moments with
 * RPROP-like per-coordinate step sizes and update-scaled weight decay.
 *
 * Eckhoff & Reiher, "Lifelong Machine Learning Potentials", J. Chem. Theory
 * Comput. (2023), doi:10.1021/acs.jctc.3c00279 (the algorithm box cited by
 * the reference code), and "CoRe Optimizer: An All-in-One Solution for
 * Machine Learning", Mach. Learn.: Sci. Technol. (2024). Checked against the authors' PyTorch
 * reference (class CoRe, _single_tensor_core), whose algorithm box and
 * operation order are kept. With t the 1-based step, m = g_{t-1}-average, h the
 * squared-gradient average and s the per-coordinate step sizes:
 *
 *   beta1_t = b1b + (b1a - b1b) exp(-((t - 1) / b1c)^2)     (decaying momentum)
 *   h <- b2 h + (1 - b2) G^2                                (only when b2 >= 0)
 *   m_new = (1 - beta1_t) G + beta1_t m
 *   s <- clamp(s * (eta+ if m_new m > 0, eta- if < 0, 1 if = 0), s_min, s_max)
 *   u = m_new / (1 - beta1_t^t) / (sqrt(h / (1 - b2^t)) + eps)   (b2 >= 0)
 *   u = sign(m_new)                                              (b2 < 0: RPROP mode)
 *   x <- x - wd |u s| x;   x <- x - u s;   m <- m_new
 *
 * s starts at lr on every coordinate. Deviations (documented): the
 * plasticity factors of the reference (score_history > 0, frozen > 0, which
 * freeze the top-n coordinates by an importance score) are not offered: with
 * the reference defaults (score_history 0) they are off. The reference
 * computes beta1_t in float32 (torch.tensor(step, dtype=torch.float));
 * optbench computes it in double. lr * ctx->lr_scale is not used after step 1
 * (the step sizes adapt themselves); the schedule scales the update u s.
 *
 * Defaults (reference): lr 1e-3 (initial s), beta1a 0.7375, beta1b 0.8125,
 * beta1c 250, beta2 0.99, eps 1e-8, eta_minus 0.7375, eta_plus 1.2,
 * step_min 1e-6, step_max 1e-2, weight_decay 0.1. State: m, h, s (three
 * vectors). Traffic per coordinate: read x, g, m, h, s and write x, m, h, s =
 * 9 * 8 bytes. One pass; bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, b1a, b1b, b1c, b2, eps, eta_minus, eta_plus, step_min, step_max, weight_decay;
  size_t n;
  double *m, *h, *s;     /* arena vectors (state class) */
  long long t;
} core_state;

static const ob_param_spec core_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "initial per-coordinate step size s_0" },
  { "beta1a", OB_PARAM_REAL, "0.7375", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1a",
    "momentum decay at t = 1 (beta1 decays from beta1a to beta1b)" },
  { "beta1b", OB_PARAM_REAL, "0.8125", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1b",
    "momentum decay for t >> beta1c" },
  { "beta1c", OB_PARAM_REAL, "250", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, "b1c",
    "width in steps of the Gaussian transition from beta1a to beta1b" },
  { "beta2", OB_PARAM_REAL, "0.99", -1.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "squared-gradient decay; negative: u = sign(m) (RPROP mode, no second moment)" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to sqrt(h_hat) in the denominator" },
  { "eta_minus", OB_PARAM_REAL, "0.7375", 0.0, 1.0, OB_PARAM_MIN_OPEN, NULL, "etam",
    "step-size factor when the momentum changes sign (in (0, 1])" },
  { "eta_plus", OB_PARAM_REAL, "1.2", 1.0, HUGE_VAL, 0, NULL, "etap",
    "step-size factor when the momentum keeps its sign (>= 1)" },
  { "step_min", OB_PARAM_REAL, "1e-6", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, "smin",
    "lower bound of the step sizes" },
  { "step_max", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, "smax",
    "upper bound of the step sizes" },
  { "weight_decay", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decay scaled by the update: x <- x - wd |u s| x" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int core_configure(void *vs, const json_t *params, ob_error *err)
{
  core_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->b1a = ob_params_real(params, "beta1a");
  s->b1b = ob_params_real(params, "beta1b");
  s->b1c = ob_params_real(params, "beta1c");
  s->b2 = ob_params_real(params, "beta2");
  s->eps = ob_params_real(params, "eps");
  s->eta_minus = ob_params_real(params, "eta_minus");
  s->eta_plus = ob_params_real(params, "eta_plus");
  s->step_min = ob_params_real(params, "step_min");
  s->step_max = ob_params_real(params, "step_max");
  s->weight_decay = ob_params_real(params, "weight_decay");
  if (s->step_min > s->step_max)
    return ob_error_at(err, OB_EINVAL, "step_min", "step_min must not exceed step_max (got %g > %g)",
                       s->step_min, s->step_max);
  return OB_OK;
}

static size_t core_nvectors(const void *vs)
{
  (void)vs;
  return 3;
}

static int core_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  core_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m = vec[0];
  s->h = vec[1];
  s->s = vec[2];
  for (size_t i = 0; i < n; i++) s->s[i] = s->lr;
  return OB_OK;
}

OB_KERNEL static int core_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  core_state *st = vs;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  st->t++;
  const double t = (double)st->t;
  const double q = (t - 1.0) / st->b1c;
  const double b1 = st->b1b + (st->b1a - st->b1b) * exp(-(q * q));
  const double omb1 = 1.0 - b1;
  const double b2 = st->b2, omb2 = 1.0 - b2;
  const int adam = b2 >= 0.0;
  const double bc1 = 1.0 - pow(b1, t), bc2 = adam ? 1.0 - pow(b2, t) : 1.0;
  const double eps = st->eps, etam = st->eta_minus, etap = st->eta_plus;
  const double smin = st->step_min, smax = st->step_max, wd = st->weight_decay;
  const double scale = ctx->lr_scale;
  const size_t n = st->n;
  double *restrict m = st->m, *restrict h = st->h, *restrict s = st->s;
  OB_VEC_FOR(i, n, {
    const double gi = g[i];
    double hi = h[i];
    if (adam) {
      hi = hi * b2 + gi * gi * omb2;
      h[i] = hi;
    }
    const double mn = gi * omb1 + m[i] * b1;
    const double prod = mn * m[i];
    const double fac = prod > 0.0 ? etap : (prod < 0.0 ? etam : 1.0);
    const double si = fmin(fmax(s[i] * fac, smin), smax);
    s[i] = si;
    double u;
    if (adam) u = (mn / bc1) / (sqrt(hi / bc2) + eps);
    else u = mn > 0.0 ? 1.0 : (mn < 0.0 ? -1.0 : 0.0);
    u = u * si * scale;
    const double xi = x[i] + (-wd * fabs(u) * x[i]);
    x[i] = xi - u;
    m[i] = mn;
  });
  return OB_OK;
}

static double core_traffic(const void *vs)
{
  (void)vs;
  return 9.0 * sizeof(double);   /* read x, g, m, h, s; write x, m, h, s */
}

const ob_optimizer_type ob_optimizer_core = {
  .name = "core",
  .summary = "CoRe: Adam-like moments with RPROP step sizes and update-scaled decay (Eckhoff & Reiher 2023)",
  .reference = "Eckhoff & Reiher 2023, JCTC, doi:10.1021/acs.jctc.3c00279 (algorithm box); MLST 2024; = the authors' CoRe PyTorch reference without plasticity",
  .params = core_params,
  .state_size = sizeof(core_state),
  .needs = OB_NEEDS_GRAD,
  .configure = core_configure,
  .nvectors = core_nvectors,
  .init = core_init,
  .step = core_step,
  .traffic = core_traffic,
  .free = NULL,
};
