/* adamp.c -- AdamP: Adam whose update loses its radial part on scale-invariant weights.
 *
 * Heo, Chun, Oh, Han, Yun, Kim, Uh & Ha, "AdamP: Slowing Down the Slowdown for
 * Momentum Optimizers on Scale-invariant Weights", ICLR 2021, Algorithm 2
 * (arXiv:2006.08217). Checked against the authors' official code,
 * clovaai/AdamP adamp/adamp.py, whose operations are kept:
 *
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   d  = sqrt(v) / sqrt(1 - b2^t) + eps
 *   u  = m / d   (nesterov: u = (b1 m + (1 - b1) g) / d)
 *   if |cos(g, x)| < delta / sqrt(n):          (see adamp_kernel.h)
 *       x_n = x / (||x|| + eps);  u <- u - x_n <x_n, u>;  r = wd_ratio
 *   else r = 1
 *   x <- x (1 - lr wd r)    (only when wd > 0)
 *   x <- x - (lr / (1 - b1^t)) u
 *
 * Deviation (documented, not a bug): the official code projects only tensors
 * of rank >= 2, trying per-channel (row) views first and then the whole
 * layer. A vector problem has a single view, the whole vector (d = n); set
 * "projection": false to get the official behaviour for a 1-D tensor (plain
 * Adam with decoupled decay). On generic problems |cos(g, x)| is rarely below
 * delta / sqrt(n), so the projection rarely fires; the reference tests use a
 * large delta to exercise it. lr * ctx->lr_scale is the step.
 *
 * Defaults (official): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8,
 * weight_decay 0, delta 0.1, wd_ratio 0.1, nesterov false.
 * State: m, v. Traffic per coordinate: the test reads x and g (16 bytes: one
 * pass for the three dot products); the update reads x, g, m, v and writes
 * x, m, v (56); a projected step reads x, g, m, v again and writes x (40
 * more, not counted in the steady-state figure 9 * 8 = 72 bytes, which
 * assumes the projection does not fire).
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/adamp_kernel.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, beta1, beta2, eps, weight_decay, delta, wd_ratio;
  bool nesterov, projection;
  size_t n;
  double *m, *v;         /* arena vectors (state class) */
  long long t;
} adamp_state;

static const ob_param_spec adamp_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the first-moment estimate" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the second-moment estimate" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to the bias-corrected sqrt(v), to ||x|| and to the cosine's denominator" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decoupled weight decay x <- x (1 - lr wd r), r = wd_ratio on projected steps, else 1" },
  { "delta", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, 0, NULL, NULL,
    "project when |cos(g, x)| < delta / sqrt(n)" },
  { "wd_ratio", OB_PARAM_REAL, "0.1", 0.0, 1.0, 0, NULL, "wdr",
    "weight-decay multiplier on projected (scale-invariant) steps" },
  { "nesterov", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, "nest",
    "Nesterov form of the first moment: (b1 m + (1 - b1) g) / d" },
  { "projection", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, "proj",
    "apply the projection to the whole vector (false: never, as the official code for 1-D tensors)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int adamp_configure(void *vs, const json_t *params, ob_error *err)
{
  adamp_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->delta = ob_params_real(params, "delta");
  s->wd_ratio = ob_params_real(params, "wd_ratio");
  s->nesterov = ob_params_bool(params, "nesterov");
  s->projection = ob_params_bool(params, "projection");
  if (s->lr * s->weight_decay >= 1.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay",
                       "lr * weight_decay must be below 1 (got %g * %g): the decay factor 1 - lr wd would not be positive",
                       s->lr, s->weight_decay);
  return OB_OK;
}

static size_t adamp_nvectors(const void *vs)
{
  (void)vs;
  return 2;
}

static int adamp_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  adamp_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m = vec[0];
  s->v = vec[1];
  return OB_OK;
}

typedef struct {
  double *x, *m, *v;
  const double *g;
  double b1, omb1, b2, omb2, bc2_sqrt, eps;
  double xn_den;         /* ||x|| + eps */
  double decay, neg_step, radial;
  bool nesterov;
} adamp_ctx;

/* u_i from the updated m_i, v_i (recomputing it gives the same bits). */
static inline double adamp_u(const adamp_ctx *c, size_t i)
{
  const double d = sqrt(c->v[i]) / c->bc2_sqrt + c->eps;
  return c->nesterov ? (c->b1 * c->m[i] + c->omb1 * c->g[i]) / d : c->m[i] / d;
}

static inline void adamp_moments(const adamp_ctx *c, size_t i)
{
  const double gi = c->g[i];
  c->m[i] = c->m[i] * c->b1 + gi * c->omb1;
  c->v[i] = c->v[i] * c->b2 + gi * gi * c->omb2;
}

/* Projected steps, pass 1: moments, and the block's part of <x_n, u>. */
static double adamp_radial_block(void *vctx, size_t lo, size_t hi)
{
  const adamp_ctx *c = vctx;
  double s = 0.0;
  for (size_t i = lo; i < hi; i++) {
    adamp_moments(c, i);
    s += c->x[i] / c->xn_den * adamp_u(c, i);
  }
  return s;
}

OB_KERNEL static int adamp_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  adamp_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  s->t++;
  const double t = (double)s->t;
  const double bc1 = 1.0 - pow(s->beta1, t), bc2 = 1.0 - pow(s->beta2, t);
  adamp_ctx c = {
    .x = x, .m = s->m, .v = s->v, .g = g,
    .b1 = s->beta1, .omb1 = 1.0 - s->beta1, .b2 = s->beta2, .omb2 = 1.0 - s->beta2,
    .bc2_sqrt = sqrt(bc2), .eps = s->eps, .xn_den = 1.0, .decay = 1.0,
    .neg_step = -(lr / bc1), .radial = 0.0, .nesterov = s->nesterov,
  };
  const size_t n = s->n;
  const bool proj = s->projection && adamp_is_scale_invariant(x, g, n, s->delta, s->eps, &c.xn_den);
  if (s->weight_decay > 0.0) c.decay = 1.0 - lr * s->weight_decay * (proj ? s->wd_ratio : 1.0);
  if (proj) {
    c.radial = ob_vec_reduce(adamp_radial_block, &c, n);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
      const double u = adamp_u(&c, i) - x[i] / c.xn_den * c.radial;
      x[i] = x[i] * c.decay + c.neg_step * u;
    }
  } else {
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
      adamp_moments(&c, i);
      x[i] = x[i] * c.decay + c.neg_step * adamp_u(&c, i);
    }
  }
  return OB_OK;
}

static double adamp_traffic(const void *vs)
{
  (void)vs;
  return 9.0 * sizeof(double);   /* test: read x, g; update: read x, g, m, v, write x, m, v */
}

const ob_optimizer_type ob_optimizer_adamp = {
  .name = "adamp",
  .summary = "AdamP: Adam with the radial part projected out on scale-invariant weights (Heo et al. 2021)",
  .reference = "Heo et al. 2021, ICLR, Algorithm 2; = clovaai/AdamP adamp/adamp.py, whole vector as one channel",
  .params = adamp_params,
  .state_size = sizeof(adamp_state),
  .needs = OB_NEEDS_GRAD,
  .configure = adamp_configure,
  .nvectors = adamp_nvectors,
  .init = adamp_init,
  .step = adamp_step,
  .traffic = adamp_traffic,
  .free = NULL,
};
