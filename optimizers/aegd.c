/* aegd.c -- AEGD: adaptive gradient descent with energy.
 *
 * Liu & Tian, "AEGD: Adaptive Gradient Descent with Energy", arXiv:2010.05109
 * (2020), and the authors' official code github.com/txping/AEGD, aegd.py,
 * whose operations, options and defaults are kept. With F(x) = sqrt(f(x) + c)
 * (c such that f + c > 0), per step t = 1, 2, ...:
 *
 *   s = sqrt(f(x) + c);  v = grad f(x) / (2 s)              (v = grad F)
 *   weight decay: aegdw (decoupled):  x <- x (1 - lr wd)
 *                 otherwise (L2 on F): v <- v + wd x
 *   r starts at r_1 = s(x_1) (every coordinate; the code's lazy init)
 *   energy "elementwise":  r <- r / (1 + 2 lr v^2),   x <- x - 2 lr r v
 *   energy "scalar":       r <- r / (1 + 2 lr |v|^2), x <- x - 2 lr r v
 *
 * The paper's basic scheme carries one scalar energy r (|v|^2 the squared
 * norm of v, a fixed-block ob_vec_dot); the coordinate-wise energy is the
 * only form the official code implements, hence the default. r is
 * non-increasing for every lr (the paper's unconditional energy stability);
 * 2 lr r v is the step.
 * The preconditioned variant ("Adaptive Preconditioned Gradient Descent with
 * Energy", which replaces v by a preconditioned gradient) is not offered.
 * The official code raises an error when f + c <= 0; here the step fails
 * with OB_ENUMERIC and says to raise c. lr * ctx->lr_scale replaces lr.
 *
 * Defaults (aegd.py): lr 0.1, c 1, weight_decay 0, aegdw false; energy
 * "elementwise". Evaluates f and g every step (one f, one gradient).
 * State: r (elementwise) or none (scalar r in the state struct). Traffic per
 * coordinate: elementwise read x, g, r and write x, r = 40 bytes; scalar:
 * v pass reads g, x and writes v into g (the driver's gradient buffer,
 * scratch for this step), norm pass reads v, update reads x, v and writes
 * x = 56 bytes.
 * Bit-identical for every thread count (ob_vec fixed-block reduction).
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, c, weight_decay;
  bool aegdw, scalar;
  size_t n;
  double *r;              /* arena (elementwise energy) */
  double rs;              /* scalar energy */
  long long t;
} aegd_state;

static const ob_param_spec aegd_params[] = {
  { "lr", OB_PARAM_REAL, "0.1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "step size eta" },
  { "c", OB_PARAM_REAL, "1", -HUGE_VAL, HUGE_VAL, 0, NULL, NULL,
    "energy shift: F = sqrt(f + c) needs f + c > 0 along the run" },
  { "energy", OB_PARAM_STRING, "\"elementwise\"", 0, 0, 0, "elementwise|scalar", NULL,
    "one energy per coordinate (official code) or one scalar energy (the paper's basic scheme)" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "weight decay: L2 on F (v <- v + wd x) or decoupled with aegdw" },
  { "aegdw", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, NULL,
    "decoupled weight decay x <- x (1 - lr wd) (AEGDW)" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int aegd_configure(void *vs, const json_t *params, ob_error *err)
{
  aegd_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->c = ob_params_real(params, "c");
  s->scalar = strcmp(ob_params_string(params, "energy"), "scalar") == 0;
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->aegdw = ob_params_bool(params, "aegdw");
  if (s->aegdw && s->lr * s->weight_decay >= 1.0)
    return ob_error_at(err, OB_EINVAL, "weight_decay",
                       "the decoupled decay factor must stay positive: lr * weight_decay must be below 1");
  return OB_OK;
}

static size_t aegd_nvectors(const void *vs)
{
  const aegd_state *s = vs;
  return s->scalar ? 0 : 1;
}

static int aegd_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  aegd_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->r = s->scalar ? NULL : vec[0];
  s->rs = 0.0;
  return OB_OK;
}

OB_KERNEL static int aegd_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  aegd_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  const size_t n = s->n;
  double f;
  int rc = ob_oracle_eval(o, x, &f, g, err);
  if (rc < 0) return rc;
  if (!(f + s->c > 0.0))
    return ob_error_set(err, OB_ENUMERIC, "f(x) + c = %g is not positive: AEGD needs f + c > 0 (raise 'c')",
                        f + s->c);
  const double sq = sqrt(f + s->c), two_sq = 2.0 * sq, two_lr = 2.0 * lr;
  const double decay = s->aegdw ? 1.0 - lr * s->weight_decay : 1.0;
  const double l2 = s->aegdw ? 0.0 : s->weight_decay;
  const bool first = s->t == 0;
  s->t++;
  if (!s->scalar) {
    double *restrict r = s->r;
    OB_VEC_FOR(i, n, {
      const double v = g[i] / two_sq + l2 * x[i];
      const double ri = (first ? sq : r[i]) / (1.0 + two_lr * (v * v));
      r[i] = ri;
      x[i] = x[i] * decay - two_lr * (ri * v);
    });
    return OB_OK;
  }
  /* scalar energy: v overwrites g (a scratch buffer this step owns), then |v|^2 */
  OB_VEC_FOR(i, n, g[i] = g[i] / two_sq + l2 * x[i];);
  const double vv = ob_vec_dot(g, g, n);
  s->rs = (first ? sq : s->rs) / (1.0 + two_lr * vv);
  const double rs = s->rs;
  OB_VEC_FOR(i, n, x[i] = x[i] * decay - two_lr * (rs * g[i]););
  return OB_OK;
}

static double aegd_traffic(const void *vs)
{
  const aegd_state *s = vs;
  return (s->scalar ? 7.0 : 5.0) * sizeof(double);
}

const ob_optimizer_type ob_optimizer_aegd = {
  .name = "aegd",
  .summary = "AEGD: gradient descent on sqrt(f + c) with a non-increasing energy r (Liu & Tian 2020)",
  .reference = "Liu & Tian, arXiv:2010.05109 (2020); = txping/AEGD aegd.py (official), double precision",
  .params = aegd_params,
  .state_size = sizeof(aegd_state),
  .needs = OB_NEEDS_GRAD,
  .configure = aegd_configure,
  .nvectors = aegd_nvectors,
  .init = aegd_init,
  .step = aegd_step,
  .traffic = aegd_traffic,
  .free = NULL,
};
