/* ademamix.c -- AdEMAMix: Adam with a mixture of a fast and a very slow gradient EMA.
 *
 * Pagliardini, Ablin & Grangier, "The AdEMAMix Optimizer: Better, Faster,
 * Older", arXiv:2409.03137 (2024; ICLR 2025), Algorithm 1 with the schedulers
 * of section 3 (eq. 4-5). Checked against the authors' official code,
 * apple/ml-ademamix pytorch/ademamix.py, whose operations are kept:
 *
 *   alpha_t = (t / T_a) alpha              if t < T_a (alpha_warmup), else alpha
 *   beta3_t = f^-1((1 - t/T_b3) f(b1) + (t/T_b3) f(b3))   if t < T_b3, else b3
 *             with f(b) = ln(0.5) / ln(b + 1e-8) - 1 and f^-1(h) = 0.5^(1 / (h + 1)),
 *             i.e. linear in half-life space from beta1 to beta3
 *   m1 <- b1 m1 + (1 - b1) g;  m2 <- beta3_t m2 + (1 - beta3_t) g;  v <- b2 v + (1 - b2) g^2
 *   d   = sqrt(v) / sqrt(1 - b2^t) + eps
 *   x  <- x - lr ((m1 / (1 - b1^t) + alpha_t m2) / d + wd x)
 *
 * The slow EMA m2 is not bias-corrected (paper and code agree). A null
 * warm-up disables that scheduler, as the code's None. The official code
 * skips m1 when beta1 == 0 (m1 = g); optbench keeps the vector, which gives
 * the same numbers (0 * m1 + 1 * g == g). lr * ctx->lr_scale is the step; the
 * paper combines AdEMAMix with a learning-rate schedule, which optbench's
 * schedules provide.
 *
 * Defaults (official code): lr 1e-3, beta1 0.9, beta2 0.999, beta3 0.9999,
 * alpha 2, alpha_warmup and beta3_warmup null (the paper sets both to the
 * run's length), eps 1e-8, weight_decay 0. State: m1, m2, v. Traffic per
 * coordinate: read x, g, m1, m2, v; write x, m1, m2, v = 9 * 8 bytes.
 * One OpenMP pass; bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, beta1, beta2, beta3, alpha, eps, weight_decay;
  long long alpha_warmup, beta3_warmup;   /* 0 = no scheduler */
  size_t n;
  double *m1, *m2, *v;   /* arena vectors (state class) */
  long long t;
} ademamix_state;

static const ob_param_spec ademamix_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the fast EMA m1 (bias-corrected)" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the second-moment estimate" },
  { "beta3", OB_PARAM_REAL, "0.9999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b3",
    "decay rate of the slow EMA m2 (not bias-corrected)" },
  { "alpha", OB_PARAM_REAL, "2", 0.0, HUGE_VAL, 0, NULL, NULL,
    "weight of the slow EMA in the update" },
  { "alpha_warmup", OB_PARAM_INT, "null", 1, 1e15, OB_PARAM_NULLABLE, NULL, "ta",
    "steps over which alpha ramps linearly from 0 (null: no ramp)" },
  { "beta3_warmup", OB_PARAM_INT, "null", 1, 1e15, OB_PARAM_NULLABLE, NULL, "tb3",
    "steps over which beta3 ramps from beta1, linearly in half-life (null: no ramp)" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to the bias-corrected sqrt(v)" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decoupled weight decay: wd x is added to the normalized update" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int ademamix_configure(void *vs, const json_t *params, ob_error *err)
{
  ademamix_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->beta3 = ob_params_real(params, "beta3");
  s->alpha = ob_params_real(params, "alpha");
  s->alpha_warmup = ob_params_is_null(params, "alpha_warmup") ? 0 : ob_params_int(params, "alpha_warmup");
  s->beta3_warmup = ob_params_is_null(params, "beta3_warmup") ? 0 : ob_params_int(params, "beta3_warmup");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  return OB_OK;
}

static size_t ademamix_nvectors(const void *vs)
{
  (void)vs;
  return 3;
}

static int ademamix_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  ademamix_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m1 = vec[0];
  s->m2 = vec[1];
  s->v = vec[2];
  return OB_OK;
}

/* Half-life parametrization of an EMA rate (official code's f, with its 1e-8). */
static double ademamix_halflife(double beta)
{
  return log(0.5) / log(beta + 1e-8) - 1.0;
}

typedef struct { double b1, omb1, b2, omb2, b3, omb3, bc1, bc2_sqrt, alpha, eps, wd, neg_lr; } ademamix_coef;

static inline __attribute__((always_inline)) void
ademamix_elem(size_t i, double *restrict x, const double *restrict g, double *restrict m1, double *restrict m2,
              double *restrict v, const ademamix_coef c)
{
  const double gi = g[i];
  const double a = m1[i] * c.b1 + gi * c.omb1;
  const double b = m2[i] * c.b3 + gi * c.omb3;
  const double vi = v[i] * c.b2 + gi * gi * c.omb2;
  m1[i] = a;
  m2[i] = b;
  v[i] = vi;
  const double d = sqrt(vi) / c.bc2_sqrt + c.eps;
  const double u = (a / c.bc1 + c.alpha * b) / d + x[i] * c.wd;
  x[i] = x[i] + c.neg_lr * u;
}

OB_KERNEL static int ademamix_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  ademamix_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  s->t++;
  const double t = (double)s->t;
  double alpha = s->alpha, beta3 = s->beta3;
  if (s->alpha_warmup > 0 && s->t < s->alpha_warmup) {
    const double a = t / (double)s->alpha_warmup;
    alpha = (1.0 - a) * 0.0 + a * s->alpha;
  }
  if (s->beta3_warmup > 0 && s->t < s->beta3_warmup) {
    const double a = t / (double)s->beta3_warmup;
    beta3 = pow(0.5, 1.0 / ((1.0 - a) * ademamix_halflife(s->beta1) + a * ademamix_halflife(s->beta3) + 1.0));
  }
  const ademamix_coef c = {
    s->beta1, 1.0 - s->beta1, s->beta2, 1.0 - s->beta2, beta3, 1.0 - beta3,
    1.0 - pow(s->beta1, t), sqrt(1.0 - pow(s->beta2, t)), alpha, s->eps, s->weight_decay, -lr,
  };
  const size_t n = s->n;
  double *m1 = s->m1, *m2 = s->m2, *v = s->v;
  OB_VEC_FOR(i, n, ademamix_elem(i, x, g, m1, m2, v, c););
  return OB_OK;
}

static double ademamix_traffic(const void *vs)
{
  (void)vs;
  return 9.0 * sizeof(double);   /* read x, g, m1, m2, v; write x, m1, m2, v */
}

const ob_optimizer_type ob_optimizer_ademamix = {
  .name = "ademamix",
  .summary = "AdEMAMix: Adam with a fast and a slow gradient EMA, alpha and beta3 warm-ups (Pagliardini et al. 2024)",
  .reference = "Pagliardini, Ablin & Grangier 2024, arXiv:2409.03137, Algorithm 1; = apple/ml-ademamix pytorch/ademamix.py",
  .params = ademamix_params,
  .state_size = sizeof(ademamix_state),
  .needs = OB_NEEDS_GRAD,
  .configure = ademamix_configure,
  .nvectors = ademamix_nvectors,
  .init = ademamix_init,
  .step = ademamix_step,
  .traffic = ademamix_traffic,
  .free = NULL,
};
