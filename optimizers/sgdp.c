/* sgdp.c -- SGDP: SGD with momentum whose update loses its radial part on scale-invariant weights.
 *
 * Heo, Chun, Oh, Han, Yun, Kim, Uh & Ha, "AdamP: Slowing Down the Slowdown for
 * Momentum Optimizers on Scale-invariant Weights", ICLR 2021, Algorithm 1
 * (arXiv:2006.08217). Checked against the authors' official code,
 * clovaai/AdamP adamp/sgdp.py, whose operations are kept:
 *
 *   b <- mu b + (1 - dampening) g        (also on step 1: b starts at 0, unlike torch.optim.SGD)
 *   d  = g + mu b (nesterov) or b
 *   if |cos(g, x)| < delta / sqrt(n):    (see adamp_kernel.h; the test uses g, not d)
 *       x_n = x / (||x|| + eps);  d <- d - x_n <x_n, d>;  r = wd_ratio
 *   else r = 1
 *   x <- x (1 - lr wd r / (1 - mu))      (only when wd > 0)
 *   x <- x - lr d
 *
 * Deviations (documented): the whole vector is the one channel, as in
 * adamp.c ("projection": false reproduces the official code on a 1-D
 * tensor); with momentum 0 the buffer is not stored (b = (1 - dampening) g
 * exactly), so no state vector is allocated. The official class has no
 * default lr (torch's `required`); optbench's default is 0.01, as sgd's.
 * lr * ctx->lr_scale is the step.
 *
 * Defaults (official, lr aside): momentum 0, dampening 0, weight_decay 0,
 * nesterov false, eps 1e-8, delta 0.1, wd_ratio 0.1.
 * State: b when momentum > 0. Traffic per coordinate: test pass reads x, g
 * (16) + update reads x, g, b, writes x, b (40) = 56 bytes; without momentum
 * 16 + 24 = 40. A projected step adds one more pass (see adamp.c).
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/adamp_kernel.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, momentum, dampening, weight_decay, eps, delta, wd_ratio;
  bool nesterov, projection;
  size_t n;
  double *b;             /* arena vector (state class), NULL without momentum */
} sgdp_state;

static const ob_param_spec sgdp_params[] = {
  { "lr", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "momentum", OB_PARAM_REAL, "0", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "mom",
    "momentum factor mu" },
  { "dampening", OB_PARAM_REAL, "0", 0.0, 1.0, 0, NULL, "damp",
    "the gradient enters the buffer with weight 1 - dampening (on every step)" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "decoupled weight decay x <- x (1 - lr wd r / (1 - mu)), r = wd_ratio on projected steps" },
  { "nesterov", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, "nest",
    "Nesterov momentum: d = g + mu b" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to ||x|| and to the cosine's denominator" },
  { "delta", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, 0, NULL, NULL,
    "project when |cos(g, x)| < delta / sqrt(n)" },
  { "wd_ratio", OB_PARAM_REAL, "0.1", 0.0, 1.0, 0, NULL, "wdr",
    "weight-decay multiplier on projected (scale-invariant) steps" },
  { "projection", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, "proj",
    "apply the projection to the whole vector (false: never, as the official code for 1-D tensors)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int sgdp_configure(void *vs, const json_t *params, ob_error *err)
{
  sgdp_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->momentum = ob_params_real(params, "momentum");
  s->dampening = ob_params_real(params, "dampening");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->nesterov = ob_params_bool(params, "nesterov");
  s->eps = ob_params_real(params, "eps");
  s->delta = ob_params_real(params, "delta");
  s->wd_ratio = ob_params_real(params, "wd_ratio");
  s->projection = ob_params_bool(params, "projection");
  if (s->lr * s->weight_decay / (1.0 - s->momentum) >= 1.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay",
                       "lr * weight_decay / (1 - momentum) must be below 1 (got %g): the decay factor would not be positive",
                       s->lr * s->weight_decay / (1.0 - s->momentum));
  return OB_OK;
}

static size_t sgdp_nvectors(const void *vs)
{
  const sgdp_state *s = vs;
  return s->momentum > 0.0 ? 1 : 0;
}

static int sgdp_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  sgdp_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->b = s->momentum > 0.0 ? vec[0] : NULL;
  return OB_OK;
}

typedef struct {
  double *x, *b;
  const double *g;
  double mu, omd, xn_den, radial;
  bool nesterov;
} sgdp_ctx;

/* Updates the buffer (if any) and returns d_i. */
static inline double sgdp_d(const sgdp_ctx *c, size_t i)
{
  const double gi = c->g[i];
  double bi;
  if (c->b) {
    bi = c->b[i] * c->mu + gi * c->omd;
    c->b[i] = bi;
  } else {
    bi = gi * c->omd;
  }
  return c->nesterov ? gi + c->mu * bi : bi;
}

/* d_i again, from the already updated buffer. */
static inline double sgdp_d_again(const sgdp_ctx *c, size_t i)
{
  const double bi = c->b ? c->b[i] : c->g[i] * c->omd;
  return c->nesterov ? c->g[i] + c->mu * bi : bi;
}

static double sgdp_radial_block(void *vctx, size_t lo, size_t hi)
{
  const sgdp_ctx *c = vctx;
  double s = 0.0;
  for (size_t i = lo; i < hi; i++) s += c->x[i] / c->xn_den * sgdp_d(c, i);
  return s;
}

OB_KERNEL static int sgdp_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  sgdp_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  sgdp_ctx c = {
    .x = x, .b = s->b, .g = g, .mu = s->momentum, .omd = 1.0 - s->dampening, .xn_den = 1.0,
    .radial = 0.0, .nesterov = s->nesterov,
  };
  const size_t n = s->n;
  const double neg_lr = -lr;
  const bool proj = s->projection && adamp_is_scale_invariant(x, g, n, s->delta, s->eps, &c.xn_den);
  double decay = 1.0;
  if (s->weight_decay > 0.0) decay = 1.0 - lr * s->weight_decay * (proj ? s->wd_ratio : 1.0) / (1.0 - s->momentum);
  if (proj) {
    c.radial = ob_vec_reduce(sgdp_radial_block, &c, n);
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
      const double d = sgdp_d_again(&c, i) - x[i] / c.xn_den * c.radial;
      x[i] = x[i] * decay + neg_lr * d;
    }
  } else {
#pragma omp parallel for schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (size_t i = 0; i < n; i++) x[i] = x[i] * decay + neg_lr * sgdp_d(&c, i);
  }
  return OB_OK;
}

static double sgdp_traffic(const void *vs)
{
  const sgdp_state *s = vs;
  return (s->momentum > 0.0 ? 7.0 : 5.0) * sizeof(double);
}

const ob_optimizer_type ob_optimizer_sgdp = {
  .name = "sgdp",
  .summary = "SGDP: SGD momentum with the radial part projected out on scale-invariant weights (Heo et al. 2021)",
  .reference = "Heo et al. 2021, ICLR, Algorithm 1; = clovaai/AdamP adamp/sgdp.py, whole vector as one channel",
  .params = sgdp_params,
  .state_size = sizeof(sgdp_state),
  .needs = OB_NEEDS_GRAD,
  .configure = sgdp_configure,
  .nvectors = sgdp_nvectors,
  .init = sgdp_init,
  .step = sgdp_step,
  .traffic = sgdp_traffic,
  .free = NULL,
};
