/* dog.c -- DoG (Distance over Gradients): a parameter-free SGD step-size schedule.
 *
 * Ivgi, Hinder & Carmon, "DoG is SGD's Best Friend: A Parameter-Free Dynamic
 * Step Size Schedule", ICML 2023, Algorithm 1 (arXiv:2302.12022). Checked
 * against the authors' official code, formll/dog src/dog/torch/dog.py (DoG
 * 1.1.0, all parameters as one group), whose operations are kept:
 *
 *   g  <- g + wd x                                   (only when wd > 0)
 *   t = 1:  r = reps_rel (1 + ||x0||);  G = ||g||^2 + eps
 *   t > 1:  r = max(r, ||x_t - x0||);   G = G + ||g||^2
 *   eta = lr r / sqrt(G)      (t = 1 with init_eta set: eta = init_eta)
 *   x  <- x - eta g
 *
 * so eta_t = max_{s<=t} ||x_s - x0|| / sqrt(sum_{s<=t} ||g_s||^2), the
 * paper's eq. (1), with r_eps = reps_rel (1 + ||x0||) as the initial
 * distance. lr is the paper's c (keep 1).
 *
 * Averaging ("average": gamma, null = off): the paper pairs DoG with the
 * polynomial-decay averaging of Shamir & Zhang (ICML 2013), section 3 and
 * the experiments (gamma = 8), as the official PolynomialDecayAverager
 * (src/dog/torch/averager.py) implements it, starting from x0 and stepped
 * after every optimizer step t = 1, 2, ...:
 *
 *   xbar_t = (1 - w_t) xbar_{t-1} + w_t x_t,   w_t = (1 + gamma) / (t + gamma)
 *
 * (w_1 = 1, so xbar_1 = x_1). With averaging on, the driver's x IS the
 * averaged iterate xbar -- what the runner evaluates, records and reports --
 * while DoG's own iterate x_t lives in a state vector: gradients are taken at
 * x_t, and the distance r is ||x_t - x0||. The gradient buffer g holds the
 * gradient at x_t after a step, not at xbar. After step 1 DoG does not read
 * the driver's x, so a wrapper that moves x (lookahead's reset, cautious's
 * scratch copy) acts on the average only; use averaging unwrapped.
 * Norms are the fixed-block ob_vec sums, so eta is identical for every
 * thread count. lr * ctx->lr_scale replaces lr.
 *
 * Defaults (official): lr 1, reps_rel 1e-6, eps 1e-8, weight_decay 0,
 * init_eta null, average null. State: x0 (one vector) and the scalars r, G;
 * with averaging also DoG's iterate (a second vector). Traffic per
 * coordinate: distance pass reads x, x0 (16), norm pass reads g (8), update
 * reads x, g and writes x (24) = 48 bytes (step 1 writes x0 instead of the
 * distance pass); averaging adds read xbar, x and write xbar (24) = 72.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, reps_rel, eps, weight_decay, init_eta;   /* init_eta 0 = not set */
  double gamma;          /* averaging gamma; < 0 = no averaging */
  size_t n;
  double *x0;            /* arena vector (state class): the first iterate */
  double *xt;            /* with averaging: DoG's own iterate (the driver's x is xbar) */
  double rbar, G;
  long long t;
} dog_state;

