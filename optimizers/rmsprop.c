/* rmsprop.c -- RMSprop, optionally centered and with momentum, and L2 weight
 * decay, as torch.optim.RMSprop.
 *
 * Tieleman & Hinton, "Lecture 6.5 -- rmsprop: divide the gradient by a running
 * average of its recent magnitude", COURSERA Neural Networks for Machine
 * Learning, lecture 6e (2012); the centered form (the running mean of g is
 * subtracted, so the denominator estimates the standard deviation) and the
 * momentum buffer are Graves, "Generating Sequences With Recurrent Neural
 * Networks", arXiv:1308.0850 (2013), eq. 38-41. The implementation follows
 * torch.optim.RMSprop (torch/optim/rmsprop.py, _single_tensor_rmsprop,
 * torch 1.13) in double precision, operation by operation:
 *
 *   g   <- g + wd x                              (grad.add(param, alpha=wd); skipped when wd == 0)
 *   s   <- s alpha + ((1 - alpha) g) g           (square_avg.mul_(alpha).addcmul_(g, g, value=1-alpha))
 *   centered:  a <- a alpha + (1 - alpha) g      (grad_avg.mul_(alpha).add_(g, alpha=1-alpha))
 *              d  = sqrt(s - a a) + eps          (square_avg.addcmul(a, a, value=-1).sqrt_().add_(eps))
 *   otherwise: d  = sqrt(s) + eps
 *   momentum > 0: b <- b mu + g / d;  x <- x + (-lr) b    (buf.mul_(mu).addcdiv_(g, d); param.add_(buf, alpha=-lr))
 *   otherwise:    x <- x + ((-lr) g) / d                  (param.addcdiv_(g, d, value=-lr))
 *
 * s, a and b start at zero.
 *
 * Relation to the sources (torch's choices, which optbench keeps):
 * - eps is added outside the square root (Graves adds it inside, eq. 40:
 *   sqrt(n - g^2 + eps));
 * - the momentum buffer accumulates g / d and lr multiplies it afterwards,
 *   whereas Graves keeps lr inside the buffer (eq. 41); the two agree while lr
 *   is constant (it always is here);
 * - there is no bias correction of s or a, so the first steps are large:
 *   step 1 moves each coordinate by about lr / sqrt(1 - alpha) (10 lr at the
 *   default alpha), or lr / sqrt(alpha (1 - alpha)) when centered;
 * - weight decay is an L2 term added to the gradient.
 * In the centered form s - a^2 is an EMA variance; should rounding make it
 * negative, sqrt gives NaN exactly as in torch.
 *
 * Defaults: lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0,
 * centered false. State: s; + a when centered; + b when momentum > 0.
 * Traffic per coordinate: read x, g, s and write x, s = 5 * 8 bytes; each of
 * a and b adds a read and a write (7 * 8 with one, 9 * 8 with both).
 * One OpenMP pass per step; bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered;
  size_t n;
  double *sq;            /* s: EMA of g^2 (arena, state class) */
  double *gavg;          /* a: EMA of g, NULL unless centered */
  double *buf;           /* b: momentum buffer, NULL unless momentum > 0 */
} rmsprop_state;

