/* zo_sgd.c -- two-point zeroth-order SGD with regenerated Gaussian directions
 * (MeZO / SPSA).
 *
 * Malladi, Gao, Nichani, Damian, Lee, Chen & Arora, "Fine-Tuning Language
 * Models with Just Forward Passes", NeurIPS 2023 (arXiv:2305.17333),
 * Algorithm 1 (MeZO) and its n-SPSA form (section 2, Definition 1 with
 * n > 1 directions); the estimator is Spall's SPSA, IEEE TAC 37(3), 1992.
 * Per step t, with q = n_directions and z_j ~ N(0, I) (j = 0 .. q-1):
 *
 *   pg_j = (f(x + eps z_j) - f(x - eps z_j)) / (2 eps)     (projected gradient)
 *   d    = (sum_j pg_j z_j) / q + wd x                     (sum over j in order)
 *   momentum = 0:  x <- x - lr d
 *   momentum mu:   b <- mu b + d,  x <- x - lr b           (b starts at 0)
 *
 * Like MeZO, z_j is never stored: coordinate i is regenerated from
 * (run seed, t, j, i) by the counter-based Gaussian of bench/ob_rng.h
 * (stream 2), once for each perturbation and once for the update. Unlike
 * MeZO's in-place perturb / restore (x + eps z, x - 2 eps z, x + eps z,
 * which does not return x exactly in floating point), the perturbed points
 * are written into the driver's gradient buffer, which this method does not
 * otherwise need, so x is untouched until the update. Weight decay follows
 * the MeZO trainer (x <- x - lr (pg z + wd x)); momentum is the
 * ZO-SGD-MMT variant of the ZO-Bench study (Zhang et al., ICML 2024,
 * "Revisiting Zeroth-Order Optimization for Memory-Efficient LLM
 * Fine-Tuning: A Benchmark"), SGD momentum on the estimate.
 *
 * Only f is evaluated: 2 q evaluations per step and no gradient (the
 * counts show it). Both evaluations of a pair see the same oracle sample of
 * step t on a stochastic problem, as MeZO uses one minibatch for both.
 *
 * Defaults: lr 1e-3 (MeZO uses 1e-6 .. 1e-7 for LLMs; optbench's problems
 * are small), eps 1e-3 (MeZO), n_directions 1, momentum 0,
 * weight_decay 0. lr * ctx->lr_scale replaces lr.
 *
 * State: none (b with momentum). Traffic per coordinate: per direction two
 * perturbed points (read x, write x +- eps z: 32 bytes), then the update
 * reads x and writes x (16), + read/write b (16) with momentum:
 * 32 q + 16 (+ 16). Element-wise loops are OpenMP static with no
 * reductions, so trajectories are bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>

#include "bench/ob_vec.h"
#include "bench/ob_rng.h"
#include "optimizers/optimizer.h"

#define ZO_MAX_DIRECTIONS 1024

typedef struct {
  double lr, eps, momentum, weight_decay;
  long long q;
  size_t n;
  uint64_t seed;
  double *b;               /* arena (momentum only) */
  double pg[ZO_MAX_DIRECTIONS];
  long long t;
} zo_sgd_state;

static const ob_param_spec zo_sgd_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "eps", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "perturbation scale: f is evaluated at x +- eps z" },
  { "n_directions", OB_PARAM_INT, "1", 1, ZO_MAX_DIRECTIONS, 0, NULL, "q",
    "directions averaged per step (n-SPSA); 2 f evaluations each" },
  { "momentum", OB_PARAM_REAL, "0", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "mom",
    "heavy-ball momentum on the estimate (ZO-SGD-MMT); 0 = MeZO" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "wd x is added to the estimate (the MeZO trainer's decay)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int zo_sgd_configure(void *vs, const json_t *params, ob_error *err)
{
  zo_sgd_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->eps = ob_params_real(params, "eps");
  s->q = ob_params_int(params, "n_directions");
  s->momentum = ob_params_real(params, "momentum");
  s->weight_decay = ob_params_real(params, "weight_decay");
  return OB_OK;
}

static size_t zo_sgd_nvectors(const void *vs)
{
  const zo_sgd_state *s = vs;
  return s->momentum > 0.0 ? 1 : 0;
}

static int zo_sgd_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  zo_sgd_state *s = vs;
  (void)err;
  s->n = n;
  s->t = 0;
  s->seed = p->seed;
  s->b = s->momentum > 0.0 ? vec[0] : NULL;
  return OB_OK;
}

/* xp = x + sign eps z (z of key). */
static void zo_perturb(size_t n, double *restrict xp, const double *restrict x, uint64_t key, double se)
{
  OB_VEC_FOR(i, n, xp[i] = x[i] + se * ob_rng_gauss(key, i););
}

OB_KERNEL static int zo_sgd_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  zo_sgd_state *s = vs;
  const double lr = s->lr * ctx->lr_scale, eps = s->eps;
  const size_t n = s->n;
  const long long q = s->q;
  s->t++;
  for (long long j = 0; j < q; j++) {
    const uint64_t key = ob_rng_key(s->seed, OB_RNG_STREAM_ZO, (uint64_t)s->t, (uint64_t)j);
    double fp, fm;
    zo_perturb(n, g, x, key, eps);
    int rc = ob_oracle_eval(o, g, &fp, NULL, err);
    if (rc < 0) return rc;
    zo_perturb(n, g, x, key, -eps);
    rc = ob_oracle_eval(o, g, &fm, NULL, err);
    if (rc < 0) return rc;
    s->pg[j] = (fp - fm) / (2.0 * eps);
  }
  uint64_t keys[ZO_MAX_DIRECTIONS];
  for (long long j = 0; j < q; j++) keys[j] = ob_rng_key(s->seed, OB_RNG_STREAM_ZO, (uint64_t)s->t, (uint64_t)j);
  const double *pg = s->pg, wd = s->weight_decay, mu = s->momentum, dq = (double)q;
  double *restrict b = s->b;
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    double acc = 0.0;
    for (long long j = 0; j < q; j++) acc = acc + pg[j] * ob_rng_gauss(keys[j], i);
    const double d = acc / dq + wd * x[i];
    if (b) {
      b[i] = mu * b[i] + d;
      x[i] = x[i] - lr * b[i];
    } else {
      x[i] = x[i] - lr * d;
    }
  }
  return OB_OK;
}

static double zo_sgd_traffic(const void *vs)
{
  const zo_sgd_state *s = vs;
  return (4.0 * (double)s->q + 2.0 + (s->momentum > 0.0 ? 2.0 : 0.0)) * sizeof(double);
}

const ob_optimizer_type ob_optimizer_zo_sgd = {
  .name = "zo_sgd",
  .summary = "two-point zeroth-order SGD with seeded Gaussian directions, f only (MeZO, Malladi et al. 2023)",
  .reference = "Malladi et al., NeurIPS 2023 (arXiv:2305.17333), Algorithm 1 and n-SPSA; Spall 1992",
  .params = zo_sgd_params,
  .state_size = sizeof(zo_sgd_state),
  .needs = 0,
  .configure = zo_sgd_configure,
  .nvectors = zo_sgd_nvectors,
  .init = zo_sgd_init,
  .step = zo_sgd_step,
  .traffic = zo_sgd_traffic,
  .free = NULL,
};