static const ob_param_spec dog_params[] = {
  { "lr", OB_PARAM_REAL, "1", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, NULL,
    "multiplier c of the DoG step (the authors advise 1)" },
  { "reps_rel", OB_PARAM_REAL, "1e-6", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN, NULL, "reps",
    "initial distance r_eps = reps_rel (1 + ||x0||)" },
  { "eps", OB_PARAM_REAL, "1e-8", 0.0, HUGE_VAL, 0, NULL, NULL,
    "added once to the sum of squared gradient norms" },
  { "weight_decay", OB_PARAM_REAL, "0", 0.0, HUGE_VAL, 0, NULL, "wd",
    "L2 coefficient: wd x is added to the gradient" },
  { "init_eta", OB_PARAM_REAL, "null", 0.0, HUGE_VAL, OB_PARAM_MIN_OPEN | OB_PARAM_NULLABLE, NULL, "eta0",
    "explicit first step size, overriding reps_rel's (null: from reps_rel)" },
  { "average", OB_PARAM_REAL, "null", 0.0, HUGE_VAL, OB_PARAM_NULLABLE, NULL, "avg",
    "polynomial-decay averaging gamma (Shamir & Zhang 2013; the authors use 8): the run's iterate is "
    "the average; null = the last iterate" },
  { NULL, 0, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static int dog_configure(void *vs, const json_t *params, ob_error *err)
{
  dog_state *s = vs;
  (void)err;
  s->lr = ob_params_real(params, "lr");
  s->reps_rel = ob_params_real(params, "reps_rel");
  s->eps = ob_params_real(params, "eps");
  s->weight_decay = ob_params_real(params, "weight_decay");
  s->init_eta = ob_params_is_null(params, "init_eta") ? 0.0 : ob_params_real(params, "init_eta");
  s->gamma = ob_params_is_null(params, "average") ? -1.0 : ob_params_real(params, "average");
  return OB_OK;
}

static size_t dog_nvectors(const void *vs)
{
  const dog_state *s = vs;
  return s->gamma >= 0.0 ? 2 : 1;
}

static int dog_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  dog_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->x0 = vec[0];
  s->xt = s->gamma >= 0.0 ? vec[1] : NULL;
  s->t = 0;
  s->rbar = 0.0;
  s->G = 0.0;
  return OB_OK;
}

typedef struct { const double *x, *x0, *g; double wd; } dog_ctx;

static double dog_dist_block(void *vctx, size_t lo, size_t hi)
{
  const dog_ctx *c = vctx;
  double s = 0.0;
  for (size_t i = lo; i < hi; i++) {
    const double d = c->x[i] - c->x0[i];
    s += d * d;
  }
  return s;
}

/* ||g + wd x||^2 without writing the driver's gradient buffer. */
static double dog_gnorm_block(void *vctx, size_t lo, size_t hi)
{
  const dog_ctx *c = vctx;
  double s = 0.0;
  for (size_t i = lo; i < hi; i++) {
    const double gi = c->g[i] + c->x[i] * c->wd;
    s += gi * gi;
  }
  return s;
}

OB_KERNEL static int dog_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *xdrv, double *g, ob_error *err)
{
  dog_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  const size_t n = s->n;
  /* with averaging DoG moves its own iterate; the driver's x is the average */
  double *x = xdrv;
  if (s->xt) {
    if (s->t == 0) memcpy(s->xt, xdrv, n * sizeof *xdrv);
    x = s->xt;
  }
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  const double wd = s->weight_decay;
  dog_ctx c = { x, s->x0, g, wd };
  const double gg = wd > 0.0 ? ob_vec_reduce(dog_gnorm_block, &c, n) : ob_vec_dot(g, g, n);
  s->t++;
  if (s->t == 1) {
    memcpy(s->x0, x, n * sizeof *x);
    s->rbar = s->reps_rel * (1.0 + sqrt(ob_vec_dot(x, x, n)));
    s->G = gg + s->eps;
  } else {
    s->rbar = fmax(s->rbar, sqrt(ob_vec_reduce(dog_dist_block, &c, n)));
    s->G = s->G + gg;
  }
  double eta = lr * s->rbar / sqrt(s->G);
  if (s->t == 1 && s->init_eta > 0.0) eta = s->init_eta;
  const double neg_eta = -eta;
  if (wd > 0.0) {
    OB_VEC_FOR(i, n, x[i] = x[i] + neg_eta * (g[i] + x[i] * wd););
  } else {
    OB_VEC_FOR(i, n, x[i] = x[i] + neg_eta * g[i];);
  }
  if (s->xt) {
    const double w = (1.0 + s->gamma) / ((double)s->t + s->gamma), omw = 1.0 - w;
    double *restrict xb = xdrv;
    const double *restrict xi = s->xt;
    OB_VEC_FOR(i, n, xb[i] = xb[i] * omw + xi[i] * w;);
  }
  return OB_OK;
}

static double dog_traffic(const void *vs)
{
  const dog_state *s = vs;
  /* distance: read x, x0; norm: read g; update: read x, g, write x (+ average: read xbar, x, write xbar) */
  return (s->gamma >= 0.0 ? 9.0 : 6.0) * sizeof(double);
}

const ob_optimizer_type ob_optimizer_dog = {
  .name = "dog",
  .summary = "DoG: SGD with step max ||x_s - x0|| / sqrt(sum ||g_s||^2), parameter-free, optional averaging (Ivgi et al. 2023)",
  .reference = "Ivgi, Hinder & Carmon 2023, ICML, Algorithm 1; = formll/dog src/dog/torch/dog.py (DoG 1.1.0)",
  .params = dog_params,
  .state_size = sizeof(dog_state),
  .needs = OB_NEEDS_GRAD,
  .configure = dog_configure,
  .nvectors = dog_nvectors,
  .init = dog_init,
  .step = dog_step,
  .traffic = dog_traffic,
  .free = NULL,
};
