/* adabelief.c -- AdaBelief with its rectify / weight-decouple options.
 *
 * Zhuang, Tang, Ding, Tatikonda, Dvornek, Papademetris & Duncan, "AdaBelief
 * Optimizer: Adapting Stepsizes by the Belief in Observed Gradients", NeurIPS
 * 2020, Algorithm 2 (arXiv:2010.07468). Checked against the authors' official
 * package, juntang-zhuang/Adabelief-Optimizer
 * pypi_packages/adabelief_pytorch0.2.1/adabelief_pytorch/AdaBelief.py, whose
 * operations and defaults are kept:
 *
 *   weight_decouple: x <- x (1 - lr wd)   (fixed_decay: x <- x (1 - wd))
 *   otherwise:       g <- g + wd x        (L2; skipped when wd == 0)
 *   m <- b1 m + (1 - b1) g
 *   s <- b2 s + (1 - b2) (g - m)^2 + eps  (the package adds eps to s in place,
 *                                          so it accumulates in the state)
 *   no rectify:  x <- x - (lr / (1 - b1^t)) m / (sqrt(s) / sqrt(1 - b2^t) + eps)
 *   rectify (RAdam's rule, threshold N_t >= 5 as in the package):
 *     N_inf = 2 / (1 - b2) - 1, N_t = N_inf - 2 t b2^t / (1 - b2^t)
 *     N_t >= 5: r = sqrt((1 - b2^t) (N_t - 4)/(N_inf - 4) (N_t - 2)/N_t N_inf/(N_inf - 2)) / (1 - b1^t)
 *               x <- x - lr r m / (sqrt(s) + eps)
 *     N_t < 5, degenerated_to_sgd: x <- x - lr m / (1 - b1^t); else no move
 *
 *   amsgrad:     smax <- max(smax, s) (after s's eps), and the non-rectified
 *                update divides by sqrt(smax) / sqrt(1 - b2^t) + eps; the
 *                rectified branch keeps sqrt(s) + eps, as the package does
 *                (its N_t >= 5 branch recomputes denom from exp_avg_var, so
 *                the maximum is tracked but unused there)
 *
 * Relation to the paper: Algorithm 2 adds eps inside s once per step as
 * written here; its update uses bias-corrected s_hat with eps outside the
 * root, as the non-rectified branch does. The paper's AMSGrad variant
 * (Algorithm 2 with the running maximum of s, as in Reddi et al. 2018) is the
 * package's amsgrad option above. m and s are updated on every step, also
 * while x does not move.
 * lr * ctx->lr_scale is the step (it also scales the decoupled decay, as the
 * package's group['lr'] does).
 *
 * Defaults (package 0.2.1): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-16,
 * weight_decay 0, weight_decouple true, fixed_decay false, rectify true,
 * degenerated_to_sgd true, amsgrad false. State: m, s (+ smax with amsgrad).
 * Traffic per coordinate: read x, g, m, s; write x, m, s = 7 * 8 bytes
 * (amsgrad: + read/write smax = 9 * 8). One OpenMP pass; bit-identical for
 * every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, beta1, beta2, eps, weight_decay;
  bool weight_decouple, fixed_decay, rectify, degenerated_to_sgd, amsgrad;
  size_t n;
  double *m, *s, *smax;  /* arena vectors (state class); smax NULL without amsgrad */
  long long t;
} adabelief_state;

