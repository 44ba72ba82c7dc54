/* sophia.c -- Sophia: second-order clipped stochastic optimization
 * (SophiaH with Hutchinson's estimator, SophiaG with a Gauss-Newton estimator).
 *
 * Liu, Li, Hall, Liang & Ma, "Sophia: A Scalable Stochastic Second-order
 * Optimizer for Language Model Pre-training", ICLR 2024 (arXiv:2305.14342),
 * Algorithm 3 (Sophia), with the estimators of Algorithms 1 (Hutchinson) and
 * 2 (Gauss-Newton-Bartlett). Per step t = 1, 2, ...:
 *
 *   g = grad f(x)
 *   m <- b1 m + (1 - b1) g
 *   if (t - 1) mod k == 0:  h <- b2 h + (1 - b2) h_hat(x)     (h starts at 0)
 *   x <- x (1 - lr wd)                                     (decoupled decay)
 *   x <- x - lr clip(m / max(gamma h, eps), 1),   clip(z, 1) = max(min(z, 1), -1)
 *
 * The paper writes "t mod k = 1" for the refresh steps, i.e. steps 1, k+1,
 * 2k+1, ...; (t - 1) mod k == 0 is the same set and also defined for k = 1.
 * h_hat is taken at the iterate x_t, before the decay, as in Algorithm 3.
 *
 * Estimators (option "estimator"); u ~ Rademacher drawn from (run seed, t)
 * by the counter-based stream of bench/ob_rng.h (stream 1, vector 0):
 * - "hutchinson" (SophiaH, Algorithm 1): h_hat = u * (H(x) u), one
 *   Hessian-vector product per refresh (needs OB_NEEDS_HVP).
 * - "gnb" (SophiaG, Algorithm 2, Gauss-Newton-Bartlett): h_hat = B g_hat *
 *   g_hat, where g_hat is the gradient of the step's minibatch loss (B
 *   samples) with every label replaced by one drawn from the model's own
 *   predictive distribution: the problem's gnb_sample hook (logreg provides
 *   it; its labels come from the run seed and the step), counted as one
 *   gradient. Always non-negative; its expectation is the diagonal of the
 *   loss's Gauss-Newton matrix (the ridge term is not part of it, as weight
 *   decay is not in the paper). Needs OB_NEEDS_GNB.
 * - "gn_hutchinson": Hutchinson's estimator on the problem's Gauss-Newton
 *   matrix, h_hat = u * (G(x) u) (its gnvp oracle): the same expectation
 *   diag(G) as GNB on every problem with a Gauss-Newton product, but a
 *   coordinate can be negative; max(gamma h, eps) then makes it a clipped
 *   sign step, as Algorithm 3 does for any non-positive h. Needs
 *   OB_NEEDS_GNVP.
 * The need depends on the estimator, so the type declares OB_NEEDS_GRAD and
 * reports the rest through needs_of: a problem without the product gives a
 * skipped run with the reason.
 *
 * Relation to the official code (github.com/Liuhong99/Sophia, sophia.py):
 * the latest SophiaG computes ratio = min(|m| / (rho bs h + 1e-15), 1) and
 * x <- x - lr sign(m) ratio, i.e. Algorithm 3 with gamma = rho * bs
 * (bs = tokens per batch) and an additive 1e-15 in place of max(., eps);
 * an earlier SophiaH there divides by gamma relu(h) + 1e-12 and takes a
 * step lr / (1 - b1^t). optbench follows Algorithm 3 as written: max(gamma
 * h, eps), no bias correction, and h used as is (not clamped at 0).
 *
 * Defaults: Algorithm 3 / section 3 of the paper: beta1 0.965, beta2 0.99,
 * gamma 0.01, eps 1e-12, k 10; lr 1e-4 and weight_decay 0.1 are the official
 * code's defaults; estimator "hutchinson" because most optbench problems
 * provide Hessian-vector products and only logreg a Gauss-Newton product.
 * lr * ctx->lr_scale is the step (it also scales the decay).
 *
 * State: m, h; scratch u, H u (4 arena vectors). Traffic per coordinate:
 * every step read x, g, m, h and write x, m (48 bytes); every k-th step
 * also write u, read u, Hu, h and write h (40 bytes / k); the product
 * itself is the oracle's. Element-wise loops are OpenMP static; no
 * reductions, so bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "bench/ob_rng.h"
#include "optimizers/optimizer.h"

enum { SOPHIA_HUTCHINSON, SOPHIA_GNB, SOPHIA_GN_HUTCHINSON };

typedef struct {
  double lr, beta1, beta2, gamma, eps, weight_decay;
  long long k;
  int estimator;
  size_t n;
  uint64_t seed;
  double *m, *h, *u, *hu;  /* arena vectors: state m, h; scratch u, H u */
  long long t;
} sophia_state;

