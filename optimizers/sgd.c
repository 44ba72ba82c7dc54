/* sgd.c -- gradient descent with heavy-ball or Nesterov momentum and L2 weight
 * decay, exactly as torch.optim.SGD computes it, in double precision.
 *
 * Momentum: Polyak 1964, "Some methods of speeding up the convergence of
 * iteration methods" (heavy ball); Nesterov momentum in the form of
 * Sutskever, Martens, Dahl & Hinton 2013, "On the importance of initialization
 * and momentum in deep learning", eq. (3)-(4). The implementation follows
 * torch.optim.SGD (torch/optim/sgd.py, _single_tensor_sgd), operation by
 * operation so trajectories agree with torch bit for bit:
 *
 *   d <- g + wd x                        (only when wd != 0)
 *   b <- d                               (first step: a copy, no dampening)
 *   b <- mu b + (1 - dampening) d        (later steps)
 *   d <- nesterov ? d + mu b : b         (only when mu != 0)
 *   x <- x + (-lr) d
 *
 * Differences from the papers: the velocity is stored as b (a gradient sum),
 * not as lr * b, so changing lr mid-run would behave differently than in
 * Polyak's form (we never change it); Nesterov is Sutskever's reformulation
 * evaluated at the current point, not at a look-ahead point; weight decay is
 * the L2 term added to the gradient (coupled), as in torch. Like torch, nesterov
 * requires momentum > 0 and dampening = 0 (configure rejects the rest).
 *
 * State: one vector b when momentum > 0, none otherwise. Steady-state traffic
 * per coordinate: read x, g, b and write x, b = 5 * 8 bytes with momentum,
 * read x, g and write x = 3 * 8 bytes without (weight decay reads x, which is
 * read anyway). One OpenMP pass per step; bit-identical for every thread count.
 */
#include "config.h"

#include <math.h>
#include <stdbool.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, momentum, dampening, weight_decay;
  bool nesterov;
  size_t n;
  double *buf;       /* momentum buffer b (arena, state class), NULL without momentum */
  long long t;       /* completed steps */
} sgd_state;

static const ob_param_spec sgd_params[] = {
  { "lr", OB_PARAM_REAL, "0.01", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "learning rate" },
  { "momentum", OB_PARAM_REAL, "0", 0.0, 1.0, OB_PARAM_MAX_OPEN, NULL, "mom",
    "momentum factor mu (0 = plain SGD, no state vector)" },
  { "dampening", OB_PARAM_REAL, "0", 0.0, 1.0, 0, NULL, "damp",
    "dampening: the new gradient enters the buffer with weight 1 - dampening (not on step 1)" },
  { "nesterov", OB_PARAM_BOOL, "false", 0, 0, 0, NULL, NULL,
    "Nesterov momentum (Sutskever et al. 2013 form); needs momentum > 0 and dampening = 0" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "L2 penalty coefficient: wd * x is added to the gradient" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int sgd_configure(void *vs, const json_t *params, ob_error *err)
{
  sgd_state *s = vs;
  s->lr = ob_params_real(params, "lr");
  s->momentum = ob_params_real(params, "momentum");
  s->dampening = ob_params_real(params, "dampening");
  s->nesterov = ob_params_bool(params, "nesterov");
  s->weight_decay = ob_params_real(params, "weight_decay");
  if (s->nesterov && (s->momentum <= 0.0 || s->dampening != 0.0))
    return ob_error_at(err, OB_EINVAL, "nesterov",
                        "'nesterov' needs momentum > 0 and dampening = 0 (got momentum %g, dampening %g)",
                        s->momentum, s->dampening);
  return OB_OK;
}

static size_t sgd_nvectors(const void *vs)
{
  const sgd_state *s = vs;
  return s->momentum != 0.0 ? 1 : 0;
}

static int sgd_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  sgd_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->t = 0;
  s->buf = s->momentum != 0.0 ? vec[0] : NULL;
  return OB_OK;
}

/* Per-step coefficients of b <- cb b + ck d. On step 1 they are (0, 1): the
 * buffer is zeroed arena memory, so 0 * b + 1 * d is exactly torch's
 * clone(d) (up to the sign of a zero, which never reaches x). */
typedef struct { double neg_lr, wd, mu, cb, ck; } sgd_coef;

/* The update of coordinate i. `wd`, `mom` and `nest` are compile-time
 * constants at every call site: with the default -ftrapping-math GCC will not
 * if-convert a branch that computes floating point, so each combination gets
 * its own loop (SGD_LOOP) and this body is inlined into it. */
static inline __attribute__((always_inline)) void
sgd_elem(size_t i, double *restrict x, const double *restrict g, double *restrict b,
         const sgd_coef c, const bool wd, const bool mom, const bool nest)
{
  double d = wd ? g[i] + c.wd * x[i] : g[i];   /* torch skips it when wd == 0 */
  if (mom) {
    const double bi = c.cb * b[i] + c.ck * d;  /* buf.mul_(mu).add_(d, alpha=1-dampening) */
    b[i] = bi;
    d = nest ? d + c.mu * bi : bi;
  }
  x[i] = x[i] + c.neg_lr * d;                  /* param.add_(d, alpha=-lr) */
}

#define SGD_LOOP(WD, MOM, NEST)                                                         \
  do {                                                                                  \
    OB_VEC_FOR(i, n, sgd_elem(i, x, g, b, c, WD, MOM, NEST););                          \
  } while (0)

OB_KERNEL static int sgd_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  sgd_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;   /* schedule (1 without one) */
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;

  const size_t n = s->n;
  const bool wd = s->weight_decay != 0.0, first = s->t == 0;
  const sgd_coef c = { -lr, s->weight_decay, s->momentum,
                       first ? 0.0 : s->momentum, first ? 1.0 : 1.0 - s->dampening };
  double *b = s->buf;
  if (!b) {
    if (wd) SGD_LOOP(true, false, false);
    else SGD_LOOP(false, false, false);
  } else if (s->nesterov) {
    if (wd) SGD_LOOP(true, true, true);
    else SGD_LOOP(false, true, true);
  } else {
    if (wd) SGD_LOOP(true, true, false);
    else SGD_LOOP(false, true, false);
  }
  s->t++;
  return OB_OK;
}

#undef SGD_LOOP

static double sgd_traffic(const void *vs)
{
  const sgd_state *s = vs;
  /* read x, g (+ b), write x (+ b) */
  return (s->momentum != 0.0 ? 5.0 : 3.0) * sizeof(double);
}

const ob_optimizer_type ob_optimizer_sgd = {
  .name = "sgd",
  .summary = "SGD with heavy-ball or Nesterov momentum, dampening and L2 weight decay (torch.optim.SGD)",
  .reference = "Polyak 1964 (heavy ball); Sutskever et al. 2013, eq. 3-4 (Nesterov); = torch.optim.SGD, double precision",
  .params = sgd_params,
  .state_size = sizeof(sgd_state),
  .needs = OB_NEEDS_GRAD,
  .configure = sgd_configure,
  .nvectors = sgd_nvectors,
  .init = sgd_init,
  .step = sgd_step,
  .traffic = sgd_traffic,
  .free = NULL,
};