static const ob_param_spec rmsprop_params[] = {
  { "lr", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "alpha", OB_PARAM_REAL, "0.99", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, NULL,
    "smoothing constant of the running averages (decay rate of the EMA of g^2)" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to the root mean square in the denominator (outside the sqrt)" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "L2 penalty coefficient: wd * x is added to the gradient" },
  { "momentum", OB_PARAM_REAL, "0", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "mom",
    "momentum factor mu of the buffer b <- mu b + g / d (0 = none, no state vector)" },
  { "centered", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, NULL,
    "normalize by an estimate of the standard deviation, sqrt(E[g^2] - E[g]^2) (Graves 2013)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int rmsprop_configure(void *vs, const json_t *params, ob_error *err)
{
  rmsprop_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->alpha = ob_params_real(params, "alpha");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->momentum = ob_params_real(params, "momentum");
  s->centered = ob_params_bool(params, "centered");
  return OB_OK;
}

static size_t rmsprop_nvectors(const void *vs)
{
  const rmsprop_state *s = vs;
  return 1 + (s->centered ? 1 : 0) + (s->momentum > 0.0 ? 1 : 0);
}

static int rmsprop_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  rmsprop_state *s = vs;
  size_t k = 0;
  (void)p;
  (void)err;
  s->n = n;
  s->sq = vec[k++];
  s->gavg = s->centered ? vec[k++] : NULL;
  s->buf = s->momentum > 0.0 ? vec[k++] : NULL;
  return OB_OK;
}

typedef struct { double neg_lr, alpha, oma, eps, wd, mu; } rmsprop_coef;

/* The update of coordinate i. `wd`, `cen` and `mom` are compile-time constants
 * at every call site: each combination gets its own loop (see adam_kernel.h). */
static inline __attribute__((always_inline)) void
rmsprop_elem(size_t i, double *restrict x, const double *restrict g, double *restrict sq,
             double *restrict ga, double *restrict b, const rmsprop_coef c, const bool wd,
             const bool cen, const bool mom)
{
  const double gi = wd ? g[i] + c.wd * x[i] : g[i];
  const double si = sq[i] * c.alpha + c.oma * gi * gi;
  sq[i] = si;
  double d;
  if (cen) {
    const double ai = ga[i] * c.alpha + c.oma * gi;
    ga[i] = ai;
    d = sqrt(si + -1.0 * ai * ai) + c.eps;   /* addcmul(a, a, value=-1): (-1 a) a, exact negation */
  } else {
    d = sqrt(si) + c.eps;
  }
  if (mom) {
    const double bi = b[i] * c.mu + gi / d;   /* addcdiv_ with value 1: 1 * g is g */
    b[i] = bi;
    x[i] = x[i] + c.neg_lr * bi;
  } else {
    x[i] = x[i] + c.neg_lr * gi / d;
  }
}

#define RMSPROP_LOOP(WD, CEN, MOM)                                                      \
  do {                                                                                  \
    OB_VEC_FOR(i, n, rmsprop_elem(i, x, g, sq, ga, b, c, WD, CEN, MOM););               \
  } while (0)

#define RMSPROP_LOOP_WD(CEN, MOM)                                                       \
  do {                                                                                  \
    if (c.wd != 0.0) RMSPROP_LOOP(true, CEN, MOM);                                      \
    else RMSPROP_LOOP(false, CEN, MOM);                                                 \
  } while (0)

OB_KERNEL static int rmsprop_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  rmsprop_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;   /* schedule (1 without one) */
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  const size_t n = s->n;
  const rmsprop_coef c = { -lr, s->alpha, 1.0 - s->alpha, s->eps, s->weight_decay, s->momentum };
  double *sq = s->sq, *ga = s->gavg, *b = s->buf;
  if (ga) {
    if (b) RMSPROP_LOOP_WD(true, true);
    else RMSPROP_LOOP_WD(true, false);
  } else {
    if (b) RMSPROP_LOOP_WD(false, true);
    else RMSPROP_LOOP_WD(false, false);
  }
  return OB_OK;
}

#undef RMSPROP_LOOP_WD
#undef RMSPROP_LOOP

static double rmsprop_traffic(const void *vs)
{
  const rmsprop_state *s = vs;
  /* read x, g, s (+ a, + b); write x, s (+ a, + b) */
  return (5.0 + (s->centered ? 2.0 : 0.0) + (s->momentum > 0.0 ? 2.0 : 0.0)) * sizeof(double);
}

const ob_optimizer_type ob_optimizer_rmsprop = {
  .name = "rmsprop",
  .summary = "RMSprop, optionally centered and with momentum, L2 weight decay (torch.optim.RMSprop)",
  .reference = "Tieleman & Hinton 2012, lecture 6e; centered and momentum: Graves 2013, eq. 38-41; "
  "= torch.optim.RMSprop, double precision",
  .params = rmsprop_params,
  .state_size = sizeof(rmsprop_state),
  .needs = OB_NEEDS_GRAD,
  .configure = rmsprop_configure,
  .nvectors = rmsprop_nvectors,
  .init = rmsprop_init,
  .step = rmsprop_step,
  .traffic = rmsprop_traffic,
  .free = NULL,
};