static const ob_param_spec sophia_params[] = {
  { "lr", OB_PARAM_REAL, "0.0001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate eta (official code default)" },
  { "beta1", OB_PARAM_REAL, "0.965", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the gradient EMA m" },
  { "beta2", OB_PARAM_REAL, "0.99", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the diagonal-Hessian EMA h (applied at each refresh)" },
  { "gamma", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "scale of h in the denominator max(gamma h, eps)" },
  { "eps", OB_PARAM_REAL, "1e-12", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "floor of the denominator max(gamma h, eps)" },
  { "k", OB_PARAM_INT, "10", 1, 1e9, 0, NULL, NULL,
    "refresh the Hessian estimate every k steps (steps 1, k+1, 2k+1, ...)" },
  { "weight_decay", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decoupled weight decay: x <- x (1 - lr wd) before the update" },
  { "estimator", OB_PARAM_STRING, "\"hutchinson\"", 0, 0, 0, "hutchinson|gnb|gn_hutchinson", "est",
    "diagonal-Hessian estimator: u * (H u) (SophiaH), B g_hat * g_hat with labels drawn from the model "
    "(SophiaG's Gauss-Newton-Bartlett), or u * (G u) with the Gauss-Newton matrix" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int sophia_configure(void *vs, const json_t *params, ob_error *err)
{
  sophia_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->gamma = ob_params_real(params, "gamma");
  s->eps = ob_params_real(params, "eps");
  s->k = ob_params_int(params, "k");
  s->weight_decay = ob_params_real(params, "weight_decay");
  const char *est = ob_params_string(params, "estimator");
  s->estimator = strcmp(est, "gnb") == 0 ? SOPHIA_GNB
               : strcmp(est, "gn_hutchinson") == 0 ? SOPHIA_GN_HUTCHINSON : SOPHIA_HUTCHINSON;
  if (s->lr * s->weight_decay >= 1.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay",
                       "the decoupled decay factor must stay positive: lr * weight_decay must be below 1");
  return OB_OK;
}

static unsigned sophia_needs_of(const void *vs)
{
  const sophia_state *s = vs;
  return s->estimator == SOPHIA_GNB ? OB_NEEDS_GNB
       : s->estimator == SOPHIA_GN_HUTCHINSON ? OB_NEEDS_GNVP : OB_NEEDS_HVP;
}

static size_t sophia_nvectors(const void *vs)
{
  (void)vs;
  return 4;
}

static int sophia_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  sophia_state *s = vs;
  (void)err;
  s->n = n;
  s->t = 0;
  s->seed = p->seed;
  s->m = vec[0];
  s->h = vec[1];
  s->u = vec[2];
  s->hu = vec[3];
  return OB_OK;
}

OB_KERNEL static int sophia_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  sophia_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  const size_t n = s->n;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  s->t++;
  double *restrict m = s->m, *restrict h = s->h, *restrict u = s->u, *restrict hu = s->hu;
  if ((s->t - 1) % s->k == 0) {
    const double b2 = s->beta2, omb2 = 1.0 - s->beta2;
    if (s->estimator == SOPHIA_GNB) {
      double bs;
      rc = ob_oracle_gnb(o, x, hu, &bs, err);
      if (rc < 0) return rc;
      OB_VEC_FOR(i, n, h[i] = h[i] * b2 + (bs * hu[i] * hu[i]) * omb2;);
    } else {
      const uint64_t key = ob_rng_key(s->seed, OB_RNG_STREAM_SOPHIA, (uint64_t)s->t, 0);
      OB_VEC_FOR(i, n, u[i] = ob_rng_rademacher(key, i););
      rc = s->estimator == SOPHIA_GN_HUTCHINSON ? ob_oracle_gnvp(o, x, u, hu, err)
                                                : ob_oracle_hvp(o, x, u, hu, err);
      if (rc < 0) return rc;
      OB_VEC_FOR(i, n, h[i] = h[i] * b2 + (u[i] * hu[i]) * omb2;);
    }
  }
  const double b1 = s->beta1, omb1 = 1.0 - s->beta1, decay = 1.0 - lr * s->weight_decay;
  const double gamma = s->gamma, eps = s->eps;
  OB_VEC_FOR(i, n, {
    const double mi = m[i] * b1 + g[i] * omb1;
    const double d = gamma * h[i];
    const double r = mi / (d > eps ? d : eps);
    const double c = r > 1.0 ? 1.0 : (r < -1.0 ? -1.0 : r);   /* NaN stays NaN */
    m[i] = mi;
    x[i] = x[i] * decay - lr * c;
  });
  return OB_OK;
}

static double sophia_traffic(const void *vs)
{
  const sophia_state *s = vs;
  return 6.0 * sizeof(double) + 5.0 * sizeof(double) / (double)(s->k > 0 ? s->k : 1);
}

const ob_optimizer_type ob_optimizer_sophia = {
  .name = "sophia",
  .summary = "Sophia: gradient EMA over a clipped diagonal-Hessian EMA, refreshed every k steps (Liu et al. 2024)",
  .reference = "Liu, Li, Hall, Liang & Ma, ICLR 2024 (arXiv:2305.14342), Algorithm 3; estimators: Algorithms 1-2",
  .params = sophia_params,
  .state_size = sizeof(sophia_state),
  .needs = OB_NEEDS_GRAD,
  .configure = sophia_configure,
  .nvectors = sophia_nvectors,
  .init = sophia_init,
  .step = sophia_step,
  .traffic = sophia_traffic,
  .free = NULL,
  .needs_of = sophia_needs_of,
};
