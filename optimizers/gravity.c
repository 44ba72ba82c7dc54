/* gravity.c -- the Gravity optimizer: a kinematic, bounded step on each
 * coordinate plus a velocity averaged with a warm-started beta.
 *
 * Bahrami & Zadeh, "Gravity Optimizer: a Kinematic Approach on Optimization
 * in Deep Learning", arXiv:2101.09192 (2021); equation numbers are those of
 * the authors' derivation (dariush-bahrami/gravity.optimizer,
 * gravity_optimizer_math.md, eqs. 18-23). Checked against the authors' PyTorch
 * implementation (implementations/gravity_optimizer_pytorch.py), whose
 * operations are kept. The whole vector x is one "tensor": with t the 1-based
 * step,
 *
 *   M = max_i |g_i|,  m = 1 / M                       (eq. 19: max-step gradient)
 *   zeta_i = g_i / (1 + (g_i / m)^2)                   (eq. 20: the inclined-plane step)
 *   beta_hat = (beta t + 1) / (t + 2)                  (eq. 23: warm-started average)
 *   v <- beta_hat v + (1 - beta_hat) zeta              (eq. 21)
 *   x <- x - l v
 *
 * The velocity starts at v0 ~ N(0, (alpha / l)^2) per coordinate (the
 * authors' `__init_v`: std = alpha / lr), so alpha sets how far the first
 * steps wander; alpha = 0 starts from v0 = 0. The paper draws v0 from an
 * unseeded RNG; optbench makes it reproducible with a "seed" param and a
 * documented generator that the numpy reference re-implements: splitmix64
 * (Steele, Lea & Flood 2014) from state `seed`, u = ((z >> 11) + 0.5) 2^-53
 * in (0, 1), and Box-Muller, one normal per coordinate from two uniforms
 * u1, u2: sqrt(-2 ln u1) cos(2 pi u2). v0 is drawn in coordinate order in
 * init, so it does not depend on the thread count. When g = 0 exactly
 * (M = 0) zeta = 0, as the authors' 1 / 0 = inf gives in floating point.
 * l * ctx->lr_scale replaces l (l also sets v0's spread, from the base l).
 *
 * Defaults (the authors' PyTorch/Keras code): lr (l) 0.1, alpha 0.01,
 * beta 0.9, seed 0. State: v (one vector). Traffic per coordinate: max pass
 * reads g (8), update reads x, g, v and writes x, v (40) = 48 bytes. The max
 * is exact, so trajectories are bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, alpha, beta;
  uint64_t seed;
  size_t n;
  double *v;             /* arena vector (state class): the velocity */
  long long t;
} gravity_state;

static const ob_param_spec gravity_params[] = {
  { "lr", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate l (the kinematic 1/2 a t^2 / m of the paper)" },
  { "alpha", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, 0, NULL, NULL,
    "spread of the initial velocity: v0 ~ N(0, (alpha / lr)^2); 0 starts from v0 = 0" },
  { "beta", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, NULL,
    "velocity averaging; the step uses beta_hat = (beta t + 1) / (t + 2)" },
  { "seed", OB_PARAM_INT, "0", 0, 9007199254740991.0, 0, NULL, NULL,
    "seed of the splitmix64 + Box-Muller draw of v0 (reproducible, see gravity.c)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int gravity_configure(void *vs, const json_t *params, ob_error *err)
{
  gravity_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->alpha = ob_params_real(params, "alpha");
  s->beta = ob_params_real(params, "beta");
  s->seed = (uint64_t)ob_params_int(params, "seed");
  return OB_OK;
}

static size_t gravity_nvectors(const void *vs)
{
  (void)vs;
  return 1;
}

/* splitmix64: advances *state and returns the next 64-bit output. */
static uint64_t splitmix64(uint64_t *state)
{
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* A uniform in the open interval (0, 1): the top 53 bits, centred. */
static double uniform_open(uint64_t *state)
{
  return ((double)(splitmix64(state) >> 11) + 0.5) * 0x1p-53;
}

static int gravity_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  gravity_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->v = vec[0];
  if (s->alpha > 0.0) {
    const double sd = s->alpha / s->lr;
    uint64_t st = s->seed;
    for (size_t i = 0; i < n; i++) {
      const double u1 = uniform_open(&st), u2 = uniform_open(&st);
      s->v[i] = sd * (sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
    }
  }
  return OB_OK;
}

OB_KERNEL static int gravity_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  gravity_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  const size_t n = s->n;
  /* max is exact: the reduction order does not matter */
  double big = 0.0;
#pragma omp parallel for reduction(max : big) schedule(static) if (n >= OB_VEC_PAR_MIN)
  for (size_t i = 0; i < n; i++) big = fmax(big, fabs(g[i]));
  s->t++;
  const double t = (double)s->t;
  const double bh = (s->beta * t + 1.0) / (t + 2.0), omb = 1.0 - bh;
  double *restrict v = s->v;
  if (big > 0.0) {
    const double m = 1.0 / big;
    OB_VEC_FOR(i, n, {
      const double r = g[i] / m;
      const double zeta = g[i] / (1.0 + r * r);
      v[i] = bh * v[i] + omb * zeta;
      x[i] = x[i] - lr * v[i];
    });
  } else {
    OB_VEC_FOR(i, n, {
      v[i] = bh * v[i];
      x[i] = x[i] - lr * v[i];
    });
  }
  return OB_OK;
}

static double gravity_traffic(const void *vs)
{
  (void)vs;
  return 6.0 * sizeof(double);   /* max: read g; update: read x, g, v, write x, v */
}

const ob_optimizer_type ob_optimizer_gravity = {
  .name = "gravity",
  .summary = "Gravity: kinematic bounded step g / (1 + (g max|g|)^2) with a warm-started velocity (Bahrami & Zadeh 2021)",
  .reference = "Bahrami & Zadeh 2021, arXiv:2101.09192, eqs. 18-23; = dariush-bahrami/gravity.optimizer PyTorch code, seeded v0",
  .params = gravity_params,
  .state_size = sizeof(gravity_state),
  .needs = OB_NEEDS_GRAD,
  .configure = gravity_configure,
  .nvectors = gravity_nvectors,
  .init = gravity_init,
  .step = gravity_step,
  .traffic = gravity_traffic,
  .free = NULL,
};
