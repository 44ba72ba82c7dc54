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
 * distance. lr is the paper's c (keep 1). The authors stress that DoG should
 * be combined with iterate averaging; optbench reports the last iterate (the
 * averager of the official package is not part of the step). Norms are the
 * fixed-block ob_vec sums, so eta is identical for every thread count.
 * lr * ctx->lr_scale replaces lr.
 *
 * Defaults (official): lr 1, reps_rel 1e-6, eps 1e-8, weight_decay 0,
 * init_eta null. State: x0 (one vector) and the scalars r, G. Traffic per
 * coordinate: distance pass reads x, x0 (16), norm pass reads g (8), update
 * reads x, g and writes x (24) = 48 bytes (step 1 writes x0 instead of the
 * distance pass).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bench/ob_vec.h"
#include "optimizers/optimizer.h"

typedef struct {
  double lr, reps_rel, eps, weight_decay, init_eta;   /* init_eta 0 = not set */
  size_t n;
  double *x0;            /* arena vector (state class): the first iterate */
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
  return OB_OK;
}

static size_t dog_nvectors(const void *vs)
{
  (void)vs;
  return 1;
}

static int dog_init(void *vs, size_t n, double *const *vec, const ob_problem *p, ob_error *err)
{
  dog_state *s = vs;
  (void)p;
  (void)err;
  s->n = n;
  s->x0 = vec[0];
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

OB_KERNEL static int dog_step(void *vs, const ob_step_ctx *ctx, ob_oracle *o, double *x, double *g, ob_error *err)
{
  dog_state *s = vs;
  const double lr = s->lr * ctx->lr_scale;
  int rc = ob_oracle_eval(o, x, NULL, g, err);
  if (rc < 0) return rc;
  const size_t n = s->n;
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
#pragma omp parallel for simd schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (size_t i = 0; i < n; i++) x[i] = x[i] + neg_eta * (g[i] + x[i] * wd);
  } else {
#pragma omp parallel for simd schedule(static) if (n >= OB_VEC_PAR_MIN)
    for (size_t i = 0; i < n; i++) x[i] = x[i] + neg_eta * g[i];
  }
  return OB_OK;
}

static double dog_traffic(const void *vs)
{
  (void)vs;
  return 6.0 * sizeof(double);   /* distance: read x, x0; norm: read g; update: read x, g, write x */
}

const ob_optimizer_type ob_optimizer_dog = {
  .name = "dog",
  .summary = "DoG: SGD with step max ||x_s - x0|| / sqrt(sum ||g_s||^2), parameter-free (Ivgi et al. 2023)",
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