static const ob_param_spec adabelief_params[] = {
  { "lr", OB_PARAM_REAL, "0.001", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "beta1", OB_PARAM_REAL, "0.9", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b1",
    "decay rate of the gradient EMA m" },
  { "beta2", OB_PARAM_REAL, "0.999", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "b2",
    "decay rate of the belief EMA s of (g - m)^2" },
  { "eps", OB_PARAM_REAL, "1e-16", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added to s every step and to the denominator (about Adam's eps squared)" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "weight decay: decoupled (x <- x (1 - lr wd)) or L2 (g <- g + wd x), see weight_decouple" },
  { "weight_decouple", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, "wdc",
    "decoupled weight decay as AdamW; false adds wd x to the gradient" },
  { "fixed_decay", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, "fixed",
    "with weight_decouple: decay by x <- x (1 - wd), independent of lr" },
  { "rectify", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, "rect",
    "RAdam-style variance rectification (threshold N_t >= 5)" },
  { "degenerated_to_sgd", OB_PARAM_BOOL, "true", 0, 0, 0, NULL, "sgd",
    "with rectify: take SGD-with-momentum steps while N_t < 5 (false: do not move)" },
  { "amsgrad", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, "ams",
    "AMSGrad: normalize by the running maximum of s (the official package's option)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int adabelief_configure(void *vs, const json_t *params, ob_error *err)
{
  adabelief_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->beta1 = ob_params_real(params, "beta1");
  s->beta2 = ob_params_real(params, "beta2");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->weight_decouple = ob_params_bool(params, "weight_decouple");
  s->fixed_decay = ob_params_bool(params, "fixed_decay");
  s->rectify = ob_params_bool(params, "rectify");
  s->degenerated_to_sgd = ob_params_bool(params, "degenerated_to_sgd");
  s->amsgrad = ob_params_bool(params, "amsgrad");
  if (s->fixed_decay && !s->weight_decouple)
    return ob_error_at(err, OB_EINVAL, "fixed_decay", "'fixed_decay' needs 'weight_decouple' = true");
  if (s->weight_decouple && (s->fixed_decay ? s->weight_decay : s->lr * s->weight_decay) >= 1.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay",
                       "the decoupled decay factor must stay positive: %s must be below 1",
                       s->fixed_decay ? "weight_decay" : "lr * weight_decay");
  return OB_OK;
}

static size_t adabelief_nvectors(const void *vs)
{
  const adabelief_state *s = vs;
  return s->amsgrad ? 3 : 2;
}

static int adabelief_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  adabelief_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->m = vec[0];
  s->s = vec[1];
  s->smax = s->amsgrad ? vec[2] : NULL;
  return OB_OK;
}

/* How x moves this step. */
enum { AB_ADAPTIVE, AB_RECTIFIED, AB_SGD, AB_NONE };

typedef struct { double decay, l2, b1, omb1, b2, omb2, eps, coef, bc2_sqrt; } adabelief_coef;

static inline __attribute__((always_inline)) void
adabelief_elem(size_t i, double *restrict x, const double *restrict g, double *restrict m,
               double *restrict sv, double *restrict smax, const adabelief_coef c, const bool l2,
               const bool ams, const int mode)
{
  const double xi = x[i] * c.decay;
  const double gi = l2 ? g[i] + x[i] * c.l2 : g[i];
  const double mi = m[i] * c.b1 + gi * c.omb1;
  const double r = gi - mi;
  const double si = (sv[i] * c.b2 + r * r * c.omb2) + c.eps;
  m[i] = mi;
  sv[i] = si;
  double sd = si;
  if (ams) {
    /* a select, not fmax: it vectorizes, and NaN propagates as torch.max does
     * (once s is NaN it stays NaN, so smax follows) */
    sd = smax[i] > si ? smax[i] : si;
    smax[i] = sd;
  }
  if (mode == AB_ADAPTIVE)
    x[i] = xi + c.coef * mi / (sqrt(sd) / c.bc2_sqrt + c.eps);
  else if (mode == AB_RECTIFIED)
    x[i] = xi + c.coef * mi / (sqrt(si) + c.eps);
  else if (mode == AB_SGD)
    x[i] = xi + c.coef * mi;
  else
    x[i] = xi;
}

/* AMSGrad is a compile-time constant in every loop, like L2 and MODE: a
 * run-time flag would be a branch that GCC (-ftrapping-math) does not
 * if-convert, and the loop would not vectorize. */
#define AB_LOOP_AMS(L2, AMS, MODE)                                                      \
  do {                                                                                  \
    OB_VEC_FOR(i, n, adabelief_elem(i, x, g, m, sv, smax, c, L2, AMS, MODE););          \
  } while (0)

#define AB_LOOP(L2, MODE)                                                               \
  do {                                                                                  \
    if (ams) AB_LOOP_AMS(L2, true, MODE);                                               \
    else AB_LOOP_AMS(L2, false, MODE);                                                  \
  } while (0)

#define AB_MODES(L2)                                                                    \
  do {                                                                                  \
    switch (mode) {                                                                     \
    case AB_ADAPTIVE: AB_LOOP(L2, AB_ADAPTIVE); break;                                  \
    case AB_RECTIFIED: AB_LOOP(L2, AB_RECTIFIED); break;                                \
    case AB_SGD: AB_LOOP(L2, AB_SGD); break;                                            \
    default: AB_LOOP(L2, AB_NONE); break;                                               \
    }                                                                                   \
  } while (0)

OB_KERNEL static int adabelief_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  adabelief_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  s->t++;
  const double t = (double)s->t, b1 = s->beta1, b2 = s->beta2;
  const double bc1 = 1.0 - pow(b1, t), bc2 = 1.0 - pow(b2, t);
  adabelief_coef c = {
    .decay = 1.0, .l2 = 0.0, .b1 = b1, .omb1 = 1.0 - b1, .b2 = b2, .omb2 = 1.0 - b2,
    .eps = s->eps, .coef = 0.0, .bc2_sqrt = sqrt(bc2),
  };
  if (s->weight_decouple) c.decay = 1.0 - (s->fixed_decay ? s->weight_decay : lr * s->weight_decay);
  else c.l2 = s->weight_decay;
  int mode;
  if (!s->rectify) {
    mode = AB_ADAPTIVE;
    c.coef = -(lr / bc1);
  } else {
    const double b2t = pow(b2, t);
    const double n_inf = 2.0 / (1.0 - b2) - 1.0;
    const double n_t = n_inf - 2.0 * t * b2t / (1.0 - b2t);
    if (n_t >= 5.0) {
      mode = AB_RECTIFIED;
      const double r = sqrt((1.0 - b2t) * (n_t - 4.0) / (n_inf - 4.0) * (n_t - 2.0) / n_t * n_inf / (n_inf - 2.0)) /
                       (1.0 - pow(b1, t));
      c.coef = -r * lr;
    } else if (s->degenerated_to_sgd) {
      mode = AB_SGD;
      c.coef = -(1.0 / (1.0 - pow(b1, t))) * lr;
    } else {
      mode = AB_NONE;
    }
  }
  const size_t n = s->n;
  double *m = s->m, *sv = s->s, *smax = s->smax;
  const bool ams = s->amsgrad;
  if (c.l2 != 0.0) AB_MODES(true);
  else AB_MODES(false);
  return OB_OK;
}

#undef AB_MODES
#undef AB_LOOP
#undef AB_LOOP_AMS

static double adabelief_traffic(const void *vs)
{
  const adabelief_state *s = vs;
  return (s->amsgrad ? 9.0 : 7.0) * sizeof(double);   /* read x, g, m, s (smax); write x, m, s (smax) */
}

const ob_optimizer_type ob_optimizer_adabelief = {
  .name = "adabelief",
  .summary = "AdaBelief: Adam with the EMA of (g - m)^2; rectify, decoupled decay and AMSGrad options (Zhuang et al. 2020)",
  .reference = "Zhuang et al. 2020, NeurIPS, Algorithm 2; = adabelief-pytorch 0.2.1 (official), double precision",
  .params = adabelief_params,
  .state_size = sizeof(adabelief_state),
  .needs = OB_NEEDS_GRAD,
  .configure = adabelief_configure,
  .nvectors = adabelief_nvectors,
  .init = adabelief_init,
  .step = adabelief_step,
  .traffic = adabelief_traffic,
  .free = NULL,
};
